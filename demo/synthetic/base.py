"""The real records, read once, that every cohort copies."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch

from meetings.models import AgendaItem, Attendance, Handout, Meeting
from onechoice.models import Official, Organization
from projects.models import (
    DesiredState,
    Highlight,
    Indicator,
    IndicatorValue,
    Measure,
    MeasureResult,
    Milestone,
    Photo,
    Plan,
    Project,
    ProjectYear,
)
from workgroups.models import WorkingGroup, WorkingGroupSession

MARK = "群）"  # 「…（第2群）」: how synthetic items are told from real ones


class SyntheticDataError(Exception):
    """The database is not in a state synthetic data can be added to."""


@dataclass
class RealRecords:
    projects: list[Project]
    measures: dict[int, list[Measure]]
    years: dict[int, list[ProjectYear]]
    results: dict[int, list[MeasureResult]]
    highlights: dict[int, list[Highlight]]
    indicators: dict[int, list[Indicator]]
    milestones: dict[int, list[Milestone]]
    plans: dict[int, list[Plan]]
    working_groups: list[WorkingGroup]
    meetings: list[Meeting]
    municipalities: list[Organization]
    family_names: list[str]
    given_names: list[str]


def _by(rows, attribute) -> dict[int, list]:
    grouped: dict[int, list] = {}
    for row in rows:
        grouped.setdefault(getattr(row, attribute), []).append(row)
    return grouped


def read_real_records() -> RealRecords:
    """Everything ``load_toyama`` wrote, in a fixed order. Raises ``SyntheticDataError`` when
    there are no real records or synthetic ones exist already."""
    projects = list(Project.objects.order_by("pk").prefetch_related("proposers", "targets", "departments", "divisions"))
    if not projects:
        raise SyntheticDataError("連携推進項目がありません。先に load_toyama で富山県の実データを読み込んでください。")
    if any(MARK in p.title for p in projects):
        raise SyntheticDataError(
            "合成データは既に生成されています。空のデータベースに load_toyama から作り直してください。"
        )
    names = sorted(
        set(Attendance.objects.values_list("name", flat=True)) | set(Official.objects.values_list("name", flat=True))
    )
    split = [n.split(maxsplit=1) for n in names if len(n.split()) == 2]
    return RealRecords(
        projects=projects,
        measures=_by(Measure.objects.order_by("project_id", "order", "pk"), "project_id"),
        years=_by(ProjectYear.objects.order_by("project_id", "fiscal_year"), "project_id"),
        results=_by(MeasureResult.objects.order_by("project_year_id", "pk"), "project_year_id"),
        highlights=_by(
            Highlight.objects.order_by("project_year_id", "order", "pk").prefetch_related(
                Prefetch("photos", queryset=Photo.objects.order_by("order", "pk"))
            ),
            "project_year_id",
        ),
        indicators=_by(
            Indicator.objects.order_by("project_id", "order", "pk").prefetch_related(
                Prefetch("values", queryset=IndicatorValue.objects.order_by("pk"))
            ),
            "project_id",
        ),
        milestones=_by(Milestone.objects.order_by("project_id", "pk"), "project_id"),
        plans=_by(
            Plan.objects.order_by("project_id", "pk").prefetch_related(
                Prefetch("desired_states", queryset=DesiredState.objects.order_by("pk").prefetch_related("directions"))
            ),
            "project_id",
        ),
        working_groups=list(
            WorkingGroup.objects.order_by("pk").prefetch_related(
                "departments", "members", Prefetch("sessions", queryset=WorkingGroupSession.objects.order_by("pk"))
            )
        ),
        meetings=list(
            Meeting.objects.order_by("pk").prefetch_related(
                Prefetch("agenda_items", queryset=AgendaItem.objects.order_by("order")),
                Prefetch("handouts", queryset=Handout.objects.order_by("pk")),
                Prefetch("attendances", queryset=Attendance.objects.order_by("protocol_order")),
            )
        ),
        municipalities=list(Organization.objects.municipalities().order_by("protocol_order", "pk")),
        family_names=sorted({family for family, _ in split}),
        given_names=sorted({given for _, given in split}),
    )
