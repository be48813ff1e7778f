"""Sessions in time order, what the public sees of WGs, and the WG table's default year."""

import datetime as dt

import pytest

from projects.models import ProjectYear
from projects.services import project_year_save
from tests import factories
from workgroups import selectors
from workgroups.models import WorkingGroup, WorkingGroupSession

pytestmark = pytest.mark.django_db


@pytest.fixture
def wg():
    dept = factories.department()
    return factories.working_group(factories.project(factories.municipality(), dept), dept)


def test_sessions_in_time_order_put_dated_ones_first_and_planned_months_last(wg):
    later = factories.session(wg, date=dt.date(2021, 9, 7))
    month_only = factories.session(wg, date=None, status="planned", planned_year=2022, planned_month=2)
    earlier = factories.session(wg, date=dt.date(2021, 2, 17))
    assert list(WorkingGroupSession.objects.in_time_order()) == [earlier, later, month_only]


def test_the_public_sees_the_wgs_of_published_items_only(wg):
    dept = factories.department()
    hidden_item = factories.project(
        factories.organization(kind="municipality", lg_code="162027", name="高岡市"), dept, is_published=False
    )
    hidden = factories.working_group(hidden_item, dept)
    factories.session(hidden)
    factories.session(wg)
    assert list(WorkingGroup.objects.visible(public=True)) == [wg]
    assert [s.working_group for s in WorkingGroupSession.objects.visible(public=True)] == [wg]
    assert [g.pk for g in selectors.working_groups_for_list(public=True)] == [wg.pk]
    assert len(selectors.working_groups_for_list(public=False)) == 2


def test_the_status_tables_default_year_is_the_latest_year_up_to_today(wg):
    for year in (2021, 2022, 2030):
        project_year_save(project_year=ProjectYear(project=wg.project, fiscal_year=year, status="continuing"))
    assert selectors.latest_fiscal_year(today=dt.date(2023, 1, 10)) == 2022
    assert selectors.latest_fiscal_year(today=dt.date(2021, 3, 31)) is None  # FY2020: nothing yet
