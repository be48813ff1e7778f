"""The meeting workspace's own admin pages: the attendee list from the HQ roster, and a new
meeting made from a past one. Thin views: the writes are meetings.services'."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onechoice import jpdates

from . import services
from .models import Meeting


def _change_url(meeting: Meeting) -> str:
    return reverse("admin:meetings_meeting_change", args=[meeting.pk])


def _meeting_or_404(model_admin, request, object_id) -> Meeting:
    meeting = model_admin.get_object(request, object_id)  # None for a missing or malformed id
    if meeting is None:
        raise Http404
    return meeting


def _meeting_for_change(model_admin, request, object_id) -> Meeting:
    """The meeting, if the user may change it (404 for a missing one, 403 otherwise)."""
    meeting = _meeting_or_404(model_admin, request, object_id)
    if not model_admin.has_change_permission(request, meeting):
        raise PermissionDenied
    return meeting


def attendees_from_roster_view(model_admin, request, object_id):
    """POST: fill the meeting's attendee list from the HQ roster (``refresh`` also takes the
    roster's holders again for rows not edited by hand)."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    meeting = _meeting_for_change(model_admin, request, object_id)
    try:
        result = services.attendances_from_roster(meeting=meeting, refresh=request.POST.get("refresh") == "1")
    except ValidationError as error:
        for message in error.messages:
            model_admin.message_user(request, message, messages.ERROR)
    else:
        level = messages.WARNING if result.vacant else messages.SUCCESS
        model_admin.message_user(request, result.message, level)
    return HttpResponseRedirect(_change_url(meeting))


class MeetingCopyForm(forms.ModelForm):
    """What the new meeting does not take from the past one: when and which it is."""

    with_files = forms.BooleanField(
        label=gettext_lazy("配付資料のPDFファイルも複製する"),
        required=False,
        help_text=gettext_lazy("外すと資料名・番号だけを複製します（ファイルは後でアップロード）。"),
    )

    class Meta:
        model = Meeting
        fields = ["fiscal_year", "kind", "number", "title", "date", "planned_year", "planned_month", "planned_period"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("date") and (cleaned.get("planned_year") or cleaned.get("planned_month")):
            # The date is decided: the planned month no longer applies (as meeting_save does).
            cleaned["planned_year"] = cleaned["planned_month"] = None
            cleaned["planned_period"] = ""
        return cleaned


def copy_initial(source: Meeting) -> dict:
    """The next meeting of the same kind: the same year and the next number, or, after the
    year's last regular meeting (第4回), the first of the next year."""
    year, number = source.fiscal_year, (source.number or 0) + 1
    later = Meeting.objects.filter(fiscal_year=year, kind=source.kind, number__gte=number).exists()
    if source.number and source.number >= 4 and not later:
        year, number = year + 1, 1
    while Meeting.objects.filter(fiscal_year=year, kind=source.kind, number=number).exists():
        number += 1
    return {"fiscal_year": year, "kind": source.kind, "number": number if source.number else None}


def meeting_copy_view(model_admin, request, object_id):
    """「前回の会議をもとに作成」: a form for the new meeting's year, number and date; on POST
    the new meeting with the past one's agenda, handouts, attendees and seating."""
    source = _meeting_or_404(model_admin, request, object_id)
    if not (model_admin.has_view_permission(request, source) and model_admin.has_add_permission(request)):
        raise PermissionDenied
    form = MeetingCopyForm(request.POST or None, initial=copy_initial(source))
    if request.method == "POST" and form.is_valid():
        meeting = form.save(commit=False)
        try:
            copy = services.meeting_copy(source=source, meeting=meeting, with_files=form.cleaned_data["with_files"])
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            model_admin.message_user(request, copy.message, messages.SUCCESS)
            return HttpResponseRedirect(_change_url(copy.meeting))
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Meeting._meta,
        "title": _("%(meeting)sをもとに新しい会議を作成") % {"meeting": source},
        "source": source,
        "source_year": jpdates.fiscal_year_label(source.fiscal_year),
        "form": form,
        "counts": {
            "agenda": source.agenda_items.count(),
            "handouts": source.handouts.count(),
            "attendees": source.attendances.count(),
        },
    }
    return TemplateResponse(request, "admin/meetings/meeting/copy.html", context)
