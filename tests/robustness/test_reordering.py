"""Reordering that works (issue 12): in every admin inline whose rows carry a number held
unique — the agenda's 順序, handouts' 番号 (per 種別), attendees' 席次, seats' 並び順 (per side),
measures' 順序 — any permutation of the numbers saves in one post (swap two, rotate three),
and a real duplicate is refused with a Japanese message on the field, changing nothing; never
a 500 (onechoice.services.records_save_reordered, ServiceAdmin.save_formset).

Everything goes through the real admin change views, as the superuser and as a secretariat
user, posting back what the page rendered (version tokens included)."""

from dataclasses import dataclass

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from meetings.models import AgendaItem, Attendance, Handout, Meeting, Seat, SeatingPlan
from onechoice import services
from onechoice.services import record_save
from projects.models import Measure
from tests import factories
from tests.robustness.test_lost_updates import open_page


@pytest.fixture(params=["superuser", "secretariat"])
def user(request):
    """A client logged in as the superuser, or as a secretariat user."""
    return request.getfixturevalue("admin_client" if request.param == "superuser" else "secretariat_client")


@pytest.fixture
def meeting(db):
    meeting = factories.meeting(venue="県庁大会議室")
    agenda = [("opening", "開会"), ("greeting", "知事あいさつ"), ("closing", "閉会")]
    for order, (section, title) in enumerate(agenda, 1):
        record_save(AgendaItem(meeting=meeting, order=order, section=section, title=title))
    for kind, number, title in [
        ("material", 1, "連携推進項目の進捗"),
        ("material", 2, "新規項目の提案"),
        ("material", 3, "今後の予定"),
        ("reference", 1, "参考データ"),
        ("reference", 2, "関係法令"),
    ]:
        record_save(Handout(meeting=meeting, kind=kind, number=number, title=title))
    city = factories.municipality()
    mayors = [("富山市長", "藤井 裕久"), ("高岡市長", "角田 悠紀"), ("魚津市長", "村椿 晃")]
    for order, (title, name) in enumerate(mayors, 1):
        factories.attendance(meeting, city, title=title, name=name, protocol_order=order)
    plan = record_save(SeatingPlan(meeting=meeting))
    attendances = list(meeting.attendances.order_by("protocol_order"))
    for position, attendance in enumerate(attendances, 1):
        record_save(Seat(plan=plan, attendance=attendance, side="left", position=position))
    return meeting


@pytest.fixture
def project(db):
    project = factories.project(factories.organization(), factories.department())
    for order, title in enumerate(["子ども医療費の助成", "予防接種の広域化", "健診の共同実施"], 1):
        record_save(Measure(project=project, order=order, title=title))
    return project


@dataclass(frozen=True)
class Inline:
    """An inline with numbered rows: its parent's change page, its prefix, its number field,
    the rows one group of it shows (handouts of one 種別, seats of one side)."""

    name: str
    model: type
    prefix: str
    field: str
    label: str  # the number's verbose name, as the messages say it

    def page(self, meeting, project) -> str:
        parent = project if self.model is Measure else meeting.seating_plan if self.model is Seat else meeting
        return reverse(f"admin:{parent._meta.app_label}_{parent._meta.model_name}_change", args=[parent.pk])

    def rows(self, meeting, project) -> list:
        if self.model is Measure:
            return list(project.measures.order_by("order"))
        if self.model is Handout:
            return list(meeting.handouts.filter(kind="material").order_by("number"))
        if self.model is Seat:
            return list(Seat.objects.filter(plan__meeting=meeting).order_by("position"))
        return list(self.model.objects.filter(meeting=meeting).order_by(self.field))


INLINES = [
    Inline("agenda", AgendaItem, "agenda_items", "order", "順序"),
    Inline("handouts", Handout, "handouts", "number", "番号"),
    Inline("attendees", Attendance, "attendances", "protocol_order", "席次"),
    Inline("seats", Seat, "seats", "position", "並び順"),
    Inline("measures", Measure, "measures", "order", "順序"),
]


def prefix_of(data: dict, inline: Inline, obj) -> str:
    """The form prefix (``agenda_items-0``) of ``obj``'s row in the posted data."""
    for key, value in data.items():
        if key.startswith(f"{inline.prefix}-") and key.endswith("-id") and str(value) == str(obj.pk):
            return key.removesuffix("-id")
    raise AssertionError(f"no row for {obj}")


def numbers(inline: Inline, rows) -> list:
    """The stored numbers of ``rows``, in the given order."""
    stored = dict(inline.model.objects.filter(pk__in=[r.pk for r in rows]).values_list("pk", inline.field))
    return [stored[r.pk] for r in rows]


def snapshot(inline: Inline, rows):
    """The rows as stored, with the length of their change history."""
    values = list(inline.model.objects.filter(pk__in=[r.pk for r in rows]).order_by("pk").values())
    return values, [inline.model.history.filter(id=r.pk).count() for r in rows]


def post_numbers(client, inline: Inline, meeting, project, new_numbers: dict):
    """Open the page, set the number of each row in ``new_numbers`` (obj → number), post it back."""
    url = inline.page(meeting, project)
    data = open_page(client, url)
    for obj, number in new_numbers.items():
        data[f"{prefix_of(data, inline, obj)}-{inline.field}"] = number
    return client.post(url, data), data


def row_errors(response, inline: Inline, obj) -> dict:
    for admin_formset in response.context["inline_admin_formsets"]:
        if admin_formset.formset.prefix == inline.prefix:
            for form in admin_formset.formset.forms:
                if form.instance.pk == obj.pk:
                    return form.errors
    raise AssertionError(f"no form for {obj}")


# -- any permutation saves --------------------------------------------------------------------


@pytest.mark.parametrize("inline", INLINES, ids=lambda i: i.name)
def test_swapping_two_numbers_saves(user, meeting, project, inline):
    first, second, third = inline.rows(meeting, project)
    history_before = snapshot(inline, [first, second, third])[1]

    response, _data = post_numbers(user, inline, meeting, project, {first: 2, second: 1})

    assert response.status_code == 302, row_errors(response, inline, first)
    assert numbers(inline, [first, second, third]) == [2, 1, 3]
    # Each row moved once, through its service: one history entry each, with its final number.
    history_after = snapshot(inline, [first, second, third])[1]
    assert [a - b for a, b in zip(history_after, history_before, strict=True)] == [1, 1, 0]
    for obj, number in [(first, 2), (second, 1)]:
        assert getattr(inline.model.history.filter(id=obj.pk).latest("history_date"), inline.field) == number


@pytest.mark.parametrize("inline", INLINES, ids=lambda i: i.name)
def test_rotating_three_numbers_saves(user, meeting, project, inline):
    first, second, third = inline.rows(meeting, project)

    response, _data = post_numbers(user, inline, meeting, project, {first: 2, second: 3, third: 1})

    assert response.status_code == 302
    assert numbers(inline, [first, second, third]) == [2, 3, 1]


@pytest.mark.parametrize("inline", INLINES, ids=lambda i: i.name)
def test_a_real_duplicate_is_refused_on_the_field_and_changes_nothing(user, meeting, project, inline):
    first, second, third = inline.rows(meeting, project)
    before = snapshot(inline, [first, second, third])

    # 1 → 2 and 3 → 1: the second row keeps 2, so two rows would hold it.
    response, _data = post_numbers(user, inline, meeting, project, {first: 2, third: 1})

    assert response.status_code == 200
    scope = {"handouts": "種別の同じ", "seats": "位置の同じ"}.get(inline.name, "")
    within = {"handouts": "種別ごと", "seats": "位置ごと"}.get(inline.name, "行ごと")
    message = f"{inline.label}「2」が{scope}ほかの行と重複しています。{within}に違う{inline.label}にしてください。"
    assert row_errors(response, inline, first) == {inline.field: [message]}
    assert row_errors(response, inline, second) == {inline.field: [message]}  # both rows are marked
    assert row_errors(response, inline, third) == {}
    assert message in response.text
    assert "重複した" not in response.text  # not Django's own messages (「下記の重複した値を…」) above the rows
    assert snapshot(inline, [first, second, third]) == before


# -- the rest of a post goes with it ----------------------------------------------------------

AGENDA = INLINES[0]
HANDOUTS = INLINES[1]


def test_a_row_deleted_and_one_added_trade_numbers_in_the_same_post(user, meeting, project):
    opening, greeting, closing = AGENDA.rows(meeting, project)
    url = AGENDA.page(meeting, project)
    data = open_page(user, url)
    data[f"{prefix_of(data, AGENDA, opening)}-DELETE"] = "on"
    data[f"{prefix_of(data, AGENDA, greeting)}-order"] = 3  # the new row takes its number
    data[f"{prefix_of(data, AGENDA, closing)}-order"] = 1  # it takes the deleted row's number
    data |= {"agenda_items-TOTAL_FORMS": 4, "agenda_items-3-order": 2, "agenda_items-3-section": "report"}
    data |= {"agenda_items-3-title": "報告事項", "agenda_items-3-meeting": meeting.pk}

    response = user.post(url, data)

    assert response.status_code == 302
    stored = list(AgendaItem.objects.filter(meeting=meeting).order_by("order").values_list("title", flat=True))
    assert stored == ["閉会", "報告事項", "知事あいさつ"]


def test_handouts_are_numbered_per_kind(user, meeting, project):
    materials = list(meeting.handouts.filter(kind="material").order_by("number"))
    references = list(meeting.handouts.filter(kind="reference").order_by("number"))
    url = HANDOUTS.page(meeting, project)
    data = open_page(user, url)
    # 資料3 becomes 参考資料1, 参考資料1 becomes 参考資料3, 参考資料2 stays: the number 1 is
    # held twice across the kinds, which is no clash.
    data[f"{prefix_of(data, HANDOUTS, materials[2])}-kind"] = "reference"
    data[f"{prefix_of(data, HANDOUTS, materials[2])}-number"] = 1
    data[f"{prefix_of(data, HANDOUTS, references[0])}-number"] = 3

    response = user.post(url, data)

    assert response.status_code == 302
    labels = [h.label for h in meeting.handouts.order_by("kind", "number")]
    assert labels == ["資料1", "資料2", "参考資料1", "参考資料2", "参考資料3"]
    assert Handout.objects.get(pk=materials[2].pk).label == "参考資料1"


def test_a_seat_moves_to_the_other_side_onto_a_number_taken_there(user, meeting, project):
    plan = meeting.seating_plan
    left = list(plan.seats.order_by("position"))
    url = reverse("admin:meetings_seatingplan_change", args=[plan.pk])
    data = open_page(user, url)
    # The first seat goes to the right side, position 1; the others move up on the left.
    seats = INLINES[3]
    data[f"{prefix_of(data, seats, left[0])}-side"] = "right"
    data[f"{prefix_of(data, seats, left[1])}-position"] = 1
    data[f"{prefix_of(data, seats, left[2])}-position"] = 2

    response = user.post(url, data)

    assert response.status_code == 302
    stored = {s.pk: (s.side, s.position) for s in plan.seats.all()}
    assert stored == {left[0].pk: ("right", 1), left[1].pk: ("left", 1), left[2].pk: ("left", 2)}


def test_a_number_somebody_else_took_meanwhile_is_refused_by_name(user, meeting, project):
    opening, greeting, closing = AGENDA.rows(meeting, project)
    url = AGENDA.page(meeting, project)
    data = open_page(user, url)
    record_save(AgendaItem(meeting=meeting, order=4, section="other", title="その他"))  # another user, meanwhile
    before = snapshot(AGENDA, [opening, greeting, closing])
    data[f"{prefix_of(data, AGENDA, closing)}-order"] = 4

    response = user.post(url, data)

    assert response.status_code == 200
    assert row_errors(response, AGENDA, closing) == {"order": ["順序「4」は既に「その他」に使われています。"]}
    assert snapshot(AGENDA, [opening, greeting, closing]) == before


def test_a_new_meetings_rows_are_checked_among_themselves(user, db):
    url = reverse("admin:meetings_meeting_add")
    page = user.get(url)
    data = {"fiscal_year": 2022, "kind": "regular", "number": 1, "status": "planned", "planned_year": 2022}
    data |= {"planned_month": 5, "title": "", "mode": "in_person", "venue": ""}
    for admin_formset in page.context["inline_admin_formsets"]:
        management = admin_formset.formset.management_form
        data |= {management[name].html_name: management[name].value() for name in management.fields}
    data |= {"agenda_items-TOTAL_FORMS": 2}
    for index, title in enumerate(["開会", "閉会"]):
        data |= {f"agenda_items-{index}-order": 1, f"agenda_items-{index}-section": "opening"}
        data |= {f"agenda_items-{index}-title": title}

    response = user.post(url, data)

    assert response.status_code == 200
    forms = next(f.formset for f in response.context["inline_admin_formsets"] if f.formset.prefix == "agenda_items")
    message = "順序「1」がほかの行と重複しています。行ごとに違う順序にしてください。"
    assert [form.errors.get("order") for form in forms.forms] == [[message], [message]]
    assert not Meeting.objects.filter(fiscal_year=2022).exists()


def test_two_new_sessions_on_one_day_are_refused_in_the_constraints_words(user, project):
    # Not a number: WG sessions are unique per (WG, 開催日, 種別) when dated (a conditional
    # constraint, which Django's formset check leaves to the save). Both rows are told why.
    wg = factories.working_group(project, factories.department())
    url = reverse("admin:workgroups_workinggroup_change", args=[wg.pk])
    data = open_page(user, url) | {"sessions-TOTAL_FORMS": 2}
    for index in range(2):
        data |= {f"sessions-{index}-date": "2021-05-01", f"sessions-{index}-status": "held"}
        data |= {f"sessions-{index}-kind": "wg", f"sessions-{index}-working_group": wg.pk}

    response = user.post(url, data)

    assert response.status_code == 200
    forms = next(f.formset for f in response.context["inline_admin_formsets"] if f.formset.prefix == "sessions")
    message = "このWGには同じ開催日・種別の開催が既に登録されています。"
    assert [form.non_field_errors() for form in forms.forms] == [[message], [message]]
    assert not wg.sessions.exists()


# -- a save a service refuses is shown on the form, never a 500 -------------------------------


def test_a_row_refused_by_its_service_at_save_time_is_shown_on_the_row(user, meeting, project, monkeypatch):
    opening, greeting, closing = AGENDA.rows(meeting, project)
    before = snapshot(AGENDA, [opening, greeting, closing]), Meeting.objects.get(pk=meeting.pk).venue

    def refuse(instance, m2m):
        raise ValidationError({"title": "この件名では保存できません（テスト）。"})

    monkeypatch.setitem(services._savers, AgendaItem, refuse)
    url = AGENDA.page(meeting, project)
    data = open_page(user, url) | {"venue": "県民会館"}
    data[f"{prefix_of(data, AGENDA, opening)}-order"] = 3
    data[f"{prefix_of(data, AGENDA, closing)}-order"] = 1

    response = user.post(url, data)

    assert response.status_code == 200
    assert row_errors(response, AGENDA, opening) == {"title": ["この件名では保存できません（テスト）。"]}
    assert response.context["adminform"].form["venue"].value() == "県民会館"  # the user's input stays
    # The meeting was saved before the rows: rolled back with them.
    assert (snapshot(AGENDA, [opening, greeting, closing]), Meeting.objects.get(pk=meeting.pk).venue) == before


def test_a_record_refused_by_its_service_at_save_time_is_shown_on_the_form(user, meeting, project, monkeypatch):
    def refuse(instance, m2m):
        raise ValidationError("この会議は保存できません（テスト）。")

    monkeypatch.setitem(services._savers, Meeting, refuse)
    url = AGENDA.page(meeting, project)
    response = user.post(url, open_page(user, url) | {"venue": "県民会館"})

    assert response.status_code == 200
    assert response.context["adminform"].form.non_field_errors() == ["この会議は保存できません（テスト）。"]
    assert Meeting.objects.get(pk=meeting.pk).venue == "県庁大会議室"


# -- the page offers the controls -------------------------------------------------------------


@pytest.mark.parametrize("inline", INLINES, ids=lambda i: i.name)
def test_the_number_inputs_stay_and_carry_the_ordering_script(user, meeting, project, inline):
    response = user.get(inline.page(meeting, project))

    assert response.status_code == 200
    group = {"handouts": "kind", "seats": "side"}.get(inline.name, "")
    data = open_page(user, inline.page(meeting, project))
    for obj in inline.rows(meeting, project):
        assert f'name="{prefix_of(data, inline, obj)}-{inline.field}"' in response.text
    assert f'data-ordering="{group}"' in response.text
    assert 'type="number"' in response.text  # typed by hand without JavaScript
    assert "/static/admin/js/ordering.js" in response.text


# -- the service, for any permutation ---------------------------------------------------------


def test_the_service_refuses_a_duplicate_and_writes_nothing(meeting):
    opening, greeting, closing = meeting.agenda_items.order_by("order")
    opening.order, closing.order = 2, 1  # greeting keeps 2

    with pytest.raises(services.RecordsInvalid) as refused:
        services.records_save_reordered([opening, closing])

    assert refused.value.problems[0][0] is opening
    assert refused.value.messages == ["次第の項目「開会」: 順序「2」は既に「知事あいさつ」に使われています。"]
    stored = list(meeting.agenda_items.order_by("order").values_list("title", flat=True))
    assert stored == ["開会", "知事あいさつ", "閉会"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(st.integers(min_value=1, max_value=40), min_size=2, max_size=9, unique=True).flatmap(
        lambda orders: st.tuples(st.just(orders), st.permutations(orders))
    )
)
def test_any_permutation_of_agenda_orders_saves_through_the_service(db, orders_and_permutation):
    orders, permuted = orders_and_permutation
    with transaction.atomic():
        meeting = factories.meeting()
        items = [
            record_save(AgendaItem(meeting=meeting, order=order, section="other", title=f"項目{order}"))
            for order in orders
        ]
        for item, order in zip(items, permuted, strict=True):
            item.order = order
        changed = [item for item, old in zip(items, orders, strict=True) if item.order != old]

        services.records_save_reordered(changed)

        stored = dict(AgendaItem.objects.filter(meeting=meeting).values_list("title", "order"))
        assert stored == {f"項目{old}": new for old, new in zip(orders, permuted, strict=True)}
        for item in changed:  # history holds the final number, never a parked one
            assert [h.order for h in item.history.order_by("history_date")] == [orders[items.index(item)], item.order]
        transaction.set_rollback(True)
