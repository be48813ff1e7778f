"""Reads about meetings, each in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

from django.db.models import Case, Max, Prefetch, Q, QuerySet, Value, When
from django.urls import reverse

from onechoice import jpdates
from onechoice.models import Official
from onechoice.pdf import document_is_current

from .models import (
    AgendaItem,
    AgendaSection,
    Attendance,
    AttendanceStatus,
    AttendeeGroup,
    Handout,
    MaterialRequest,
    MaterialState,
    Meeting,
    MeetingKind,
    RosterMember,
    SeatingLayout,
    SeatingPlan,
)
from .seating import PlacedSeat, SeatingChart, layout, placement


def current_fiscal_year(*, today: dt.date) -> int | None:
    """The headquarters' working year: today's fiscal year, or, when nothing is scheduled for
    it yet, the latest fiscal year that has meetings."""
    return Meeting.objects.filter(fiscal_year__lte=jpdates.fiscal_year_of(today)).aggregate(latest=Max("fiscal_year"))[
        "latest"
    ]


def meetings_visible(*, public: bool) -> QuerySet[Meeting]:
    """Every meeting for logged-in users; the published ones for the public."""
    return Meeting.objects.visible(public=public)


def meetings_upcoming(*, today: dt.date, public: bool, limit: int = 3) -> list[Meeting]:
    """Meetings on or after ``today``, including undecided ones planned for this month or later."""
    this_month = Q(planned_year__gt=today.year) | Q(planned_year=today.year, planned_month__gte=today.month)
    visible = meetings_visible(public=public)
    # The first few of each kind, ordered in the database (one query each, whatever the number
    # of meetings), then merged by the approximate day as sort_date gives it.
    dated = visible.filter(date__gte=today).order_by("date")[:limit]
    period_day = Case(*(When(planned_period=p, then=Value(d)) for p, d in jpdates.PERIOD_DAY.items()), default=Value(1))
    undated = visible.filter(this_month, date__isnull=True).order_by("planned_year", "planned_month", period_day)[
        :limit
    ]
    return sorted([*dated, *undated], key=lambda m: m.sort_date)[:limit]


def meetings_recent(*, today: dt.date, public: bool, limit: int = 3) -> list[Meeting]:
    return list(meetings_visible(public=public).filter(date__lt=today).order_by("-date")[:limit])


def in_time_order(meetings) -> list[Meeting]:
    """Newest fiscal year first, and within a year in date order (fuzzy dates included)."""
    return sorted(meetings, key=lambda m: (-m.fiscal_year, m.sort_date))


def meeting_detail(pk: int, *, public: bool = False) -> Meeting:
    """A meeting with agenda, handouts (with their material requests, for the packet) and
    attendees (4 queries). For the public: only a published meeting (else
    ``Meeting.DoesNotExist``) and only its public handouts."""
    # The meeting itself is checked below; its handouts need only be public.
    handouts = Handout.objects.select_related(
        "department", "material_request__department", "material_request__organization"
    ).order_by("kind", "number")
    if public:
        handouts = handouts.filter(public=True)
    return (
        meetings_visible(public=public)
        .prefetch_related(
            Prefetch("agenda_items", queryset=AgendaItem.objects.order_by("order")),
            Prefetch("handouts", queryset=handouts),
            Prefetch("attendances", queryset=Attendance.objects.order_by("protocol_order")),
        )
        .get(pk=pk)
    )


@dataclass
class AgendaSectionLine:
    number: int
    title: str
    items: list[AgendaItem] = field(default_factory=list)


def agenda_outline(items: list[AgendaItem]) -> list[AgendaSectionLine]:
    """Number the agenda as printed: 1 開会, 2 知事あいさつ, 3 議事 with (1)…(5), 4 閉会.
    Consecutive 議事 (or 報告) lines share one numbered heading."""
    outline: list[AgendaSectionLine] = []
    grouped = (AgendaSection.DELIBERATION, AgendaSection.REPORT)
    for item in sorted(items, key=lambda i: i.order):
        if item.section in grouped:
            heading = str(AgendaSection(item.section).label)
            if not outline or outline[-1].title != heading or not outline[-1].items:
                outline.append(AgendaSectionLine(len(outline) + 1, heading))
            outline[-1].items.append(item)
        else:
            outline.append(AgendaSectionLine(len(outline) + 1, item.title))
    return outline


@dataclass
class AttendeeGroupBlock:
    label: str
    attendees: list[Attendance]

    @property
    def heading(self) -> str:
        """市町村等（17名）."""
        return f"{self.label}（{len(self.attendees)}名）"


@dataclass
class AttendeeList:
    groups: list[AttendeeGroupBlock]
    absentees: list[Attendance]


def attendee_list(attendances) -> AttendeeList:
    """The attendee list as the page and the PDF both show it: those who attend — in
    person, by proxy or on the web — grouped (市町村等 then 県 …) in protocol order and
    counted; absentees left out of the groups and their counts, named apart."""
    ordered = sorted(attendances, key=lambda a: a.protocol_order)
    blocks: dict[str, list[Attendance]] = {}
    for attendance in ordered:
        if attendance.status != AttendanceStatus.ABSENT:
            blocks.setdefault(attendance.group, []).append(attendance)
    return AttendeeList(
        groups=[AttendeeGroupBlock(str(AttendeeGroup(g).label), people) for g, people in blocks.items()],
        absentees=[a for a in ordered if a.status == AttendanceStatus.ABSENT],
    )


def attendee_groups(attendances) -> list[AttendeeGroupBlock]:
    """``attendee_list(attendances).groups``."""
    return attendee_list(attendances).groups


@dataclass
class ScheduleYear:
    fiscal_year: int
    meetings: list[Meeting]


def annual_schedule(fiscal_year: int, *, public: bool = False, years: int = 3) -> list[ScheduleYear]:
    """Meetings of ``fiscal_year`` and the ``years - 1`` before it, in time order, as the
    secretariat's schedule shows them (1 query)."""
    meetings = meetings_visible(public=public).filter(fiscal_year__gt=fiscal_year - years, fiscal_year__lte=fiscal_year)
    by_year: dict[int, list[Meeting]] = {}
    for meeting in sorted(meetings, key=lambda m: (m.fiscal_year, m.sort_date)):
        by_year.setdefault(meeting.fiscal_year, []).append(meeting)
    return [ScheduleYear(fy, items) for fy, items in by_year.items()]


def handout_with_file(pk: int, *, public: bool) -> Handout:
    """A handout that has an uploaded file, if the requester may see it (1 query)."""
    return Handout.objects.visible(public=public).select_related("meeting").exclude(file="").get(pk=pk)


def plan_of(meeting: Meeting) -> SeatingPlan | None:
    """The meeting's seating plan, or None."""
    try:
        return meeting.seating_plan
    except SeatingPlan.DoesNotExist:
        return None


def seating_chart(meeting: Meeting) -> SeatingChart:
    """The chart as printed: the meeting's plan with its stored seats as overrides, or the
    automatic hollow square when the meeting has no plan."""
    attendances = list(meeting.attendances.all())
    plan = plan_of(meeting)
    if plan is None:
        return layout.draw(placement.assign(attendances, SeatingLayout.HOLLOW_SQUARE), SeatingLayout.HOLLOW_SQUARE)
    fixed = {seat.attendance_id: (seat.side, seat.position) for seat in plan.seats.all()}
    return layout.draw(placement.assign(attendances, plan.layout, fixed), plan.layout)


def plan_seats(meeting: Meeting) -> list[PlacedSeat]:
    """The seats of ``meeting``: stored Seat rows exactly, everyone else around them."""
    return seating_chart(meeting).seats


def roster_holders(*, on: dt.date) -> list[tuple[RosterMember, Official | None]]:
    """The active HQ roster in protocol order, each position with the official holding it on
    ``on`` (None if nobody is in post that day), in 2 queries. A post with two seats (副知事)
    has two roster rows: they take its holders in the holders' protocol rank."""
    members = list(RosterMember.objects.active().order_by("protocol_order"))
    in_post = (
        Official.objects.filter(
            organization__in={m.organization_id for m in members}, title__in={m.title for m in members}
        )
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=on), Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .order_by("protocol_rank", "valid_from", "pk")
    )
    holders: dict[tuple[int, str], list[Official]] = {}
    for official in in_post:
        holders.setdefault((official.organization_id, official.title), []).append(official)
    result = []
    for member in members:
        queue = holders.get((member.organization_id, member.title), [])
        result.append((member, queue.pop(0) if queue else None))
    return result


_SEARCH_YEAR = re.compile(r"(?P<era>令和|平成|[RHrh])\s*(?P<year>元|\d{1,2})\s*(年度?)?|(?P<western>20\d\d)\s*(年度?)?")
_SEARCH_NUMBER = re.compile(r"第?\s*(?P<number>\d{1,2})\s*回")
_SEARCH_KINDS = {str(label): value for value, label in MeetingKind.choices}


def meeting_search(query: str) -> Q:
    """The meetings a person means by 「第1回」, 「令和4年度」, 「R4」, 「2022」, 「本部会議」 or
    any mix of them (「R4 第1回」, 「令和4年度第1回本部会議」); other words search the title,
    venue and planned topics. Full-width characters count as their half-width forms."""
    text = unicodedata.normalize("NFKC", query)
    condition = Q()
    for match in _SEARCH_YEAR.finditer(text):
        if match["western"]:
            year = int(match["western"])
        else:
            era = jpdates.era_by_name(match["era"])
            year = era.first_day.year + (1 if match["year"] == "元" else int(match["year"])) - 1
        condition &= Q(fiscal_year=year)
    text = _SEARCH_YEAR.sub(" ", text)
    for match in _SEARCH_NUMBER.finditer(text):
        condition &= Q(number=int(match["number"]))
    text = _SEARCH_NUMBER.sub(" ", text)
    for label, kind in _SEARCH_KINDS.items():
        if label in text:
            condition &= Q(kind=kind)
            text = text.replace(label, " ")
    for word in text.split():
        condition &= Q(title__icontains=word) | Q(venue__icontains=word) | Q(planned_topics__icontains=word)
    return condition


# The meeting's printed documents: (name in the URL and the cache, label on the print buttons).
MEETING_DOCUMENTS = (("agenda", "次第"), ("attendees", "出席者名簿"), ("seating", "配席図"), ("packet", "資料一式"))


def meeting_document_name(document: str, pk: int, public: bool) -> str:
    """The name ``onechoice.pdf.current_document`` keeps a meeting's PDF under, per audience."""
    return f"{document}:{pk}:{public}"


@dataclass(frozen=True)
class PrintState:
    document: str
    label: str
    url: str
    is_current: bool  # built since the last change: printing serves it at once


def print_states(meeting: Meeting) -> list[PrintState]:
    """The print buttons of the meeting workspace, each saying whether the PDF as staff see it
    is up to date or will be built on the next print (the records changed since)."""
    return [
        PrintState(
            name,
            label,
            reverse(f"meetings:{name}_pdf", args=[meeting.pk]),
            document_is_current(meeting_document_name(name, meeting.pk, False)),
        )
        for name, label in MEETING_DOCUMENTS
    ]


# --- attendance requests (出欠照会) and replies ----------------------------------------------------


def organizations_of_attendance(meeting_id: int) -> QuerySet:
    """The organisations of a meeting's attendance rows, in protocol order (one query): whom a
    request asks by default."""
    from onechoice.models import Organization

    return Organization.objects.filter(attendances__meeting_id=meeting_id).distinct().order_by("protocol_order")


def reply_rows(meeting_id: int, organization_id: int) -> list[Attendance]:
    """An organisation's attendance rows at a meeting, in protocol order (one query)."""
    return list(
        Attendance.objects.filter(meeting_id=meeting_id, organization_id=organization_id).order_by("protocol_order")
    )


def _user_organization_ids(user):
    from onechoice.models import Affiliation

    return Affiliation.objects.filter(user_id=user.pk).values("organization_id")


def open_attendance_requests(user, *, today: dt.date | None = None) -> list:
    """The replies the user's organisation owes or may still change — requests whose deadline
    has not passed — earliest deadline first (one query; none for the public)."""
    from django.utils import timezone

    from .models import AttendanceReply

    if not user.is_authenticated:
        return []
    today = today or timezone.localdate()
    return list(
        AttendanceReply.objects.filter(organization_id__in=_user_organization_ids(user), request__deadline__gte=today)
        .select_related("request__meeting", "organization")
        .order_by("request__deadline", "request__meeting__date")
    )


def reply_for(meeting_id: int, user, *, organization_id: int | None = None):
    """The reply of the user's organisation (or, for the secretariat, of ``organization_id``)
    to the meeting's request, with its request and meeting (one query); else
    ``AttendanceReply.DoesNotExist``. ``organization_id`` is ignored for anybody else."""
    from onechoice.roles import Role, role_of

    from .models import AttendanceReply

    if not user.is_authenticated:
        raise AttendanceReply.DoesNotExist
    replies = AttendanceReply.objects.select_related("request__meeting", "organization", "answered_by").filter(
        request__meeting_id=meeting_id
    )
    if organization_id is not None and role_of(user) == Role.SECRETARIAT:
        return replies.get(organization_id=organization_id)
    return replies.get(organization_id__in=_user_organization_ids(user))


@dataclass
class ResponseBoard:
    """The secretariat's view of a request: every organisation asked, not yet answered first."""

    replies: list
    answered: int
    asked: int

    @property
    def pending(self) -> int:
        return self.asked - self.answered

    @property
    def summary(self) -> str:
        return f"回答済 {self.answered} / {self.asked}"


def response_board(request) -> ResponseBoard:
    """The replies to ``request`` (one query), open ones first, then in protocol order."""
    replies = sorted(
        request.replies.select_related("organization", "answered_by"),
        key=lambda r: (r.answered_at is not None, r.organization.protocol_order),
    )
    answered = sum(1 for r in replies if r.answered_at)
    return ResponseBoard(replies=replies, answered=answered, asked=len(replies))


# --- material submissions (資料提出) ----------------------------------------------------------------


def parties_of(user) -> tuple[int | None, set[int]]:
    """(the user's organisation id, the ids of the departments of the user's divisions):
    whom the user hands in materials for (one query; nothing for the public)."""
    from onechoice.models import Affiliation

    if user is None or not user.is_authenticated:
        return None, set()
    rows = list(Affiliation.objects.filter(user_id=user.pk).values_list("organization_id", "divisions__department_id"))
    organization_id = rows[0][0] if rows else None
    return organization_id, {department for _org, department in rows if department is not None}


def _materials() -> QuerySet[MaterialRequest]:
    return MaterialRequest.objects.select_related(
        "handout__meeting", "department", "organization", "submitted_by", "reviewed_by"
    ).order_by("handout__kind", "handout__number")


def _asked_of(parties: tuple[int | None, set[int]]) -> Q:
    organization_id, departments = parties
    asked = Q(department_id__in=sorted(departments))
    if organization_id is not None:
        asked |= Q(organization_id=organization_id)
    return asked


def materials_for(
    meeting_id: int, user, *, parties: tuple[int | None, set[int]] | None = None
) -> list[MaterialRequest]:
    """The material slots of the meeting on the user's materials page, 資料 before 参考資料,
    in number order: every slot for the secretariat; for anybody else the slots asked of
    their organisation or of the departments of their divisions; none for the public.
    ``parties``: ``parties_of(user)`` already read (else one query more); one query."""
    from onechoice.roles import Role, role_of

    if not user.is_authenticated:
        return []
    slots = _materials().filter(handout__meeting_id=meeting_id)
    if role_of(user) != Role.SECRETARIAT:
        slots = slots.filter(_asked_of(parties if parties is not None else parties_of(user)))
    return list(slots)


def material_with_file(pk: int, user) -> MaterialRequest:
    """A slot with a submitted file, for the secretariat or the party it was asked of (one
    query after the user's parties); else ``MaterialRequest.DoesNotExist`` — the same for a
    missing slot and for one the user may not see."""
    from onechoice.roles import Role, role_of

    if not user.is_authenticated:
        raise MaterialRequest.DoesNotExist
    slots = _materials().exclude(file="")
    if role_of(user) != Role.SECRETARIAT:
        slots = slots.filter(_asked_of(parties_of(user)))
    return slots.get(pk=pk)


@dataclass
class MaterialBoard:
    """The secretariat's view of a meeting's material slots: every slot in number order, and
    apart the late ones (past the deadline, nothing to review) and the ones still missing
    from the packet (not accepted)."""

    slots: list[MaterialRequest]
    today: dt.date

    @property
    def late(self) -> list[MaterialRequest]:
        return [slot for slot in self.slots if slot.is_late(self.today)]

    @property
    def missing(self) -> list[MaterialRequest]:
        return [slot for slot in self.slots if slot.state != MaterialState.ACCEPTED]

    @property
    def to_review(self) -> list[MaterialRequest]:
        return [slot for slot in self.slots if slot.state == MaterialState.SUBMITTED]

    @property
    def summary(self) -> str:
        accepted = len(self.slots) - len(self.missing)
        return f"確定 {accepted} / {len(self.slots)}（提出済・確認待ち {len(self.to_review)}）"


def material_board(meeting_id: int, *, today: dt.date | None = None) -> MaterialBoard:
    """Every material slot of the meeting with whom it is asked of and who sent and reviewed
    it (one query)."""
    from django.utils import timezone

    return MaterialBoard(list(_materials().filter(handout__meeting_id=meeting_id)), today or timezone.localdate())
