"""Reads about working groups, each in a fixed number of queries."""

from __future__ import annotations

from django.db.models import Max, Prefetch, Q
from django.utils import timezone

from onechoice import jpdates
from onechoice.models import EventStatus

from .models import WorkingGroup, WorkingGroupSession


def sessions_recent(*, public: bool, limit: int = 8) -> list[WorkingGroupSession]:
    """The latest sessions that took place (planned ones are not news yet)."""
    sessions = WorkingGroupSession.objects.visible(public=public).filter(status=EventStatus.HELD)
    return list(sessions.select_related("working_group__project").order_by("-date")[:limit])


def working_groups_for_list(*, public: bool) -> list[WorkingGroup]:
    """Every WG with its item, departments and sessions in time order (4 queries)."""
    return list(
        WorkingGroup.objects.visible(public=public)
        .select_related("project", "lead_department")
        .prefetch_related("departments", Prefetch("sessions", queryset=WorkingGroupSession.objects.in_time_order()))
        .order_by("project__first_fiscal_year", "project_id", "order")
    )


def working_groups_of_fiscal_year(fiscal_year: int, *, public: bool = False) -> list[WorkingGroup]:
    """The WGs of the items on the agenda of ``fiscal_year``, with their sessions up to the
    end of that year (earlier ones included: a WG's history starts before its first year)."""
    last_day = jpdates.fiscal_year_bounds(fiscal_year)[1]
    sessions = WorkingGroupSession.objects.filter(
        Q(date__lte=last_day) | Q(date__isnull=True, planned_year__lte=last_day.year)
    ).in_time_order()
    return list(
        WorkingGroup.objects.visible(public=public)
        .filter(project__years__fiscal_year=fiscal_year)
        .select_related("project", "lead_department")
        .prefetch_related("departments", "project__proposers", Prefetch("sessions", queryset=sessions))
        .order_by("project__first_fiscal_year", "project_id", "order")
    )


def sessions_in_fiscal_year(fiscal_year: int):
    """Sessions held or planned within ``fiscal_year`` (April–March): by date, or, for those
    planned for a month only, by that month (a session planned for a year only counts in the
    fiscal year starting that April)."""
    first_day, last_day = jpdates.fiscal_year_bounds(fiscal_year)
    undated = Q(date__isnull=True) & (
        Q(planned_year=fiscal_year, planned_month__gte=4)
        | Q(planned_year=fiscal_year, planned_month__isnull=True)
        | Q(planned_year=fiscal_year + 1, planned_month__lte=3)
    )
    return WorkingGroupSession.objects.filter(Q(date__range=(first_day, last_day)) | undated)


def working_groups_for_year_page(fiscal_year: int, *, public: bool) -> list[WorkingGroup]:
    """The WG page of ``fiscal_year``: the WGs of the items with a record that year, each with
    its item's proposers, its departments and that year's sessions in time order (5 queries,
    whatever the number of WGs)."""
    return list(
        WorkingGroup.objects.visible(public=public)
        .filter(project__years__fiscal_year=fiscal_year)
        .select_related("project", "lead_department")
        .prefetch_related(
            "departments",
            "project__proposers",
            Prefetch("sessions", queryset=sessions_in_fiscal_year(fiscal_year).in_time_order()),
        )
        .order_by("project__first_fiscal_year", "project_id", "order")
    )


def fiscal_years_with_working_groups(*, public: bool) -> list[int]:
    """The fiscal years in which an item with a WG has a record, latest first (1 query)."""
    years = WorkingGroup.objects.visible(public=public).values_list("project__years__fiscal_year", flat=True)
    return sorted({y for y in years.distinct() if y is not None}, reverse=True)


def working_groups_with_sessions():
    """WGs with their departments and sessions in time order, for a page that shows an
    item's WGs (a queryset to prefetch: 3 queries)."""
    return WorkingGroup.objects.prefetch_related(
        "departments", Prefetch("sessions", queryset=WorkingGroupSession.objects.in_time_order())
    )


def latest_fiscal_year(*, today=None) -> int | None:
    """The WG status table's default year: the latest fiscal year, up to today's, in which
    an item with a WG has a record (1 query)."""
    today = today or timezone.localdate()
    return WorkingGroup.objects.filter(project__years__fiscal_year__lte=jpdates.fiscal_year_of(today)).aggregate(
        latest=Max("project__years__fiscal_year")
    )["latest"]
