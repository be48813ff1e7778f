"""The seating chart (配席図): placement by protocol order, stored seats as overrides, the
geometry of the A4 landscape page, and the PDF read back."""

import io
import itertools
import re

import pytest
from pypdf import PdfReader

from meetings import seating, services
from meetings.documents import seating_pdf
from meetings.models import Attendance, Meeting, Seat, SeatingLayout, SeatingPlan
from meetings.selectors import meeting_detail, plan_seats, seating_chart
from meetings.services import seating_plan_set
from onechoice.services import record_save
from tests import factories

pytestmark = pytest.mark.django_db

MAYORS = [
    "富山市長",
    "高岡市長",
    "射水市長",
    "魚津市長",
    "氷見市長",
    "滑川市長",
    "黒部市長",
    "砺波市長",
    "小矢部市長",
    "南砺市長",
    "舟橋村長",
    "上市町長",
    "立山町長",
    "入善町長",
    "朝日町長",
]
_numbers = itertools.count(101)


@pytest.fixture
def meeting(toyama):
    return meeting_detail(Meeting.objects.get(fiscal_year=2021, number=4).pk)


def by_side(seats, side):
    return sorted((s for s in seats if s.side == side), key=lambda s: s.position)


def overlaps(a, b) -> bool:
    return a.x < b.x + b.width and b.x < a.x + a.width and a.y < b.y + b.height and b.y < a.y + a.height


def assert_drawable(chart):
    """Every card inside the chart, no two cards overlapping, no card on a table."""
    seats = chart.seats
    assert len({s.key for s in seats}) == len(seats), "two attendees on one seat"
    assert len({s.attendance.pk for s in seats}) == len(seats), "one attendee on two seats"
    for s in seats:
        assert s.width > 0 and s.height > 0, s.label
        assert 0 <= s.x and s.x + s.width <= chart.width + 1e-6, s.label
        assert 0 <= s.y and s.y + s.height <= chart.height + 1e-6, s.label
    for a, b in itertools.combinations(seats, 2):
        assert not overlaps(a, b), (a.label, b.label)
    tables = [b for b in chart.blocks if b.kind == "table"]
    for s, t in itertools.product(seats, tables):
        assert not overlaps(s, t), s.label


def small_meeting(municipal=3, prefecture=("知事", "副知事", "副知事", "総務部長"), **groups):
    """A meeting with ``municipal`` mayors, the given prefectural titles in protocol order,
    and further groups (``secretariat=2``)."""
    m = factories.meeting(number=next(_numbers))
    order = itertools.count(1)
    for i in range(municipal):
        org = factories.organization(name=f"テスト市{next(_numbers)}")
        factories.attendance(m, org, group="municipal", title=f"第{i + 1}市長", protocol_order=next(order))
    pref = factories.organization(name=f"テスト県{next(_numbers)}")
    for title in prefecture:
        factories.attendance(m, pref, group="prefecture", title=title, protocol_order=next(order))
    for group, count in groups.items():
        for i in range(count):
            factories.attendance(m, pref, group=group, title=f"{group}{i + 1}", protocol_order=next(order))
    return meeting_detail(m.pk)


# --- placement ---------------------------------------------------------------------------------


@pytest.mark.parametrize("layout", [SeatingLayout.HOLLOW_SQUARE, SeatingLayout.CLASSROOM])
def test_with_an_even_number_at_the_head_table_the_chair_stays_in_the_middle(layout):
    # Two at the head table (governor and one vice-governor): the table keeps an empty seat
    # so that the chair is centred on the page, not the pair.
    meeting = small_meeting(prefecture=("知事", "副知事", "総務部長"))
    seating_plan_set(meeting=meeting, layout=layout)
    chart = seating_chart(meeting_detail(meeting.pk))
    head = by_side(chart.seats, "head")
    assert [s.title for s in head] == ["副知事", "知事"]
    chair = head[1]
    assert chair.is_chair
    assert abs(chair.x + chair.width / 2 - seating.CHART_WIDTH / 2) < 0.01
    assert head[0].x + head[0].width < chair.x


def test_governor_at_the_centre_of_the_head_table_vice_governors_beside(meeting):
    seats = seating.auto_seats(meeting.attendances.all(), SeatingLayout.HOLLOW_SQUARE)
    head = by_side(seats, "head")
    assert [(s.position, s.title, s.name) for s in head] == [
        (1, "副知事", "蔵堀 祐一"),
        (2, "知事", "新田 八朗"),
        (3, "副知事", "横田 美香"),
    ]
    governor = head[1]
    assert governor.is_chair and not any(s.is_chair for s in seats if s is not governor)
    # centred on the page, the first vice-governor on the governor's right hand (向かって左)
    assert abs(governor.x + governor.width / 2 - seating.CHART_WIDTH / 2) < 0.01
    assert head[0].x < governor.x < head[2].x


def test_mayors_by_protocol_order_on_the_left_prefecture_on_the_right(meeting):
    seats = seating.auto_seats(meeting.attendances.all(), SeatingLayout.HOLLOW_SQUARE)
    left, right = by_side(seats, "left"), by_side(seats, "right")
    assert [s.title for s in left] == [*MAYORS, "市長会事務局長", "町村会常務理事"]
    assert [s.position for s in left] == list(range(1, 18))
    assert [s.title for s in right][:3] == ["教育長", "県警本部長", "知事政策局長"]
    assert [s.title for s in right][-1] == "参事・市町村支援課長"
    assert len(right) == 14 and not by_side(seats, "back")
    # position 1 is next to the head table, the rest go down the page
    assert [s.y for s in left] == sorted(s.y for s in left)
    assert all(s.x + s.width < r.x for s in left for r in right)


def test_every_attendee_gets_one_seat_and_the_34_fit_on_the_page(meeting):
    chart = seating_chart(meeting)
    assert len(chart.seats) == 34
    assert {s.attendance.pk for s in chart.seats} == {a.pk for a in meeting.attendances.all()}
    assert_drawable(chart)


def test_long_titles_shrink_to_fit_their_card(meeting):
    seats = plan_seats(meeting)
    long_title = next(s for s in seats if s.title == "理事・ワンチームとやま推進室長")
    short_title = next(s for s in seats if s.title == "教育長")
    assert long_title.title_pt < short_title.title_pt
    assert long_title.title_pt >= 6.0  # still readable
    for s in seats:
        width = s.title_width if s.inline else s.width - 2.4
        assert seating._title_ems(s) * s.title_pt * seating.PT <= width + 0.01, s.title


def test_absent_attendees_get_no_seat_and_online_and_proxy_do():
    m = small_meeting(municipal=4)
    first, second, third = Attendance.objects.filter(meeting=m, group="municipal").order_by("protocol_order")[:3]
    first.status = "absent"
    record_save(first)
    second.status, second.proxy_title, second.proxy_name = "proxy", "副市長", "代理 一郎"
    record_save(second)
    third.status = "online"
    record_save(third)

    seats = plan_seats(meeting_detail(m.pk))
    assert first.pk not in {s.attendance.pk for s in seats}
    left = by_side(seats, "left")
    assert [s.attendance.pk for s in left][:2] == [second.pk, third.pk]  # the absentee's seat closes up
    proxy = left[0]
    # The office on the title line, the deputy (marked as proxy) on the name line.
    assert (proxy.title, proxy.name, proxy.title_mark) == ("第2市長", "副市長 代理 一郎（代理）", "")
    assert proxy.label == "第2市長 副市長 代理 一郎（代理）"
    assert left[1].is_online and left[1].title_mark == "（WEB）"


def test_absent_governor_the_first_vice_governor_takes_the_centre():
    m = small_meeting()
    governor = Attendance.objects.get(meeting=m, title="知事")
    governor.status = "absent"
    record_save(governor)
    head = by_side(plan_seats(meeting_detail(m.pk)), "head")
    assert [s.title for s in head] == ["副知事", "副知事"]
    chair = next(s for s in head if s.is_chair)
    assert chair.attendance.protocol_order < next(s for s in head if not s.is_chair).attendance.protocol_order
    assert chair.position == 2 and {s.position for s in head} == {1, 2}


def test_secretariat_and_observers_sit_at_the_back():
    m = small_meeting(secretariat=2, observer=1)
    chart = seating_chart(m)
    back = by_side(chart.seats, "back")
    assert [s.group for s in back] == ["observer", "secretariat", "secretariat"]
    assert [s.position for s in back] == [1, 2, 3]
    assert min(s.y for s in back) > max(s.y + s.height for s in chart.seats if s.side != "back")
    assert_drawable(chart)


def test_a_crowded_long_side_spills_over_to_the_back():
    m = small_meeting(municipal=seating.SIDE_CAPACITY + 2, secretariat=1)
    chart = seating_chart(m)
    assert len(by_side(chart.seats, "left")) == seating.SIDE_CAPACITY
    assert [s.group for s in by_side(chart.seats, "back")] == ["municipal", "municipal", "secretariat"]
    assert_drawable(chart)


def test_a_new_meeting_has_a_hollow_square_plan_with_everyone_placed_by_protocol_order(meeting):
    plan = SeatingPlan.objects.get(meeting=meeting)  # made with the meeting (meeting_save)
    assert (plan.layout, plan.seats.count()) == (SeatingLayout.HOLLOW_SQUARE, 0)
    assert seating_chart(meeting).layout == SeatingLayout.HOLLOW_SQUARE
    auto = seating.auto_seats(meeting.attendances.all(), SeatingLayout.HOLLOW_SQUARE)
    planned = plan_seats(meeting)
    assert [(s.attendance.pk, s.key) for s in planned] == [(s.attendance.pk, s.key) for s in auto]


def test_a_stored_seat_is_respected_and_the_others_flow_around_it(meeting):
    plan = seating_plan_set(meeting=meeting)
    imizu = Attendance.objects.get(meeting=meeting, title="射水市長")
    record_save(Seat(plan=plan, attendance=imizu, side="left", position=1))
    seats = plan_seats(meeting_detail(meeting.pk))
    left = by_side(seats, "left")
    assert [s.title for s in left][:4] == ["射水市長", "富山市長", "高岡市長", "魚津市長"]
    assert [s.position for s in left] == list(range(1, 18))
    assert len({s.key for s in seats}) == len(seats) == 34


def test_a_stored_seat_on_another_side_and_gaps(meeting):
    """A prefectural official moved to the head table, a mayor to position 5 of the right side:
    nobody else lands on those seats, and the rest keep their order."""
    plan = seating_plan_set(meeting=meeting)
    education = Attendance.objects.get(meeting=meeting, title="教育長")
    tateyama = Attendance.objects.get(meeting=meeting, title="立山町長")
    record_save(Seat(plan=plan, attendance=education, side="head", position=2))
    record_save(Seat(plan=plan, attendance=tateyama, side="right", position=5))
    chart = seating_chart(meeting_detail(meeting.pk))
    seats = chart.seats
    at = {s.key: s.title for s in seats}
    assert at[("head", 2)] == "教育長" and at[("right", 5)] == "立山町長"
    assert len(at) == len(seats) == 34
    head = by_side(seats, "head")
    assert [s.title for s in head] == ["副知事", "教育長", "知事", "副知事"]
    right = [s.title for s in by_side(seats, "right")]
    assert right[:6] == ["県警本部長", "知事政策局長", "危機管理局長", "地方創生局長", "立山町長", "経営管理部長"]
    assert "立山町長" not in [s.title for s in by_side(seats, "left")]
    assert_drawable(chart)


def test_classroom_layout(meeting):
    seating_plan_set(meeting=meeting, layout=SeatingLayout.CLASSROOM)
    pref = Attendance.objects.get(meeting=meeting, title="知事").organization
    record_save(
        Attendance(
            meeting=meeting,
            organization=pref,
            group="secretariat",
            title="推進室主幹",
            name="事務 太郎",
            protocol_order=40,
        )
    )
    chart = seating_chart(meeting_detail(meeting.pk))
    assert chart.layout == SeatingLayout.CLASSROOM
    seats = chart.seats
    head = by_side(seats, "head")
    assert [s.title for s in head] == ["副知事", "知事", "副知事"] and head[1].is_chair
    left, right = by_side(seats, "left"), by_side(seats, "right")
    assert [s.title for s in left][:15] == MAYORS
    middle = chart.width / 2
    assert all(s.x + s.width <= middle for s in left) and all(s.x >= middle for s in right)
    # rows facing the head table, front row first, from the aisle outwards
    assert left[0].y == left[1].y < left[-1].y
    assert left[0].x > left[1].x  # the first seat is next to the centre aisle
    assert right[0].x < right[1].x
    assert min(s.y for s in left + right) > max(s.y + s.height for s in head)
    back = by_side(seats, "back")
    assert [s.name for s in back] == ["事務 太郎"]
    assert back[0].y > max(s.y + s.height for s in left + right)
    assert_drawable(chart)


def test_auto_seats_takes_plain_attendances_and_skips_the_absent():
    m = small_meeting(municipal=2)
    attendances = list(Attendance.objects.filter(meeting=m))
    attendances[0].status = "absent"
    seats = seating.auto_seats(attendances, SeatingLayout.CLASSROOM)
    assert len(seats) == len(attendances) - 1
    assert attendances[0].pk not in {s.attendance.pk for s in seats}


# --- storing the placement (services.seats_place_automatically) -----------------------------------


def seat_rows(plan):
    return sorted(Seat.objects.filter(plan=plan).values_list("attendance_id", "side", "position"))


def test_seats_place_automatically_writes_one_seat_per_attendee_and_is_idempotent(meeting):
    plan = seating_plan_set(meeting=meeting)
    saved = services.seats_place_automatically(plan=plan)
    assert len(saved) == Seat.objects.filter(plan=plan).count() == 34
    auto = seating.auto_seats(meeting.attendances.all())
    expected = sorted((s.attendance.pk, s.side, s.position) for s in auto)
    assert seat_rows(plan) == expected
    services.seats_place_automatically(plan=plan)
    assert seat_rows(plan) == expected
    # the printed chart is the stored one
    printed = plan_seats(meeting_detail(meeting.pk))
    assert sorted((s.attendance.pk, s.side, s.position) for s in printed) == expected


def test_seats_place_automatically_keeps_hand_placed_seats_unless_reset(meeting):
    plan = seating_plan_set(meeting=meeting)
    services.seats_place_automatically(plan=plan)
    # the secretariat swaps two mayors in the admin
    toyama_seat = Seat.objects.get(plan=plan, attendance__title="富山市長")
    takaoka_seat = Seat.objects.get(plan=plan, attendance__title="高岡市長")
    takaoka_seat.position = 99
    record_save(takaoka_seat)
    toyama_seat.position = 2
    record_save(toyama_seat)
    takaoka_seat.position = 1
    record_save(takaoka_seat)
    # an attendee sends word they cannot come
    asahi = Attendance.objects.get(meeting=meeting, title="朝日町長")
    asahi.status = "absent"
    record_save(asahi)

    services.seats_place_automatically(plan=plan)
    assert Seat.objects.get(plan=plan, attendance__title="高岡市長").position == 1
    assert Seat.objects.get(plan=plan, attendance__title="富山市長").position == 2
    assert not Seat.objects.filter(attendance=asahi).exists()
    assert Seat.objects.filter(plan=plan).count() == 33

    services.seats_place_automatically(plan=plan, reset=True)
    assert Seat.objects.get(plan=plan, attendance__title="富山市長").position == 1
    assert Seat.objects.filter(plan=plan).count() == 33


def test_seats_place_automatically_is_atomic(meeting, monkeypatch):
    plan = seating_plan_set(meeting=meeting)
    calls = itertools.count()
    real_save = services.record_save

    def failing_save(instance, **kwargs):
        if next(calls) == 10:
            raise RuntimeError("disk full")
        return real_save(instance, **kwargs)

    monkeypatch.setattr(services, "record_save", failing_save)
    with pytest.raises(RuntimeError):
        services.seats_place_automatically(plan=plan)
    assert not Seat.objects.filter(plan=plan).exists()


# --- the PDF -----------------------------------------------------------------------------------


def pdf_text(content: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(content))
    return reader, re.sub(r"\s+", "", "".join(page.extract_text() or "" for page in reader.pages))


def test_seating_pdf_is_one_landscape_page_with_every_attendee(meeting):
    document = seating_pdf(meeting)
    assert document.filename == "令和3年度第4回_配席図.pdf"
    assert document.ascii_filename == "onechoice_2021-4_seating.pdf"
    reader, body = pdf_text(document.content)
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert float(box.width) > float(box.height)
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)
    for expected in [
        "令和3年度第4回「ワンチームとやま」連携推進本部会議配席図",
        "日時：令和4年1月20日（木）15時～",
        "場所：県民会館8階バンケットホール",
        "配席図",
        "知事",
        "新田八朗",
        "理事・ワンチームとやま推進室長",
    ]:
        assert expected in body, expected
    for attendance in meeting.attendances.all():
        assert re.sub(r"\s+", "", attendance.name) in body, attendance.name
        assert attendance.title in body, attendance.title


def test_seating_pdf_with_proxy_web_absentee_and_back_row_stays_one_page(meeting):
    toyama_mayor = Attendance.objects.get(meeting=meeting, title="富山市長")
    toyama_mayor.status, toyama_mayor.proxy_title, toyama_mayor.proxy_name = "proxy", "副市長", "髙﨑 德"
    record_save(toyama_mayor)
    himi = Attendance.objects.get(meeting=meeting, title="氷見市長")
    himi.status = "online"
    record_save(himi)
    asahi = Attendance.objects.get(meeting=meeting, title="朝日町長")
    asahi.status = "absent"
    record_save(asahi)
    pref = toyama_mayor.organization
    for i in range(8):
        record_save(
            Attendance(
                meeting=meeting,
                organization=pref,
                group="secretariat",
                title="ワンチームとやま推進室 主任",
                name=f"事務 {i}号",
                protocol_order=50 + i,
            )
        )
    seating_plan_set(meeting=meeting, note="※随行者は別室")

    reader, body = pdf_text(seating_pdf(meeting_detail(meeting.pk), in_packet=True).content)
    assert len(reader.pages) == 1
    assert "富山市長副市長髙﨑德（代理）" in body
    assert "氷見市長（WEB）林正之" in body
    assert "笹原靖直" not in body
    assert "事務7号" in body and "※随行者は別室" in body


def test_classroom_pdf_is_one_page(meeting):
    seating_plan_set(meeting=meeting, layout=SeatingLayout.CLASSROOM)
    reader, body = pdf_text(seating_pdf(meeting_detail(meeting.pk)).content)
    assert len(reader.pages) == 1
    assert "新田八朗" in body and "竹野博和" in body and "小杉健" in body
