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
    # On a phone the years are read one after another (no box to scroll sideways), the same
    # steps as the table's columns; the page itself does not scroll sideways.
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"/projects/{plan.project_id}/plans/{plan.pk}/")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert not page.locator(".timeline-scroll").is_visible()
    years = page.locator(".timeline-years")
    assert years.locator("h3").all_inner_texts() == ["令和3年度", "令和4年度", "令和5年度"]
    r5 = years.locator("dl").nth(2)
    assert r5.locator("dt").last.inner_text() == "3月"
    assert "デジタルによる変革推進条例の制定" in r5.locator("dd").last.inner_text()
    shown = years.locator("li").count()
    assert shown == page.locator(".timeline-table li").count() > 0  # every step of the table, once
    years.scroll_into_view_if_needed()
    page.screenshot(path=str(screenshots_dir / "plan-timeline-phone.png"))
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


def test_the_secretariat_reorders_and_adds_directions_for_all_states_on_one_screen(page, toyama_live, screenshots_dir):
    """From the plan's change page, one click to the 「まとめて編集」 screen; a direction moved
    up with its 上へ button and one typed into an empty row of another state; one save: both
    stored, the other 15 states untouched. 1366×768, then at phone width."""
    console = record_csp_violations(page)
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in(page, "secretariat")
    plan = Plan.objects.get(project__title="自治体行政のデジタル化")
    states = list(plan.desired_states.order_by("area_number", "order", "pk"))
    first, last = states[0], states[-1]
    before = {s.pk: list(s.directions.order_by("order").values_list("text", flat=True)) for s in states}
    assert len(before[first.pk]) >= 2
    page.goto(f"/admin/projects/plan/{plan.pk}/change/")
    page.get_by_role("link", name="ありたい姿と取組みの方向性をまとめて編集").click()
    assert page.locator(".plan-state").count() == 17
    page.screenshot(path=str(screenshots_dir / "plan-directions.png"))

    rows = page.locator(f"#state-{first.pk} tbody tr.form-row:not(.empty-row)")
    rows.nth(1).get_by_role("button", name="上へ").click()
    page.locator(f"#state-{last.pk} tr.empty-row td.field-text input").first.fill("県と市町村の窓口をつなぐ")
    with page.expect_navigation():
        page.get_by_role("button", name="まとめて保存").click()
    assert (
        "取組みの方向性を保存しました（追加 1 件、変更 2 件、削除 0 件）" in page.locator(".messagelist").inner_text()
    )

    after = {s.pk: list(s.directions.order_by("order").values_list("text", flat=True)) for s in states}
    moved = before[first.pk]
    assert after[first.pk] == [moved[1], moved[0], *moved[2:]]
    assert after[last.pk] == [*before[last.pk], "県と市町村の窓口をつなぐ"]
    assert {pk: texts for pk, texts in after.items() if pk not in (first.pk, last.pk)} == {
        pk: texts for pk, texts in before.items() if pk not in (first.pk, last.pk)
    }
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(screenshots_dir / "plan-directions-phone.png"))
    assert not console
