"""The printed documents of the projects app, read back from the PDF bytes."""

import re
from decimal import Decimal
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from projects import documents
from projects.documents import next_year_items_pdf, progress_report_pdf, progress_sheet_pdf
from projects.models import Highlight, Indicator, IndicatorValue, MeasureResult, Photo, Project, ProjectYear

BIRDS = "有害鳥獣の市町村による連携捕獲の推進"
ZERO_CARBON = "ゼロカーボンシティ富山の実現"
DIGITAL = "自治体行政のデジタル化"
EXPORTS = "農林水産物等の輸出促進に向けた連携・強化"
FY2021_ITEMS = [BIRDS, "県単医療費助成制度のあり方検討", ZERO_CARBON, "防災・危機管理体制の連携・強化", DIGITAL]

SUBSET_NAME = re.compile(r"^/?[A-Z]{6}\+")


def squash(text: str) -> str:
    """Extracted text without whitespace: Japanese lines wrap anywhere."""
    return re.sub(r"\s+", "", text)


def pages_text(doc) -> list[str]:
    return [squash(page.extract_text()) for page in PdfReader(BytesIO(doc.content)).pages]


def text_of(doc) -> str:
    return "".join(pages_text(doc))


def project(title: str) -> Project:
    return Project.objects.get(title=title)


def _fonts(resources, seen: set):
    """Every font of a resource dictionary, including those of form XObjects (SVG charts)."""
    resources = resources.get_object() if resources is not None else {}
    fonts = resources.get("/Font")
    for font in fonts.get_object().values() if fonts is not None else []:
        font = font.get_object()
        if id(font) not in seen:
            seen.add(id(font))
            yield font
    xobjects = resources.get("/XObject")
    for xobject in xobjects.get_object().values() if xobjects is not None else []:
        xobject = xobject.get_object()
        if xobject.get("/Subtype") == "/Form" and "/Resources" in xobject:
            yield from _fonts(xobject["/Resources"], seen)


def assert_fonts_embedded_and_subset(doc):
    reader = PdfReader(BytesIO(doc.content))
    seen, checked = set(), 0
    for page in reader.pages:
        for font in _fonts(page.get("/Resources"), seen):
            faces = [d.get_object() for d in font["/DescendantFonts"]] if font.get("/Subtype") == "/Type0" else [font]
            for face in faces:
                descriptor = face["/FontDescriptor"].get_object()
                assert "/FontFile2" in descriptor or "/FontFile3" in descriptor, face["/BaseFont"]
                assert SUBSET_NAME.match(str(face["/BaseFont"])), face["/BaseFont"]
                checked += 1
    assert checked >= 1


def assert_a4_portrait(doc):
    for page in PdfReader(BytesIO(doc.content)).pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert width == pytest.approx(595.3, abs=1) and height == pytest.approx(841.9, abs=1)


# ------------------------------------------------------------------------------------------
# Progress sheet of one item


def test_birds_sheet_names_the_item_its_outcome_and_results(toyama):
    doc = progress_sheet_pdf(project(BIRDS), 2021)
    text = text_of(doc)
    assert "連携事項名" + BIRDS in text
    assert "（連携推進項目での協議を終了）" in text
    assert "提案市町村：富山市" in text
    assert "県担当課：自然保護課、農村振興課" in text
    assert "◎R3年度の取り組み結果と今後の方向性" in text
    assert "連携捕獲" in text and "出没" in text and "出沒" not in text
    # The table: columns, the follow-up note in the header, headings as group rows.
    assert "令和3年度の取り組み成果等" in text
    assert "令和4年度以降の取り組み（被害対策会議等で個別の進行管理）" in text
    assert "クマ等による人身被害防止対策の推進" in text and "イノシシによる農作物被害防止対策の推進" in text
    # Highlights with photo captions (no image uploaded: grey frames).
    assert "主な取り組み実績と成果" in text and "連携のポイント・成果" in text
    assert "上市町との協定締結" in text and "AIによるクマ検知" in text
    assert doc.filename == f"令和3年度_{BIRDS}_進捗シート.pdf"
    assert doc.ascii_filename == f"onechoice_2021_project-{project(BIRDS).pk}_sheet.pdf"


def test_sheet_outcome_comes_from_the_next_year_record(toyama):
    text = text_of(progress_sheet_pdf(project(ZERO_CARBON), 2021))
    assert "連携事項名" + ZERO_CARBON + "（令和4年度協議継続）" in text
    assert "協議を終了" not in text
    assert "令和4年度以降の取り組み（連携推進項目として協議継続）" in text


def test_sheet_keeps_line_breaks_of_results_and_next_steps(toyama):
    doc = progress_sheet_pdf(project(BIRDS), 2021)
    pages = PdfReader(BytesIO(doc.content)).pages
    lines = [line.strip() for page in pages for line in page.extract_text().splitlines()]
    # 「⇒4・9月 … 開催」 and 「随時 出没案件 …」 are two lines of one cell.
    assert any(line.startswith("随時") for line in lines)


def test_sheet_shows_indicator_before_and_after_with_rank_and_chart(toyama):
    text = text_of(progress_sheet_pdf(project(DIGITAL), 2021))
    assert "◎主な指標" in text
    assert "マイナンバーカード交付率（%）" in text
    assert "R3.1.1時点22.7%（全国27位）→R4.1.1時点41.7%（全国10位）" in text
    # Indicators of measures without results this year (the leading projects, FY2023) stay out.
    assert "スマート農機の普及台数" not in text


def test_sheet_of_the_leading_projects_shows_grades_and_achievement(toyama):
    text = text_of(progress_sheet_pdf(project(DIGITAL), 2023))
    assert "(1)スマート県庁推進" in text and "(10)県民総参加の働き方改革" in text
    assert "評価" in text and "達成状況" in text
    assert "○概ね達成" in text and "△達成できず" in text
    assert "A：順調に進んでおり" in text
    assert "R2102件→R53,811件" in text  # 電子申請対応手続数, fiscal-year readings
    assert "R6.3.31時点76.4%（全国平均超）" in text


def test_sheet_is_a4_portrait_with_embedded_subset_fonts(toyama):
    doc = progress_sheet_pdf(project(DIGITAL), 2021)
    assert doc.content.startswith(b"%PDF-")
    assert_a4_portrait(doc)
    assert_fonts_embedded_and_subset(doc)


def test_sheet_prints_uploaded_photos(toyama, settings, tmp_path):
    from django.core.files.base import ContentFile
    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    buffer = BytesIO()
    Image.new("RGB", (60, 40), (200, 80, 40)).save(buffer, format="PNG")
    photo = Photo.objects.get(caption="上市町との協定締結")
    photo.image.save("kamiichi.png", ContentFile(buffer.getvalue()))

    reader = PdfReader(BytesIO(progress_sheet_pdf(project(BIRDS), 2021).content))
    images = {
        xobject.idnum: xobject.get_object()
        for page in reader.pages
        for xobject in (page["/Resources"].get("/XObject") or {}).values()
        if xobject.get_object().get("/Subtype") == "/Image"
    }
    assert [(image["/Width"], image["/Height"]) for image in images.values()] == [(60, 40)]


def test_sheet_prints_photos_kept_in_a_bucket(toyama, settings):
    """With uploads in object storage (STORAGE_BACKEND=s3) the photo's URL points at the bucket,
    which the engine never fetches from: the sheet refers to /media/<name> and the engine reads
    it through the storage. An in-memory storage with a foreign base URL stands in for S3."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage
    from PIL import Image

    settings.STORAGES = settings.STORAGES | {
        "default": {
            "BACKEND": "django.core.files.storage.InMemoryStorage",
            "OPTIONS": {"base_url": "https://bucket.example/"},
        },
    }
    buffer = BytesIO()
    Image.new("RGB", (30, 20), (40, 80, 200)).save(buffer, format="PNG")
    photo = Photo.objects.get(caption="上市町との協定締結")
    photo.image.save("写真 1.png", ContentFile(buffer.getvalue()))
    assert photo.image.url.startswith("https://bucket.example/") and default_storage.exists(photo.image.name)

    reader = PdfReader(BytesIO(progress_sheet_pdf(project(BIRDS), 2021).content))
    images = {
        xobject.idnum: xobject.get_object()
        for page in reader.pages
        for xobject in (page["/Resources"].get("/XObject") or {}).values()
        if xobject.get_object().get("/Subtype") == "/Image"
    }
    assert [(image["/Width"], image["/Height"]) for image in images.values()] == [(30, 20)]


def test_sheet_for_a_year_without_record_is_refused(toyama):
    with pytest.raises(ProjectYear.DoesNotExist):
        progress_sheet_pdf(project(BIRDS), 2022)


def test_staff_text_is_escaped(toyama):
    item = project(BIRDS)
    item.title = "<b>有害鳥獣</b> & 連携"
    item.save()
    result = MeasureResult.objects.filter(project_year__project=item, project_year__fiscal_year=2021).first()
    result.results = "<script>x</script>\n二行目"
    result.save()
    text = text_of(progress_sheet_pdf(item, 2021))
    assert "<b>有害鳥獣</b>&連携" in text
    assert "<script>x</script>" in text


def test_sheet_in_packet_has_no_page_numbers(toyama):
    alone = pages_text(progress_sheet_pdf(project(BIRDS), 2021))
    in_packet = pages_text(progress_sheet_pdf(project(BIRDS), 2021, in_packet=True))
    assert alone[0].endswith("1/2")
    assert not in_packet[0].endswith("1/2")


# ------------------------------------------------------------------------------------------
# Progress report of a fiscal year


def test_progress_report_starts_every_item_on_a_new_page(toyama):
    doc = progress_report_pdf(2021)
    pages = pages_text(doc)
    starts = []
    for title in FY2021_ITEMS:
        found = [i for i, page in enumerate(pages) if page.startswith("連携事項名" + title)]
        assert len(found) == 1, title
        starts.append(found[0])
    assert starts == sorted(starts) and starts[0] == 0
    # No page holds two sheets' headers, and each item's pages hold only that item.
    assert all(page.count("連携事項名") <= 1 for page in pages)
    bounds = starts + [len(pages)]
    for i, title in enumerate(FY2021_ITEMS):
        others = [t for t in FY2021_ITEMS if t != title]
        for page in pages[bounds[i] : bounds[i + 1]]:
            assert not any("連携事項名" + other in page for other in others)
    assert_a4_portrait(doc)
    assert_fonts_embedded_and_subset(doc)
    assert doc.filename == "令和3年度_連携推進項目の取り組み状況.pdf"
    assert doc.ascii_filename == "onechoice_2021_progress.pdf"


def _two_item_year(fiscal_year: int) -> None:
    """Records of two items for a fiscal year, with every kind of row a sheet prints."""
    for title in (BIRDS, DIGITAL):
        item = project(title)
        year = ProjectYear.objects.create(project=item, fiscal_year=fiscal_year, status="continuing")
        for measure in item.measures.all()[:3]:
            MeasureResult.objects.create(
                project_year=year, measure=measure, results="成果\n・二行目", next_steps="今後", follow_up="協議継続"
            )
        highlight = Highlight.objects.create(project_year=year, order=1, title="実績", overview="概要", points="成果")
        Photo.objects.create(highlight=highlight, order=1, caption="写真")
    indicator = Indicator.objects.create(project=project(BIRDS), order=9, name="捕獲頭数", unit="頭")
    IndicatorValue.objects.create(indicator=indicator, fiscal_year=fiscal_year - 1, value=Decimal(10))
    IndicatorValue.objects.create(indicator=indicator, fiscal_year=fiscal_year, value=Decimal(25))


def test_progress_report_queries_do_not_grow_with_items(toyama):
    _two_item_year(2030)
    assert ProjectYear.objects.filter(fiscal_year=2030).count() == 2
    assert ProjectYear.objects.filter(fiscal_year=2021).count() == 5

    with CaptureQueriesContext(connection) as two_items:
        two = progress_report_pdf(2030)
    with CaptureQueriesContext(connection) as five_items:
        five = progress_report_pdf(2021)

    assert "捕獲頭数" in text_of(two) and len(pages_text(five)) > len(pages_text(two))
    assert len(two_items) == len(five_items), (
        [q["sql"][:90] for q in two_items.captured_queries],
        [q["sql"][:90] for q in five_items.captured_queries],
    )
    assert len(five_items) <= 16


def test_progress_report_of_a_year_with_grades(toyama):
    text = text_of(progress_report_pdf(2023))
    assert "連携事項名" + DIGITAL in text
    assert "△達成できず" in text


# ------------------------------------------------------------------------------------------
# 協議事項


def test_next_year_items_lists_items_and_details_the_new_one(toyama):
    doc = next_year_items_pdf(2022)
    pages = pages_text(doc)
    text = "".join(pages)
    assert pages[0].startswith("令和4年度「ワンチームとやま」連携推進本部会議における協議事項について")
    assert "【R4年度の連携推進項目】" in text
    assert "1ゼロカーボンシティ富山の実現（R3年度からの継続）（提案市町村：魚津市、南砺市）" in text
    assert "2自治体行政のデジタル化（R3年度からの継続）" in text
    assert "3" + EXPORTS + "（R4年度新規項目）（提案市町村：富山市）" in text
    # The new item's section, on its own page.
    detail = next(page for page in pages[1:] if page.startswith("連携事項名" + EXPORTS))
    assert "提案市町村：富山市" in detail
    assert "対象市町村：全市町村" in detail
    assert "県担当課：農林水産企画課" in detail
    for heading in (
        "○目標（目指す姿）",
        "○現状と課題",
        "現状",
        "課題",
        "○具体的連携施策",
        "具体的手段",
        "効果",
        "○選定理由",
    ):
        assert heading in detail
    assert "地域商社" in detail
    assert "輸出に取り組む事業者の掘り起こし" in detail
    # Continuing items get no detail page and no 選定理由 of their own.
    assert "R3年度からの継続R3年度からの継続" not in text
    assert_a4_portrait(doc)
    assert_fonts_embedded_and_subset(doc)
    assert doc.filename == "令和4年度_協議事項.pdf"
    assert doc.ascii_filename == "onechoice_2022_proposals.pdf"


def test_targets_are_listed_by_name_unless_all_municipalities(toyama):
    item = project(EXPORTS)
    item.targets.set(item.targets.all()[:2])
    text = text_of(next_year_items_pdf(2022))
    assert "全市町村" not in text
    assert "対象市町村：富山市、高岡市" in text


# ------------------------------------------------------------------------------------------
# Pieces


def test_bar_chart_scales_bars_and_labels_values():
    values = [
        IndicatorValue(fiscal_year=2020, value=Decimal("102")),
        IndicatorValue(fiscal_year=2023, value=Decimal("3811.00")),
    ]
    chart = documents.bar_chart(values, "件")
    first, last = chart.bars
    assert (first.value, first.period, last.value, last.period) == ("102件", "R2", "3,811件", "R5")
    assert last.height > first.height > 0 and last.last and not first.last
    assert first.y + first.height == pytest.approx(chart.baseline)
    assert last.y == pytest.approx(chart.baseline - (chart.baseline - 16))


def test_text_lines_keep_lines_and_outline():
    lines = documents.text_lines(
        "子ども医療費助成の対象を拡充\n・対象年齢を拡充\n※入院は従来どおり\n\n現物給付の実施\n・4月から"
    )
    assert [line.text for line in lines] == [
        "子ども医療費助成の対象を拡充",
        "・対象年齢を拡充",
        "※入院は従来どおり",
        "現物給付の実施",
        "・4月から",
    ]
    assert [line.level for line in lines] == [0, 1, 1, 0, 1]
    assert [line.heading for line in lines] == [True, False, False, True, False]
    assert lines[0].heading and lines[1].hang and lines[1].body == "対象年齢を拡充"


def test_format_number():
    assert documents.format_number(Decimal("22.70")) == "22.7"
    assert documents.format_number(Decimal("164959.00")) == "164,959"
    assert documents.format_number(Decimal("3811")) == "3,811"


def test_sheet_urls(client, toyama):
    from projects.models import Project

    hunting = Project.objects.get(title="有害鳥獣の市町村による連携捕獲の推進")
    response = client.get(f"/projects/{hunting.pk}/sheet.pdf?fiscal_year=2021")
    assert response.status_code == 200 and response.getvalue().startswith(b"%PDF")
    assert "onechoice_2021_project-" in response["Content-Disposition"]
    assert client.get(f"/projects/{hunting.pk}/sheet.pdf").status_code == 200  # its latest year
    assert client.get(f"/projects/{hunting.pk}/sheet.pdf?fiscal_year=2030").status_code == 404
    assert client.get(f"/projects/{hunting.pk}/sheet.pdf?fiscal_year=R3").status_code == 404
    assert client.get("/projects/999999/sheet.pdf").status_code == 404
    assert client.get("/projects/proposals/2022.pdf").status_code == 200
    assert client.get("/projects/progress/2021.pdf").status_code == 200
