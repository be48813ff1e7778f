"""The progress sheets of the projects app (取り組み結果と今後の方向性): one item's sheet for one
fiscal year (``progress_sheet_pdf``) and the progress report of a fiscal year, every item's sheet
in one PDF (``progress_report_pdf``), with what shapes a sheet for its template: the table of
measure results grouped by heading, the item's outcome, highlights and indicators.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import groupby

from onechoice import jpdates
from onechoice.pdf import PDFDocument, render_document

from .. import document_selectors
from ..models import Achievement, Grade, Project, ProjectYear, YearStatus
from .charts import IndicatorView, indicators_of
from .outline import Line, text_lines

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


def _grade_text(value: str) -> str:
    """順調に進んでおり… (a grade's label without its letter)."""
    return str(Grade(value).label).split(" ", 1)[1] if value in Grade.values else ""


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
    labels = (
        ["項目", this_label] + ([next_label] if has_next_steps else []) + (["評価", "達成状況"] if has_grades else [])
    )
    return ResultsTable(
        groups=groups,
        follow_up=table_note,
        has_next_steps=has_next_steps,
        has_grades=has_grades,
        columns=[Column(w, label) for w, label in zip(widths, labels)],
    )


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
    grade: str = ""  # the year's 評価 (A/B/C) as entered on its record, as the item's page shows it
    grade_text: str = ""  # … what the letter means
    achievement: str = ""  # the year's 達成状況: ○概ね達成 / △達成できず

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
        grade=_grade_letter(year.grade),
        grade_text=_grade_text(year.grade),
        achievement=_achievement_label(year.achievement),
    )


def _grade_legend() -> list[tuple[str, str]]:
    """A：順調に進んでおり… (the labels without their letter)."""
    return [(grade.value, _grade_text(grade.value)) for grade in Grade]


def _safe_filename(text: str) -> str:
    return re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", text)


def progress_sheet_pdf(project: Project | int, fiscal_year: int, *, in_packet: bool = False) -> PDFDocument:
    """One item's progress sheet for one fiscal year (A4 portrait). ``project`` may be an
    item or its primary key: the records are read again, prefetched, in at most nine queries.

    Raises ``ProjectYear.DoesNotExist`` when the item has no record for that fiscal year."""
    years = document_selectors.sheet_years(fiscal_year, project=project)
    if not years:
        raise ProjectYear.DoesNotExist(f"「{project}」には{jpdates.fiscal_year_label(fiscal_year)}の記録がありません。")
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
