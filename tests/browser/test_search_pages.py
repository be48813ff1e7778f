"""The site search and the open-data page in Chromium: reached from the header and the
footer, used with the keyboard-free plain form, no CSP violation, no serious axe finding;
screenshots in build/screenshots/ (search.png, search-phone.png, opendata.png)."""

import pytest

from .helpers import record_csp_violations
from .test_accessibility import check

pytestmark = pytest.mark.browser


def test_search_from_the_header_as_the_public(page, toyama_live, screenshots_dir):
    violations = record_csp_violations(page)
    page.goto("/")
    page.get_by_role("navigation", name="メインメニュー").get_by_role("link", name="検索").click()
    page.get_by_label("検索語").fill("防災")
    with page.expect_navigation():
        page.get_by_role("button", name="検索").click()
    assert "/search/?q=" in page.url
    items = page.get_by_role("region", name="連携推進項目")
    assert items.get_by_role("link", name="防災・危機管理体制の連携・強化").count() >= 1
    assert page.locator(".search-snippet mark").first.inner_text() == "防災"
    page.get_by_role("region", name="会議").get_by_role("link").first.wait_for()
    check(page, "search", screenshots_dir)
    page.set_viewport_size({"width": 375, "height": 800})
    page.screenshot(path=screenshots_dir / "search-phone.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert not violations


def test_open_data_page(page, toyama_live, screenshots_dir):
    violations = record_csp_violations(page)
    page.goto("/")
    page.get_by_role("contentinfo").get_by_role("link", name="オープンデータ").click()
    assert page.get_by_role("heading", level=1).inner_text() == "オープンデータ"
    with page.expect_download() as download:
        page.get_by_role("region", name="本部会議（イベント一覧形式）").get_by_role("link", name="CSV").click()
    assert download.value.suggested_filename == "onetoyama-events.csv"
    check(page, "opendata", screenshots_dir)
    assert not violations
