"""The item rules live in the service: every writer — the service itself, the admin, the
importer, the demo loader — is refused the same item."""

import pytest
from django.core.exceptions import ValidationError

from onechoice.services import record_save
from projects.models import Project
from projects.services import project_save
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def toyama_city():
    return factories.municipality()


@pytest.fixture
def dept():
    return factories.department()


def test_an_item_without_a_proposer_is_refused_by_the_service(dept):
    with pytest.raises(ValidationError) as error:
        project_save(project=Project(title="提案のない項目", first_fiscal_year=2022), proposers=[], departments=[dept])
    assert error.value.message_dict == {"proposers": ["提案市町村を1つ以上選んでください。"]}
    assert not Project.objects.exists()


def test_an_item_without_a_department_is_refused_by_the_service(toyama_city):
    with pytest.raises(ValidationError) as error:
        project_save(project=Project(title="部局のない項目", first_fiscal_year=2022), proposers=[toyama_city])
    assert error.value.message_dict == {"departments": ["担当部局を1つ以上選んでください。"]}
    assert not Project.objects.exists()


def test_the_core_save_applies_the_same_rule(dept):
    # record_save is what the admin and the importer call: the rule is registered, not copied.
    with pytest.raises(ValidationError) as error:
        record_save(Project(title="提案のない項目", first_fiscal_year=2022), m2m={"departments": [dept]})
    assert "proposers" in error.value.message_dict
    assert not Project.objects.exists()


def test_relations_left_out_keep_their_stored_values(toyama_city, dept):
    project = factories.project(toyama_city, dept)
    project.title = "名前を変えた項目"
    project_save(project=project)  # proposers and departments not given: they stay
    project.refresh_from_db()
    assert project.title == "名前を変えた項目"
    assert list(project.proposers.all()) == [toyama_city]
    with pytest.raises(ValidationError):
        project_save(project=project, departments=[])  # emptying them is refused
    assert list(project.departments.all()) == [dept]


def test_a_refused_change_writes_nothing(toyama_city, dept):
    project = factories.project(toyama_city, dept)
    history = project.history.count()
    project.title = "書き換えられない名前"
    with pytest.raises(ValidationError):
        project_save(project=project, proposers=[])
    project.refresh_from_db()
    assert project.title != "書き換えられない名前"
    assert project.history.count() == history
    assert list(project.proposers.all()) == [toyama_city]


def test_the_admin_refuses_an_item_without_a_proposer(secretariat_client, dept):
    from django.urls import reverse

    response = secretariat_client.post(
        reverse("admin:projects_project_add"),
        {
            "title": "管理画面から",
            "first_fiscal_year": "2022",
            "is_published": "on",
            "departments": [dept.pk],
            **{
                f"{prefix}-{key}": value
                for prefix in ("years", "measures", "indicators", "milestones")
                for key, value in (("TOTAL_FORMS", "0"), ("INITIAL_FORMS", "0"))
            },
        },
    )
    assert response.status_code == 200  # the form again, with the error
    assert not Project.objects.filter(title="管理画面から").exists()
