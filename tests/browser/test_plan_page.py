"""The DX plan as a municipal officer finds it: from 自治体行政のデジタル化 to the plan page and
its PDF, under the Content-Security-Policy, readable on a desktop and on a phone; and the
plan's admin screen for the secretariat. Screenshots: build/screenshots/plan-*.png."""

from projects.models import Plan

from .helpers import log_in, record_csp_violations


def test_an_officer_finds_the_plan_from_the_item_and_downloads_the_bundle(municipal_page, screenshots_dir):
    page = municipal_page
    console = record_csp_violations(page)
    plan = Plan.objects.get(project__title="自治体行政のデジタル化")
    page.goto(f"/projects/{plan.project_id}/")
    timeline = page.get_by_role("table", name="年度ごとの主な取組み（月は4月から3月の順）")
    headers = timeline.locator("thead th").all_inner_texts()
    assert headers == ["月", "令和3年度", "令和4年度", "令和5年度"]
    march = timeline.locator("tbody tr", has=page.locator("th", has_text="3月"))
    assert march.locator("td").nth(2).inner_text() == "デジタルによる変革推進条例の制定"
    page.locator("#h-timeline").scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots_dir / "plan-item-timeline.png"))
    page.get_by_role("link", name="富山県DX・働き方改革推進計画 ～人口減少社会へ対応するために～").click()
    page.wait_for_url(f"**/projects/{plan.project_id}/plans/{plan.pk}/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("富山県DX・働き方改革推進計画")
    states = page.locator(".state")
    assert states.count() == 17
    assert states.nth(16).locator(".directions li").count() == 3
    page.screenshot(path=str(screenshots_dir / "plan-page.png"), full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="資料一式（PDF）をダウンロード").click()
    assert download.value.suggested_filename.endswith(".pdf")
    # On a phone the timeline scrolls inside its box; the page itself does not scroll sideways.
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"/projects/{plan.project_id}/plans/{plan.pk}/")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.screenshot(path=str(screenshots_dir / "plan-page-phone.png"), full_page=True)
    assert not console and not page.evaluate("window.__csp || []")


def test_the_secretariat_edits_the_plan_on_one_screen(page, toyama_live, screenshots_dir):
    console = record_csp_violations(page)
    log_in(page, "secretariat")
    plan = Plan.objects.get(project__title="自治体行政のデジタル化")
    page.goto(f"/admin/projects/plan/{plan.pk}/change/")
    assert page.locator("#desired_states-group tbody tr.has_original").count() == 17
    assert page.locator("#steps-group tbody tr.has_original").count() == 6
    assert page.locator("#lessons-group tbody tr.has_original").count() == 3
    page.screenshot(path=str(screenshots_dir / "plan-admin.png"), full_page=True)
    state = plan.desired_states.get(area_number=1, label="①")
    page.goto(f"/admin/projects/desiredstate/{state.pk}/change/")
    rows = page.locator("#directions-group tbody tr.has_original")
    assert rows.count() == 3
    assert not console
