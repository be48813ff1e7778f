"""Placement: who sits where by protocol order (席次), as (attendance, side, position); stored
seats are kept exactly and everyone else flows around them. ``seated`` and ``assign`` are what
the services store as ``Seat`` rows; ``auto_seats`` draws the automatic placement.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator

from ..models import Attendance, AttendanceStatus, AttendeeGroup, SeatingLayout, SeatSide
from .chart import _SIDE_ORDER, PlacedSeat
from .layout import SIDE_CAPACITY, draw

# The first vice-governor sits on the governor's right hand, i.e. one seat to the left on the
# printed chart (右上位, as in present-day protocol); the next alternate outwards.
HEAD_FIRST_STEP = -1
VICE_GOVERNOR = "副知事"


def seated(attendances: Iterable[Attendance]) -> list[Attendance]:
    """Everyone who gets a seat (present, proxy, WEB), in protocol order."""
    return sorted((a for a in attendances if a.status != AttendanceStatus.ABSENT), key=lambda a: a.protocol_order)


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


def assign(
    attendances: Iterable[Attendance], layout: str, fixed: dict[int, tuple[str, int]] | None = None
) -> list[tuple[Attendance, str, int]]:
    """(attendance, side, position) for everyone seated; ``fixed`` maps attendance ids to
    the seats stored by hand, which are kept exactly and skipped by everyone else."""
    fixed = fixed or {}
    everyone = seated(attendances)
    placed: list[tuple[Attendance, str, int]] = []
    taken: set[tuple[str, int]] = set()
    for a in everyone:
        seat = fixed.get(a.pk) if a.pk is not None else None
        if seat and seat not in taken:
            placed.append((a, *seat))
            taken.add(seat)
    fixed_ids = {a.pk for a, _, _ in placed}
    for side, people in _destinations(everyone, layout).items():
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


def auto_seats(attendances: Iterable[Attendance], layout: str = SeatingLayout.HOLLOW_SQUARE) -> list[PlacedSeat]:
    """Everyone present, by proxy or on the web, seated by the rules of protocol order."""
    return draw(assign(attendances, layout), layout).seats
