"""The doors the admin's libraries add — history and revert (django-simple-history),
actions, import/export (django-import-export), autocomplete — tried as every role that must
not write through them. Each refused try changes nothing and never answers 500."""

import hashlib

import pytest
from django.apps import apps
from django.contrib import admin
from django.forms.models import model_to_dict
from django.urls import NoReverseMatch, reverse

from meetings.models import Handout, Meeting
from onechoice import registry
from onechoice.admin_tools import ServiceAdmin
from projects.models import Project
from tests.onechoice.test_permissions import client_for, world  # noqa: F401  (fixture)

NON_WRITERS = ["division", "municipal", "public"]


def snapshot() -> str:
    """A digest of every portal record (not their history)."""
    digest = hashlib.sha256()
    for label in registry.portal_apps():
        for model in apps.get_app_config(label).get_models():
            if model.__name__.startswith("Historical") or model._meta.model_name == "dataversion":
                continue
            for row in model.objects.order_by("pk").values_list():
                digest.update(repr(row).encode())
    return digest.hexdigest()


def portal_admins():
    return [(m, a) for m, a in admin.site._registry.items() if isinstance(a, ServiceAdmin)]


def form_data(obj, **changes) -> dict:
    """What the admin form of ``obj`` posts back, with ``changes``."""
    data = {}
    for name, value in (model_to_dict(obj) | changes).items():
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif isinstance(value, list):
            data[name] = [getattr(v, "pk", v) for v in value]
        elif value is None or hasattr(value, "name") and not value:
            data[name] = ""
        else:
            data[name] = getattr(value, "name", value) if hasattr(value, "url") else value
    return {k: v for k, v in data.items() if k not in ("id", "file")}


def inline_management(admin_instance, request=None) -> dict:
    """Empty management forms for every inline of an admin (no rows changed)."""
    forms = {}
    for inline in admin_instance.inlines:
        prefix = inline.model._meta.get_field(
            next(f.name for f in inline.model._meta.fields if f.is_relation and f.related_model is admin_instance.model)
        ).related_query_name()
        forms |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    return forms


def latest_version(obj) -> int:
    return obj.history.order_by("-history_id").first().history_id


@pytest.mark.parametrize("role", NON_WRITERS)
def test_every_admin_action_refuses_who_may_not_change(client, world, role):  # noqa: F811
    client = client_for(client, world, role)
    before = snapshot()
    tried = 0
    for model, model_admin in portal_admins():
        first = model.objects.order_by("pk").first()
        if first is None:
            continue
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        names = [name for _func, name, _desc in model_admin._get_base_actions()] + ["export_admin_action"]
        for name in names:
            response = client.post(url, {"action": name, "_selected_action": [first.pk], "index": 0, "post": "yes"})
            tried += 1
            assert response.status_code in (200, 302, 403), (model, name, response.status_code)
    assert tried > 30
    assert snapshot() == before


def test_division_staff_cannot_place_the_seats_of_a_meeting(client, world):  # noqa: F811
    from meetings.models import Seat
    from meetings.services import seating_plan_set

    plan = seating_plan_set(meeting=Meeting.objects.get(fiscal_year=2021, number=4))
    client = client_for(client, world, "division")
    response = client.post(
        reverse("admin:meetings_seatingplan_changelist"), {"action": "place_seats", "_selected_action": [plan.pk]}
    )
    assert response.status_code in (200, 302)
    assert "配席を更新しました" not in response.content.decode()
    assert not Seat.objects.exists()


def test_the_secretariat_still_places_seats_by_action(client, world):  # noqa: F811
    from meetings.models import Seat
    from meetings.services import seating_plan_set

    plan = seating_plan_set(meeting=Meeting.objects.get(fiscal_year=2021, number=4))
    client = client_for(client, world, "secretariat")
    response = client.post(
        reverse("admin:meetings_seatingplan_changelist"),
        {"action": "place_seats", "_selected_action": [plan.pk]},
        follow=True,
    )
    assert "1 件の配席を更新しました。" in response.content.decode()
    assert Seat.objects.filter(plan=plan).count() == 34


def _revert(client, obj, **changes):
    admin_instance = admin.site._registry[type(obj)]
    url = reverse(
        f"admin:{obj._meta.app_label}_{obj._meta.model_name}_simple_history",
        args=[obj.pk, latest_version(obj)],
    )
    page = client.get(url)  # the revert form's version token (onechoice.concurrency), as a browser posts it
    token = {}
    if page.status_code == 200:
        token = {"version_token": page.context["adminform"].form["version_token"].value()}
    return client.post(url, form_data(obj, **changes) | inline_management(admin_instance) | token)


@pytest.mark.parametrize(
    "which, changes",
    [
        ("private handout", {"public": True}),
        ("unpublished meeting", {"is_published": True}),
        ("another division's item", {"title": "書き換えられた項目"}),
    ],
)
def test_division_staff_cannot_write_through_the_history_form(client, world, which, changes):  # noqa: F811
    obj = {
        "private handout": lambda: Handout.objects.get(pk=world["handouts"]["private"]),
        "unpublished meeting": lambda: Meeting.objects.get(pk=world["meetings"]["unpublished"]),
        "another division's item": lambda: Project.objects.exclude(divisions__name="自然保護課").first(),
    }[which]()
    client = client_for(client, world, "division")
    before = snapshot()
    response = _revert(client, obj, **changes)
    assert response.status_code == 403
    assert snapshot() == before
    if which == "private handout":
        client.logout()
        assert client.get(reverse("meetings:handout_file", args=[obj.pk])).status_code == 404


def test_the_secretariat_may_revert(client, world):  # noqa: F811
    handout = Handout.objects.get(pk=world["handouts"]["private"])
    client = client_for(client, world, "secretariat")
    response = _revert(client, handout, title="差し替えた資料名")
    assert response.status_code == 302, response.content.decode()[:2000]
    handout.refresh_from_db()
    assert handout.title == "差し替えた資料名"


@pytest.mark.parametrize("role", NON_WRITERS)
def test_imports_and_autocomplete_refuse_who_may_not_use_them(client, world, role):  # noqa: F811
    client = client_for(client, world, role)
    before = snapshot()
    for model, _model_admin in portal_admins():
        for view in ("import", "process_import"):
            try:
                url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}")
            except NoReverseMatch:
                continue
            response = client.post(url, {"format": "0", "import_file_name": "x.csv", "original_file_name": "x.csv"})
            assert response.status_code in (302, 403), (url, response.status_code)
    autocomplete = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "meetings", "model_name": "agendaitem", "field_name": "meeting", "term": "第"},
    )
    assert autocomplete.status_code == (200 if role == "division" else 302)  # division staff may read
    assert snapshot() == before


# The routes every ModelAdmin has; anything else an admin's get_urls adds is the portal's own
# door (the meeting's roster and copy pages, the seating editor …) and is tried below.
_STANDARD_ROUTES = {
    *("changelist", "add", "history", "delete", "change"),
    "simple_history",  # history and revert: tried above
    *("import", "process_import", "export"),  # django-import-export: tried above
}


def own_admin_routes():
    """(model, route name, takes an object id) of every route a portal admin adds itself."""
    routes = []
    for model, model_admin in portal_admins():
        prefix = f"{model._meta.app_label}_{model._meta.model_name}_"
        for pattern in model_admin.get_urls():
            name = getattr(pattern, "name", None) or ""
            if name.startswith(prefix) and name.removeprefix(prefix) not in _STANDARD_ROUTES:
                routes.append((model, name, "object_id" in str(pattern.pattern)))
            elif name and not name.startswith(prefix) and name not in ("autocomplete",):
                routes.append((model, name, "object_id" in str(pattern.pattern)))
    return routes


def test_the_portal_adds_its_own_admin_routes():
    names = {name for _model, name, _takes_id in own_admin_routes()}
    assert {"meetings_meeting_roster", "meetings_meeting_copy"} <= names


@pytest.mark.parametrize("role", NON_WRITERS)
def test_every_own_admin_route_refuses_who_may_not_change(client, world, role):  # noqa: F811
    client = client_for(client, world, role)
    before = snapshot()
    for model, name, takes_id in own_admin_routes():
        obj = model.objects.order_by("pk").first()
        url = reverse(f"admin:{name}", args=[obj.pk] if takes_id else [])
        looked = client.get(url).status_code  # reading is for who may view (division staff view meetings)
        assert looked in ((200, 403, 404, 405) if role == "division" else (302, 403, 404, 405)), (role, url, looked)
        posted = client.post(url, {"refresh": "1", "fiscal_year": "2030", "number": "9", "attendance": "1"})
        assert posted.status_code in (302, 403, 404, 405), (role, url, posted.status_code)
        if posted.status_code == 302:  # only to the login page, never "done"
            assert posted["Location"].startswith(reverse("admin:login")), (role, url, posted["Location"])
    assert snapshot() == before
