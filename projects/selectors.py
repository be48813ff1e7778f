"""Reads about collaboration items, each in a fixed number of queries."""

from __future__ import annotations

from django.db.models import F, Prefetch, Q, QuerySet

from meetings.models import AgendaItem, Attendance
from onechoice.models import Organization
from workgroups.models import WorkingGroupSession, WorkingGroup

from .models import Highlight, Indicator, MeasureResult, Project, ProjectYear


def projects_visible(*, public: bool) -> QuerySet[Project]:
    """Every item for logged-in users; the published ones for the public."""
    return Project.objects.filter(is_published=True) if public else Project.objects.all()


def fiscal_years_of(project_pk: int, *, public: bool) -> list[int]:
    """The fiscal years an item has records for (1 query); empty for an unknown or, for the
    public, unpublished item."""
    years = ProjectYear.objects.filter(project_id=project_pk)
    if public:
        years = years.filter(project__is_published=True)
    return list(years.values_list("fiscal_year", flat=True))


def project_years_of(fiscal_year: int, *, public: bool) -> list[ProjectYear]:
    """Each item's record for one fiscal year, with proposers (2 queries)."""
    years = ProjectYear.objects.filter(fiscal_year=fiscal_year)
    if public:
        years = years.filter(project__is_published=True)
    return list(
        years
        .select_related("project")
        .prefetch_related("project__proposers")
        .order_by("project__first_fiscal_year", "project_id")
    )


def projects_for_list(queryset: QuerySet[Project] | None = None) -> QuerySet[Project]:
    queryset = Project.objects.all() if queryset is None else queryset
    return queryset.prefetch_related(
        "proposers", "departments",
        Prefetch("years", queryset=ProjectYear.objects.order_by("fiscal_year")),
    ).order_by("first_fiscal_year", "pk")


def project_detail(pk: int, *, public: bool = False) -> Project:
    """An item with everything its page shows (for the public: only a published item, with
    its published meetings)."""
    agenda_items = AgendaItem.objects.select_related("meeting")
    if public:
        agenda_items = agenda_items.filter(meeting__is_published=True)
    return projects_visible(public=public).prefetch_related(
        "proposers", "targets", "departments", "divisions",
        Prefetch(
            "years",
            queryset=ProjectYear.objects.order_by("fiscal_year").prefetch_related(
                Prefetch("measure_results", queryset=MeasureResult.objects.select_related("measure").order_by("measure__order")),
                Prefetch("highlights", queryset=Highlight.objects.order_by("order").prefetch_related("photos")),
            ),
        ),
        Prefetch("indicators", queryset=Indicator.objects.prefetch_related("values")),
        Prefetch(
            "working_groups",
            queryset=WorkingGroup.objects.prefetch_related(
                "departments", Prefetch("sessions", queryset=WorkingGroupSession.objects.order_by(F("date").asc(nulls_last=True), "planned_year", "planned_month"))
            ),
        ),
        Prefetch("agenda_items", queryset=agenda_items),
        "milestones",
    ).get(pk=pk)


def municipality_detail(lg_code: str, *, public: bool) -> Organization:
    """A municipality with what it proposed, takes part in and attended."""
    attendances = Attendance.objects.select_related("meeting").order_by("meeting__date")
    if public:
        attendances = attendances.filter(meeting__is_published=True)
    titles = projects_visible(public=public).only("title").order_by("first_fiscal_year", "pk")  # the page lists titles
    return Organization.objects.municipalities().prefetch_related(
        Prefetch("proposed_projects", queryset=titles),
        Prefetch("target_projects", queryset=titles),
        Prefetch("attendances", queryset=attendances),
    ).get(lg_code=lg_code)


def handouts_about(project: Project, *, public: bool) -> list:
    """Handouts that report on ``project``: the year-wide progress reports of the fiscal years
    it has records for, and the next-year items of the year before its new or continuing
    years (1 query; uses the prefetched years)."""
    from meetings.models import GeneratedDocument, Handout

    years = [y.fiscal_year for y in project.years.all()]
    handouts = Handout.objects.filter(
        Q(document__in=[GeneratedDocument.PROGRESS_REPORT, GeneratedDocument.WG_STATUS], meeting__fiscal_year__in=years)
        | Q(document=GeneratedDocument.NEXT_YEAR_ITEMS, meeting__fiscal_year__in=[y - 1 for y in years])
        | Q(meeting__agenda_items__project=project)
    ).select_related("meeting").distinct().order_by("meeting__date", "kind", "number")
    if public:
        handouts = handouts.filter(public=True, meeting__is_published=True)
    return list(handouts)
