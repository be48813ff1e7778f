"""Preparing a meeting: the attendee list from the HQ roster, a meeting copied from a past one,
the planned month giving way to a date, the meeting pickers' search and the print states."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.urls import reverse

from meetings import selectors, services
from meetings.models import (
    AgendaItem,
    Attendance,
    AttendanceStatus,
    Handout,
    Meeting,
    RosterMember,
    Seat,
    SeatingPlan,
)
from onechoice import roles
from onechoice.models import Official, Organization
from onechoice.services import record_save
from tests import factories
from tests.meetings.test_pdf import _pdf_bytes

pytestmark = pytest.mark.django_db


def _roster(*rows):
    """RosterMember rows (group, organisation, title) in protocol order 1, 2, …"""
    return [
        record_save(RosterMember(group=group, organization=org, title=title, protocol_order=i))
        for i, (group, org, title) in enumerate(rows, start=1)
    ]


def _official(org, title, name, valid_from=None, valid_to=None, rank=0):
    return record_save(
        Official(organization=org, title=title, name=name, valid_from=valid_from, valid_to=valid_to, protocol_rank=rank)
    )


@pytest.fixture
def toyama_city():
    return factories.municipality()


@pytest.fixture
def prefecture():
    return factories.organization(name="富山県", kind="prefecture", protocol_order=0, lg_code="160008")


def _planned_meeting(**fields):
    return services.meeting_save(
        meeting=Meeting(
            **{"fiscal_year": 2022, "kind": "regular", "number": 1, "planned_year": 2022, "planned_month": 5} | fields
        )
    )


# -- the roster, resolved on the meeting's date -------------------------------------------


def test_the_roster_takes_the_official_in_post_on_the_meeting_date(toyama_city, prefecture):
    _roster(
        ("municipal", toyama_city, "富山市長"),
        ("prefecture", prefecture, "副知事"),
        ("prefecture", prefecture, "副知事"),
    )
    _official(toyama_city, "富山市長", "旧 市長", valid_to=dt.date(2022, 4, 24))
    _official(toyama_city, "富山市長", "新 市長", valid_from=dt.date(2022, 4, 25))
    _official(prefecture, "副知事", "蔵堀 祐一", rank=1)
    _official(prefecture, "副知事", "横田 美香", rank=2)
    before = factories.meeting(fiscal_year=2021, date=dt.date(2022, 1, 20))
    after = factories.meeting(fiscal_year=2022, date=dt.date(2022, 5, 20))

    for meeting in (before, after):
        result = services.attendances_from_roster(meeting=meeting)
        assert len(result.created) == 3 and not result.vacant

    def names(meeting):
        return list(meeting.attendances.order_by("protocol_order").values_list("title", "name", "group"))

    assert names(before) == [
        ("富山市長", "旧 市長", "municipal"),
        ("副知事", "蔵堀 祐一", "prefecture"),
        ("副知事", "横田 美香", "prefecture"),
    ]
    assert names(after)[0] == ("富山市長", "新 市長", "municipal")
    # Both 副知事 seats, one holder each, in the holders' rank.
    assert [a.roster_member.protocol_order for a in after.attendances.order_by("protocol_order")] == [1, 2, 3]


def test_a_list_made_from_the_roster_is_a_snapshot_and_refresh_keeps_hand_edits(toyama_city, prefecture):
    _roster(("municipal", toyama_city, "富山市長"), ("prefecture", prefecture, "知事"))
    mayor = _official(toyama_city, "富山市長", "藤井 裕久")
    governor = _official(prefecture, "知事", "新田 八朗")
    meeting = _planned_meeting()
    services.attendances_from_roster(meeting=meeting)

    # Later changes to the master never rewrite the list ...
    mayor.name = "藤井 ひろひさ"
    record_save(mayor)
    governor.name = "新田 はちろう"
    record_save(governor)
    assert set(meeting.attendances.values_list("name", flat=True)) == {"藤井 裕久", "新田 八朗"}
    # ... running it again without refresh adds nothing and changes nothing ...
    again = services.attendances_from_roster(meeting=meeting)
    assert (again.created, again.refreshed) == ([], []) and again.message == "構成員名簿のとおりで、変更なし。"

    # ... a row edited by hand is kept by a refresh, the other takes the master's name, and
    # the 出欠 answered stays.
    row = meeting.attendances.get(title="富山市長")
    row.name = "藤井 裕久（手書き）"
    services.attendance_save(attendance=row)
    row.refresh_from_db()
    assert row.edited_by_hand
    other = meeting.attendances.get(title="知事")
    other.status = AttendanceStatus.ONLINE
    services.attendance_save(attendance=other)
    other.refresh_from_db()
    assert not other.edited_by_hand  # 出欠 is not the roster's

    result = services.attendances_from_roster(meeting=meeting, refresh=True)
    assert [a.title for a in result.refreshed] == ["知事"] and [a.title for a in result.kept] == ["富山市長"]
    assert "1 名を構成員名簿に合わせて更新" in result.message and "手で修正した 1 名はそのまま" in result.message
    assert meeting.attendances.get(title="富山市長").name == "藤井 裕久（手書き）"
    governor_row = meeting.attendances.get(title="知事")
    assert (governor_row.name, governor_row.status, governor_row.edited_by_hand) == ("新田 はちろう", "online", False)


def test_rows_added_by_hand_keep_their_numbers_and_vacant_posts_are_named(toyama_city, prefecture):
    _roster(("municipal", toyama_city, "富山市長"), ("prefecture", prefecture, "知事"))
    _official(toyama_city, "富山市長", "藤井 裕久")  # nobody holds 知事 on the date
    meeting = _planned_meeting()
    observer = factories.attendance(
        meeting, prefecture, group="observer", title="オブザーバー", name="甲 乙", protocol_order=1
    )

    result = services.attendances_from_roster(meeting=meeting)

    assert [m.title for m in result.vacant] == ["知事"]
    assert "在任者が見つからない構成員: 知事" in result.message
    observer.refresh_from_db()
    assert observer.protocol_order == 1 and observer.roster_member is None
    mayor = meeting.attendances.get(title="富山市長")
    assert mayor.protocol_order == 2  # the roster's 1 is held by the row added by hand: after the list


def test_a_meeting_without_date_or_planned_month_cannot_take_the_roster(toyama_city):
    meeting = factories.meeting(
        fiscal_year=2022,
        status="planned",
        date=None,
        start_time=None,
        end_time=None,
        planned_year=2022,
        planned_month=5,
    )
    meeting.planned_year = meeting.planned_month = None  # as if unsaved: the service asks for a date
    with pytest.raises(ValidationError, match="開催日か予定時期"):
        services.attendances_from_roster(meeting=meeting)


# -- the meeting itself ---------------------------------------------------------------------


def test_setting_the_date_of_a_planned_meeting_makes_it_a_dated_one():
    meeting = _planned_meeting(planned_period="middle")
    meeting.date = dt.date(2022, 5, 18)
    services.meeting_save(meeting=meeting)
    meeting.refresh_from_db()
    assert (meeting.date, meeting.planned_year, meeting.planned_month, meeting.planned_period) == (
        dt.date(2022, 5, 18),
        None,
        None,
        "",
    )


def test_every_meeting_has_its_seating_plan_from_the_start():
    meeting = _planned_meeting()
    assert SeatingPlan.objects.filter(meeting=meeting).count() == 1
    services.meeting_save(meeting=meeting)  # saving again makes no second plan
    assert SeatingPlan.objects.filter(meeting=meeting).count() == 1


@pytest.mark.parametrize(
    "query, expected",
    [
        ("第1回", {"R4-1", "R3-1"}),
        ("令和4年度", {"R4-1", "R4-2"}),
        ("R4", {"R4-1", "R4-2"}),
        ("r4 第2回", {"R4-2"}),
        ("2022", {"R4-1", "R4-2"}),
        ("２０２１年度", {"R3-1", "臨時"}),
        ("本部会議", {"R4-1", "R4-2", "R3-1"}),
        ("臨時会議", {"臨時"}),
        ("令和4年度第1回本部会議", {"R4-1"}),
        ("雪害", {"臨時"}),
        ("第3回", set()),
    ],
)
def test_the_meeting_search_understands_how_people_name_meetings(query, expected):
    made = {
        "R4-1": factories.meeting(fiscal_year=2022, number=1, date=dt.date(2022, 5, 20)),
        "R4-2": factories.meeting(fiscal_year=2022, number=2, date=dt.date(2022, 8, 20)),
        "R3-1": factories.meeting(fiscal_year=2021, number=1, date=dt.date(2021, 5, 20)),
        "臨時": factories.meeting(
            fiscal_year=2021, kind="extraordinary", number=None, title="雪害対策への協力に関する臨時会議"
        ),
    }
    names = {pk: name for name, pk in ((n, m.pk) for n, m in made.items())}
    found = Meeting.objects.filter(selectors.meeting_search(query)).values_list("pk", flat=True)
    assert {names[pk] for pk in found} == expected


# -- a new meeting from a past one ----------------------------------------------------------


@pytest.fixture
def past_meeting(toyama_city, prefecture):
    _roster(("municipal", toyama_city, "富山市長"), ("prefecture", prefecture, "知事"))
    _official(toyama_city, "富山市長", "旧 市長", valid_to=dt.date(2022, 4, 24))
    _official(toyama_city, "富山市長", "新 市長", valid_from=dt.date(2022, 4, 25))
    _official(prefecture, "知事", "新田 八朗")
    source = services.meeting_save(
        meeting=Meeting(
            fiscal_year=2021,
            kind="regular",
            number=4,
            status="held",
            date=dt.date(2022, 1, 20),
            start_time=dt.time(15),
            venue="県民会館",
            mode="in_person",
            is_published=True,
        )
    )
    services.agenda_item_save(agenda_item=AgendaItem(meeting=source, order=1, section="opening", title="開会"))
    services.agenda_item_save(agenda_item=AgendaItem(meeting=source, order=2, section="deliberation", title="協議"))
    services.handout_save(handout=Handout(meeting=source, number=1, title="進捗状況", document="progress_report"))
    services.attendances_from_roster(meeting=source)
    mayor = source.attendances.get(title="富山市長")
    mayor.status, mayor.proxy_title, mayor.proxy_name = AttendanceStatus.PROXY, "副市長", "山田 太郎"
    services.attendance_save(attendance=mayor)
    guest = factories.attendance(
        source, prefecture, group="observer", title="オブザーバー", name="甲 乙", protocol_order=9
    )
    services.seats_place_automatically(plan=source.seating_plan)
    seat = Seat.objects.get(attendance=guest)
    seat.side, seat.position = "back", 5
    services.seat_save(seat=seat)
    return source


def test_a_meeting_copied_from_a_past_one_takes_its_structure_and_the_roster_of_its_own_date(past_meeting):
    new = Meeting(fiscal_year=2022, kind="regular", number=1, date=dt.date(2022, 5, 20))
    copy = services.meeting_copy(source=past_meeting, meeting=new)

    new.refresh_from_db()
    assert (new.venue, new.mode, new.start_time, new.is_published) == ("県民会館", "in_person", dt.time(15), False)
    assert list(new.agenda_items.values_list("order", "title")) == [(1, "開会"), (2, "協議")]
    assert list(new.handouts.values_list("number", "title", "document")) == [(1, "進捗状況", "progress_report")]
    rows = list(new.attendances.order_by("protocol_order").values_list("title", "name", "status", "proxy_name"))
    # The mayor of the new date, attending in person (a proxy was that meeting's answer).
    assert rows == [
        ("富山市長", "新 市長", "present", ""),
        ("知事", "新田 八朗", "present", ""),
        ("オブザーバー", "甲 乙", "present", ""),
    ]
    guest_seat = Seat.objects.get(attendance__meeting=new, attendance__name="甲 乙")
    assert (guest_seat.side, guest_seat.position) == ("back", 5)
    assert copy.copied_attendees == 1 and "2 名を追加" in copy.message
    # The source is untouched.
    assert past_meeting.attendances.get(title="富山市長").status == "proxy"


def test_the_copy_form_creates_the_next_meeting_and_reports_a_duplicate_in_japanese(secretariat_client, past_meeting):
    url = reverse("admin:meetings_meeting_copy", args=[past_meeting.pk])
    page = secretariat_client.get(url)
    assert page.status_code == 200
    form = page.context["form"]
    assert (form["fiscal_year"].value(), form["number"].value()) == (2022, 1)  # after 第4回: the next year's first

    taken = {"fiscal_year": 2021, "kind": "regular", "number": 4, "date": "2022-01-21"}
    refused = secretariat_client.post(url, taken)
    assert refused.status_code == 200
    assert "令和3年度の第4回本部会議は既に登録されています。" in refused.content.decode()
    assert Meeting.objects.count() == 1

    made = secretariat_client.post(url, {"fiscal_year": 2022, "kind": "regular", "number": 1, "date": "2022-05-20"})
    new = Meeting.objects.get(fiscal_year=2022, number=1)
    assert made.status_code == 302 and made["Location"] == reverse("admin:meetings_meeting_change", args=[new.pk])
    assert new.attendances.count() == 3 and new.agenda_items.count() == 2


def test_handout_files_are_copied_only_when_asked(past_meeting, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    handout = Handout(
        meeting=past_meeting, number=2, title="県の資料", file=ContentFile(_pdf_bytes(pages=2), name="a.pdf")
    )
    services.handout_save(handout=handout)
    without = services.meeting_copy(
        source=past_meeting,
        meeting=Meeting(fiscal_year=2022, kind="regular", number=1, planned_year=2022, planned_month=5),
    )
    with_files = services.meeting_copy(
        source=past_meeting,
        meeting=Meeting(fiscal_year=2022, kind="regular", number=2, planned_year=2022, planned_month=8),
        with_files=True,
    )
    assert not without.meeting.handouts.get(number=2).file
    copied = with_files.meeting.handouts.get(number=2)
    assert copied.file and copied.file.name != handout.file.name and with_files.copied_files == 1
    assert copied.file.read()[:5] == b"%PDF-"


# -- the admin workspace --------------------------------------------------------------------


def test_the_roster_button_fills_the_list_and_answers_only_a_post(secretariat_client, toyama_city):
    _roster(("municipal", toyama_city, "富山市長"))
    _official(toyama_city, "富山市長", "藤井 裕久")
    meeting = _planned_meeting()
    url = reverse("admin:meetings_meeting_roster", args=[meeting.pk])
    assert secretariat_client.get(url).status_code == 405
    response = secretariat_client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("admin:meetings_meeting_change", args=[meeting.pk])
    assert "1 名を追加しました。" in response.content.decode()
    assert list(meeting.attendances.values_list("name", flat=True)) == ["藤井 裕久"]


def test_the_roster_button_is_refused_to_who_may_not_change_meetings(client, toyama_city):
    meeting = _planned_meeting()
    _roster(("municipal", toyama_city, "富山市長"))
    _official(toyama_city, "富山市長", "藤井 裕久")
    url = reverse("admin:meetings_meeting_roster", args=[meeting.pk])
    assert client.post(url).status_code == 302  # to the login page
    groups = roles.ensure_role_groups()
    for role in (roles.Role.MUNICIPAL, roles.Role.DIVISION):
        user = get_user_model().objects.create_user(f"u-{role.value}", is_staff=True)
        user.groups.add(groups[role])
        client.force_login(user)
        assert client.post(url).status_code in (403, 404)
    assert not Attendance.objects.exists()


def test_dating_a_planned_meeting_in_the_admin_saves_and_says_what_was_cleared(secretariat_client):
    meeting = _planned_meeting(planned_period="middle")
    url = reverse("admin:meetings_meeting_change", args=[meeting.pk])
    form = secretariat_client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(date="2022-05-18", planned_year="2022", planned_month="5", planned_period="middle", status="planned")
    for prefix in ("agenda_items", "handouts", "attendances"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    data["_version_token"] = form["_version_token"].value() if "_version_token" in form.fields else ""
    response = secretariat_client.post(url, data, follow=True)
    assert response.status_code == 200, response.content.decode()[:2000]
    assert "開催日が決まったので、予定時期（令和4年5月中旬）を消去しました。" in response.content.decode()
    meeting.refresh_from_db()
    assert (meeting.date, meeting.planned_month, meeting.planned_period) == (dt.date(2022, 5, 18), None, "")


def test_the_meeting_picker_finds_meetings_as_people_name_them(secretariat_client):
    wanted = factories.meeting(fiscal_year=2022, number=1, date=dt.date(2022, 5, 20))
    factories.meeting(fiscal_year=2021, number=2, date=dt.date(2021, 8, 20))
    response = secretariat_client.get(
        reverse("admin:autocomplete"),
        {"term": "R4 第1回", "app_label": "meetings", "model_name": "handout", "field_name": "meeting"},
    )
    assert [int(r["id"]) for r in response.json()["results"]] == [wanted.pk]


def test_the_print_buttons_say_whether_each_pdf_is_up_to_date(secretariat_client):
    meeting = _planned_meeting()
    change_url = reverse("admin:meetings_meeting_change", args=[meeting.pk])
    assert [s.is_current for s in selectors.print_states(meeting)] == [False] * 4
    assert secretariat_client.get(reverse("meetings:agenda_pdf", args=[meeting.pk])).status_code == 200
    states = {s.document: s.is_current for s in selectors.print_states(meeting)}
    assert states == {"agenda": True, "attendees": False, "seating": False, "packet": False}
    page = secretariat_client.get(change_url).content.decode()
    assert "次第（PDF）<small>最新</small>" in page and "出席者名簿（PDF）<small>変更あり・印刷時に作成</small>" in page
    meeting.venue = "県庁"
    services.meeting_save(meeting=meeting)
    assert not any(s.is_current for s in selectors.print_states(meeting))
    assert Organization.objects.count() == 0  # nothing else was made on the way


@pytest.mark.parametrize("route", ["meetings_meeting_roster", "meetings_meeting_copy"])
@pytest.mark.parametrize("object_id", ["999999", "abc", "1%00"])
def test_the_workspace_pages_answer_404_for_a_missing_or_malformed_meeting(secretariat_client, route, object_id):
    url = reverse(f"admin:{route}", args=["0"]).replace("/0/", f"/{object_id}/")
    assert secretariat_client.post(url).status_code == 404
