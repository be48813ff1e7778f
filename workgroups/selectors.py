"""Reads about working groups, each in a fixed number of queries."""

from __future__ import annotations

from django.db.models import F, Prefetch, Q

from onechoice import jpdates
from onechoice.models import EventStatus

from .models import WorkingGroupSession, WorkingGroup


def sessions_recent(*, public: bool, limit: int = 8) -> list[WorkingGroupSession]:
    """The latest sessions that took place (planned ones are not news yet)."""
    sessions = WorkingGroupSession.objects.filter(status=EventStatus.HELD)
    if public:
        sessions = sessions.filter(working_group__project__is_published=True)
    return list(
        sessions
        .select_related("working_group__project")
        .order_by("-date")[:limit]
    )


def working_groups_for_list(*, public: bool) -> list[WorkingGroup]:
    """Every WG with its item, departments and sessions in time order (4 queries)."""
    groups = WorkingGroup.objects.filter(project__is_published=True) if public else WorkingGroup.objects.all()
    return list(
        groups.select_related("project", "lead_department")
        .prefetch_related(
            "departments",
            Prefetch("sessions", queryset=WorkingGroupSession.objects.order_by(F("date").asc(nulls_last=True), "planned_year", "planned_month")),
        )
        .order_by("project__first_fiscal_year", "project_id", "order")
    )


def working_groups_of_fiscal_year(fiscal_year: int, *, public: bool = False) -> list[WorkingGroup]:
    """The WGs of the items on the agenda of ``fiscal_year``, with their sessions up to the
    end of that year (earlier ones included: a WG's history starts before its first year)."""
    last_day = jpdates.fiscal_year_bounds(fiscal_year)[1]
    sessions = WorkingGroupSession.objects.filter(
        Q(date__lte=last_day) | Q(date__isnull=True, planned_year__lte=last_day.year)
    ).order_by(F("date").asc(nulls_last=True), "planned_year", "planned_month")
    groups = WorkingGroup.objects.filter(project__years__fiscal_year=fiscal_year)
    if public:
        groups = groups.filter(project__is_published=True)
    return list(
        groups
        .select_related("project", "lead_department")
        .prefetch_related("departments", "project__proposers", Prefetch("sessions", queryset=sessions))
        .order_by("project__first_fiscal_year", "project_id", "order")
    )
