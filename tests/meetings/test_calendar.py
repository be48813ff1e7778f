"""/meetings/calendar.ics: an RFC 5545 feed that a real iCalendar parser reads back to the
meetings' dates and times in Asia/Tokyo."""

import datetime as dt
from zoneinfo import ZoneInfo

from django.db import connection
from django.test.utils import CaptureQueriesContext
from icalendar import Calendar

from meetings import feeds
from meetings.models import Meeting

TOKYO = ZoneInfo("Asia/Tokyo")
URL = "/meetings/calendar.ics"


def feed(client) -> Calendar:
    response = client.get(URL)
    assert response.status_code == 200
    return Calendar.from_ical(response.content)


def events_by_uid(calendar: Calendar) -> dict[str, object]:
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def test_feed_is_served_as_utf8_text_calendar(client, toyama):
    response = client.get(URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.content.startswith(b"BEGIN:VCALENDAR\r\n")
    assert response.content.endswith(b"END:VCALENDAR\r\n")
    assert all(len(line) <= 75 for line in response.content.split(b"\r\n"))  # RFC 5545 3.1 folding


def test_calendar_properties_and_the_tokyo_timezone(client, toyama):
    calendar = feed(client)
    assert calendar["VERSION"] == "2.0"
    assert calendar["PRODID"] == feeds.PRODID
    assert calendar["X-WR-CALNAME"] == "「ワンチームとやま」連携推進本部"
    (timezone,) = calendar.walk("VTIMEZONE")
    assert timezone["TZID"] == "Asia/Tokyo"
    assert timezone.to_tz().utcoffset(dt.datetime(2022, 1, 20)) == dt.timedelta(hours=9)


def test_fy_r3_meetings_round_trip_with_dates_and_times(client, toyama):
    events = events_by_uid(feed(client))
    fy_r3 = Meeting.objects.filter(fiscal_year=2021)
    assert fy_r3.count() == 6
    for meeting in fy_r3:
        event = events[feeds.meeting_uid(meeting)]
        assert event["SUMMARY"] == str(meeting)
        if meeting.start_time:
            assert event.start == dt.datetime.combine(meeting.date, meeting.start_time, tzinfo=TOKYO)
            assert event.end == dt.datetime.combine(meeting.date, meeting.end_time, tzinfo=TOKYO)
        else:
            assert event.start == meeting.date
            assert event.end == meeting.date + dt.timedelta(days=1)


def test_fourth_meeting_of_fy_r3(client, toyama):
    meeting = Meeting.objects.get(fiscal_year=2021, kind="regular", number=4)
    event = events_by_uid(feed(client))[f"meeting-{meeting.pk}@onechoice.toyama"]
    assert event["SUMMARY"] == "令和3年度 第4回本部会議"
    assert event.start == dt.datetime(2022, 1, 20, 15, 0, tzinfo=TOKYO)
    assert event.end == dt.datetime(2022, 1, 20, 16, 30, tzinfo=TOKYO)
    assert event["DTSTART"].params["TZID"] == "Asia/Tokyo"
    assert event["DTEND"].params["TZID"] == "Asia/Tokyo"
    assert event.start.astimezone(dt.UTC) == dt.datetime(2022, 1, 20, 6, 0, tzinfo=dt.UTC)
    assert event["LOCATION"] == "県民会館8階バンケットホール"
    assert event["STATUS"] == "CONFIRMED"
    assert event["URL"] == f"http://testserver/meetings/{meeting.pk}/"
    assert isinstance(event["DTSTAMP"].dt, dt.datetime) and event["DTSTAMP"].dt.tzinfo is not None
    description = str(event["DESCRIPTION"])
    assert "2 知事あいさつ" in description
    assert "(1) 令和3年度連携推進項目について" in description
    assert "(5) その他" in description


def test_meetings_without_times_are_all_day_events(client, toyama):
    meeting = Meeting.objects.get(fiscal_year=2021, kind="regular", number=2)
    event = events_by_uid(feed(client))[feeds.meeting_uid(meeting)]
    assert event["DTSTART"].params.get("VALUE") == "DATE"
    assert event["DTSTART"].to_ical() == b"20210831"
    assert event["DTEND"].to_ical() == b"20210901"  # exclusive end: one whole day
    assert event["LOCATION"] == "WEB会議"  # an online meeting


def test_planned_meetings_without_a_date_are_left_out(client, toyama):
    undecided = Meeting.objects.filter(date__isnull=True)
    assert undecided.count() == 4  # FY R4, 5月中旬 …
    calendar = feed(client)
    uids = events_by_uid(calendar)
    assert not any(feeds.meeting_uid(m) in uids for m in undecided)
    assert len(uids) == Meeting.objects.filter(date__isnull=False).count()


def test_planned_meeting_with_a_date_is_tentative_with_its_topics(client, toyama):
    meeting = Meeting.objects.get(fiscal_year=2022, kind="regular", number=1)
    meeting.date, meeting.planned_year, meeting.planned_month, meeting.planned_period = (
        dt.date(2022, 5, 18),
        None,
        None,
        "",
    )
    meeting.save()
    event = events_by_uid(feed(client))[feeds.meeting_uid(meeting)]
    assert event["STATUS"] == "TENTATIVE"
    assert str(event["DESCRIPTION"]) == "・令和4年度連携推進項目の取り組み内容等の報告"


def test_uids_are_unique_and_stable_between_requests(client, toyama):
    first = [str(e["UID"]) for e in feed(client).walk("VEVENT")]
    Meeting.objects.filter(fiscal_year=2021, number=4).update(venue="富山県庁")  # an edit keeps the UID
    second = [str(e["UID"]) for e in feed(client).walk("VEVENT")]
    assert first == second
    assert len(set(first)) == len(first)
    assert all(uid.startswith("meeting-") and uid.endswith("@onechoice.toyama") for uid in first)


def test_feed_takes_a_fixed_number_of_queries(client, toyama):
    client.get(URL)  # warm-up: session, content types
    with CaptureQueriesContext(connection) as queries:
        client.get(URL)
    baseline = len(queries)
    for meeting in Meeting.objects.filter(fiscal_year=2020):
        meeting.pk, meeting.fiscal_year = None, meeting.fiscal_year + 10
        meeting.date = meeting.date.replace(year=meeting.date.year + 10)
        meeting.save()
    with CaptureQueriesContext(connection) as queries:
        client.get(URL)
    assert len(queries) == baseline


def test_unpublished_meeting_is_only_in_the_feed_of_logged_in_users(client, toyama, django_user_model):
    """The feed follows the pages' rule: the public sees published meetings only."""
    meeting = Meeting.objects.get(fiscal_year=2021, kind="regular", number=4)
    meeting.is_published = False
    meeting.save()
    assert feeds.meeting_uid(meeting) not in events_by_uid(feed(client))
    client.force_login(django_user_model.objects.create_user("officer"))
    assert feeds.meeting_uid(meeting) in events_by_uid(feed(client))


def test_feed_without_meetings_is_still_valid():
    calendar = Calendar.from_ical(feeds.meetings_calendar([]))
    assert calendar.walk("VEVENT") == []
    assert calendar["X-WR-CALNAME"] == "「ワンチームとやま」連携推進本部"


def test_uid_depends_on_the_primary_key_only():
    meeting = Meeting(pk=42, fiscal_year=2021, number=1, date=dt.date(2021, 6, 4))
    assert feeds.meeting_uid(meeting) == "meeting-42@onechoice.toyama"
