"""What scripts/mutation found the tests did not pin down about the WG reads that take
``public``: the order of the WG lists, the sessions each shows (in time order, and for a fiscal
year only those up to its end), the recent sessions, and that everything the pages read is
fetched up front."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from projects.models import ProjectYear
from projects.services import project_year_save
from tests import factories
from workgroups import selectors

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    city = factories.municipality()
    department = factories.department()
    later = factories.project(city, department, first_fiscal_year=2022)  # created first, starts later
    first = factories.project(city, department, first_fiscal_year=2021)
    second = factories.project(city, department, first_fiscal_year=2021)
    hidden = factories.project(city, department, first_fiscal_year=2021, is_published=False)
    veteran = factories.project(city, department, first_fiscal_year=2020)  # created last, started first
    groups = {
        "veteran": factories.working_group(veteran, department, order=1, lead_department=department),
        "later": factories.working_group(later, department, order=1, lead_department=department),
        "first-2": factories.working_group(
            first, department, order=2, lead_department=department
        ),  # created before its first
        "first-1": factories.working_group(first, department, order=1, lead_department=department),
        "second": factories.working_group(second, department, order=1, lead_department=department),
        "hidden": factories.working_group(hidden, department, order=1, lead_department=department),
    }
    for project in (first, hidden, veteran):
        project_year_save(project_year=ProjectYear(project=project, fiscal_year=2021, status="continuing"))
    return groups


def names(groups, world):
    by_pk = {g.pk: name for name, g in world.items()}
    return [by_pk[g.pk] for g in groups]


def test_the_list_in_the_items_order_then_the_wgs_order_in_three_queries(world):
    with CaptureQueriesContext(connection) as queries:
        groups = selectors.working_groups_for_list(public=True)
    assert len(queries) == 3  # the WGs with their items and lead departments, departments, sessions
    assert names(groups, world) == ["veteran", "first-1", "first-2", "second", "later"]
    with CaptureQueriesContext(connection) as queries:  # what the list shows is already there
        for group in groups:
            (group.project.title, group.lead_department.name, list(group.departments.all()), list(group.sessions.all()))
    assert len(queries) == 0
    assert "hidden" in names(selectors.working_groups_for_list(public=False), world)


def test_each_wg_of_the_list_has_its_sessions_in_time_order(world):
    group = world["first-1"]
    september = factories.session(group, date=dt.date(2021, 9, 7))
    february = factories.session(group, date=None, status="planned", planned_year=2022, planned_month=2)
    may = factories.session(group, date=dt.date(2021, 5, 17))
    listed = next(g for g in selectors.working_groups_for_list(public=True) if g.pk == group.pk)
    assert [s.pk for s in listed.sessions.all()] == [may.pk, september.pk, february.pk]


def test_the_wgs_of_a_fiscal_year_with_their_sessions_up_to_its_end(world):
    group = world["first-1"]
    held = factories.session(group, date=dt.date(2021, 5, 17))
    last_day = factories.session(group, date=dt.date(2022, 3, 31))
    factories.session(group, date=dt.date(2022, 4, 1))  # the next fiscal year
    planned = factories.session(group, date=None, status="planned", planned_year=2022, planned_month=2)
    factories.session(group, date=None, status="planned", planned_year=2023, planned_month=1)
    with CaptureQueriesContext(connection) as queries:
        groups = selectors.working_groups_of_fiscal_year(2021)
        shown = {
            g.pk: (g.project.title, g.lead_department.name, len(g.departments.all()), len(g.project.proposers.all()))
            for g in groups
        }
        sessions = {g.pk: [s.pk for s in g.sessions.all()] for g in groups}
    assert len(queries) == 4  # the WGs with items and lead departments, departments, proposers, sessions
    # the WGs of the items on the agenda of FY2021 (the unpublished one too, for logged-in users)
    assert names(groups, world) == ["veteran", "first-1", "first-2", "hidden"]
    assert sessions[group.pk] == [held.pk, last_day.pk, planned.pk]
    assert len(shown) == 4
    assert names(selectors.working_groups_of_fiscal_year(2021, public=True), world) == ["veteran", "first-1", "first-2"]


def test_recent_sessions_are_the_latest_held_ones_of_published_items(world):
    group, hidden = world["first-1"], world["hidden"]
    days = [dt.date(2021, 4, 1) + dt.timedelta(days=7 * n) for n in range(9)]
    held = [factories.session(group, date=day, status="held") for day in days]
    factories.session(hidden, date=dt.date(2022, 1, 1), status="held")
    factories.session(group, date=None, status="planned", planned_year=2022, planned_month=2)
    recent = selectors.sessions_recent(public=True)
    assert [s.pk for s in recent] == [s.pk for s in reversed(held)][:8]  # newest first, eight by default
    assert selectors.sessions_recent(public=False, limit=1)[0].working_group_id == hidden.pk
