"""The 協議事項 of the projects app (the next year's items): ``next_year_items_pdf`` lists the
items of a fiscal year (継続 and 新規) and the year's other expected issues (個別課題), and
details each new item (its goal, current situation and issues, concrete measures and effects,
and why it was chosen), with the targets of an item named as 全市町村 when they include every
municipality.
"""

from __future__ import annotations

from dataclasses import dataclass

from onechoice import jpdates
from onechoice.pdf import PDFDocument, render_document

from .. import document_selectors
from ..models import Project, ProjectYear, YearStatus
from .outline import Line, text_lines

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


def expected_issues_text(titles: list[str]) -> str:
    """Section 2's list as the handout writes it: 「新型コロナウイルス対策、公共施設のあり方など」
    (「」 for none)."""
    return "、".join(titles) + "など" if titles else ""


def next_year_items_pdf(fiscal_year: int, *, in_packet: bool = False, public: bool = False) -> PDFDocument:
    """協議事項 for ``fiscal_year``: the list of items (継続 and 新規), the year's 個別課題
    (section 2, left out for a year that records none) and, for each new item, its goal,
    current situation and issues, concrete measures and effects, and why it was chosen.
    Seven queries, however many items and issues."""
    municipality_ids = document_selectors.municipality_ids()
    entries = [
        _agenda_entry(year, municipality_ids) for year in document_selectors.agenda_years(fiscal_year, public=public)
    ]
    label = jpdates.fiscal_year_label(fiscal_year)
    context = {
        "entries": entries,
        "new_entries": [e for e in entries if e.is_new],
        # A year without 個別課題 prints no section 2: an empty heading would read as if the
        # issues were left out, and 「など」 after nothing says nothing (the handouts of the
        # years before 個別課題 were recorded stay as they were).
        "expected_issues": expected_issues_text(document_selectors.expected_issue_titles(fiscal_year)),
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
