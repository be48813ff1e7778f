"""Widgets turn one cell into one value and back; ``clean`` raises ``ValueError`` with a
Japanese message. Lookup widgets read their table once per import."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.fields import NOT_PROVIDED
from django.utils.translation import gettext_lazy as _
from import_export.fields import Field
from import_export.widgets import Widget

from .. import jpdates, lgcode
from ..models import Department, Division, Organization
from .files import cell_text, normalise_key

_SEPARATORS = re.compile(r"[、,，;；\n]+")


class CellError(ValueError):
    """A bad value reported under another column than the field's own (e.g. 年度 for 回)."""

    def __init__(self, column: str, message):
        super().__init__(str(message))
        self.column = column


class TextWidget(Widget):
    def __init__(self, *, digits: bool = False):
        super().__init__(coerce_to_string=False)
        self.digits = digits  # codes: full-width digits become ASCII

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        return unicodedata.normalize("NFKC", text) if self.digits else text

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


class IntegerWidget(Widget):
    def __init__(self):
        super().__init__(coerce_to_string=False)

    def clean(self, value, row=None, **kwargs):
        text = normalise_key(cell_text(value)).replace(",", "")
        if not text:
            return None
        if not re.fullmatch(r"-?\d+", text):
            raise ValueError(_("「%(value)s」は整数ではありません。") % {"value": text})
        return int(text)

    def render(self, value, obj=None, **kwargs):
        return value


class DecimalWidget(Widget):
    def __init__(self):
        super().__init__(coerce_to_string=False)

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return Decimal(str(value))
        text = normalise_key(cell_text(value)).replace(",", "").removesuffix("%").strip()
        if not text:
            return None
        try:
            number = Decimal(text)
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            raise ValueError(_("「%(value)s」は数値ではありません。") % {"value": text})
        return number

    def render(self, value, obj=None, **kwargs):
        return value


class FiscalYearWidget(IntegerWidget):
    """2021, 2021年度, 令和3年度, R3年度, R3, 令和元年度 → 2021."""

    _ERA = re.compile(r"^(令和|平成|[RrHh])\s*(元|\d{1,2})\s*(年度)?$")

    def clean(self, value, row=None, **kwargs):
        text = normalise_key(cell_text(value)).removesuffix("年度").strip()
        if not text:
            return None
        if re.fullmatch(r"\d{4}", text):
            return int(text)
        match = self._ERA.match(text)
        if not match:
            raise ValueError(_("「%(value)s」は年度として読めません（例: 2021、令和3年度、R3）。") % {"value": text})
        era = jpdates.era_by_name(match[1])
        return era.first_day.year + (1 if match[2] == "元" else int(match[2])) - 1


class DateWidget(Widget):
    """2022-01-20, 2022/1/20, R4.1.20, 令和4年1月20日, or an Excel date cell."""

    def __init__(self):
        super().__init__(coerce_to_string=False)

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        text = cell_text(value)
        return jpdates.parse_date(text) if text else None

    def render(self, value, obj=None, **kwargs):
        return value


class ChoiceWidget(Widget):
    """A choice written as its Japanese label (出席) or its stored value (present)."""

    def __init__(self, choices, *, render_value: bool = False):
        super().__init__(coerce_to_string=False)
        self._choices = choices
        self._by_text = None  # built on first use: labels are translated lazily
        self.render_value = render_value

    def _table(self):
        if self._by_text is None:
            self._by_text = {}
            for value, label in self._choices:
                self._by_text[normalise_key(value)] = value
                self._by_text[normalise_key(label)] = value
        return self._by_text

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if not text:
            return None
        found = self._table().get(normalise_key(text))
        if found is None:
            labels = "、".join(str(label) for _, label in self._choices)
            raise ValueError(
                _("「%(value)s」は選べません（%(labels)s のいずれか）。") % {"value": text, "labels": labels}
            )
        return found

    def render(self, value, obj=None, **kwargs):
        if self.render_value or value in (None, ""):
            return value or ""
        return str(dict(self._choices).get(value, value))


class BooleanWidget(Widget):
    _TRUE = {"はい", "○", "〇", "true", "1", "yes", "y", "公開"}
    _FALSE = {"いいえ", "×", "false", "0", "no", "n", "非公開", "-"}

    def __init__(self):
        super().__init__(coerce_to_string=False)

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, bool):
            return value
        text = normalise_key(cell_text(value)).lower()
        if not text:
            return None
        if text in self._TRUE:
            return True
        if text in self._FALSE:
            return False
        raise ValueError(_("「%(value)s」は「はい」か「いいえ」で入力してください。") % {"value": text})

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else ("はい" if value else "いいえ")


_AMBIGUOUS = object()


def index(objects, key) -> dict:
    """``{key(obj): obj}``; a key shared by two objects maps to a marker, reported as ambiguous."""
    table = {}
    for obj in objects:
        k = key(obj)
        table[k] = _AMBIGUOUS if k in table else obj
    return table


class LookupWidget(Widget):
    """A foreign key written as a natural key (a name, a code, or several columns), found in a
    table read once per import (``prepare``): one query per table, not one per row."""

    what = ""  # 団体, 部局 …: used in messages

    def __init__(self):
        super().__init__(coerce_to_string=False)
        self._table = None

    def load(self) -> dict:
        raise NotImplementedError

    def key(self, text: str, row):
        return normalise_key(text)

    def prepare(self, cache: dict) -> None:
        name = type(self).__name__
        if name not in cache:
            cache[name] = self.load()
        self._table = cache[name]

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if not text:
            return None
        if self._table is None:
            self._table = self.load()
        found = self._table.get(self.key(text, row))
        if found is None:
            raise ValueError(self.missing(text, row))
        if found is _AMBIGUOUS:
            raise ValueError(
                _("%(what)s「%(value)s」が2件以上あり、どれか決められません。") % {"what": self.what, "value": text}
            )
        return found

    def missing(self, text: str, row) -> str:
        return _("%(what)s「%(value)s」は登録されていません。") % {"what": self.what, "value": text}

    def label(self, obj) -> str:
        return obj.name

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else self.label(value)


class OrganizationWidget(LookupWidget):
    """An organisation by name (富山市) or local government code (162019, check digit verified)."""

    what = _("団体")

    def load(self):
        organizations = list(Organization.objects.all())
        table = index(organizations, lambda o: ("name", normalise_key(o.name)))
        table.update({("code", o.lg_code): o for o in organizations if o.lg_code})
        return table

    def key(self, text, row):
        code = normalise_key(text)
        if code.isascii() and code.isdigit():
            try:
                lgcode.validate_local_government_code(code)
            except ValidationError as error:
                raise ValueError(error.messages[0]) from None
            return ("code", code)
        return ("name", code)

    def missing(self, text, row):
        if self.key(text, row)[0] == "code":
            return _("地方公共団体コード「%(code)s」の団体は登録されていません。") % {"code": text}
        return super().missing(text, row)


class DepartmentWidget(LookupWidget):
    what = _("部局")

    def load(self):
        return index(Department.objects.all(), lambda d: normalise_key(d.name))


class DivisionWidget(LookupWidget):
    what = _("課・室")

    def load(self):
        return index(Division.objects.all(), lambda d: normalise_key(d.name))


class ManyWidget(Widget):
    """Several values in one cell, separated by 、 , ; or line breaks. Every value must exist:
    one unknown value is an error, never silently dropped."""

    def __init__(self, lookup: LookupWidget, *, required: bool = False):
        super().__init__(coerce_to_string=False)
        self.lookup = lookup
        self.required = required

    def prepare(self, cache: dict) -> None:
        self.lookup.prepare(cache)

    def clean(self, value, row=None, **kwargs):
        names = [n.strip() for n in _SEPARATORS.split(cell_text(value)) if n.strip()]
        if not names and self.required:
            raise ValueError(_("1つ以上入力してください（複数のときは「、」で区切ります）。"))
        found, problems = [], []
        for name in names:
            try:
                found.append(self.lookup.clean(name, row))
            except ValueError as error:
                problems.append(str(error))
        if problems:
            raise ValueError(" ".join(problems))
        return list(dict.fromkeys(found))

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else "、".join(self.lookup.label(o) for o in value.all())


# --------------------------------------------------------------------------------------------
# Fields


def model_field(model, name: str, *, widget: Widget | None = None, column: str | None = None, **kwargs) -> Field:
    """A resource field for a model field, headed by its verbose name (氏名)."""
    field = model._meta.get_field(name)
    if widget is None:
        widget = _widget_for(field)
    if field.has_default():
        default = field.get_default()
    elif isinstance(field, (models.CharField, models.TextField)):
        default = ""  # a blank cell is an empty text, which full_clean() judges
    else:
        default = NOT_PROVIDED
    kwargs.setdefault("default", default)
    return Field(attribute=name, column_name=column or str(field.verbose_name), widget=widget, **kwargs)


def _widget_for(field) -> Widget:
    if field.choices:
        return ChoiceWidget(field.choices)
    if isinstance(field, models.DateField):
        return DateWidget()
    if isinstance(field, models.BooleanField):
        return BooleanWidget()
    if isinstance(field, models.DecimalField):
        return DecimalWidget()
    if isinstance(field, models.IntegerField):
        return IntegerWidget()
    return TextWidget()


def related_field(attribute: str, column: str, widget: Widget | None = None) -> Field:
    """A column exported for reading and used by a lookup on import (e.g. 連携推進項目 beside
    WG番号); it never sets anything itself."""
    return Field(attribute=attribute, column_name=column, widget=widget or TextWidget(), readonly=True)
