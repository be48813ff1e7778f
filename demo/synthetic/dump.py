"""A canonical dump, to compare two databases: every generated kind by its names, titles,
dates and values, without primary keys, rows sorted."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from decimal import Decimal

from meetings.models import AgendaItem, Attendance, Handout, Meeting
from projects.models import (
    DesiredState,
    Direction,
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

DUMP = {
    Project: ["title", "first_fiscal_year", "is_published"],
    Project.proposers.through: ["project__title", "organization__name"],
    Project.targets.through: ["project__title", "organization__name"],
    Project.departments.through: ["project__title", "department__name"],
    Project.divisions.through: ["project__title", "division__name"],
    ProjectYear: [
        "project__title",
        "fiscal_year",
        "status",
        "grade",
        "achievement",
        "selection_reason",
        "goal",
        "current_situation",
        "issues",
        "concrete_measures",
        "expected_effects",
    ],
    Measure: ["project__title", "order", "heading", "label", "title"],
    MeasureResult: [
        "project_year__project__title",
        "project_year__fiscal_year",
        "measure__order",
        "results",
        "next_steps",
        "follow_up",
        "grade",
        "achievement",
    ],
    Highlight: ["project_year__project__title", "project_year__fiscal_year", "order", "title", "overview", "points"],
    Photo: [
        "highlight__project_year__project__title",
        "highlight__project_year__fiscal_year",
        "highlight__order",
        "order",
        "caption",
    ],
    Indicator: ["project__title", "order", "name", "unit", "note", "measure__order"],
    IndicatorValue: [
        "indicator__project__title",
        "indicator__order",
        "indicator__name",
        "date",
        "fiscal_year",
        "value",
        "rank",
        "note",
    ],
    Milestone: ["project__title", "fiscal_year", "month", "text"],
    Plan: ["project__title", "title", "subtitle", "first_fiscal_year", "last_fiscal_year", "goal"],
    DesiredState: ["plan__project__title", "plan__title", "area_number", "area", "label", "order", "text"],
    Direction: ["desired_state__plan__title", "desired_state__area_number", "desired_state__label", "order", "text"],
    WorkingGroup: ["project__title", "order", "scope", "note", "lead_department__name"],
    WorkingGroup.departments.through: ["workinggroup__project__title", "workinggroup__order", "department__name"],
    WorkingGroup.members.through: ["workinggroup__project__title", "workinggroup__order", "organization__name"],
    WorkingGroupSession: [
        "working_group__project__title",
        "working_group__order",
        "date",
        "status",
        "planned_year",
        "planned_month",
        "planned_period",
        "kind",
        "name",
        "note",
    ],
    Meeting: [
        "fiscal_year",
        "kind",
        "number",
        "title",
        "mode",
        "venue",
        "date",
        "start_time",
        "end_time",
        "status",
        "planned_year",
        "planned_month",
        "planned_period",
        "planned_topics",
        "is_published",
    ],
    AgendaItem: [
        "meeting__fiscal_year",
        "meeting__kind",
        "meeting__number",
        "meeting__date",
        "meeting__title",
        "order",
        "section",
        "title",
        "presenter",
        "project__title",
    ],
    Handout: [
        "meeting__fiscal_year",
        "meeting__kind",
        "meeting__number",
        "meeting__date",
        "meeting__title",
        "kind",
        "number",
        "title",
        "department__name",
        "public",
        "in_packet",
        "document",
    ],
    Attendance: [
        "meeting__fiscal_year",
        "meeting__kind",
        "meeting__number",
        "meeting__date",
        "meeting__title",
        "protocol_order",
        "group",
        "organization__name",
        "title",
        "name",
        "status",
        "proxy_title",
        "proxy_name",
    ],
}


def _plain(value):
    if isinstance(value, (dt.date, dt.time, Decimal)):
        return str(value)
    return value


def canonical_dump() -> dict[str, list[list]]:
    """Every row of the generated kinds by its names, titles, dates and values, sorted."""
    dump = {}
    for model, fields in DUMP.items():
        rows = [[_plain(v) for v in row] for row in model.objects.values_list(*fields)]
        dump[model._meta.label] = sorted(rows, key=lambda row: json.dumps(row, ensure_ascii=False))
    return dump


def digest() -> str:
    """SHA-256 of ``canonical_dump()``: equal digests, equal data."""
    text = json.dumps(canonical_dump(), ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()
