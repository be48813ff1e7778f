"""What scripts/mutation found the permission tests did not pin down: which divisions a user
belongs to (as primary keys, none without an affiliation), and that editing follows the role —
division staff only, and only on models they may change — not the divisions an affiliation
happens to list."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser

from meetings.models import Meeting
from onechoice import roles
from onechoice.models import Affiliation, Division
from onechoice.permissions import choosable_by, editable_by, may_edit, own_division_ids
from onechoice.services import record_save
from projects.models import Project
from tests import factories
from workgroups.models import WorkingGroup

pytestmark = pytest.mark.django_db


def user(name, role, *, divisions=None, organization=None):
    account = get_user_model().objects.create_user(name)
    if role is not None:
        account.groups.add(roles.ensure_role_groups()[role])
    if divisions is not None:
        affiliation = record_save(Affiliation(user=account, organization=organization))
        affiliation.divisions.set(divisions)
    return get_user_model().objects.get(pk=account.pk)  # no cached relations


@pytest.fixture
def world():
    department = factories.department()
    own = record_save(Division(department=department, name="自然保護課"))
    other = record_save(Division(department=department, name="農村振興課"))
    city = factories.municipality()
    projects = {}
    for name, division in (("own", own), ("other", other)):
        project = factories.project(city, department)
        project.divisions.set([division])
        projects[name] = project
    groups = {name: factories.working_group(project, department) for name, project in projects.items()}
    prefecture = factories.organization()
    return {
        "own": own,
        "other": other,
        "projects": projects,
        "groups": groups,
        "division": user("division", roles.Role.DIVISION, divisions=[own], organization=prefecture),
        # an officer whose affiliation lists a division (a data entry slip): still edits nothing
        "municipal": user("municipal", roles.Role.MUNICIPAL, divisions=[own], organization=city),
        "unaffiliated": user("unaffiliated", roles.Role.DIVISION),
    }


def test_own_division_ids_are_the_primary_keys_of_the_affiliations_divisions(world):
    assert own_division_ids(world["division"]) == [world["own"].pk]


def test_without_an_affiliation_a_user_has_no_divisions(world):
    assert own_division_ids(world["unaffiliated"]) == []
    assert own_division_ids(AnonymousUser()) == []
    assert not editable_by(world["unaffiliated"], Project.objects.all()).exists()
    assert not choosable_by(world["unaffiliated"], Project.objects.all()).exists()


def test_division_staff_edit_their_own_items_only(world):
    staff, projects = world["division"], world["projects"]
    assert list(editable_by(staff, Project.objects.all())) == [projects["own"]]
    assert may_edit(staff, projects["own"]) and not may_edit(staff, projects["other"])


def test_division_staff_choose_their_own_working_groups_but_change_none(world):
    # WorkingGroup's division scope has change=False: chosen in forms, never changed
    staff, groups = world["division"], world["groups"]
    assert list(choosable_by(staff, WorkingGroup.objects.all())) == [groups["own"]]
    assert not editable_by(staff, WorkingGroup.objects.all()).exists()
    assert not may_edit(staff, groups["own"])


def test_a_model_without_a_division_scope_is_edited_by_the_secretariat_only(world):
    meeting = factories.meeting()
    assert list(choosable_by(world["division"], Meeting.objects.all())) == [meeting]
    assert not editable_by(world["division"], Meeting.objects.all()).exists()
    assert may_edit(user("secretariat", roles.Role.SECRETARIAT), meeting)


@pytest.mark.parametrize("who", ["municipal", "public"])
def test_only_division_staff_edit_by_division(world, who):
    account = AnonymousUser() if who == "public" else world[who]
    assert not editable_by(account, Project.objects.all()).exists()
    assert not editable_by(account, WorkingGroup.objects.all()).exists()
    assert not may_edit(account, world["projects"]["own"])
    # choices are narrowed for division staff only: everyone else sees every item
    assert set(choosable_by(account, Project.objects.all())) == set(world["projects"].values())
