"""The secretariat's side of attendance requests (出欠照会) in the admin: opening a request,
the response board on the meeting's page (回答済 12 / 17, who answered and when, the open
ones first), 「未回答の団体に再送」 and its CSV export, and the record of sent mail (read-only).
Thin: the writes are meetings.services'."""

from __future__ import annotations

import csv

from django.contrib import admin, messages
from django.http import HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from onechoice.admin_tools import ServiceAdmin

from . import preparation, selectors, services
from .models import AttendanceRequest, SentMail


def attendance_board(meeting) -> str:
    """The response board of the meeting's request, or the link to open one (HTML)."""
    request = AttendanceRequest.objects.filter(meeting_id=meeting.pk).first() if meeting.pk else None
    board = selectors.response_board(request) if request else None
    return render_to_string(
        "admin/meetings/meeting/_attendance_board.html",
        {
            "meeting": meeting,
            "attendance_request": request,
            "board": board,
            "open_url": reverse("admin:meetings_attendancerequest_add") + f"?meeting={meeting.pk}",
        },
    )


def reminders_view(model_admin, request, object_id):
    """POST: 「未回答の団体に再送」 — the request again to every organisation not yet answered."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    meeting = preparation._meeting_for_change(model_admin, request, object_id)
    attendance_request = AttendanceRequest.objects.filter(meeting=meeting).first()
    change_url = reverse("admin:meetings_meeting_change", args=[meeting.pk])
    if attendance_request is None:
        model_admin.message_user(request, "この会議の出欠照会はまだありません。", messages.ERROR)
        return HttpResponseRedirect(change_url)
    pending = services.attendance_reminders_send(request=attendance_request)
    if pending:
        text = f"未回答の {len(pending)} 団体に出欠照会を再送しました（送信結果は「送信メール」で確認できます）。"
        model_admin.message_user(request, text, messages.SUCCESS)
    else:
        model_admin.message_user(request, "未回答の団体はありません。", messages.INFO)
    return HttpResponseRedirect(change_url + "#attendance-board")


def board_csv_view(model_admin, request, object_id):
    """The response board as CSV (UTF-8 with BOM, for Excel), for the secretariat."""
    meeting = preparation._meeting_for_change(model_admin, request, object_id)
    attendance_request = AttendanceRequest.objects.filter(meeting=meeting).first()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="attendance-replies-{meeting.pk}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(["団体", "状況", "回答日時", "回答した人", "連絡事項"])
    if attendance_request is not None:
        for reply in selectors.response_board(attendance_request).replies:
            who = reply.answered_by
            writer.writerow(
                [
                    reply.organization.name,
                    "回答済" if reply.answered_at else "未回答",
                    reply.answered_at.astimezone().strftime("%Y-%m-%d %H:%M") if reply.answered_at else "",
                    f"{who.last_name} {who.first_name}".strip() or who.username if who else "",
                    reply.note,
                ]
            )
    return response


@admin.register(AttendanceRequest)
class AttendanceRequestAdmin(ServiceAdmin):
    list_display = ["meeting", "deadline", "summary", "opened_at"]
    fields = ["meeting", "deadline", "message", "organizations", "opened_at", "opened_by"]
    readonly_fields = ["opened_at", "opened_by"]
    autocomplete_fields = ["meeting"]
    filter_horizontal = ["organizations"]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), *(["meeting"] if obj else [])]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("meeting")

    def save_model(self, request, obj, form, change):
        if not change and request.user.is_authenticated:
            obj.opened_by = request.user
        super().save_model(request, obj, form, change)
        if not change:
            self.message_user(request, "出欠照会を開始しました。照会メールを送信します。", messages.SUCCESS)

    def response_add(self, request, obj, post_url_continue=None):
        return HttpResponseRedirect(
            reverse("admin:meetings_meeting_change", args=[obj.meeting_id]) + "#attendance-board"
        )

    @admin.display(description=_("回答状況"))
    def summary(self, obj):
        return selectors.response_board(obj).summary


@admin.register(SentMail)
class SentMailAdmin(ServiceAdmin):
    """What the portal sent: read-only, for everybody who sees the admin."""

    list_display = ["sent_at", "kind", "to", "subject", "result"]
    list_filter = ["kind", "result"]
    search_fields = ["to", "subject"]
    readonly_fields = ["kind", "to", "subject", "sent_at", "result", "error", "request", "organization"]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
