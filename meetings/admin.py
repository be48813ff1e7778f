from dataclasses import dataclass
from functools import partial

from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminFileWidget
from django.db import models
from django.db.models import Count
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from onechoice.admin_tools import OrderedInlineMixin, ServiceAdmin, ServiceModelForm, TabularInline
from onechoice.importing import ImportExportAdminMixin
from onechoice.jpdates import fiscal_year_label

from . import attendance_admin, materials_admin, preparation, selectors, services
from .models import AgendaItem, Attendance, Handout, Meeting, RosterMember, Seat, SeatingPlan
from .resources import AttendanceResource
from .seating import editor as seating_editor


class AgendaItemInline(OrderedInlineMixin, TabularInline):
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


class HandoutInline(HandoutFileLinks, OrderedInlineMixin, TabularInline):
    model = Handout
    order_field, order_within = "number", "kind"  # 資料1, 2 … and 参考資料1, 2 … apart
    fields = ["kind", "number", "title", "department", "file", "document", "public", "in_packet"]


class AttendanceInline(OrderedInlineMixin, TabularInline):
    model = Attendance
    order_field = "protocol_order"
    fields = ["protocol_order", "group", "organization", "title", "name", "status", "proxy_title", "proxy_name"]
    ordering = ["protocol_order"]


class MeetingForm(ServiceModelForm):
    def clean(self):
        cleaned = super().clean()
        # The date is decided: the planned month no longer applies. meeting_save clears it too;
        # here it is cleared before validation, and the user is told (MeetingAdmin.save_model).
        planned = Meeting(
            date=cleaned.get("date"),
            planned_year=cleaned.get("planned_year"),
            planned_month=cleaned.get("planned_month"),
            planned_period=cleaned.get("planned_period") or "",
        )
        self.cleared_plan = planned.settle_schedule()
        if self.cleared_plan is not None or planned.planned_period != (cleaned.get("planned_period") or ""):
            cleaned.update(planned_year=None, planned_month=None, planned_period="")
        return cleaned


@admin.register(Meeting)
class MeetingAdmin(ServiceAdmin):
    form = MeetingForm
    change_form_template = "admin/meetings/meeting/change_form.html"
    list_display = ["__str__", "date", "planned_label", "status", "mode", "kind", "attendee_count", "is_published"]
    list_filter = ["fiscal_year", "kind", "status", "mode", "is_published"]
    search_fields = ["title", "venue", "planned_topics"]
    ordering = ["-fiscal_year", "date", "planned_year", "planned_month"]
    readonly_fields = ["print_links", "attendance_board", "material_board"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    ("fiscal_year", "kind", "number"),
                    "title",
                    ("status", "is_published"),
                    "print_links",
                ]
            },
        ),
        (_("日時・場所"), {"fields": ["date", ("start_time", "end_time"), ("mode", "venue")]}),
        (
            _("日程未定の予定会議"),
            {
                "fields": [("planned_year", "planned_month", "planned_period"), "planned_topics"],
                "classes": ["collapse"],
                "description": _("開催日を入力すると、予定年・予定月は自動で消去されます。"),
            },
        ),
        (_("出欠照会"), {"fields": ["attendance_board"]}),  # meetings/attendance_admin.py
        (_("資料提出"), {"fields": ["material_board"]}),  # meetings/materials_admin.py
    ]
    inlines = [AgendaItemInline, HandoutInline, AttendanceInline]

    def get_urls(self):
        own = [
            path(
                "<path:object_id>/roster/",
                self.admin_site.admin_view(partial(preparation.attendees_from_roster_view, self)),
                name="meetings_meeting_roster",
            ),
            path(
                "<path:object_id>/copy/",
                self.admin_site.admin_view(partial(preparation.meeting_copy_view, self)),
                name="meetings_meeting_copy",
            ),
            path(
                "<path:object_id>/attendance-reminders/",
                self.admin_site.admin_view(partial(attendance_admin.reminders_view, self)),
                name="meetings_meeting_attendance_reminders",
            ),
            path(
                "<path:object_id>/attendance-replies.csv",
                self.admin_site.admin_view(partial(attendance_admin.board_csv_view, self)),
                name="meetings_meeting_attendance_csv",
            ),
            path(
                "<path:object_id>/materials/request/",
                self.admin_site.admin_view(partial(materials_admin.material_request_view, self)),
                name="meetings_meeting_material_request",
            ),
            path(
                "<path:object_id>/materials/accept/",
                self.admin_site.admin_view(partial(materials_admin.material_accept_view, self)),
                name="meetings_meeting_material_accept",
            ),
            path(
                "<path:object_id>/materials/return/",
                self.admin_site.admin_view(partial(materials_admin.material_return_view, self)),
                name="meetings_meeting_material_return",
            ),
            path(
                "<path:object_id>/seating/",
                self.admin_site.admin_view(partial(seating_editor.seating_editor_view, self)),
                name="meetings_meeting_seating",
            ),
        ]
        return own + super().get_urls()

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(attendee_total=Count("attendances"))

    def get_search_results(self, request, queryset, search_term):
        # 「第1回」「令和4年度」「R4」「2022」「本部会議」 as a person says them (also in the
        # meeting pickers of the other admin pages, which search here).
        if not search_term.strip():
            return queryset, False
        return queryset.filter(selectors.meeting_search(search_term)), False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        cleared = getattr(form, "cleared_plan", None)
        if cleared is not None:
            self.message_user(
                request,
                _("開催日が決まったので、予定時期（%(planned)s）を消去しました。") % {"planned": cleared},
                messages.INFO,
            )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if add:
            context["copy_sources"] = Meeting.objects.order_by("-fiscal_year", "-date", "-number")[:3]
        return super().render_change_form(request, context, add, change, form_url, obj)

    @admin.display(description=_("出席者数"), ordering="attendee_total")
    def attendee_count(self, obj):
        return obj.attendee_total

    @admin.display(description=_("印刷"))
    def print_links(self, obj):
        if not obj.pk:
            return _("保存すると、次第・出席者名簿・配席図・会議資料一式を印刷できます。")
        states = [
            (state.url, state.label, "最新" if state.is_current else "変更あり・印刷時に作成")
            for state in selectors.print_states(obj)
        ]
        buttons = format_html_join(
            "", '<a class="print-button" href="{}" target="_blank">{}（PDF）<small>{}</small></a>', states
        )
        seating = format_html(
            '<a class="print-button" href="{}">配席を編集</a>', reverse("admin:meetings_meeting_seating", args=[obj.pk])
        )
        return format_html('<span class="print-buttons">{}{}</span>', buttons, seating)

    @admin.display(description=_("回答状況"))
    def attendance_board(self, obj):
        return attendance_admin.attendance_board(obj)

    @admin.display(description=_("提出状況"))
    def material_board(self, obj):
        return materials_admin.material_board(obj)

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
    list_display = ["numbered_label", "title", "meeting", "department", "public", "in_packet"]
    list_filter = ["meeting__fiscal_year", "kind", "public", "in_packet", "department"]
    list_select_related = ["meeting", "department"]
    search_fields = ["title"]
    autocomplete_fields = ["meeting", "department"]

    @admin.display(description=_("番号"), ordering="number")
    def numbered_label(self, obj):
        return obj.label


@admin.register(Attendance)
class AttendanceAdmin(ImportExportAdminMixin, ServiceAdmin):
    resource_classes = [AttendanceResource]
    list_display = ["protocol_order", "title", "name", "group", "status", "organization", "meeting"]
    list_filter = ["meeting__fiscal_year", "meeting", "group", "status"]
    list_select_related = ["meeting", "organization"]
    search_fields = ["name", "title", "proxy_name", "organization__name"]
    autocomplete_fields = ["meeting", "organization", "official"]
    ordering = ["meeting", "protocol_order"]

    def export_subject(self, request):
        # A list filtered to one meeting exports as 令和3年度第4回本部会議_出席者_….csv.
        meeting = self.filtered_object(request, "meeting")
        return f"{fiscal_year_label(meeting.fiscal_year)}{meeting.name}" if meeting else ""


class SeatInline(OrderedInlineMixin, TabularInline):
    model = Seat
    order_field, order_within = "position", "side"  # the order along each side of the table
    fields = ["attendance", "side", "position"]
    ordering = ["side", "position"]

    parent_limited_choices = {"attendance": "meeting__seating_plan"}

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("attendance")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        # A proxied seat is labelled with the deputy who sits there, not the absent mayor
        # (set before the choices are built, and cached, by the mixins).
        if db_field.name == "attendance":
            kwargs["form_class"] = seating_editor.PresentPersonChoiceField
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


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

    def has_module_permission(self, request):
        # Not in the menu beside 「配席」: seats are moved in the seating editor and the plan's
        # inline. The pages stay (and keep their permissions) for links and history.
        return False


@admin.register(RosterMember)
class RosterMemberAdmin(ServiceAdmin):
    list_display = ["protocol_order", "title", "organization", "group", "is_active"]
    list_display_links = ["title"]
    list_filter = ["group", "is_active"]
    list_select_related = ["organization"]
    search_fields = ["title", "organization__name"]
    ordering = ["protocol_order"]
