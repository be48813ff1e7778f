"""What scripts/mutation found the tests did not pin down about the item reads that take
``public``: the public never gets an unpublished item or its years, the years of a fiscal year
come in the items' order, and the query counts the docstrings promise hold (everything the
pages read is fetched up front)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from onechoice.models import Division
from onechoice.services import record_save
from projects import selectors
from projects.models import Project, ProjectYear
from projects.services import project_year_save
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    city = factories.municipality()
    other = factories.organization(kind="municipality", name="高岡市", lg_code="162027", protocol_order=2)
    department = factories.department()
    division = record_save(Division(department=department, name="自然保護課"))
    later = factories.project(city, department, first_fiscal_year=2022)  # created first, starts later
    first = factories.project(city, department, first_fiscal_year=2021)
    second = factories.project(city, department, first_fiscal_year=2021)
    hidden = factories.project(city, department, first_fiscal_year=2021, is_published=False)
    for project in (first, second, later, hidden):
        project.targets.set([other])
        project.divisions.set([division])
    # the years are written second-item-first, so that the table's own order is not the answer
    for project in (second, first, later, hidden):
        project_year_save(project_year=ProjectYear(project=project, fiscal_year=2022, status="continuing"))
    project_year_save(project_year=ProjectYear(project=hidden, fiscal_year=2021, status="new"))
    return {"first": first, "second": second, "later": later, "hidden": hidden}


def test_the_public_sees_published_items_only(world):
    assert world["hidden"] not in selectors.projects_visible(public=True)
    assert world["hidden"] in selectors.projects_visible(public=False)


def test_the_fiscal_years_of_an_unpublished_item_are_none_of_the_publics_business(world):
    assert selectors.fiscal_years_of(world["hidden"].pk, public=True) == []
    assert sorted(selectors.fiscal_years_of(world["hidden"].pk, public=False)) == [2021, 2022]


def test_the_years_of_a_fiscal_year_in_the_items_order_in_two_queries(world):
    with CaptureQueriesContext(connection) as queries:
        years = selectors.project_years_of(2022, public=True)
        shown = [(y.project.pk, [p.name for p in y.project.proposers.all()]) for y in years]
    assert len(queries) == 2
    assert shown == [(world[k].pk, ["富山市"]) for k in ("first", "second", "later")]
    assert world["hidden"].pk in [y.project.pk for y in selectors.project_years_of(2022, public=False)]


def test_an_item_in_full_reads_its_relations_up_front(world):
    project = selectors.project_detail(world["first"].pk, public=True)
    with CaptureQueriesContext(connection) as queries:
        relations = (
            [o.name for o in project.proposers.all()],
            [o.name for o in project.targets.all()],
            len(project.departments.all()),
            [d.name for d in project.divisions.all()],
            [y.fiscal_year for y in project.years.all()],
        )
    assert len(queries) == 0
    assert relations == (["富山市"], ["高岡市"], 1, ["自然保護課"], [2022])


def test_the_public_never_gets_an_unpublished_item_in_full(world):
    hidden = world["hidden"].pk
    with pytest.raises(Project.DoesNotExist):
        selectors.project_detail(hidden, public=True)
    with pytest.raises(Project.DoesNotExist):
        selectors.project_detail_queryset(public=True).get(pk=hidden)
    assert selectors.project_detail(hidden).pk == hidden  # logged-in users, by default
