from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from onechoice.admin_tools import ServiceAdmin, StackedInline, TabularInline
from onechoice.importing import ImportExportAdminMixin

from .models import (
    DesiredState,
    Highlight,
    Indicator,
    IndicatorValue,
    Measure,
    MeasureResult,
    Milestone,
    Photo,
    Plan,
    Project,
    ProjectYear,
)
from .resources import IndicatorValueResource, MeasureResultResource, ProjectResource


class ProjectYearInline(TabularInline):
    model = ProjectYear
    fields = ["fiscal_year", "status", "grade", "achievement"]
    show_change_link = True


class MeasureInline(TabularInline):
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
    list_filter = ["first_fiscal_year", "years__fiscal_year", "years__status", "departments", "is_published"]
    search_fields = ["title"]
    autocomplete_fields = ["proposers", "targets", "departments", "divisions"]
    inlines = [ProjectYearInline, MeasureInline, IndicatorInline, MilestoneInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("proposers", "departments")

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
    list_display = ["indicator", "period_label", "value", "rank"]
    list_select_related = ["indicator"]
    list_filter = ["indicator__project"]
    search_fields = ["indicator__name"]
    autocomplete_fields = ["indicator"]


@admin.register(Milestone)
class MilestoneAdmin(ServiceAdmin):
    list_display = ["text", "fiscal_year", "month", "project"]
    list_filter = ["fiscal_year", "project"]
    list_select_related = ["project"]
    search_fields = ["text"]
    autocomplete_fields = ["project"]


class DesiredStateInline(StackedInline):
    model = DesiredState
    fields = [("area_number", "area", "label"), ("text", "directions")]


@admin.register(Plan)
class PlanAdmin(ServiceAdmin):
    list_display = ["title", "project", "first_fiscal_year", "last_fiscal_year"]
    list_select_related = ["project"]
    search_fields = ["title"]
    autocomplete_fields = ["project"]
    inlines = [DesiredStateInline]


@admin.register(DesiredState)
class DesiredStateAdmin(ServiceAdmin):
    list_display = ["__str__", "plan"]
    list_select_related = ["plan"]
    list_filter = ["area_number"]
    search_fields = ["text", "directions", "area"]
    autocomplete_fields = ["plan"]
