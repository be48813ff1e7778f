"""The material loop in Chromium (資料提出): the secretariat asks 経営管理部 for 参考資料2 of the
FY R4 1st meeting on the meeting's admin page; a 経営管理部 user uploads the PDF at
/meetings/<id>/materials/ (no JavaScript needed: a plain form); the secretariat accepts it on
the board; the packet then holds the submitted page stamped 参考資料2 inside the page box.
Screenshots of the materials page at 1366×768 and 390 px go to build/screenshots/."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

from meetings.models import Handout, MailKind, MaterialRequest, MaterialState, Meeting, SentMail
from onechoice import roles
from onechoice.models import Affiliation, Division, Organization
from onechoice.services import affiliation_save
from tests import pdf_reading

from .helpers import log_in, record_csp_violations

pytestmark = pytest.mark.browser

UPLOAD_TEXT = "Fieldwork training outline FY2022"
TITLE = "若手職員地域課題解決フィールドワーク研修について"
PASSWORD = "keiei-password-1"
DESK = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


def text_pdf(text: str) -> bytes:
    writer = PdfWriter()
    page = writer.add_blank_page(595, 842)
    font = writer._add_object(
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject("/Helvetica"),
            }
        )
    )
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})}
    )
    content = DecodedStreamObject()
    content.set_data(f"BT /F1 16 Tf 72 700 Td ({text}) Tj ET".encode())
    page[NameObject("/Contents")] = writer._add_object(content)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture
def keiei_user(toyama_live):
    """A user of 経営管理部 (市町村支援課) with a password, to log in as a person does."""
    user = get_user_model().objects.create_user(
        "keiei", password=PASSWORD, email="keiei@pref.toyama.example", last_name="市町村支援課", first_name="三郎"
    )
    user.is_staff = True
    user.save()
    user.groups.add(roles.ensure_role_groups()[roles.Role.DIVISION])
    affiliation_save(
        affiliation=Affiliation(user=user, organization=Organization.objects.get(kind="prefecture")),
        divisions=list(Division.objects.filter(name="市町村支援課")),
    )
    return user


def test_a_department_uploads_the_secretariat_accepts_and_the_packet_holds_it_stamped(
    chromium, live_server, toyama_live, keiei_user, settings, tmp_path, screenshots_dir
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MEDIA_ROOT = tmp_path / "media"
    meeting = Meeting.objects.get(fiscal_year=2022, kind="regular", number=1)
    contexts = []

    def tab():
        context = chromium.new_context(base_url=live_server.url, locale="ja-JP", viewport=DESK)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    secretariat, officer = tab(), tab()
    try:
        _the_loop(meeting, secretariat, officer, tmp_path, screenshots_dir)
    finally:  # closed before the live server stops: no request thread is left behind
        for context in contexts:
            context.close()


def _the_loop(meeting, secretariat, officer, tmp_path, screenshots_dir):
    csp_violations = [record_csp_violations(secretariat), record_csp_violations(officer)]
    change_url = reverse("admin:meetings_meeting_change", args=[meeting.pk])
    materials_url = reverse("meetings:materials", args=[meeting.pk])

    # The secretariat asks 経営管理部 for 参考資料2, from the meeting's page.
    log_in(secretariat, "secretariat")
    secretariat.goto(change_url)
    with secretariat.expect_navigation():
        secretariat.locator("#material-board").get_by_role("link", name="資料の提出を依頼").click()
    secretariat.get_by_label("種別").select_option(label="参考資料")
    secretariat.get_by_label("番号").fill("2")
    secretariat.get_by_label("資料名").fill(TITLE)
    secretariat.get_by_label("依頼先の部局").select_option(label="経営管理部")
    deadline = dt.date.today() + dt.timedelta(days=10)
    secretariat.get_by_label("提出期限").fill(deadline.isoformat())
    secretariat.get_by_label("依頼文").fill("研修の概要をPDFでお送りください。")
    with secretariat.expect_navigation():
        secretariat.get_by_role("button", name="依頼してメールを送る").click()
    assert "参考資料2「若手職員地域課題解決フィールドワーク研修について」の提出を経営管理部に依頼しました" in (
        secretariat.locator(".messagelist").inner_text()
    )
    board = secretariat.locator("#material-board")
    assert "依頼中" in board.locator("tr", has_text="参考資料2").inner_text()
    slot = MaterialRequest.objects.get(handout__meeting=meeting)
    assert SentMail.objects.get(kind=MailKind.MATERIAL_REQUEST).to == "keiei@pref.toyama.example"

    # 経営管理部 uploads the PDF on the portal.
    log_in(officer, "keiei", PASSWORD)
    officer.goto(materials_url)
    card = officer.locator(f"#material-{slot.pk}")
    assert "依頼中" in card.inner_text() and "研修の概要をPDFでお送りください。" in card.inner_text()
    officer.screenshot(path=screenshots_dir / "materials-1366.png", full_page=True)
    officer.set_viewport_size(PHONE)
    officer.screenshot(path=screenshots_dir / "materials-390-requested.png", full_page=True)
    sideways = officer.evaluate("() => document.documentElement.scrollWidth > window.innerWidth")
    assert not sideways, "the materials page scrolls sideways at 390 px"
    officer.set_viewport_size(DESK)
    card.get_by_label("PDFファイル").set_input_files(
        {"name": "フィールドワーク研修.pdf", "mimeType": "application/pdf", "buffer": text_pdf(UPLOAD_TEXT)}
    )
    with officer.expect_navigation():
        card.get_by_role("button", name="提出する").click()
    assert "を提出しました" in officer.locator(".notice").inner_text()
    card = officer.locator(f"#material-{slot.pk}")
    assert "提出済" in card.inner_text() and "差し替える" in card.inner_text()
    officer.set_viewport_size(PHONE)
    officer.screenshot(path=screenshots_dir / "materials-390.png", full_page=True)
    officer.set_viewport_size(DESK)
    slot.refresh_from_db()
    assert slot.state == MaterialState.SUBMITTED and slot.submitted_by.username == "keiei"

    # The secretariat accepts it on the board.
    secretariat.reload()  # the page it was left on, the request just opened
    row = secretariat.locator("#material-board tr", has_text="参考資料2")
    assert "提出済" in row.inner_text() and "市町村支援課 三郎" in row.inner_text()
    secretariat.locator("#material-board").screenshot(path=screenshots_dir / "material-board-submitted-1366.png")
    with secretariat.expect_navigation():
        row.get_by_role("button", name="確定").click()
    assert "を確定しました" in secretariat.locator(".messagelist").inner_text()
    assert "確定 1 / 1" in secretariat.locator("#material-board").inner_text()
    secretariat.locator("#material-board").screenshot(path=screenshots_dir / "material-board-1366.png")
    slot.refresh_from_db()
    assert slot.state == MaterialState.ACCEPTED
    assert Handout.objects.get(pk=slot.handout_id).file

    # The officer sees it accepted, with no upload form left; the packet holds it stamped.
    officer.goto(materials_url)
    card = officer.locator(f"#material-{slot.pk}")
    assert "確定" in card.inner_text() and card.locator("input[type=file]").count() == 0
    response = secretariat.request.get(f"/meetings/{meeting.pk}/packet.pdf")
    assert response.status == 200
    content = response.body()
    assert pdf_reading.outline_titles(content)[-1] == f"参考資料2 {TITLE}"
    laid_out = pdf_reading.words(content)
    last = max(w.page for w in laid_out)
    page = [w for w in laid_out if w.page == last]
    assert " ".join(w.text for w in page if w.text in UPLOAD_TEXT.split()) == UPLOAD_TEXT
    stamp = max((w for w in page if w.text == "参考資料2"), key=lambda w: w.x1)
    assert stamp.inside_page(), stamp
    assert stamp.x0 > stamp.page_width * 0.75 and stamp.y1 < stamp.page_height * 0.1, stamp
    assert csp_violations == [[], []]
