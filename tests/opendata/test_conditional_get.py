"""Last-Modified on every dataset (the newest change history entry of the records it is made
of), If-Modified-Since answered 304 consistently with the ETag, and the same date on
/opendata/ as 「最終更新」."""

import datetime as dt

import pytest
from django.utils.http import http_date

from meetings.models import Meeting
from meetings.services import meeting_save
from onechoice import jpdates
from onechoice.services import record_delete
from opendata.selectors import DATASETS
from projects.models import IndicatorValue, Project
from projects.services import indicator_value_save, project_save

PATHS = [f"/opendata/{slug}.{fmt}" for slug in DATASETS for fmt in ("csv", "json")]
# A change recorded at a known time, later than the reference data's load: 20:00 UTC on
# 31 March is already 1 April in Toyama.
LATER = dt.datetime(2030, 3, 31, 20, 0, tzinfo=dt.UTC)


def newest_change(*models) -> dt.datetime:
    return max(m.history.model.objects.latest("history_date").history_date for m in models)


def changed_at(instance, moment):
    """Record the next write of ``instance`` in its history at ``moment``
    (django-simple-history's ``_history_date``)."""
    instance._history_date = moment
    return instance


@pytest.mark.django_db
@pytest.mark.parametrize("path", PATHS)
def test_every_dataset_sends_last_modified_and_answers_304_to_it(client, toyama, path):
    first = client.get(path)
    assert first.status_code == 200
    modified, etag = first["Last-Modified"], first["ETag"]
    slug = path.rsplit("/", 1)[1].split(".")[0]
    assert modified == http_date(newest_change(*DATASETS[slug].sources).timestamp())
    again = client.get(path, HTTP_IF_MODIFIED_SINCE=modified)
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == etag and again["Last-Modified"] == modified
    assert client.head(path, HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    earlier = http_date(newest_change(*DATASETS[slug].sources).timestamp() - 60)
    assert client.get(path, HTTP_IF_MODIFIED_SINCE=earlier).status_code == 200


@pytest.mark.django_db
def test_the_etag_decides_when_both_are_sent(client, toyama):
    """RFC 9110 §13.1.3: with If-None-Match, If-Modified-Since is ignored."""
    first = client.get("/opendata/items.json")
    modified, etag = first["Last-Modified"], first["ETag"]
    old = http_date(LATER.timestamp() - 10 * 365 * 86400)
    assert client.get("/opendata/items.json", HTTP_IF_NONE_MATCH=etag, HTTP_IF_MODIFIED_SINCE=old).status_code == 304
    stale = client.get("/opendata/items.json", HTTP_IF_NONE_MATCH='"stale"', HTTP_IF_MODIFIED_SINCE=modified)
    assert stale.status_code == 200 and stale["ETag"] == etag


@pytest.mark.django_db
def test_a_change_moves_last_modified_of_the_datasets_it_feeds_only(client, toyama):
    before = {path: client.get(path) for path in ("/opendata/indicators.csv", "/opendata/items.csv")}
    value = IndicatorValue.objects.get(indicator__name="マイナンバーカード交付率", date=dt.date(2022, 1, 1))
    value.note = "全国10位"
    indicator_value_save(indicator_value=changed_at(value, LATER))

    indicators = client.get(
        "/opendata/indicators.csv", HTTP_IF_MODIFIED_SINCE=before["/opendata/indicators.csv"]["Last-Modified"]
    )
    assert indicators.status_code == 200 and indicators["Last-Modified"] == http_date(LATER.timestamp())
    assert "全国10位" in indicators.content.decode("utf-8-sig")
    assert indicators["ETag"] != before["/opendata/indicators.csv"]["ETag"]
    # The items are not made of indicator values: still not modified since — while their
    # ETag, which follows the data version of the whole portal, has moved on.
    items_modified = before["/opendata/items.csv"]["Last-Modified"]
    items = client.get("/opendata/items.csv", HTTP_IF_MODIFIED_SINCE=items_modified)
    assert items.status_code == 304 and items["Last-Modified"] == items_modified
    assert items["ETag"] != before["/opendata/items.csv"]["ETag"]


@pytest.mark.django_db
def test_unpublishing_and_deleting_count_as_changes(client, toyama):
    meetings = client.get("/opendata/events.json")
    meeting = Meeting.objects.get(fiscal_year=2021, kind="regular", number=4)
    meeting.is_published = False
    meeting_save(meeting=changed_at(meeting, LATER))
    hidden = client.get("/opendata/events.json", HTTP_IF_MODIFIED_SINCE=meetings["Last-Modified"])
    assert hidden.status_code == 200 and hidden["Last-Modified"] == http_date(LATER.timestamp())
    assert str(meeting.pk) not in {r["id"] for r in hidden.json()["records"]}

    indicators = client.get("/opendata/indicators.json")
    value = IndicatorValue.objects.filter(indicator__name="マイナンバーカード交付率").first()
    later = LATER + dt.timedelta(hours=1)
    record_delete(changed_at(value, later))
    gone = client.get("/opendata/indicators.json", HTTP_IF_MODIFIED_SINCE=indicators["Last-Modified"])
    assert gone.status_code == 200 and gone["Last-Modified"] == http_date(later.timestamp())
    assert str(value.pk) not in {r["id"] for r in gone.json()["records"]}


@pytest.mark.django_db
def test_unknown_datasets_are_404_whatever_the_conditions(client, toyama):
    modified = client.get("/opendata/items.csv")["Last-Modified"]
    for path in ("/opendata/nothing.csv", "/opendata/items.xml"):
        assert client.get(path, HTTP_IF_NONE_MATCH="*").status_code == 404
        assert client.get(path, HTTP_IF_MODIFIED_SINCE=modified).status_code == 404


@pytest.mark.django_db
def test_the_index_shows_each_datasets_update_date(client, toyama):
    project = Project.objects.get(title="自治体行政のデジタル化")
    project_save(project=changed_at(project, LATER))
    page = client.get("/opendata/").content.decode()
    for slug, data in DATASETS.items():
        start = page.index(f'id="dataset-{slug}"')
        part = page[start : page.index("</section>", start)]
        modified = client.get(f"/opendata/{slug}.csv")["Last-Modified"]
        day = dt.datetime.strptime(modified, "%a, %d %b %Y %H:%M:%S GMT").replace(tzinfo=dt.UTC)
        assert "最終更新: <time datetime=" in part
        assert f">{jpdates.format_date(day, weekday=False)}</time>" in part, slug
        if Project in data.sources:
            assert ">令和12年4月1日</time>" in part, slug  # the day in Toyama, not in UTC
        else:
            assert "令和12年" not in part, slug
