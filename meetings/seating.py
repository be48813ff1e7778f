"""The seating chart (配席図) of a meeting: who sits where, and where that is on an A4
landscape page.

Placement follows protocol order (席次):

* the head table (``head``, 正面) holds the chair — the first prefecture attendee who is there,
  normally the governor (知事) — at its centre, with the vice-governors (副知事) beside: the
  first on the governor's right hand (向かって左, nearer the municipal side), the second on
  the governor's left, and so on outwards;
* municipal attendees (mayors, 市長会, 町村会) sit along the left side (``left``, 向かって左,
  the left of the printed chart with the head table at the top), by protocol order from the
  head table down;
* the other prefectural officials sit along the right side (``right``) the same way;
* observers and the secretariat sit at the back (``back``), left to right;
* absentees get no seat; WEB and proxy attendees do (a proxy's card names the proxy).

Positions are what a ``Seat`` row stores: ``head`` and ``back`` count from the left of the
printed chart, ``left`` and ``right`` from the head table down (for the classroom layout:
front row first, from the centre aisle outwards). Stored ``Seat`` rows of a meeting's
``SeatingPlan`` are per-seat overrides: that attendee sits exactly there and everyone else
flows around them, taking the next free seat of their side.

Geometry is in millimetres inside a chart box of ``CHART_WIDTH`` × ``CHART_HEIGHT`` (the
printable area of an A4 landscape page below the heading); the template draws it with
absolute positioning, which WeasyPrint lays out cheaply.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace

from django.db import transaction

from onechoice.services import validated_save

from .models import (
    Attendance,
    AttendanceStatus,
    AttendeeGroup,
    Meeting,
    Seat,
    SeatingLayout,
    SeatingPlan,
    SeatSide,
)

# --- page geometry (mm) ----------------------------------------------------------------------
# A4 landscape 297 × 210 minus the page margins of print.css (14 / 14 / 13 mm) leaves
# 269 × 183 mm; the heading takes about 15 mm of it.
CHART_WIDTH = 269.0
CHART_HEIGHT = 164.0
PT = 25.4 / 72  # one point in millimetres

GAP = 2.0  # between a card and its table
TABLE = 8.0  # thickness of a table of the hollow square
HEAD_CARD_W, HEAD_CARD_H, HEAD_GAP = 42.0, 12.5, 3.0
SIDE_CARD_W = 62.0
SIDE_MAX_PITCH, SIDE_MAX_CARD_H = 10.5, 9.0
SIDE_CAPACITY = 18  # seats along one long side of the hollow square; more go to the back
BACK_CARD_W, BACK_CARD_H, BACK_GAP, BACK_PER_ROW = 40.0, 10.5, 3.0, 7
CLASS_AISLE, CLASS_GAP, CLASS_TABLE = 14.0, 2.0, 3.0

# The first vice-governor sits on the governor's right hand, i.e. one seat to the left on the
# printed chart (右上位, as in present-day protocol); the next alternate outwards.
HEAD_FIRST_STEP = -1
VICE_GOVERNOR = "副知事"

_SIDE_ORDER = {SeatSide.HEAD: 0, SeatSide.LEFT: 1, SeatSide.RIGHT: 2, SeatSide.BACK: 3}


def _mm(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".") + "mm"


@dataclass(frozen=True)
class PlacedSeat:
    """One attendee on the chart: the seat (side, position) and the card's box in mm."""

    attendance: Attendance
    side: str
    position: int
    x: float = 0.0
    y: float = 0.0
    width: float = 0.0
    height: float = 0.0
    title_pt: float = 7.0
    name_pt: float = 10.0
    padding_top: float = 0.0
    is_chair: bool = False  # the centre of the head table: the governor, or who chairs for them
    # One-line cards (the long sides of the hollow square): title and name side by side, the
    # title in a column of ``title_width`` mm so that the names line up.
    inline: bool = False
    title_width: float = 0.0

    @property
    def key(self) -> tuple[str, int]:
        return (self.side, self.position)

    @property
    def group(self) -> str:
        return self.attendance.group

    @property
    def is_proxy(self) -> bool:
        return self.attendance.status == AttendanceStatus.PROXY

    @property
    def is_online(self) -> bool:
        return self.attendance.status == AttendanceStatus.ONLINE

    @property
    def title(self) -> str:
        """The title of the person in the seat: the proxy's own title for a proxy."""
        return self.attendance.proxy_title if self.is_proxy else self.attendance.title

    @property
    def name(self) -> str:
        return self.attendance.proxy_name if self.is_proxy else self.attendance.name

    @property
    def represented_title(self) -> str:
        """富山市長 when a deputy mayor attends for the mayor; empty otherwise."""
        return self.attendance.title if self.is_proxy else ""

    @property
    def label(self) -> str:
        """The card as one line of text: 富山市長（代理）副市長 山田 太郎."""
        if self.is_proxy:
            return f"{self.represented_title}（代理）{self.title} {self.name}"
        return f"{self.title} {self.name}" + ("（WEB）" if self.is_online else "")

    @property
    def title_head(self) -> str:
        """The title line in three parts, the middle one printed small:
        富山市長 /（代理）/ 副市長, or 富山市長 /（WEB）/ ''."""
        return self.represented_title if self.is_proxy else self.title

    @property
    def title_mark(self) -> str:
        return "（代理）" if self.is_proxy else "（WEB）" if self.is_online else ""

    @property
    def title_tail(self) -> str:
        return self.title if self.is_proxy else ""

    @property
    def box_style(self) -> str:
        return (
            f"left: {_mm(self.x)}; top: {_mm(self.y)}; width: {_mm(self.width)}; "
            f"height: {_mm(self.height)}; padding-top: {_mm(self.padding_top)}"
        )

    @property
    def title_style(self) -> str:
        if self.inline:
            return f"font-size: {self.title_pt:.1f}pt; width: {_mm(self.title_width)}"
        return f"font-size: {self.title_pt:.1f}pt"

    @property
    def line_style(self) -> str:
        return f"line-height: {_mm(self.height - 0.3)}"

    @property
    def name_style(self) -> str:
        return f"font-size: {self.name_pt:.1f}pt"


@dataclass(frozen=True)
class Block:
    """Something drawn that is not a seat: a table, or a caption."""

    kind: str  # "table" or "caption"
    x: float
    y: float
    width: float
    height: float
    text: str = ""

    @property
    def box_style(self) -> str:
        return f"left: {_mm(self.x)}; top: {_mm(self.y)}; width: {_mm(self.width)}; height: {_mm(self.height)}"


@dataclass
class SeatingChart:
    layout: str
    seats: list[PlacedSeat]
    blocks: list[Block] = field(default_factory=list)
    width: float = CHART_WIDTH
    height: float = CHART_HEIGHT

    @property
    def box_style(self) -> str:
        return f"width: {_mm(self.width)}; height: {_mm(self.height)}"

    @property
    def has_proxy(self) -> bool:
        return any(s.is_proxy for s in self.seats)

    @property
    def has_online(self) -> bool:
        return any(s.is_online for s in self.seats)


# --- placement ---------------------------------------------------------------------------------

def _seated(attendances: Iterable[Attendance]) -> list[Attendance]:
    """Everyone who gets a seat (present, proxy, WEB), in protocol order."""
    return sorted(
        (a for a in attendances if a.status != AttendanceStatus.ABSENT), key=lambda a: a.protocol_order
    )


def _destinations(attendances: list[Attendance], layout: str) -> dict[str, list[Attendance]]:
    """Which side each attendee belongs to by the rules, each side in protocol order."""
    sides: dict[str, list[Attendance]] = {side: [] for side in _SIDE_ORDER}
    prefecture = [a for a in attendances if a.group == AttendeeGroup.PREFECTURE]
    chair = prefecture[0] if prefecture else None
    back_groups = {AttendeeGroup.OBSERVER: [], AttendeeGroup.SECRETARIAT: []}
    for a in attendances:
        if a is chair or (a.group == AttendeeGroup.PREFECTURE and a.title.startswith(VICE_GOVERNOR)):
            sides[SeatSide.HEAD].append(a)
        elif a.group == AttendeeGroup.MUNICIPAL:
            sides[SeatSide.LEFT].append(a)
        elif a.group == AttendeeGroup.PREFECTURE:
            sides[SeatSide.RIGHT].append(a)
        else:
            back_groups.setdefault(a.group, []).append(a)
    if layout == SeatingLayout.HOLLOW_SQUARE:
        # A long side holds SIDE_CAPACITY seats; the rest of that group sits at the back.
        for side in (SeatSide.LEFT, SeatSide.RIGHT):
            sides[side], overflow = sides[side][:SIDE_CAPACITY], sides[side][SIDE_CAPACITY:]
            sides[SeatSide.BACK] += overflow
    for people in back_groups.values():  # observers, then the secretariat, then anyone else
        sides[SeatSide.BACK] += people
    return sides


def _head_slots(count: int) -> int:
    """An odd number of seats so that the chair sits in the middle: 1, 3, 3, 5, 5 …"""
    return 2 * math.ceil((count - 1) / 2) + 1 if count else 0


def _positions(side: str, count: int) -> Iterator[int]:
    """The seats of a side from the best down: the head table from its centre outwards,
    alternating (first to HEAD_FIRST_STEP), every other side from 1."""
    if side == SeatSide.HEAD:
        slots = _head_slots(count)
        centre = (slots + 1) // 2
        yield centre
        for step in range(1, centre):
            yield centre + step * HEAD_FIRST_STEP
            yield centre - step * HEAD_FIRST_STEP
        start = slots + 1
    else:
        start = 1
    position = start
    while True:
        yield position
        position += 1


def _assign(
    attendances: Iterable[Attendance], layout: str, fixed: dict[int, tuple[str, int]] | None = None
) -> list[tuple[Attendance, str, int]]:
    """(attendance, side, position) for everyone seated; ``fixed`` maps attendance ids to
    the seats stored by hand, which are kept exactly and skipped by everyone else."""
    fixed = fixed or {}
    seated = _seated(attendances)
    placed: list[tuple[Attendance, str, int]] = []
    taken: set[tuple[str, int]] = set()
    for a in seated:
        seat = fixed.get(a.pk) if a.pk is not None else None
        if seat and seat not in taken:
            placed.append((a, *seat))
            taken.add(seat)
    fixed_ids = {a.pk for a, _, _ in placed}
    for side, people in _destinations(seated, layout).items():
        free = [a for a in people if a.pk is None or a.pk not in fixed_ids]
        if not free:
            continue
        on_side = len(free) + sum(1 for s, _ in taken if s == side)
        positions = _positions(side, on_side)
        for a in free:
            position = next(p for p in positions if (side, p) not in taken)
            placed.append((a, side, position))
            taken.add((side, position))
    return sorted(placed, key=lambda t: (_SIDE_ORDER[t[1]], t[2]))


# --- text fitting --------------------------------------------------------------------------

def _ems(text: str) -> float:
    """Estimated width of ``text`` in em: BIZ UDPGothic sets kanji and kana at (nearly) one
    em, Latin letters and digits at about half, an ASCII space at a third."""
    width = 0.0
    for ch in text:
        if ch == " ":
            width += 0.33
        elif ord(ch) < 0x2E80 or 0xFF61 <= ord(ch) <= 0xFF9F:
            width += 0.6
        else:
            width += 1.0
    return width


def _title_ems(seat: PlacedSeat) -> float:
    if seat.is_proxy:  # 富山市長（代理）副市長, the mark at 80 %
        return _ems(seat.represented_title) + 0.8 * _ems("（代理）") + _ems(seat.title)
    return _ems(seat.title) + (0.8 * _ems("（WEB）") if seat.is_online else 0.0)


def _fit(ems: float, width: float, base: float, floor: float) -> float:
    if ems <= 0:
        return base
    return round(max(floor, min(base, width / (ems * PT))), 1)


LINE_HEIGHT = 1.18  # as in the template's .seat lines


def _dress_inline(
    seat: PlacedSeat, title_pt: float, name_pt: float, name_width: float, padding: float = 1.5
) -> PlacedSeat:
    """A one-line card: the name in a column of ``name_width`` mm on the right, the title
    shrunk to fit what is left."""
    title_width = seat.width - 2 * padding - name_width - 1.5
    name_pt = min(name_pt, (seat.height - 1.2) / PT)
    return replace(
        seat, inline=True, title_width=round(title_width, 2), padding_top=0.0,
        title_pt=_fit(_title_ems(seat), title_width, min(title_pt, name_pt), 4.2),
        name_pt=_fit(_ems(seat.name), name_width, name_pt, 5.0),
    )


def _dress(seat: PlacedSeat, title_pt: float, name_pt: float, padding: float = 1.2) -> PlacedSeat:
    """Font sizes that fit the card: long titles and names shrink, and both shrink when the
    card is too low for two lines; the text block is centred vertically."""
    inner_w = seat.width - 2 * padding
    title = _fit(_title_ems(seat), inner_w, title_pt, 4.2)
    name = _fit(_ems(seat.name), inner_w, name_pt, 5.0)
    room = seat.height - 0.8
    needed = (title + name) * LINE_HEIGHT * PT
    if needed > room:
        scale = room / needed
        title, name = round(max(4.0, title * scale), 1), round(max(4.5, name * scale), 1)
        needed = (title + name) * LINE_HEIGHT * PT
    return replace(
        seat, title_pt=title, name_pt=name, padding_top=round(max(0.0, (seat.height - needed) / 2 - 0.15), 2)
    )


# --- geometry --------------------------------------------------------------------------------

def _slot_counts(placed: list[tuple[Attendance, str, int]]) -> dict[str, int]:
    counts = {side: 0 for side in _SIDE_ORDER}
    for _, side, position in placed:
        counts[side] = max(counts[side], position)
    head = sorted((a.protocol_order, p) for a, s, p in placed if s == SeatSide.HEAD)
    if head:  # keep the chair in the middle of the table
        counts[SeatSide.HEAD] = max(counts[SeatSide.HEAD], 2 * head[0][1] - 1)
    return counts


def _row(slots: int, card_w: float, gap: float, span: float, centre: float) -> tuple[float, float]:
    """(card width, x of slot 1) for ``slots`` cards centred on ``centre`` within ``span``."""
    width = min(card_w, (span - (slots - 1) * gap) / slots) if slots else card_w
    return width, centre - (slots * width + (slots - 1) * gap) / 2


def _back_rows(slots: int) -> tuple[int, int, float]:
    """(cards per row, rows, card width) of the back seats."""
    if not slots:
        return 0, 0, BACK_CARD_W
    per_row = min(slots, BACK_PER_ROW)
    width = min(BACK_CARD_W, (CHART_WIDTH - (per_row - 1) * BACK_GAP) / per_row)
    return per_row, math.ceil(slots / per_row), width


def _back_seat(seat: PlacedSeat, slots: int, top: float) -> PlacedSeat:
    per_row, _, width = _back_rows(slots)
    _, x0 = _row(per_row, width, BACK_GAP, CHART_WIDTH, CHART_WIDTH / 2)
    row, col = divmod(seat.position - 1, per_row)
    return replace(
        seat, x=x0 + col * (width + BACK_GAP), y=top + row * (BACK_CARD_H + 1.5), width=width, height=BACK_CARD_H
    )


def _head_seat(seat: PlacedSeat, slots: int, span: float) -> PlacedSeat:
    width, x0 = _row(slots, HEAD_CARD_W, HEAD_GAP, span, CHART_WIDTH / 2)
    return replace(seat, x=x0 + (seat.position - 1) * (width + HEAD_GAP), y=0.0, width=width, height=HEAD_CARD_H)


SIDE_TITLE_PT, SIDE_NAME_PT = 9.0, 12.0


def _dress_all(seats: list[PlacedSeat], *, inline_sides: bool = False) -> list[PlacedSeat]:
    sizes = {SeatSide.HEAD: (9.0, 13.0), SeatSide.BACK: (7.5, 10.5)}
    long_sides = (SeatSide.LEFT, SeatSide.RIGHT)
    if inline_sides:
        names = [_ems(s.name) for s in seats if s.side in long_sides] or [0.0]
        name_width = min(26.0, max(15.0, max(names) * SIDE_NAME_PT * PT + 0.5))
    return [
        _dress_inline(s, SIDE_TITLE_PT, SIDE_NAME_PT, name_width) if inline_sides and s.side in long_sides
        else _dress(s, *sizes.get(s.side, (7.5, 10.5)))
        for s in seats
    ]


def _captions(seats: list[PlacedSeat], y: float, left_x: float, right_x: float, width: float) -> list[Block]:
    blocks = []
    sides = ((SeatSide.LEFT, left_x, AttendeeGroup.MUNICIPAL), (SeatSide.RIGHT, right_x, AttendeeGroup.PREFECTURE))
    for side, x, group in sides:
        if any(s.side == side and s.group == group for s in seats):
            blocks.append(Block("caption", x, y, width, 6.0, str(group.label)))
    return blocks


def _hollow_square(placed: list[tuple[Attendance, str, int]]) -> SeatingChart:
    """ロの字: head table across the top, the two long sides down the page, the back table
    closing the square at the bottom with the back seats below it; the middle stays empty."""
    slots = _slot_counts(placed)
    left_table_x = SIDE_CARD_W + GAP
    right_table_x = CHART_WIDTH - SIDE_CARD_W - GAP - TABLE
    inner_span = right_table_x + TABLE - left_table_x
    head_table_y = HEAD_CARD_H + 1.5
    sides_top = head_table_y + TABLE + 1.5

    _, back_rows, _ = _back_rows(slots[SeatSide.BACK])
    back_area = back_rows * (BACK_CARD_H + 1.5)
    back_table_y = CHART_HEIGHT - back_area - TABLE
    sides_bottom = back_table_y - 1.5
    long_slots = max(slots[SeatSide.LEFT], slots[SeatSide.RIGHT], 1)
    pitch = min(SIDE_MAX_PITCH, (sides_bottom - sides_top) / long_slots)
    card_h = min(SIDE_MAX_CARD_H, pitch - 0.7)

    seats = []
    for a, side, position in placed:
        seat = PlacedSeat(a, side, position)
        if side == SeatSide.HEAD:
            seat = _head_seat(seat, slots[side], inner_span)
        elif side in (SeatSide.LEFT, SeatSide.RIGHT):
            x = 0.0 if side == SeatSide.LEFT else CHART_WIDTH - SIDE_CARD_W
            y = sides_top + (position - 1) * pitch + (pitch - card_h) / 2
            seat = replace(seat, x=x, y=y, width=SIDE_CARD_W, height=card_h)
        else:
            seat = _back_seat(seat, slots[side], back_table_y + TABLE + 1.5)
        seats.append(seat)

    blocks = [
        Block("table", left_table_x, head_table_y, inner_span, TABLE),
        Block("table", left_table_x, head_table_y + TABLE, TABLE, back_table_y - head_table_y - TABLE),
        Block("table", right_table_x, head_table_y + TABLE, TABLE, back_table_y - head_table_y - TABLE),
        Block("table", left_table_x, back_table_y, inner_span, TABLE),
    ]
    blocks += _captions(seats, sides_top - 7.5, 0.0, CHART_WIDTH - SIDE_CARD_W, SIDE_CARD_W)
    return SeatingChart(SeatingLayout.HOLLOW_SQUARE, _dress_all(seats, inline_sides=True), blocks)


def _classroom(placed: list[tuple[Attendance, str, int]]) -> SeatingChart:
    """対面・スクール形式: the head table at the top facing rows of tables; municipal attendees
    in the left half, prefectural officials in the right half, front row first, from the
    centre aisle outwards; the back seats behind the last row."""
    slots = _slot_counts(placed)
    head_slots = max(slots[SeatSide.HEAD], 1)
    head_w, head_x0 = _row(head_slots, HEAD_CARD_W, HEAD_GAP, CHART_WIDTH - 2 * SIDE_CARD_W, CHART_WIDTH / 2)
    head_table_y = HEAD_CARD_H + 1.5
    rows_top = head_table_y + TABLE + 8.0
    half = (CHART_WIDTH - CLASS_AISLE) / 2

    _, back_rows, _ = _back_rows(slots[SeatSide.BACK])
    back_area = back_rows * (BACK_CARD_H + 1.5) + (CLASS_TABLE + 0.8 if back_rows else 0.0)
    rows_bottom = CHART_HEIGHT - back_area - (4.0 if back_rows else 0.0)
    longest = max(slots[SeatSide.LEFT], slots[SeatSide.RIGHT], 1)
    for columns in range(3, 9):
        rows = math.ceil(longest / columns)
        if rows * 15.0 <= rows_bottom - rows_top:
            break
    pitch = min(19.0, (rows_bottom - rows_top) / rows)
    card_h = min(11.0, pitch - CLASS_TABLE - 0.8 - 2.0)
    card_w = (half - (columns - 1) * CLASS_GAP) / columns

    seats, blocks = [], []
    for a, side, position in placed:
        seat = PlacedSeat(a, side, position)
        if side == SeatSide.HEAD:
            seat = _head_seat(seat, head_slots, CHART_WIDTH - 2 * SIDE_CARD_W)
        elif side in (SeatSide.LEFT, SeatSide.RIGHT):
            row, col = divmod(position - 1, columns)
            if side == SeatSide.LEFT:
                x = half - (col + 1) * card_w - col * CLASS_GAP
            else:
                x = half + CLASS_AISLE + col * (card_w + CLASS_GAP)
            y = rows_top + row * pitch + CLASS_TABLE + 0.8
            seat = replace(seat, x=x, y=y, width=card_w, height=card_h)
        else:
            seat = _back_seat(seat, slots[side], CHART_HEIGHT - back_area + CLASS_TABLE + 0.8)
        seats.append(seat)

    blocks.append(Block("table", head_x0 - 4.0, head_table_y, head_slots * (head_w + HEAD_GAP) - HEAD_GAP + 8.0, TABLE))
    for side, x in ((SeatSide.LEFT, 0.0), (SeatSide.RIGHT, half + CLASS_AISLE)):
        for row in range(math.ceil(slots[side] / columns)):
            blocks.append(Block("table", x, rows_top + row * pitch, half, CLASS_TABLE))
    if back_rows:
        per_row, _, back_w = _back_rows(slots[SeatSide.BACK])
        back_span = per_row * back_w + (per_row - 1) * BACK_GAP
        blocks.append(Block("table", (CHART_WIDTH - back_span) / 2, CHART_HEIGHT - back_area, back_span, CLASS_TABLE))
    blocks += _captions(seats, rows_top - 7.0, 0.0, half + CLASS_AISLE, half)
    return SeatingChart(SeatingLayout.CLASSROOM, _dress_all(seats), blocks)


def _chart(placed: list[tuple[Attendance, str, int]], layout: str) -> SeatingChart:
    chart = _classroom(placed) if layout == SeatingLayout.CLASSROOM else _hollow_square(placed)
    head = [s for s in chart.seats if s.side == SeatSide.HEAD]
    if head:
        chair = min(head, key=lambda s: s.attendance.protocol_order)
        chart.seats = [replace(s, is_chair=True) if s is chair else s for s in chart.seats]
    return chart


# --- public API -----------------------------------------------------------------------------

def auto_seats(attendances: Iterable[Attendance], layout: str = SeatingLayout.HOLLOW_SQUARE) -> list[PlacedSeat]:
    """Everyone present, by proxy or on the web, seated by the rules of protocol order."""
    return _chart(_assign(attendances, layout), layout).seats


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
        return _chart(_assign(attendances, SeatingLayout.HOLLOW_SQUARE), SeatingLayout.HOLLOW_SQUARE)
    fixed = {seat.attendance_id: (seat.side, seat.position) for seat in plan.seats.all()}
    return _chart(_assign(attendances, plan.layout, fixed), plan.layout)


def plan_seats(meeting: Meeting) -> list[PlacedSeat]:
    """The seats of ``meeting``: stored Seat rows exactly, everyone else around them."""
    return seating_chart(meeting).seats


@transaction.atomic
def save_auto_seats(plan: SeatingPlan, *, reset: bool = False) -> list[Seat]:
    """Store the placement as Seat rows, one per seated attendee, for the secretariat to
    adjust in the admin. Seats already stored are kept (``reset=True`` starts over from the
    automatic placement); seats of attendees who are now absent are removed. Running it
    again changes nothing."""
    # Read afresh (the plan's meeting may carry prefetched attendances), one run at a time.
    plan = SeatingPlan.objects.select_for_update().get(pk=plan.pk)
    attendances = list(Attendance.objects.filter(meeting_id=plan.meeting_id).order_by("protocol_order"))
    seated_ids = {a.pk for a in _seated(attendances)}
    existing = {seat.attendance_id: seat for seat in Seat.objects.filter(plan=plan)}
    stale = [seat.pk for aid, seat in existing.items() if reset or aid not in seated_ids]
    if stale:
        Seat.objects.filter(pk__in=stale).delete()
        existing = {aid: seat for aid, seat in existing.items() if seat.pk not in stale}
    fixed = {aid: (seat.side, seat.position) for aid, seat in existing.items()}
    seats = []
    for a, side, position in _assign(attendances, plan.layout, fixed):
        seat = existing.get(a.pk)
        if seat is None:
            seat = validated_save(Seat(plan=plan, attendance=a, side=side, position=position))
        seats.append(seat)
    return seats
