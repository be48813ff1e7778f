from functools import partial

from django.contrib import admin
from django.db.models import Max
from django.http import QueryDict
from django.urls import path
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from onechoice import jpdates, permissions
from onechoice.admin_tools import OrderedInlineMixin, ServiceAdmin, StackedInline, TabularInline
from onechoice.importing import ImportExportAdminMixin

from . import plan_admin
from .models import (
    DesiredState,
    Direction,
    ExpectedIssue,
    Highlight,
    Indicator,
    IndicatorValue,
    Lesson,
    Measure,
    MeasureResult,
    Milestone,
    Photo,
    Plan,
    PlanStep,
    Project,
    ProjectYear,
)
from .resources import IndicatorValueResource, MeasureResultResource, ProjectResource
from .selectors import projects_marked_own, projects_of_divisions


def own_division_ids(request) -> list[int]:
    """The divisions of a division staff member (once per request); [] for other roles."""
    if not hasattr(request, "_own_division_ids"):
        is_division = permissions.role_of(request.user) == permissions.Role.DIVISION
        request._own_division_ids = permissions.own_division_ids(request.user) if is_division else []
    return request._own_division_ids


class OwnItemsFilter(admin.SimpleListFilter):
    """「自課の項目」 for division staff: the items of their divisions, chosen until they pick
    「すべて」 (one click). Not offered to users without divisions (the secretariat)."""

    title = _("担当")
    parameter_name = "items"
    OWN, ALL = "own", "all"

    def lookups(self, request, model_admin):
        if not own_division_ids(request):
            return None
        return [(self.OWN, _("自課の項目")), (self.ALL, _("すべて"))]

    def value(self):
        chosen = super().value()
        return chosen if chosen in (self.OWN, self.ALL) else self.OWN

    def queryset(self, request, queryset):
        if self.value() == self.OWN:
            return projects_of_divisions(queryset, division_ids=own_division_ids(request))
        return queryset

    def choices(self, changelist):
        # No Django 「全て」 entry: 「すべて」 is a choice of its own, and the default (no
        # parameter) is 「自課の項目」.
        yield {
            "selected": self.value() == self.OWN,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": _("自課の項目"),
        }
        yield {
            "selected": self.value() == self.ALL,
            "query_string": changelist.get_query_string({self.parameter_name: self.ALL}),
            "display": _("すべて"),
        }


class ProjectYearInline(TabularInline):
    model = ProjectYear
    fields = ["fiscal_year", "status", "grade", "achievement"]
    show_change_link = True


class MeasureInline(OrderedInlineMixin, TabularInline):
    model = Measure
    fields = ["order", "heading", "label", "title"]


class IndicatorInline(TabularInline):
    model = Indicator
    fields = ["order", "name", "unit", "measure", "note"]
    show_change_link = True
    parent_limited_choices = {"measure": "project"}


class MilestoneInline(TabularInline):
    model = Milestone
    fields = ["fiscal_year", "month", "text"]


@admin.register(Project)
class ProjectAdmin(ImportExportAdminMixin, ServiceAdmin):
    resource_classes = [ProjectResource]
    list_display = ["title", "proposer_names", "department_names", "first_fiscal_year", "is_published"]
    list_filter = [
        OwnItemsFilter,
        "first_fiscal_year",
        "years__fiscal_year",
        "years__status",
        "departments",
        "is_published",
    ]
    search_fields = ["title"]
    autocomplete_fields = ["proposers", "targets", "departments", "divisions"]
    inlines = [ProjectYearInline, MeasureInline, IndicatorInline, MilestoneInline]

    def get_queryset(self, request):
        queryset = super().get_queryset(request).prefetch_related("proposers", "departments")
        if own_division_ids(request):
            queryset = projects_marked_own(queryset, division_ids=own_division_ids(request))
        return queryset

    def get_list_display(self, request):
        # Division staff see which items are theirs (「自課」) in a column of its own.
        first, *rest = super().get_list_display(request)
        return [first, "own_mark", *rest] if own_division_ids(request) else [first, *rest]

    @admin.display(description=_("自課"), ordering="is_own")
    def own_mark(self, obj):
        return format_html('<strong class="own-item">{}</strong>', _("自課")) if getattr(obj, "is_own", False) else ""

    @admin.display(description=_("提案市町村"))
    def proposer_names(self, obj):
        return "、".join(o.name for o in obj.proposers.all())

    @admin.display(description=_("担当部局"))
    def department_names(self, obj):
        return "、".join(d.name for d in obj.departments.all())


class MeasureResultInline(StackedInline):
    model = MeasureResult
    fields = [("measure", "follow_up"), ("results", "next_steps"), ("grade", "achievement")]
    parent_limited_choices = {"measure": "project__years"}

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("measure", "project_year")


class HighlightInline(StackedInline):
    model = Highlight
    fields = ["order", "title", ("overview", "points")]
    show_change_link = True


@admin.register(ProjectYear)
class ProjectYearAdmin(ServiceAdmin):
    list_display = ["project", "fiscal_year", "status", "grade", "achievement"]
    list_filter = ["fiscal_year", "status", "grade", "achievement"]
    list_select_related = ["project"]
    search_fields = ["project__title", "goal", "issues"]
    autocomplete_fields = ["project"]
    fieldsets = [
        (None, {"fields": ["project", "fiscal_year", "status", ("grade", "achievement")]}),
        (
            _("協議事項（選定理由・目標・現状と課題・施策・効果）"),
            {
                "fields": [
                    "selection_reason",
                    "goal",
                    "current_situation",
                    "issues",
                    "concrete_measures",
                    "expected_effects",
                ]
            },
        ),
    ]
    inlines = [MeasureResultInline, HighlightInline]


@admin.register(Measure)
class MeasureAdmin(ServiceAdmin):
    list_display = ["__str__", "heading", "project", "order"]
    list_filter = ["project"]
    list_select_related = ["project"]
    search_fields = ["title", "heading", "project__title"]
    autocomplete_fields = ["project"]


@admin.register(MeasureResult)
class MeasureResultAdmin(ImportExportAdminMixin, ServiceAdmin):
    resource_classes = [MeasureResultResource]
    list_display = ["measure", "project_year", "follow_up", "grade", "achievement"]
    list_filter = ["project_year__fiscal_year", "grade", "achievement"]
    list_select_related = ["measure", "project_year__project"]
    search_fields = ["measure__title", "results", "next_steps"]
    autocomplete_fields = ["project_year", "measure"]


class PhotoInline(TabularInline):
    model = Photo
    fields = ["order", "image", "caption"]


@admin.register(Highlight)
class HighlightAdmin(ServiceAdmin):
    list_display = ["title", "project_year", "order"]
    list_filter = ["project_year__fiscal_year"]
    list_select_related = ["project_year__project"]
    search_fields = ["title", "overview", "points"]
    autocomplete_fields = ["project_year"]
    inlines = [PhotoInline]


@admin.register(Photo)
class PhotoAdmin(ServiceAdmin):
    list_display = ["caption", "highlight", "order"]
    list_select_related = ["highlight"]
    search_fields = ["caption"]
    autocomplete_fields = ["highlight"]


class IndicatorValueInline(TabularInline):
    model = IndicatorValue
    fields = ["date", "fiscal_year", "value", "rank", "note"]


@admin.register(Indicator)
class IndicatorAdmin(ServiceAdmin):
    list_display = ["name", "unit", "project", "measure"]
    list_filter = ["project"]
    list_select_related = ["project", "measure"]
    search_fields = ["name", "project__title"]
    autocomplete_fields = ["project", "measure"]
    inlines = [IndicatorValueInline]


@admin.register(IndicatorValue)
class IndicatorValueAdmin(ImportExportAdminMixin, ServiceAdmin):
    resource_classes = [IndicatorValueResource]
    list_display = ["indicator", "period", "value_with_unit", "rank"]
    list_select_related = ["indicator"]
    list_filter = ["indicator__project"]
    search_fields = ["indicator__name"]
    autocomplete_fields = ["indicator"]

    @admin.display(description=_("時点・年度"))
    def period(self, obj):
        return obj.period_label

    @admin.display(description=_("値"), ordering="value")
    def value_with_unit(self, obj):
        return f"{obj.value_label}{obj.indicator.unit}"  # 23.5%, as the sheet and the page print it


@admin.register(Milestone)
class MilestoneAdmin(ServiceAdmin):
    list_display = ["text", "fiscal_year", "month", "project"]
    list_filter = ["fiscal_year", "project"]
    list_select_related = ["project"]
    search_fields = ["text"]
    autocomplete_fields = ["project"]


class DesiredStateInline(TabularInline):
    """The plan's desired states in one table; their 取組みの方向性 are edited all together on
    the plan's 「ありたい姿と取組みの方向性をまとめて編集」 screen (or one state at a time by its
    「変更」 link), since Django's admin does not nest inlines."""

    model = DesiredState
    fields = ["area_number", "area", "order", "label", "text", "direction_list"]
    readonly_fields = ["direction_list"]
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("directions")

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        sizes = {"label": 3, "area": 18}
        if formfield is not None and db_field.name in sizes:
            formfield.widget.attrs.update(size=sizes[db_field.name])
        if formfield is not None and db_field.name == "text":
            formfield.widget.attrs.update(rows=3, cols=48)
        return formfield

    @admin.display(description=_("取組みの方向性（上の「まとめて編集」で編集）"))
    def direction_list(self, obj):
        if not obj.pk:
            return _("保存後に入力します。")
        return format_html_join(mark_safe("<br>"), "・{}", ((d.text,) for d in obj.directions.all()))


class PlanStepInline(OrderedInlineMixin, TabularInline):
    model = PlanStep
    fields = ["order", "fiscal_year", "date", "month", "period", "last_month", "continues", "text"]


class LessonInline(OrderedInlineMixin, TabularInline):
    model = Lesson
    fields = ["order", "issue", "title", "body"]


@admin.register(Plan)
class PlanAdmin(ServiceAdmin):
    list_display = ["title", "project", "first_fiscal_year", "last_fiscal_year"]
    list_select_related = ["project"]
    search_fields = ["title"]
    autocomplete_fields = ["project"]
    fieldsets = [
        (None, {"fields": ["project", ("title", "subtitle"), ("first_fiscal_year", "last_fiscal_year")]}),
        (
            _("計画の内容（位置付け・期間・目標・視点・構造）"),
            {"fields": ["positioning", "period_note", "goal", "viewpoint_lead", "viewpoints", "structure"]},
        ),
    ]
    inlines = [DesiredStateInline, PlanStepInline, LessonInline]
    change_form_template = "admin/projects/plan/change_form.html"

    class Media:
        css = {"all": ["css/admin-plan.css"]}

    def get_urls(self):
        # 「ありたい姿と取組みの方向性をまとめて編集」: the directions of every state of the plan
        # on one screen (projects/plan_admin.py), as the admin cannot nest inlines.
        own = [
            path(
                "<path:object_id>/directions/",
                self.admin_site.admin_view(partial(plan_admin.plan_directions_view, self)),
                name="projects_plan_directions",
            ),
        ]
        return own + super().get_urls()


class DirectionInline(OrderedInlineMixin, TabularInline):
    model = Direction
    fields = ["order", "text"]


@admin.register(DesiredState)
class DesiredStateAdmin(ServiceAdmin):
    list_display = ["__str__", "plan"]
    list_select_related = ["plan"]
    list_filter = ["area_number"]
    search_fields = ["text", "directions__text", "area"]
    autocomplete_fields = ["plan"]
    fields = ["plan", ("area_number", "area"), ("order", "label"), "text"]
    inlines = [DirectionInline]


@admin.register(Direction)
class DirectionAdmin(ServiceAdmin):
    list_display = ["text", "desired_state", "order"]
    list_select_related = ["desired_state"]
    list_filter = ["desired_state__area_number"]
    search_fields = ["text", "desired_state__text"]
    autocomplete_fields = ["desired_state"]


@admin.register(PlanStep)
class PlanStepAdmin(ServiceAdmin):
    list_display = ["text", "fiscal_year", "when", "plan", "order"]
    list_select_related = ["plan"]
    list_filter = ["fiscal_year"]
    search_fields = ["text", "plan__title"]
    autocomplete_fields = ["plan"]

    @admin.display(description=_("時期"))
    def when(self, obj):
        return obj.when_label


@admin.register(Lesson)
class LessonAdmin(ServiceAdmin):
    list_display = ["title", "issue", "plan", "order"]
    list_select_related = ["plan"]
    search_fields = ["title", "issue", "body", "plan__title"]
    autocomplete_fields = ["plan"]


class FiscalYearFilter(admin.SimpleListFilter):
    """The fiscal years that hold rows, newest first, named as the documents name them
    (令和4年度), not as the stored number (2022)."""

    title = _("年度")
    parameter_name = "fiscal_year"

    def lookups(self, request, model_admin):
        years = (
            model_admin.get_queryset(request).order_by("-fiscal_year").values_list("fiscal_year", flat=True).distinct()
        )
        return [(str(year), jpdates.fiscal_year_label(year)) for year in years]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        # A hand-typed ?fiscal_year=R4 (or 20 digits, too large for the database) lists
        # nothing rather than failing the page.
        year = _year_or_none(value)
        return queryset.filter(fiscal_year=year) if year is not None else queryset.none()


def _year_or_none(value) -> int | None:
    """``value`` as a fiscal year (four ASCII digits, 2000–2100), else ``None``."""
    value = str(value or "")
    if len(value) == 4 and value.isascii() and value.isdigit() and 2000 <= int(value) <= 2100:
        return int(value)
    return None


@admin.register(ExpectedIssue)
class ExpectedIssueAdmin(ServiceAdmin):
    """個別課題 by fiscal year, in the order 協議事項 section 2 prints them."""

    list_display = ["title", "year_label", "order"]
    list_display_links = ["title"]
    list_filter = [FiscalYearFilter]
    ordering = ["-fiscal_year", "order"]
    search_fields = ["title"]
    fields = [("fiscal_year", "order"), "title"]

    @admin.display(description=_("年度"), ordering="fiscal_year")
    def year_label(self, obj):
        return jpdates.fiscal_year_label(obj.fiscal_year)

    def get_changeform_initial_data(self, request):
        # A new issue is for the year chosen in the list (else the next fiscal year, whose
        # 協議事項 is prepared now) and goes after that year's last one.
        initial = super().get_changeform_initial_data(request)
        listed = QueryDict(request.GET.get("_changelist_filters", ""))
        year = _year_or_none(request.GET.get("fiscal_year") or listed.get("fiscal_year"))
        if year is None:
            year = jpdates.fiscal_year_of(timezone.localdate()) + 1
        last = ExpectedIssue.objects.filter(fiscal_year=year).aggregate(last=Max("order"))["last"]
        return {**initial, "fiscal_year": year, "order": (last or 0) + 1}
