"""The plan's 「ありたい姿と取組みの方向性をまとめて編集」 admin screen (projects/plan_admin.py):
every desired state of the real DX plan with its directions in one form; one post reorders,
adds and deletes across states, or saves nothing and says which row is wrong; a row somebody
changed meanwhile is refused by name; who may not change the plan changes nothing."""

import html
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects.models import DesiredState, Direction, Plan
from projects.services import direction_save
from tests.onechoice.test_permissions import client_for, world  # noqa: F401  (fixture)
from tests.projects.test_plan_bundle import html_text, in_order, seed_states

DIGITAL = "自治体行政のデジタル化"


@pytest.fixture
def plan(toyama) -> Plan:
    return Plan.objects.get(project__title=DIGITAL)


def url_of(plan) -> str:
    return reverse("admin:projects_plan_directions", args=[plan.pk])


def rows() -> list[tuple]:
    """Every direction as stored (state, order, text), to see that nothing changed."""
    return list(Direction.objects.order_by("pk").values_list("pk", "desired_state_id", "order", "text"))


def directions_of(state: DesiredState) -> list[tuple[int, str]]:
    return list(state.directions.order_by("order").values_list("order", "text"))


def form_data(response) -> dict:
    """What the page posts back unchanged: every formset's management form and rows, with the
    version tokens the page holds (as a browser sends them; unticked 削除 is not sent)."""
    data = {}
    for formset in response.context["formsets"]:
        for name in formset.management_form.fields:
            data[formset.management_form.add_prefix(name)] = formset.management_form[name].value()
        for form in formset.forms:
            for name in form.fields:
                value = form[name].value()
                if name == "DELETE":
                    continue
                data[form.add_prefix(name)] = "" if value is None else getattr(value, "pk", value)
    return data


def shown_values(page: str) -> str:
    """The page with each direction's text input replaced by the text it holds."""
    return re.sub(r'<input\b[^>]*name="[^"]*-text"[^>]*\bvalue="([^"]*)"[^>]*>', lambda m: html.unescape(m[1]), page)


def prefix_of(response, state) -> str:
    return next(f.prefix for f in response.context["formsets"] if f.instance.pk == state.pk)


def state_with(plan, at_least: int) -> DesiredState:
    return next(s for s in plan.desired_states.order_by("area_number", "order") if s.directions.count() >= at_least)


def test_the_plan_change_page_links_to_the_screen(secretariat_client, plan):
    page = secretariat_client.get(reverse("admin:projects_plan_change", args=[plan.pk]))
    assert page.status_code == 200
    assert f'href="{url_of(plan)}"' in page.text
    assert "ありたい姿と取組みの方向性をまとめて編集" in page.text


def test_every_desired_state_of_the_dx_plan_with_its_directions_in_order(secretariat_client, plan):
    response = secretariat_client.get(url_of(plan))
    assert response.status_code == 200
    formsets = response.context["formsets"]
    assert len(formsets) == 17
    states = list(plan.desired_states.order_by("area_number", "order"))
    assert [f.instance.pk for f in formsets] == [s.pk for s in states]
    for formset, state in zip(formsets, states, strict=True):
        shown = [(form["order"].value(), form["text"].value()) for form in formset.forms if form.instance.pk]
        assert shown == directions_of(state)
        extra = [form for form in formset.forms if not form.instance.pk]
        last = max((order for order, _text in shown), default=0)
        assert [form["order"].value() for form in extra] == [last + 1, last + 2]  # numbered for no-JS adding
    # The seed's texts, in the seed's order, grouped under the five areas.
    page = html_text(shown_values(response.text).encode())
    needles = [needle for text, directions in seed_states() for needle in (text, *directions)]
    assert in_order(page, needles)
    assert page.count("取組みの方向性") >= 17
    areas = [a["name"] for a in response.context["areas"]]
    assert len(areas) == len(set(areas)) == len({s.area_number for s in states})
    assert "admin/js/ordering.js" in response.text
    assert response.text.count('data-ordering=""') == Direction.objects.filter(desired_state__plan=plan).count()


def test_the_page_costs_the_same_queries_however_many_states(secretariat_client, plan):
    with CaptureQueriesContext(connection) as full:
        assert secretariat_client.get(url_of(plan)).status_code == 200
    DesiredState.objects.filter(plan=plan).exclude(pk=plan.desired_states.order_by("pk").first().pk).delete()
    with CaptureQueriesContext(connection) as one:
        assert secretariat_client.get(url_of(plan)).status_code == 200
    assert len(full) == len(one)


def test_reordering_two_directions_and_adding_one_saves(secretariat_client, plan):
    state = state_with(plan, 2)
    other = next(s for s in plan.desired_states.exclude(pk=state.pk).order_by("-area_number") if s.directions.exists())
    (first, first_text), (second, second_text), *rest = directions_of(state)
    response = secretariat_client.get(url_of(plan))
    data = form_data(response)
    prefix = prefix_of(response, state)
    data[f"{prefix}-0-order"], data[f"{prefix}-1-order"] = second, first  # swap (unique per state)
    count = int(data[f"{prefix}-INITIAL_FORMS"])
    data[f"{prefix}-{count}-text"] = "新しい取組みの方向性（テスト）"
    new_order = max(order for order, _text in directions_of(state)) + 1
    assert data[f"{prefix}-{count}-order"] == new_order  # the number the empty row offers
    other_prefix = prefix_of(response, other)  # and one row of another state deleted, in the same post
    data[f"{other_prefix}-0-DELETE"] = "on"
    kept = directions_of(other)[1:]
    others_before = [r for r in rows() if r[1] not in (state.pk, other.pk)]
    posted = secretariat_client.post(url_of(plan), data)
    assert posted.status_code == 302, posted.context and [f.errors for f in posted.context["formsets"]]
    assert posted["Location"] == url_of(plan)
    assert directions_of(state) == [
        (first, second_text),
        (second, first_text),
        *rest,
        (new_order, "新しい取組みの方向性（テスト）"),
    ]
    assert directions_of(other) == kept
    assert [r for r in rows() if r[1] not in (state.pk, other.pk)] == others_before
    page = secretariat_client.get(url_of(plan))
    assert "取組みの方向性を保存しました（追加 1 件、変更 2 件、削除 1 件）。" in page.text
    moved = Direction.objects.get(desired_state=state, text=first_text)
    assert moved.history.first().history_type == "~"  # through the services, with its history


def test_a_row_with_an_empty_or_too_long_text_saves_nothing_and_says_which(secretariat_client, plan):
    state = state_with(plan, 2)
    before = rows()
    response = secretariat_client.get(url_of(plan))
    data = form_data(response)
    prefix = prefix_of(response, state)
    first, second = directions_of(state)[:2]
    data[f"{prefix}-0-order"], data[f"{prefix}-1-order"] = second[0], first[0]  # a good change …
    last = response.context["formsets"][-1]
    data[f"{last.prefix}-0-text"] = ""  # … and a bad one in another state
    data[f"{last.prefix}-1-text"] = "あ" * 301
    posted = secretariat_client.post(url_of(plan), data)
    assert posted.status_code == 200
    assert rows() == before
    formsets = {f.prefix: f for f in posted.context["formsets"]}
    assert formsets[last.prefix].forms[0].errors["text"] == ["このフィールドは必須です。"]
    assert "300 文字以下" in formsets[last.prefix].forms[1].errors["text"][0]
    assert not formsets[prefix].forms[0].errors
    assert "下のエラーを修正してください。何も保存していません。" in posted.text
    error_row = posted.text.split(f'name="{last.prefix}-0-id"')[0].rsplit('<tr class="row-form-errors">', 1)[1]
    assert "取組みの方向性: このフィールドは必須です。" in error_row  # shown on the row it is about


def test_a_new_row_without_a_number_is_refused_in_japanese(secretariat_client, plan):
    state = state_with(plan, 1)
    before = rows()
    response = secretariat_client.get(url_of(plan))
    data = form_data(response)
    prefix = prefix_of(response, state)
    count = int(data[f"{prefix}-INITIAL_FORMS"])
    data[f"{prefix}-{count}-text"] = "番号のない行"
    data[f"{prefix}-{count}-order"] = ""
    data[f"{prefix}-0-order"] = directions_of(state)[0][0]
    posted = secretariat_client.post(url_of(plan), data)
    assert posted.status_code == 200
    assert rows() == before
    form = next(f for f in posted.context["formsets"] if f.prefix == prefix).forms[count]
    assert form.errors["order"] == ["このフィールドは必須です。"]


def test_two_rows_with_the_same_number_are_refused_on_their_rows(secretariat_client, plan):
    state = state_with(plan, 2)
    before = rows()
    response = secretariat_client.get(url_of(plan))
    data = form_data(response)
    prefix = prefix_of(response, state)
    data[f"{prefix}-1-order"] = data[f"{prefix}-0-order"]
    posted = secretariat_client.post(url_of(plan), data)
    assert posted.status_code == 200
    assert rows() == before
    formset = next(f for f in posted.context["formsets"] if f.prefix == prefix)
    assert "重複" in formset.forms[1].errors["order"][0]


def test_a_row_somebody_changed_meanwhile_is_refused_naming_it(secretariat_client, plan):
    state = state_with(plan, 2)
    response = secretariat_client.get(url_of(plan))
    data = form_data(response)
    prefix = prefix_of(response, state)
    theirs = Direction.objects.get(desired_state=state, order=directions_of(state)[0][0])
    theirs.text = "ほかの人が直した方向性"
    direction_save(direction=theirs)
    before = rows()
    data[f"{prefix}-0-text"] = "私の直した方向性"
    posted = secretariat_client.post(url_of(plan), data)
    assert posted.status_code == 200
    assert rows() == before
    errors = next(f for f in posted.context["formsets"] if f.prefix == prefix).forms[0].non_field_errors()
    assert "この画面を開いた後に、ほかの人が取組みの方向性「" in errors[0]
    assert "を変更しました" in errors[0]
    assert "私の直した方向性" not in [t for _o, t in directions_of(state)]


def test_deleting_a_row_somebody_changed_meanwhile_is_refused(secretariat_client, plan):
    state = state_with(plan, 2)
    response = secretariat_client.get(url_of(plan))
    data = form_data(response)
    prefix = prefix_of(response, state)
    theirs = Direction.objects.get(desired_state=state, order=directions_of(state)[0][0])
    theirs.text = "ほかの人が直した方向性"
    direction_save(direction=theirs)
    before = rows()
    data[f"{prefix}-0-DELETE"] = "on"
    posted = secretariat_client.post(url_of(plan), data)
    assert posted.status_code == 200
    assert rows() == before
    formset = next(f for f in posted.context["formsets"] if f.prefix == prefix)
    assert "ほかの人が取組みの方向性「" in formset.non_form_errors()[0]


def test_a_missing_plan_is_404(secretariat_client, plan):
    assert secretariat_client.get(reverse("admin:projects_plan_directions", args=[999999])).status_code == 404
    assert secretariat_client.get(reverse("admin:projects_plan_directions", args=["x"])).status_code == 404


@pytest.mark.parametrize("role", ["division", "municipal", "public"])
def test_who_may_not_change_the_plan_changes_nothing(client, world, role):  # noqa: F811
    plan = Plan.objects.get(pk=world["plans"]["published"])
    secretariat = client_for(client, world, "secretariat")
    data = form_data(secretariat.get(url_of(plan)))
    state = plan.desired_states.order_by("area_number", "order").first()
    data[f"directions-{state.pk}-0-text"] = "書き換え"
    secretariat.logout()
    client = client_for(client, world, role)
    before = rows()
    for which in ("published", "unpublished"):
        url = reverse("admin:projects_plan_directions", args=[world["plans"][which]])
        looked, posted = client.get(url), client.post(url, data)
        if role == "division":  # staff who may view plans, not change this one
            assert looked.status_code in (403, 404), (which, looked.status_code)
            assert posted.status_code in (403, 404), (which, posted.status_code)
        else:  # not let into the admin: its login page
            assert looked.status_code == posted.status_code == 302, (role, which)
            assert posted["Location"].startswith(reverse("admin:login"))
    assert rows() == before
