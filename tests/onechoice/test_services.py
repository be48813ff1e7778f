"""The core write path: every portal model is written through a declared service, the
registered rules apply to every writer, bulk writes replace the data version once."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.exceptions import ImproperlyConfigured, ValidationError

from onechoice import data_version, registry, services
from onechoice.admin_tools import ServiceAdmin
from onechoice.models import Official, Organization
from tests import factories

pytestmark = pytest.mark.django_db


def portal_models():
    for label in registry.portal_apps():
        for model in apps.get_app_config(label).get_models():
            if not model.__name__.startswith("Historical") and model._meta.model_name != "dataversion":
                yield model


def test_every_portal_model_is_written_through_a_declared_service():
    undeclared = [m._meta.label for m in portal_models() if not services.is_declared(m)]
    assert not undeclared


def test_every_admin_of_a_portal_model_saves_through_the_services():
    bare = [
        m._meta.label
        for m, model_admin in admin.site._registry.items()
        if m._meta.app_label in registry.portal_apps() and not isinstance(model_admin, ServiceAdmin)
    ]
    assert not bare


def test_the_admin_refuses_a_model_no_service_declares():
    from django.contrib.auth.models import Group

    with pytest.raises(ImproperlyConfigured, match="no app's services declare"):
        ServiceAdmin(Group, admin.site)


def test_record_save_validates_and_writes_nothing_on_bad_input():
    with pytest.raises(ValidationError) as error:
        services.organization_save(organization=Organization(name="富山市", kind="municipality", protocol_order=1))
    assert "lg_code" in error.value.message_dict
    assert not Organization.objects.exists()


def test_record_validate_trusts_resolved_relations_but_still_requires_them():
    # An importer resolved the organisation from a table it read: no query per row, but a
    # missing required one is still an error.
    official = Official(title="市長", name="藤井 裕久")
    with pytest.raises(ValidationError) as error:
        services.record_validate(official, resolved=["organization"])
    assert "organization" in error.value.message_dict


def test_bulk_save_refuses_what_no_service_declares():
    from django.contrib.auth.models import Group

    with pytest.raises(ImproperlyConfigured):
        services.records_save_bulk(model=Group, create=[Group(name="x")])
    assert not Group.objects.filter(name="x").exists()


def test_bulk_save_validates_unless_told_the_rows_were_validated():
    toyama = factories.municipality()
    with pytest.raises(ValidationError):
        services.records_save_bulk(model=Official, create=[Official(organization=toyama, title="", name="名無し")])
    assert not Official.objects.exists()


def test_bulk_save_writes_history_and_replaces_the_version_once(monkeypatch):
    toyama = factories.municipality()
    calls = []
    monkeypatch.setattr(data_version, "changed", lambda using="default": calls.append(using))
    services.records_save_bulk(
        model=Official, create=[Official(organization=toyama, title="係長", name=f"職員 {i}") for i in range(50)]
    )
    assert Official.objects.count() == 50
    assert Official.history.count() == 50
    assert calls == ["default"]


def test_the_admin_shows_a_rule_on_the_form_instead_of_failing_the_save(secretariat_client, monkeypatch):
    # A rule full_clean cannot see (registered by an app with @rule) must reach the form as an
    # error message, never a 500 from save_model.
    from django.urls import reverse

    from meetings.models import Meeting

    def no_closed_venue(meeting, m2m):
        if meeting.venue == "閉館中のホール":
            raise ValidationError({"venue": "この会場は使えません。"})

    monkeypatch.setitem(services._rules, Meeting, [no_closed_venue])
    meeting = factories.meeting(venue="県庁")
    url = reverse("admin:meetings_meeting_change", args=[meeting.pk])
    form = {
        "fiscal_year": "2021",
        "kind": "regular",
        "number": str(meeting.number),
        "status": "held",
        "date": "2022-01-20",
        "start_time": "15:00",
        "end_time": "16:30",
        "mode": "in_person",
        "venue": "閉館中のホール",
        "title": "",
        "planned_topics": "",
        "planned_year": "",
        "planned_month": "",
        "planned_period": "",
        **{
            f"{prefix}-{key}": value
            for prefix in ("agenda_items", "handouts", "attendances")
            for key, value in (("TOTAL_FORMS", "0"), ("INITIAL_FORMS", "0"))
        },
    }
    token = secretariat_client.get(url).context["adminform"].form["version_token"].value()
    response = secretariat_client.post(url, form | {"version_token": token})
    assert response.status_code == 200
    assert "この会場は使えません。" in response.text
    meeting.refresh_from_db()
    assert meeting.venue == "県庁"


def test_generic_writers_reach_the_models_named_service(monkeypatch):
    # The admin and the importer call record_write: a model whose app named a service for it
    # (@saves) is saved by that service, with the many-to-many values as keywords.
    from projects.models import Project

    seen = []
    original = services._savers[Project]
    monkeypatch.setitem(
        services._savers, Project, lambda instance, m2m: seen.append(sorted(m2m)) or original(instance, m2m)
    )
    toyama, dept = factories.municipality(), factories.department()
    services.record_write(
        Project(title="名前付きの保存", first_fiscal_year=2022), m2m={"proposers": [toyama], "departments": [dept]}
    )
    assert seen == [["departments", "proposers"]]
    assert Project.objects.get(title="名前付きの保存").proposers.get() == toyama
