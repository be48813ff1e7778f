"""What people do in the portal, in a real browser: a municipal officer finds an item and
downloads its progress sheet; a visitor cannot reach an unpublished meeting."""

import re

import pytest

from meetings.models import Meeting
from tests import pdf_reading

from .helpers import log_in

pytestmark = pytest.mark.browser

TOYAMA_CITY = "162019"
TOYAMA_CITY_FY2021_ITEM = "有害鳥獣の市町村による連携捕獲の推進"
NOT_TOYAMA_CITY_ITEM = "ゼロカーボンシティ富山の実現"  # proposed by 魚津市 and 南砺市


def choose(field, value: str) -> None:
    """Set a filter field, whether it is a dropdown or a text box."""
    if field.evaluate("el => el.tagName") == "SELECT":
        field.select_option(value)
    else:
        field.fill(value)


def open_toyama_city_item(page) -> None:
    page.goto("/projects/")
    page.locator("main details.filter-box > summary").click()  # the filters sit behind 「絞り込み」
    form = page.locator("form:has([name=municipality])")
    choose(form.locator("[name=fiscal_year]"), "2021")
    choose(form.locator("[name=municipality]"), TOYAMA_CITY)
    with page.expect_navigation():
        form.locator("[type=submit]").click()
    assert "fiscal_year=2021" in page.url and f"municipality={TOYAMA_CITY}" in page.url
    results = page.locator("main table")
    assert results.get_by_role("link", name=TOYAMA_CITY_FY2021_ITEM).is_visible()
    assert results.get_by_role("link", name=NOT_TOYAMA_CITY_ITEM).count() == 0
    with page.expect_navigation():
        results.get_by_role("link", name=TOYAMA_CITY_FY2021_ITEM).click()
    assert re.search(r"/projects/\d+/$", page.url)
    assert page.locator("h1").inner_text() == TOYAMA_CITY_FY2021_ITEM


def test_municipal_officer_logs_in_filters_items_and_opens_one(municipal_page):
    page = municipal_page
    assert page.get_by_role("button", name=re.compile("ログアウト")).is_visible()
    open_toyama_city_item(page)
    # The filter is kept on the way back to the list.
    page.go_back()
    assert page.locator("[name=municipality]").input_value() == TOYAMA_CITY


def test_progress_sheet_downloads_as_a_pdf(municipal_page):
    page = municipal_page
    open_toyama_city_item(page)
    link = page.get_by_role("link", name=re.compile("令和3年度.*進捗シート"))
    if link.count() == 0:
        link = page.get_by_role("link", name=re.compile("進捗シート"))
    link = link.first
    assert re.search(r"/projects/\d+/sheet\.pdf", link.get_attribute("href"))
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.failure() is None
    assert download.suggested_filename.endswith(".pdf")
    content = download.path().read_bytes()
    assert content.startswith(b"%PDF-")
    assert len(pdf_reading.reader(content).pages) >= 1
    assert "有害鳥獣" in pdf_reading.text(content)


@pytest.fixture
def unpublished_meeting(toyama_live) -> Meeting:
    meeting = Meeting.objects.get(fiscal_year=2021, kind="regular", number=3)
    meeting.is_published = False
    meeting.save()
    return meeting


def test_visitor_cannot_see_an_unpublished_meeting(page, unpublished_meeting):
    published = Meeting.objects.get(fiscal_year=2021, kind="regular", number=4)
    hidden = f"/meetings/{unpublished_meeting.pk}/"

    response = page.goto(f"/meetings/{published.pk}/")
    assert response.status == 200
    assert page.locator("h1").inner_text() == "令和3年度 第4回本部会議"

    response = page.goto(hidden)
    assert response.status == 404  # not 403: the answer must not confirm that it exists
    assert "第3回本部会議" not in page.content()
    assert page.request.get(f"{hidden}agenda.pdf").status == 404

    page.goto("/meetings/")
    assert page.locator(f'a[href="{hidden}"]').count() == 0
    assert page.locator(f'a[href="/meetings/{published.pk}/"]').count() == 1

    # The same meeting is there for a municipal officer.
    log_in(page, "municipal")
    response = page.goto(hidden)
    assert response.status == 200
    assert page.locator("h1").inner_text() == "令和3年度 第3回本部会議"
