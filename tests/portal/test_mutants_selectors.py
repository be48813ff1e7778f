"""What scripts/mutation found the tests did not pin down about the cross-app reads: which
handouts report on an item (and in which order), what the public sees of an item's and a
municipality's page, the order of a municipality's items, and that the pages' relations are
fetched up front."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from meetings.models import AgendaItem, GeneratedDocument, Handout
from onechoice.models import Organization
from portal import selectors
from projects.models import Project, ProjectYear
from projects.services import project_year_save
from tests import factories

pytestmark = pytest.mark.django_db


def meeting(fiscal_year, *, published=True):
    day = dt.date(fiscal_year, 10, 1)
    return factories.meeting(fiscal_year=fiscal_year, date=day, is_published=published)


def handout(meeting, kind, number, document="", public=True):
    return Handout.objects.create(
        meeting=meeting, kind=kind, number=number, title=f"{kind}{number}", document=document, public=public
    )


@pytest.fixture
def item():
    department = factories.department()
    project = factories.project(factories.municipality(), department, first_fiscal_year=2021)
    for year in (2021, 2022):
        project_year_save(project_year=ProjectYear(project=project, fiscal_year=year, status="continuing"))
    return project


def test_the_handouts_that_report_on_an_item_in_meeting_kind_and_number_order(item):
    m2020, m2021, m2022, m2023 = (meeting(y) for y in (2020, 2021, 2022, 2023))
    expected = [
        handout(m2020, "reference", 3, GeneratedDocument.NEXT_YEAR_ITEMS),  # the year before a year of the item
        # written out of order, so that the table's own order is not the answer
        handout(m2021, "reference", 1, GeneratedDocument.WG_STATUS),
        handout(m2021, "material", 2, GeneratedDocument.PROGRESS_REPORT),
        handout(m2021, "material", 1, GeneratedDocument.PROGRESS_REPORT),
        handout(m2023, "material", 1),  # on the agenda with the item
        handout(m2021, "reference", 2, GeneratedDocument.NEXT_YEAR_ITEMS),  # about 2022
    ]
    handout(m2020, "material", 1, GeneratedDocument.PROGRESS_REPORT)  # a year without the item
    handout(m2021, "material", 3, GeneratedDocument.ANNUAL_SCHEDULE)  # no report on items
    handout(m2021, "material", 4)  # an upload of a year of the item, not about it
    handout(m2022, "material", 1, GeneratedDocument.NEXT_YEAR_ITEMS)  # about 2023, the item has no 2023 year
    AgendaItem.objects.create(meeting=m2023, order=1, section="deliberation", title="議題", project=item)
    AgendaItem.objects.create(meeting=m2022, order=1, section="other", title="その他")  # no item
    order = {h.pk: n for n, h in enumerate(expected)}
    found = selectors.handouts_about(Project.objects.prefetch_related("years").get(pk=item.pk), public=True)
    # by meeting date, then 資料 before 参考資料, then number
    assert [order.get(h.pk, f"unexpected {h.meeting.fiscal_year} {h.title}") for h in found] == [0, 3, 2, 1, 5, 4]


def test_the_public_gets_only_public_handouts_of_published_meetings(item):
    hidden_meeting = meeting(2021, published=False)
    handout(hidden_meeting, "material", 1, GeneratedDocument.PROGRESS_REPORT)
    shown_meeting = meeting(2022)
    shown = handout(shown_meeting, "material", 1, GeneratedDocument.PROGRESS_REPORT)
    handout(shown_meeting, "material", 2, GeneratedDocument.WG_STATUS, public=False)
    project = Project.objects.prefetch_related("years").get(pk=item.pk)
    assert [h.pk for h in selectors.handouts_about(project, public=True)] == [shown.pk]
    assert len(selectors.handouts_about(project, public=False)) == 3


def test_an_items_page_for_the_public_and_what_it_reads_up_front(item):
    shown, hidden = meeting(2021), meeting(2022, published=False)
    AgendaItem.objects.create(meeting=shown, order=1, section="deliberation", title="議題", project=item)
    AgendaItem.objects.create(meeting=hidden, order=1, section="deliberation", title="議題", project=item)
    department = factories.department()
    group = factories.working_group(item, department)
    factories.session(group)
    page = selectors.project_page(item.pk, public=True)
    with CaptureQueriesContext(connection) as queries:
        meetings = [a.meeting.pk for a in page.agenda_items.all()]
        groups = [(len(g.departments.all()), len(g.sessions.all())) for g in page.working_groups.all()]
    assert len(queries) == 0
    assert meetings == [shown.pk] and groups == [(1, 1)]
    assert len(selectors.project_page(item.pk, public=False).agenda_items.all()) == 2
    item.is_published = False
    item.save()
    with pytest.raises(Project.DoesNotExist):
        selectors.project_page(item.pk, public=True)


def test_a_municipalitys_page_lists_its_published_items_in_order_and_its_attendances():
    city = factories.municipality()
    elsewhere = factories.organization(kind="municipality", name="高岡市", lg_code="162027", protocol_order=2)
    department = factories.department()
    later = factories.project(elsewhere, department, first_fiscal_year=2022)  # created first, starts later
    first = factories.project(elsewhere, department, first_fiscal_year=2021)
    second = factories.project(elsewhere, department, first_fiscal_year=2021)
    hidden = factories.project(elsewhere, department, first_fiscal_year=2021, is_published=False)
    for project in (second, later, hidden, first):  # the city is added to the later ones first
        project.proposers.add(city)
        project.targets.add(city)
    shown_meeting, hidden_meeting = meeting(2021), meeting(2022, published=False)
    shown = factories.attendance(shown_meeting, city)
    factories.attendance(hidden_meeting, city)

    page = selectors.municipality_page("162019", public=True)
    expected = [first.pk, second.pk, later.pk]
    assert [p.pk for p in page.proposed_projects.all()] == expected
    assert [p.pk for p in page.target_projects.all()] == expected
    assert [a.pk for a in page.attendances.all()] == [shown.pk]

    staff = selectors.municipality_page("162019", public=False)
    assert hidden.pk in [p.pk for p in staff.proposed_projects.all()]
    assert len(staff.attendances.all()) == 2
    with pytest.raises(Organization.DoesNotExist):
        selectors.municipality_page("160008", public=True)
