"""What scripts/mutation found the seating tests did not pin down: meetings without one of the
groups, stored seats at the head table or on another side and where the chair then sits, the
back row for a group the rules do not name, and ``auto_seats`` in either layout."""

import itertools

import pytest

from meetings import seating
from meetings.models import Attendance, SeatingLayout
from meetings.seating import placement

_pks = itertools.count(1)


def person(group, title, order, **fields):
    """An attendance as the placement reads it (nothing is stored)."""
    return Attendance(pk=next(_pks), group=group, title=title, name=f"氏名 {order}", protocol_order=order, **fields)


def seats_by_side(placed):
    sides = {}
    for attendance, side, position in placed:
        sides.setdefault(side, []).append((position, attendance.title))
    return {side: sorted(seats) for side, seats in sides.items()}


def governor_and_vices(first_order=1):
    return [
        person("prefecture", "知事", first_order),
        person("prefecture", "副知事", first_order + 1),
        person("prefecture", "副知事（第二）", first_order + 2),
    ]


@pytest.mark.parametrize("layout", [SeatingLayout.HOLLOW_SQUARE, SeatingLayout.CLASSROOM])
def test_a_meeting_of_mayors_only_seats_them_all_on_the_left(layout):
    mayors = [person("municipal", f"第{n}市長", n) for n in (1, 2, 3)]
    assert seats_by_side(placement.assign(mayors, layout)) == {"left": [(1, "第1市長"), (2, "第2市長"), (3, "第3市長")]}


def test_a_meeting_of_the_prefecture_only_fills_the_head_and_the_right():
    people = [*governor_and_vices(), person("prefecture", "総務部長", 4)]
    assert seats_by_side(placement.assign(people, SeatingLayout.HOLLOW_SQUARE)) == {
        "head": [(1, "副知事"), (2, "知事"), (3, "副知事（第二）")],
        "right": [(1, "総務部長")],
    }


def test_a_stored_seat_at_the_head_table_keeps_the_chair_in_the_middle_of_three():
    governor, vice = governor_and_vices()[:2]
    director = person("prefecture", "総務部長", 3)
    placed = placement.assign([governor, vice, director], SeatingLayout.HOLLOW_SQUARE, {director.pk: ("head", 1)})
    assert seats_by_side(placed) == {"head": [(1, "総務部長"), (2, "知事"), (3, "副知事")]}


def test_a_stored_seat_on_another_side_does_not_move_the_head_table():
    mayor = person("municipal", "富山市長", 4)
    other = person("municipal", "高岡市長", 5)
    placed = placement.assign(
        [*governor_and_vices(), mayor, other], SeatingLayout.HOLLOW_SQUARE, {other.pk: ("left", 1)}
    )
    assert seats_by_side(placed) == {
        "head": [(1, "副知事"), (2, "知事"), (3, "副知事（第二）")],
        "left": [(1, "高岡市長"), (2, "富山市長")],
    }


def test_seat_positions_are_whole_numbers():
    # positions are stored as Seat.position and drawn as seat numbers: 2, never 2.0
    people = [*governor_and_vices(), person("prefecture", "副知事（第三）", 4), person("municipal", "富山市長", 5)]
    placed = placement.assign(people, SeatingLayout.HOLLOW_SQUARE)
    assert sorted(position for _, side, position in placed if side == "head") == [1, 2, 3, 4]
    assert all(type(position) is int for _, _, position in placed)


def test_a_group_the_rules_do_not_name_sits_at_the_back_after_the_secretariat():
    people = [
        person("press", "記者", 1),  # not one of AttendeeGroup's choices
        person("secretariat", "推進室長", 2),
        person("observer", "オブザーバー", 3),
        *governor_and_vices(4),
    ]
    back = seats_by_side(placement.assign(people, SeatingLayout.CLASSROOM))["back"]
    assert back == [(1, "オブザーバー"), (2, "推進室長"), (3, "記者")]


def test_auto_seats_draws_the_layout_it_is_given():
    people = [*governor_and_vices(), *(person("municipal", f"第{n}市長", 10 + n) for n in range(4))]
    classroom = [s for s in seating.auto_seats(people, SeatingLayout.CLASSROOM) if s.side == "left"]
    square = [s for s in seating.auto_seats(people, SeatingLayout.HOLLOW_SQUARE) if s.side == "left"]
    classroom.sort(key=lambda s: s.position)
    square.sort(key=lambda s: s.position)
    assert classroom[0].y == classroom[1].y  # rows of desks facing the head table
    assert square[0].y < square[1].y  # one long side, down the page
    assert square[0].x == square[1].x


def test_auto_seats_sends_the_overflow_of_a_long_side_to_the_back():
    mayors = [person("municipal", f"第{n}市長", n) for n in range(1, seating.SIDE_CAPACITY + 2)]
    seats = seating.auto_seats(mayors)
    assert len([s for s in seats if s.side == "left"]) == seating.SIDE_CAPACITY
    assert [s.title for s in seats if s.side == "back"] == [f"第{seating.SIDE_CAPACITY + 1}市長"]
