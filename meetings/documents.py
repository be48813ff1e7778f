"""What the meetings app prints: agenda, attendee list, seating chart, annual schedule and
the meeting packet. Each function returns a ``PDFDocument`` from the shared engine."""

from __future__ import annotations

from onechoice import jpdates
from onechoice.pdf import PDFDocument, render_document

from . import selectors
from .models import Meeting


def _names(meeting: Meeting, what: str, ascii_what: str) -> dict:
    """令和3年度第4回_次第.pdf and onechoice_2021-4_agenda.pdf."""
    ordinal = f"第{meeting.number}回" if meeting.number else (meeting.date or meeting.pk)
    ascii_ordinal = meeting.number or (meeting.date.isoformat() if meeting.date else meeting.pk)
    return {
        "filename": f"{jpdates.fiscal_year_label(meeting.fiscal_year)}{ordinal}_{what}.pdf",
        "ascii_filename": f"onechoice_{meeting.fiscal_year}-{ascii_ordinal}_{ascii_what}.pdf",
    }


def agenda_pdf(meeting: Meeting, *, in_packet: bool = False) -> PDFDocument:
    """次第: date and time, venue, numbered sections with 議事 (1)…, the list of handouts."""
    context = {
        "meeting": meeting,
        "agenda": selectors.agenda_outline(list(meeting.agenda_items.all())),
        "handouts": list(meeting.handouts.all()),
        "in_packet": in_packet,
    }
    return render_document("meetings/pdf/agenda.html", context, **_names(meeting, "次第", "agenda"))


def attendees_pdf(meeting: Meeting, *, in_packet: bool = False) -> PDFDocument:
    """出席者名簿: each group with its head count, in protocol order; absentees are left out of
    the groups and named in one line at the end."""
    attendees = selectors.attendee_list(meeting.attendances.all())
    context = {"meeting": meeting, "groups": attendees.groups, "absentees": attendees.absentees, "in_packet": in_packet}
    return render_document("meetings/pdf/attendees.html", context, **_names(meeting, "出席者名簿", "attendees"))


def seating_pdf(meeting: Meeting, *, in_packet: bool = False) -> PDFDocument:
    """配席図 (A4 landscape, one page): head table, the municipal and prefectural sides and the
    back row, placed by protocol order with the plan's stored seats as overrides."""
    chart = selectors.seating_chart(meeting)
    plan = selectors.plan_of(meeting)
    notes = [] if chart.seats else ["出席者は未登録です"]
    if chart.has_proxy:
        notes.append("（代理）は代理出席")
    if chart.has_online:
        notes.append("（WEB）はWEB出席")
    if plan and plan.note:
        notes.append(plan.note)
    context = {"meeting": meeting, "chart": chart, "notes": notes, "landscape": True, "in_packet": in_packet}
    return render_document("meetings/pdf/seating.html", context, **_names(meeting, "配席図", "seating"))


def schedule_pdf(fiscal_year: int, *, in_packet: bool = False, public: bool = False) -> PDFDocument:
    """年間スケジュール: the year's meetings and the two years before, planned dates as
    written (5月中旬), extraordinary and online meetings marked."""
    years = selectors.annual_schedule(fiscal_year, public=public)
    context = {
        "fiscal_year": fiscal_year,
        "years": years,
        "draft": any(m.is_planned for y in years for m in y.meetings),
        "in_packet": in_packet,
    }
    return render_document(
        "meetings/pdf/schedule.html",
        context,
        filename=f"{jpdates.fiscal_year_label(fiscal_year)}_年間スケジュール.pdf",
        ascii_filename=f"onechoice_{fiscal_year}_schedule.pdf",
    )
