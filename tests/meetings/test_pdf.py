"""The meeting documents, read back from the PDF."""

import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfWriter

from meetings import documents
from meetings.models import Attendance, Handout, Meeting
from meetings.packet import packet_parts, packet_pdf
from meetings.selectors import meeting_detail
from onechoice.services import record_save
from tests.pdf_reading import fonts, outline_titles, page_sizes, page_texts, reader, text

A4_PORTRAIT, A4_LANDSCAPE = (595, 842), (842, 595)


@pytest.fixture
def meeting(toyama):
    return meeting_detail(Meeting.objects.get(fiscal_year=2021, number=4).pk)


def test_agenda(meeting):
    pdf = documents.agenda_pdf(meeting).content
    body = text(pdf)
    assert page_sizes(pdf) == [A4_PORTRAIT]
    for expected in [
        "「ワンチームとやま」連携推進本部会議",
        "令和4年1月20日（木）",
        "午後3時～4時30分",
        "県民会館8階バンケットホール",
        "1開会",
        "2知事あいさつ",
        "3議事",
        "(1)令和3年度連携推進項目について",
        "(5)その他",
        "4閉会",
        "配付資料",
        "資料4新型コロナワクチンの追加接種の前倒しについて",
        "参考資料2若手職員地域課題解決フィールドワーク研修について（経営管理部）",
    ]:
        assert expected in body, expected


def test_attendee_list_groups_counts_and_order(meeting):
    pdf = documents.attendees_pdf(meeting).content
    body = text(pdf)
    assert page_sizes(pdf) == [A4_PORTRAIT]  # 34 names on one page, as the secretariat prints it
    assert "1.市町村等（17名）" in body and "2.県（17名）" in body
    assert body.index("富山市長藤井裕久") < body.index("朝日町長笹原靖直") < body.index("知事新田八朗")


def test_proxy_wording_absentees_and_registry_kanji(meeting):
    toyama_mayor = Attendance.objects.get(meeting=meeting, protocol_order=1)
    toyama_mayor.status, toyama_mayor.proxy_title, toyama_mayor.proxy_name = "proxy", "副市長", "髙﨑 德"
    record_save(toyama_mayor)
    asahi = Attendance.objects.get(meeting=meeting, protocol_order=15)
    asahi.status = "absent"
    record_save(asahi)
    takaoka = Attendance.objects.get(meeting=meeting, protocol_order=2)
    takaoka.name = "𠮷田 太郎"
    record_save(takaoka)

    pdf = documents.attendees_pdf(meeting_detail(meeting.pk)).content
    body = text(pdf)
    assert "富山市長副市長髙﨑德（代理）" in body
    assert "𠮷田太郎" in body
    assert "1.市町村等（16名）" in body
    assert "欠席：朝日町長" in body
    embedded = fonts(pdf)
    assert embedded and all(f["embedded"] for f in embedded.values())
    assert all(re.match(r"^/[A-Z]{6}\+", name) for name in embedded), list(embedded)  # subset
    # 𠮷 (U+20BB7) is not in BIZ UDPGothic: it is drawn from the shipped fallback face, not a box.
    fallback = [f for name, f in embedded.items() if "OC-Fallback" in name]
    assert fallback and b"d842dfb7" in fallback[0]["to_unicode"].lower()
    main = [f for name, f in embedded.items() if name.endswith("+OC-Gothic")]
    assert any(b"9ad9" in f["to_unicode"].lower() for f in main)  # 髙 from the main font


def test_schedule(toyama):
    pdf = documents.schedule_pdf(2022).content
    body = text(pdf)
    assert page_sizes(pdf) == [A4_PORTRAIT]
    assert "年間スケジュール（案）" in body
    assert body.index("令和2年度") < body.index("令和3年度") < body.index("令和4年度")
    assert "R4.5月中旬R4第1回本部会議の開催" in body
    assert "※新型コロナウイルス対策に関する臨時会議（WEB）" in body
    assert "第2回本部会議の開催（WEB）" in body


def test_same_records_give_the_same_bytes_without_rendering_again(meeting, monkeypatch):
    first = documents.agenda_pdf(meeting)
    from onechoice import pdf as engine_module

    def fail(html):
        raise AssertionError("rendered again")

    monkeypatch.setattr(engine_module.engine, "render", fail)
    again = documents.agenda_pdf(meeting_detail(meeting.pk))
    assert again.content == first.content and again.etag == first.etag


def test_a_change_to_the_records_changes_the_document(meeting):
    before = documents.agenda_pdf(meeting)
    meeting.venue = "富山県民会館304号室"
    record_save(meeting)
    after = documents.agenda_pdf(meeting_detail(meeting.pk))
    assert after.etag != before.etag
    assert "富山県民会館304号室" in text(after.content)


def test_a_repeated_download_is_three_queries_and_sent_from_the_spool(client, meeting, monkeypatch):
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from meetings import packet
    from onechoice import pdf as engine_module
    from onechoice import spool

    path = f"/meetings/{meeting.pk}/packet.pdf"
    first = client.get(path)
    assert first.status_code == 200
    first_bytes = first.getvalue()
    etag = first["ETag"].strip('"')
    assert spool.path_of(etag).read_bytes() == first_bytes

    def fail(*args, **kwargs):
        raise AssertionError("built again")

    with monkeypatch.context() as patched:
        for target, name in ((engine_module.engine, "render"), (packet, "packet_parts"), (packet, "assemble")):
            patched.setattr(target, name, fail)
        patched.setattr(cache, "get", fail)  # the bytes come from the spool, not the shared cache
        with CaptureQueriesContext(connection) as queries:
            again = client.get(path)
        assert again.status_code == 200 and again.streaming  # a file, sent by the server's file wrapper
        assert again.getvalue() == first_bytes and again["ETag"] == first["ETag"]
    # may the visitor see it; the data version; which document was last built (one cache read)
    assert len(queries) == 3, [q["sql"][:80] for q in queries]

    # A server that has not spooled it yet (or lost its spool) reads the shared cache once.
    spool.path_of(etag).unlink()
    assert client.get(path).getvalue() == first_bytes
    assert spool.path_of(etag).read_bytes() == first_bytes

    agenda_item = meeting.agenda_items.all()[0]
    agenda_item.title = "開会（時間変更）"
    record_save(agenda_item)
    changed = client.get(path)
    assert changed["ETag"] != first["ETag"] and "開会（時間変更）" in text(changed.getvalue())


def test_a_cached_packet_for_staff_is_never_served_to_the_public(client, meeting, settings, tmp_path):
    from django.contrib.auth import get_user_model

    settings.MEDIA_ROOT = tmp_path
    handout = meeting.handouts.filter(document="").order_by("kind", "number").first()  # handed out on paper so far
    handout.file = SimpleUploadedFile("internal.pdf", _pdf_bytes(pages=2), content_type="application/pdf")
    handout.public, handout.in_packet = False, True
    record_save(handout)
    staff = type(client)()
    staff.force_login(get_user_model().objects.create_user("officer"))
    path = f"/meetings/{meeting.pk}/packet.pdf"
    staff_packet = staff.get(path).getvalue()
    public_packet = client.get(path).getvalue()
    assert handout.title in " ".join(outline_titles(staff_packet))
    assert handout.title not in " ".join(outline_titles(public_packet))
    assert len(reader(public_packet).pages) < len(reader(staff_packet).pages)


def test_download_names_etag_and_304(client, meeting):
    response = client.get(f"/meetings/{meeting.pk}/agenda.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert 'filename="onechoice_2021-4_agenda.pdf"' in disposition
    assert (
        "filename*=UTF-8''%E4%BB%A4%E5%92%8C3%E5%B9%B4%E5%BA%A6%E7%AC%AC4%E5%9B%9E_%E6%AC%A1%E7%AC%AC.pdf"
        in disposition
    )
    etag = response["ETag"]
    again = client.get(f"/meetings/{meeting.pk}/agenda.pdf", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and not again.content


def test_schedule_page_and_pdf_urls(client, toyama):
    assert "R4.5月中旬" in client.get("/meetings/schedule/2022/").text
    response = client.get("/meetings/schedule/2022.pdf")
    assert response.status_code == 200 and response.getvalue().startswith(b"%PDF")
    assert client.get("/meetings/999999/agenda.pdf").status_code == 404


def _pdf_bytes(pages=1, password=None) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(595, 842)
    if password:
        writer.encrypt(password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"%PDF-1.7 this is not really a PDF", "PDFとして読めないファイルです"),
        (b"PK\x03\x04 a zip file", "PDFとして読めないファイルです"),
        (_pdf_bytes(password="secret"), "パスワードで保護（暗号化）されたPDF"),
    ],
    ids=["broken", "zip", "encrypted"],
)
def test_bad_uploads_are_refused_at_upload(meeting, settings, tmp_path, content, message):
    settings.MEDIA_ROOT = tmp_path
    handout = Handout(
        meeting=meeting, kind="reference", number=9, title="資料", file=SimpleUploadedFile("x.pdf", content)
    )
    with pytest.raises(ValidationError) as error:
        record_save(handout)
    assert message in error.value.message_dict["file"][0]
    assert not Handout.objects.filter(number=9).exists()


def test_the_meeting_packet(meeting, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    covid = meeting.handouts.get(kind="material", number=4)
    covid.file = SimpleUploadedFile("covid.pdf", _pdf_bytes(pages=2))
    record_save(covid)
    skipped = meeting.handouts.get(kind="reference", number=2)
    skipped.in_packet = False
    record_save(skipped)

    pdf = packet_pdf(meeting_detail(meeting.pk)).content
    pages = page_texts(pdf)
    total = len(pages)
    assert outline_titles(pdf) == [
        "次第",
        "出席者名簿",
        "配席図",
        "資料1 令和3年度連携推進項目の取り組み状況について",
        "資料2 令和4年度「ワンチームとやま」連携推進本部会議における協議事項について",
        "資料3 令和4年度本部会議年間スケジュール",
        "資料4 新型コロナワクチンの追加接種の前倒しについて",
    ]  # 参考資料1 has neither file nor generated document; 参考資料2 is not in the packet
    for number, page in enumerate(pages, start=1):
        assert f"{number}/{total}" in page, number  # page numbers run through the packet
    assert "次第" in pages[0] and "資料" not in pages[0].split("配付資料")[0]
    assert pages[-1].startswith("資料4") or "資料4" in pages[-1]
    assert pages[-2].startswith("資料4") or "資料4" in pages[-2]  # both uploaded pages stamped
    # Positions of numbers and stamps on every page: tests/meetings/test_packet_layout.py.
    sizes = page_sizes(pdf)
    assert A4_LANDSCAPE in sizes and A4_PORTRAIT in sizes  # seating chart and WG table
    assert all(f["embedded"] for f in fonts(pdf).values())
    parts = packet_parts(meeting_detail(meeting.pk))
    assert total == sum(len(reader(part.content).pages) for part in parts)  # every part's pages, once
