"""The demo app's commands, as the quick start runs them."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from onechoice import roles
from onechoice.models import Organization


@pytest.mark.django_db
def test_quick_start_commands_load_once_and_create_the_demo_accounts():
    out = io.StringIO()
    call_command("load_toyama", "--if-empty", stdout=out)
    assert "富山県の実データを読み込みました" in out.getvalue()
    count = Organization.objects.count()
    out = io.StringIO()
    call_command("load_toyama", "--if-empty", stdout=out)
    assert "読み込み済み" in out.getvalue() and Organization.objects.count() == count
    with pytest.raises(CommandError, match="既に登録"):
        call_command("load_toyama", stdout=io.StringIO())

    call_command("create_demo_users", stdout=io.StringIO())
    call_command("create_demo_users", stdout=io.StringIO())  # again: updates, no duplicates
    users = {u.username: u for u in get_user_model().objects.all()}
    assert set(users) == {"secretariat", "division", "municipal"}
    assert all(u.check_password("onechoice-demo") for u in users.values())
    assert users["secretariat"].is_staff and users["division"].is_staff and not users["municipal"].is_staff
    assert users["division"].groups.get().name == roles.Role.DIVISION.group_name
    assert [d.name for d in users["division"].affiliation.divisions.all()] == ["自然保護課"]
    assert users["municipal"].affiliation.organization.lg_code == "162019"


@pytest.mark.django_db
def test_demo_accounts_are_refused_in_production(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="本番モード"):
        call_command("create_demo_users", stdout=io.StringIO())
