from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from onechoice.admin_tools import ServiceAdmin, TabularInline
from onechoice.importing import ImportExportAdminMixin

from .models import WorkingGroup, WorkingGroupSession
from .resources import WorkingGroupSessionResource


class SessionInline(TabularInline):
    model = WorkingGroupSession
    fields = ["date", "status", "planned_year", "planned_month", "planned_period", "kind", "name", "note"]
    ordering = ["date", "planned_year", "planned_month"]


@admin.register(WorkingGroup)
class WorkingGroupAdmin(ServiceAdmin):
    list_display = ["scope_summary", "project", "lead_department", "session_count"]
    list_filter = ["project", "departments"]
    list_select_related = ["project", "lead_department"]
    search_fields = ["scope", "project__title", "note"]
    autocomplete_fields = ["project", "lead_department", "departments", "members"]
    inlines = [SessionInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(session_total=Count("sessions"))

    @admin.display(description=_("WG設置区分"), ordering="scope")
    def scope_summary(self, obj):
        return obj.scope.splitlines()[0] if obj.scope else ""

    @admin.display(description=_("開催回数"), ordering="session_total")
    def session_count(self, obj):
        return obj.session_total


@admin.register(WorkingGroupSession)
class SessionAdmin(ImportExportAdminMixin, ServiceAdmin):
    resource_classes = [WorkingGroupSessionResource]
    list_display = ["when", "display_name", "kind", "status", "working_group", "note"]
    list_filter = ["status", "kind", "working_group__project"]
    list_select_related = ["working_group__project"]
    search_fields = ["name", "note", "working_group__scope", "working_group__project__title"]
    autocomplete_fields = ["working_group"]
    date_hierarchy = "date"

    @admin.display(description=_("開催日"), ordering="date")
    def when(self, obj):
        return obj.when_label
