"""Optimistic concurrency: a form refuses to save over a change its user never saw.

Two secretariat users open the same meeting; A saves a new venue, then B saves a title
change from the page opened before A's save. Without a check, B's save writes the whole form
— the old venue with it — and A's change is gone without a word. Here every form that edits
a stored record carries a *version token* of the record as the form showed it. On save the
record is read again (under ``select_for_update()``) and compared with the token; a stale
form is refused with a message naming what changed and its value now, and nothing is saved:

    この画面を開いた後に、ほかの人がこの記録を変更しました（場所: 「県民会館」に変更）。
    画面を開き直して最新の内容を確認してから、もう一度保存してください。

Why a digest of the stored values (and not a version column or the change history)
---------------------------------------------------------------------------------
* A ``version`` column needs a migration for every model, and every writer — bulk imports,
  ``QuerySet.update()``, the demo loader — must remember to bump it; one that forgets makes
  the check blind. A digest of the row itself sees every change, by whatever writer, and
  works for any model as it is, without a schema change.
* The latest history id (django-simple-history) misses writes that keep no history
  (``QuerySet.update()``) and would tie the core to a third-party model.
* One digest *per field* (rather than one for the row) is what lets the message name the
  field that changed; its current value is then read from the stored row.

The token
---------
``version_token(instance)`` is a signed string (``django.core.signing``) holding the
record's primary key, a short label for messages (「役職1 氏名 1」), a digest of the model's
field list, and an HMAC digest (keyed by ``SECRET_KEY``: the token shows no value, not even
of fields the form leaves out) of every concrete field and of the many-to-many fields the
form shows (as sorted ids). A token made before a deploy changed the model's fields, or
before ``SECRET_KEY`` was replaced, counts as no token rather than as a list of false
changes. Tokens do not expire: a page left open over the weekend saves fine if nobody
changed the record meanwhile.

What is a conflict (``find_conflict``)
--------------------------------------
* A field the form lets the user edit that changed since the token was made.
* Any other concrete field whose value in the copy the view read at the start of the
  request (``instance``, which the save writes whole) differs from the locked row: somebody
  saved in between. A change somebody made earlier to a field this form does not show (an
  attendee's 職員マスタ, which the meeting page's attendee rows leave out) is kept by the
  save, so it is not refused.
* ``strict`` — the history revert form, which writes every field of an old version: any
  field of the token.
* The record is gone: somebody deleted it.

A form posted without a token, or with a token that fails its signature or was made for
another record, is refused for an existing record (code ``NO_VERSION``, the same advice to
open the page again): a post we cannot vouch for is exactly the stale case, and letting it
through would leave a silent way around the check (a page opened before this release, a
script). New records need no token.

Rows of a model formset (the admin's inline attendee rows)
----------------------------------------------------------
A model formset writes only the rows whose posted values differ from the stored ones, so a
row whose posted values equal the stored ones is not checked. Any other row that somebody
changed since the page was opened is refused, naming it — 出席者「富山市長 藤井 裕久」を変更
しました（出欠: 「欠席」に変更）… — even one the user did not touch, since posting it back
would write the old values over the new ones. A row somebody deleted meanwhile, and a row
marked for deletion that somebody changed meanwhile, are refused too, with the message
above the rows (``VersionTokenFormSetMixin``). Rows the post adds carry no token and are
never a conflict; nor are rows somebody else added meanwhile (the post does not touch them).

Locking
-------
The stored row is read with ``select_for_update()`` when the check runs inside a transaction
(the admin's change view runs in one; ``ServiceAdmin`` wraps the history revert in one): the
row stays locked until the save commits, so no change can slip in between the check and the
save. Outside a transaction the read is plain and the check narrows that window without
closing it: validate and save in one ``transaction.atomic()``.

Reuse: a ``ModelForm`` gets all of this from ``VersionTokenFormMixin`` (its hidden field
``version_token`` must be rendered with the form); other writers call ``version_token()``
when they show a record and ``check_version()`` (or ``find_conflict()``) before they save it.
"""

from __future__ import annotations

import datetime as dt
import decimal
import json
import posixpath
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django import forms
from django.core import signing
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models, router, transaction
from django.db.models.fields.files import FieldFile
from django.forms.formsets import DELETION_FIELD_NAME
from django.utils import formats, timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

#: The name of the hidden field that carries the token in a form.
TOKEN_FIELD = "version_token"

_SALT = "onechoice.concurrency"
_DIGEST_CHARS = 10  # hex characters per field: 40 bits
_LABEL_CHARS = 60
_VALUE_CHARS = 40
_CHANGES_NAMED = 5

#: Codes of the ``ValidationError`` a refused save raises.
STALE = "stale_record"
NO_VERSION = "no_version"

#: The advice every refusal ends with.
REOPEN = gettext_noop("画面を開き直して最新の内容を確認してから、もう一度保存してください。")


class InvalidVersionToken(Exception):
    """No token, a token that fails its signature, or one made for another model, another
    record or another version of the model's fields."""


@dataclass(frozen=True)
class Version:
    """A token, read: the record it was made for and a digest of each field."""

    model: type[models.Model]
    pk: object
    label: str
    digests: Mapping[str, str]


@dataclass(frozen=True)
class Change:
    """A field that changed since the token: its name, verbose name and value now (``None``:
    empty)."""

    field: str
    label: str
    value: str | None

    def __str__(self) -> str:
        if self.value is None:
            return _("%(field)s: 空欄に変更") % {"field": self.label}
        return _("%(field)s: 「%(value)s」に変更") % {"field": self.label, "value": self.value}


@dataclass(frozen=True)
class Conflict:
    """What somebody else did to the record since the token was made."""

    model: type[models.Model]
    label: str
    deleted: bool = False
    changes: tuple[Change, ...] = ()

    def message(self, *, row: bool = False) -> str:
        """The Japanese message for the form: about 「この記録」, or, for a row of a formset,
        about the row by name (出席者「役職1 氏名 1」)."""
        what = _row_name(self.model, self.label) if row else _("この記録")
        if self.deleted:
            return _("この画面を開いた後に、ほかの人が%(what)sを削除しました。") % {"what": what} + _(REOPEN)
        details = ""
        if self.changes:
            named = [str(change) for change in self.changes[:_CHANGES_NAMED]]
            if len(self.changes) > _CHANGES_NAMED:
                named.append(_("ほか%(count)d項目") % {"count": len(self.changes) - _CHANGES_NAMED})
            details = "（" + "、".join(named) + "）"
        head = _("この画面を開いた後に、ほかの人が%(what)sを変更しました%(details)s。")
        return head % {"what": what, "details": details} + _(REOPEN)


def no_token_message(model: type[models.Model] | None = None, label: str = "", *, row: bool = False) -> str:
    """The message for a post that carries no (valid) token."""
    if row and model is not None:
        head = _("%(what)sは、ほかの人の変更と重なっていないかを確かめられないため、保存できませんでした。") % {
            "what": _row_name(model, label)
        }
    else:
        head = _("ほかの人の変更と重なっていないかを確かめられないため、保存できませんでした。")
    return head + _(REOPEN)


# -- tokens -------------------------------------------------------------------------------


def version_token(
    instance: models.Model,
    *,
    m2m_fields: Iterable[str] | None = None,
    m2m_values: Mapping[str, Iterable] | None = None,
) -> str:
    """The token of ``instance`` as it is in memory (pass a record just read from the
    database): every concrete field, and the many-to-many fields ``m2m_fields`` (default:
    all of the model's). ``m2m_values`` holds many-to-many values already read (objects or
    ids), so they are not queried again. ``""`` for a record not saved yet."""
    if instance.pk is None or instance._state.adding:
        return ""
    model = type(instance)
    fields = _tracked_fields(model, m2m_fields)
    known = m2m_values or {}
    pk = instance.pk if isinstance(instance.pk, int) else str(instance.pk)
    payload = {
        "p": pk,
        "l": _label(instance),
        "f": _fields_digest(model, fields),
        "m": [f.name for f in fields if f.many_to_many],
        "d": "".join(_digest(model, f, _value(instance, f, known)) for f in fields),
    }
    return signing.dumps(payload, salt=_SALT, compress=True)


def read_token(token: str, model: type[models.Model]) -> Version:
    """The token read back, or ``InvalidVersionToken``."""
    if not token:
        raise InvalidVersionToken("no token")
    try:
        payload = signing.loads(token, salt=_SALT)
        fields = _tracked_fields(model, payload["m"])
        digests = payload["d"]
        if payload["f"] != _fields_digest(model, fields) or len(digests) != len(fields) * _DIGEST_CHARS:
            raise InvalidVersionToken("made for another version of the model")
        return Version(
            model=model,
            pk=payload["p"],
            label=str(payload["l"]),
            digests={f.name: digests[i * _DIGEST_CHARS : (i + 1) * _DIGEST_CHARS] for i, f in enumerate(fields)},
        )
    except (signing.BadSignature, KeyError, TypeError, ValueError, FieldDoesNotExist) as error:
        raise InvalidVersionToken(str(error)) from None


def stored_record(model: type[models.Model], pk, *, lock: bool = True) -> models.Model | None:
    """The record as stored now (``None`` if it is gone), read through the base manager (no
    default filtering) and, inside a transaction and with ``lock``, locked until it ends."""
    db = router.db_for_write(model)
    queryset = model._base_manager.using(db).filter(pk=pk)
    if lock and transaction.get_connection(db).in_atomic_block:
        queryset = queryset.select_for_update()
    try:
        return queryset.get()
    except model.DoesNotExist:
        return None


def find_conflict(
    token: str,
    model: type[models.Model],
    *,
    pk=None,
    fields: Iterable[str] | None = None,
    instance: models.Model | None = None,
    lock: bool = True,
) -> Conflict | None:
    """Compare the stored record (read under ``select_for_update()`` inside a transaction)
    with ``token``: ``None`` if nobody changed it since, else what they did.

    ``pk``: the record the caller is saving (a token made for another record is invalid).
    ``fields``: the fields the caller's form lets the user edit; default: every field the
    token holds (strict). With ``fields``, ``instance`` is the copy of the record the caller
    read at the start of the request and will save whole: a field outside ``fields`` is a
    conflict only if ``instance`` would write back another value than the stored one.
    Raises ``InvalidVersionToken`` for a missing or bad token, or one that does not hold
    every field of ``fields``."""
    version = read_token(token, model)
    if pk is not None and str(pk) != str(version.pk):
        raise InvalidVersionToken("made for another record")
    stored = stored_record(model, version.pk, lock=lock)
    if stored is None:
        return Conflict(model, version.label, deleted=True)
    editable = set(version.digests) if fields is None else set(fields)
    if not editable <= set(version.digests):
        raise InvalidVersionToken("does not hold every field of the form")
    opts = model._meta
    changed = []
    for field in (*opts.concrete_fields, *opts.many_to_many):
        if field.name in editable:
            if _digest(model, field, _value(stored, field)) != version.digests[field.name]:
                changed.append(field)
        elif fields is not None and instance is not None and not field.many_to_many:
            if _canonical(_value(instance, field)) != _canonical(_value(stored, field)):
                changed.append(field)
    if not changed:
        return None
    return Conflict(model, version.label, changes=tuple(_change(stored, field) for field in changed))


def check_version(
    token: str,
    model: type[models.Model],
    *,
    pk=None,
    fields: Iterable[str] | None = None,
    instance: models.Model | None = None,
    lock: bool = True,
) -> None:
    """``find_conflict`` for writers without a form: raises ``ValidationError`` (code
    ``STALE`` or ``NO_VERSION``, the Japanese message) unless the record is as the token
    saw it."""
    try:
        conflict = find_conflict(token, model, pk=pk, fields=fields, instance=instance, lock=lock)
    except InvalidVersionToken:
        raise ValidationError(no_token_message(), code=NO_VERSION) from None
    if conflict is not None:
        raise ValidationError(conflict.message(), code=STALE)


# -- forms --------------------------------------------------------------------------------


class VersionTokenField(forms.CharField):
    """The hidden field carrying the token. It never counts as a change (``changed_data``,
    the admin's change message, a formset deciding which rows to write)."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("strip", False)
        kwargs.setdefault("label", _("版"))
        super().__init__(**kwargs)

    def has_changed(self, initial, data):
        return False


class VersionTokenFormMixin:
    """For a ``ModelForm``: a hidden ``version_token`` field holding the token of the record
    the unbound form shows, checked when the bound form is validated (``_post_clean``); a
    stale post gets a non-field error (code ``STALE`` or ``NO_VERSION``) and is not valid.

    A row of a model formset (its form holds the hidden primary key) is checked only if the
    post changes it. Two conflicts of a row are left in ``version_conflict_for_formset`` for
    ``VersionTokenFormSetMixin`` to report above the rows: a row marked for deletion (the
    formset ignores its errors) that somebody changed, and a row somebody deleted (the
    formset gives it a new instance and the admin does not show it again; Django's own error
    on its hidden key field keeps the row invalid).

    ``version_token_strict = True`` (a form that writes every field of the record, such as
    the history revert form, whose instance is an old version): the token is of the record
    as stored now, and every field of it is checked."""

    declared_fields = {TOKEN_FIELD: VersionTokenField()}
    version_token_strict = False

    def __init__(self, *args, **kwargs):
        given_initial = set(kwargs.get("initial") or ())
        super().__init__(*args, **kwargs)
        self.version_conflict_for_formset = None
        if not self.is_bound:
            self.initial[TOKEN_FIELD] = self._make_version_token(given_initial)

    def version_fields(self) -> list[str]:
        """The model fields this form writes (shown and not disabled)."""
        opts = self._meta.model._meta
        return [
            f.name
            for f in (*opts.concrete_fields, *opts.many_to_many)
            if f.name in self.fields and not self.fields[f.name].disabled
        ]

    def _make_version_token(self, given_initial) -> str:
        instance = self.instance
        if instance.pk is None or instance._state.adding:
            return ""
        m2m = [f.name for f in instance._meta.many_to_many if f.name in self.fields]
        if self.version_token_strict:
            stored = stored_record(type(instance), instance.pk, lock=False)
            return version_token(stored, m2m_fields=m2m) if stored is not None else ""
        # The many-to-many values the form shows were read for its initial data already.
        known = {name: self.initial[name] for name in m2m if name in self.initial and name not in given_initial}
        return version_token(instance, m2m_fields=m2m, m2m_values=known)

    def _post_clean(self):
        super()._post_clean()
        self._check_version()

    def _check_version(self):
        self.version_conflict_for_formset = None
        model = self._meta.model
        instance = self.instance
        token = self.cleaned_data.get(TOKEN_FIELD) or ""
        row = _is_formset_row(self)
        deleting = bool(self.cleaned_data.get(DELETION_FIELD_NAME))
        if instance.pk is None or instance._state.adding:
            if row and not deleting:
                self._check_vanished_row(token)
            return
        if row and not deleting and not self.has_changed():
            return  # the formset does not write an unchanged row
        try:
            conflict = find_conflict(
                token,
                model,
                pk=instance.pk,
                fields=None if self.version_token_strict else self.version_fields(),
                instance=None if self.version_token_strict else instance,
            )
        except InvalidVersionToken:
            error = ValidationError(no_token_message(model, _label(instance), row=row), code=NO_VERSION)
        else:
            if conflict is None or (deleting and conflict.deleted):  # gone either way
                return
            error = ValidationError(conflict.message(row=row), code=STALE)
        if deleting:
            self.version_conflict_for_formset = error
        else:
            self.add_error(None, error)

    def _check_vanished_row(self, token: str):
        # A formset finds no stored row for a posted primary key (deleted meanwhile) and gives
        # the row a new instance; Django's error on the hidden key field, which the admin does
        # not show, keeps the row invalid. Say what happened.
        try:
            version = read_token(token, self._meta.model)
        except InvalidVersionToken:
            return  # Django's error on the key field still refuses the row
        posted_pk = self[self._meta.model._meta.pk.name].data
        if posted_pk in (None, "") or str(posted_pk) != str(version.pk):
            return  # "save as new" blanks the keys: new rows, not a conflict
        conflict = Conflict(self._meta.model, version.label, deleted=True)
        self.version_conflict_for_formset = ValidationError(conflict.message(row=True), code=STALE)


class VersionTokenFormSetMixin:
    """For a model formset of ``VersionTokenFormMixin`` forms: refuses the post, with the
    message above the rows, if a row it deletes was changed by somebody else since the page
    was opened, or a row it posts was deleted by somebody else meanwhile."""

    def clean(self):
        refused = [
            form.version_conflict_for_formset
            for form in self.forms
            if getattr(form, "version_conflict_for_formset", None) is not None
        ]
        if refused:
            raise ValidationError(refused)
        super().clean()


def _is_formset_row(form) -> bool:
    # A model formset gives each row's form the (hidden) primary key as a ModelChoiceField.
    return isinstance(form.fields.get(form._meta.model._meta.pk.name), forms.ModelChoiceField)


# -- values, digests, messages ------------------------------------------------------------


def _tracked_fields(model: type[models.Model], m2m_fields: Iterable[str] | None) -> list[models.Field]:
    opts = model._meta
    if m2m_fields is None:
        m2m = list(opts.many_to_many)
    else:
        names = set(m2m_fields)
        m2m = [f for f in opts.many_to_many if f.name in names]
        if len(m2m) != len(names):
            raise FieldDoesNotExist(f"{opts.label}: not many-to-many fields: {sorted(names - {f.name for f in m2m})}")
    return [*opts.concrete_fields, *m2m]


def _model_key(model: type[models.Model]) -> str:
    return model._meta.concrete_model._meta.label_lower


def _fields_digest(model: type[models.Model], fields: list[models.Field]) -> str:
    names = ",".join(f.name for f in fields)
    return salted_hmac(f"{_SALT}.fields", f"{_model_key(model)}:{names}").hexdigest()[:8]


def _value(instance: models.Model, field: models.Field, known_m2m: Mapping[str, Iterable] | None = None):
    """A plain value for ``field`` of ``instance``: many-to-many as sorted ids, files by name."""
    if field.many_to_many:
        if known_m2m and field.name in known_m2m:
            ids = [getattr(obj, "pk", obj) for obj in known_m2m[field.name]]
        elif instance.pk is None:
            ids = []
        else:
            ids = list(getattr(instance, field.name).values_list("pk", flat=True))
        return sorted(str(pk) for pk in ids)
    value = field.value_from_object(instance)
    if isinstance(value, FieldFile):
        value = value.name or ""
    if isinstance(value, memoryview):
        value = bytes(value)
    if isinstance(value, bytes):
        value = value.hex()
    return value


def _canonical(value) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def _digest(model: type[models.Model], field: models.Field, value) -> str:
    text = f"{_model_key(model)}.{field.name}={_canonical(value)}"
    return salted_hmac(_SALT, text).hexdigest()[:_DIGEST_CHARS]


def _shorten(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _label(instance: models.Model) -> str:
    try:
        return _shorten(str(instance), _LABEL_CHARS)
    except Exception:  # a record that cannot name itself yet is still checked
        return ""


def _row_name(model: type[models.Model], label: str) -> str:
    """出席者「役職1 氏名 1」."""
    name = str(model._meta.verbose_name)
    return f"{name}「{label}」" if label else name


def _change(stored: models.Model, field: models.Field) -> Change:
    return Change(field.name, str(field.verbose_name), _display(stored, field))


def _display(stored: models.Model, field: models.Field) -> str | None:
    """The stored value of ``field`` as the screens show it (``None``: empty)."""
    if field.many_to_many:
        text = "、".join(str(obj) for obj in getattr(stored, field.name).all())
        return _shorten(text, _VALUE_CHARS) if text else None
    value = getattr(stored, field.attname)
    if value is None or (isinstance(value, str) and value == "") or (isinstance(value, FieldFile) and not value):
        return None
    if field.is_relation:
        try:
            text = str(getattr(stored, field.name))
        except Exception:  # the related record is gone or cannot name itself
            text = str(value)
    elif field.flatchoices:
        text = str(dict(field.flatchoices).get(value, value))
    elif isinstance(value, bool):
        text = _("はい") if value else _("いいえ")
    elif isinstance(value, FieldFile):
        text = posixpath.basename(value.name)
    elif isinstance(value, dt.datetime):
        text = formats.localize(timezone.localtime(value) if timezone.is_aware(value) else value)
    elif isinstance(value, (dt.date, dt.time, decimal.Decimal, float, int)):
        text = formats.localize(value)
    else:
        text = str(value)
    return _shorten(text, _VALUE_CHARS)
