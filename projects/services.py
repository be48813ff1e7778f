"""Writes of collaboration items and what is recorded about them. Every writer — the admin,
the importers, the demo loader, commands — goes through these (or through
``onechoice.services.record_save``, which applies the same rules)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from onechoice import uploads
from onechoice.models import Department, Division, Organization
from onechoice.services import RecordsInvalid, current_m2m, record_save, records_save_reordered, rule, saves, writes

from .models import (
    DesiredState,
    Direction,
    ExpectedIssue,
    Highlight,
    Indicator,
    IndicatorValue,
    Lesson,
    Measure,
    MeasureResult,
    Milestone,
    Photo,
    Plan,
    PlanStep,
    Project,
    ProjectYear,
)

writes(
    Project,
    ProjectYear,
    Measure,
    MeasureResult,
    Highlight,
    Photo,
    Indicator,
    IndicatorValue,
    Milestone,
    Plan,
    DesiredState,
    Direction,
    PlanStep,
    Lesson,
)


@rule(Project)
def _proposer_and_department(project: Project, m2m: Mapping[str, Sequence]) -> None:
    """An item is proposed by at least one municipality and carried by at least one
    department (``full_clean`` does not see many-to-many values)."""
    errors = {}
    if not current_m2m(project, "proposers", m2m):
        errors["proposers"] = _("提案市町村を1つ以上選んでください。")
    if not current_m2m(project, "departments", m2m):
        errors["departments"] = _("担当部局を1つ以上選んでください。")
    if errors:
        raise ValidationError(errors)


@rule(Photo)
def _photo_within_bounds(photo: Photo, m2m: Mapping[str, Sequence]) -> None:
    """A new photo is a PNG, JPEG or WebP of at most ``PHOTO_MAX_BYTES`` and
    ``PHOTO_MAX_PIXELS``, read from its header (``onechoice.uploads.check_image``): the
    progress sheets print it, and WeasyPrint decodes it whole."""
    if uploads.is_new_upload(photo.image):
        try:
            uploads.check_image(photo.image)
        except ValidationError as error:
            raise ValidationError({"image": error.error_list}) from None


@saves(Project, keyword="project")
@transaction.atomic
def project_save(
    *,
    project: Project,
    proposers: Iterable[Organization] | None = None,
    targets: Iterable[Organization] | None = None,
    departments: Iterable[Department] | None = None,
    divisions: Iterable[Division] | None = None,
) -> Project:
    """Create or change an item. Relations given replace the stored ones; relations left
    out (``None``) stay. Refuses (``ValidationError``, nothing written) an item without a
    proposing municipality or a department."""
    m2m = {
        name: values
        for name, values in (
            ("proposers", proposers),
            ("targets", targets),
            ("departments", departments),
            ("divisions", divisions),
        )
        if values is not None
    }
    return record_save(project, m2m=m2m)


def project_year_save(*, project_year: ProjectYear) -> ProjectYear:
    """Create or change an item's record of one fiscal year (status, grade, 協議事項 text)."""
    return record_save(project_year)


def measure_save(*, measure: Measure) -> Measure:
    return record_save(measure)


def measure_result_save(*, measure_result: MeasureResult) -> MeasureResult:
    """A measure's results and next steps in one fiscal year; the measure must belong to the
    year's item (``MeasureResult.clean``)."""
    return record_save(measure_result)


def highlight_save(*, highlight: Highlight) -> Highlight:
    return record_save(highlight)


def photo_save(*, photo: Photo) -> Photo:
    return record_save(photo)


def indicator_save(*, indicator: Indicator) -> Indicator:
    return record_save(indicator)


def indicator_value_save(*, indicator_value: IndicatorValue) -> IndicatorValue:
    return record_save(indicator_value)


def milestone_save(*, milestone: Milestone) -> Milestone:
    return record_save(milestone)


def plan_save(*, plan: Plan) -> Plan:
    return record_save(plan)


def desired_state_save(*, desired_state: DesiredState) -> DesiredState:
    return record_save(desired_state)


def direction_save(*, direction: Direction) -> Direction:
    """One 取組みの方向性 of a desired state, at its place (順序 unique per state)."""
    return record_save(direction)


def plan_step_save(*, plan_step: PlanStep) -> PlanStep:
    """One step of 計画策定に係る経緯: a date, or a month (with 旬, a last month or 「～」), in the
    step's fiscal year (``PlanStep.clean``)."""
    return record_save(plan_step)


def lesson_save(*, lesson: Lesson) -> Lesson:
    return record_save(lesson)


@saves(ExpectedIssue, keyword="expected_issue")
def expected_issue_save(*, expected_issue: ExpectedIssue) -> ExpectedIssue:
    """Create or change one of a fiscal year's 個別課題 (協議事項 section 2). Its 順序 and its
    title are unique within the year, and it is typed without 「、」 or 「など」, which the
    document adds; refused with a Japanese message (``ValidationError``, nothing written)
    otherwise. The secretariat keeps them; division staff see them only."""
    return record_save(expected_issue)


@transaction.atomic
def plan_directions_save(
    *,
    plan: Plan,
    states: Iterable[tuple[DesiredState, Sequence[Direction], Sequence[Direction]]],
) -> tuple[int, int, int]:
    """Save the 取組みの方向性 of a plan's desired states as one change (the plan's
    「まとめて編集」 screen): each item of ``states`` is (a desired state of ``plan``, its new or
    changed directions, its directions to delete). Each state's rows go through
    ``records_save_reordered``, so they may trade 順序 held unique; deletions through
    ``record_delete``. Raises ``RecordsInvalid`` with every refused row of every state (the
    rows name themselves), or ``ValidationError`` for a row of another plan; then nothing is
    written. Returns (added, changed, deleted)."""

    added = changed = removed = 0
    problems: list = []
    for state, saved, deleted in states:
        saved, deleted = list(saved), list(deleted)
        if state.plan_id != plan.pk or any(d.desired_state_id != state.pk for d in (*saved, *deleted)):
            raise ValidationError(_("この計画のありたい姿ではない取組みの方向性は保存できません。"))
        new = sum(1 for d in saved if d.pk is None)
        try:
            records_save_reordered(saved, deleted=deleted)
        except RecordsInvalid as refused:  # the other states are still checked, then all is undone
            problems += refused.problems
            continue
        added, changed, removed = added + new, changed + len(saved) - new, removed + len(deleted)
    if problems:
        raise RecordsInvalid(problems)
    return added, changed, removed
