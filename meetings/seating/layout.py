"""Geometry: where each seat's card and each table lies in the chart box, for the hollow square
(ロの字) and the classroom layout, given who sits where (``placement``); the cards are then
dressed with fitted text (``fitting``).
"""

from __future__ import annotations

import math
from dataclasses import replace

from ..models import Attendance, AttendeeGroup, SeatingLayout, SeatSide
from .chart import _SIDE_ORDER, CHART_HEIGHT, CHART_WIDTH, Block, PlacedSeat, SeatingChart
from .fitting import _dress_all

# --- geometry (mm), inside the chart box of CHART_WIDTH × CHART_HEIGHT -----------------------
GAP = 2.0  # between a card and its table
TABLE = 8.0  # thickness of a table of the hollow square
HEAD_CARD_W, HEAD_CARD_H, HEAD_GAP = 42.0, 12.5, 3.0
SIDE_CARD_W = 62.0
SIDE_MAX_PITCH, SIDE_MAX_CARD_H = 10.5, 9.0
SIDE_CAPACITY = 18  # seats along one long side of the hollow square; more go to the back
BACK_CARD_W, BACK_CARD_H, BACK_GAP, BACK_PER_ROW = 40.0, 10.5, 3.0, 7
CLASS_AISLE, CLASS_GAP, CLASS_TABLE = 14.0, 2.0, 3.0


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


def draw(placed: list[tuple[Attendance, str, int]], layout: str) -> SeatingChart:
    """The chart of ``placed`` (``placement.assign``) in ``layout``, the chair marked."""
    chart = _classroom(placed) if layout == SeatingLayout.CLASSROOM else _hollow_square(placed)
    head = [s for s in chart.seats if s.side == SeatSide.HEAD]
    if head:
        chair = min(head, key=lambda s: s.attendance.protocol_order)
        chart.seats = [replace(s, is_chair=True) if s is chair else s for s in chart.seats]
    return chart
