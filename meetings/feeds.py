"""The iCalendar feed of meetings (RFC 5545), served at /meetings/calendar.ics."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from urllib.parse import urljoin
from zoneinfo import ZoneInfo

from django.db.models import Prefetch, prefetch_related_objects
from django.utils import timezone
from icalendar import Calendar, Event

from onechoice.models import EventStatus

from .models import AgendaItem, Meeting, MeetingMode
from .selectors import agenda_outline

CALENDAR_NAME = "「ワンチームとやま」連携推進本部"
PRODID = "-//Toyama Prefecture//One Team Toyama liaison portal//JA"
TZID = "Asia/Tokyo"
UID_DOMAIN = "onechoice.toyama"
ONLINE = "WEB会議"

_TOKYO = ZoneInfo(TZID)
_STATUS = {EventStatus.HELD: "CONFIRMED", EventStatus.PLANNED: "TENTATIVE"}


def meeting_uid(meeting: Meeting) -> str:
    """The event's UID: it depends on the primary key only, so calendar apps that subscribed
    to the feed update the event in place when its date, time or title changes."""
    return f"meeting-{meeting.pk}@{UID_DOMAIN}"


def meetings_calendar(meetings: Iterable[Meeting], *, base_url: str = "", now: dt.datetime | None = None) -> bytes:
    """A VCALENDAR with one VEVENT per meeting that has a date (undecided meetings, planned
    only for 5月中旬 and the like, are left out): times in Asia/Tokyo with its VTIMEZONE, or an
    all-day event when no start time is known. ``base_url`` (``https://host/``) makes the
    events' URLs absolute. Agenda items come in one extra query for the whole feed."""
    dated = [m for m in meetings if m.date]
    prefetch_related_objects(dated, Prefetch("agenda_items", queryset=AgendaItem.objects.order_by("order")))
    stamp = (now or timezone.now()).astimezone(dt.UTC).replace(microsecond=0)
    calendar = Calendar.new(
        name=CALENDAR_NAME,
        prodid=PRODID,
        uid=f"meetings@{UID_DOMAIN}",
        subcomponents=[_event(m, base_url=base_url, stamp=stamp) for m in dated],
    )
    calendar.add("X-WR-TIMEZONE", TZID)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def _event(meeting: Meeting, *, base_url: str, stamp: dt.datetime) -> Event:
    start, end = _span(meeting)
    event = Event.new(
        uid=meeting_uid(meeting),
        stamp=stamp,
        summary=str(meeting),
        start=start,
        end=end,
        status=_STATUS.get(meeting.status),
        location=_location(meeting),
        description=_description(meeting),
        url=urljoin(base_url, meeting.get_absolute_url()),
    )
    return event


def _span(meeting: Meeting) -> tuple[dt.date | dt.datetime, dt.date | dt.datetime | None]:
    """Start and end: local Tokyo times, or the day (with RFC 5545's exclusive end date)."""
    if not meeting.start_time:
        return meeting.date, meeting.date + dt.timedelta(days=1)
    start = dt.datetime.combine(meeting.date, meeting.start_time, tzinfo=_TOKYO)
    end = dt.datetime.combine(meeting.date, meeting.end_time, tzinfo=_TOKYO) if meeting.end_time else None
    return start, end


def _location(meeting: Meeting) -> str | None:
    if meeting.mode == MeetingMode.ONLINE:
        return ONLINE
    if meeting.mode == MeetingMode.HYBRID:
        return f"{meeting.venue}・{ONLINE}" if meeting.venue else ONLINE
    return meeting.venue or None


def _description(meeting: Meeting) -> str | None:
    """The agenda as printed (1 開会 … 3 議事 (1) …), or the planned topics while there is none."""
    lines = []
    for section in agenda_outline(meeting.agenda_items.all()):
        lines.append(f"{section.number} {section.title}")
        lines.extend(f"　({n}) {item.title}" for n, item in enumerate(section.items, start=1))
    if not lines:
        lines = [f"・{topic.strip()}" for topic in meeting.planned_topics.splitlines() if topic.strip()]
    return "\n".join(lines) or None
