"""axe-core finds no serious or critical violation on the portal's main pages, and each page
is saved as a full-page screenshot in build/screenshots/ for people to look at."""

import json

import pytest
from axe_playwright_python.sync_playwright import Axe

from meetings.models import Meeting
from projects.models import Project

pytestmark = pytest.mark.browser

BLOCKING = {"serious", "critical"}

PAGES = {
    "home": lambda: "/",
    "projects": lambda: "/projects/",
    # The item with indicators, so that the SVG charts are checked too.
    "project": lambda: f"/projects/{Project.objects.get(title='自治体行政のデジタル化').pk}/",
    "meeting": lambda: f"/meetings/{Meeting.objects.get(fiscal_year=2021, kind='regular', number=4).pk}/",
    "municipality": lambda: "/projects/municipalities/162019/",
}


def check(page, name: str, screenshots_dir) -> None:
    page.screenshot(path=screenshots_dir / f"{name}.png", full_page=True)
    results = Axe().run(page)
    violations = results.response["violations"]
    (screenshots_dir / f"axe-{name}.json").write_text(
        json.dumps(violations, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    blocking = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:5]}"
        for v in violations
        if v["impact"] in BLOCKING
    ]
    assert not blocking, "\n".join(blocking)


@pytest.mark.parametrize("name", PAGES)
def test_page_has_no_serious_accessibility_violation(municipal_page, name, screenshots_dir):
    page = municipal_page
    response = page.goto(PAGES[name]())
    assert response.status == 200
    assert page.locator("html").get_attribute("lang") == "ja"
    assert page.locator("h1").count() == 1
    check(page, name, screenshots_dir)


def test_login_page_has_no_serious_accessibility_violation(page, toyama_live, screenshots_dir):
    response = page.goto("/accounts/login/")
    assert response.status == 200
    check(page, "login", screenshots_dir)
