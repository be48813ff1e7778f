"""Reads that span apps: an item with its WGs and meetings, a municipality with its items
and attendance. Each app's own selectors give the parts; here they are put together, in a
fixed number of queries."""

from __future__ import annotations

from django.db.models import Prefetch, Q

from meetings.models import AgendaItem, Attendance, GeneratedDocument, Handout
from onechoice.models import Organization
from projects import selectors as project_selectors
from projects.models import Project
from workgroups import selectors as workgroup_selectors


def project_page(pk: int, *, public: bool) -> Project:
    """An item with everything its page shows: its own records, its WGs with their sessions
    and the agenda items (with meetings) that discussed it — for the public only a published
    item, with its published meetings. Raises ``Project.DoesNotExist``."""
    return (
        project_selectors.project_detail_queryset(public=public)
        .prefetch_related(
            Prefetch("working_groups", queryset=workgroup_selectors.working_groups_with_sessions()),
            Prefetch("agenda_items", queryset=AgendaItem.objects.visible(public=public).select_related("meeting")),
        )
        .get(pk=pk)
    )


def handouts_about(project: Project, *, public: bool) -> list[Handout]:
    """Handouts that report on ``project``: the year-wide progress reports of the fiscal years
    it has records for, and the next-year items of the year before its new or continuing
    years (1 query; uses the prefetched years)."""
    years = [y.fiscal_year for y in project.years.all()]
    return list(
        Handout.objects.visible(public=public)
        .filter(
            Q(
                document__in=[GeneratedDocument.PROGRESS_REPORT, GeneratedDocument.WG_STATUS],
                meeting__fiscal_year__in=years,
            )
            | Q(document=GeneratedDocument.NEXT_YEAR_ITEMS, meeting__fiscal_year__in=[y - 1 for y in years])
            | Q(meeting__agenda_items__project=project)
        )
        .select_related("meeting")
        .distinct()
        .order_by("meeting__date", "kind", "number")
    )


def municipality_page(lg_code: str, *, public: bool) -> Organization:
    """A municipality with what it proposed, takes part in and attended. Raises
    ``Organization.DoesNotExist``."""
    attendances = Attendance.objects.visible(public=public).select_related("meeting").order_by("meeting__date")
    titles = project_selectors.projects_visible(public=public).only("title").order_by("first_fiscal_year", "pk")
    return (
        Organization.objects.municipalities()
        .prefetch_related(
            Prefetch("proposed_projects", queryset=titles),  # the page lists titles
            Prefetch("target_projects", queryset=titles),
            Prefetch("attendances", queryset=attendances),
        )
        .get(lg_code=lg_code)
    )
