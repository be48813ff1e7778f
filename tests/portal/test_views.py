"""The portal pages answer in Japanese with the real records, in a fixed number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from meetings.models import Meeting
from projects.models import Project


def test_home_page_shows_the_real_data_in_japanese(client, toyama):
    response = client.get("/")
    assert response.status_code == 200
    html = response.text
    assert '<html lang="ja">' in html
    assert "令和3年度 第4回本部会議" in html
    assert "令和4年1月20日（木） 午後3時～4時30分" in html
    assert "令和4年度の連携推進項目" in html  # the latest fiscal year with items
    assert "農林水産物等の輸出促進に向けた連携・強化" in html
    assert html.count("<h1>") == 1
    # Recent WG sessions are those held: the 2/4 drill planned after the meeting is not listed.
    assert "令和4年1月17日（月） WG（防災・危機管理体制の連携・強化）" in html
    assert "令和4年2月4日" not in html


@pytest.mark.parametrize(
    "path_of",
    [
        lambda: "/",
        lambda: "/meetings/",
        lambda: f"/meetings/{Meeting.objects.get(fiscal_year=2021, number=4).pk}/",
        lambda: "/projects/",
        lambda: "/projects/?fiscal_year=2021&municipality=162019",
        lambda: f"/projects/{Project.objects.get(title='自治体行政のデジタル化').pk}/",
        lambda: "/projects/municipalities/162019/",
        lambda: "/workgroups/",
    ],
    ids=["home", "meetings", "meeting", "projects", "projects-filtered", "project", "municipality", "workgroups"],
)
def test_pages_answer_with_a_bounded_number_of_queries(client, toyama, path_of):
    path = path_of()
    with CaptureQueriesContext(connection) as queries:  # built afresh: + a cache read and write
        response = client.get(path)
    assert response.status_code == 200
    assert len(queries) <= 26, [q["sql"][:80] for q in queries]
    with CaptureQueriesContext(connection) as queries:  # from the cache: the version, one read
        assert client.get(path).status_code == 200
    assert len(queries) == 2, [q["sql"][:80] for q in queries]


def test_meeting_page_shows_agenda_handouts_and_attendees(client, toyama):
    meeting = Meeting.objects.get(fiscal_year=2021, number=4)
    html = client.get(f"/meetings/{meeting.pk}/").text
    assert "市町村等（17名）" in html and "県（17名）" in html
    assert "(5)</span> その他" in html
    assert "参考資料2" in html


def test_projects_filtered_by_toyama_city_and_fy2021(client, toyama):
    html = client.get("/projects/?fiscal_year=2021&municipality=162019").text
    assert "有害鳥獣の市町村による連携捕獲の推進" in html
    assert "ゼロカーボンシティ富山の実現" not in html  # proposed by 魚津市 and 南砺市


def test_unknown_municipality_and_meeting_answer_404(client, toyama):
    assert client.get("/projects/municipalities/999999/").status_code == 404
    assert client.get("/meetings/999999/").status_code == 404


def test_item_page_shows_charts_tables_sessions_and_related_handouts(client, toyama):
    project = Project.objects.get(title="自治体行政のデジタル化")
    html = client.get(f"/projects/{project.pk}/").text
    assert '<svg class="chart"' in html and "マイナンバーカード交付率" in html
    assert "R4.1.1時点" in html and "41.7%" in html and "10位" in html
    assert "IT担当課長会議" in html
    assert "資料1 令和3年度連携推進項目の取り組み状況について" in html  # the report it appears in
    assert f"/projects/{project.pk}/sheet.pdf?fiscal_year=2021" in html


def test_pages_are_small(client, toyama):
    project = Project.objects.get(title="自治体行政のデジタル化")
    css = len(open("static/css/portal.css", "rb").read())
    for path in ["/", "/projects/", f"/projects/{project.pk}/", "/workgroups/"]:
        assert len(client.get(path).content) + css < 100_000, path


def test_items_sort_and_keep_filters_in_links(client, toyama):
    by_title = client.get("/projects/?sort=title").text
    titles = ["ゼロカーボンシティ富山の実現", "有害鳥獣の市町村による連携捕獲の推進"]
    assert by_title.index(titles[0]) < by_title.index(titles[1])
    html = client.get("/projects/?municipality=162019").text
    assert '<option value="162019" selected>富山市</option>' in html
    assert "件" in html


def test_meetings_filter_by_fiscal_year_and_kind(client, toyama):
    html = client.get("/meetings/?fiscal_year=2021&kind=extraordinary").text
    assert "新型コロナウイルス対策に関する臨時会議" in html
    assert "第4回本部会議" not in html


def test_item_page_title_is_the_items_title(client, toyama):
    project = Project.objects.get(title="自治体行政のデジタル化")
    html = client.get(f"/projects/{project.pk}/").text
    assert "<title>自治体行政のデジタル化｜「ワンチームとやま」連携推進本部</title>" in html
    assert html.count('id="h-handouts"') == 1


def test_filters_offer_all_years_and_japanese_404(client, toyama):
    html = client.get("/projects/").text
    assert '<option value="" selected>すべての年度</option>' in html
    assert "年度:" not in html  # no ASCII label suffix
    page = client.get("/projects/?municipality=162019&fiscal_year=")
    assert page.status_code == 200 and "ゼロカーボンシティ富山の実現" not in page.text and "有害鳥獣" in page.text
    missing = client.get("/meetings/987654/")
    assert (
        missing.status_code == 404 and "ページが見つかりません" in missing.text and '<html lang="ja">' in missing.text
    )


def test_meeting_page_links_generated_handouts(client, toyama):
    meeting = Meeting.objects.get(fiscal_year=2021, number=4)
    html = client.get(f"/meetings/{meeting.pk}/").text
    assert '<a href="/projects/progress/2021.pdf">令和3年度連携推進項目の取り組み状況について</a>' in html
    assert '<a href="/meetings/schedule/2022.pdf">令和4年度本部会議年間スケジュール</a>' in html
    project = Project.objects.get(title="自治体行政のデジタル化")
    assert "3,811件" in client.get(f"/projects/{project.pk}/").text
