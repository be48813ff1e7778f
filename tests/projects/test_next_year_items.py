"""協議事項 (資料2) of FY2022 printed from the loaded Toyama records, against the seed's handout:
the texts of section 1, of section 2 (その他想定される個別課題, kept as 個別課題 records) and of
the new item's detail page in the handout's order, where they sit on the page, and how an
edit of a 個別課題 in the admin reaches the printed document."""

import re
import subprocess
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from onechoice import data_version, roles
from onechoice.concurrency import TOKEN_FIELD
from onechoice.services import record_delete
from projects.documents import next_year_items_pdf
from projects.models import ExpectedIssue
from projects.services import expected_issue_save
from tests.pdf_reading import page_sizes, page_texts, squash, words

SEED = Path(__file__).resolve().parents[3] / "shared" / "seeds" / "000_da43dbc95c320d57.txt"
SEED_TEXT = SEED.read_text(encoding="utf-8") if SEED.exists() else None
needs_seed = pytest.mark.skipif(SEED_TEXT is None, reason="../shared/seeds is not beside the checkout")

EXPORTS = "農林水産物等の輸出促進に向けた連携・強化"
REASON = (
    "農林漁業者の所得向上や担い手育成に向け、輸出に取り組む事業者の掘り起こしや"
    "販路開拓支援などを連携して行う必要がある。"
)

# Page 1 of 資料2, line by line as the seed has it (the 資料2 stamp aside: the packet prints it).
PAGE_ONE = [
    "令和4年度「ワンチームとやま」連携推進本部会議における協議事項について",
    "1. 連携推進項目",
    "● 1年間（年度）を通して、県と市町村が連携して取り組むべき重要事項についてワーキンググループでの"
    "議論を踏まえて本部会議で協議（市町村からの提案のあったテーマの中から選定）",
    "【R4年度の連携推進項目】（案）",
    "1 ゼロカーボンシティ富山の実現（R3年度からの継続）",
    "（提案市町村：魚津市、南砺市）",
    "2 自治体行政のデジタル化（R3年度からの継続）",
    "（提案市町村：射水市、氷見市、砺波市）",
    f"3 {EXPORTS}（R4年度新規項目）",
    "詳細次ページ",
    f"・ 選定理由：{REASON}",
    "2. その他想定される個別課題",
    "● 市町村と連携して解決すべき喫緊の課題、情報共有や個別の検討を必要とする政策課題などについて、"
    "必要に応じて協議・報告",
    "【令和4年度に想定される個別課題】",
    "新型コロナウイルス対策、公共施設のあり方など",
]

# The new item's detail page, as the seed has it (its half-width 「(」「:」 are conversion
# artefacts of the full-width ones the handout prints).
DETAIL_PAGE = [
    f"連携事項名 {EXPORTS}",
    "提案市町村：富山市",
    "対象市町村：全市町村",
    "県担当課：農林水産企画課",
    "○目標（目指す姿）",
    "県産農林水産物の知名度やブランド力の向上による、県民が誇れる県産農林水産物としての定着、"
    "農林漁業者・加工業者の所得向上及び地域経済の活性化",
    "○現状と課題",
    "現状",
    "国内消費が減少する中、農林漁業者・加工業者等の販路の一つとして、輸出の取組を支援することが重要。",
    "販路開拓に関しては、県でも輸出プラットフォームの形成やWEBマッチング支援などを進めている。",
    "課題",
    "農林漁業者の所得向上や担い手育成に向け、販路開拓は、一部の市町村同士が連携しているものの、"
    "県や各市町村が個別に事業者支援やPRを行っているため、効果が限定的となっている。",
    "○具体的連携施策",
    "具体的手段",
    "県と市町村が、地域商社を中心とした輸出プラットフォームの形成に向けた準備検討やWEBマッチング支援事業"
    "などに一体となって取り組み、事業者の掘り起こしや販路開拓支援などを行う。",
    "効果",
    "より生産者に近い市町村と連携することにより、海外の消費者ニーズによりマッチした農林水産物の掘り起こし",
    "県産農林水産物の知名度とブランド力の向上",
    "農林漁業者・加工業者の所得の向上",
]


def seed_lines(start: str, end: str) -> list[str]:
    """The seed's lines from the heading ``start`` up to ``end``, without Markdown marks,
    the 資料2 stamp, blank lines, and with the conversion's half-width 「(」「)」「:」 full-width."""
    section = SEED_TEXT.split(start, 1)[1].split(end, 1)[0]
    lines = [start.lstrip("# ")]
    for line in section.splitlines():
        line = re.sub(r"^(#+|-)\s+", "", line.strip())
        line = re.sub(r"\[(.*?)\]\(#\)", r"\1", line)
        line = line.replace("(", "（").replace(")", "）").replace(":", "：")
        if line and line != "資料2":
            lines.append(line)
    return lines


def assert_in_order(text: str, expected: list[str]) -> None:
    """Every line of ``expected`` (whitespace aside) in ``text``, each after the one before."""
    at = 0
    for line in expected:
        found = text.find(squash(line), at)
        assert found >= 0, f"「{line}」 not after position {at}: …{text[at : at + 80]}…"
        at = found + len(squash(line))


def record_queries(queries) -> list[str]:
    """The queries that read records: not those of the PDF byte cache (its table, its savepoint)."""
    return [
        q["sql"] for q in queries.captured_queries if "onechoice_cache" not in q["sql"] and "SAVEPOINT" not in q["sql"]
    ]


@needs_seed
def test_the_transcribed_pages_are_the_seeds():
    assert (
        seed_lines("# 令和4年度「ワンチームとやま」連携推進本部会議における協議事項について", "# 連携事項名")
        == PAGE_ONE
    )
    assert seed_lines(f"# 連携事項名 {EXPORTS}", "## 「ワンチームとやま」連携推進本部 年間スケジュール") == DETAIL_PAGE


# Where the printed page differs from the seed's, on purpose: an item has one set of proposers,
# and 自治体行政のデジタル化's are those of its progress sheet (射水市、氷見市、砺波市、滑川市,
# printed in protocol order), while 資料2 and the WG status table of the same bundle name three
# (fixtures/toyama/projects.yaml says so above the item).
PRINTED_PAGE_ONE = [line.replace("射水市、氷見市、砺波市", "射水市、氷見市、滑川市、砺波市") for line in PAGE_ONE]


def test_fy2022_prints_the_seeds_handout_in_its_order(toyama):
    content = next_year_items_pdf(2022).content
    pages = page_texts(content)
    assert len(pages) == 2
    assert_in_order(pages[0], PRINTED_PAGE_ONE)
    assert pages[0].endswith(squash(PAGE_ONE[-1]) + "1/2")  # section 2 closes page 1, above its number
    assert_in_order(pages[1], DETAIL_PAGE)
    # After the seed's last heading: the reason the item was chosen, in a block of its own.
    assert_in_order(pages[1], [DETAIL_PAGE[-1], "○選定理由", REASON])
    assert pages[1].count("選定理由") == 1
    # The new item's proposer is printed in the list too (the seed has it on the detail page only).
    assert_in_order(pages[0], [f"{EXPORTS}（R4年度新規項目）", "（提案市町村：富山市）", "詳細次ページ"])
    assert page_sizes(content) == [(595, 842)] * 2


def _first(found, text):
    """The first word holding ``text``."""
    matches = [w for w in found if text in w.text]
    assert matches, f"「{text}」 not printed"
    return matches[0]


def _word(found, text):
    """The one word that is ``text``."""
    (match,) = [w for w in found if w.text == text]
    return match


def test_section_two_sits_on_page_one_below_the_list_inside_the_page(toyama):
    found = words(next_year_items_pdf(2022).content)
    assert found and all(w.inside_page() for w in found), [w for w in found if not w.inside_page()]
    # Everything but the page number inside the content box (print.css: margins 18mm 16mm 16mm).
    mm = 72 / 25.4
    footer = [w for w in found if w.y0 > w.page_height - 16 * mm]
    assert ["".join(w.text for w in footer if w.page == page) for page in (1, 2)] == ["1/2", "2/2"]
    body = [w for w in found if w not in footer]
    tolerance = 1
    outside = [
        w
        for w in body
        if w.x0 < 16 * mm - tolerance
        or w.x1 > w.page_width - 16 * mm + tolerance
        or w.y0 < 18 * mm - tolerance
        or w.y1 > w.page_height - 16 * mm + tolerance
    ]
    assert not outside, outside

    page_one = [w for w in found if w.page == 1]
    section_one = _word(page_one, "1.")
    section_two = _word(page_one, "2.")
    assert _word(page_one, "その他想定される個別課題").y0 == section_two.y0  # the heading's two words
    reason = _first(page_one, "・選定理由：")
    last_of_section_one = max((w for w in page_one if w.y0 < section_two.y0), key=lambda w: w.y1)
    assert last_of_section_one.y0 > reason.y0  # the reason's second line ends section 1's list
    assert last_of_section_one.y1 < section_two.y0  # section 2 starts below it
    assert abs(section_two.x0 - section_one.x0) < 1  # the headings share their left edge
    lead = _first(page_one, "市町村と連携して解決すべき喫緊の課題")
    heading = _first(page_one, "【令和4年度に想定される個別課題】")
    issues = _first(page_one, "新型コロナウイルス対策、公共施設のあり方など")
    assert section_two.y1 < lead.y0 < heading.y0 < issues.y0
    assert heading.x0 == pytest.approx(_first(page_one, "【R4年度の連携推進項目】").x0)  # as section 1's
    assert issues.x0 > heading.x0 + 10  # indented under its heading, as in the handout
    assert max(w.y1 for w in body if w.page == 1) == issues.y1  # nothing else below it on page 1
    assert _first(found, "連携事項名").page == 2  # the detail page follows section 2


def test_page_one_renders_to_an_image(toyama, tmp_path):
    pdf = tmp_path / "proposals.pdf"
    pdf.write_bytes(next_year_items_pdf(2022).content)
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", pdf, tmp_path / "page"], check=True)
    (png,) = tmp_path.glob("page*.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(png.read_bytes()[16:20], "big"), int.from_bytes(png.read_bytes()[20:24], "big")
    assert abs(width - 496) <= 1 and abs(height - 702) <= 1  # A4 at 60 dpi


def test_the_document_reads_its_issues_in_one_more_query_however_many(toyama):
    with CaptureQueriesContext(connection) as two:
        two_issues = next_year_items_pdf(2022)
    for order in range(3, 11):
        expected_issue_save(expected_issue=ExpectedIssue(fiscal_year=2022, order=order, title=f"個別課題{order}"))
    with CaptureQueriesContext(connection) as ten:
        ten_issues = next_year_items_pdf(2022)
    with CaptureQueriesContext(connection) as none:
        next_year_items_pdf(2021)  # five items, no issues
    # 6 for the items (before section 2 as now), 1 for the issues, however many of either.
    assert len(record_queries(two)) == len(record_queries(ten)) == len(record_queries(none)) == 7
    assert "公共施設のあり方、個別課題3、" in page_texts(ten_issues.content)[0]
    assert page_texts(ten_issues.content)[0].endswith("個別課題10など1/2")
    assert two_issues.etag != ten_issues.etag


def test_a_year_without_issues_prints_no_section_two(toyama):
    fy2021 = page_texts(next_year_items_pdf(2021).content)
    assert "1.連携推進項目" in fy2021[0]
    assert "個別課題" not in "".join(fy2021)
    for issue in ExpectedIssue.objects.filter(fiscal_year=2022):
        record_delete(issue)
    assert "その他想定される個別課題" not in "".join(page_texts(next_year_items_pdf(2022).content))


def test_the_loaded_issues_are_the_seeds(toyama):
    assert toyama.counts["個別課題"] == 2
    issues = ExpectedIssue.objects.order_by("fiscal_year", "order")
    assert [(i.fiscal_year, i.order, i.title) for i in issues] == [
        (2022, 1, "新型コロナウイルス対策"),
        (2022, 2, "公共施設のあり方"),
    ]
    assert issues.first().history.count() == 1


# ------------------------------------------------------------------------------------------
# The service and the admin


def test_an_order_or_title_taken_in_the_year_is_refused_and_nothing_is_written(toyama):
    before = list(ExpectedIssue.objects.values_list("pk", "fiscal_year", "order", "title"))
    with pytest.raises(ValidationError) as error:
        expected_issue_save(expected_issue=ExpectedIssue(fiscal_year=2022, order=1, title="人口減少対策"))
    assert error.value.messages == ["令和4年度には順序「1」の個別課題が既にあります。別の順序にしてください。"]
    with pytest.raises(ValidationError) as error:
        expected_issue_save(expected_issue=ExpectedIssue(fiscal_year=2022, order=3, title="公共施設のあり方"))
    assert error.value.messages == ["令和4年度には個別課題「公共施設のあり方」が既にあります。"]
    with pytest.raises(ValidationError) as error:
        expected_issue_save(expected_issue=ExpectedIssue(fiscal_year=2022, order=3, title="人口減少対策など"))
    assert error.value.message_dict == {
        "title": ["「、」や「など」は付けずに入力してください（印刷時に自動で付きます）。"]
    }
    assert list(ExpectedIssue.objects.values_list("pk", "fiscal_year", "order", "title")) == before
    # The same order and title in another year are that year's own.
    expected_issue_save(expected_issue=ExpectedIssue(fiscal_year=2023, order=1, title="公共施設のあり方"))


@pytest.fixture
def secretariat(client, toyama):
    groups = roles.ensure_role_groups()
    user = get_user_model().objects.create_user("issue-secretariat", is_staff=True)
    user.groups.add(groups[roles.Role.SECRETARIAT])
    client.force_login(user)
    return client


def _change(client, issue, **changes):
    path = reverse("admin:projects_expectedissue_change", args=[issue.pk])
    token = client.get(path).context["adminform"].form[TOKEN_FIELD].value()
    data = {"fiscal_year": issue.fiscal_year, "order": issue.order, "title": issue.title, TOKEN_FIELD: token}
    return client.post(path, data | changes)


def test_the_admin_lists_issues_by_year_with_reiwa_labels(secretariat):
    expected_issue_save(expected_issue=ExpectedIssue(fiscal_year=2023, order=1, title="人口減少対策"))
    listed = secretariat.get(reverse("admin:projects_expectedissue_changelist"))
    assert listed.status_code == 200
    page = listed.text
    assert "令和5年度" in page and "令和4年度" in page
    assert page.index("人口減少対策") < page.index("新型コロナウイルス対策") < page.index("公共施設のあり方")
    only_2022 = secretariat.get(reverse("admin:projects_expectedissue_changelist"), {"fiscal_year": "2022"})
    assert "新型コロナウイルス対策" in only_2022.text and "人口減少対策" not in only_2022.text
    for bad in ("R4", "²", "9" * 30):  # lists nothing, never a 500
        response = secretariat.get(reverse("admin:projects_expectedissue_changelist"), {"fiscal_year": bad})
        assert response.status_code == 200 and "公共施設のあり方" not in response.text, bad
        add = secretariat.get(reverse("admin:projects_expectedissue_add"), {"fiscal_year": bad})
        assert add.status_code == 200, bad
    # A new issue starts in the listed year, after its last one.
    add = secretariat.get(reverse("admin:projects_expectedissue_add"), {"_changelist_filters": "fiscal_year=2022"})
    form = add.context["adminform"].form
    assert (form.initial["fiscal_year"], form.initial["order"]) == (2022, 3)


def test_an_edit_in_the_admin_changes_the_printed_document(secretariat):
    path = reverse("projects:proposals_pdf", args=[2022])
    before = secretariat.get(path)
    assert before.status_code == 200
    assert (
        "公共施設のあり方など"
        in page_texts(b"".join(before.streaming_content) if before.streaming else before.content)[0]
    )
    again = secretariat.get(path)
    assert again["ETag"] == before["ETag"]  # served from the cache while nothing changed

    version = data_version.current()
    issue = ExpectedIssue.objects.get(fiscal_year=2022, title="公共施設のあり方")
    response = _change(secretariat, issue, title="公共施設の最適化")
    assert response.status_code == 302, response.text[:2000]
    assert data_version.current() != version  # a projects model: its saves replace the version

    after = secretariat.get(path)
    text = page_texts(b"".join(after.streaming_content) if after.streaming else after.content)[0]
    assert after["ETag"] != before["ETag"]
    assert text.endswith("新型コロナウイルス対策、公共施設の最適化など1/2")
    assert issue.history.count() == 2


def test_a_duplicate_order_in_the_admin_shows_the_japanese_error_and_changes_nothing(secretariat):
    issue = ExpectedIssue.objects.get(fiscal_year=2022, title="公共施設のあり方")
    response = _change(secretariat, issue, order=1)
    assert response.status_code == 200
    assert "令和4年度には順序「1」の個別課題が既にあります。" in response.text
    issue.refresh_from_db()
    assert issue.order == 2


def test_the_public_gets_section_two_too(client, toyama):
    response = client.get(reverse("projects:proposals_pdf", args=[2022]))
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    assert page_texts(content)[0].endswith("新型コロナウイルス対策、公共施設のあり方など1/2")


def test_division_staff_see_the_issues_but_cannot_change_them(client, toyama):
    groups = roles.ensure_role_groups()
    user = get_user_model().objects.create_user("issue-division", is_staff=True)
    user.groups.add(groups[roles.Role.DIVISION])
    client.force_login(user)
    issue = ExpectedIssue.objects.get(fiscal_year=2022, order=1)
    path = reverse("admin:projects_expectedissue_change", args=[issue.pk])
    assert client.get(path).status_code == 200  # read-only
    data = {"fiscal_year": 2022, "order": 1, "title": "書き換えた課題"}
    assert client.post(path, data).status_code == 403
    assert client.get(reverse("admin:projects_expectedissue_add")).status_code == 403
    issue.refresh_from_db()
    assert issue.title == "新型コロナウイルス対策"
