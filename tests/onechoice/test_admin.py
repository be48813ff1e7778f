"""Every admin screen of the portal's models answers for the secretariat, in Japanese, with a
query count that does not depend on how many rows a list or an inline holds."""

import datetime as dt

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from meetings.models import Attendance, Meeting, Seat, SeatingPlan
from meetings.services import seating_plan_set
from onechoice.concurrency import TOKEN_FIELD
from onechoice.models import Affiliation, Organization
from onechoice.services import record_save
from tests.meetings.test_attendance_requests import stored_request

PORTAL_APPS = {"onechoice", "projects", "meetings", "workgroups"}
PORTAL_MODELS = [m for m in admin.site._registry if m._meta.app_label in PORTAL_APPS]


def url(model, action, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{action}", args=args)


def version_token(client, path) -> dict:
    """The version token a change page opened just now posts back (onechoice.concurrency)."""
    return {TOKEN_FIELD: client.get(path).context["adminform"].form[TOKEN_FIELD].value()}


def get_counted(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    return response, len(queries)


@pytest.fixture
def full_data(toyama):
    """The real records plus what the fixtures do not hold: a seating plan and an affiliation."""
    meeting = Meeting.objects.get(fiscal_year=2021, number=4)
    plan = seating_plan_set(meeting=meeting, layout="hollow_square")
    for position, attendance in enumerate(meeting.attendances.order_by("protocol_order")[:3], start=1):
        record_save(Seat(plan=plan, attendance=attendance, side="left", position=position))
    user = get_user_model().objects.create_user("officer")
    Affiliation.objects.create(user=user, organization=Organization.objects.get(lg_code="162019"))
    stored_request(meeting, Organization.objects.get(lg_code="162019"))  # 出欠照会 and 送信メール


def test_every_portal_model_is_registered():
    from django.apps import apps

    models = {
        m
        for app in PORTAL_APPS
        for m in apps.get_app_config(app).get_models()
        if not m.__name__.startswith("Historical")  # django-simple-history's own tables
        and m.__name__ != "DataVersion"  # one row of bookkeeping, nothing to edit
        and m.__name__ != "AttendanceReply"  # on the meeting's page (the response board), answered in the portal
        and m.__name__ != "MaterialRequest"  # on the meeting's page (資料提出 board), submitted in the portal
    }
    assert models == set(PORTAL_MODELS)


@pytest.mark.parametrize("model", PORTAL_MODELS, ids=lambda m: m.__name__)
def test_changelist_add_and_change_pages_answer(secretariat_client, full_data, model):
    response = secretariat_client.get(url(model, "changelist"))
    assert response.status_code == 200
    assert "「ワンチームとやま」連携推進本部 管理画面" in response.text
    assert str(model._meta.verbose_name_plural) in response.text
    read_only = not admin.site._registry[model].has_add_permission(response.wsgi_request)  # 送信メール
    assert secretariat_client.get(url(model, "add")).status_code == (403 if read_only else 200)
    obj = model.objects.order_by("pk").first()
    assert obj is not None, f"no {model.__name__} in the test data"
    assert secretariat_client.get(url(model, "change", obj.pk)).status_code == 200


@pytest.mark.parametrize("model", PORTAL_MODELS, ids=lambda m: m.__name__)
def test_changelist_queries_do_not_grow_with_rows(secretariat_client, full_data, model):
    first = model.objects.order_by("pk").first()
    _, one_row = get_counted(secretariat_client, url(model, "changelist") + f"?id__exact={first.pk}")
    response, all_rows = get_counted(secretariat_client, url(model, "changelist"))
    assert response.status_code == 200
    assert all_rows == one_row, f"{model.__name__}: {one_row} queries for 1 row, {all_rows} for {model.objects.count()}"


@pytest.mark.parametrize("model", PORTAL_MODELS, ids=lambda m: m.__name__)
def test_change_page_queries_do_not_grow_with_inline_rows(secretariat_client, full_data, model):
    counts = {}
    for obj in model.objects.order_by("pk")[:15]:
        response, counts[obj.pk] = get_counted(secretariat_client, url(model, "change", obj.pk))
        assert response.status_code == 200
    # Objects differ by at most an optional relation or two (an empty foreign key costs no
    # lookup); a query per inline row would spread the counts by the number of rows.
    assert max(counts.values()) - min(counts.values()) <= 2, counts


def test_meeting_with_34_attendees_costs_what_an_empty_meeting_costs(secretariat_client, full_data):
    full = Meeting.objects.get(fiscal_year=2021, number=4)
    empty = Meeting.objects.get(fiscal_year=2021, number=3)
    assert full.attendances.count() == 34 and not empty.attendances.exists()
    response, with_rows = get_counted(secretariat_client, url(Meeting, "change", full.pk))
    _, without = get_counted(secretariat_client, url(Meeting, "change", empty.pk))
    assert with_rows <= without + 2
    assert "藤井 裕久" in response.text and "新田 八朗" in response.text


def test_saving_a_proxy_without_a_name_in_the_admin_shows_the_japanese_error(secretariat_client, full_data):
    attendance = Attendance.objects.get(meeting__number=4, meeting__fiscal_year=2021, protocol_order=1)
    form = {
        "meeting": attendance.meeting_id,
        "group": "municipal",
        "organization": attendance.organization_id,
        "title": "富山市長",
        "name": "藤井 裕久",
        "protocol_order": 1,
        "status": "proxy",
        "proxy_title": "副市長",
        "proxy_name": "",
    }
    path = url(Attendance, "change", attendance.pk)
    response = secretariat_client.post(path, form | version_token(secretariat_client, path))
    assert response.status_code == 200
    assert "代理出席の場合は代理者の氏名を入力してください。" in response.text
    attendance.refresh_from_db()
    assert attendance.status == "present"


def test_adding_a_meeting_that_ends_before_it_starts_is_refused(secretariat_client, full_data):
    before = Meeting.objects.count()
    form = {
        "fiscal_year": 2021,
        "kind": "regular",
        "number": 9,
        "status": "held",
        "mode": "in_person",
        "date": "2022-02-01",
        "start_time": "16:00",
        "end_time": "15:00",
        **{
            f"{prefix}-{k}": v
            for prefix in ("agenda_items", "handouts", "attendances")
            for k, v in {"TOTAL_FORMS": 0, "INITIAL_FORMS": 0}.items()
        },
    }
    response = secretariat_client.post(url(Meeting, "add"), form)
    assert response.status_code == 200
    assert "終了時刻は開始時刻より後にしてください。" in response.text
    assert Meeting.objects.count() == before


def test_a_bad_local_government_code_is_refused_in_the_admin(secretariat_client, full_data):
    before = Organization.objects.count()
    response = secretariat_client.post(
        url(Organization, "add"), {"kind": "municipality", "name": "新町", "protocol_order": 30, "lg_code": "163430"}
    )
    assert response.status_code == 200
    assert "検査数字が正しくありません" in response.text
    assert Organization.objects.count() == before


def test_two_handouts_with_one_number_in_the_meeting_form_are_refused(secretariat_client, full_data):
    meeting = Meeting.objects.get(fiscal_year=2021, number=3)
    form = {
        "fiscal_year": 2021,
        "kind": "regular",
        "number": 3,
        "status": "held",
        "mode": "in_person",
        "date": dt.date(2021, 10, 29).isoformat(),
        "is_published": "on",
        "agenda_items-TOTAL_FORMS": 0,
        "agenda_items-INITIAL_FORMS": 0,
        "attendances-TOTAL_FORMS": 0,
        "attendances-INITIAL_FORMS": 0,
        "handouts-TOTAL_FORMS": 2,
        "handouts-INITIAL_FORMS": 0,
        "handouts-0-kind": "material",
        "handouts-0-number": 1,
        "handouts-0-title": "資料A",
        "handouts-0-public": "on",
        "handouts-1-kind": "material",
        "handouts-1-number": 1,
        "handouts-1-title": "資料B",
        "handouts-1-public": "on",
    }
    path = url(Meeting, "change", meeting.pk)
    response = secretariat_client.post(path, form | version_token(secretariat_client, path))
    assert response.status_code == 200
    assert "重複" in response.text or "既に使われています" in response.text
    assert not meeting.handouts.exists()


def test_meeting_page_links_its_handouts(secretariat_client, full_data):
    meeting = Meeting.objects.get(fiscal_year=2021, number=4)
    html = secretariat_client.get(url(Meeting, "change", meeting.pk)).text
    for name in ("agenda", "attendees", "seating", "packet"):
        assert f"/meetings/{meeting.pk}/{name}.pdf" in html


def test_place_seats_action_keeps_hand_placed_seats(secretariat_client, full_data):
    plan = SeatingPlan.objects.get(meeting__fiscal_year=2021, meeting__number=4)
    hand_placed = {s.attendance_id: (s.side, s.position) for s in plan.seats.all()}
    response = secretariat_client.post(
        url(SeatingPlan, "changelist"), {"action": "place_seats", "_selected_action": [plan.pk]}, follow=True
    )
    assert "1 件の配席を更新しました。" in response.text
    seats = {s.attendance_id: (s.side, s.position) for s in plan.seats.all()}
    assert len(seats) == 34
    assert all(seats[a] == where for a, where in hand_placed.items())
