"""Pages served from the shared cache: the same page for everyone of an audience, a personal
account menu for each request, never a staff page for the public, and every change visible
at once."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from meetings.models import Meeting
from onechoice import data_version, page_cache
from onechoice.services import record_save
from projects.models import Project


def logged_in(username, **fields) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.create_user(username, **fields))
    return client


def get(client, path, *, queries=None):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, path
    if queries is not None:
        assert len(captured) == queries, [q["sql"][:90] for q in captured]
    return response.content.decode()


def test_each_user_gets_their_own_account_menu_on_a_cached_page(toyama):
    hanako, taro = logged_in("hanako"), logged_in("taro", is_staff=True)
    first = get(hanako, "/projects/")
    # session, user, the data version, the cached page, and the requester's affiliation (rows of
    # their own municipality are marked per request: projects.views.project_list)
    second = get(taro, "/projects/", queries=5)
    assert "ログアウト（hanako）" in first and "taro" not in first and "管理画面" not in first
    assert "ログアウト（taro）" in second and "hanako" not in second and "管理画面" in second
    assert page_cache.ACCOUNT_MENU_MARKER not in first + second
    # The logout form carries the requester's own CSRF token, which the logout accepts.
    for client, page in ((hanako, first), (taro, second)):
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
        strict = Client(enforce_csrf_checks=True)
        strict.cookies = client.cookies
        assert strict.post("/accounts/logout/", {"csrfmiddlewaretoken": token}).status_code == 302
    # Apart from the menu, the two pages are the same bytes.
    menu = re.compile(r"<nav.*?</nav>", re.S)
    assert menu.sub("", first) == menu.sub("", second)


def test_the_public_never_gets_the_page_built_for_staff(client, toyama):
    meeting = Meeting.objects.get(fiscal_year=2021, number=4)
    meeting.is_published = False
    record_save(meeting)
    staff = logged_in("officer")
    assert "令和3年度 第4回" in get(staff, "/meetings/") or meeting.name in get(staff, "/meetings/")
    public = get(client, "/meetings/")
    assert f"/meetings/{meeting.pk}/" not in public
    assert "ログイン" in public and "ログアウト" not in public
    again = get(Client(), "/meetings/", queries=2)  # another visitor: the page as kept, menu and all
    assert again == public and page_cache.ACCOUNT_MENU_MARKER not in again
    # and a staff member after a visitor gets the staff page, not the public one
    assert f"/meetings/{meeting.pk}/" in get(logged_in("officer2"), "/meetings/", queries=4)


def test_a_404_inside_a_cached_view_shows_its_menu(client, toyama):
    meeting = Meeting.objects.get(fiscal_year=2021, number=4)
    meeting.is_published = False
    record_save(meeting)
    response = client.get(f"/meetings/{meeting.pk}/")
    assert response.status_code == 404
    page = response.content.decode()
    assert page_cache.ACCOUNT_MENU_MARKER not in page and 'href="/accounts/login/' in page


def test_every_kind_of_change_shows_at_once(client, toyama):
    project = Project.objects.get(title="自治体行政のデジタル化")
    path = f"/projects/{project.pk}/"
    get(client, path)
    assert "砺波市" in get(client, path, queries=2)

    project.title = "自治体行政のデジタル化（改題）"
    record_save(project)
    assert "自治体行政のデジタル化（改題）" in get(client, path)

    project.proposers.remove(project.proposers.get(name="砺波市"))  # many-to-many
    page = get(client, path)
    assert "砺波市" not in page.split("提案")[1].split("</dd>")[0]

    project.years.order_by("fiscal_year").first().delete()  # a delete
    assert get(client, path) != page


def test_the_admin_change_shows_on_the_portal_page(client, secretariat_client, toyama):
    project = Project.objects.get(title="自治体行政のデジタル化")
    path = f"/projects/{project.pk}/"
    get(client, path)
    response = secretariat_client.get(f"/admin/projects/project/{project.pk}/change/")
    form = response.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if hasattr(value, "__iter__") and not isinstance(value, str):
            data[name] = [getattr(v, "pk", v) for v in value]
        elif value is not None:
            data[name] = getattr(value, "pk", value)
    data["title"] = "自治体行政のデジタル化（管理画面で変更）"
    for formset in response.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name in management.fields:
            data[f"{management.prefix}-{name}"] = management.initial.get(name, management[name].value())
        for inline_form in formset.formset.forms:
            for name in inline_form.fields:
                value = inline_form[name].value()
                if value is not None and value is not False:
                    data[inline_form.add_prefix(name)] = value
    response = secretariat_client.post(f"/admin/projects/project/{project.pk}/change/", data)
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    assert "自治体行政のデジタル化（管理画面で変更）" in get(client, path)


def test_a_new_day_builds_the_page_again(client, toyama, monkeypatch):
    import datetime as dt

    get(client, "/")
    get(client, "/", queries=2)
    monkeypatch.setattr(page_cache.timezone, "localdate", lambda: dt.date(2099, 4, 1))
    with CaptureQueriesContext(connection) as captured:
        client.get("/")
    assert len(captured) > 2  # "upcoming" and "recent" moved: built afresh


@pytest.mark.django_db
def test_an_entry_stored_under_an_old_version_is_not_served():
    version, value = data_version.lookup("page:test")
    assert value is None
    data_version.store("page:test", version, "built", 60)
    assert data_version.lookup("page:test") == (version, "built")
    Project.objects.create(title="新しい項目", first_fiscal_year=2030)  # any save
    new_version, value = data_version.lookup("page:test")
    assert new_version != version and value is None


@pytest.mark.django_db
def test_a_lost_version_row_is_made_again_and_never_revives_old_entries():
    from onechoice.models import DataVersion

    version, _ = data_version.lookup("page:test")
    data_version.store("page:test", version, "built", 60)
    DataVersion.objects.all().delete()
    new_version, value = data_version.lookup("page:test")
    assert value is None and new_version != version and DataVersion.objects.get().token == new_version


def test_made_up_query_parameters_are_answered_afresh_and_never_kept(client, toyama):
    def kept() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM onechoice_page_cache")
            return cursor.fetchone()[0]

    before = kept()
    for n in range(3):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/workgroups/?junk={n}").status_code == 200
        assert len(captured) > 2  # built, not looked up
    assert kept() == before
    get(client, "/projects/?fiscal_year=2021&page=1")  # the filters pages read are kept
    assert kept() == before + 1


def test_a_new_release_builds_every_page_again(client, toyama, monkeypatch):
    get(client, "/")
    get(client, "/", queries=2)
    monkeypatch.setattr(data_version, "release", lambda: "another-release")
    with CaptureQueriesContext(connection) as captured:
        client.get("/")
    assert len(captured) > 2
