"""Material submissions (資料提出) on the real Toyama records: the secretariat asks 経営管理部
(or a municipality) for a handout slot of a meeting; the department's users upload the PDF at
/meetings/<id>/materials/, may replace it until it is accepted; the secretariat accepts it on
the meeting's admin page (the file becomes the handout's, bound and stamped in the packet) or
returns it with a comment. Mail goes out after the commit (locmem here; a real SMTP server on
loopback at the end of the module)."""

from __future__ import annotations

import datetime as dt
import io
import zlib
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core import mail as outbox
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject, TextStringObject

from meetings import packet, selectors, services
from meetings.models import Handout, MailKind, MailResult, MaterialRequest, MaterialState, Meeting, SentMail
from onechoice import jpdates, roles
from onechoice.concurrency import version_token
from onechoice.models import Affiliation, Department, Division, Organization
from onechoice.services import affiliation_save
from tests.meetings.test_mail import _messages, smtp_server  # noqa: F401  (fixture)
from tests.pdf_reading import outline_titles, page_texts, squash, words

TODAY = timezone.localdate()
DEADLINE = TODAY + dt.timedelta(days=10)
UPLOAD_TEXT = "Fieldwork training report 2022"
SLOT_TITLE = "若手職員地域課題解決フィールドワーク研修について"


@pytest.fixture(autouse=True)
def _locmem(settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PORTAL_URL = "https://portal.example.jp"
    settings.MEDIA_ROOT = tmp_path / "media"


# -- PDFs built here (no binary blob is committed) ---------------------------------------------


def _text_page(writer: PdfWriter, text: str, width=595, height=842):
    page = writer.add_blank_page(width, height)
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
    return page


def _bytes(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def text_pdf(text: str = UPLOAD_TEXT) -> bytes:
    writer = PdfWriter()
    _text_page(writer, text)
    return _bytes(writer)


def script_pdf() -> bytes:
    """A page of text with document JavaScript run on opening (/OpenAction)."""
    writer = PdfWriter()
    _text_page(writer, UPLOAD_TEXT)
    script = DictionaryObject(
        {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert('open')")}
    )
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(script)
    return _bytes(writer)


def encrypted_pdf() -> bytes:
    writer = PdfWriter()
    _text_page(writer, UPLOAD_TEXT)
    writer.encrypt(user_password="secret", owner_password="owner")
    return _bytes(writer)


def bomb_pdf(decoded_size: int = 80_000_000) -> bytes:
    """One page whose content stream is a few kilobytes, ``decoded_size`` decompressed."""
    writer = PdfWriter()
    page = _text_page(writer, "bomb")
    stream = DecodedStreamObject()
    stream.set_data(zlib.compress(b" " * decoded_size, 9))
    stream[NameObject("/Filter")] = NameObject("/FlateDecode")
    page[NameObject("/Contents")] = writer._add_object(stream)
    return _bytes(writer)


def upload(content: bytes, name: str = "資料.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


# -- the people and the meeting ------------------------------------------------------------------


@pytest.fixture
def world(toyama):
    groups = roles.ensure_role_groups()
    User = get_user_model()
    prefecture = Organization.objects.get(kind="prefecture")

    def user(username, role, organization, divisions=(), email=None, **fields):
        u = User.objects.create_user(
            username, email=f"{username}@example.jp" if email is None else email, first_name="担当", **fields
        )
        u.groups.add(groups[role])
        affiliation_save(affiliation=Affiliation(user=u, organization=organization), divisions=list(divisions))
        return u

    users = {
        "keiei": user(
            "keiei",
            roles.Role.DIVISION,
            prefecture,
            Division.objects.filter(name="市町村支援課"),
            last_name="市町村支援課",
            is_staff=True,
        ),  # fmt: skip
        "keiei2": user(
            "keiei2",
            roles.Role.DIVISION,
            prefecture,
            Division.objects.filter(name="人事課"),
            last_name="人事課",
            is_staff=True,
        ),  # fmt: skip
        "kosei": user(
            "kosei",
            roles.Role.DIVISION,
            prefecture,
            Division.objects.filter(name="健康課"),
            last_name="健康課",
            is_staff=True,
        ),  # fmt: skip
        "toyama": user("toyama-officer", roles.Role.MUNICIPAL, Organization.objects.get(lg_code="162019")),
        "takaoka": user("takaoka-officer", roles.Role.MUNICIPAL, Organization.objects.get(lg_code="162027")),
    }
    secretariat = User.objects.create_user("sec", is_staff=True, email="sec@pref.toyama.example", last_name="事務局")
    secretariat.groups.add(groups[roles.Role.SECRETARIAT])
    users["secretariat"] = secretariat
    return {
        "meeting": Meeting.objects.get(fiscal_year=2022, kind="regular", number=1),  # published, 5月中旬（予定）
        "keieikanri": Department.objects.get(name="経営管理部"),
        "users": users,
    }


def open_slot(world, django_capture_on_commit_callbacks, **changes) -> MaterialRequest:
    fields = {
        "meeting": world["meeting"],
        "kind": "reference",
        "number": 2,
        "title": SLOT_TITLE,
        "department": world["keieikanri"],
        "deadline": DEADLINE,
        "message": "令和4年度の研修の概要（A4・2ページ程度）をお願いします。",
        "user": world["users"]["secretariat"],
    } | changes
    with django_capture_on_commit_callbacks(execute=True):
        return services.material_request_open(**fields)


@pytest.fixture
def slot(world, django_capture_on_commit_callbacks) -> MaterialRequest:
    return open_slot(world, django_capture_on_commit_callbacks)


def page_url(world) -> str:
    return reverse("meetings:materials", args=[world["meeting"].pk])


def logged_in(world, who) -> Client:
    client = Client()
    client.force_login(world["users"][who])
    return client


def token_on_page(client, world, slot) -> str:
    page = client.get(page_url(world))
    assert page.status_code == 200
    ((_slot, form, _errors),) = [row for row in page.context["rows"] if row[0].pk == slot.pk]
    return form.initial["version_token"]


def post_file(client, world, slot, content: bytes, token=None, name="資料.pdf"):
    token = token_on_page(client, world, slot) if token is None else token
    return client.post(page_url(world), {"slot": slot.pk, "version_token": token, "file": upload(content, name)})


def submitted(world, slot, who="keiei", content: bytes | None = None) -> MaterialRequest:
    return services.material_submit(
        material_request=slot,
        file=upload(content or text_pdf()),
        user=world["users"][who],
        version=version_token(MaterialRequest.objects.get(pk=slot.pk)),
    )


# -- asking for a material -----------------------------------------------------------------------


def test_the_secretariat_asks_a_department_and_its_users_get_the_mail(world, slot):
    handout = slot.handout
    assert (handout.meeting, handout.label, handout.title, handout.department) == (
        world["meeting"],
        "参考資料2",
        SLOT_TITLE,
        world["keieikanri"],
    )
    assert not handout.file and handout.in_packet
    assert (slot.state, slot.deadline, slot.asked_of) == (MaterialState.REQUESTED, DEADLINE, "経営管理部")
    assert slot.requested_by == world["users"]["secretariat"] and slot.requested_at is not None
    assert slot.history.count() == 1  # history kept from the start
    (message,) = outbox.outbox
    assert sorted(message.to) == ["keiei2@example.jp", "keiei@example.jp"]  # 経営管理部's divisions, not 厚生部
    assert message.subject == (
        f"【資料提出のお願い】{world['meeting']} 参考資料2 {SLOT_TITLE}（提出期限 {jpdates.format_date(DEADLINE)}）"
    )
    assert "経営管理部 ご担当者様" in message.body and "A4・2ページ程度" in message.body
    assert f"https://portal.example.jp/meetings/{world['meeting'].pk}/materials/" in message.body
    record = SentMail.objects.get(kind=MailKind.MATERIAL_REQUEST)
    assert record.result == MailResult.SENT and record.subject == message.subject


def test_the_next_free_number_is_taken_and_an_organisation_may_be_asked(world, django_capture_on_commit_callbacks):
    first = open_slot(world, django_capture_on_commit_callbacks, number=None, kind="material")
    toyama_city = Organization.objects.get(lg_code="162019")
    second = open_slot(
        world,
        django_capture_on_commit_callbacks,
        number=None,
        kind="material",
        department=None,
        organization=toyama_city,
    )
    assert (first.handout.label, second.handout.label) == ("資料1", "資料2")
    assert second.asked_of == "富山市" and second.handout.department is None
    assert [m.to for m in outbox.outbox] == [
        sorted(["keiei@example.jp", "keiei2@example.jp"]),
        ["toyama-officer@example.jp"],
    ]


def test_a_listed_handout_without_a_file_becomes_the_slot(world, django_capture_on_commit_callbacks):
    listed = services.handout_save(handout=Handout(meeting=world["meeting"], kind="reference", number=2, title="仮題"))
    slot = open_slot(world, django_capture_on_commit_callbacks)
    assert slot.handout.pk == listed.pk and Handout.objects.get(pk=listed.pk).title == SLOT_TITLE


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"organization": "toyama"}, "department", "依頼先は、部局か団体のどちらか一方を選んでください。"),
        ({"department": None}, "department", "依頼先は、部局か団体のどちらか一方を選んでください。"),
        (
            {"deadline": TODAY - dt.timedelta(days=1)},
            "deadline",
            "提出期限が過ぎています。今日以降の日付にしてください。",
        ),
        ({"title": " "}, "title", "このフィールドは空ではいけません。"),
        ({"number": 1, "kind": "material"}, "number", "既にPDFファイル（または自動作成する資料）があります"),
    ],
)
def test_a_bad_request_is_refused_in_japanese_and_writes_nothing(
    world, django_capture_on_commit_callbacks, changes, field, message
):
    services.handout_save(
        handout=Handout(meeting=world["meeting"], kind="material", number=1, title="WG開催状況", document="wg_status")
    )
    if changes.get("organization") == "toyama":
        changes["organization"] = Organization.objects.get(lg_code="162019")
    handouts = Handout.objects.count()
    with pytest.raises(ValidationError) as error:
        open_slot(world, django_capture_on_commit_callbacks, **changes)
    assert any(message in text for text in error.value.message_dict[field]), error.value.message_dict
    assert Handout.objects.count() == handouts and not MaterialRequest.objects.exists() and not outbox.outbox


def test_a_deadline_after_the_meeting_is_refused(world, django_capture_on_commit_callbacks):
    meeting = world["meeting"]
    meeting.date, meeting.planned_year, meeting.planned_month, meeting.planned_period = DEADLINE, None, None, ""
    Meeting.objects.filter(pk=meeting.pk).update(
        date=DEADLINE, planned_year=None, planned_month=None, planned_period=""
    )
    with pytest.raises(ValidationError) as error:
        open_slot(world, django_capture_on_commit_callbacks, deadline=DEADLINE + dt.timedelta(days=1))
    assert error.value.message_dict["deadline"] == [
        f"提出期限は開催日（{jpdates.format_date(DEADLINE)}）以前にしてください。"
    ]


def test_the_same_slot_cannot_be_asked_twice_and_only_the_secretariat_asks(
    world, slot, django_capture_on_commit_callbacks
):
    with pytest.raises(ValidationError, match="「参考資料2」の提出は既に依頼しています。"):
        open_slot(world, django_capture_on_commit_callbacks)
    with pytest.raises(ValidationError, match="資料の提出を依頼できるのは事務局だけです。"):
        open_slot(world, django_capture_on_commit_callbacks, number=3, user=world["users"]["keiei"])
    assert MaterialRequest.objects.count() == 1


def test_nobody_with_an_address_to_ask_is_recorded_as_a_failure(world, django_capture_on_commit_callbacks):
    commerce = Department.objects.get(name="商工労働部")  # no division, no user
    open_slot(world, django_capture_on_commit_callbacks, department=commerce)
    record = SentMail.objects.get(kind=MailKind.MATERIAL_REQUEST)
    assert record.result == MailResult.FAILED and "宛先がありません" in record.error and not outbox.outbox


# -- the materials page: who sees what ------------------------------------------------------------


def test_the_asked_department_sees_its_slot_with_an_upload_form(world, slot):
    page = logged_in(world, "keiei").get(page_url(world))
    assert page.status_code == 200
    text = page.content.decode()
    assert "参考資料2" in text and SLOT_TITLE in text and "依頼中" in text and "経営管理部" in text
    assert jpdates.format_date(DEADLINE) in text and "A4・2ページ程度" in text
    assert 'enctype="multipart/form-data"' in text and 'type="file"' in text and "提出する" in text


@pytest.mark.parametrize("who", ["kosei", "toyama", "public"])
def test_anybody_else_gets_404_on_the_page_and_on_posts(world, slot, who):
    client = Client() if who == "public" else logged_in(world, who)
    url = page_url(world)
    assert client.get(url).status_code == 404
    response = client.post(url, {"slot": slot.pk, "version_token": "", "file": upload(text_pdf())})
    assert response.status_code == 404
    file_url = reverse("meetings:material_file", args=[world["meeting"].pk, slot.pk])
    assert client.get(file_url).status_code == 404
    slot.refresh_from_db()
    assert slot.state == MaterialState.REQUESTED and not slot.file


def test_a_missing_meeting_and_another_meetings_slot_answer_404(world, slot):
    keiei = logged_in(world, "keiei")
    assert keiei.get(reverse("meetings:materials", args=[987654])).status_code == 404
    other = Meeting.objects.get(fiscal_year=2022, kind="regular", number=2)
    assert keiei.get(reverse("meetings:materials", args=[other.pk])).status_code == 404  # nothing asked there
    submitted(world, slot)
    assert keiei.get(reverse("meetings:material_file", args=[other.pk, slot.pk])).status_code == 404


def test_an_organisations_slot_is_for_its_officers_only(world, django_capture_on_commit_callbacks):
    toyama_city = Organization.objects.get(lg_code="162019")
    slot = open_slot(world, django_capture_on_commit_callbacks, department=None, organization=toyama_city)
    assert logged_in(world, "toyama").get(page_url(world)).status_code == 200
    assert logged_in(world, "takaoka").get(page_url(world)).status_code == 404
    assert logged_in(world, "keiei").get(page_url(world)).status_code == 404
    response = post_file(logged_in(world, "toyama"), world, slot, text_pdf())
    assert response.status_code == 302
    assert MaterialRequest.objects.get(pk=slot.pk).submitted_by == world["users"]["toyama"]


def test_the_secretariat_sees_every_slot_read_only(world, slot, django_capture_on_commit_callbacks):
    toyama_city = Organization.objects.get(lg_code="162019")
    open_slot(world, django_capture_on_commit_callbacks, number=3, department=None, organization=toyama_city)
    client = logged_in(world, "secretariat")
    page = client.get(page_url(world))
    assert page.status_code == 200
    assert [row[0].handout.label for row in page.context["rows"]] == ["参考資料2", "参考資料3"]
    assert all(form is None for _slot, form, _errors in page.context["rows"])  # accepts on the admin page
    assert "会議の管理画面" in page.content.decode()
    refused = client.post(page_url(world), {"slot": slot.pk, "version_token": "", "file": upload(text_pdf())})
    assert refused.status_code == 404
    empty = Meeting.objects.get(fiscal_year=2022, kind="regular", number=2)
    assert "提出を依頼している資料はありません" in client.get(reverse("meetings:materials", args=[empty.pk])).text


def test_the_page_reads_its_slots_in_a_fixed_number_of_queries(world, django_capture_on_commit_callbacks):
    open_slot(world, django_capture_on_commit_callbacks)
    user = world["users"]["keiei"]

    def counted():
        with CaptureQueriesContext(connection) as queries:
            parties = selectors.parties_of(user)
            slots = selectors.materials_for(world["meeting"].pk, user, parties=parties)
            [(s.handout.label, s.handout.meeting.name, s.asked_of, s.submitted_by) for s in slots]
        return len(slots), len(queries)

    one = counted()
    for number in (3, 4, 5):
        open_slot(world, django_capture_on_commit_callbacks, number=number)
    many = counted()
    assert (one[0], many[0]) == (1, 4) and one[1] == many[1] == 3  # parties, role, slots
    with CaptureQueriesContext(connection) as queries:
        board = selectors.material_board(world["meeting"].pk)
        [(s.handout.label, s.asked_of, s.is_late(), s.submitted_by, s.reviewed_by) for s in board.slots]
    assert len(queries) == 1 and len(board.slots) == 4


# -- submitting and replacing ---------------------------------------------------------------------


def test_a_division_user_uploads_and_the_file_is_stored_cleaned(world, slot, settings):
    client = logged_in(world, "keiei")
    response = post_file(client, world, slot, script_pdf())
    assert response.status_code == 302 and response["Location"].endswith(f"#material-{slot.pk}")
    slot.refresh_from_db()
    assert (slot.state, slot.submitted_by) == (MaterialState.SUBMITTED, world["users"]["keiei"])
    stored = slot.file.read()
    assert b"/JavaScript" not in stored and b"/OpenAction" not in stored and b"app.alert" not in stored
    assert page_texts(stored) == [squash(UPLOAD_TEXT)]
    assert slot.file.name.startswith(f"materials/{TODAY:%Y}/") and len(stored_files(Path(settings.MEDIA_ROOT))) == 1
    assert not Handout.objects.get(pk=slot.handout_id).file  # the handout's only once accepted
    page = client.get(page_url(world)).content.decode()
    assert "を提出しました" in page and "提出済" in page and "差し替える" in page
    download = client.get(reverse("meetings:material_file", args=[world["meeting"].pk, slot.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == stored
    assert "attachment" in download["Content-Disposition"]


@pytest.mark.parametrize(
    "content, message",
    [
        (encrypted_pdf(), "パスワードで保護（暗号化）されたPDFは資料一式に綴じられません。"),
        (bomb_pdf(), "展開すると大きすぎるため、資料一式に綴じられません。"),
        (b"PK\x03\x04 not a pdf", "PDFとして読めないファイルです"),
    ],
    ids=["encrypted", "decompression-bomb", "not-a-pdf"],
)
def test_a_hostile_file_is_refused_in_japanese_and_nothing_changes(world, slot, settings, content, message):
    client = logged_in(world, "keiei")
    response = post_file(client, world, slot, content)
    assert response.status_code == 400
    assert message in response.content.decode()
    stored = MaterialRequest.objects.get(pk=slot.pk)
    assert (stored.state, stored.file.name, stored.submitted_at) == (MaterialState.REQUESTED, "", None)
    assert stored.history.count() == 1 and not stored_files(Path(settings.MEDIA_ROOT))


def test_an_oversized_file_is_refused_from_its_size(world, slot, settings):
    settings.HANDOUT_MAX_BYTES = 64 * 1024
    response = post_file(logged_in(world, "keiei"), world, slot, text_pdf() + b"%" * (65 * 1024))
    assert response.status_code == 400
    assert "ファイルが大きすぎます（" in response.content.decode() and "PDFは64KBまでです" in response.content.decode()
    assert MaterialRequest.objects.get(pk=slot.pk).state == MaterialState.REQUESTED
    assert not stored_files(Path(settings.MEDIA_ROOT))


def test_a_post_without_a_file_or_a_token_is_refused(world, slot):
    client = logged_in(world, "keiei")
    empty = client.post(page_url(world), {"slot": slot.pk, "version_token": token_on_page(client, world, slot)})
    assert empty.status_code == 400 and "提出するPDFファイルを選んでください。" in empty.content.decode()
    no_token = post_file(client, world, slot, text_pdf(), token="")
    assert no_token.status_code == 400 and "確かめられない" in no_token.content.decode()
    assert MaterialRequest.objects.get(pk=slot.pk).state == MaterialState.REQUESTED


def test_two_officers_replacing_at_once_cannot_overwrite_each_other_silently(world, slot):
    first, second = logged_in(world, "keiei"), logged_in(world, "keiei2")
    token_first, token_second = token_on_page(first, world, slot), token_on_page(second, world, slot)
    assert post_file(first, world, slot, text_pdf("First officer file"), token_first).status_code == 302
    refused = post_file(second, world, slot, text_pdf("Second officer file"), token_second)
    assert refused.status_code == 400 and "ほかの人がこの記録を変更しました" in refused.content.decode()
    stored = MaterialRequest.objects.get(pk=slot.pk)
    assert page_texts(stored.file.read()) == [squash("First officer file")]
    # Seen the first one: the second replaces it knowingly.
    assert post_file(second, world, slot, text_pdf("Second officer file")).status_code == 302
    stored.refresh_from_db()
    assert page_texts(stored.file.read()) == [squash("Second officer file")]
    assert stored.submitted_by == world["users"]["keiei2"] and stored.history.count() == 3


def test_after_acceptance_the_file_cannot_be_replaced(world, slot):
    submitted(world, slot)
    accepted = services.material_accept(material_request=slot, user=world["users"]["secretariat"])
    client = logged_in(world, "keiei")
    page = client.get(page_url(world)).content.decode()
    assert "確定" in page and 'type="file"' not in page and "差し替えが必要なときは事務局へ連絡してください" in page
    before = Handout.objects.get(pk=slot.handout_id).file.read()
    response = client.post(
        page_url(world), {"slot": slot.pk, "version_token": version_token(accepted), "file": upload(text_pdf("late"))}
    )
    assert response.status_code == 400
    assert "事務局が確定したため、差し替えられません" in response.content.decode()
    with pytest.raises(ValidationError, match="差し替えられません"):
        services.material_submit(
            material_request=slot, file=upload(text_pdf("x")), user=world["users"]["keiei2"], version=None
        )
    assert Handout.objects.get(pk=slot.handout_id).file.read() == before
    assert MaterialRequest.objects.get(pk=slot.pk).state == MaterialState.ACCEPTED


def test_a_late_submission_is_taken_and_marked(world, slot):
    MaterialRequest.objects.filter(pk=slot.pk).update(deadline=TODAY - dt.timedelta(days=1))
    slot.refresh_from_db()
    assert slot.is_late()
    late = submitted(world, slot)
    assert late.submitted_late and not late.is_late()


# -- the secretariat's review ----------------------------------------------------------------------


def test_only_the_secretariat_accepts_or_returns_and_only_a_submitted_file(world, slot):
    with pytest.raises(ValidationError, match="「依頼中」のため確定できません"):
        services.material_accept(material_request=slot, user=world["users"]["secretariat"])
    submitted(world, slot)
    for who in ("keiei", "kosei", "toyama"):
        with pytest.raises(ValidationError, match="事務局だけが行えます"):
            services.material_accept(material_request=slot, user=world["users"][who])
        with pytest.raises(ValidationError, match="事務局だけが行えます"):
            services.material_return(material_request=slot, user=world["users"][who], comment="x")
    with pytest.raises(ValidationError) as error:
        services.material_return(material_request=slot, user=world["users"]["secretariat"], comment="  ")
    assert error.value.message_dict == {"comment": ["差戻しの理由（コメント）を入力してください。"]}
    assert MaterialRequest.objects.get(pk=slot.pk).state == MaterialState.SUBMITTED


def board_url(world) -> str:
    return reverse("admin:meetings_meeting_change", args=[world["meeting"].pk])


def test_the_board_shows_every_slot_and_returns_and_accepts_through_its_buttons(
    world, slot, django_capture_on_commit_callbacks
):
    toyama_city = Organization.objects.get(lg_code="162019")
    late = open_slot(world, django_capture_on_commit_callbacks, number=3, department=None, organization=toyama_city)
    MaterialRequest.objects.filter(pk=late.pk).update(deadline=TODAY - dt.timedelta(days=2))
    submitted(world, slot)
    client = logged_in(world, "secretariat")
    page = client.get(board_url(world))
    assert page.status_code == 200
    board = page.content.decode()
    board = board[board.index('id="material-board"') :]
    assert "確定 0 / 2（提出済・確認待ち 1）" in board
    assert "提出期限を過ぎて未提出（1 件）" in board and "参考資料3" in board and "富山市" in board
    assert "資料一式に未収録（未確定）" in board and "期限切れ" in board
    assert "市町村支援課 担当" in board and "提出されたPDF" in board
    token = version_token(MaterialRequest.objects.get(pk=slot.pk))
    returning = reverse("admin:meetings_meeting_material_return", args=[world["meeting"].pk])
    accepting = reverse("admin:meetings_meeting_material_accept", args=[world["meeting"].pk])
    assert client.get(returning).status_code == 405 and client.get(accepting).status_code == 405

    outbox.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            returning,
            {
                "slot": slot.pk,
                f"material-{slot.pk}-version": token,
                f"material-{slot.pk}-comment": "2ページに収めてください。",
            },
        )
    assert response.status_code == 302 and response["Location"].endswith("#material-board")
    returned = MaterialRequest.objects.get(pk=slot.pk)
    assert (returned.state, returned.comment, returned.reviewed_by) == (
        MaterialState.RETURNED,
        "2ページに収めてください。",
        world["users"]["secretariat"],
    )
    (message,) = outbox.outbox
    assert sorted(message.to) == ["keiei2@example.jp", "keiei@example.jp"]
    assert message.subject.startswith("【提出資料の差戻し】") and "2ページに収めてください。" in message.body
    assert SentMail.objects.filter(kind=MailKind.MATERIAL_REVIEW, result=MailResult.SENT).count() == 1
    officer_page = logged_in(world, "keiei").get(page_url(world)).content.decode()
    assert "差戻し" in officer_page and "2ページに収めてください。" in officer_page and "差し替える" in officer_page

    # Sent again; the page's token of before the new upload cannot accept the file it never saw.
    stale = version_token(MaterialRequest.objects.get(pk=slot.pk))
    submitted(world, slot, who="keiei2", content=text_pdf("Two pages"))
    refused = client.post(accepting, {"slot": slot.pk, f"material-{slot.pk}-version": stale}, follow=True)
    assert "ほかの人がこの記録を変更しました" in refused.content.decode()
    assert MaterialRequest.objects.get(pk=slot.pk).state == MaterialState.SUBMITTED
    outbox.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            accepting,
            {"slot": slot.pk, f"material-{slot.pk}-version": version_token(MaterialRequest.objects.get(pk=slot.pk))},
            follow=True,
        )
    assert "参考資料2「若手職員地域課題解決フィールドワーク研修について」を確定しました。" in done.content.decode()
    accepted = MaterialRequest.objects.get(pk=slot.pk)
    handout = Handout.objects.get(pk=slot.handout_id)
    assert accepted.state == MaterialState.ACCEPTED and page_texts(handout.file.read()) == [squash("Two pages")]
    assert handout.file.name.startswith("handouts/")
    (notice,) = outbox.outbox  # to the one who sent it
    assert notice.to == ["keiei2@example.jp"] and notice.subject.startswith("【提出資料の確定】")
    board = client.get(board_url(world)).content.decode()
    assert "確定 1 / 2" in board


@pytest.mark.parametrize("who", ["keiei", "toyama", "public"])
def test_the_board_routes_refuse_anybody_but_the_secretariat(world, slot, who):
    submitted(world, slot)
    client = Client() if who == "public" else logged_in(world, who)
    token = version_token(MaterialRequest.objects.get(pk=slot.pk))
    for name in ("material_accept", "material_return", "material_request"):
        url = reverse(f"admin:meetings_meeting_{name}", args=[world["meeting"].pk])
        response = client.post(
            url,
            {
                "slot": slot.pk,
                f"material-{slot.pk}-version": token,
                f"material-{slot.pk}-comment": "x",
                "kind": "material",
                "title": "x",
                "department": world["keieikanri"].pk,
                "deadline": DEADLINE.isoformat(),
            },
        )
        if who == "keiei":  # staff who may view meetings, not change them
            assert response.status_code == 403, (name, response.status_code)
        else:
            assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
    assert MaterialRequest.objects.get().state == MaterialState.SUBMITTED and MaterialRequest.objects.count() == 1
    missing = reverse("admin:meetings_meeting_material_accept", args=[987654])
    assert logged_in(world, "secretariat").post(missing, {"slot": slot.pk}).status_code == 404


def test_a_post_of_no_slot_or_another_meetings_slot_says_so(world, slot):
    client = logged_in(world, "secretariat")
    other = Meeting.objects.get(fiscal_year=2022, kind="regular", number=2)
    accepting = reverse("admin:meetings_meeting_material_accept", args=[other.pk])
    for data in ({}, {"slot": "x"}, {"slot": slot.pk}):
        response = client.post(accepting, data, follow=True)
        assert response.status_code == 200 and "その資料提出の依頼はありません" in response.content.decode()


def test_the_request_form_in_the_admin_opens_a_slot(world, django_capture_on_commit_callbacks):
    client = logged_in(world, "secretariat")
    url = reverse("admin:meetings_meeting_material_request", args=[world["meeting"].pk])
    form = client.get(url)
    assert form.status_code == 200 and "依頼先の部局" in form.content.decode()
    bad = client.post(url, {"kind": "reference", "title": SLOT_TITLE, "deadline": DEADLINE.isoformat()})
    assert bad.status_code == 200 and "依頼先は、部局か団体のどちらか一方を選んでください。" in bad.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            url,
            {
                "kind": "reference",
                "number": "2",
                "title": SLOT_TITLE,
                "department": world["keieikanri"].pk,
                "deadline": DEADLINE.isoformat(),
                "message": "",
            },
        )
    assert done.status_code == 302 and done["Location"].endswith("#material-board")
    assert MaterialRequest.objects.get().handout.label == "参考資料2" and len(outbox.outbox) == 1


# -- the packet ------------------------------------------------------------------------------------


def _packet(world) -> bytes:
    return packet.packet_pdf(selectors.meeting_detail(world["meeting"].pk)).content


def test_a_missing_material_is_a_placeholder_page_naming_it_under_its_bookmark_and_stamp(world, slot):
    content = _packet(world)
    assert outline_titles(content)[-1] == f"参考資料2 {SLOT_TITLE}"
    last = page_texts(content)[-1]
    for expected in ("参考資料2", SLOT_TITLE, "未提出", "経営管理部", jpdates.format_date(DEADLINE)):
        assert squash(expected) in last, (expected, last)
    laid_out = words(content)
    total = len(PdfReader(io.BytesIO(content)).pages)
    stamp = max((w for w in laid_out if w.page == total and w.text == "参考資料2"), key=lambda w: w.x1)
    assert stamp.inside_page() and stamp.x0 > stamp.page_width * 0.75 and stamp.y1 < stamp.page_height * 0.1
    submitted(world, slot)  # sent, not accepted yet: still a placeholder, saying so
    assert "未確定（提出済・事務局で確認中）" in page_texts(_packet(world))[-1]


def test_an_accepted_material_is_bound_stamped_inside_the_page_box(world, slot):
    submitted(world, slot)
    services.material_accept(material_request=slot, user=world["users"]["secretariat"])
    content = _packet(world)
    assert outline_titles(content)[-1] == f"参考資料2 {SLOT_TITLE}"
    laid_out = words(content)
    total = len(PdfReader(io.BytesIO(content)).pages)
    page = [w for w in laid_out if w.page == total]
    assert " ".join(w.text for w in page if w.text in UPLOAD_TEXT.split()) == UPLOAD_TEXT
    assert "未提出" not in page_texts(content)[-1]
    stamp = max((w for w in page if w.text == "参考資料2"), key=lambda w: w.x1)
    assert stamp.inside_page(), stamp
    assert stamp.x0 > stamp.page_width * 0.75 and stamp.y1 < stamp.page_height * 0.1, stamp
    text = [w for w in page if w.text in UPLOAD_TEXT.split()]
    assert all(w.inside_page() and not w.overlaps(stamp) for w in text)


# -- over a real SMTP server on loopback ---------------------------------------------------------


def test_the_request_and_the_return_arrive_over_smtp(
    world,
    smtp_server,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    slot = open_slot(world, django_capture_on_commit_callbacks)
    ((to, message),) = _messages(smtp_server)
    assert sorted(to) == ["keiei2@example.jp", "keiei@example.jp"]
    assert message["Subject"].strip().startswith("【資料提出のお願い】") and "参考資料2" in message["Subject"]
    body = message.get_body(preferencelist=("plain",))
    assert body.get_content_charset() == "utf-8"
    text = body.get_content()
    assert "経営管理部 ご担当者様" in text and SLOT_TITLE in text
    assert f"https://portal.example.jp/meetings/{world['meeting'].pk}/materials/" in text

    smtp_server.envelopes.clear()
    submitted(world, slot)
    with django_capture_on_commit_callbacks(execute=True):
        services.material_return(
            material_request=slot, user=world["users"]["secretariat"], comment="表紙の日付を直してください。"
        )
    ((to, message),) = _messages(smtp_server)
    assert sorted(to) == ["keiei2@example.jp", "keiei@example.jp"]
    assert message["Subject"].strip() == f"【提出資料の差戻し】{world['meeting']} 参考資料2 {SLOT_TITLE}"
    assert "表紙の日付を直してください。" in message.get_body(preferencelist=("plain",)).get_content()
    assert SentMail.objects.filter(result=MailResult.SENT).count() == 2
