"""What the workgroups app prints: the WG status table (WG開催状況) of a fiscal year."""

from __future__ import annotations

from dataclasses import dataclass

from onechoice import jpdates
from onechoice.pdf import PDFDocument, render_document

from .models import SessionKind, WorkingGroupSession
from .selectors import working_groups_of_fiscal_year


def _month_day(session: WorkingGroupSession) -> str:
    if session.date:
        text = f"{session.date.month}/{session.date.day}"
    else:
        text = session.planned_date.month_label if session.planned_date else ""
    if session.is_planned:
        text += "予定"
    return text + (f"（{session.note}）" if session.note else "")


def session_lines(sessions: list[WorkingGroupSession]) -> list[str]:
    """The table's compact notation, one line per kind of meeting in order of first
    appearance: 「2/17、4/19、9/7」, 「2/25・8/17・10/14・1/6：IT担当課長会議」, 「2月予定」."""
    groups: dict[str, list[WorkingGroupSession]] = {}
    for session in sorted(sessions, key=lambda s: s.sort_date):
        name = "" if session.kind == SessionKind.WG and not session.name else session.display_name
        groups.setdefault(name, []).append(session)
    return [
        "、".join(_month_day(s) for s in members) + (f"：{name}" if name else "") for name, members in groups.items()
    ]


@dataclass
class StatusRow:
    working_group: object
    lines: list[str]
    first_of_project: bool
    project_rows: int


def wg_status_pdf(fiscal_year: int, *, in_packet: bool = False, public: bool = False) -> PDFDocument:
    """WG開催状況: item (proposers) | WG scope | departments | sessions, A4 landscape."""
    groups = working_groups_of_fiscal_year(fiscal_year, public=public)
    per_project: dict[int, int] = {}
    for wg in groups:
        per_project[wg.project_id] = per_project.get(wg.project_id, 0) + 1
    rows, seen = [], set()
    for wg in groups:
        rows.append(
            StatusRow(wg, session_lines(list(wg.sessions.all())), wg.project_id not in seen, per_project[wg.project_id])
        )
        seen.add(wg.project_id)
    label = jpdates.fiscal_year_label(fiscal_year)
    return render_document(
        "workgroups/pdf/status.html",
        {"fiscal_year": fiscal_year, "rows": rows, "landscape": True, "in_packet": in_packet},
        filename=f"{label}_WG開催状況.pdf",
        ascii_filename=f"onechoice_{fiscal_year}_wg-status.pdf",
    )
