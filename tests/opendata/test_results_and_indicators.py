"""The 施策の年度実績 and 指標の値 datasets: CSV (BOM, Japanese headers) and JSON agree, hold
the same records and figures as the item pages, and only the published items, for everyone."""

import csv
import io
import json
import re

import pytest
from django.utils.html import escape

from projects.models import IndicatorValue, MeasureResult, Project
from projects.services import project_save

RESULT_HEADER = [
    "ID", "項目ID", "連携項目名", "年度", "施策ID", "見出し", "番号", "施策名", "取り組み成果", "今後の取組み",
    "進行管理の方法", "評価", "達成状況", "URL",
]  # fmt: skip
INDICATOR_HEADER = [
    "ID", "項目ID", "連携項目名", "指標ID", "指標名", "単位", "施策", "時点", "年度", "時点（表記）", "値",
    "全国順位", "備考", "URL",
]  # fmt: skip


def csv_records(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")  # the BOM, for spreadsheets
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))
    return rows[0], [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def json_records(response):
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    document = json.loads(response.content.decode("utf-8"))
    assert document["license"] == "CC BY 4.0" and document["attribution"] == "富山県 ワンチームとやま推進室"
    return document["records"]


def section(page: str, anchor: str) -> str:
    start = page.index(f'<section id="{anchor}"')
    return page[start : page.index("</section>", start)]


@pytest.mark.django_db
def test_results_csv_and_json_hold_every_published_result(client, toyama):
    header, rows = csv_records(client.get("/opendata/results.csv"))
    assert header == RESULT_HEADER
    records = json_records(client.get("/opendata/results.json"))
    assert len(rows) == len(records) == MeasureResult.objects.count() == 47
    assert [r["ID"] for r in rows] == [r["id"] for r in records]  # the same records, the same order
    ids = [r["id"] for r in records]
    assert len(set(ids)) == len(ids) and all(isinstance(i, str) for i in ids)  # stable ids, as text
    first = records[0]
    assert first["item"] == "有害鳥獣の市町村による連携捕獲の推進" and first["fiscal_year"] == 2021
    assert (first["heading"], first["label"]) == ("クマ等による人身被害防止対策の推進", "①")
    assert first["measure"] == "出没への対応や人身被害等に関する市町村間の情報共有"
    assert first["follow_up"] == "被害対策会議等で個別の進行管理"
    assert first["url"] == f"http://testserver/projects/{first['item_id']}/#fy2021"
    assert rows[0]["施策名"] == first["measure"] and rows[0]["取り組み成果"] == first["results"]
    assert rows[0]["年度"] == "2021"


@pytest.mark.django_db
def test_results_are_the_rows_of_the_item_pages(client, toyama):
    """Every item page's 取り組み結果と今後の方向性 table, year by year, holds exactly the
    dataset's results of that item and year, with the same texts and grades."""
    records = json_records(client.get("/opendata/results.json"))
    by_page = {}
    for r in records:
        by_page.setdefault((r["item_id"], r["fiscal_year"]), []).append(r)
    assert len(by_page) > 1
    pages = {}
    for (item_id, fiscal_year), results in by_page.items():
        page = pages.setdefault(item_id, client.get(f"/projects/{item_id}/").content.decode())
        table = section(page, f"fy{fiscal_year}")
        assert table.count('<th scope="row">') == len(results), (item_id, fiscal_year)
        for r in results:
            assert f'<th scope="row">{escape(r["label"])}{escape(r["measure"])}' in table
            assert escape(r["results"]) in table and escape(r["next_steps"]) in table
            if r["grade"]:
                assert f"評価 {r['grade']} {r['achievement']}" in table


@pytest.mark.django_db
def test_indicators_csv_and_json_print_values_as_the_item_page(client, toyama):
    header, rows = csv_records(client.get("/opendata/indicators.csv"))
    assert header == INDICATOR_HEADER
    records = json_records(client.get("/opendata/indicators.json"))
    assert len(rows) == len(records) == IndicatorValue.objects.count() == 14
    card = [r for r in records if r["indicator"] == "マイナンバーカード交付率"]
    assert [(r["date"], r["fiscal_year"], r["value"], r["rank"], r["period"]) for r in card] == [
        ("2021-01-01", None, "22.7", 27, "R3.1.1時点"),
        ("2022-01-01", None, "41.7", 10, "R4.1.1時点"),
    ]
    procedures = [r for r in records if r["indicator"] == "電子申請対応手続数（累計）"]
    assert [(r["fiscal_year"], r["date"], r["value"], r["unit"]) for r in procedures] == [
        (2020, "", "102", "件"),
        (2023, "", "3,811", "件"),  # as printed: digits grouped, no trailing zeros
    ]
    row = next(r for r in rows if r["ID"] == procedures[1]["id"])
    assert (row["値"], row["年度"], row["時点"], row["全国順位"]) == ("3,811", "2023", "", "")
    assert row["URL"] == f"http://testserver/projects/{procedures[1]['item_id']}/"


@pytest.mark.django_db
def test_indicators_are_the_tables_of_the_item_pages(client, toyama):
    """Each item page's 指標 tables show exactly the dataset's values of that item, in the
    same order: period, value with its unit, national rank."""
    records = json_records(client.get("/opendata/indicators.json"))
    for item_id in {r["item_id"] for r in records}:
        page = client.get(f"/projects/{item_id}/").content.decode()
        cells = re.findall(r"<tr><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td></tr>", page)
        expected = [
            (r["period"], escape(f"{r['value']}{r['unit']}"), f"{r['rank']}位" if r["rank"] else "")
            for r in records
            if r["item_id"] == item_id
        ]
        assert cells == expected


@pytest.mark.django_db
def test_unpublished_items_are_left_out_for_everyone(client, toyama, secretariat_client):
    digital = Project.objects.get(title="自治体行政のデジタル化")
    bears = Project.objects.get(title="有害鳥獣の市町村による連携捕獲の推進")
    before = {slug: json_records(client.get(f"/opendata/{slug}.json")) for slug in ("results", "indicators")}
    assert {r["item"] for r in before["indicators"]} == {digital.title}
    assert bears.title in {r["item"] for r in before["results"]}
    for project in (digital, bears):
        project.is_published = False
        project_save(project=project)
    for who in (client, secretariat_client):  # staff see unpublished items in the portal, not here
        results = json_records(who.get("/opendata/results.json"))
        indicators = json_records(who.get("/opendata/indicators.json"))
        assert bears.title not in {r["item"] for r in results} and digital.title not in {r["item"] for r in results}
        assert indicators == []
        assert (
            len(results)
            == len(before["results"]) - MeasureResult.objects.filter(project_year__project__in=[digital, bears]).count()
        )
        _, rows = csv_records(who.get("/opendata/indicators.csv"))
        assert rows == []
        _, rows = csv_records(who.get("/opendata/results.csv"))
        assert bears.title not in {r["連携項目名"] for r in rows} and len(rows) == len(results)
