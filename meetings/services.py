"""Writes of meetings, their agendas, handouts, attendee lists and seating."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from onechoice import jpdates, uploads
from onechoice.concurrency import check_version
from onechoice.roles import Role, role_of
from onechoice.services import RecordsInvalid, record_save, record_validate, saves, writes

from . import selectors
from .models import (
    AgendaItem,
    Attendance,
    AttendanceReply,
    AttendanceRequest,
    AttendanceStatus,
    Handout,
    MaterialRequest,
    MaterialState,
    Meeting,
    RosterMember,
    Seat,
    SeatingPlan,
    SentMail,
)
from .seating import placement

writes(Meeting, AgendaItem, Handout, RosterMember, Attendance, SeatingPlan, Seat)


@saves(Meeting, keyword="meeting")
@transaction.atomic
def meeting_save(*, meeting: Meeting) -> Meeting:
    """Create or change a meeting: a held one has a date; a planned one a date or a planned
    month; its number is unique within the fiscal year and kind. Setting the date of a
    planned meeting makes it a dated one (the planned month is cleared, not refused). Every
    meeting has its seating plan from the start (hollow square until changed)."""
    from . import mail

    meeting.settle_schedule()
    was_published = meeting.pk and Meeting.objects.filter(pk=meeting.pk).values_list("is_published", flat=True).first()
    record_save(meeting)
    if selectors.plan_of(meeting) is None:
        meeting.seating_plan = record_save(SeatingPlan(meeting=meeting))
    if meeting.is_published and was_published is False:  # published now: tell its organisations
        transaction.on_commit(mail.after_commit(mail.send_published_mails, meeting.pk), robust=True)
    return meeting


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


# What a row made from the roster holds of the roster: changing one of these by hand keeps
# the row as it is when the list is refreshed from the roster.
ROSTER_FIELDS = ("group", "organization_id", "title", "name")


@saves(Attendance, keyword="attendance")
def attendance_save(*, attendance: Attendance) -> Attendance:
    """One attendee of a meeting, as they were on the day (title and name are a snapshot);
    a substitute needs the substitute's title and name. A row made from the roster whose
    title, name, organisation or group is changed is marked as edited by hand."""
    if attendance.pk and attendance.roster_member_id and not attendance.edited_by_hand:
        stored = Attendance.objects.filter(pk=attendance.pk).values(*ROSTER_FIELDS).first()
        if stored and any(stored[f] != getattr(attendance, f) for f in ROSTER_FIELDS):
            attendance.edited_by_hand = True
    return record_save(attendance)


def roster_member_save(*, roster_member: RosterMember) -> RosterMember:
    return record_save(roster_member)


@dataclass
class RosterResult:
    """What ``attendances_from_roster`` did, for the message to the user."""

    created: list[Attendance] = field(default_factory=list)
    refreshed: list[Attendance] = field(default_factory=list)
    kept: list[Attendance] = field(default_factory=list)  # edited by hand, left as they are
    vacant: list[RosterMember] = field(default_factory=list)  # nobody in post on the date

    @property
    def summary(self) -> str:
        """34 名を追加、2 名を更新 … (or that nothing changed)."""
        parts = []
        if self.created:
            parts.append(_("%(count)d 名を追加") % {"count": len(self.created)})
        if self.refreshed:
            parts.append(_("%(count)d 名を構成員名簿に合わせて更新") % {"count": len(self.refreshed)})
        if self.kept:
            parts.append(_("手で修正した %(count)d 名はそのまま") % {"count": len(self.kept)})
        return "、".join(parts) or _("構成員名簿のとおりで、変更なし")

    @property
    def message(self) -> str:
        changed = self.created or self.refreshed or self.kept
        text = self.summary + (_("しました。") if changed else "。")
        if self.vacant:
            text += _(
                "在任者が見つからない構成員: %(titles)s（職員・首長マスタの就任日・退任日を確認してください）。"
            ) % {"titles": "、".join(m.title for m in self.vacant)}
        return text


@transaction.atomic
def attendances_from_roster(*, meeting: Meeting, refresh: bool = False, on: dt.date | None = None) -> RosterResult:
    """Fill the meeting's attendee list from the HQ roster: for each active position, the
    official holding it on the meeting's date (``on``), with title and name as they are that
    day. Positions already on the list are left alone, unless ``refresh``: then rows not
    edited by hand take the holder of that day again (their 出欠 stays). Rows added by hand
    (observers, the secretariat) are never touched. Later changes to the officials master
    never rewrite a list: run this again with ``refresh`` to take them."""
    Meeting.objects.select_for_update().filter(pk=meeting.pk).first()  # one run at a time per meeting
    day = on or meeting.sort_date
    if day is None:
        raise ValidationError(_("開催日か予定時期を入力してから、構成員名簿から作成してください。"))
    result = RosterResult()
    existing = {a.roster_member_id: a for a in meeting.attendances.filter(roster_member__isnull=False)}
    taken = set(meeting.attendances.values_list("protocol_order", flat=True))
    next_free = (meeting.attendances.aggregate(last=Max("protocol_order"))["last"] or 0) + 1
    for member, official in selectors.roster_holders(on=day):
        if official is None:
            result.vacant.append(member)
            continue
        row = existing.get(member.pk)
        if row is not None:
            if not refresh:
                continue
            if row.edited_by_hand:
                result.kept.append(row)
                continue
            snapshot = (member.group, official.organization_id, official.title, official.name, official.pk)
            if (row.group, row.organization_id, row.title, row.name, row.official_id) != snapshot:
                row.group, row.organization_id, row.title, row.name, row.official = (*snapshot[:4], official)
                result.refreshed.append(record_save(row))  # the roster's own change, not a hand edit
            continue
        order = member.protocol_order
        if order in taken:  # a row added by hand holds the roster's number: go after the list
            order, next_free = next_free, next_free + 1
        taken.add(order)
        result.created.append(
            attendance_save(
                attendance=Attendance(
                    meeting=meeting,
                    roster_member=member,
                    group=member.group,
                    organization_id=official.organization_id,
                    official=official,
                    title=official.title,
                    name=official.name,
                    protocol_order=order,
                    status=AttendanceStatus.PRESENT,
                )
            )
        )
    return result


def seating_plan_save(*, seating_plan: SeatingPlan) -> SeatingPlan:
    return record_save(seating_plan)


def seating_plan_set(*, meeting: Meeting, **fields) -> SeatingPlan:
    """The meeting's seating plan (every meeting has one, ``meeting_save``) with ``fields``
    (layout, note) changed; made first for a meeting saved without its services."""
    plan = SeatingPlan.objects.filter(meeting=meeting).first() or SeatingPlan(meeting=meeting)
    for name, value in fields.items():
        setattr(plan, name, value)
    return record_save(plan)


def seat_save(*, seat: Seat) -> Seat:
    """Put one attendee on a chosen seat (everyone else flows around the stored seats)."""
    return record_save(seat)


# What a new meeting takes over from the one it is made from (the rest comes from the form),
# and what its agenda, handouts and hand-added attendees keep (an attendee's 出欠 is not kept).
COPIED_MEETING_FIELDS = ("mode", "venue", "start_time", "end_time")
COPIED_AGENDA_FIELDS = ("order", "section", "title", "presenter", "project_id")
COPIED_HANDOUT_FIELDS = ("kind", "number", "title", "department_id", "document", "public", "in_packet")
COPIED_ATTENDANCE_FIELDS = ("group", "organization_id", "official_id", "title", "name")


def _copy_of(record, fields, **changes):
    """A new, unsaved record of ``record``'s model with ``fields`` copied and ``changes`` set."""
    return type(record)(**{name: getattr(record, name) for name in fields}, **changes)


@dataclass
class MeetingCopy:
    meeting: Meeting
    roster: RosterResult
    copied_attendees: int
    copied_files: int
    source_label: str = ""

    @property
    def message(self) -> str:
        return _(
            "%(source)sをもとに作成しました: 次第 %(agenda)d 件、配付資料 %(handouts)d 件（PDF %(files)d 件）、"
            "出席者は構成員名簿から（%(roster)s）、ほかに手で追加された出席者 %(others)d 名。"
        ) % {
            "source": self.source_label,
            "agenda": self.meeting.agenda_items.count(),
            "handouts": self.meeting.handouts.count(),
            "files": self.copied_files,
            "roster": self.roster.summary,
            "others": self.copied_attendees,
        }


@transaction.atomic
def meeting_copy(*, source: Meeting, meeting: Meeting, with_files: bool = False) -> MeetingCopy:
    """A new meeting (``meeting``, unsaved: its year, number, kind, title and date or planned
    month as the user chose them) made from ``source``: its mode, venue and times, its agenda,
    its handout list (titles, numbers and flags; the PDF files only ``with_files``), its
    attendee list — positions of the roster taken again from the roster for the new date,
    rows added by hand (observers, the secretariat) copied as they were, everyone 出席 — and
    its seating layout and seats moved by hand. It is not published."""
    if meeting.pk:
        raise ValueError("meeting_copy makes a new meeting")
    for name in COPIED_MEETING_FIELDS:
        if not getattr(meeting, name):
            setattr(meeting, name, getattr(source, name))
    if not meeting.date:
        meeting.start_time = meeting.end_time = None  # a time needs a date (Meeting.clean)
    meeting.is_published = False
    meeting_save(meeting=meeting)
    for item in source.agenda_items.order_by("order"):
        agenda_item_save(agenda_item=_copy_of(item, COPIED_AGENDA_FIELDS, meeting=meeting))
    files = 0
    for handout in source.handouts.order_by("kind", "number"):
        copy = _copy_of(handout, COPIED_HANDOUT_FIELDS, meeting=meeting)
        if with_files and handout.file:
            with handout.file.open("rb") as stored:
                copy.file = ContentFile(stored.read(), name="handout.pdf")
            files += 1
        handout_save(handout=copy)
    roster = attendances_from_roster(meeting=meeting)
    taken = set(meeting.attendances.values_list("protocol_order", flat=True))
    next_free = max(taken, default=0) + 1
    others = 0
    copied_rows: dict[int, Attendance] = {}  # source attendance id → the new row
    by_member = {a.roster_member_id: a for a in meeting.attendances.filter(roster_member__isnull=False)}
    for row in source.attendances.order_by("protocol_order"):
        if row.roster_member_id is not None:
            if row.roster_member_id in by_member:
                copied_rows[row.pk] = by_member[row.roster_member_id]
            continue
        order = row.protocol_order
        if order in taken:
            order, next_free = next_free, next_free + 1
        taken.add(order)
        copied_rows[row.pk] = attendance_save(
            attendance=_copy_of(row, COPIED_ATTENDANCE_FIELDS, meeting=meeting, protocol_order=order)
        )
        others += 1
    source_plan = selectors.plan_of(source)
    if source_plan is not None:
        plan = meeting.seating_plan
        plan.layout, plan.note = source_plan.layout, source_plan.note
        seating_plan_save(seating_plan=plan)
        for seat in source_plan.seats.order_by("side", "position"):
            if seat.attendance_id in copied_rows:
                seat_save(
                    seat=Seat(
                        plan=plan, attendance=copied_rows[seat.attendance_id], side=seat.side, position=seat.position
                    )
                )
    return MeetingCopy(meeting, roster, others, files, source_label=str(source))


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


# --- the seating editor (meetings/seating/editor.py): one person moved at a time ------------------

# Where a stored seat waits while two people swap: a position no seat has (placement counts
# from 1), so the unique (plan, side, position) holds at every step of the swap.
SEAT_PARKED = 0
SEAT_POSITION_MAX = 32767  # what a PositiveSmallIntegerField holds


@dataclass(frozen=True)
class SeatMove:
    """What ``seat_move`` did, for the message to the user."""

    attendance: Attendance
    seat: tuple[str, int]  # where the person sits now
    origin: tuple[str, int]  # where they sat before
    swapped_with: Attendance | None = None  # who sat there, now on ``origin``

    @property
    def changed(self) -> bool:
        return self.seat != self.origin


@transaction.atomic
def seating_plan_ensure(*, meeting: Meeting) -> SeatingPlan:
    """The meeting's seating plan; a meeting that has none (made before every meeting got
    one) gets the default one (hollow square, no stored seats)."""
    Meeting.objects.select_for_update().filter(pk=meeting.pk).first()  # one creation at a time
    plan = SeatingPlan.objects.filter(meeting_id=meeting.pk).first()
    return plan or seating_plan_save(seating_plan=SeatingPlan(meeting=meeting))


def _seat_store(plan: SeatingPlan, attendance: Attendance, seat: tuple[str, int], row: Seat | None) -> Seat:
    row = row if row is not None else Seat(plan=plan, attendance=attendance)
    row.side, row.position = seat
    return seat_save(seat=row)


@transaction.atomic
def seat_move(*, plan: SeatingPlan, attendance: Attendance, side: str, position: int) -> SeatMove:
    """Put ``attendance`` on the seat (``side``, ``position``) of ``plan`` and store it there.
    Whoever sits on that seat now — by a stored seat or by protocol order — takes the mover's
    old seat, stored too (a swap). Everyone else keeps what they have: stored seats stay, the
    others still follow protocol order around them. One transaction, the plan locked; the
    unique (plan, side, position) holds at every step (the mover's row is parked first).
    Seats still stored for attendees now absent are removed, as ``seats_place_automatically``
    removes them.

    Raises ``ValidationError`` (nothing written) for an attendee of another meeting, an
    absentee (absentees have no seat) or a seat that cannot exist."""
    plan = SeatingPlan.objects.select_for_update().get(pk=plan.pk)
    attendances = list(Attendance.objects.filter(meeting_id=plan.meeting_id).order_by("protocol_order"))
    mover = next((a for a in attendances if a.pk == attendance.pk), None)
    if mover is None:
        raise ValidationError({"attendance": _("この会議の出席者を選んでください。")})
    if mover.status == AttendanceStatus.ABSENT:
        raise ValidationError({"attendance": _("欠席の人には席がありません。出欠を変えてから席を決めてください。")})
    sides = dict(Seat._meta.get_field("side").flatchoices)
    if side not in sides or not isinstance(position, int) or not 1 <= position <= SEAT_POSITION_MAX:
        where = {"side": sides.get(side, side), "position": position}
        raise ValidationError({"seat": _("その席（%(side)s %(position)s）はありません。") % where})
    seated_ids = {a.pk for a in placement.seated(attendances)}
    stored = {}
    for seat in Seat.objects.filter(plan=plan):
        if seat.attendance_id in seated_ids:
            stored[seat.attendance_id] = seat
        else:  # an absentee's old seat: not drawn, and it would hold a seat somebody takes
            seat.delete()
    fixed = {aid: (seat.side, seat.position) for aid, seat in stored.items()}
    now = {a.pk: (s, p) for a, s, p in placement.assign(attendances, plan.layout, fixed)}
    origin, target = now[mover.pk], (side, position)
    if origin == target:
        return SeatMove(mover, target, origin)
    occupant = next((a for a in attendances if now.get(a.pk) == target), None)
    mover_row = stored.get(mover.pk)
    if occupant is not None and mover_row is not None:
        mover_row.position = SEAT_PARKED  # frees the origin for the occupant
        seat_save(seat=mover_row)
    if occupant is not None:
        _seat_store(plan, occupant, origin, stored.get(occupant.pk))
    _seat_store(plan, mover, target, mover_row)
    return SeatMove(mover, target, origin, swapped_with=occupant)


# --- attendance requests (出欠照会) and replies (出欠回答) -----------------------------------------

writes(AttendanceRequest, AttendanceReply, SentMail)


@saves(AttendanceRequest, keyword="attendance_request")
@transaction.atomic
def attendance_request_save(*, attendance_request: AttendanceRequest, organizations=None) -> AttendanceRequest:
    """Open a request (a new one) or change it: its deadline, message and the organisations
    asked — by default those of the meeting's attendance rows. Each organisation asked has its
    reply (not yet answered at first); the ones newly asked get the request mail after the
    commit. An organisation that has answered cannot be taken off the list; one that has not
    loses its reply."""
    from . import mail

    request = attendance_request
    new = request.pk is None
    if new and request.deadline and request.deadline < timezone.localdate():
        raise ValidationError({"deadline": _("回答期限が過ぎています。今日以降の日付にしてください。")})
    asked = list(organizations or ())
    if not asked and request.meeting_id:
        asked = list(selectors.organizations_of_attendance(request.meeting_id))
        if not asked:
            raise ValidationError(
                {"organizations": _("出席者名簿に団体がありません。名簿を作成するか、照会先の団体を選んでください。")}
            )
    if new:
        request.opened_at = timezone.now()
    record_save(request, m2m={"organizations": asked})
    replies = {reply.organization_id: reply for reply in request.replies.select_related("organization")}
    asked_ids = {org.pk for org in asked}
    kept = [r.organization.name for oid, r in replies.items() if oid not in asked_ids and r.answered_at]
    if kept:
        raise ValidationError(
            {"organizations": _("回答済みの団体は照会先から外せません: %(names)s") % {"names": "、".join(kept)}}
        )
    for oid, reply in replies.items():
        if oid not in asked_ids:
            reply.delete()
    added = [org.pk for org in asked if org.pk not in replies]
    for oid in added:
        record_save(AttendanceReply(request=request, organization_id=oid))
    if added:
        transaction.on_commit(mail.after_commit(mail.send_request_mails, request.pk, added), robust=True)
    return request


def attendance_request_open(
    *, meeting: Meeting, deadline: dt.date, message: str = "", organizations=None, user=None
) -> AttendanceRequest:
    """Ask the meeting's organisations who attends, by ``deadline``; the mail goes out after
    the commit (``attendance_request_save``)."""
    request = AttendanceRequest(meeting=meeting, deadline=deadline, message=message, opened_by=user)
    return attendance_request_save(attendance_request=request, organizations=organizations)


@dataclass(frozen=True)
class SeatAnswer:
    """The answer for one attendance row: 出席 / 代理出席 (with the deputy) / WEB出席 / 欠席."""

    attendance_id: int
    status: str
    proxy_title: str = ""
    proxy_name: str = ""
    #: The row's token from the page (``onechoice.concurrency``), over the answered fields.
    version: str = ""


#: What a reply writes on an attendance row; a row changed in these since the page was shown
#: (the secretariat noted a phone call in the admin) is refused rather than overwritten.
SEAT_ANSWER_FIELDS = ("status", "proxy_title", "proxy_name")


def may_answer_after_deadline(user) -> bool:
    return role_of(user) == Role.SECRETARIAT


def may_answer_for(user, organization_id: int) -> bool:
    """The secretariat answers for any organisation; anybody else for their own."""
    if role_of(user) == Role.SECRETARIAT:
        return True
    affiliation = getattr(user, "affiliation", None) if user.is_authenticated else None
    return affiliation is not None and affiliation.organization_id == organization_id


@transaction.atomic
def attendance_reply_save(
    *, reply: AttendanceReply, answers: list[SeatAnswer], note: str = "", user, version: str | None
) -> AttendanceReply:
    """An organisation's answer: every one of its attendance rows at the meeting answered
    (written through ``attendance_save``: the attendee list, the seating chart and the packet
    follow), the note, who answered and when (history keeps each answer). ``version`` is the
    reply's token from the page (``onechoice.concurrency``): a reply somebody saved since is
    refused, naming it (``None``: a writer without a page, the demo loader); so is an answer
    for a row whose answered fields somebody changed since (each ``SeatAnswer.version``).
    After the deadline
    only the secretariat may change an answer. Raises ``ValidationError`` (``RecordsInvalid``
    for rows, naming them) and writes nothing on bad input."""
    from . import mail

    stored = AttendanceReply.objects.select_for_update().select_related("request__meeting").get(pk=reply.pk)
    if not may_answer_for(user, stored.organization_id):
        raise ValidationError(_("この団体の出欠は回答できません。"), code="forbidden")
    if version is not None:
        check_version(version, AttendanceReply, pk=stored.pk)
    request = stored.request
    if not request.is_open() and not may_answer_after_deadline(user):
        raise ValidationError(
            _("回答期限（%(date)s）を過ぎました。期限後の変更は事務局へ連絡してください。")
            % {"date": jpdates.format_date(request.deadline)},
            code="closed",
        )
    rows = {a.pk: a for a in selectors.reply_rows(request.meeting_id, stored.organization_id)}
    given = {answer.attendance_id: answer for answer in answers}
    if set(given) != set(rows):
        raise ValidationError(_("この団体の出席者すべてについて回答してください。"), code="incomplete")
    if version is not None:
        stale = []
        for pk, row in rows.items():
            try:
                check_version(given[pk].version, Attendance, pk=pk, fields=SEAT_ANSWER_FIELDS)
            except ValidationError as error:
                stale.append((row, ValidationError({NON_FIELD_ERRORS: error.messages})))
        if stale:
            raise RecordsInvalid(stale)
    problems = []
    for pk, row in rows.items():
        answer = given[pk]
        row.status = answer.status
        proxy = answer.status == AttendanceStatus.PROXY
        row.proxy_title = answer.proxy_title.strip() if proxy else ""
        row.proxy_name = answer.proxy_name.strip() if proxy else ""
        try:
            record_validate(row)
        except ValidationError as error:
            problems.append((row, error))
    if problems:
        raise RecordsInvalid(problems)
    for row in rows.values():
        attendance_save(attendance=row)
    stored.note = note.strip()
    stored.answered_at = timezone.now()
    stored.answered_by = user if user.is_authenticated else None
    record_save(stored)
    if stored.answered_by_id:
        transaction.on_commit(
            mail.after_commit(mail.send_reply_confirmation, stored.pk, stored.answered_by_id), robust=True
        )
    return stored


def attendance_reminders_send(*, request: AttendanceRequest) -> list[int]:
    """「未回答の団体に再送」: the request mail again, as a reminder, to every organisation that
    has not answered (after the commit); the ids of those organisations."""
    from . import mail

    pending = list(request.replies.filter(answered_at__isnull=True).values_list("organization_id", flat=True))
    if pending:
        reminders = mail.after_commit(mail.send_request_mails, request.pk, pending, reminder=True)
        transaction.on_commit(reminders, robust=True)
    return pending


# --- material submissions (資料提出) ----------------------------------------------------------------
#
#   依頼中 ──material_submit──▶ 提出済 ──material_accept──▶ 確定 (the file becomes the handout's)
#     ▲                        │  ▲  │
#     └── (a new upload) ──────┘  │  └──material_return──▶ 差戻し ──material_submit──▶ 提出済
#                    material_submit (replace, until accepted)
#
# Who: the secretariat opens, accepts and returns; only users of the department or the
# organisation asked submit (a division user through the divisions of their affiliation).

writes(MaterialRequest)


def _is_secretariat(user) -> bool:
    return user is not None and user.is_authenticated and role_of(user) == Role.SECRETARIAT


def may_submit(user, material_request: MaterialRequest, parties=None) -> bool:
    """Only a user of the department or organisation asked hands in its material (also a
    secretariat user who works there; the secretariat as such does not submit for others).
    ``parties``: ``parties_of(user)`` already read."""
    organization_id, departments = parties if parties is not None else selectors.parties_of(user)
    if material_request.department_id:
        return material_request.department_id in departments
    return organization_id is not None and material_request.organization_id == organization_id


def _next_number(meeting: Meeting, kind: str) -> int:
    return (Handout.objects.filter(meeting=meeting, kind=kind).aggregate(last=Max("number"))["last"] or 0) + 1


@transaction.atomic
def material_request_open(
    *,
    meeting: Meeting,
    kind: str,
    title: str,
    deadline: dt.date,
    number: int | None = None,
    department=None,
    organization=None,
    message: str = "",
    user=None,
) -> MaterialRequest:
    """Ask a department or an organisation (exactly one of them) for the PDF of a handout slot
    of ``meeting`` — 資料N / 参考資料N, ``number`` by default the next free one of its kind —
    by ``deadline`` (today or later, not after the meeting's date); the request mail goes to
    the asked party's users after the commit. The slot is the meeting's handout of that
    number: made here, or one listed already without a file (a handout list copied from the
    last meeting), whose title becomes ``title``. Only the secretariat asks. Raises
    ``ValidationError`` (every problem at once, in Japanese) and writes nothing on bad input."""
    from . import mail

    if user is not None and not _is_secretariat(user):
        raise ValidationError(_("資料の提出を依頼できるのは事務局だけです。"), code="forbidden")
    errors: dict = {}
    number = number or (_next_number(meeting, kind) if meeting.pk else 1)
    handout = Handout.objects.filter(meeting_id=meeting.pk, kind=kind, number=number).first() if meeting.pk else None
    if handout is None:
        handout = Handout(meeting=meeting, kind=kind, number=number)
    elif MaterialRequest.objects.filter(handout=handout).exists():
        errors["number"] = [_("「%(label)s」の提出は既に依頼しています。") % {"label": handout.label}]
    elif handout.file or handout.document:
        errors["number"] = [
            _("「%(label)s」には既にPDFファイル（または自動作成する資料）があります。別の番号にしてください。")
            % {"label": handout.label}
        ]
    handout.title = (title or "").strip()
    if department is not None:
        handout.department = department
    try:
        record_validate(handout)
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    if deadline and deadline < timezone.localdate():
        errors.setdefault("deadline", []).append(_("提出期限が過ぎています。今日以降の日付にしてください。"))
    request = MaterialRequest(
        handout=handout,
        department=department,
        organization=organization,
        deadline=deadline,
        message=(message or "").strip(),
        requested_at=timezone.now(),
        requested_by=user if user is not None and user.is_authenticated else None,
    )
    try:
        record_validate(request, exclude=["handout", *errors])
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)
    request.handout = handout_save(handout=handout)
    record_save(request)
    transaction.on_commit(mail.after_commit(mail.send_material_request_mails, request.pk), robust=True)
    return request


def _locked(material_request: MaterialRequest) -> MaterialRequest:
    return (
        MaterialRequest.objects.select_for_update(of=("self",))  # the asked party is an outer join
        .select_related("handout__meeting", "department", "organization")
        .get(pk=material_request.pk)
    )


_ACCEPTED = _("この資料は事務局が確定したため、差し替えられません。差し替えが必要なときは事務局へ連絡してください。")


@transaction.atomic
def material_submit(*, material_request: MaterialRequest, file, user, version: str | None) -> MaterialRequest:
    """The asked party's PDF for the slot: a first submission, or a replacement of one not
    yet accepted (after a return, or before the secretariat looked at it). The file is
    bounded and cleaned as a handout's (``onechoice.uploads``: the cleaned copy is stored,
    never the file as sent). ``version`` is the request's token from the page
    (``onechoice.concurrency``): two officers replacing at once cannot overwrite each other
    silently (``None``: a writer without a page). Only users of the asked department or
    organisation submit. Raises ``ValidationError`` (a refused file on ``file``) and changes
    nothing on bad input."""
    stored = _locked(material_request)
    if not may_submit(user, stored):
        raise ValidationError(_("この資料は提出できません。"), code="forbidden")
    if stored.state == MaterialState.ACCEPTED:
        raise ValidationError(_ACCEPTED, code="accepted")
    if version is not None:
        check_version(version, MaterialRequest, pk=stored.pk)
    if not file:
        raise ValidationError({"file": _("提出するPDFファイルを選んでください。")}, code="required")
    try:
        stored.file = uploads.cleaned_file(file)  # cleaned once; a refusal is reported by record_save's validation
    except ValidationError:
        stored.file = file
    stored.state = MaterialState.SUBMITTED
    stored.submitted_at = timezone.now()
    stored.submitted_by = user
    return record_save(stored)


def _review(material_request: MaterialRequest, user, version: str | None, what: str) -> MaterialRequest:
    stored = _locked(material_request)
    if not _is_secretariat(user):
        raise ValidationError(_("提出された資料の%(what)sは事務局だけが行えます。") % {"what": what}, code="forbidden")
    if version is not None:
        check_version(version, MaterialRequest, pk=stored.pk)
    if stored.state != MaterialState.SUBMITTED or not stored.file:
        raise ValidationError(
            _("%(label)sは「%(state)s」のため%(what)sできません。%(what)sできるのは提出済の資料だけです。")
            % {"label": stored.handout.label, "state": stored.get_state_display(), "what": what},
            code="state",
        )
    stored.reviewed_at = timezone.now()
    stored.reviewed_by = user
    return stored


@transaction.atomic
def material_accept(*, material_request: MaterialRequest, user, version: str | None = None) -> MaterialRequest:
    """確定: the submitted file becomes the slot's handout file (through ``handout_save``: the
    packet binds it in number order, stamped 資料N) and can no longer be replaced. Only the
    secretariat accepts, and only a submitted file; ``version`` (the board's token) refuses
    accepting a file replaced after the secretariat opened the page. The one who submitted
    is told after the commit."""
    from . import mail

    stored = _review(material_request, user, version, _("確定"))
    with stored.file.open("rb") as submitted:
        content = submitted.read()
    handout = stored.handout
    handout.file = ContentFile(content, name="material.pdf")
    handout_save(handout=handout)
    stored.state = MaterialState.ACCEPTED
    stored.comment = ""
    record_save(stored)
    transaction.on_commit(mail.after_commit(mail.send_material_review_mail, stored.pk), robust=True)
    return stored


@transaction.atomic
def material_return(
    *, material_request: MaterialRequest, user, comment: str, version: str | None = None
) -> MaterialRequest:
    """差戻し with a comment (required): the asked party is mailed the comment after the commit
    and may upload again. Only the secretariat returns, and only a submitted file."""
    from . import mail

    comment = (comment or "").strip()
    stored = _review(material_request, user, version, _("差戻し"))
    if not comment:
        raise ValidationError({"comment": _("差戻しの理由（コメント）を入力してください。")}, code="required")
    stored.state = MaterialState.RETURNED
    stored.comment = comment
    record_save(stored)
    transaction.on_commit(mail.after_commit(mail.send_material_review_mail, stored.pk), robust=True)
    return stored
