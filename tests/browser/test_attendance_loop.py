"""The attendance loop in Chromium: the secretariat opens a request for a meeting in the
admin; the 富山市 officer sees it on the home page and answers 代理出席 (副市長 山田 太郎); the
attendee PDF prints the answer and the secretariat's board shows 富山市 answered."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from meetings.models import AttendanceReply, Meeting, SentMail
from tests import pdf_reading

from .helpers import log_in, record_csp_violations

pytestmark = pytest.mark.browser


def test_a_request_is_opened_answered_printed_and_shown_on_the_board(chromium, live_server, toyama_live):
    meeting = Meeting.objects.get(fiscal_year=2022, kind="regular", number=2)  # planned, no list yet
    change_url = reverse("admin:meetings_meeting_change", args=[meeting.pk])

    contexts = []

    def tab():
        context = chromium.new_context(
            base_url=live_server.url, locale="ja-JP", viewport={"width": 1366, "height": 768}
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    secretariat, officer = tab(), tab()
    try:
        _the_loop(meeting, change_url, secretariat, officer)
    finally:  # closed before the live server stops: no request thread is left behind
        for context in contexts:
            context.close()


def _the_loop(meeting, change_url, secretariat, officer):
    csp_violations = [record_csp_violations(secretariat), record_csp_violations(officer)]  # fill as the tabs go

    # The secretariat: attendee list from the roster, then the request, from the meeting's page.
    log_in(secretariat, "secretariat")
    secretariat.goto(change_url)
    with secretariat.expect_navigation():
        secretariat.get_by_role("button", name="構成員から出席者名簿を作成").click()
    with secretariat.expect_navigation():
        secretariat.locator("#attendance-board").get_by_role("link", name="出欠照会を開始").click()
    deadline = dt.date.today() + dt.timedelta(days=10)
    secretariat.locator("#id_deadline").fill(deadline.isoformat())
    secretariat.locator("#id_message").fill("ご出欠をお知らせください。")
    with secretariat.expect_navigation():
        secretariat.locator("[name=_save]").click()
    assert "出欠照会を開始しました" in secretariat.locator(".messagelist").inner_text()
    board = secretariat.locator("#attendance-board").inner_text()
    assert "回答済 0 /" in board and "富山市" in board
    assert SentMail.objects.filter(request__meeting=meeting, kind="request").exists()

    # The officer: the request on the home page, one answer.
    log_in(officer, "municipal")
    officer.goto("/")
    requests = officer.locator("section.open-requests")
    assert meeting.name in requests.inner_text() and "未回答" in requests.inner_text()
    with officer.expect_navigation():
        requests.get_by_role("link", name=str(meeting)).click()
    mayor = officer.locator("fieldset.seat-answer", has_text="富山市長")
    mayor.get_by_label("代理出席").check()
    mayor.get_by_label("代理者の役職").fill("副市長")
    mayor.get_by_label("代理者の氏名").fill("山田 太郎")
    with officer.expect_navigation():
        officer.get_by_role("button", name="回答を送信").click()
    assert officer.locator(".notice").count() == 1, officer.content()[:2000]
    reply = AttendanceReply.objects.get(request__meeting=meeting, organization__name="富山市")
    assert reply.answered_at is not None and reply.answered_by.username == "municipal"

    # The attendee list prints it; the board shows 富山市 answered.
    response = officer.request.get(f"/meetings/{meeting.pk}/attendees.pdf")
    assert response.status == 200
    assert "富山市長副市長山田太郎（代理）" in pdf_reading.text(response.body())
    secretariat.goto(change_url)
    board = secretariat.locator("#attendance-board")
    assert "回答済 1 /" in board.inner_text()
    toyama_row = board.locator("tr", has_text="富山市").first
    assert "回答済" in toyama_row.inner_text() and "未回答" not in toyama_row.inner_text()
    assert csp_violations == [[], []]
