"""What the projects app prints: the progress sheet of an item (取り組み結果と今後の方向性),
the progress report of a fiscal year (every item's sheet in one PDF) and the next year's
items (協議事項). Each function returns a ``PDFDocument`` from the shared engine.

The data comes from ``document_selectors`` in a fixed number of queries; this module only
shapes it for the templates (groups of measures, lines of text, indicator charts).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import groupby

from onechoice import jpdates
from onechoice.pdf import PDFDocument, render_document

from . import document_selectors
from .models import Achievement, Grade, Indicator, IndicatorValue, Project, ProjectYear, YearStatus

# Lines that start with one of these marks are set with a hanging indent, so that wrapped
# text lines up after the mark: ・県内全市町村で設定…, ⇒8月 …, ※…, ①…
_CIRCLED = "".join(chr(c) for c in range(0x2460, 0x2474))  # ①…⑳
_MARKS = "・●○◎◆◇■□※⇒→⇨-－" + _CIRCLED
_CONTINUATIONS = "※（(→⇒⇨"  # notes and arrows belong to the line above


@dataclass(frozen=True)
class Line:
    text: str
    hang: bool  # starts with a mark: wrapped text lines up after it
    level: int  # 1 for a detail under the line above (・…), 0 otherwise
    heading: bool  # a line that introduces details (①…, or a plain line before ・ lines)

    @property
    def mark(self) -> str:
        """The leading mark of a hanging line (・, ①, ⇒ …), set in a box one em wide."""
        return self.text[0] if self.hang else ""

    @property
    def body(self) -> str:
        return self.text[1:].lstrip() if self.hang else self.text


def text_lines(text: str) -> list[Line]:
    """Staff-typed text as lines (blank lines dropped), with the outline the text implies:
    ・ lines are details of the plain or numbered line above them, ※/（/→ lines stay at the
    level of the line above. The text itself is never changed; the template escapes it."""
    raw = [line.strip() for line in text.splitlines()]
    raw = [line for line in raw if line]
    lines: list[Line] = []
    under_number = False
    for i, line in enumerate(raw):
        following = raw[i + 1] if i + 1 < len(raw) else ""
        first = line[0]
        if first in _CIRCLED or first == "●":
            level, under_number = 0, True
            heading = bool(following) and following[0] not in _CIRCLED
        elif first == "・":
            level, heading = 1, False
        elif first in _CONTINUATIONS:
            level, heading = (lines[-1].level if lines else 0), False
        else:
            # Under ①…: a detail. After a ・ detail: its result (全66箇所へ), unless ・ lines
            # follow, which makes it the next plain heading.
            detail_of_above = bool(lines) and lines[-1].level == 1 and not following.startswith("・")
            level = 1 if under_number or detail_of_above else 0
            heading = level == 0 and following.startswith("・")
        lines.append(Line(line, first in _MARKS, level, heading))
    if lines and all(line.level for line in lines):  # a plain list of ・ items: no outline
        lines = [Line(line.text, line.hang, 0, False) for line in lines]
    return lines


# ------------------------------------------------------------------------------------------
# Progress sheet


@dataclass
class Row:
    label: str
    title: str
    results: list[Line]
    next_steps: list[Line]
    follow_up: str = ""  # printed in the row only when its group has no single note
    grade: str = ""
    achievement: str = ""
    rowspan: int = 1  # the 項目 cell spans the following rows of the same measure title
    show_item: bool = True


@dataclass
class Group:
    heading: str
    follow_up: str  # the group's one note, when the table header cannot hold a single one
    rows: list[Row]


@dataclass
class Column:
    width: str
    label: str


@dataclass
class ResultsTable:
    groups: list[Group]
    follow_up: str  # the one follow-up note of the whole table, shown in its header
    has_next_steps: bool
    has_grades: bool
    columns: list[Column]

    @property
    def is_empty(self) -> bool:
        return not self.groups


def _grade_letter(value: str) -> str:
    return value if value in Grade.values else ""


def _achievement_label(value: str) -> str:
    return str(Achievement(value).label) if value in Achievement.values else ""


def results_table(year: ProjectYear) -> ResultsTable:
    results = list(year.measure_results.all())
    notes = {r.follow_up for r in results if r.follow_up}
    table_note = notes.pop() if len(notes) == 1 else ""
    has_next_steps = any(r.next_steps.strip() for r in results)
    has_grades = any(r.grade or r.achievement for r in results)

    groups = []
    for heading, members in groupby(results, key=lambda r: r.measure.heading):
        members = list(members)
        group_notes = {r.follow_up for r in members if r.follow_up}
        group_note = group_notes.pop() if not table_note and len(group_notes) == 1 else ""
        rows = [
            Row(
                label=r.measure.label,
                title=r.measure.title,
                results=text_lines(r.results),
                next_steps=text_lines(r.next_steps),
                follow_up="" if table_note or group_note else r.follow_up,
                grade=_grade_letter(r.grade),
                achievement=_achievement_label(r.achievement),
            )
            for r in members
        ]
        # One 項目 cell for consecutive rows of the same measure (雪捨て場の新設及び共同利用化).
        for _, same in groupby(rows, key=lambda row: (row.label, row.title)):
            same = list(same)
            same[0].rowspan = len(same)
            for row in same[1:]:
                row.show_item = False
        groups.append(Group(heading=heading, follow_up=group_note, rows=rows))

    next_label = f"{jpdates.fiscal_year_label(year.fiscal_year + 1)}以降の取り組み"
    this_label = f"{jpdates.fiscal_year_label(year.fiscal_year)}の取り組み成果等"
    if has_next_steps and has_grades:
        widths = ["36mm", "56mm", "50mm", "12mm", "24mm"]
    elif has_grades:
        widths = ["46mm", "96mm", "12mm", "24mm"]
    elif has_next_steps:
        widths = ["44mm", "67mm", "67mm"]
    else:
        widths = ["50mm", "128mm"]
    labels = ["項目", this_label] + ([next_label] if has_next_steps else []) + (["評価", "達成状況"] if has_grades else [])
    return ResultsTable(
        groups=groups,
        follow_up=table_note,
        has_next_steps=has_next_steps,
        has_grades=has_grades,
        columns=[Column(w, label) for w, label in zip(widths, labels)],
    )


# Indicator charts ------------------------------------------------------------------------


def format_number(value: Decimal) -> str:
    """22.70 → 22.7, 3811.00 → 3,811, 164959 → 164,959."""
    value = Decimal(value)
    exponent = value.normalize().as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return f"{value:,.{places}f}"


@dataclass(frozen=True)
class Reading:
    period: str  # R3.1.1時点, R2
    value: str  # 22.7%
    rank: str  # 全国27位
    note: str


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    centre: float
    value_y: float  # baseline of the value printed above the bar
    value: str
    period: str
    last: bool


@dataclass
class Chart:
    """A small bar chart drawn as SVG by the template: user units are quarter millimetres."""

    width: int
    height: int
    baseline: float
    bars: list[Bar] = field(default_factory=list)

    @property
    def period_y(self) -> float:
        return self.baseline + 13

    @property
    def width_mm(self) -> str:
        return f"{self.width / 4:g}mm"

    @property
    def height_mm(self) -> str:
        return f"{self.height / 4:g}mm"


CHART_WIDTH, CHART_HEIGHT = 232, 100  # 58mm × 25mm
_CHART_TOP, _CHART_BOTTOM = 16, 20  # room for the value above and the period below each bar


def bar_chart(values: list[IndicatorValue], unit: str) -> Chart:
    chart = Chart(width=CHART_WIDTH, height=CHART_HEIGHT, baseline=CHART_HEIGHT - _CHART_BOTTOM)
    if not values:
        return chart
    top = max(max(Decimal(v.value) for v in values), Decimal(0)) or Decimal(1)
    plot_height = chart.baseline - _CHART_TOP
    slot = (CHART_WIDTH - 8) / len(values)
    bar_width = min(44.0, slot * 0.5)
    for i, reading in enumerate(values):
        value = max(Decimal(reading.value), Decimal(0))
        height = max(float(value / top) * plot_height, 1.0)
        centre = 4 + slot * i + slot / 2
        chart.bars.append(
            Bar(
                x=round(centre - bar_width / 2, 2),
                y=round(chart.baseline - height, 2),
                width=round(bar_width, 2),
                height=round(height, 2),
                centre=round(centre, 2),
                value_y=round(chart.baseline - height - 3, 2),
                value=format_number(reading.value) + unit,
                period=reading.period_label,
                last=i == len(values) - 1,
            )
        )
    return chart


@dataclass
class IndicatorView:
    name: str
    unit: str
    note: str
    readings: list[Reading]
    chart: Chart

    @property
    def first(self) -> Reading:
        return self.readings[0]

    @property
    def last(self) -> Reading:
        return self.readings[-1]


def _reading(value: IndicatorValue, unit: str) -> Reading:
    return Reading(
        period=value.period_label,
        value=format_number(value.value) + unit,
        rank=f"全国{value.rank}位" if value.rank else "",
        note=value.note,
    )


def indicators_of(year: ProjectYear) -> list[IndicatorView]:
    """The item's indicators that belong to this year's sheet: those of a measure with results
    this year (or of no measure), with the values known by the end of the fiscal year."""
    measure_ids = {r.measure_id for r in year.measure_results.all()}
    year_end = jpdates.fiscal_year_bounds(year.fiscal_year)[1]
    views = []
    indicator: Indicator
    for indicator in year.project.indicators.all():
        if indicator.measure_id is not None and indicator.measure_id not in measure_ids:
            continue
        series = [v for v in indicator.series if v.as_of <= year_end]
        if not series:
            continue
        views.append(
            IndicatorView(
                name=indicator.name,
                unit=indicator.unit,
                note=indicator.note,
                readings=[_reading(v, indicator.unit) for v in series],
                chart=bar_chart(series, indicator.unit),
            )
        )
    return views


# Sheets ----------------------------------------------------------------------------------


def outcome_of(year: ProjectYear) -> str:
    """令和4年度協議継続 when the next year's record continues the item, 連携推進項目での協議を終了
    when this year's record concludes it (uses the prefetched years of the item)."""
    following = next((y for y in year.project.years.all() if y.fiscal_year == year.fiscal_year + 1), None)
    if following is not None and following.status == YearStatus.CONTINUING:
        return f"{jpdates.fiscal_year_label(year.fiscal_year + 1)}協議継続"
    if year.status == YearStatus.CONCLUDED:
        return "連携推進項目での協議を終了"
    return ""


@dataclass
class HighlightView:
    title: str
    overview: list[Line]
    points: list[Line]
    photos: list


@dataclass
class Sheet:
    project: Project
    year: ProjectYear
    outcome: str
    proposers: list[str]
    divisions: list[str]
    table: ResultsTable
    highlights: list[HighlightView]
    indicators: list[IndicatorView]

    @property
    def fiscal_year(self) -> int:
        return self.year.fiscal_year


def build_sheet(year: ProjectYear) -> Sheet:
    project = year.project
    return Sheet(
        project=project,
        year=year,
        outcome=outcome_of(year),
        proposers=[o.name for o in project.proposers.all()],
        divisions=[d.name for d in project.divisions.all()],
        table=results_table(year),
        highlights=[
            HighlightView(
                title=h.title, overview=text_lines(h.overview), points=text_lines(h.points), photos=list(h.photos.all())
            )
            for h in year.highlights.all()
        ],
        indicators=indicators_of(year),
    )


def _grade_legend() -> list[tuple[str, str]]:
    """A：順調に進んでおり… (the labels without their letter)."""
    return [(grade.value, str(grade.label).split(" ", 1)[1]) for grade in Grade]


def _safe_filename(text: str) -> str:
    return re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", text)


def progress_sheet_pdf(project: Project | int, fiscal_year: int, *, in_packet: bool = False) -> PDFDocument:
    """One item's progress sheet for one fiscal year (A4 portrait). ``project`` may be an
    item or its primary key: the records are read again, prefetched, in at most nine queries.

    Raises ``ProjectYear.DoesNotExist`` when the item has no record for that fiscal year."""
    years = document_selectors.sheet_years(fiscal_year, project=project)
    if not years:
        raise ProjectYear.DoesNotExist(
            f"「{project}」には{jpdates.fiscal_year_label(fiscal_year)}の記録がありません。"
        )
    sheet = build_sheet(years[0])
    context = {
        "sheet": sheet,
        "fiscal_year": fiscal_year,
        "grade_legend": _grade_legend(),
        "in_packet": in_packet,
    }
    label = jpdates.fiscal_year_label(fiscal_year)
    return render_document(
        "projects/pdf/progress_sheet.html",
        context,
        filename=f"{label}_{_safe_filename(sheet.project.title)}_進捗シート.pdf",
        ascii_filename=f"onechoice_{fiscal_year}_project-{sheet.project.pk}_sheet.pdf",
    )


def progress_report_pdf(fiscal_year: int, *, in_packet: bool = False, public: bool = False) -> PDFDocument:
    """Every item's progress sheet for a fiscal year, each item starting on a new page."""
    sheets = [build_sheet(year) for year in document_selectors.sheet_years(fiscal_year, public=public)]
    context = {
        "sheets": sheets,
        "fiscal_year": fiscal_year,
        "grade_legend": _grade_legend(),
        "in_packet": in_packet,
    }
    return render_document(
        "projects/pdf/progress_report.html",
        context,
        filename=f"{jpdates.fiscal_year_label(fiscal_year)}_連携推進項目の取り組み状況.pdf",
        ascii_filename=f"onechoice_{fiscal_year}_progress.pdf",
    )


# ------------------------------------------------------------------------------------------
# 協議事項 (next year's items)


@dataclass
class AgendaEntry:
    project: Project
    year: ProjectYear
    is_new: bool
    status_note: str  # （R3年度からの継続） / （R4年度新規項目）
    proposers: list[str]
    targets: str  # 全市町村, 富山市、高岡市, or ""
    divisions: list[str]
    goal: list[Line]
    current_situation: list[Line]
    issues: list[Line]
    concrete_measures: list[Line]
    expected_effects: list[Line]
    selection_reason: list[Line]


def _targets_label(project: Project, municipality_ids: set[int]) -> str:
    targets = list(project.targets.all())
    if not targets:
        return ""
    ids = {o.pk for o in targets}
    if municipality_ids and municipality_ids <= ids:
        others = [o.name for o in targets if o.pk not in municipality_ids]
        return "、".join(["全市町村", *others])
    return "、".join(o.name for o in targets)


def _agenda_entry(year: ProjectYear, municipality_ids: set[int]) -> AgendaEntry:
    project = year.project
    is_new = year.status == YearStatus.NEW
    if is_new:
        status_note = f"（{jpdates.fiscal_year_short(year.fiscal_year)}新規項目）"
    else:
        earlier = [y.fiscal_year for y in project.years.all() if y.fiscal_year < year.fiscal_year]
        since = min(earlier) if earlier else project.first_fiscal_year
        status_note = f"（{jpdates.fiscal_year_short(since)}からの継続）"
    return AgendaEntry(
        project=project,
        year=year,
        is_new=is_new,
        status_note=status_note,
        proposers=[o.name for o in project.proposers.all()],
        targets=_targets_label(project, municipality_ids),
        divisions=[d.name for d in project.divisions.all()],
        goal=text_lines(year.goal),
        current_situation=text_lines(year.current_situation),
        issues=text_lines(year.issues),
        concrete_measures=text_lines(year.concrete_measures),
        expected_effects=text_lines(year.expected_effects),
        selection_reason=text_lines(year.selection_reason) if is_new else [],
    )


def next_year_items_pdf(fiscal_year: int, *, in_packet: bool = False, public: bool = False) -> PDFDocument:
    """協議事項 for ``fiscal_year``: the list of items (継続 and 新規) and, for each new item,
    its goal, current situation and issues, concrete measures and effects, and why it was chosen."""
    municipality_ids = document_selectors.municipality_ids()
    entries = [_agenda_entry(year, municipality_ids) for year in document_selectors.agenda_years(fiscal_year, public=public)]
    label = jpdates.fiscal_year_label(fiscal_year)
    context = {
        "entries": entries,
        "new_entries": [e for e in entries if e.is_new],
        "fiscal_year": fiscal_year,
        "title": f"{label}「ワンチームとやま」連携推進本部会議における協議事項について",
        "in_packet": in_packet,
    }
    return render_document(
        "projects/pdf/next_year_items.html",
        context,
        filename=f"{label}_協議事項.pdf",
        ascii_filename=f"onechoice_{fiscal_year}_proposals.pdf",
    )
