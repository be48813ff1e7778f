"""Open data (/opendata/): CSV with BOM and Japanese headers, JSON, published records only,
the pages' figures, the イベント一覧 layout and conditional GET from the data version."""

import csv
import io
import json
import re

import pytest

from meetings.models import Meeting
from onechoice.services import record_save
from opendata.selectors import DATASETS
from projects.models import Project

EVENT_HEADER = [
    "全国地方公共団体コード", "ID", "地方公共団体名", "イベント名", "イベント名_カナ", "イベント名_英字",
    "開始日", "終了日", "開始時間", "終了時間", "説明", "料金(基本)", "料金(詳細)", "連絡先名称",
    "連絡先電話番号", "連絡先内線番号", "主催者", "場所名称", "住所", "方書", "緯度", "経度", "アクセス方法",
    "駐車場情報", "定員", "参加申込終了日", "参加申込終了時間", "参加申込方法", "参加申込ページURL", "URL",
    "画像", "画像_ライセンス", "備考",
]  # fmt: skip


def csv_rows(response):
    body = response.content
    assert body.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


@pytest.mark.django_db
def test_the_index_names_the_licence_and_every_dataset(client, toyama):
    page = client.get("/opendata/").content.decode()
    assert "CC BY 4.0" in page and "富山県 ワンチームとやま推進室" in page
    for slug in DATASETS:
        assert f'href="/opendata/{slug}.csv"' in page and f'href="/opendata/{slug}.json"' in page


@pytest.mark.django_db
def test_items_csv_and_json_agree_and_match_the_items_page(client, toyama):
    rows = csv_rows(client.get("/opendata/items.csv"))
    assert rows[0][:4] == ["ID", "項目ID", "連携項目名", "年度"]
    document = json.loads(client.get("/opendata/items.json").content)
    assert document["license"] == "CC BY 4.0" and document["attribution"] == "富山県 ワンチームとやま推進室"
    assert len(rows) - 1 == len(document["records"]) > 0
    listed = re.search(r"<p>(\d+)件</p>", client.get("/projects/").content.decode()).group(1)
    assert len({r["item_id"] for r in document["records"]}) == int(listed)
    disaster = next(r for r in document["records"] if r["title"] == "防災・危機管理体制の連携・強化")
    assert all(re.fullmatch(r"\d{6}", code) for code in disaster["proposer_codes"]) and disaster["proposers"]


@pytest.mark.django_db
def test_codes_are_quoted_text_in_csv(client, toyama):
    body = client.get("/opendata/events.csv").content.decode("utf-8-sig")
    first = body.splitlines()[1]
    assert first.startswith('"160008","')  # code and ID quoted: spreadsheets keep them as text


@pytest.mark.django_db
def test_meetings_in_the_event_list_layout(client, toyama):
    rows = csv_rows(client.get("/opendata/events.csv"))
    assert rows[0] == EVENT_HEADER
    r3_fourth = Meeting.objects.get(fiscal_year=2021, kind="regular", number=4)
    row = next(r for r in rows[1:] if r[1] == str(r3_fourth.pk))
    record = dict(zip(EVENT_HEADER, row, strict=True))
    assert record["開始日"] == record["終了日"] == "2022-01-20"
    assert (record["開始時間"], record["終了時間"]) == ("15:00", "16:30")
    assert record["場所名称"] == "県民会館8階バンケットホール" and record["地方公共団体名"] == "富山県"
    assert record["URL"] == f"http://testserver/meetings/{r3_fourth.pk}/"


@pytest.mark.django_db
def test_only_published_records_for_everyone(client, toyama, secretariat_client):
    hidden = Project.objects.get(title="防災・危機管理体制の連携・強化")
    hidden.is_published = False
    record_save(hidden)
    meeting = Meeting.objects.get(fiscal_year=2021, kind="regular", number=4)
    meeting.is_published = False
    record_save(meeting)
    for who in (client, secretariat_client):
        items = json.loads(who.get("/opendata/items.json").content)["records"]
        assert "防災・危機管理体制の連携・強化" not in {r["title"] for r in items}
        meetings = json.loads(who.get("/opendata/meetings.json").content)["records"]
        assert meeting.pk not in {r["id"] for r in meetings} and str(meeting.pk) not in {r["id"] for r in meetings}
        assert str(meeting.pk) not in [r[1] for r in csv_rows(who.get("/opendata/events.csv"))]


@pytest.mark.django_db
def test_conditional_get_follows_the_data_version(client, toyama):
    first = client.get("/opendata/meetings.json")
    etag = first["ETag"]
    assert client.get("/opendata/meetings.json", HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get("/opendata/meetings.csv")["ETag"] != etag
    meeting = Meeting.objects.get(fiscal_year=2021, kind="regular", number=4)
    meeting.venue = "富山県庁"
    record_save(meeting)
    again = client.get("/opendata/meetings.json", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 200 and again["ETag"] != etag


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/opendata/nothing.csv", "/opendata/items.xml", "/opendata/items.csv.json"])
def test_unknown_datasets_and_formats_are_404(client, path):
    assert client.get(path).status_code == 404


@pytest.mark.django_db
def test_sessions_are_the_visible_sessions_and_hide_unpublished_items(client, toyama):
    from workgroups.models import WorkingGroupSession

    records = json.loads(client.get("/opendata/sessions.json").content)["records"]
    assert len(records) == WorkingGroupSession.objects.visible(public=True).count() > 0
    hidden = Project.objects.get(title="防災・危機管理体制の連携・強化")
    hidden.is_published = False
    record_save(hidden)
    after = json.loads(client.get("/opendata/sessions.json").content)["records"]
    assert "防災・危機管理体制の連携・強化" not in {r["item"] for r in after} and len(after) < len(records)
