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
  with their change history, and one data-version replacement. Batched writes send no
  ``post_save``, so it sends ``records_saved_in_bulk`` instead, for the apps that keep
  derived data (the search index) to catch up in the same transaction.
* ``records_save_reordered`` saves sibling records that trade numbers held unique (an
  agenda's 順序, attendees' 席次, seats' 並び順): any permutation saves in one transaction,
  each record through ``record_write``; ``records_unique_problems`` is its check, which the
  admin's inline rows run before anything is written.

The admin (``onechoice.admin_tools.ServiceAdmin``), the importers, the demo loader and the
management commands write through these, never with a bare ``save()``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import count
from typing import TypeVar

from django.core.exceptions import NON_FIELD_ERRORS, ImproperlyConfigured, ValidationError
from django.db import models, transaction
from django.dispatch import Signal
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from . import data_version

M = TypeVar("M", bound=models.Model)

#: ``check(instance, m2m)``: raise ``ValidationError`` if the record breaks a rule.
#: ``m2m`` holds the many-to-many values about to be set (field name → objects); a field
#: that is not there keeps its stored values.
Rule = Callable[[models.Model, Mapping[str, Sequence]], None]

#: Sent by ``records_save_bulk`` inside its transaction, after the rows are written:
#: ``sender`` is the model, ``instances`` the records inserted and updated (with their keys).
records_saved_in_bulk = Signal()

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
        created = []
        if create:
            created = bulk_create_with_history(list(create), model, batch_size=batch_size, default_user=user)
        if update:
            bulk_update_with_history(list(update), model, list(fields), batch_size=batch_size, default_user=user)
        if create or update:
            data_version.changed()  # bulk writes send no post_save
            records_saved_in_bulk.send(sender=model, instances=[*created, *update])


# -- records that trade numbers: an agenda's order, attendees' 席次, seats' positions ---------
#
# Saving rows one by one cannot swap two numbers held unique: the first row saved is
# checked (and, without the check, stored) while the second still holds the number it
# takes. So the rows are checked together against the state after the whole save, then
# written in one transaction: the rows whose unique values change are first parked on free
# numbers, then each is saved with its final values through its named service.
#
# Why parking and not a deferrable unique constraint (PostgreSQL's DEFERRABLE INITIALLY
# DEFERRED): it would only postpone the database's own check, while Django's validation
# (``full_clean``, ``validate_constraints``), which every service runs before it saves, would
# still see the other row's old number; and SQLite, the default database, has no deferrable
# unique constraints. Parking works on both, with the constraints as they are.


class RecordsInvalid(ValidationError):
    """Records saved together that break a rule: ``problems`` holds each bad record with its
    ``ValidationError``; the messages name the record."""

    def __init__(self, problems: Sequence[tuple[models.Model, ValidationError]]):
        self.problems = list(problems)
        messages = []
        for instance, error in self.problems:
            label = _record_label(instance)
            messages += [f"{label}: {message}" for message in error.messages]
        super().__init__(messages)


def _record_label(instance: models.Model) -> str:
    try:
        return f"{instance._meta.verbose_name}「{instance}」"
    except Exception:  # a record that cannot name itself yet
        return str(instance._meta.verbose_name)


def unique_sets(model: type[models.Model]) -> list[tuple[tuple[models.Field, ...], models.UniqueConstraint | None]]:
    """Every set of fields ``model`` holds unique — ``unique=True`` fields, ``unique_together``
    and field-based ``UniqueConstraint`` s — each with its constraint (``None`` for the first
    two), whose condition and null handling apply."""
    opts = model._meta
    sets: list = [((f,), None) for f in opts.concrete_fields if f.unique and not f.primary_key]
    sets += [(tuple(opts.get_field(name) for name in names), None) for names in opts.unique_together]
    sets += [
        (tuple(opts.get_field(name) for name in c.fields), c)
        for c in opts.constraints
        if isinstance(c, models.UniqueConstraint) and c.fields
    ]
    return sets


def _applies(constraint: models.UniqueConstraint | None, instance: models.Model) -> bool:
    """Whether a conditional constraint covers ``instance`` (as Django's own check asks)."""
    if constraint is None or constraint.condition is None:
        return True
    return constraint.condition.check(instance._get_field_expression_map(meta=instance._meta))


def _key(fields, instance, constraint, shared=frozenset()) -> tuple | None:
    """The values ``instance`` holds in a unique set (``None``: the set cannot clash, as a
    NULL never equals another). ``shared`` fields count as equal among the records."""
    nulls_distinct = constraint is None or constraint.nulls_distinct is not False
    key = []
    for field in fields:
        if field.name in shared:
            key.append(("shared", field.name))
            continue
        value = getattr(instance, field.attname)
        if value is None and nulls_distinct:
            return None
        key.append(value)
    return tuple(key)


def _clash(fields, constraint, instance, shared, other: models.Model | None = None) -> tuple[str, ValidationError]:
    """(the field it is reported on, the error) of ``instance`` clashing in a unique set with
    another row (``other``: with that stored record). A set with a number (a non-relation
    integer field: 順序, 番号, 席次) or of one field is reported on that field, naming the
    others as its scope (種別ごと); any other set above the row, in the constraint's own
    words if it has them."""
    own = [f for f in fields if f.name not in shared]
    numbers = [f for f in own if isinstance(f, models.IntegerField) and not f.is_relation]
    if numbers or len(own) == 1:
        field = (numbers or own)[-1]
        value = getattr(instance, field.attname)
        params = {"field": field.verbose_name, "value": dict(field.flatchoices).get(value, value)}
        scope = [f for f in own if f is not field]
        if other is not None:
            message = _("%(field)s「%(value)s」は既に「%(other)s」に使われています。")
            params["other"] = other
        elif scope:
            message = _(
                "%(field)s「%(value)s」が%(scope)sの同じほかの行と重複しています。"
                "%(scope)sごとに違う%(field)sにしてください。"
            )
            params["scope"] = "・".join(str(f.verbose_name) for f in scope)
        else:
            message = _("%(field)s「%(value)s」がほかの行と重複しています。行ごとに違う%(field)sにしてください。")
        return field.name, ValidationError(message % params, code="unique")
    if constraint is not None and constraint.violation_error_message != constraint.default_violation_error_message:
        message = str(constraint.get_violation_error_message())
    elif other is not None:
        message = _("%(fields)sの組み合わせが「%(other)s」と重複しています。") % {
            "fields": "・".join(str(f.verbose_name) for f in own),
            "other": other,
        }
    else:
        message = _("%(fields)sの組み合わせがほかの行と重複しています。") % {
            "fields": "・".join(str(f.verbose_name) for f in own)
        }
    return NON_FIELD_ERRORS, ValidationError(message, code="unique")


def _stored_values(model, instances, fields) -> dict:
    """pk → {attname: stored value} of the stored ``instances`` (one query)."""
    pks = [i.pk for i in instances if i.pk is not None and not i._state.adding]
    if not pks:
        return {}
    attnames = sorted({f.attname for f in fields})
    return {row["pk"]: row for row in model._base_manager.filter(pk__in=pks).values("pk", *attnames)}


def records_unique_problems(
    instances: Sequence[models.Model],
    *,
    deleted: Iterable[models.Model] = (),
    shared: Iterable[str] = (),
) -> list[dict[str, list[ValidationError]]]:
    """The unique-value problems of each of ``instances`` (records of one model, in order;
    ``{}`` for a good one) in the state after they are all saved and ``deleted`` are deleted:
    two of them with the same values, or one with the values of another stored record. Each
    problem is reported, in Japanese, on the set's number field (順序, 番号, 席次).
    ``shared``: fields the records have in common by construction (an admin inline's parent),
    equal even before the parent is saved. Records keep the rest of their validation
    (``record_validate``) to themselves."""
    instances = list(instances)
    problems: list[dict[str, list[ValidationError]]] = [{} for _ in instances]
    if not instances:
        return problems
    model = type(instances[0])
    shared = frozenset(shared)
    sets = unique_sets(model)
    stored = _stored_values(model, instances, [f for fields, _c in sets for f in fields])
    skipped = {i.pk for i in instances if i.pk is not None} | {d.pk for d in deleted if d.pk is not None}

    def report(index, fields, constraint, other=None):
        name, error = _clash(fields, constraint, instances[index], shared, other)
        found = problems[index].setdefault(name, [])
        if error.message not in [e.message for e in found]:
            found.append(error)

    for fields, constraint in sets:
        keys = [_key(fields, i, constraint, shared) if _applies(constraint, i) else None for i in instances]
        holders: dict[tuple, list[int]] = {}
        for index, key in enumerate(keys):
            if key is not None:
                holders.setdefault(key, []).append(index)
        for indexes in holders.values():
            if len(indexes) > 1:
                for index in indexes:
                    report(index, fields, constraint)
        # Other stored records: only values a record takes anew can clash with them.
        moved = [
            index
            for index, key in enumerate(keys)
            if key is not None
            and not problems[index]
            and all(f.name not in shared or getattr(instances[index], f.attname) is not None for f in fields)
            and (
                instances[index].pk not in stored
                or any(stored[instances[index].pk][f.attname] != getattr(instances[index], f.attname) for f in fields)
            )
        ]
        if not moved:
            continue
        wanted = models.Q()
        for index in moved:
            wanted |= models.Q(**{f.attname: getattr(instances[index], f.attname) for f in fields})
        others = model._base_manager.filter(wanted).exclude(pk__in=skipped)
        if constraint is not None and constraint.condition is not None:
            others = others.filter(constraint.condition)
        taken = {tuple(getattr(o, f.attname) for f in fields): o for o in others}
        for index in moved:
            other = taken.get(tuple(getattr(instances[index], f.attname) for f in fields))
            if other is not None:
                report(index, fields, constraint, other)
    return problems


def _park(model: type[models.Model], instances: Sequence[models.Model]) -> None:
    """Move the stored records among ``instances`` whose unique values change onto numbers no
    record of the model holds or takes, so that every record can then take its final values
    one at a time. Plain UPDATEs: parked values are never seen outside this transaction, and
    the final save records the change history."""
    sets = unique_sets(model)
    stored = _stored_values(model, instances, [f for fields, _c in sets for f in fields])
    parked: dict[object, dict[models.Field, None]] = {}
    for instance in instances:
        row = stored.get(instance.pk)
        if row is None:
            continue
        for fields, _constraint in sets:
            if all(row[f.attname] == getattr(instance, f.attname) for f in fields):
                continue
            numbers = [f for f in fields if isinstance(f, models.IntegerField) and not f.is_relation]
            changed = [f for f in numbers if row[f.attname] != getattr(instance, f.attname)]
            if numbers:  # a set without a number cannot be parked: its rows are saved as they come
                parked.setdefault(instance.pk, {})[(changed or numbers)[0]] = None
    if not parked:
        return
    values: dict[object, dict[str, int]] = {pk: {} for pk in parked}
    for field in {f for fields in parked.values() for f in fields}:
        taken = set(model._base_manager.values_list(field.attname, flat=True).distinct())
        taken |= {getattr(i, field.attname) for i in instances}
        free = (n for n in count(1) if n not in taken)
        for pk, fields in parked.items():
            if field in fields:
                values[pk][field.attname] = next(free)
    for pk, changes in values.items():
        model._base_manager.filter(pk=pk).update(**changes)


@transaction.atomic
def records_save_reordered(
    instances: Sequence[models.Model], *, deleted: Iterable[models.Model] = ()
) -> list[models.Model]:
    """Save ``instances`` (records of one model, new or changed) and delete ``deleted`` as one
    change, so that the records may trade numbers held unique among themselves: swapping
    two agenda items' order, rotating three attendees' 席次, any permutation — what an
    admin inline posts.

    The records are checked together against the state after the save
    (``records_unique_problems``); then, in one transaction, ``deleted`` are deleted, the
    records whose unique values change are parked on free numbers and each record is saved
    with its final values through its named service (``record_write``: its rules, its
    change history). Raises ``RecordsInvalid`` (each bad record with its errors) and writes
    nothing on a clash or on any record its service refuses."""
    instances, deleted = list(instances), [d for d in deleted if d.pk is not None]
    if instances:
        problems = records_unique_problems(instances, deleted=deleted)
        refused = [(i, ValidationError(p)) for i, p in zip(instances, problems, strict=True) if p]
        if refused:
            raise RecordsInvalid(refused)
    for instance in deleted:
        record_delete(instance)
    if instances:
        _park(type(instances[0]), instances)
    for instance in instances:
        try:
            record_write(instance)
        except ValidationError as error:
            raise RecordsInvalid([(instance, error)]) from error
    return instances


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
