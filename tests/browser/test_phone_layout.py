"""Every portal page at a phone's width (390×844) and a desk's (1366×768): nothing scrolls
sideways, and no text cell is squeezed narrower than two characters of its own font (the
sign of a word broken one character per line). Full-page screenshots go to
build/screenshots/layout-<page>-<width>.png for people to look at."""

import pytest

from meetings.models import Meeting
from projects.models import Plan, Project

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESK = {"width": 1366, "height": 768}

PAGES = {
    "home": lambda: "/",
    "meetings": lambda: "/meetings/",
    "meeting": lambda: f"/meetings/{Meeting.objects.get(fiscal_year=2021, kind='regular', number=4).pk}/",
    "projects": lambda: "/projects/",
    "project": lambda: f"/projects/{Project.objects.get(title='自治体行政のデジタル化').pk}/",
    "municipality": lambda: "/projects/municipalities/162019/",
    "workgroups": lambda: "/workgroups/?fiscal_year=2021",
    "schedule": lambda: "/meetings/schedule/2022/",
    "search": lambda: "/search/?q=防災",
    "plan": lambda: Plan.objects.get().get_absolute_url(),
    # the demo officer's open attendance request (create_demo_users): the reply form
    "attendance": lambda: f"/meetings/{Meeting.objects.get(fiscal_year=2022, kind='regular', number=1).pk}/attendance/",
}
WITHOUT_TABLES = {"meeting", "search", "attendance"}

# Each visible text cell in <main>: its content box's width against two of its characters.
MEASURE = """() => {
  const doc = document.documentElement;
  const narrow = [];
  for (const cell of document.querySelectorAll('main td, main th')) {
    const text = cell.innerText.trim();
    if (!text) continue;
    const box = cell.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;  // hidden (a phone's header row)
    const style = getComputedStyle(cell);
    const content = box.width - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    const two = 2 * parseFloat(style.fontSize);
    if (content < two) narrow.push(`${text.slice(0, 20)}: ${content.toFixed(1)}px < ${two}px`);
  }
  return {docWidth: doc.scrollWidth, bodyWidth: document.body.scrollWidth, viewport: window.innerWidth,
          height: doc.scrollHeight, cells: document.querySelectorAll('main td, main th').length, narrow};
}"""


def measure(page, path: str, viewport: dict, shot) -> dict:
    page.set_viewport_size(viewport)
    response = page.goto(path)
    assert response.status == 200, path
    assert len(response.body()) < 100_000, f"{path} weighs {len(response.body())} bytes"
    page.screenshot(path=shot, full_page=True)
    return page.evaluate(MEASURE)


@pytest.mark.parametrize("name", PAGES)
def test_page_fits_a_phone_and_a_desk(municipal_page, name, screenshots_dir):
    path = PAGES[name]()
    for viewport in (PHONE, DESK):
        found = measure(municipal_page, path, viewport, screenshots_dir / f"layout-{name}-{viewport['width']}.png")
        where = f"{name} at {viewport['width']}px"
        assert found["docWidth"] <= found["viewport"], f"{where} scrolls sideways: {found}"
        assert found["bodyWidth"] <= found["viewport"], f"{where} scrolls sideways: {found}"
        assert not found["narrow"], f"{where}: cells narrower than two characters: {found['narrow']}"
        if name not in WITHOUT_TABLES:
            assert found["cells"], f"{where}: the page lost its table"


def test_phone_tables_stack_and_desk_tables_stay(municipal_page):
    """At 390 px a row of /meetings/ is one card whose cells read 「年度：令和3年度」; at
    1366 px the same row is a table row with its header above."""
    page = municipal_page
    page.set_viewport_size(PHONE)
    page.goto("/meetings/")
    cell = page.locator("main table tbody tr").first.locator("td").first
    assert cell.evaluate("c => getComputedStyle(c).display") == "block"
    label = cell.evaluate("c => getComputedStyle(c, '::before').content")
    assert label == '"年度："', label
    assert page.locator("main thead").evaluate("h => h.getBoundingClientRect().width") <= 1
    page.set_viewport_size(DESK)
    page.goto("/meetings/")
    assert cell.evaluate("c => getComputedStyle(c).display") == "table-cell"
    assert page.locator("main thead").evaluate("h => h.getBoundingClientRect().height") > 10


@pytest.mark.parametrize("path", ["/projects/", "/meetings/", "/workgroups/?fiscal_year=2021"])
def test_filters_sit_behind_a_toggle_that_needs_no_script(municipal_page, path):
    page = municipal_page
    page.set_viewport_size(PHONE)
    page.goto(path)
    toggle = page.locator("main details.filter-box")
    assert toggle.locator("summary").inner_text().strip() == "絞り込み"
    assert not toggle.locator("form").is_visible()  # closed: the list is on the first screen
    toggle.locator("summary").click()
    assert toggle.locator("form").is_visible()


def test_toyama_officer_on_a_phone_finds_their_municipality_first(municipal_page):
    """The demo officer (富山市) sees 「自分の市町村：富山市」 on the first screen, with one tap
    to its items, the next meeting, its items' WG sessions and its profile page."""
    page = municipal_page
    page.set_viewport_size(PHONE)
    page.goto("/")
    summary = page.locator("section.my-municipality")
    assert summary.locator("h2").inner_text() == "自分の市町村：富山市"
    assert summary.bounding_box()["y"] < PHONE["height"]
    links = summary.locator(".quick-links a")
    assert [links.nth(i).inner_text() for i in range(links.count())] == [
        "令和4年度の項目",
        "次の会議",
        "項目のWG開催",
        "富山市のページ",
    ]
    links.nth(2).click()
    assert page.url.endswith("#h-mine-sessions")
    assert summary.locator("ul.sessions li").first.is_visible()
    summary.locator(".quick-links a", has_text="富山市のページ").click()
    page.wait_for_url("**/projects/municipalities/162019/")
    assert page.locator("h1").inner_text() == "富山市"
