"""The seating editor (admin/meetings/meeting/<id>/seating/): the chart as the PDF draws it
with the person actually in each seat, moves without JavaScript (a swap with whoever sits
there), the reset to protocol order, who may see and change it, and bad input refused in
Japanese with nothing changed."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from meetings import services
from meetings.models import Attendance, AttendanceStatus, Meeting, Seat, SeatingPlan
from meetings.seating import placement
from meetings.seating.editor import editor_chart, present_label, seat_key
from meetings.selectors import meeting_detail, seating_chart
from onechoice import roles
from onechoice.models import Affiliation, Division, Organization
from onechoice.services import record_save
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(toyama):
    """FY R3 第4回 (34 attendees) with the mayor of Toyama represented by a deputy."""
    meeting = Meeting.objects.get(fiscal_year=2021, kind="regular", number=4)
    mayor = meeting.attendances.get(title="富山市長")
    mayor.status, mayor.proxy_title, mayor.proxy_name = AttendanceStatus.PROXY, "副市長", "山田 太郎"
    services.attendance_save(attendance=mayor)
    return meeting


def url(meeting) -> str:
    return reverse("admin:meetings_meeting_seating", args=[meeting.pk])


def where(meeting) -> dict[int, tuple[str, int]]:
    """Who sits where now, as the PDF places them (stored seats and protocol order)."""
    return editor_chart(seating_chart(meeting_detail(meeting.pk))).seat_of


def stored(meeting) -> dict[int, tuple[str, int]]:
    return {s.attendance_id: (s.side, s.position) for s in Seat.objects.filter(plan__meeting=meeting)}


def person(meeting, title) -> Attendance:
    return meeting.attendances.get(title=title)


def version(client, meeting) -> str:
    return client.get(url(meeting)).context["editor"].version


def post_move(client, meeting, attendance, seat: str, **extra):
    data = {"version": version(client, meeting), "move": attendance.pk, f"seat_{attendance.pk}": seat, **extra}
    return client.post(url(meeting), data)


def card_texts(html: str, seat: str) -> str:
    """The text drawn in the chart's card of ``seat`` (its <g> element)."""
    match = re.search(rf'<g class="seat [^"]*" data-seat="{seat}">(.*?)</g>', html, re.S)
    assert match, f"no card for {seat}"
    return re.sub(r"<[^>]+>", " ", match.group(1))


# --- the chart ------------------------------------------------------------------------------------


def test_the_chart_shows_the_deputy_at_the_mayors_seat(secretariat_client, meeting):
    mayor = person(meeting, "富山市長")
    response = secretariat_client.get(url(meeting))
    assert response.status_code == 200
    html = response.text
    seat = seat_key(*where(meeting)[mayor.pk])
    assert seat == "left-1"  # the first mayor, next to the head table on the municipal side
    card = card_texts(html, seat)
    assert "富山市長" in card and "副市長 山田 太郎（代理）" in card
    assert "藤井 裕久" not in html  # the absent mayor is named nowhere on the page
    row = re.search(rf'<tr id="person-{mayor.pk}">(.*?)</tr>', html, re.S).group(1)
    assert "富山市長 副市長 山田 太郎（代理）" in row
    assert re.search(r'<option value="left-1" selected>', row)
    # the governor chairs at the centre of the head table, as on paper
    assert "知事" in card_texts(html, "head-2") and "新田 八朗" in card_texts(html, "head-2")
    assert 'class="seat head prefecture chair"' in html
    # links back to the meeting and to the PDF; the drag script and the stylesheet are files
    assert reverse("admin:meetings_meeting_change", args=[meeting.pk]) in html
    assert reverse("meetings:seating_pdf", args=[meeting.pk]) in html
    assert "js/admin-seating-editor.js" in html and "css/admin-seating-editor.css" in html
    assert " style=" not in html.split('id="content-main"')[1]  # no style attributes (CSP)


def test_cards_are_where_the_pdf_puts_them_and_gaps_are_drawn_as_empty_seats(meeting):
    # Every seat stored, then the third mayor moved to the back: the left side keeps its length
    # with a gap, which the editor draws as an empty seat; every card stays where the PDF has it.
    plan = services.seating_plan_ensure(meeting=meeting)
    services.seats_place_automatically(plan=plan, reset=True)
    services.seat_move(plan=plan, attendance=person(meeting, "射水市長"), side="back", position=1)
    printed = seating_chart(meeting_detail(meeting.pk))
    editor = editor_chart(printed)
    by_key = {card.seat.key: card for card in editor.cards}
    for seat in printed.seats:
        card = by_key[seat.key]
        assert not card.empty and card.seat.attendance.pk == seat.attendance.pk
        box = (seat.x, seat.y, seat.width, seat.height)
        assert (card.seat.x, card.seat.y, card.seat.width, card.seat.height) == box
        assert (card.seat.title_pt, card.seat.name_pt) == (seat.title_pt, seat.name_pt)
    empty = [card for card in editor.cards if card.empty]
    assert [card.seat.key for card in empty] == [("left", 3)]
    assert len(editor.cards) == len(printed.seats) + 1


def test_absentees_have_no_seat_and_web_attendees_are_marked(secretariat_client, meeting):
    himi, imizu = person(meeting, "氷見市長"), person(meeting, "射水市長")
    himi.status = AttendanceStatus.ABSENT
    services.attendance_save(attendance=himi)
    imizu.status = AttendanceStatus.ONLINE
    services.attendance_save(attendance=imizu)
    html = secretariat_client.get(url(meeting)).text
    assert f'id="person-{himi.pk}"' not in html and f'data-attendance="{himi.pk}"' not in html
    assert "欠席（席なし）: 氷見市長 林 正之" in html
    card = card_texts(html, seat_key(*where(meeting)[imizu.pk]))
    assert "射水市長" in card and "（WEB）" in card and "夏野 元志" in card
    assert himi.pk not in where(meeting)


def test_a_meeting_without_a_plan_is_drawn_and_gets_one_with_the_first_move(secretariat_client, meeting):
    SeatingPlan.objects.filter(meeting=meeting).delete()  # a meeting from before every meeting had one
    assert secretariat_client.get(url(meeting)).status_code == 200
    assert not SeatingPlan.objects.filter(meeting=meeting).exists()  # looking writes nothing
    takaoka = person(meeting, "高岡市長")
    response = post_move(secretariat_client, meeting, takaoka, "back-1")
    assert response.status_code == 302
    assert SeatingPlan.objects.get(meeting=meeting).layout == "hollow_square"
    assert stored(meeting) == {takaoka.pk: ("back", 1)}


# --- moving without JavaScript --------------------------------------------------------------------


def test_a_no_js_post_moves_a_person_and_swaps_with_the_occupant(secretariat_client, meeting):
    toyama_city, uozu = person(meeting, "富山市長"), person(meeting, "魚津市長")
    before = where(meeting)
    assert before[toyama_city.pk] == ("left", 1) and before[uozu.pk] == ("left", 4)
    response = post_move(secretariat_client, meeting, toyama_city, "left-4")
    assert response.status_code == 302 and response["Location"] == url(meeting)
    after = where(meeting)
    assert after[toyama_city.pk] == ("left", 4) and after[uozu.pk] == ("left", 1)
    assert {a: s for a, s in after.items() if a not in (toyama_city.pk, uozu.pk)} == {
        a: s for a, s in before.items() if a not in (toyama_city.pk, uozu.pk)
    }
    # both are stored (overrides); everyone else still follows protocol order
    assert stored(meeting) == {toyama_city.pk: ("left", 4), uozu.pk: ("left", 1)}
    html = secretariat_client.get(url(meeting)).text
    assert "富山市長 副市長 山田 太郎（代理） を 左側 4 に移しました。" in html
    assert "魚津市長 村椿 晃 は 左側 1 に移りました（入れ替え）。" in html
    assert "山田 太郎" in card_texts(html, "left-4") and "村椿 晃" in card_texts(html, "left-1")


def test_a_swap_across_sides_keeps_both_sides_in_order(secretariat_client, meeting):
    mayor, education = person(meeting, "高岡市長"), person(meeting, "教育長")
    before = where(meeting)
    response = post_move(secretariat_client, meeting, education, seat_key(*before[mayor.pk]))
    assert response.status_code == 302
    after = where(meeting)
    assert after[education.pk] == before[mayor.pk] and after[mayor.pk] == before[education.pk]
    others = set(before) - {mayor.pk, education.pk}
    assert {a: after[a] for a in others} == {a: before[a] for a in others}


def test_moving_onto_an_empty_seat_moves_only_that_person(secretariat_client, meeting):
    takaoka = person(meeting, "高岡市長")
    response = post_move(secretariat_client, meeting, takaoka, "back-1")
    assert response.status_code == 302
    assert stored(meeting) == {takaoka.pk: ("back", 1)}
    assert where(meeting)[takaoka.pk] == ("back", 1)
    html = secretariat_client.get(url(meeting)).text
    assert "高岡市長 角田 悠紀 を 後方 1 に移しました。" in html and "（入れ替え）" not in html


def test_moving_to_the_seat_one_has_changes_nothing(secretariat_client, meeting):
    takaoka = person(meeting, "高岡市長")
    response = post_move(secretariat_client, meeting, takaoka, "left-2")
    assert response.status_code == 302 and stored(meeting) == {}
    assert "高岡市長 角田 悠紀 は既に 左側 2 の席です。" in secretariat_client.get(url(meeting)).text


def test_swapping_two_stored_seats_parks_one_and_keeps_the_unique_seats(meeting):
    # After 「席次どおりに並べ直す」 every seat is a stored row: the swap moves two rows whose
    # seats are each other's, which the unique (plan, side, position) would refuse row by row.
    plan = services.seating_plan_ensure(meeting=meeting)
    services.seats_place_automatically(plan=plan, reset=True)
    a, b = person(meeting, "富山市長"), person(meeting, "朝日町長")
    seat_a, seat_b = stored(meeting)[a.pk], stored(meeting)[b.pk]
    move = services.seat_move(plan=plan, attendance=a, side=seat_b[0], position=seat_b[1])
    assert move.swapped_with == b and move.origin == seat_a and move.seat == seat_b
    after = stored(meeting)
    assert after[a.pk] == seat_b and after[b.pk] == seat_a
    assert len(after) == 34 and len(set(after.values())) == 34
    assert not Seat.objects.filter(plan=plan, position=services.SEAT_PARKED).exists()
    # the row's history shows the moves (as any admin change would)
    assert Seat.objects.get(attendance=a).history.first().position == seat_b[1]


def test_the_stored_seat_of_somebody_now_absent_does_not_block_a_move(meeting):
    plan = services.seating_plan_ensure(meeting=meeting)
    services.seats_place_automatically(plan=plan, reset=True)
    himi, takaoka = person(meeting, "氷見市長"), person(meeting, "高岡市長")
    himi_seat = stored(meeting)[himi.pk]
    himi.status = AttendanceStatus.ABSENT
    services.attendance_save(attendance=himi)  # the row of 氷見市長 still holds 左側 5
    move = services.seat_move(plan=plan, attendance=takaoka, side=himi_seat[0], position=himi_seat[1])
    assert move.swapped_with is None
    assert stored(meeting)[takaoka.pk] == himi_seat and himi.pk not in stored(meeting)


@pytest.mark.parametrize("layout", ["hollow_square", "classroom"])
def test_both_layouts_draw_every_seat_where_the_pdf_does(secretariat_client, meeting, layout):
    plan = services.seating_plan_ensure(meeting=meeting)
    plan.layout = layout
    services.seating_plan_save(seating_plan=plan)
    response = secretariat_client.get(url(meeting))
    assert response.status_code == 200
    printed = seating_chart(meeting_detail(meeting.pk))
    boxes = {(c.seat.side, c.seat.position): c.box for c in response.context["editor"].cards if not c.empty}
    assert len(boxes) == 34
    for seat in printed.seats:
        x, y = boxes[seat.key]["x"], boxes[seat.key]["y"]
        assert f'<rect x="{x}" y="{y}"' in response.text
        assert abs(float(x) - seat.x) < 0.006 and abs(float(y) - seat.y) < 0.006


def test_a_meeting_without_attendees_shows_an_empty_chart(secretariat_client):
    response = secretariat_client.get(url(factories.meeting(number=79)))
    assert response.status_code == 200
    assert "席のある出席者はいません" in response.text


def test_reset_puts_everyone_back_in_protocol_order(secretariat_client, meeting):
    post_move(secretariat_client, meeting, person(meeting, "富山市長"), "left-4")
    post_move(secretariat_client, meeting, person(meeting, "教育長"), "back-1")
    assert len(stored(meeting)) == 3
    response = secretariat_client.post(url(meeting), {"reset": "1"})
    assert response.status_code == 302
    automatic = {a.pk: (s, p) for a, s, p in placement.assign(meeting.attendances.all(), "hollow_square")}
    assert stored(meeting) == automatic  # every seat stored, at its protocol-order place
    assert where(meeting) == automatic
    assert "席次どおりに並べ直しました" in secretariat_client.get(url(meeting)).text


# --- who may see and change it --------------------------------------------------------------------


def make_user(name, role, *, is_staff=True, divisions=(), organization=None):
    user = get_user_model().objects.create_user(name, is_staff=is_staff)
    user.groups.add(roles.ensure_role_groups()[role])
    if organization is not None:
        affiliation = record_save(Affiliation(user=user, organization=organization))
        affiliation.divisions.set(divisions)
    return user


def test_anonymous_users_are_sent_to_the_login(client, meeting):
    response = client.get(url(meeting))
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
    assert client.post(url(meeting), {"reset": "1"}).status_code == 302
    assert stored(meeting) == {}


def test_municipal_officers_cannot_open_it(client, meeting):
    city = Organization.objects.get(lg_code="162019")
    # An officer has no admin at all: the admin sends them to its login, as for every admin page.
    client.force_login(make_user("officer", roles.Role.MUNICIPAL, is_staff=False, organization=city))
    response = client.get(url(meeting))
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
    # Even marked as staff by mistake, the role holds no permission: refused.
    client.force_login(make_user("officer-staff", roles.Role.MUNICIPAL, organization=city))
    assert client.get(url(meeting)).status_code == 403
    takaoka = person(meeting, "高岡市長")
    response = client.post(url(meeting), {"move": takaoka.pk, f"seat_{takaoka.pk}": "back-1"})
    assert response.status_code == 403 and stored(meeting) == {}


def test_division_staff_see_the_chart_but_change_nothing(client, meeting):
    prefecture = Organization.objects.get(kind="prefecture")
    division = Division.objects.first()
    client.force_login(make_user("division", roles.Role.DIVISION, divisions=[division], organization=prefecture))
    response = client.get(url(meeting))
    assert response.status_code == 200
    html = response.text
    assert "副市長 山田 太郎（代理）" in card_texts(html, "left-1")
    assert 'draggable="true"' not in html and 'name="move"' not in html and 'name="reset"' not in html
    assert "閲覧のみです" in html
    takaoka = person(meeting, "高岡市長")
    data = {"version": response.context["editor"].version, "move": takaoka.pk, f"seat_{takaoka.pk}": "back-1"}
    assert client.post(url(meeting), data).status_code == 403
    assert client.post(url(meeting), {"reset": "1"}).status_code == 403
    assert stored(meeting) == {}


def test_the_secretariat_opens_it_and_missing_meetings_are_404(secretariat_client, meeting):
    assert secretariat_client.get(url(meeting)).status_code == 200
    missing = reverse("admin:meetings_meeting_seating", args=[999999])
    assert secretariat_client.get(missing).status_code == 404
    assert secretariat_client.get("/admin/meetings/meeting/abc/seating/").status_code == 404
    assert secretariat_client.put(url(meeting)).status_code == 405


def test_opening_it_costs_the_same_queries_for_34_attendees_as_for_3(secretariat_client, meeting):
    small = factories.meeting(number=77)
    services.seating_plan_ensure(meeting=small)
    org = factories.organization()
    people = [("prefecture", "知事"), ("municipal", "A市長"), ("prefecture", "B部長")]
    for order, (group, title) in enumerate(people, 1):
        factories.attendance(small, org, group=group, title=title, protocol_order=order)
    secretariat_client.get(url(small))  # the session and the user's permissions, once
    counts = []
    for m in (small, meeting):
        with CaptureQueriesContext(connection) as queries:
            assert secretariat_client.get(url(m)).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


# --- bad input ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "seat, message",
    [
        ("left-99", "その席（left-99）はこの配席図にありません。"),
        ("nowhere-1", "その席（nowhere-1）はこの配席図にありません。"),
        ("head-0", "その席（head-0）はこの配席図にありません。"),
        ("'; DROP TABLE", "この配席図にありません。"),
        ("", "移す先の席を選んでください。"),
    ],
)
def test_an_unknown_seat_is_refused_in_japanese(secretariat_client, meeting, seat, message):
    response = post_move(secretariat_client, meeting, person(meeting, "高岡市長"), seat)
    assert response.status_code == 400
    assert message in response.text and 'class="errornote"' in response.text
    assert stored(meeting) == {}


def other_meetings_attendee() -> Attendance:
    return factories.attendance(factories.meeting(number=78), factories.organization(), title="別会議の市長")


def test_another_meetings_attendee_or_an_absentee_cannot_be_moved(secretariat_client, meeting):
    other = other_meetings_attendee()
    absent = person(meeting, "氷見市長")
    absent.status = AttendanceStatus.ABSENT
    services.attendance_save(attendance=absent)
    for attendance in (other, absent):
        response = post_move(secretariat_client, meeting, attendance, "back-1")
        assert response.status_code == 400
        assert "この会議で席のある出席者を選んでください" in response.text
    assert stored(meeting) == {}


@pytest.mark.parametrize(
    "data, message",
    [
        ({"move": "abc", "seat_abc": "back-1"}, "この会議で席のある出席者を選んでください"),
        ({"move": "", "seat_": "back-1"}, "移す人を選んでください。"),
        ({"move": "1e9", "seat_1e9": "x" * 5000}, "この会議で席のある出席者を選んでください"),
        ({"garbage": "1"}, "移す人と席を選んでから「移動」を押してください。"),
        ({}, "移す人と席を選んでから「移動」を押してください。"),
    ],
)
def test_garbage_is_refused_in_japanese(secretariat_client, meeting, data, message):
    response = secretariat_client.post(url(meeting), {"version": version(secretariat_client, meeting), **data})
    assert response.status_code == 400 and message in response.text
    assert stored(meeting) == {}


def test_a_form_from_a_stale_page_is_refused(secretariat_client, meeting):
    takaoka, imizu = person(meeting, "高岡市長"), person(meeting, "射水市長")
    stale = version(secretariat_client, meeting)
    post_move(secretariat_client, meeting, imizu, "back-1")  # somebody else, meanwhile
    data = {"version": stale, "move": takaoka.pk, f"seat_{takaoka.pk}": "left-3"}
    response = secretariat_client.post(url(meeting), data)
    assert response.status_code == 400 and "この画面を開いた後に配席が変わりました" in response.text
    assert stored(meeting) == {imizu.pk: ("back", 1)}
    data.pop("version")
    assert secretariat_client.post(url(meeting), data).status_code == 400  # no version: refused too
    assert stored(meeting) == {imizu.pk: ("back", 1)}


def test_the_service_refuses_what_the_form_would_not_offer(meeting):
    plan = services.seating_plan_ensure(meeting=meeting)
    takaoka = person(meeting, "高岡市長")
    other = other_meetings_attendee()
    for kwargs, field in [
        ({"attendance": other, "side": "back", "position": 1}, "attendance"),
        ({"attendance": takaoka, "side": "nowhere", "position": 1}, "seat"),
        ({"attendance": takaoka, "side": "back", "position": 0}, "seat"),
        ({"attendance": takaoka, "side": "back", "position": 40000}, "seat"),
    ]:
        with pytest.raises(ValidationError) as error:
            services.seat_move(plan=plan, **kwargs)
        assert field in error.value.message_dict
    assert stored(meeting) == {}


# --- the seat inline and the menu -----------------------------------------------------------------


def test_the_seat_inline_labels_a_proxied_seat_with_the_deputy(secretariat_client, meeting):
    plan = services.seating_plan_ensure(meeting=meeting)
    mayor = person(meeting, "富山市長")
    services.seat_move(plan=plan, attendance=mayor, side="left", position=1)
    html = secretariat_client.get(reverse("admin:meetings_seatingplan_change", args=[plan.pk])).text
    options = re.findall(rf'<option value="{mayor.pk}"[^>]*>([^<]*)</option>', html)
    assert options and set(options) == {"富山市長 副市長 山田 太郎（代理）"}
    assert "藤井 裕久" not in html
    assert present_label(mayor) == "富山市長 副市長 山田 太郎（代理）"
    assert str(mayor) == "富山市長 藤井 裕久"  # the record's own name is left as it is


def test_seats_are_not_in_the_menu_but_their_pages_still_answer(secretariat_client, meeting):
    index = secretariat_client.get(reverse("admin:app_list", args=["meetings"])).text
    assert reverse("admin:meetings_seatingplan_changelist") in index
    assert reverse("admin:meetings_seat_changelist") not in index
    assert reverse("admin:meetings_seat_changelist") not in secretariat_client.get(reverse("admin:index")).text
    assert secretariat_client.get(reverse("admin:meetings_seat_changelist")).status_code == 200
