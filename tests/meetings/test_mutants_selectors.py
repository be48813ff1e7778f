"""What scripts/mutation found the tests did not pin down about the meeting reads that take
``public``: which dated and planned meetings count as upcoming and which come first when there
are more than the page shows, the default lengths, the public's view of a meeting and of a
handout, the order of handouts, the query counts the docstrings promise, and the schedule's
years."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from meetings import selectors
from meetings.models import AgendaItem, Handout, Meeting
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = dt.date(2021, 11, 10)


def dated(day, *, published=True, **fields):
    fiscal_year = day.year if day.month >= 4 else day.year - 1
    return factories.meeting(date=day, fiscal_year=fiscal_year, is_published=published, **fields)


def planned(year, month, period="", *, published=True, fiscal_year=2021):
    return factories.meeting(
        status="planned",
        date=None,
        start_time=None,
        end_time=None,
        planned_year=year,
        planned_month=month,
        planned_period=period,
        fiscal_year=fiscal_year,
        is_published=published,
    )


def pks(meetings):
    return [m.pk for m in meetings]


# --- upcoming and recent -------------------------------------------------------------------------


def test_upcoming_are_meetings_from_today_and_planned_ones_from_this_month():
    today = dated(TODAY)
    dated(TODAY - dt.timedelta(days=1))
    this_month = planned(2021, 11)
    planned(2021, 10)  # earlier this year
    next_year = planned(2022, 1)
    planned(2020, 12, fiscal_year=2020)  # a later month, but of a past year
    upcoming = selectors.meetings_upcoming(today=TODAY, public=True, limit=10)
    assert pks(upcoming) == pks([this_month, today, next_year])  # by the (approximate) day


def test_upcoming_and_recent_show_three_by_default():
    for day in range(11, 16):
        dated(dt.date(2021, 11, day))
    for day in range(1, 6):
        dated(dt.date(2021, 10, day))
    assert len(selectors.meetings_upcoming(today=TODAY, public=True)) == 3
    assert len(selectors.meetings_recent(today=TODAY, public=True)) == 3


def test_the_earliest_planned_meetings_make_the_cut():
    # created latest-first, so that the database's own order would pick the wrong ones
    late, middle, early = planned(2021, 11, "late"), planned(2021, 11, "middle"), planned(2021, 11, "early")
    assert pks(selectors.meetings_upcoming(today=TODAY, public=True, limit=1)) == [early.pk]
    assert pks(selectors.meetings_upcoming(today=TODAY, public=True, limit=3)) == pks([early, middle, late])


def test_the_year_and_then_the_month_come_before_the_period():
    planned(2022, 1, "early")
    december = planned(2021, 12, "early")
    assert pks(selectors.meetings_upcoming(today=TODAY, public=True, limit=1)) == [december.pk]
    november = planned(2021, 11, "late")
    assert pks(selectors.meetings_upcoming(today=TODAY, public=True, limit=1)) == [november.pk]


def test_upcoming_and_recent_show_the_public_only_published_meetings():
    shown, hidden = dated(TODAY + dt.timedelta(days=1)), dated(TODAY + dt.timedelta(days=2), published=False)
    hidden_plan = planned(2021, 12, published=False)
    past, past_hidden = dated(TODAY - dt.timedelta(days=1)), dated(TODAY - dt.timedelta(days=2), published=False)
    assert pks(selectors.meetings_upcoming(today=TODAY, public=True)) == [shown.pk]
    assert pks(selectors.meetings_upcoming(today=TODAY, public=False)) == pks([shown, hidden, hidden_plan])
    assert pks(selectors.meetings_recent(today=TODAY, public=True)) == [past.pk]
    assert pks(selectors.meetings_recent(today=TODAY, public=False)) == pks([past, past_hidden])


# --- one meeting -----------------------------------------------------------------------------------


@pytest.fixture
def meeting():
    meeting = dated(dt.date(2022, 1, 20), published=False)
    department = factories.department()
    handouts = {}
    for kind, number, public in (("material", 2, True), ("reference", 1, True), ("material", 1, False)):
        handouts[(kind, number)] = Handout.objects.create(
            meeting=meeting, kind=kind, number=number, title=f"{kind}{number}", public=public, department=department
        )
    for order in (2, 1):
        AgendaItem.objects.create(meeting=meeting, order=order, section="other", title=f"議題{order}")
    organization = factories.organization()
    for order in (2, 1):
        factories.attendance(meeting, organization, protocol_order=order)
    return meeting


def test_a_meeting_in_full_is_four_queries_with_handouts_in_kind_and_number_order(meeting):
    with CaptureQueriesContext(connection) as queries:
        detail = selectors.meeting_detail(meeting.pk)
    assert len(queries) == 4
    with CaptureQueriesContext(connection) as queries:  # everything the page shows is already there
        handouts = [(h.kind, h.number, h.department.name) for h in detail.handouts.all()]
        items = [i.order for i in detail.agenda_items.all()]
        attendances = [a.protocol_order for a in detail.attendances.all()]
    assert len(queries) == 0
    assert [(kind, number) for kind, number, _ in handouts] == [("material", 1), ("material", 2), ("reference", 1)]
    assert items == [1, 2] and attendances == [1, 2]


def test_the_public_gets_a_published_meeting_with_its_public_handouts_only(meeting):
    with pytest.raises(Meeting.DoesNotExist):
        selectors.meeting_detail(meeting.pk, public=True)
    meeting.is_published = True
    meeting.save()
    public = selectors.meeting_detail(meeting.pk, public=True)
    assert [(h.kind, h.number) for h in public.handouts.all()] == [("material", 2), ("reference", 1)]


def test_a_handout_with_a_file_for_whom_may_see_it(meeting):
    handouts = {(h.kind, h.number): h for h in Handout.objects.filter(meeting=meeting)}
    Handout.objects.filter(meeting=meeting).exclude(kind="reference").update(file="handouts/x.pdf")
    with_file, private, without_file = handouts[("material", 2)], handouts[("material", 1)], handouts[("reference", 1)]
    with pytest.raises(Handout.DoesNotExist):  # a handout without a file has nothing to download
        selectors.handout_with_file(without_file.pk, public=False)
    with pytest.raises(Handout.DoesNotExist):  # public, but its meeting is not published
        selectors.handout_with_file(with_file.pk, public=True)
    Meeting.objects.filter(pk=meeting.pk).update(is_published=True)
    with pytest.raises(Handout.DoesNotExist):  # not public
        selectors.handout_with_file(private.pk, public=True)
    with CaptureQueriesContext(connection) as queries:
        found = selectors.handout_with_file(with_file.pk, public=True)
        assert found.meeting.pk == meeting.pk
    assert len(queries) == 1
    assert selectors.handout_with_file(private.pk, public=False).pk == private.pk


# --- the schedule ----------------------------------------------------------------------------------


def test_the_schedule_shows_the_year_and_the_two_before_in_time_order():
    dated(dt.date(2019, 6, 1))  # fiscal 2019: outside the three years
    june_2020 = dated(dt.date(2020, 6, 1))
    may_2021 = planned(2021, 5)
    june_2021 = dated(dt.date(2021, 6, 1))
    hidden_2022 = dated(dt.date(2022, 4, 20), published=False)
    dated(dt.date(2023, 4, 20))  # fiscal 2023: after the year
    years = selectors.annual_schedule(2022)
    assert [(y.fiscal_year, pks(y.meetings)) for y in years] == [
        (2020, [june_2020.pk]),
        (2021, pks([may_2021, june_2021])),
        (2022, [hidden_2022.pk]),  # unpublished: for logged-in users by default
    ]
    public = selectors.annual_schedule(2022, public=True)
    assert [y.fiscal_year for y in public] == [2020, 2021]
    assert [y.fiscal_year for y in selectors.annual_schedule(2022, years=1)] == [2022]
