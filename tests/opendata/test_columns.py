"""What /opendata/ says about each dataset's columns is what the downloads hold: the same
headers, keys and descriptions, and — for the イベント一覧 layout — values that match the
descriptions (empty where it says 空欄, the meeting's date, times, venue, status)."""

import csv
import html
import io
import json
import re

import pytest

from opendata.selectors import DATASETS


def index_columns(page: str, slug: str) -> list[tuple[str, str, str]]:
    start = page.index(f'id="dataset-{slug}"')
    part = page[start : page.index("</section>", start)]
    rows = re.findall(r"<tr><td>(.*?)</td><td><code>(.*?)</code></td><td>(.*?)</td></tr>", part)
    return [tuple(html.unescape(cell) for cell in row) for row in rows]


def csv_dicts(client, path):
    rows = list(csv.reader(io.StringIO(client.get(path).content.decode("utf-8-sig"), newline="")))
    return rows[0], [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


@pytest.mark.django_db
@pytest.mark.parametrize("slug", list(DATASETS))
def test_the_index_describes_the_columns_the_downloads_hold(client, toyama, slug):
    described = index_columns(client.get("/opendata/").content.decode(), slug)
    assert described, slug
    header, _ = csv_dicts(client, f"/opendata/{slug}.csv")
    assert [label for label, _, _ in described] == header
    document = json.loads(client.get(f"/opendata/{slug}.json").content)
    keys = [key for _, key, _ in described]
    assert [c["key"] for c in document["columns"]] == keys
    assert all(list(record) == keys for record in document["records"])  # the documented keys, in order
    text = {c.key for c in DATASETS[slug].columns if c.text}
    for label, key, description in described:
        column = next(c for c in document["columns"] if c["key"] == key)
        assert column["label"] == label
        assert description.removesuffix(" （文字列）").strip() == column["description"]
        assert description.endswith("（文字列）") == (key in text)
        for record in document["records"]:  # codes and ids are text in JSON as well
            if key in text and record[key] is not None:
                assert isinstance(record[key], str | list), (slug, key)
        if key == "url":  # absolute, as the description says
            assert description.endswith("のURL")
            assert all(r["url"].startswith("http://testserver/") for r in document["records"])


@pytest.mark.django_db
def test_the_event_list_holds_what_its_columns_say(client, toyama):
    page = client.get("/opendata/").content.decode()
    described = {label: description for label, _, description in index_columns(page, "events")}
    _, events = csv_dicts(client, "/opendata/events.csv")
    meetings = {m["id"]: m for m in json.loads(client.get("/opendata/meetings.json").content)["records"]}
    assert [e["ID"] for e in events] == [i for i, m in meetings.items() if m["date"]]  # the dated meetings
    blank = [label for label, description in described.items() if description.startswith("（空欄）")]
    assert "イベント名_カナ" in blank and "緯度" in blank
    for event in events:
        meeting = meetings[event["ID"]]
        assert all(event[label] == "" for label in blank), event["ID"]
        assert (event["全国地方公共団体コード"], event["地方公共団体名"]) == ("160008", "富山県")
        assert event["イベント名"] == f"「ワンチームとやま」連携推進本部 {meeting['title']}"
        assert event["開始日"] == event["終了日"] == meeting["date"]
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", event["開始日"])
        assert (event["開始時間"], event["終了時間"]) == (meeting["start_time"], meeting["end_time"])
        assert all(re.fullmatch(r"(\d{2}:\d{2})?", event[label]) for label in ("開始時間", "終了時間"))
        assert event["説明"] == f"{meeting['kind']}（{meeting['mode']}）"
        assert event["連絡先名称"] == "富山県 ワンチームとやま推進室"
        assert event["主催者"] == "「ワンチームとやま」連携推進本部"
        assert event["場所名称"] == meeting["venue"]
        assert event["URL"] == meeting["url"] == f"http://testserver/meetings/{event['ID']}/"
        assert event["備考"] == meeting["status"] and event["備考"] in ("開催済み", "予定")
    assert {e["説明"] for e in events} >= {"本部会議（対面）", "臨時会議（WEB）"}
    assert "本部会議（対面）" in described["説明"]
