"""Reads about working groups, each in a fixed number of queries."""

from __future__ import annotations

from django.db.models import F, Prefetch

from onechoice.models import EventStatus

from .models import Session, WorkingGroup


def sessions_recent(*, limit: int = 8) -> list[Session]:
    """The latest sessions that took place (planned ones are not news yet)."""
    return list(
        Session.objects.filter(status=EventStatus.HELD)
        .select_related("working_group__project")
        .order_by("-date")[:limit]
    )


def working_groups_for_list() -> list[WorkingGroup]:
    """Every WG with its item, departments and sessions in time order (4 queries)."""
    return list(
        WorkingGroup.objects.select_related("project", "lead_department")
        .prefetch_related(
            "departments",
            Prefetch("sessions", queryset=Session.objects.order_by(F("date").asc(nulls_last=True), "planned_year", "planned_month")),
        )
        .order_by("project__first_fiscal_year", "project_id", "order")
    )
