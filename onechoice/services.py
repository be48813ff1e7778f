"""The write path every app builds on.

Each app's ``services.py`` holds its named actions (``meeting_save``, ``project_save``,
``seats_place_automatically`` …): keyword-only, typed, atomic. They all end here:

* ``record_save`` validates a record as the admin does (``full_clean``) **and** by the rules
  ``full_clean`` cannot see — many-to-many values, other records — that the record's app
  registered with ``@rule(Model)``; then saves it and sets its many-to-many values, in one
  transaction. Change history is kept by django-simple-history and the data version is
  replaced once after the commit (``onechoice.data_version``), both through the model
  signals a save sends.
* ``records_save_bulk`` is its variant for imports of thousands of rows: the same
  ``record_validate`` (model rules and registered rules), then batched inserts and updates
  with their change history, and one data-version replacement.

The admin (``onechoice.admin_tools.ServiceAdmin``), the importers, the demo loader and the
management commands write through these, never with a bare ``save()``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TypeVar

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import models, transaction
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from . import data_version

M = TypeVar("M", bound=models.Model)

#: ``check(instance, m2m)``: raise ``ValidationError`` if the record breaks a rule.
#: ``m2m`` holds the many-to-many values about to be set (field name → objects); a field
#: that is not there keeps its stored values.
Rule = Callable[[models.Model, Mapping[str, Sequence]], None]

_rules: dict[type[models.Model], list[Rule]] = {}
_registered: set[type[models.Model]] = set()


def rule(*model_classes: type[models.Model]) -> Callable[[Rule], Rule]:
    """Register ``check`` as a rule of every record of ``model_classes`` (decorator)."""

    def register(check: Rule) -> Rule:
        for model in model_classes:
            _rules.setdefault(model, []).append(check)
        return check

    return register


def writes(*model_classes: type[models.Model]) -> None:
    """Declare that an app's services own the writes of ``model_classes`` (whether or not
    they have rules beyond ``full_clean``); ``ServiceAdmin`` refuses a model no app
    declared, so a model cannot be edited around its services."""
    _registered.update(model_classes)


def is_declared(model: type[models.Model]) -> bool:
    return model in _registered


_savers: dict[type[models.Model], Callable[..., models.Model]] = {}


def saves(model: type[models.Model], *, keyword: str) -> Callable:
    """Make the decorated named service the one generic writers (the admin, the importer)
    call for ``model``: ``service(**{keyword: instance}, **m2m)``. A service that does more
    than validate and save (clean an upload, say) must be reached by every writer."""

    def register(service: Callable[..., models.Model]) -> Callable[..., models.Model]:
        _savers[model] = lambda instance, m2m: service(**{keyword: instance}, **m2m)
        writes(model)
        return service

    return register


def record_write(instance: M, *, m2m: Mapping[str, Iterable] | None = None) -> M:
    """Save ``instance`` through its model's named service (``@saves``), else through
    ``record_save``: what the admin and the importer call."""
    saver = _savers.get(type(instance))
    if saver is not None:
        return saver(instance, dict(m2m or {}))
    return record_save(instance, m2m=m2m)


def current_m2m(instance: models.Model, name: str, m2m: Mapping[str, Sequence]) -> list:
    """The values ``name`` will hold after the save: the ones about to be set, else the
    stored ones (none for a new record)."""
    if name in m2m:
        return list(m2m[name])
    return list(getattr(instance, name).all()) if instance.pk else []


def record_validate(
    instance: models.Model,
    *,
    m2m: Mapping[str, Sequence] | None = None,
    exclude: Iterable[str] = (),
    resolved: Iterable[str] = (),
    unset: Iterable[str] = (),
    validate_unique: bool = True,
) -> None:
    """Raise ``ValidationError`` (all problems at once) unless ``instance`` passes
    ``full_clean`` and its registered rules.

    For importers, which read every related table once per file: ``resolved`` names foreign
    keys whose objects were just read from the database (their existence is not queried
    again; a missing required one is still an error); ``unset`` names relations the caller
    does not set (not checked again, as in an admin form without that field);
    ``validate_unique=False`` is for files whose natural key already guarantees uniqueness.
    ``exclude`` skips fields whose values are already reported as bad."""
    m2m = m2m or {}
    opts = instance._meta
    exclude = set(exclude)
    errors: dict = {}
    resolved = set(resolved) - exclude
    for name in resolved:
        field = opts.get_field(name)
        if getattr(instance, field.attname) is None and not field.null:
            errors[name] = [ValidationError(field.error_messages["null"], code="null")]
    try:
        instance.full_clean(exclude=exclude | resolved | set(unset), validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    if validate_unique:
        for check in (instance.validate_unique, instance.validate_constraints):
            try:
                check(exclude=exclude | set(errors))
            except ValidationError as error:
                errors = error.update_error_dict(errors)
    if not errors:
        try:
            record_rules(instance, m2m=m2m)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


def record_rules(instance: models.Model, *, m2m: Mapping[str, Sequence] | None = None) -> None:
    """Raise ``ValidationError`` (all problems at once) unless ``instance`` keeps the rules
    its app registered with ``@rule`` — those ``full_clean`` cannot see. Forms that already
    ran ``full_clean`` (the admin's) call this for the rest."""
    errors: dict = {}
    for check in _rules.get(type(instance), ()):
        try:
            check(instance, m2m or {})
        except ValidationError as error:
            errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def record_save(instance: M, *, m2m: Mapping[str, Iterable] | None = None) -> M:
    """Validate ``instance`` (``record_validate``), save it and set its many-to-many values.
    Raises ``ValidationError`` and writes nothing on bad input."""
    m2m = {name: list(values) for name, values in (m2m or {}).items()}
    record_validate(instance, m2m=m2m)
    instance.save()
    for name, values in m2m.items():
        getattr(instance, name).set(values)
    return instance


@transaction.atomic
def record_delete(instance: models.Model) -> None:
    """Delete ``instance`` (and what cascades with it), keeping its history."""
    instance.delete()


def records_save_bulk(
    *,
    model: type[models.Model],
    create: Sequence[models.Model] = (),
    update: Sequence[models.Model] = (),
    fields: Sequence[str] = (),
    user=None,
    batch_size: int | None = None,
    validated: bool = False,
) -> None:
    """Insert ``create`` and update ``fields`` of ``update`` in batches, with change history
    (as django-simple-history's bulk helpers write it) and one data-version replacement.

    Each record is validated by ``record_validate`` first, unless ``validated``: the
    importer has already run ``record_validate`` on every row, to report problems by row
    number, and does not pay for it twice. Many-to-many values are not written in bulk."""
    if not is_declared(model):
        raise ImproperlyConfigured(f"{model._meta.label}: no app's services declare its writes.")
    if not validated:
        for instance in (*create, *update):
            record_validate(instance)
    with transaction.atomic():
        if create:
            bulk_create_with_history(list(create), model, batch_size=batch_size, default_user=user)
        if update:
            bulk_update_with_history(list(update), model, list(fields), batch_size=batch_size, default_user=user)
        if create or update:
            data_version.changed()  # bulk writes send no post_save


# -- the core's own records ---------------------------------------------------------------


def _declare_core_writes() -> None:
    from .models import Affiliation, Department, Division, Official, Organization

    writes(Organization, Department, Division, Official, Affiliation)


_declare_core_writes()


def organization_save(*, organization):
    """A prefecture or municipality needs its local government code (with check digit);
    nobody else has one."""
    return record_save(organization)


def department_save(*, department):
    return record_save(department)


def division_save(*, division):
    return record_save(division)


def official_save(*, official):
    """An official or mayor in post from ``valid_from`` to ``valid_to``."""
    return record_save(official)


def affiliation_save(*, affiliation, divisions=None):
    """Which organisation (and, for division staff, which divisions) a portal user belongs to."""
    return record_save(affiliation, m2m={"divisions": divisions} if divisions is not None else None)
