"""Who may see and change what. One place for the portal's four roles:

* secretariat (事務局): everything, the admin included;
* division staff (県担当課): the admin, changing only the items — and their yearly results,
  indicators and WG sessions — of their own divisions; seeing the rest;
* municipal officers (市町村職員): every portal page and download, no admin;
* the public (not logged in): only what is published; anything else answers 404, so the
  answer never confirms that an unpublished record exists.
"""

from __future__ import annotations

from enum import StrEnum

from django.db.models import Model, QuerySet

from . import roles


class Role(StrEnum):
    SECRETARIAT = "secretariat"
    DIVISION = "division"
    MUNICIPAL = "municipal"
    PUBLIC = "public"


def role_of(user) -> Role:
    if not user.is_authenticated:
        return Role.PUBLIC
    if user.is_superuser:
        return Role.SECRETARIAT
    groups = {g.name for g in user.groups.all()}
    if roles.SECRETARIAT in groups:
        return Role.SECRETARIAT
    if roles.DIVISION_STAFF in groups:
        return Role.DIVISION
    return Role.MUNICIPAL


def sees_unpublished(user) -> bool:
    """Logged-in users of every role see all records; the public sees the published ones."""
    return user.is_authenticated


# How each record division staff may edit leads to the divisions responsible for it.
DIVISION_SCOPED = {
    "projects.project": "divisions",
    "projects.projectyear": "project__divisions",
    "projects.measure": "project__divisions",
    "projects.measureresult": "project_year__project__divisions",
    "projects.highlight": "project_year__project__divisions",
    "projects.photo": "highlight__project_year__project__divisions",
    "projects.indicator": "project__divisions",
    "projects.indicatorvalue": "indicator__project__divisions",
    "projects.milestone": "project__divisions",
    "workgroups.workinggroupsession": "working_group__project__divisions",
}


# What division staff may pick in a form (a session goes to one of their own items' WGs).
CHOOSABLE_SCOPED = DIVISION_SCOPED | {"workgroups.workinggroup": "project__divisions"}


def division_path(model: type[Model]) -> str | None:
    return DIVISION_SCOPED.get(model._meta.label_lower)


def choosable_by(user, queryset: QuerySet) -> QuerySet:
    """Foreign-key choices in the admin: division staff choose among their own items only."""
    path = CHOOSABLE_SCOPED.get(queryset.model._meta.label_lower)
    if path is None or role_of(user) != Role.DIVISION:
        return queryset
    return queryset.filter(**{f"{path}__in": own_division_ids(user)}).distinct()


def own_division_ids(user) -> list[int]:
    affiliation = getattr(user, "affiliation", None)
    return list(affiliation.divisions.values_list("pk", flat=True)) if affiliation else []


def editable_by(user, queryset: QuerySet) -> QuerySet:
    """The rows of ``queryset`` that ``user`` may change (all for the secretariat; for
    division staff those of their own divisions; none for anybody else)."""
    role = role_of(user)
    if role == Role.SECRETARIAT:
        return queryset
    path = division_path(queryset.model)
    if role != Role.DIVISION or path is None:
        return queryset.none()
    return queryset.filter(**{f"{path}__in": own_division_ids(user)}).distinct()


def may_edit(user, obj: Model) -> bool:
    return editable_by(user, type(obj)._default_manager.filter(pk=obj.pk)).exists()
