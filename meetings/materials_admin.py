"""The secretariat's side of material submissions (資料提出) in the admin: the board on the
meeting's page (every slot at a glance: 資料N, title, asked of, deadline, state, who sent it
and when, the late ones and the ones still missing from the packet listed apart), the page that
asks a department or an organisation for a material, and the 「確定」 / 「差戻し」 buttons.
Thin: the writes are meetings.services'; the routes take the meeting's change permission (404
for a missing meeting, 403 for who may not change it) and the services refuse anybody but the
secretariat."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from onechoice.concurrency import version_token
from onechoice.models import Department, Organization

from . import preparation, selectors, services
from .models import HandoutKind, MailKind, MaterialRequest, Meeting


def _board_url(meeting: Meeting) -> str:
    return reverse("admin:meetings_meeting_change", args=[meeting.pk]) + "#material-board"


def material_board(meeting: Meeting) -> str:
    """The board of the meeting's material slots, or how to start one (HTML). It sits inside
    the meeting's form: its buttons post with formaction (no nested form), each slot's
    version token and comment travel under names of their own."""
    board = selectors.material_board(meeting.pk) if meeting.pk else None
    rows = [(slot, version_token(slot)) for slot in board.slots] if board else []
    return render_to_string(
        "admin/meetings/meeting/_material_board.html",
        {
            "meeting": meeting,
            "board": board,
            "rows": rows,
            "sent_mail_url": reverse("admin:meetings_sentmail_changelist")
            + f"?kind__exact={MailKind.MATERIAL_REQUEST}",
        },
    )


class MaterialRequestForm(forms.Form):
    """What the secretariat asks for: the slot (資料N / 参考資料N and its title), of whom, by when."""

    kind = forms.ChoiceField(label=gettext_lazy("種別"), choices=HandoutKind.choices, initial=HandoutKind.MATERIAL)
    number = forms.IntegerField(
        label=gettext_lazy("番号"),
        required=False,
        min_value=1,
        max_value=32767,
        help_text=gettext_lazy(
            "空欄のときは、その種別の次の番号にします。同じ番号の配付資料（PDF未登録）があれば、その資料の提出を依頼します。"
        ),
    )
    title = forms.CharField(label=gettext_lazy("資料名"), max_length=200)
    department = forms.ModelChoiceField(
        label=gettext_lazy("依頼先の部局"),
        queryset=Department.objects.all(),
        required=False,
        help_text=gettext_lazy("県の部局に依頼するとき。その部局の課に所属するユーザーにメールします。"),
    )
    organization = forms.ModelChoiceField(
        label=gettext_lazy("依頼先の団体"),
        queryset=Organization.objects.all(),
        required=False,
        help_text=gettext_lazy(
            "市町村などに依頼するとき（部局か団体のどちらか一方）。その団体のユーザーにメールします。"
        ),
    )
    deadline = forms.DateField(label=gettext_lazy("提出期限"), widget=forms.DateInput(attrs={"type": "date"}))
    message = forms.CharField(
        label=gettext_lazy("依頼文"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("依頼メールと提出画面に表示します。"),
    )


def material_request_view(model_admin, request, object_id):
    """「資料の提出を依頼」: the form; on POST the slot and its request (the mail goes out after
    the commit), back to the meeting's board."""
    meeting = preparation._meeting_for_change(model_admin, request, object_id)
    form = MaterialRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            material = services.material_request_open(meeting=meeting, user=request.user, **data)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            text = _("%(label)s「%(title)s」の提出を%(party)sに依頼しました。依頼メールを送信します。") % {
                "label": material.handout.label,
                "title": material.handout.title,
                "party": material.asked_of,
            }
            model_admin.message_user(request, text, messages.SUCCESS)
            return HttpResponseRedirect(_board_url(meeting))
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Meeting._meta,
        "title": _("資料の提出を依頼: %(meeting)s") % {"meeting": meeting},
        "meeting": meeting,
        "form": form,
    }
    return TemplateResponse(request, "admin/meetings/meeting/material_request.html", context)


def _posted_slot(meeting: Meeting, request) -> MaterialRequest | None:
    slot = request.POST.get("slot", "")
    if not slot.isdigit():
        return None
    return (
        MaterialRequest.objects.filter(pk=int(slot), handout__meeting_id=meeting.pk).select_related("handout").first()
    )


def _review_view(model_admin, request, object_id, review):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    meeting = preparation._meeting_for_change(model_admin, request, object_id)
    slot = _posted_slot(meeting, request)
    if slot is None:
        model_admin.message_user(request, _("この会議に、その資料提出の依頼はありません。"), messages.ERROR)
        return HttpResponseRedirect(_board_url(meeting))
    version = request.POST.get(f"material-{slot.pk}-version", "")
    try:
        text = review(slot, version, request.POST.get(f"material-{slot.pk}-comment", ""))
    except ValidationError as error:
        for message in error.messages:
            model_admin.message_user(request, f"{slot.handout.label}: {message}", messages.ERROR)
    else:
        model_admin.message_user(request, text, messages.SUCCESS)
    return HttpResponseRedirect(_board_url(meeting))


def material_accept_view(model_admin, request, object_id):
    """POST 「確定」 of the slot ``slot``: its submitted file becomes the handout's."""

    def accept(slot, version, _comment):
        services.material_accept(material_request=slot, user=request.user, version=version)
        return _("%(label)s「%(title)s」を確定しました。資料一式に綴じられます。") % {
            "label": slot.handout.label,
            "title": slot.handout.title,
        }

    return _review_view(model_admin, request, object_id, accept)


def material_return_view(model_admin, request, object_id):
    """POST 「差戻し」 of the slot ``slot`` with its comment, mailed to the asked party."""

    def send_back(slot, version, comment):
        services.material_return(material_request=slot, user=request.user, comment=comment, version=version)
        return _("%(label)s「%(title)s」を差し戻しました。コメントをメールで送ります。") % {
            "label": slot.handout.label,
            "title": slot.handout.title,
        }

    return _review_view(model_admin, request, object_id, send_back)
