"""The secretariat's side of 提案受付 in the admin: calls for proposals (opening one mails the
municipalities), the submitted proposals (read-only: their texts are the municipality's), and
each proposal's review page — 受付, a comment (調整中), 採択 into a new or a continuing item, or
見送り. Drafts are the municipality's own and never appear here. Thin: the writes are
proposals.services'."""

from __future__ import annotations

from functools import partial

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from onechoice import jpdates
from onechoice.admin_tools import ServiceAdmin
from onechoice.models import Department, Division
from projects.models import Project

from . import services
from .models import Proposal, ProposalCall, ProposalState


@admin.register(ProposalCall)
class ProposalCallAdmin(ServiceAdmin):
    list_display = ["__str__", "deadline", "proposal_count", "opened_at"]
    fields = ["fiscal_year", "deadline", "message", "opened_at", "opened_by"]
    readonly_fields = ["opened_at", "opened_by"]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), *(["fiscal_year"] if obj else [])]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.opened_by = request.user
        super().save_model(request, obj, form, change)
        if not change:
            self.message_user(request, "提案募集を開始しました。各市町村に募集メールを送信します。", messages.SUCCESS)

    @admin.display(description=_("提出された提案"))
    def proposal_count(self, obj):
        return obj.proposals.submitted().count()


class CommentForm(forms.Form):
    text = forms.CharField(label="提案市町村へのコメント", widget=forms.Textarea(attrs={"rows": 3, "cols": 60}))


class AdoptForm(forms.Form):
    NEW, CONTINUING = "new", "continuing"
    mode = forms.ChoiceField(
        label="採択のしかた",
        choices=[(NEW, "新しい連携推進項目（新規）にする"), (CONTINUING, "継続中の連携推進項目に加える")],
        widget=forms.RadioSelect,
        initial=NEW,
    )
    title = forms.CharField(label="連携推進項目名", max_length=200, required=False, help_text="空欄なら提案のテーマ")
    departments = forms.ModelMultipleChoiceField(
        label="担当部局",
        queryset=Department.objects.order_by("protocol_order"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    divisions = forms.ModelMultipleChoiceField(
        label="県担当課",
        queryset=Division.objects.select_related("department"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    project = forms.ModelChoiceField(label="継続中の連携推進項目", queryset=Project.objects.all(), required=False)
    selection_reason = forms.CharField(label="選定理由", widget=forms.Textarea(attrs={"rows": 3, "cols": 60}))
    publish = forms.BooleanField(label="連携推進項目を公開する", required=False, initial=True)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("mode") == self.CONTINUING and not cleaned.get("project"):
            self.add_error("project", "加える連携推進項目を選んでください。")
        if cleaned.get("mode") == self.NEW and not cleaned.get("departments"):
            self.add_error("departments", "担当部局を1つ以上選んでください。")
        return cleaned


class DeclineForm(forms.Form):
    reason = forms.CharField(label="見送りの理由", widget=forms.Textarea(attrs={"rows": 3, "cols": 60}))


@admin.register(Proposal)
class ProposalAdmin(ServiceAdmin):
    list_display = ["title", "organization", "fiscal_year_label", "state", "submitted_at", "review_link"]
    list_filter = ["state", "call"]
    search_fields = ["title", "organization__name"]
    list_select_related = ["organization", "call"]
    readonly_fields = [
        "review_link",
        "call",
        "organization",
        "co_proposers",
        "state",
        "title",
        "goal",
        "current_situation",
        "issues",
        "concrete_measures",
        "expected_effects",
        "targets_label",
        "target_note",
        "department",
        "department_note",
        "submitted_at",
        "submitted_by",
        "selection_reason",
        "decline_reason",
        "project",
        "decided_at",
        "decided_by",
    ]
    fields = readonly_fields

    def get_queryset(self, request):
        return super().get_queryset(request).submitted()

    def has_add_permission(self, request):
        return False  # proposals are written by the municipalities, in the portal

    def has_change_permission(self, request, obj=None):
        return False  # their texts are the municipality's; the review page changes the state

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        review = path(
            "<path:object_id>/review/",
            self.admin_site.admin_view(partial(review_view, self)),
            name="proposals_proposal_review",
        )
        return [review, *super().get_urls()]

    @admin.display(description=_("年度"), ordering="call__fiscal_year")
    def fiscal_year_label(self, obj):
        return jpdates.fiscal_year_label(obj.call.fiscal_year)

    @admin.display(description=_("共同提案"))
    def co_proposers(self, obj):
        return "、".join(s.organization.name for s in obj.supports.select_related("organization")) or "—"

    @admin.display(description=_("対象市町村（案）"))
    def targets_label(self, obj):
        return "、".join(o.name for o in obj.targets.all()) or "—"

    @admin.display(description=_("審査"))
    def review_link(self, obj):
        if not obj.pk:
            return ""
        url = reverse("admin:proposals_proposal_review", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, "審査する" if obj.is_under_review else "審査の記録")


REVIEW_ACTIONS = ("receive", "comment", "adopt", "decline")


def review_view(model_admin, request, object_id):
    """The review page of one submitted proposal; POST ``action`` = receive / comment / adopt
    / decline. Only the secretariat reviews (403 for anybody else who sees the admin)."""
    proposal = model_admin.get_object(request, object_id)
    if proposal is None:
        raise Http404
    if not services.is_secretariat(request.user):
        raise PermissionDenied
    forms_ = {
        "comment": CommentForm(prefix="comment"),
        "adopt": AdoptForm(
            prefix="adopt",
            initial={
                "departments": [proposal.department_id] if proposal.department_id else [],
                "title": proposal.title,
            },
        ),
        "decline": DeclineForm(prefix="decline"),
    }
    if request.method == "POST":
        action = request.POST.get("action")
        if action not in REVIEW_ACTIONS:
            raise Http404
        done = _review(request, proposal, action, forms_)
        if done is not None:
            model_admin.message_user(request, done, messages.SUCCESS)
            return HttpResponseRedirect(reverse("admin:proposals_proposal_review", args=[proposal.pk]))
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Proposal._meta,
        "title": f"提案の審査: {proposal.title}",
        "proposal": proposal,
        "supports": list(proposal.supports.select_related("organization")),
        "comments": list(proposal.comments.select_related("author")),
        "forms": forms_,
        "under_review": proposal.is_under_review,
        "submitted": proposal.state == ProposalState.SUBMITTED,
    }
    status = 400 if request.method == "POST" else 200
    return TemplateResponse(request, "admin/proposals/proposal/review.html", context, status=status)


def _review(request, proposal, action, forms_) -> str | None:
    """Run the action; its message, or None with the errors on its form."""
    user = request.user
    form = None
    try:
        if action == "receive":
            services.proposal_receive(proposal=proposal, user=user)
            return "提案を受け付けました。"
        form = forms_[action] = type(forms_[action])(request.POST, prefix=action)
        if not form.is_valid():
            return None
        data = form.cleaned_data
        if action == "comment":
            services.proposal_comment(proposal=proposal, user=user, text=data["text"])
            return "コメントを送りました（提案市町村にメールで知らせます）。状態は「調整中」です。"
        if action == "decline":
            services.proposal_decline(proposal=proposal, user=user, reason=data["reason"])
            return "見送りにしました（提案市町村にメールで知らせます）。"
        project = services.proposal_adopt(
            proposal=proposal,
            user=user,
            selection_reason=data["selection_reason"],
            project=data["project"] if data["mode"] == AdoptForm.CONTINUING else None,
            title=data["title"],
            departments=data["departments"],
            divisions=data["divisions"],
            publish=data["publish"],
        )
        label = jpdates.fiscal_year_label(proposal.call.fiscal_year)
        return f"採択しました。{label}の連携推進項目「{project.title}」に反映しました。"
    except ValidationError as error:
        if form is None:
            for text in error.messages:
                messages.error(request, text)
        elif hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, error)
        return None
