"""Division staff in the admin: their items marked and filtered by default (「自課の項目」, with
「すべて」 one click away); in a WG session, only their items' WGs offered, labelled by item
and scope, and another division's WG refused saying why."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from onechoice import roles
from onechoice.models import Affiliation, Division, Organization
from onechoice.services import record_save
from projects.models import Project
from workgroups.models import WorkingGroup, WorkingGroupSession

DISASTER = "防災・危機管理体制の連携・強化"
DIGITAL = "自治体行政のデジタル化"
PROJECTS = reverse("admin:projects_project_changelist")
SESSION_ADD = reverse("admin:workgroups_workinggroupsession_add")


def staff_of(*division_names, role=roles.Role.DIVISION):
    user = get_user_model().objects.create_user(f"staff-{len(division_names)}-{role}", is_staff=True)
    user.groups.add(roles.ensure_role_groups()[role])
    affiliation = record_save(Affiliation(user=user, organization=Organization.objects.get(name="富山県")))
    affiliation.divisions.set(Division.objects.filter(name__in=division_names))
    return user


@pytest.fixture
def disaster_staff(client, toyama):
    """A member of 防災・危機管理課, whose one item is 防災・危機管理体制の連携・強化 (four WGs)."""
    client.force_login(staff_of("防災・危機管理課"))
    return client


def listed_titles(response) -> list[str]:
    return [str(project) for project in response.context["cl"].result_list]


def filter_choices(response, title) -> list[tuple[str, bool]]:
    """(label, selected) of each choice of the side bar's filter titled ``title``."""
    spec = next(s for s in response.context["cl"].filter_specs if str(s.title) == title)
    return [(str(c["display"]), c["selected"]) for c in spec.choices(response.context["cl"])]


# --- the item list -------------------------------------------------------------------------------


def test_division_staff_see_their_items_by_default(disaster_staff):
    response = disaster_staff.get(PROJECTS)
    assert response.status_code == 200
    assert listed_titles(response) == [DISASTER]
    assert filter_choices(response, "担当") == [("自課の項目", True), ("すべて", False)]
    assert "担当 で絞り込む" in response.text


def test_all_items_are_one_click_away_and_theirs_are_marked(disaster_staff):
    page = disaster_staff.get(PROJECTS)
    all_link = re.search(r'<a href="(\?[^"]*items=all[^"]*)"[^>]*>すべて</a>', page.text)
    assert all_link, "「すべて」 links to the whole list"
    response = disaster_staff.get(PROJECTS + all_link.group(1).replace("&amp;", "&"))
    assert set(listed_titles(response)) == set(Project.objects.values_list("title", flat=True))
    assert filter_choices(response, "担当") == [("自課の項目", False), ("すべて", True)]
    rows = re.findall(r"<tr>.*?</tr>", response.text, flags=re.S)
    marked = [row for row in rows if 'class="own-item"' in row]
    assert len(marked) == 1 and DISASTER in marked[0]
    assert "column-own_mark" in response.text.split("<tbody>")[0]  # the column 「自課」


def test_an_item_of_two_of_their_divisions_is_listed_once(client, toyama):
    client.force_login(staff_of("防災・危機管理課", "厚生企画課"))
    titles = listed_titles(client.get(PROJECTS))
    assert len(titles) == len(set(titles))
    assert set(titles) == set(
        Project.objects.filter(divisions__name__in=["防災・危機管理課", "厚生企画課"]).values_list("title", flat=True)
    )
    assert DISASTER in titles and DIGITAL in titles


def test_the_secretariat_is_offered_no_own_items_filter(secretariat_client, toyama):
    response = secretariat_client.get(PROJECTS)
    assert len(listed_titles(response)) == Project.objects.count()
    assert "自課の項目" not in response.text and 'class="own-item"' not in response.text


def test_the_list_costs_the_same_queries_for_one_item_as_for_all(disaster_staff):
    with CaptureQueriesContext(connection) as one:
        disaster_staff.get(PROJECTS)
    with CaptureQueriesContext(connection) as every:
        disaster_staff.get(PROJECTS + "?items=all")
    assert len(every) == len(one)


# --- the WG of a session ---------------------------------------------------------------------------


def test_session_form_offers_only_their_items_wgs_labelled_by_item_and_scope(disaster_staff):
    form = disaster_staff.get(SESSION_ADD).context["adminform"].form
    choices = [(str(label)) for value, label in form.fields["working_group"].choices if value]
    assert choices == [
        f"{DISASTER} — ①避難所などの広域的な利用による効率的な避難所の運営",
        f"{DISASTER} — ②被災地支援をワンチームで取り組める体制の整備",
        f"{DISASTER} — ③災害廃棄物処理の円滑な広域的処理",
        f"{DISASTER} — ④効果的な除排雪を行う体制の整備",
    ]


def test_a_scope_of_several_lines_is_labelled_by_its_first(secretariat_client, toyama):
    form = secretariat_client.get(SESSION_ADD).context["adminform"].form
    labels = [str(label) for value, label in form.fields["working_group"].choices if value]
    assert len(labels) == WorkingGroup.objects.count()
    assert f"{DIGITAL} — AI・RPA等の共同導入による経費削減等…" in labels


def session_form(group):
    return {"working_group": group.pk, "date": "2022-03-01", "status": "held", "kind": "wg", "name": "", "note": ""}


def test_another_divisions_wg_is_refused_saying_why(disaster_staff):
    others = WorkingGroup.objects.filter(project__title=DIGITAL).first()
    before = WorkingGroupSession.objects.count()
    refused = disaster_staff.post(SESSION_ADD, session_form(others))
    assert refused.status_code == 200
    errors = refused.context["adminform"].form.errors["working_group"]
    assert errors == ["この WG は自課の連携推進項目のものではないため選べません。"]
    assert "正しく選択してください" not in refused.text
    assert WorkingGroupSession.objects.count() == before


def test_a_wg_that_does_not_exist_gets_the_generic_error(disaster_staff):
    refused = disaster_staff.post(SESSION_ADD, session_form(WorkingGroup(pk=999999)))
    assert refused.status_code == 200
    assert "自課の連携推進項目" not in str(refused.context["adminform"].form.errors["working_group"])


def test_their_own_wg_is_accepted(disaster_staff):
    own = WorkingGroup.objects.filter(project__title=DISASTER).order_by("order").first()
    before = WorkingGroupSession.objects.count()
    accepted = disaster_staff.post(SESSION_ADD, session_form(own))
    assert accepted.status_code == 302
    assert WorkingGroupSession.objects.count() == before + 1
    assert WorkingGroupSession.objects.filter(working_group=own, date="2022-03-01").exists()
