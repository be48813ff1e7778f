"""The portal's roles — one vocabulary: ``Role`` — and the Django groups that carry them.

Object-level limits (division staff edit only their own divisions' items) are enforced where
the objects are edited (``onechoice.permissions``); the groups give the model-level
permissions.
"""

from __future__ import annotations

from enum import StrEnum

from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from . import registry


class Role(StrEnum):
    SECRETARIAT = "secretariat"
    DIVISION = "division"
    MUNICIPAL = "municipal"
    PUBLIC = "public"

    @property
    def group_name(self) -> str:
        """The Django group of a logged-in role (the public has none)."""
        return GROUP_NAMES[self]

    @property
    def label(self) -> str:
        return str(LABELS[self])


GROUP_NAMES = {Role.SECRETARIAT: "事務局", Role.DIVISION: "県担当課", Role.MUNICIPAL: "市町村職員"}
LABELS = {**{role: _(name) for role, name in GROUP_NAMES.items()}, Role.PUBLIC: _("一般（ログインなし）")}


def role_of(user) -> Role:
    if not user.is_authenticated:
        return Role.PUBLIC
    if user.is_superuser:
        return Role.SECRETARIAT
    groups = {g.name for g in user.groups.all()}
    if Role.SECRETARIAT.group_name in groups:
        return Role.SECRETARIAT
    if Role.DIVISION.group_name in groups:
        return Role.DIVISION
    return Role.MUNICIPAL


# Beyond the portal's records: the secretariat reviews failed logins and lifts a lockout by
# deleting its rows (django-axes, admin 「ログイン制限」; onechoice.lockout). No other role
# sees them.
SECRETARIAT_LOCKOUT_PERMISSIONS = [
    ("axes", "view_accessattempt"),
    ("axes", "delete_accessattempt"),
    ("axes", "view_accessfailurelog"),
    ("axes", "delete_accessfailurelog"),
]


def _lockout_permissions() -> list[Permission]:
    query = Q()
    for app_label, codename in SECRETARIAT_LOCKOUT_PERMISSIONS:
        query |= Q(content_type__app_label=app_label, codename=codename)
    return list(Permission.objects.filter(query))


@transaction.atomic
def ensure_role_groups() -> dict[Role, Group]:
    """Create or refresh the three role groups; safe to run again."""
    portal = Permission.objects.filter(content_type__app_label__in=registry.portal_apps()).select_related(
        "content_type"
    )
    scopes = registry.division_scopes()

    def division_may(permission: Permission) -> bool:
        action = permission.codename.split("_", 1)[0]
        scope = scopes.get(f"{permission.content_type.app_label}.{permission.content_type.model}")
        return action == "view" or (
            scope is not None and ((action == "change" and scope.change) or (action == "add" and scope.add))
        )

    secretariat, _ = Group.objects.get_or_create(name=Role.SECRETARIAT.group_name)
    secretariat.permissions.set([*portal, *_lockout_permissions()])
    division, _ = Group.objects.get_or_create(name=Role.DIVISION.group_name)
    division.permissions.set([p for p in portal if division_may(p)])
    municipal, _ = Group.objects.get_or_create(name=Role.MUNICIPAL.group_name)
    municipal.permissions.clear()
    return {Role.SECRETARIAT: secretariat, Role.DIVISION: division, Role.MUNICIPAL: municipal}
