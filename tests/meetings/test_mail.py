"""Mail over a real SMTP server on loopback (aiosmtpd, started here on 127.0.0.1 and a free
port): the attendance request, its reminder and the reply confirmation are delivered and
parsed back — Japanese subject and body, the meeting as an .ics invitation (icalendar) with
the calendar feed's UID."""

import datetime as dt
import email
import socket
from email import policy
from email.header import decode_header, make_header

import pytest
from django.utils import timezone
from icalendar import Calendar

from meetings import feeds, services
from meetings.models import AttendanceReply, MailResult, SentMail
from onechoice.concurrency import version_token
from tests.meetings.test_attendance_requests import MEETING_DAY, TODAY, world  # noqa: F401  (fixture)

aiosmtpd_controller = pytest.importorskip("aiosmtpd.controller")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Collect:
    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp_server(settings):
    handler = Collect()
    controller = aiosmtpd_controller.Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    settings.PORTAL_URL = "https://portal.example.jp"
    try:
        yield handler
    finally:
        controller.stop()


def _messages(handler):
    return [(env.rcpt_tos, email.message_from_bytes(env.content, policy=policy.default)) for env in handler.envelopes]


def test_the_request_and_its_reminder_arrive_over_smtp_with_the_meeting_as_an_invitation(
    world,  # noqa: F811
    smtp_server,
    django_capture_on_commit_callbacks,
):
    meeting = world["meeting"]
    with django_capture_on_commit_callbacks(execute=True):
        request = services.attendance_request_open(meeting=meeting, deadline=TODAY + dt.timedelta(days=7))
    delivered = dict((tuple(sorted(to)), message) for to, message in _messages(smtp_server))
    assert set(delivered) == {
        ("officer2@city.toyama.example", "officer@city.toyama.example"),
        ("officer@city.takaoka.example",),
    }
    message = delivered[("officer@city.takaoka.example",)]
    assert (
        message["Subject"].strip()
        == f"【出欠照会】{meeting}（回答期限 {services.jpdates.format_date(request.deadline)}）"
    )
    raw_from = email.message_from_bytes(smtp_server.envelopes[0].content)["From"]  # RFC 2047 as clients read it
    assert str(make_header(decode_header(raw_from))) == "「ワンチームとやま」連携推進本部事務局 <onechoice@localhost>"
    body = message.get_body(preferencelist=("plain",))
    assert body.get_content_charset() == "utf-8"
    text = body.get_content()
    assert "高岡市 ご担当者様" in text and "場所: 県民会館" in text
    assert f"https://portal.example.jp/meetings/{meeting.pk}/attendance/" in text
    assert "「ワンチームとやま」連携推進本部事務局" in text  # the signature from settings
    (ics,) = [part for part in message.iter_attachments() if part.get_content_type() == "text/calendar"]
    assert ics.get_filename() == "meeting.ics" and ics.get_param("method") == "REQUEST"
    calendar = Calendar.from_ical(ics.get_content())
    assert calendar["METHOD"] == "REQUEST"
    (event,) = calendar.walk("VEVENT")
    assert str(event["UID"]) == feeds.meeting_uid(meeting) == f"meeting-{meeting.pk}@onechoice.toyama"
    start = event.decoded("DTSTART")
    assert start.date() == MEETING_DAY and str(start.tzinfo) == "Asia/Tokyo" and start.hour == 15
    assert str(event["LOCATION"]) == "県民会館" and str(event["SUMMARY"]) == str(meeting)
    assert "onechoice@localhost" in str(event["ORGANIZER"])
    assert SentMail.objects.filter(request=request, result=MailResult.SENT).count() == 2

    # 富山市 answers; the reminder goes to 高岡市 alone, the confirmation to the one who answered.
    smtp_server.envelopes.clear()
    reply = AttendanceReply.objects.get(request=request, organization=world["orgs"]["toyama"])
    row = world["rows"]["toyama"]
    with django_capture_on_commit_callbacks(execute=True):
        services.attendance_reply_save(
            reply=reply,
            answers=[services.SeatAnswer(row.pk, "proxy", "副市長", "山田 太郎", version=version_token(row))],
            user=world["users"]["toyama"],
            version=version_token(reply),
        )
        services.attendance_reminders_send(request=request)
    by_to = {tuple(to): message for to, message in _messages(smtp_server)}
    confirmation = by_to[("officer@city.toyama.example",)]
    assert confirmation["Subject"].strip() == f"【出欠回答を受け付けました】{meeting}（富山市）"
    assert "富山市長 藤井 裕久: 代理出席（副市長 山田 太郎）" in confirmation.get_body().get_content()
    reminder = by_to[("officer@city.takaoka.example",)]
    assert reminder["Subject"].strip().startswith("【再送】【出欠照会】")
    assert "まだご回答をいただいていません" in reminder.get_body(preferencelist=("plain",)).get_content()
    assert len(by_to) == 2


def test_a_mail_server_that_refuses_the_connection_is_recorded_not_raised(
    world,  # noqa: F811
    settings,
    django_capture_on_commit_callbacks,
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", _free_port(), 2
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    with django_capture_on_commit_callbacks(execute=True):
        request = services.attendance_request_open(meeting=world["meeting"], deadline=timezone.localdate())
    records = SentMail.objects.filter(request=request)
    assert records.count() == 2
    assert all(r.result == MailResult.FAILED and "ConnectionRefusedError" in r.error for r in records)


def test_a_password_reset_arrives_over_smtp_and_unknown_addresses_get_the_same_answer(
    client,
    world,  # noqa: F811
    smtp_server,
):
    officer = world["users"]["toyama"]
    officer.set_password("forgotten-1")  # Django resets only accounts that have a password
    officer.save()
    known = client.post("/accounts/password/reset/", {"email": "officer@city.toyama.example"})
    unknown = client.post("/accounts/password/reset/", {"email": "nobody@example.jp"})
    assert known.status_code == unknown.status_code == 302 and known["Location"] == unknown["Location"]
    ((to, message),) = _messages(smtp_server)
    assert to == ["officer@city.toyama.example"]
    assert message["Subject"].strip() == "【「ワンチームとやま」連携推進本部ポータル】パスワードの再設定"
    from meetings.models import SentMail

    # in 送信メール, for the known address only (nothing says the unknown one was tried)
    assert list(SentMail.objects.values_list("kind", "to", "result")) == [
        ("password_reset", "officer@city.toyama.example", "sent")
    ]
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "富山市 担当 様" in text and "ユーザー名: toyama-officer" in text
    link = next(line for line in text.splitlines() if "/accounts/password/reset/" in line).strip()
    path = link.split("testserver", 1)[1]
    form_page = client.get(path, follow=True)
    assert "新しいパスワードの設定" in form_page.content.decode() and "使えません" not in form_page.content.decode()
    done = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": "Tateyama-2026!", "new_password2": "Tateyama-2026!"}
    )
    assert done.status_code == 302
    login = client.post("/accounts/login/", {"username": "toyama-officer", "password": "Tateyama-2026!"})
    assert login.status_code == 302
    again = client.get(path, follow=True).content.decode()
    assert "このリンクは使えません" in again  # used once
