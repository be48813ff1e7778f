from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils.text import Truncator
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


def working_group_label(group: WorkingGroup) -> str:
    """防災・危機管理体制の連携・強化 — ①避難所などの広域的な利用による… : the item first (nine WGs
    share a handful of items, and a WG's scope alone does not say whose it is), then the
    scope's first line ("…" when there is more)."""
    lines = [line.strip().lstrip("・") for line in group.scope.splitlines() if line.strip()]
    scope = Truncator(lines[0] if lines else "").chars(32)
    if len(lines) > 1 and not scope.endswith("…"):
        scope += "…"
    return f"{group.project.title} — {scope}" if scope else group.project.title


class WorkingGroupChoiceField(forms.ModelChoiceField):
    """The WG dropdown of a session: labelled by item and scope; a WG that exists but is not
    offered — another division's, for division staff — is refused saying why."""

    default_error_messages = {
        "not_own": _("この WG は自課の連携推進項目のものではないため選べません。"),
    }

    def label_from_instance(self, obj):
        return working_group_label(obj)

    def to_python(self, value):
        try:
            return super().to_python(value)
        except ValidationError as error:
            exists = str(value).isdigit() and WorkingGroup.objects.filter(pk=value).exists()
            if error.code == "invalid_choice" and exists:
                raise ValidationError(self.error_messages["not_own"], code="not_own") from None
            raise


@admin.register(WorkingGroupSession)
class SessionAdmin(ImportExportAdminMixin, ServiceAdmin):
    resource_classes = [WorkingGroupSessionResource]
    list_display = ["when", "display_name", "kind", "status", "working_group", "note"]
    list_filter = ["status", "kind", "working_group__project"]
    list_select_related = ["working_group__project"]
    search_fields = ["name", "note", "working_group__scope", "working_group__project__title"]
    date_hierarchy = "date"

    @admin.display(description=_("開催日"), ordering="date")
    def when(self, obj):
        return obj.when_label

    @admin.display(description=_("会議名"), ordering="name")
    def display_name(self, obj):
        return obj.display_name

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # A dropdown, not an autocomplete: the choices are a few WGs, limited to the user's
        # own items for division staff (ServiceAdmin, onechoice.permissions.choosable_by).
        if db_field.name == "working_group":
            kwargs["form_class"] = WorkingGroupChoiceField
            kwargs["queryset"] = WorkingGroup.objects.select_related("project").order_by(
                "project__first_fiscal_year", "project", "order"
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
