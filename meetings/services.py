"""Writes of meetings, their agendas, handouts, attendee lists and seating."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from onechoice import uploads
from onechoice.services import record_save, saves, writes

from .models import AgendaItem, Attendance, Handout, Meeting, Seat, SeatingPlan
from .seating import placement

writes(Meeting, AgendaItem, Handout, Attendance, SeatingPlan, Seat)


def meeting_save(*, meeting: Meeting) -> Meeting:
    """Create or change a meeting: a held one has a date; a planned one a date or a planned
    month; its number is unique within the fiscal year and kind."""
    return record_save(meeting)


def agenda_item_save(*, agenda_item: AgendaItem) -> AgendaItem:
    return record_save(agenda_item)


@saves(Handout, keyword="handout")
def handout_save(*, handout: Handout) -> Handout:
    """A handout: an uploaded PDF (readable, not password-protected, within the upload
    bounds) or a generated document, numbered once per kind within its meeting.

    A new upload is stored cleaned (``onechoice.uploads.clean_pdf``: the same pages, text and
    bookmarks without scripts, attachments or forms); the file as uploaded is never stored.
    The admin and every other writer reach this (``@saves``); a refused file raises
    ``ValidationError`` on ``file`` (with the record's other problems) and nothing is written."""
    if uploads.is_new_upload(handout.file):
        try:
            handout.file = uploads.cleaned_file(handout.file)  # what the admin's validation cleaned, once
        except ValidationError:
            pass  # refused: record_save's validation (validate_pdf_upload) says why, with the rest
    return record_save(handout)


def attendance_save(*, attendance: Attendance) -> Attendance:
    """One attendee of a meeting, as they were on the day (title and name are a snapshot);
    a substitute needs the substitute's title and name."""
    return record_save(attendance)


def seating_plan_save(*, seating_plan: SeatingPlan) -> SeatingPlan:
    return record_save(seating_plan)


def seat_save(*, seat: Seat) -> Seat:
    """Put one attendee on a chosen seat (everyone else flows around the stored seats)."""
    return record_save(seat)


@transaction.atomic
def seats_place_automatically(*, plan: SeatingPlan, reset: bool = False) -> list[Seat]:
    """Store the automatic placement as Seat rows, one per seated attendee, for the
    secretariat to adjust. Seats already stored are kept (``reset=True`` starts over from the
    automatic placement); seats of attendees who are now absent are removed. Running it
    again changes nothing."""
    # Read afresh (the plan's meeting may carry prefetched attendances), one run at a time.
    plan = SeatingPlan.objects.select_for_update().get(pk=plan.pk)
    attendances = list(Attendance.objects.filter(meeting_id=plan.meeting_id).order_by("protocol_order"))
    seated_ids = {a.pk for a in placement.seated(attendances)}
    existing = {seat.attendance_id: seat for seat in Seat.objects.filter(plan=plan)}
    stale = [seat for aid, seat in existing.items() if reset or aid not in seated_ids]
    for seat in stale:
        seat.delete()
    existing = {aid: seat for aid, seat in existing.items() if seat not in stale}
    fixed = {aid: (seat.side, seat.position) for aid, seat in existing.items()}
    seats = []
    for a, side, position in placement.assign(attendances, plan.layout, fixed):
        seat = existing.get(a.pk)
        if seat is None:
            seat = record_save(Seat(plan=plan, attendance=a, side=side, position=position))
        seats.append(seat)
    return seats
