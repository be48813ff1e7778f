from dataclasses import dataclass

from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminFileWidget
from django.db import models
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from onechoice.admin_tools import ServiceAdmin, TabularInline
from onechoice.importing import ImportExportAdminMixin

from . import services
from .models import AgendaItem, Attendance, Handout, Meeting, Seat, SeatingPlan
from .resources import AttendanceResource


class AgendaItemInline(TabularInline):
    model = AgendaItem
    fields = ["order", "section", "title", "presenter", "project"]


# --- handout files: linked to the download view, never to /media/ ----------------------------


def handout_download(handout: Handout) -> tuple[str, str] | None:
    """(the permission-checked download URL, the name shown) of a stored handout's PDF."""
    if not handout.pk or not handout.file:
        return None
    return reverse("meetings:handout_file", args=[handout.pk]), f"{handout.label}_{handout.title}.pdf"


@dataclass(frozen=True)
class _Download:
    url: str
    name: str

    def __str__(self):
        return self.name


class HandoutFileWidget(AdminFileWidget):
    """The admin's file input, whose 「現在」 link is meetings:handout_file (which checks who
    may see the file) and shows the handout's name, not the stored (random) file name."""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        if context["widget"]["is_initial"]:
            download = handout_download(getattr(value, "instance", None) or Handout())
            if download is None:
                context["widget"]["is_initial"] = False
            else:
                context["widget"]["value"] = _Download(*download)
        return context


class HandoutFileLinks:
    """For the handout admin and the meeting's handout inline: the file input above when the
    user may change the handout, else a read-only link to the download view (Django's
    read-only file field would link to /media/)."""

    formfield_overrides = {models.FileField: {"widget": HandoutFileWidget}}

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if self.has_change_permission(request, obj):
            return fields
        return list(dict.fromkeys("file_link" if f == "file" else f for f in fields))

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        return readonly if self.has_change_permission(request, obj) else [*readonly, "file_link"]

    @admin.display(description=_("PDFファイル"))
    def file_link(self, obj):
        download = handout_download(obj)
        return format_html('<a href="{}">{}</a>', *download) if download else ""


class HandoutInline(HandoutFileLinks, TabularInline):
    model = Handout
    fields = ["kind", "number", "title", "department", "file", "document", "public", "in_packet"]


class AttendanceInline(TabularInline):
    model = Attendance
    fields = ["protocol_order", "group", "organization", "title", "name", "status", "proxy_title", "proxy_name"]
    ordering = ["protocol_order"]


@admin.register(Meeting)
class MeetingAdmin(ServiceAdmin):
    list_display = ["__str__", "date", "planned_label", "status", "mode", "kind", "attendee_count", "is_published"]
    list_filter = ["fiscal_year", "kind", "status", "mode", "is_published"]
    search_fields = ["title", "venue", "planned_topics"]
    ordering = ["-fiscal_year", "date", "planned_year", "planned_month"]
    readonly_fields = ["print_links"]
    fieldsets = [
        (None, {"fields": ["fiscal_year", "kind", "number", "title", "status", "is_published", "print_links"]}),
        (_("日時・場所"), {"fields": ["date", "start_time", "end_time", "mode", "venue"]}),
        (
            _("日程未定の予定会議"),
            {"fields": ["planned_year", "planned_month", "planned_period", "planned_topics"]},
        ),
    ]
    inlines = [AgendaItemInline, HandoutInline, AttendanceInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(attendee_total=Count("attendances"))

    @admin.display(description=_("出席者数"), ordering="attendee_total")
    def attendee_count(self, obj):
        return obj.attendee_total

    @admin.display(description=_("印刷"))
    def print_links(self, obj):
        if not obj.pk:
            return _("保存すると、次第・出席者名簿・配席図・会議資料一式を印刷できます。")
        links = [
            (reverse(f"meetings:{name}_pdf", args=[obj.pk]), label)
            for name, label in [
                ("agenda", "次第"),
                ("attendees", "出席者名簿"),
                ("seating", "配席図"),
                ("packet", "会議資料一式"),
            ]
        ]
        return format_html_join("　", '<a href="{}" target="_blank">{}（PDF）</a>', links)

    @admin.display(description=_("予定時期"))
    def planned_label(self, obj):
        return obj.planned_date.month_label if obj.planned_date else ""


@admin.register(AgendaItem)
class AgendaItemAdmin(ServiceAdmin):
    list_display = ["title", "meeting", "order", "section", "presenter"]
    list_filter = ["meeting__fiscal_year", "section"]
    list_select_related = ["meeting"]
    search_fields = ["title", "presenter"]
    autocomplete_fields = ["meeting", "project"]


@admin.register(Handout)
class HandoutAdmin(HandoutFileLinks, ServiceAdmin):
    list_display = ["label", "title", "meeting", "department", "public", "in_packet"]
    list_filter = ["meeting__fiscal_year", "kind", "public", "in_packet", "department"]
    list_select_related = ["meeting", "department"]
    search_fields = ["title"]
    autocomplete_fields = ["meeting", "department"]


@admin.register(Attendance)
class AttendanceAdmin(ImportExportAdminMixin, ServiceAdmin):
    resource_classes = [AttendanceResource]
    list_display = ["protocol_order", "title", "name", "group", "status", "organization", "meeting"]
    list_filter = ["meeting__fiscal_year", "group", "status"]
    list_select_related = ["meeting", "organization"]
    search_fields = ["name", "title", "proxy_name", "organization__name"]
    autocomplete_fields = ["meeting", "organization", "official"]
    ordering = ["meeting", "protocol_order"]


class SeatInline(TabularInline):
    model = Seat
    fields = ["attendance", "side", "position"]
    ordering = ["side", "position"]

    parent_limited_choices = {"attendance": "meeting__seating_plan"}

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("attendance")


@admin.register(SeatingPlan)
class SeatingPlanAdmin(ServiceAdmin):
    list_display = ["meeting", "layout", "note"]
    list_select_related = ["meeting"]
    list_filter = ["layout", "meeting__fiscal_year"]
    search_fields = ["meeting__title", "note"]
    autocomplete_fields = ["meeting"]
    inlines = [SeatInline]
    actions = ["place_seats"]

    @admin.action(description=_("席次から自動で配席する（手で決めた席はそのまま）"), permissions=["change"])
    def place_seats(self, request, queryset):
        # The action takes the change permission (Django checks it for the model); each plan
        # is checked again, for the day plans get an object-level scope.
        plans = [plan for plan in queryset.select_related("meeting") if self.has_change_permission(request, plan)]
        for plan in plans:
            services.seats_place_automatically(plan=plan)
        self.message_user(request, _("%(count)d 件の配席を更新しました。") % {"count": len(plans)}, messages.SUCCESS)


@admin.register(Seat)
class SeatAdmin(ServiceAdmin):
    list_display = ["attendance", "plan", "side", "position"]
    list_select_related = ["attendance", "plan__meeting"]
    list_filter = ["side"]
    search_fields = ["attendance__name", "attendance__title"]
    autocomplete_fields = ["plan", "attendance"]
