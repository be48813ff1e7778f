"""Reordering the agenda in Chromium at 1366×768, as the secretariat: one row dragged by its
handle above another, another moved with the keyboard (Tab to its 「上へ」 button, Enter), the
numbers rewritten by static/admin/js/ordering.js, the page saved: the new order is stored and
nothing breaks the Content Security Policy. The screenshot is build/reorder.png."""

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from meetings.models import AgendaItem, Meeting

from .helpers import log_in, record_csp_violations

pytestmark = pytest.mark.browser

BUILD = Path(settings.BASE_DIR) / "build"


def agenda(page) -> list[tuple[str, str]]:
    """(順序, 件名) of the agenda rows as the page shows them, top to bottom."""
    rows = page.eval_on_selector_all(
        "#agenda_items-group tbody tr.form-row.has_original",
        "rows => rows.map(r => [r.querySelector('td.field-order input').value,"
        " r.querySelector('td.field-title input').value])",
    )
    return [tuple(row) for row in rows]


def test_dragging_and_the_keyboard_reorder_the_agenda(page, toyama_live):
    meeting = Meeting.objects.get(fiscal_year=2021, kind="regular", number=4)
    stored = list(meeting.agenda_items.order_by("order").values_list("order", "title"))
    assert len(stored) >= 3
    numbers, titles = [str(n) for n, _t in stored], [t for _n, t in stored]
    csp_violations = record_csp_violations(page)
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in(page, "secretariat")
    page.goto(reverse("admin:meetings_meeting_change", args=[meeting.pk]))
    assert agenda(page) == list(zip(numbers, titles, strict=True))
    rows = page.locator("#agenda_items-group tbody tr.form-row.has_original")

    # Drag the third row by its handle onto the top half of the first: it goes above it, and
    # the agenda keeps its numbers, now in the new order.
    rows.nth(2).locator(".ordering-handle").drag_to(rows.nth(0), target_position={"x": 200, "y": 3})
    titles = [titles[2], titles[0], titles[1], *titles[3:]]
    assert agenda(page) == list(zip(numbers, titles, strict=True))

    # The keyboard: Tab from the last row's number input to its 「上へ」 button, Enter.
    last = rows.nth(len(titles) - 1)
    last.locator("td.field-order input").focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # the handle is not focusable: 上へ, then 下へ
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "上へ"
    page.keyboard.press("Enter")
    titles = [*titles[:-2], titles[-1], titles[-2]]
    assert agenda(page) == list(zip(numbers, titles, strict=True))
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "上へ"  # focus stays
    assert page.locator(".ordering-status").text_content() == f"「{titles[-2]}」の順序を {numbers[-2]} にしました。"
    # The first row's 上へ says it cannot go further up.
    assert rows.nth(0).get_by_role("button", name="上へ").get_attribute("aria-disabled") == "true"

    # Handouts move only among their 種別: the first 資料 and the first 参考資料 cannot go up,
    # and pressing 上へ there changes nothing.
    handouts = page.locator("#handouts-group tbody tr.form-row.has_original")
    kinds = handouts.locator("td.field-kind select").evaluate_all("selects => selects.map(s => s.value)")
    numbers_before = handouts.locator("td.field-number input").evaluate_all("inputs => inputs.map(i => i.value)")
    for index, kind in enumerate(kinds):
        up = handouts.nth(index).get_by_role("button", name="上へ")
        first_of_kind = kind not in kinds[:index]
        assert up.get_attribute("aria-disabled") == ("true" if first_of_kind else "false")
        if first_of_kind:  # Playwright will not click an aria-disabled button: the keyboard does
            up.focus()
            page.keyboard.press("Enter")
    assert handouts.locator("td.field-number input").evaluate_all("inputs => inputs.map(i => i.value)") == (
        numbers_before
    )

    BUILD.mkdir(exist_ok=True)
    page.locator("#handouts-group").screenshot(path=str(BUILD / "reorder-handouts.png"))

    page.locator("#agenda_items-group").scroll_into_view_if_needed()
    page.screenshot(path=str(BUILD / "reorder.png"))
    assert page.evaluate("document.querySelector('#agenda_items-group table').getBoundingClientRect().right") <= 1366

    with page.expect_navigation():
        page.locator("input[name=_continue]").click()
    assert page.locator(".errornote").count() == 0, page.locator(".errornote").inner_text()
    assert "変更しました" in page.locator(".messagelist").inner_text()
    saved = list(AgendaItem.objects.filter(meeting=meeting).order_by("order").values_list("title", flat=True))
    assert saved == titles
    assert agenda(page) == list(zip(numbers, titles, strict=True))  # shown in the stored order
    assert not csp_violations, csp_violations
