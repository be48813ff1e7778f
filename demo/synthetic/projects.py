"""A cohort's copy of each item: its years, measures and results, highlights and photos,
indicators and values, milestones and plans, written through ``projects.services``."""

from __future__ import annotations

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
from projects.services import (
    desired_state_save,
    direction_save,
    highlight_save,
    indicator_save,
    indicator_value_save,
    measure_result_save,
    measure_save,
    milestone_save,
    photo_save,
    plan_save,
    project_save,
    project_year_save,
)

from .shifting import near
from .writer import CohortWriter


def write_projects(w: CohortWriter) -> None:
    for project in w.base.projects:
        write_project(w, project)


def write_project(w: CohortWriter, original: Project) -> None:
    proposers = w.same_number_of_municipalities(list(original.proposers.all()))
    targets = w.same_number_of_municipalities(list(original.targets.all()), exclude=proposers)
    project = w.saved(
        project_save(
            project=Project(
                title=f"{original.title}（第{w.cohort.number}群）",
                first_fiscal_year=w.year(original.first_fiscal_year),
                is_published=original.is_published,
            ),
            proposers=proposers,
            targets=targets,
            departments=list(original.departments.all()),
            divisions=list(original.divisions.all()),
        )
    )
    w.projects[original.pk] = project
    measures = {}
    for m in w.base.measures.get(original.pk, []):
        measures[m.pk] = w.saved(
            measure_save(
                measure=Measure(
                    project=project,
                    order=m.order,
                    heading=w.text(m.heading),
                    label=m.label,
                    title=w.text(m.title),
                )
            )
        )
    for y in w.base.years.get(original.pk, []):
        _write_year(w, project, measures, y)
    for i in w.base.indicators.get(original.pk, []):
        indicator = w.saved(
            indicator_save(
                indicator=Indicator(
                    project=project,
                    order=i.order,
                    name=i.name,
                    unit=i.unit,
                    note=i.note,
                    measure=measures.get(i.measure_id),
                )
            )
        )
        for v in i.values.all():
            value = near(v.value, w.rng.uniform(0.85, 1.15))
            w.saved(
                indicator_value_save(
                    indicator_value=IndicatorValue(
                        indicator=indicator,
                        date=w.date(v.date),
                        fiscal_year=w.year(v.fiscal_year),
                        value=value,
                        rank=w.rng.randint(1, 47) if v.rank else None,
                        note=v.note,
                    )
                )
            )
    for m in w.base.milestones.get(original.pk, []):
        w.saved(
            milestone_save(
                milestone=Milestone(
                    project=project, fiscal_year=w.year(m.fiscal_year), month=m.month, text=w.text(m.text)
                )
            )
        )
    for p in w.base.plans.get(original.pk, []):
        plan = w.saved(
            plan_save(
                plan=Plan(
                    project=project,
                    title=p.title,
                    subtitle=w.text(p.subtitle),
                    first_fiscal_year=w.year(p.first_fiscal_year),
                    last_fiscal_year=w.year(p.last_fiscal_year),
                    goal=w.text(p.goal),
                )
            )
        )
        for s in p.desired_states.all():
            state = w.saved(
                desired_state_save(
                    desired_state=DesiredState(
                        plan=plan,
                        area_number=s.area_number,
                        area=s.area,
                        label=s.label,
                        order=s.order,
                        text=w.text(s.text),
                    )
                )
            )
            for d in s.directions.all():
                w.saved(direction_save(direction=Direction(desired_state=state, order=d.order, text=w.text(d.text))))


def _write_year(w: CohortWriter, project: Project, measures: dict[int, Measure], y: ProjectYear) -> None:
    """One fiscal year of an item, with its measures' results and its highlights and photos."""
    year = w.saved(
        project_year_save(
            project_year=ProjectYear(
                project=project,
                fiscal_year=w.year(y.fiscal_year),
                status=y.status,
                selection_reason=w.text(y.selection_reason),
                goal=w.text(y.goal),
                current_situation=w.text(y.current_situation),
                issues=w.text(y.issues),
                concrete_measures=w.text(y.concrete_measures),
                expected_effects=w.text(y.expected_effects),
                grade=w.choice_like(y.grade, ProjectYear.grade.field.choices),
                achievement=w.choice_like(y.achievement, ProjectYear.achievement.field.choices),
            )
        )
    )
    for r in w.base.results.get(y.pk, []):
        w.saved(
            measure_result_save(
                measure_result=MeasureResult(
                    project_year=year,
                    measure=measures[r.measure_id],
                    results=w.text(r.results),
                    next_steps=w.text(r.next_steps),
                    follow_up=r.follow_up,
                    grade=w.choice_like(r.grade, MeasureResult.grade.field.choices),
                    achievement=w.choice_like(r.achievement, MeasureResult.achievement.field.choices),
                )
            )
        )
    for h in w.base.highlights.get(y.pk, []):
        highlight = w.saved(
            highlight_save(
                highlight=Highlight(
                    project_year=year,
                    order=h.order,
                    title=w.text(h.title),
                    overview=w.text(h.overview),
                    points=w.text(h.points),
                )
            )
        )
        for photo in h.photos.all():
            w.saved(photo_save(photo=Photo(highlight=highlight, order=photo.order, caption=w.text(photo.caption))))
