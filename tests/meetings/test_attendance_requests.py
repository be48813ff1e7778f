"""Attendance requests (出欠照会) and replies (出欠回答): the secretariat opens a request, the
officers of each organisation asked answer for their seats in the portal, the answers write the
attendance snapshot, the board shows who answered; mail goes out after the commit (locmem here;
real SMTP in test_mail.py)."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core import mail as outbox
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from meetings import selectors, services
from meetings.models import Attendance, AttendanceReply, AttendanceRequest, MailResult, SentMail
from onechoice import jpdates, roles
from onechoice.concurrency import version_token
from onechoice.models import Affiliation
from onechoice.services import record_save
from tests import factories, pdf_reading

TODAY = timezone.localdate()
MEETING_DAY = TODAY + dt.timedelta(days=30)


@pytest.fixture(autouse=True)
def _locmem(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PORTAL_URL = "https://portal.example.jp"


@pytest.fixture
def world(db):
    groups = roles.ensure_role_groups()
    toyama = factories.municipality("富山市", "162019", 1)
    takaoka = factories.municipality("高岡市", "162027", 2)
    imizu = factories.municipality("射水市", "162116", 3)
    meeting = factories.meeting(
        fiscal_year=jpdates.fiscal_year_of(MEETING_DAY), date=MEETING_DAY, status="planned", venue="県民会館"
    )
    rows = {
        "toyama": factories.attendance(meeting, toyama, title="富山市長", name="藤井 裕久", protocol_order=1),
        "takaoka": factories.attendance(meeting, takaoka, title="高岡市長", name="角田 悠紀", protocol_order=2),
    }
    User = get_user_model()

    def user(username, org, role, email=""):
        u = User.objects.create_user(username, email=email, last_name=org.name, first_name="担当")
        u.groups.add(groups[role])
        record_save(Affiliation(user=u, organization=org))
        return u

    users = {
        "toyama": user("toyama-officer", toyama, roles.Role.MUNICIPAL, "officer@city.toyama.example"),
        "toyama2": user("toyama-officer2", toyama, roles.Role.MUNICIPAL, "officer2@city.toyama.example"),
        "takaoka": user("takaoka-officer", takaoka, roles.Role.MUNICIPAL, "officer@city.takaoka.example"),
        "imizu": user("imizu-officer", imizu, roles.Role.MUNICIPAL, "officer@city.imizu.example"),
    }
    secretariat = User.objects.create_user("sec", is_staff=True, email="sec@pref.toyama.example")
    secretariat.groups.add(groups[roles.Role.SECRETARIAT])
    users["secretariat"] = secretariat
    return {"meeting": meeting, "rows": rows, "users": users, "orgs": {"toyama": toyama, "takaoka": takaoka}}


@pytest.fixture
def opened(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        request = services.attendance_request_open(
            meeting=world["meeting"],
            deadline=TODAY + dt.timedelta(days=10),
            message="ご多忙のところ恐縮ですが、ご回答をお願いします。",
            user=world["users"]["secretariat"],
        )
    return request


def _post(client, url, rows, tokens, note="", **answers):
    """Post the reply form with the page's ``tokens`` (``_tokens``; ``{}``: none)."""
    data = {"note": note, **tokens}
    for row in rows:
        status, title, name = answers.get(str(row.pk), (row.status, "", ""))
        data |= {
            f"seat-{row.pk}-status": status,
            f"seat-{row.pk}-proxy_title": title,
            f"seat-{row.pk}-proxy_name": name,
        }
    return client.post(url, data)


def _tokens(client, url) -> dict:
    """The version tokens the reply page carries: the reply's and each row's."""
    context = client.get(url).context
    tokens = {"version_token": context["form"].initial["version_token"]}
    for row, seat_form in context["seat_forms"]:
        tokens[f"seat-{row.pk}-version"] = seat_form.initial["version"]
    return tokens


# --- opening a request -------------------------------------------------------------------------


def test_a_request_asks_the_organisations_of_the_attendance_rows_and_mails_their_users(world, opened):
    assert {r.organization.name for r in opened.replies.all()} == {"富山市", "高岡市"}  # not 射水市: no seat
    assert opened.opened_by == world["users"]["secretariat"] and opened.opened_at is not None
    assert all(r.answered_at is None for r in opened.replies.all())
    by_to = {tuple(m.to): m for m in outbox.outbox}
    assert set(by_to) == {
        ("officer2@city.toyama.example", "officer@city.toyama.example"),
        ("officer@city.takaoka.example",),
    }
    message = by_to[("officer@city.takaoka.example",)]
    assert message.subject.startswith("【出欠照会】") and "回答期限" in message.subject
    assert "高岡市 ご担当者様" in message.body and "ご多忙のところ恐縮ですが" in message.body
    assert f"https://portal.example.jp/meetings/{world['meeting'].pk}/attendance/" in message.body
    ((name, content, mimetype),) = message.attachments
    assert name == "meeting.ics" and "method=REQUEST" in mimetype and "METHOD:REQUEST" in content
    records = SentMail.objects.filter(request=opened)
    assert records.count() == 2 and {r.result for r in records} == {MailResult.SENT}


def test_the_prefectures_request_goes_to_the_departments_with_a_seat_not_to_every_prefectural_user(
    world, django_capture_on_commit_callbacks
):
    from onechoice.models import Division, Official

    prefecture = factories.organization(name="富山県", kind="prefecture", lg_code="160008", protocol_order=0)
    seated, other = factories.department(name="経営管理部"), factories.department(name="土木部")
    official = record_save(Official(organization=prefecture, department=seated, title="経営管理部長", name="南里 明"))
    factories.attendance(
        world["meeting"], prefecture, official=official, title="経営管理部長", name="南里 明", protocol_order=50
    )
    User = get_user_model()

    def staff(username, division=None):
        user = User.objects.create_user(username, email=f"{username}@pref.toyama.example")
        affiliation = record_save(Affiliation(user=user, organization=prefecture))
        if division is not None:
            affiliation.divisions.add(division)
        return user

    staff("keiei-staff", record_save(Division(department=seated, name="市町村支援課")))
    staff("doboku-staff", record_save(Division(department=other, name="道路課")))
    staff("no-division")
    with django_capture_on_commit_callbacks(execute=True):
        services.attendance_request_open(meeting=world["meeting"], deadline=TODAY + dt.timedelta(days=10))
    (to_prefecture,) = [m.to for m in outbox.outbox if any("pref.toyama" in to for to in m.to)]
    assert to_prefecture == ["keiei-staff@pref.toyama.example"]

    # nobody of a seated department has an address: the request still reaches the prefecture
    User.objects.filter(username="keiei-staff").update(email="")
    outbox.outbox.clear()
    request = AttendanceRequest.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        services.attendance_reminders_send(request=request)
    (to_prefecture,) = [m.to for m in outbox.outbox if any("pref.toyama" in to for to in m.to)]
    assert to_prefecture == ["doboku-staff@pref.toyama.example", "no-division@pref.toyama.example"]


def test_a_request_is_refused_in_japanese_when_it_cannot_be_answered(world, opened):
    with pytest.raises(ValidationError, match="既にあります"):
        services.attendance_request_open(meeting=world["meeting"], deadline=TODAY)
    other = factories.meeting(fiscal_year=jpdates.fiscal_year_of(MEETING_DAY), date=MEETING_DAY, status="planned")
    with pytest.raises(ValidationError, match="出席者名簿に団体がありません"):
        services.attendance_request_open(meeting=other, deadline=TODAY)
    factories.attendance(other, world["orgs"]["toyama"], protocol_order=1)
    with pytest.raises(ValidationError, match="回答期限が過ぎています"):
        services.attendance_request_open(meeting=other, deadline=TODAY - dt.timedelta(days=1))
    with pytest.raises(ValidationError, match="開催日"):
        services.attendance_request_open(meeting=other, deadline=MEETING_DAY + dt.timedelta(days=1))
    assert AttendanceRequest.objects.count() == 1


def test_a_mail_server_that_fails_is_recorded_and_the_request_still_opens(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    from django.core.mail.backends.locmem import EmailBackend

    def refuse(self, messages):
        raise ConnectionRefusedError("SMTP down")

    monkeypatch.setattr(EmailBackend, "send_messages", refuse)
    from django.test import Client

    client = Client()
    client.force_login(world["users"]["secretariat"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:meetings_attendancerequest_add"),
            {"meeting": world["meeting"].pk, "deadline": (TODAY + dt.timedelta(days=5)).isoformat(), "message": ""},
        )
    assert response.status_code == 302, response.content.decode()[:3000]
    request = AttendanceRequest.objects.get()
    assert request.opened_by == world["users"]["secretariat"]
    failed = SentMail.objects.filter(request=request)
    assert failed.count() == 2 and all(r.result == MailResult.FAILED and "SMTP down" in r.error for r in failed)


# --- the reply page --------------------------------------------------------------------------------


def test_an_officer_answers_a_deputy_and_the_attendee_list_follows(
    client, world, opened, django_capture_on_commit_callbacks
):
    url = reverse("meetings:attendance", args=[world["meeting"].pk])
    client.force_login(world["users"]["toyama"])
    page = client.get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "富山市長" in text and "高岡市長" not in text and "代理者の役職" in text
    row = world["rows"]["toyama"]
    outbox.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        answer = {str(row.pk): ("proxy", "副市長", "山田 太郎")}
        response = _post(client, url, [row], _tokens(client, url), note="駐車場1台", **answer)
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.status, row.proxy_title, row.proxy_name) == ("proxy", "副市長", "山田 太郎")
    assert row.present_name == "副市長 山田 太郎（代理）"
    reply = AttendanceReply.objects.get(request=opened, organization=world["orgs"]["toyama"])
    assert reply.answered_by == world["users"]["toyama"] and reply.note == "駐車場1台"
    assert reply.history.first().answered_by == world["users"]["toyama"]
    assert row.history.first().history_user == world["users"]["toyama"]  # who answered what, and when
    (confirmation,) = outbox.outbox
    assert confirmation.to == ["officer@city.toyama.example"] and "受け付けました" in confirmation.subject
    assert "富山市長 藤井 裕久: 代理出席（副市長 山田 太郎）" in confirmation.body
    followed = client.get(url).content.decode()
    assert "出欠の回答を保存しました" in followed and "回答済" in followed
    meeting_page = client.get(reverse("meetings:detail", args=[world["meeting"].pk])).content.decode()
    assert "山田 太郎" in meeting_page  # the data version moved: the cached page follows
    pdf = client.get(reverse("meetings:attendees_pdf", args=[world["meeting"].pk]))
    assert "副市長山田太郎（代理）" in pdf_reading.squash(pdf_reading.text(b"".join(pdf.streaming_content)))


def test_a_deputy_without_a_name_is_refused_on_the_field_and_nothing_changes(client, world, opened):
    url = reverse("meetings:attendance", args=[world["meeting"].pk])
    client.force_login(world["users"]["toyama"])
    row = world["rows"]["toyama"]
    response = _post(client, url, [row], _tokens(client, url), **{str(row.pk): ("proxy", "副市長", "")})
    assert response.status_code == 400
    assert "代理出席の場合は代理者の氏名を入力してください。" in response.content.decode()
    row.refresh_from_db()
    assert row.status == "present" and not AttendanceReply.objects.filter(answered_at__isnull=False).exists()
    bad = _post(client, url, [row], _tokens(client, url), **{str(row.pk): ("maybe", "", "")})
    assert bad.status_code == 400 and "正しく選択してください" in bad.content.decode()


def test_two_officers_of_one_city_cannot_overwrite_each_other_silently(world, opened):
    from django.test import Client

    url = reverse("meetings:attendance", args=[world["meeting"].pk])
    first, second = Client(), Client()
    first.force_login(world["users"]["toyama"])
    second.force_login(world["users"]["toyama2"])
    row = world["rows"]["toyama"]
    token_first, token_second = _tokens(first, url), _tokens(second, url)
    assert _post(first, url, [row], token_first, **{str(row.pk): ("absent", "", "")}).status_code == 302
    refused = _post(second, url, [row], token_second, **{str(row.pk): ("online", "", "")})
    assert refused.status_code == 400 and "ほかの人がこの記録を変更しました" in refused.content.decode()
    row.refresh_from_db()
    assert row.status == "absent"
    no_token = _post(second, url, [row], {}, **{str(row.pk): ("online", "", "")})
    assert no_token.status_code == 400 and "確かめられない" in no_token.content.decode()


def test_a_seat_the_secretariat_changed_since_the_page_was_opened_is_not_overwritten(client, world, opened):
    """The reply itself is unchanged (nobody of the city answered), but the secretariat noted a
    phone call on the row meanwhile: the officer's stale answer is refused, naming the row."""
    url = reverse("meetings:attendance", args=[world["meeting"].pk])
    client.force_login(world["users"]["toyama"])
    row = world["rows"]["toyama"]
    tokens = _tokens(client, url)
    noted = Attendance.objects.get(pk=row.pk)
    noted.status, noted.proxy_title, noted.proxy_name = "proxy", "副市長", "山田 太郎"
    services.attendance_save(attendance=noted)
    refused = _post(client, url, [row], tokens, **{str(row.pk): ("present", "", "")})
    page = refused.content.decode()
    assert refused.status_code == 400 and "ほかの人がこの記録を変更しました" in page
    assert "代理者の氏名: 「山田 太郎」に変更" in page
    assert Attendance.objects.get(pk=row.pk).proxy_name == "山田 太郎"
    assert AttendanceReply.objects.get(request=opened, organization=world["orgs"]["toyama"]).answered_at is None
    # a change to a field the reply does not write (the title) is no conflict: it is kept
    fresh = _tokens(client, url)
    Attendance.objects.filter(pk=row.pk).update(title="富山市長（新）")
    assert _post(client, url, [row], fresh, **{str(row.pk): ("absent", "", "")}).status_code == 302
    row.refresh_from_db()
    assert (row.status, row.title) == ("absent", "富山市長（新）")


def test_after_the_deadline_the_page_is_read_only_and_refuses_a_post_but_not_the_secretariat(client, world, opened):
    url = reverse("meetings:attendance", args=[world["meeting"].pk])
    client.force_login(world["users"]["toyama"])
    row = world["rows"]["toyama"]
    token = _tokens(client, url)
    AttendanceRequest.objects.filter(pk=opened.pk).update(deadline=TODAY - dt.timedelta(days=1))
    page = client.get(url)
    assert (
        "期限後の変更は事務局へ連絡してください" in page.content.decode() and "回答を送信" not in page.content.decode()
    )
    refused = _post(client, url, [row], token, **{str(row.pk): ("absent", "", "")})
    assert refused.status_code == 403 and "期限後の変更は事務局へ連絡してください" in refused.content.decode()
    row.refresh_from_db()
    assert row.status == "present"
    reply = AttendanceReply.objects.get(request=opened, organization=world["orgs"]["toyama"])
    with pytest.raises(ValidationError, match="期限後の変更は事務局へ連絡してください"):
        services.attendance_reply_save(
            reply=reply, answers=[services.SeatAnswer(row.pk, "absent")], user=world["users"]["toyama"], version=None
        )
    client.force_login(world["users"]["secretariat"])
    behalf = f"{url}?organization={world['orgs']['toyama'].pk}"
    assert _post(client, behalf, [row], _tokens(client, behalf), **{str(row.pk): ("absent", "", "")}).status_code == 302
    row.refresh_from_db()
    reply.refresh_from_db()
    assert row.status == "absent" and reply.answered_by == world["users"]["secretariat"]


@pytest.mark.parametrize("who", ["takaoka-of-toyama", "imizu", "public", "other-meeting"])
def test_the_reply_page_answers_404_to_anybody_else(client, world, opened, who):
    meeting_pk = world["meeting"].pk
    if who == "takaoka-of-toyama":  # ?organization= is the secretariat's alone
        client.force_login(world["users"]["takaoka"])
        url = reverse("meetings:attendance", args=[meeting_pk]) + f"?organization={world['orgs']['toyama'].pk}"
        page = client.get(url)
        assert (
            page.status_code == 200 and "高岡市長" in page.content.decode() and "富山市長" not in page.content.decode()
        )
        return
    if who == "imizu":  # not asked
        client.force_login(world["users"]["imizu"])
    if who == "other-meeting":
        client.force_login(world["users"]["toyama"])
        meeting_pk = factories.meeting().pk
    url = reverse("meetings:attendance", args=[meeting_pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {}).status_code == 404
    assert client.get(reverse("meetings:attendance", args=[987654])).status_code == 404


def test_the_home_page_shows_an_officer_their_open_requests_and_nobody_else(client, world, opened):
    client.force_login(world["users"]["secretariat"])
    assert "出欠照会" not in client.get("/").content.decode()  # builds the cached page
    client.force_login(world["users"]["toyama"])
    home = client.get("/").content.decode()  # from the cache, with the officer's own block
    assert "出欠照会（回答期限順）" in home and "未回答" in home
    assert reverse("meetings:attendance", args=[world["meeting"].pk]) in home
    assert "onechoice:personal" not in home
    client.logout()
    assert "出欠照会" not in client.get("/").content.decode()


def test_open_requests_are_read_in_one_query_whatever_their_number(world, opened):
    user = world["users"]["toyama"]
    for n in range(3):
        meeting = factories.meeting(fiscal_year=jpdates.fiscal_year_of(MEETING_DAY), date=MEETING_DAY, status="planned")
        factories.attendance(meeting, world["orgs"]["toyama"], protocol_order=1)
        services.attendance_request_open(meeting=meeting, deadline=TODAY + dt.timedelta(days=n))
    with CaptureQueriesContext(connection) as queries:
        replies = selectors.open_attendance_requests(user)
        [str(r.request.meeting) for r in replies]
    assert len(replies) == 4 and len(queries) == 1
    assert [r.request.deadline for r in replies] == sorted(r.request.deadline for r in replies)


# --- the board -------------------------------------------------------------------------------------


def test_the_board_shows_who_answered_and_resends_to_the_others(
    client, world, opened, django_capture_on_commit_callbacks
):
    reply = AttendanceReply.objects.get(request=opened, organization=world["orgs"]["toyama"])
    row = world["rows"]["toyama"]
    services.attendance_reply_save(
        reply=reply,
        answers=[services.SeatAnswer(row.pk, "online", version=version_token(row))],
        user=world["users"]["toyama"],
        version=version_token(reply),
    )
    client.force_login(world["users"]["secretariat"])
    page = client.get(reverse("admin:meetings_meeting_change", args=[world["meeting"].pk])).content.decode()
    assert "回答済 1 / 2" in page and "未回答の団体に再送（1 団体）" in page
    assert page.index("高岡市") < page.index("富山市", page.index("回答済 1 / 2"))  # the open ones first
    reminders = reverse("admin:meetings_meeting_attendance_reminders", args=[world["meeting"].pk])
    assert client.get(reminders).status_code == 405
    outbox.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reminders).status_code == 302
    (reminder,) = outbox.outbox
    assert reminder.to == ["officer@city.takaoka.example"] and reminder.subject.startswith("【再送】【出欠照会】")
    csv = client.get(reverse("admin:meetings_meeting_attendance_csv", args=[world["meeting"].pk])).content.decode()
    assert "高岡市,未回答" in csv and "富山市,回答済" in csv
    assert client.get(reverse("admin:meetings_sentmail_changelist")).status_code == 200
    assert client.get(reverse("admin:meetings_sentmail_add")).status_code == 403


def test_an_organisation_that_answered_stays_asked(world, opened):
    reply = AttendanceReply.objects.get(request=opened, organization=world["orgs"]["toyama"])
    services.attendance_reply_save(
        reply=reply,
        answers=[services.SeatAnswer(world["rows"]["toyama"].pk, "absent")],
        user=world["users"]["toyama"],
        version=None,
    )
    with pytest.raises(ValidationError, match="回答済みの団体は照会先から外せません: 富山市"):
        services.attendance_request_save(attendance_request=opened, organizations=[world["orgs"]["takaoka"]])
    assert opened.replies.count() == 2
    assert Attendance.objects.get(pk=world["rows"]["toyama"].pk).status == "absent"


# --- send_reminders (cron) -------------------------------------------------------------------------


def _run_reminders(**options) -> str:
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("send_reminders", stdout=out, **options)
    return out.getvalue()


def test_send_reminders_sends_one_reminder_per_unanswered_organisation_however_often_it_runs(
    world, settings, django_capture_on_commit_callbacks
):
    settings.ATTENDANCE_REMINDER_DAYS = 3
    with django_capture_on_commit_callbacks(execute=True):
        request = services.attendance_request_open(meeting=world["meeting"], deadline=TODAY + dt.timedelta(days=5))
    reply = AttendanceReply.objects.get(request=request, organization=world["orgs"]["toyama"])
    services.attendance_reply_save(
        reply=reply,
        answers=[services.SeatAnswer(world["rows"]["toyama"].pk, "online")],
        user=world["users"]["toyama"],
        version=None,
    )
    outbox.outbox.clear()
    assert "再送 0 件" in _run_reminders()  # five days before: the window (3 days) is not open yet
    AttendanceRequest.objects.filter(pk=request.pk).update(deadline=TODAY + dt.timedelta(days=3))
    assert "高岡市: 再送" in _run_reminders(dry_run=True) and not outbox.outbox
    assert "再送 1 件" in _run_reminders()
    (reminder,) = outbox.outbox
    assert reminder.to == ["officer@city.takaoka.example"] and reminder.subject.startswith("【再送】")
    assert "再送 0 件、照会メール 0 件" in _run_reminders()  # twice: nothing twice
    assert len(outbox.outbox) == 1
    assert SentMail.objects.filter(request=request, kind="reminder").count() == 1
    AttendanceRequest.objects.filter(pk=request.pk).update(deadline=TODAY - dt.timedelta(days=1))
    assert "再送 0 件" in _run_reminders()  # past the deadline: no more


def test_send_reminders_retries_a_request_mail_that_failed(world, monkeypatch, django_capture_on_commit_callbacks):
    from django.core.mail.backends.locmem import EmailBackend

    real = EmailBackend.send_messages
    monkeypatch.setattr(EmailBackend, "send_messages", lambda self, messages: (_ for _ in ()).throw(OSError("down")))
    with django_capture_on_commit_callbacks(execute=True):
        request = services.attendance_request_open(meeting=world["meeting"], deadline=TODAY + dt.timedelta(days=20))
    assert SentMail.objects.filter(request=request, result=MailResult.FAILED).count() == 2
    monkeypatch.setattr(EmailBackend, "send_messages", real)
    assert "照会メール 2 件" in _run_reminders()
    assert sorted(m.subject.startswith("【出欠照会】") for m in outbox.outbox) == [True, True]
    assert "照会メール 0 件" in _run_reminders()


def stored_request(meeting, organization):
    """For the generic admin tests (every list has a row): a request of a past meeting asking
    ``organization``, its reply and a sent mail, written as stored (the service opens requests
    with a deadline to come only)."""
    request = record_save(
        AttendanceRequest(meeting=meeting, deadline=meeting.date), m2m={"organizations": [organization]}
    )
    record_save(AttendanceReply(request=request, organization=organization))
    record_save(SentMail(kind="request", to="a@example.jp", subject="【出欠照会】", result="sent", request=request))
    return request


def test_publishing_a_meeting_tells_its_organisations_with_a_link_not_the_pdf(
    world, django_capture_on_commit_callbacks
):
    from icalendar import Calendar

    from meetings import feeds
    from meetings.models import SentMail

    meeting = world["meeting"]
    meeting.is_published = False
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_save(meeting=meeting)  # saving an unpublished meeting tells nobody
    assert outbox.outbox == []

    meeting.is_published = True
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_save(meeting=meeting)
    by_address = {address: message for message in outbox.outbox for address in message.to}
    # 富山市 and 高岡市 are on the list (射水市 is not): both 富山市 officers in one mail
    assert set(by_address) == {
        "officer@city.toyama.example",
        "officer2@city.toyama.example",
        "officer@city.takaoka.example",
    }
    message = by_address["officer@city.toyama.example"]
    assert message.subject == f"【資料公開】{meeting}"
    assert f"https://portal.example.jp/meetings/{meeting.pk}/" in message.body and "富山市 ご担当者様" in message.body
    names = [name for name, _content, _type in message.attachments]
    assert names == ["meeting.ics"]  # the meeting as a calendar entry, never the PDF
    event = Calendar.from_ical(message.attachments[0][1]).walk("VEVENT")[0]
    assert str(event["UID"]) == feeds.meeting_uid(meeting)  # the calendar feed's event
    assert SentMail.objects.filter(kind="published", result="sent").count() == 2

    outbox.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.meeting_save(meeting=meeting)  # published already: nothing again
    assert outbox.outbox == []
