"""The portal's roles as Django groups, and the permissions each one holds.

Object-level limits (division staff edit only their own divisions' items) are enforced where
the objects are edited; these groups give the model-level permissions.
"""

from django.contrib.auth.models import Group, Permission
from django.db import transaction

SECRETARIAT = "事務局"
DIVISION_STAFF = "県担当課"
MUNICIPAL_OFFICER = "市町村職員"

PORTAL_APPS = ("onechoice", "projects", "meetings", "workgroups")

# What division staff may edit: their items' yearly results, indicators and WG sessions.
_DIVISION_EDITABLE = {
    "projects": ["projectyear", "measure", "measureresult", "highlight", "photo", "indicator", "indicatorvalue", "milestone"],
    "workgroups": ["workinggroupsession"],
}


@transaction.atomic
def ensure_role_groups() -> dict[str, Group]:
    """Create or refresh the three role groups; safe to run again."""
    portal = Permission.objects.filter(content_type__app_label__in=PORTAL_APPS)
    secretariat, _ = Group.objects.get_or_create(name=SECRETARIAT)
    secretariat.permissions.set(portal)

    division, _ = Group.objects.get_or_create(name=DIVISION_STAFF)
    editable = [
        p for p in portal.select_related("content_type")
        if p.codename.startswith("view_")
        or (p.content_type.model in _DIVISION_EDITABLE.get(p.content_type.app_label, []) and not p.codename.startswith("delete_"))
        or p.codename == "change_project"  # their own items only: see onechoice.permissions
    ]
    division.permissions.set(editable)

    municipal, _ = Group.objects.get_or_create(name=MUNICIPAL_OFFICER)
    municipal.permissions.clear()
    return {SECRETARIAT: secretariat, DIVISION_STAFF: division, MUNICIPAL_OFFICER: municipal}
