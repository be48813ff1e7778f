"""A cohort's copy of each meeting with its agenda, handouts and attendees (new names, now and
then a deputy, online or absent), written through ``meetings.services``."""

from __future__ import annotations

from meetings.models import AgendaItem, Attendance, AttendanceStatus, Handout, Meeting
from meetings.services import agenda_item_save, attendance_save, handout_save, meeting_save

from .shifting import nearby_day
from .writer import CohortWriter


def is_described_in_full(meeting: Meeting) -> bool:
    """The real records give its agenda, handouts or attendees (only the FY R3 4th meeting)."""
    return bool(meeting.agenda_items.all() or meeting.handouts.all() or meeting.attendances.all())


def write_meetings(w: CohortWriter, *, full_only: bool = False) -> None:
    for meeting in w.base.meetings:
        if not full_only or is_described_in_full(meeting):
            write_meeting(w, meeting)


def write_meeting(w: CohortWriter, original: Meeting) -> None:
    day = w.date(original.date)
    if day:
        day = nearby_day(w.rng, day, spread=2, later=7 * w.cohort.round)
    meeting = w.saved(
        meeting_save(
            meeting=Meeting(
                fiscal_year=w.year(original.fiscal_year),
                number=original.number + 4 * w.cohort.round if original.number else None,
                kind=original.kind,
                title=w.text(original.title),
                mode=original.mode,
                venue=original.venue,
                date=day,
                start_time=original.start_time,
                end_time=original.end_time,
                status=original.status,
                planned_year=w.year(original.planned_year),
                planned_month=original.planned_month,
                planned_period=original.planned_period,
                planned_topics=w.text(original.planned_topics),
                is_published=original.is_published,
            )
        )
    )
    for a in original.agenda_items.all():
        w.saved(
            agenda_item_save(
                agenda_item=AgendaItem(
                    meeting=meeting,
                    order=a.order,
                    section=a.section,
                    title=w.text(a.title),
                    presenter=a.presenter,
                    project=w.projects.get(a.project_id),
                )
            )
        )
    for h in original.handouts.all():
        w.saved(
            handout_save(
                handout=Handout(
                    meeting=meeting,
                    kind=h.kind,
                    number=h.number,
                    title=w.text(h.title),
                    department_id=h.department_id,
                    public=h.public,
                    in_packet=h.in_packet,
                    document=h.document,
                )
            )
        )
    for a in original.attendances.all():
        status, proxy_title, proxy_name = _attendance_status(w, a)
        w.saved(
            attendance_save(
                attendance=Attendance(
                    meeting=meeting,
                    group=a.group,
                    organization_id=a.organization_id,
                    title=a.title,
                    name=w.person(),
                    protocol_order=a.protocol_order,
                    status=status,
                    proxy_title=proxy_title,
                    proxy_name=proxy_name,
                )
            )
        )


def _attendance_status(w: CohortWriter, attendance: Attendance) -> tuple[str, str, str]:
    """Mostly present; now and then a deputy (副市長 for 市長, 次長 for 部長), online or absent."""
    roll = w.rng.random()
    deputy = _deputy_title(attendance.title)
    if attendance.group in ("municipal", "prefecture") and attendance.title != "知事":
        if roll < 0.10 and deputy:
            return AttendanceStatus.PROXY, deputy, w.person()
        if roll < 0.16:
            return AttendanceStatus.ONLINE, "", ""
        if roll < 0.20:
            return AttendanceStatus.ABSENT, "", ""
    return AttendanceStatus.PRESENT, "", ""


def _deputy_title(title: str) -> str:
    for head, deputy in (("市長", "副市長"), ("町長", "副町長"), ("村長", "副村長")):
        if title.endswith(head) and not title.endswith("副" + head):
            return deputy
    if title.endswith("部長") and "・" not in title:
        return title.removesuffix("部長") + "部次長"
    if title.endswith("局長") and "・" not in title:
        return title.removesuffix("局長") + "局次長"
    return ""
