"""Who may see and change what. One place for the portal's four roles:

* secretariat (事務局): everything, the admin included;
* division staff (県担当課): the admin, changing only the items — and their yearly results,
  indicators and WG sessions — of their own divisions; seeing the rest;
* municipal officers (市町村職員): every portal page and download, no admin;
* the public (not logged in): only what is published; anything else answers 404, so the
  answer never confirms that an unpublished record exists.

Which models division staff work on, and how each leads to its divisions, each app declares
(``onechoice.registry``); the role groups themselves are in ``onechoice.roles``.
"""

from __future__ import annotations

from django.db.models import Model, QuerySet

from . import registry
from .roles import Role, role_of

__all__ = ["Role", "role_of", "sees_unpublished", "choosable_by", "editable_by", "may_edit", "own_division_ids"]


def sees_unpublished(user) -> bool:
    """Logged-in users of every role see all records; the public sees the published ones."""
    return user.is_authenticated


def own_division_ids(user) -> list[int]:
    affiliation = getattr(user, "affiliation", None)
    return list(affiliation.divisions.values_list("pk", flat=True)) if affiliation else []


def choosable_by(user, queryset: QuerySet) -> QuerySet:
    """Foreign-key choices in the admin: division staff choose among their own items only."""
    scope = registry.division_scope(queryset.model)
    if scope is None or role_of(user) != Role.DIVISION:
        return queryset
    return queryset.filter(**{f"{scope.path}__in": own_division_ids(user)}).distinct()


def editable_by(user, queryset: QuerySet) -> QuerySet:
    """The rows of ``queryset`` that ``user`` may change (all for the secretariat; for
    division staff those of their own divisions; none for anybody else)."""
    role = role_of(user)
    if role == Role.SECRETARIAT:
        return queryset
    scope = registry.division_scope(queryset.model)
    if role != Role.DIVISION or scope is None or not scope.change:
        return queryset.none()
    return queryset.filter(**{f"{scope.path}__in": own_division_ids(user)}).distinct()


def may_edit(user, obj: Model) -> bool:
    return editable_by(user, type(obj)._default_manager.filter(pk=obj.pk)).exists()
