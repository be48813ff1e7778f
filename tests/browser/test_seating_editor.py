"""The seating editor in Chromium: the secretariat drags the deputy of the mayor of Toyama onto
another mayor's seat at 1366×768 and the two swap; the page fits the screen (and a phone's,
the chart scrolling inside its frame) and nothing breaks the Content Security Policy."""

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from meetings import services
from meetings.models import AttendanceStatus, Meeting, Seat

from .helpers import log_in, record_csp_violations

pytestmark = pytest.mark.browser

BUILD = Path(settings.BASE_DIR) / "build"


@pytest.fixture
def meeting(toyama_live):
    meeting = Meeting.objects.get(fiscal_year=2021, kind="regular", number=4)
    mayor = meeting.attendances.get(title="富山市長")
    mayor.status, mayor.proxy_title, mayor.proxy_name = AttendanceStatus.PROXY, "副市長", "山田 太郎"
    services.attendance_save(attendance=mayor)
    return meeting


def card(page, seat: str):
    return page.locator(f'g.seat[data-seat="{seat}"]')


def page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_dragging_a_card_onto_another_seat_swaps_the_two(page, meeting):
    csp_violations = record_csp_violations(page)
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in(page, "secretariat")
    page.goto(reverse("admin:meetings_meeting_seating", args=[meeting.pk]))
    assert "副市長 山田 太郎（代理）" in card(page, "left-1").text_content()
    assert "村椿 晃" in card(page, "left-4").text_content()
    assert page.locator(".seating-drag-hint").is_visible()  # the script runs
    assert page_width(page) <= 1366

    with page.expect_navigation():
        page.locator('.seat-handle[data-seat="left-1"]').drag_to(page.locator('.seat-handle[data-seat="left-4"]'))
    message = page.locator(".messagelist").inner_text()
    assert message.startswith("富山市長 副市長 山田 太郎（代理） を 左側 4 に移しました。")
    assert "山田 太郎" in card(page, "left-4").text_content()
    assert "村椿 晃" in card(page, "left-1").text_content()
    mayor, uozu = (meeting.attendances.get(title=t) for t in ("富山市長", "魚津市長"))
    assert {s.attendance_id: (s.side, s.position) for s in Seat.objects.filter(plan__meeting=meeting)} == {
        mayor.pk: ("left", 4),
        uozu.pk: ("left", 1),
    }
    # the list below says the same, so the form a person without a mouse uses is in step
    assert page.locator(f"#seat_{mayor.pk}").input_value() == "left-4"

    # 「席次どおりに並べ直す」 (after a confirmation) stores everyone at their protocol seat ...
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        page.get_by_role("button", name="席次どおりに並べ直す").click()
    assert "席次どおりに並べ直しました" in page.locator(".messagelist").inner_text()
    assert "山田 太郎" in card(page, "left-1").text_content()
    # ... so that moving 射水市長 to the back through the list (no dragging) leaves a gap, drawn
    # as an empty seat, onto which 高岡市長 is dragged.
    imizu, takaoka = (meeting.attendances.get(title=t) for t in ("射水市長", "高岡市長"))
    page.locator(f"#seat_{imizu.pk}").select_option("back-1")
    with page.expect_navigation():
        page.locator(f'button[name="move"][value="{imizu.pk}"]').click()
    assert "夏野 元志" in card(page, "back-1").text_content()
    assert card(page, "left-3").get_attribute("class") == "seat left empty"
    with page.expect_navigation():
        page.locator('.seat-handle[data-seat="left-2"]').drag_to(page.locator('.seat-handle[data-seat="left-3"]'))
    assert "角田 悠紀" in card(page, "left-3").text_content()
    assert card(page, "left-2").get_attribute("class") == "seat left empty"
    assert Seat.objects.get(attendance=takaoka).position == 3
    assert Seat.objects.filter(plan__meeting=meeting).count() == 34
    BUILD.mkdir(exist_ok=True)
    page.screenshot(path=str(BUILD / "seating_editor.png"))
    page.screenshot(path=str(BUILD / "seating_editor_full.png"), full_page=True)

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    assert page_width(page) <= 390  # the chart scrolls inside its frame, not the page
    frame = page.locator(".seating-chart-frame")
    assert frame.evaluate("el => el.scrollWidth > el.clientWidth")
    page.screenshot(path=str(BUILD / "seating_editor_phone.png"), full_page=True)
    assert not csp_violations, "\n".join(csp_violations)
