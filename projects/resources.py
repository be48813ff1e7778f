"""Import and export of collaboration items, measure results per fiscal year and indicator
values (see ``onechoice.importing``)."""

from django.utils.translation import gettext_lazy as _

from onechoice import jpdates
from onechoice.importing import (
    CellError,
    ChoiceWidget,
    DepartmentWidget,
    DivisionWidget,
    FiscalYearWidget,
    IntegerWidget,
    LookupWidget,
    ManyWidget,
    NaturalKeyResource,
    OrganizationWidget,
    cell_text,
    index,
    model_field,
    normalise_key,
    related_field,
)

from .models import Grade, Indicator, IndicatorValue, Measure, MeasureResult, Project, ProjectYear

PROJECT, MEASURE_TITLE = "連携推進項目", "施策名"
_TITLES = ("titles",)  # where a table keeps the titles of every item, to say what is missing


def _project_title(row) -> str:
    title = normalise_key(cell_text(row.get(PROJECT)))
    if not title:
        raise CellError(PROJECT, _("連携推進項目の名前を入力してください。"))
    return title


def with_item_titles(table: dict) -> dict:
    table[_TITLES] = {normalise_key(t) for t in Project.objects.values_list("title", flat=True)}
    return table


class ItemPartWidget(LookupWidget):
    """Something of an item (a year, a measure, an indicator) named by 連携推進項目 + a cell."""

    def item_title(self, row) -> str:
        title = _project_title(row)
        if title not in self._table[_TITLES]:
            raise CellError(
                PROJECT, _("連携推進項目「%(title)s」は登録されていません。") % {"title": cell_text(row.get(PROJECT))}
            )
        return title

    def missing(self, text, row):
        return self.missing_in_item(text, cell_text(row.get(PROJECT)))


class ProjectYearWidget(ItemPartWidget):
    what = _("年度別の取組み")

    def __init__(self):
        super().__init__()
        self.years = FiscalYearWidget()

    def load(self):
        years = ProjectYear.objects.select_related("project")
        return with_item_titles(index(years, lambda y: (normalise_key(y.project.title), y.fiscal_year)))

    def key(self, text, row):
        return self.item_title(row), self.years.clean(text)

    def missing_in_item(self, text, title):
        return _("「%(title)s」には%(year)sの記録（年度別の取組み）がありません。先に登録してください。") % {
            "title": title,
            "year": jpdates.fiscal_year_label(self.years.clean(text)),
        }

    def label(self, obj):
        return obj.fiscal_year


class MeasureWidget(ItemPartWidget):
    """A measure by its 順序 within the item; 施策名, when given, must be that measure's."""

    what = _("施策")

    def __init__(self):
        super().__init__()
        self.numbers = IntegerWidget()

    def load(self):
        measures = Measure.objects.select_related("project")
        return with_item_titles(index(measures, lambda m: (normalise_key(m.project.title), m.order)))

    def key(self, text, row):
        return self.item_title(row), self.numbers.clean(text)

    def clean(self, value, row=None, **kwargs):
        measure = super().clean(value, row, **kwargs)
        written = cell_text((row or {}).get(MEASURE_TITLE))
        if measure is not None and written and normalise_key(written) != normalise_key(measure.title):
            raise CellError(
                MEASURE_TITLE,
                _("順序 %(order)s の施策は「%(title)s」です（ファイルでは「%(written)s」）。")
                % {
                    "order": measure.order,
                    "title": measure.title,
                    "written": written,
                },
            )
        return measure

    def missing_in_item(self, text, title):
        return _("「%(title)s」に順序 %(order)s の施策はありません。") % {"title": title, "order": text}

    def label(self, obj):
        return obj.order


class IndicatorWidget(ItemPartWidget):
    what = _("指標")

    def load(self):
        indicators = Indicator.objects.select_related("project")
        return with_item_titles(index(indicators, lambda i: (normalise_key(i.project.title), normalise_key(i.name))))

    def key(self, text, row):
        return self.item_title(row), normalise_key(text)

    def missing_in_item(self, text, title):
        return _("「%(title)s」に指標「%(name)s」はありません。") % {"title": title, "name": text}


class ProjectResource(NaturalKeyResource):
    """連携項目名・提案市町村・対象市町村・担当部局・県担当課・開始年度・公開. Several
    municipalities, departments or divisions go in one cell separated by 「、」."""

    title = model_field(Project, "title")
    proposers = model_field(Project, "proposers", widget=ManyWidget(OrganizationWidget(), required=True))
    targets = model_field(Project, "targets", widget=ManyWidget(OrganizationWidget()))
    departments = model_field(Project, "departments", widget=ManyWidget(DepartmentWidget(), required=True))
    divisions = model_field(Project, "divisions", widget=ManyWidget(DivisionWidget()))
    first_fiscal_year = model_field(Project, "first_fiscal_year", widget=FiscalYearWidget())
    is_published = model_field(Project, "is_published")

    natural_key = ("title",)
    required_columns = ("提案市町村", "担当部局", "開始年度")
    prefetch_related = ("proposers", "targets", "departments", "divisions")

    class Meta:
        model = Project
        fields = ("title", "proposers", "targets", "departments", "divisions", "first_fiscal_year", "is_published")


class MeasureResultResource(NaturalKeyResource):
    """連携推進項目・年度・施策の順序・施策名・取り組み成果・今後の取組み・進行管理の方法・
    評価・達成状況: one measure's results in one fiscal year."""

    project = related_field("project_year__project__title", PROJECT)
    project_year = model_field(MeasureResult, "project_year", widget=ProjectYearWidget())
    measure = model_field(MeasureResult, "measure", widget=MeasureWidget(), column="施策の順序")
    measure_title = related_field("measure__title", MEASURE_TITLE)
    results = model_field(MeasureResult, "results")
    next_steps = model_field(MeasureResult, "next_steps")
    follow_up = model_field(MeasureResult, "follow_up")
    grade = model_field(MeasureResult, "grade", widget=ChoiceWidget(Grade.choices, render_value=True))  # A/B/C
    achievement = model_field(MeasureResult, "achievement")

    natural_key = ("project_year", "measure")
    key_columns = (PROJECT, "年度", "施策の順序")
    required_columns = (PROJECT,)
    select_related = ("project_year__project", "measure")

    class Meta:
        model = MeasureResult
        use_bulk = True  # rows cleaned one by one, written in batches (see NaturalKeyResource)
        fields = (
            "project",
            "project_year",
            "measure",
            "measure_title",
            "results",
            "next_steps",
            "follow_up",
            "grade",
            "achievement",
        )


class IndicatorValueResource(NaturalKeyResource):
    """連携推進項目・指標名・時点・年度・値・全国順位・備考: a reading at a date (時点) or
    for a fiscal year (年度), one of the two."""

    project = related_field("indicator__project__title", PROJECT)
    indicator = model_field(IndicatorValue, "indicator", widget=IndicatorWidget(), column="指標名")
    date = model_field(IndicatorValue, "date")
    fiscal_year = model_field(IndicatorValue, "fiscal_year", widget=FiscalYearWidget())
    value = model_field(IndicatorValue, "value")
    rank = model_field(IndicatorValue, "rank")
    note = model_field(IndicatorValue, "note")

    natural_key = ("indicator", "date", "fiscal_year")
    key_columns = (PROJECT, "指標名", "時点", "年度")
    optional_key_fields = ("date", "fiscal_year")  # a file may have only one of the two
    # One constraint for each of 時点 and 年度: with exactly one of them set (clean()), a unique
    # natural key makes each unique.
    key_constraints = ("indicator_value_unique_date", "indicator_value_unique_fiscal_year")
    required_columns = (PROJECT, "値")
    error_columns = {"__all__": "時点"}
    select_related = ("indicator__project",)

    class Meta:
        model = IndicatorValue
        use_bulk = True  # rows cleaned one by one, written in batches (see NaturalKeyResource)
        fields = ("project", "indicator", "date", "fiscal_year", "value", "rank", "note")
