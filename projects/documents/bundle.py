"""The plan bundle (seed 001): an item's timeline, the leading projects' results and grades,
what the plan learnt from them, and the plan with its desired states and directions — shaped
once for the plan page and for its PDF (``plan_bundle_pdf``).

The leading projects are the item's measures with a result in the fiscal year before the plan
starts (the year they were summed up in); the vision is the measure's 見出し. Their before/after
figures are drawn from the indicators linked to each measure, so a changed value changes the
table: a result line naming an indicator ends with the indicator's first and last readings
(電子申請対応手続数（累計） R2：102件⇒R5：3,811件).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import groupby

from onechoice import jpdates
from onechoice.pdf import PDFDocument, render_document

from .. import selectors
from ..models import DesiredState, Grade, Indicator, Measure, MeasureResult, Milestone, Plan

# Months of a fiscal year, April to March.
FISCAL_MONTHS = (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)


@dataclass
class TimelineRow:
    month: int
    cells: list[list[Milestone]]  # one list per year column, one entry per milestone


@dataclass
class Timeline:
    years: list[int]
    rows: list[TimelineRow]

    @property
    def year_labels(self) -> list[tuple[int, str]]:
        """(2023, 令和5年度) for each column."""
        return [(year, jpdates.fiscal_year_label(year)) for year in self.years]

    @property
    def by_year(self) -> list[tuple[str, list[tuple[int, list[Milestone]]]]]:
        """The same steps read down each column, for a phone: (令和5年度, [(month, steps)]),
        months without a step in that year left out."""
        return [
            (label, [(row.month, row.cells[i]) for row in self.rows if row.cells[i]])
            for i, (_year, label) in enumerate(self.year_labels)
        ]


def timeline_of(milestones: list[Milestone]) -> Timeline | None:
    """The milestones as the seed draws them: one column per fiscal year from the first to
    the last, months April→March as row labels (months without any step are left out)."""
    if not milestones:
        return None
    first, last = min(m.fiscal_year for m in milestones), max(m.fiscal_year for m in milestones)
    years = list(range(first, last + 1))
    rows = []
    for month in FISCAL_MONTHS:
        cells = [[m for m in milestones if m.fiscal_year == year and m.month == month] for year in years]
        if any(cells):
            rows.append(TimelineRow(month, cells))
    return Timeline(years, rows)


@dataclass
class LeadingProject:
    measure: Measure
    result: MeasureResult
    lines: list[str]

    @property
    def grade(self) -> str:
        return self.result.grade

    @property
    def achievement(self) -> str:
        return self.result.get_achievement_display() if self.result.achievement else ""


@dataclass
class Vision:
    heading: str
    projects: list[LeadingProject] = field(default_factory=list)


def _figure(indicator: Indicator) -> str:
    """R2：102件⇒R5：3,811件 (first and last readings), or "" with fewer than two."""
    series = indicator.series
    if len(series) < 2:
        return ""
    first, last = series[0], series[-1]
    unit = indicator.unit
    return f"{first.period_label}：{first.value_label}{unit}⇒{last.period_label}：{last.value_label}{unit}"


def result_lines(text: str, indicators: list[Indicator]) -> list[str]:
    """The result's lines, where a line naming an indicator ends with its figure from the
    records (what followed the name in the typed text is replaced)."""
    lines = []
    for line in (raw.strip() for raw in text.splitlines()):
        if not line:
            continue
        for indicator in indicators:
            at = line.find(indicator.name)
            figure = _figure(indicator) if at >= 0 else ""
            if figure:
                line = f"{line[: at + len(indicator.name)]} {figure}"
                break
        lines.append(line)
    return lines


def result_pages(visions: list[Vision]) -> list[list[Vision]]:
    """The visions split over two printed pages as the seed does (①②): the first takes whole
    visions while it holds at most half of the projects."""
    total, first, held = sum(len(v.projects) for v in visions), [], 0
    for vision in visions:
        if first and held + len(vision.projects) > total / 2:
            break
        first.append(vision)
        held += len(vision.projects)
    rest = visions[len(first) :]
    return [page for page in (first, rest) if page]


def visions_of(plan: Plan) -> list[Vision]:
    """The leading projects (measures with a result in the year before the plan) by vision,
    in the measures' order (uses the prefetches of ``selectors.plan_page``)."""
    year = plan.first_fiscal_year - 1
    projects = []
    for measure in plan.project.measures.all():
        result = next((r for r in measure.results.all() if r.project_year.fiscal_year == year), None)
        if result is not None:
            projects.append(
                LeadingProject(measure, result, result_lines(result.results, list(measure.indicators.all())))
            )
    return [Vision(heading, list(group)) for heading, group in groupby(projects, key=lambda p: p.measure.heading)]


@dataclass
class Area:
    number: int
    name: str
    states: list[DesiredState]


def areas_of(plan: Plan) -> list[Area]:
    states = list(plan.desired_states.all())
    return [
        Area(number, name, list(group))
        for (number, name), group in groupby(states, key=lambda s: (s.area_number, s.area))
    ]


@dataclass
class StepYear:
    fiscal_year: int
    label: str  # 令和6年度
    steps: list


def steps_by_year(plan: Plan) -> list[StepYear]:
    return [
        StepYear(year, jpdates.fiscal_year_label(year), list(group))
        for year, group in groupby(plan.steps.all(), key=lambda s: s.fiscal_year)
    ]


def grade_legend() -> list[tuple[str, str]]:
    """(A, 順調に進んでおり、新たな課題と取組みもわかっている) …"""
    return [(grade.value, str(grade.label).split(" ", 1)[1]) for grade in Grade]


def lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def bundle_context(plan: Plan) -> dict:
    """Everything the plan page and the bundle PDF show."""
    visions = visions_of(plan)
    return {
        "plan": plan,
        "project": plan.project,
        "timeline": timeline_of(list(plan.project.milestones.all())),
        "visions": visions,
        "leading_count": sum(len(v.projects) for v in visions),
        "result_pages": result_pages(visions),
        "results_year": plan.first_fiscal_year - 1,
        "grade_legend": grade_legend(),
        "lessons": list(plan.lessons.all()),
        "areas": areas_of(plan),
        "step_years": steps_by_year(plan),
        "positioning": lines(plan.positioning),
        "period_note": lines(plan.period_note),
        "viewpoint_lead": lines(plan.viewpoint_lead),
        "viewpoints": lines(plan.viewpoints),
        "goal": lines(plan.goal),
    }


def plan_bundle_pdf(plan: Plan, *, in_packet: bool = False) -> PDFDocument:
    """The bundle as one A4 PDF: the timeline, results ①②, 評価・総括 and the lessons on
    landscape pages, then the plan with its desired states on portrait pages."""
    context = {**bundle_context(plan), "in_packet": in_packet}
    return render_document(
        "projects/pdf/plan_bundle.html",
        context,
        filename=f"{plan.title}.pdf".replace("/", "_"),
        ascii_filename=f"onechoice_project-{plan.project_id}_plan-{plan.pk}.pdf",
    )


def plan_bundle_of_year_pdf(fiscal_year: int, *, in_packet: bool = False, public: bool = False) -> PDFDocument:
    """The bundle of the plan a meeting of ``fiscal_year`` hands out (``selectors.plan_of_year``),
    or, when there is none, one page saying so: a packet never fails for a missing plan."""
    found = selectors.plan_of_year(fiscal_year, public=public)
    if found is not None:
        return plan_bundle_pdf(selectors.plan_page(found.project_id, found.pk, public=public), in_packet=in_packet)
    return render_document(
        "projects/pdf/no_plan.html",
        {"fiscal_year": fiscal_year, "in_packet": in_packet},
        filename=f"{jpdates.fiscal_year_label(fiscal_year)}_計画.pdf",
        ascii_filename=f"onechoice_{fiscal_year}_plan.pdf",
    )
