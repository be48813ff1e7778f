"""Import and export of WG sessions, as the WG status table (WG開催状況) lists them (see
``onechoice.importing``)."""

import datetime as dt

from django.db.models.fields import NOT_PROVIDED
from django.utils.translation import gettext_lazy as _
from import_export.fields import Field
from import_export.widgets import Widget

from onechoice import jpdates
from onechoice.importing import (
    CellError,
    FiscalYearWidget,
    IntegerWidget,
    NaturalKeyResource,
    cell_text,
    index,
    model_field,
    normalise_key,
    related_field,
)
from onechoice.models import EventStatus
from projects.resources import PROJECT, ItemPartWidget, with_item_titles

from .models import WorkingGroup, WorkingGroupSession

YEAR, WHEN = "年度", "開催日"


class WorkingGroupWidget(ItemPartWidget):
    """A WG by 連携推進項目 and its number (WG番号, the order within the item)."""

    what = _("WG")

    def __init__(self):
        super().__init__()
        self.numbers = IntegerWidget()

    def load(self):
        groups = WorkingGroup.objects.select_related("project")
        return with_item_titles(index(groups, lambda g: (normalise_key(g.project.title), g.order)))

    def key(self, text, row):
        return self.item_title(row), self.numbers.clean(text)

    def missing_in_item(self, text, title):
        return _("「%(title)s」にWG %(order)s はありません。") % {"title": title, "order": text}

    def label(self, obj):
        return obj.order


class ScheduleWidget(Widget):
    """開催日: a date (2022-02-17, 2022/2/17, R4.2.17, 令和4年2月17日, an Excel date, with 予定
    after it when not yet held) or only a month (2月予定, 5月中旬) of the row's 年度."""

    def __init__(self):
        super().__init__(coerce_to_string=False)
        self.years = FiscalYearWidget()

    def fiscal_year(self, row):
        try:
            return self.years.clean(row.get(YEAR))
        except ValueError as error:
            raise CellError(YEAR, error) from None

    def clean(self, value, row=None, **kwargs):
        row = row or {}
        if isinstance(value, dt.datetime):
            value = value.date()
        text = "" if isinstance(value, dt.date) else cell_text(value)
        if not text and not isinstance(value, dt.date):
            return None
        year = self.fiscal_year(row)
        try:
            day = value if isinstance(value, dt.date) else jpdates.parse_date(text.removesuffix("予定"))
        except ValueError:
            day = None
        if day is not None:
            if year and jpdates.fiscal_year_of(day) != year:
                raise ValueError(
                    _("%(day)s は%(label)sの日付ではありません。")
                    % {
                        "day": jpdates.format_date_short(day),
                        "label": jpdates.fiscal_year_label(year),
                    }
                )
            return day
        try:
            planned = jpdates.parse_planned(text, fiscal_year=year or 2000)
        except ValueError:
            raise ValueError(
                _(
                    "「%(text)s」は日付（2022-02-17、R4.2.17、令和4年2月17日）か予定の月（2月予定、5月中旬）として読めません。"
                )
                % {"text": text}
            ) from None
        if year is None:
            raise ValueError(
                _("「%(text)s」のように月だけで書くときは、年度の列に年度を入れてください。") % {"text": text}
            )
        return planned

    def render(self, value, obj=None, **kwargs):
        if isinstance(value, jpdates.PlannedDate):
            return value.month_label
        return value


class ScheduleField(Field):
    """Sets 開催日 or 予定年・予定月・予定旬 together; 状態, when left blank, follows what was
    written (a month or 「予定」 means planned)."""

    def get_value(self, instance):
        return instance.date or instance.planned_date

    def save(self, instance, row, is_m2m=False, **kwargs):
        when = self.clean(row, **kwargs)
        instance.date = when if isinstance(when, dt.date) else None
        planned = when if isinstance(when, jpdates.PlannedDate) else None
        instance.planned_year = planned.year if planned else None
        instance.planned_month = planned.month if planned else None
        instance.planned_period = planned.period if planned else ""
        if not cell_text(row.get("状態")):
            written = cell_text(row.get(self.column_name))
            instance.status = EventStatus.PLANNED if planned or written.endswith("予定") else EventStatus.HELD


class WorkingGroupSessionResource(NaturalKeyResource):
    """連携推進項目・WG番号・年度・開催日・状態・種別・会議名・備考; a session is found by its
    WG, its date (or planned month) and its kind."""

    project = related_field("working_group__project__title", PROJECT)
    working_group = model_field(WorkingGroupSession, "working_group", widget=WorkingGroupWidget(), column="WG番号")
    fiscal_year = related_field("fiscal_year", YEAR, FiscalYearWidget())
    schedule = ScheduleField(attribute="date", column_name=WHEN, widget=ScheduleWidget())
    status = model_field(WorkingGroupSession, "status", default=NOT_PROVIDED, saves_null_values=False)
    kind = model_field(WorkingGroupSession, "kind")
    name = model_field(WorkingGroupSession, "name")
    note = model_field(WorkingGroupSession, "note")

    natural_key = ("working_group", "schedule", "kind")
    key_columns = (PROJECT, "WG番号", WHEN, "種別")
    optional_key_fields = ("kind",)  # blank or left out: WG
    # 開催日 is a date or a planned month (予定年・予定月・予定旬): the constraint on the latter is
    # the natural key too.
    key_constraints = ("wg_session_unique_planned",)
    required_columns = (PROJECT,)
    also_updates = ("planned_year", "planned_month", "planned_period", "status")  # set by ScheduleField
    error_columns = {"date": WHEN, "planned_year": WHEN, "planned_month": WHEN, "planned_period": WHEN}
    select_related = ("working_group__project",)

    class Meta:
        model = WorkingGroupSession
        use_bulk = True  # rows cleaned one by one, written in batches (see NaturalKeyResource)
        fields = ("project", "working_group", "fiscal_year", "schedule", "status", "kind", "name", "note")
