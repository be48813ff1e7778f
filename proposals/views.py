"""The officers' side of 提案受付 (/projects/proposals/): the list, a proposal, the draft's
form, and the POSTs of the workflow. Personal pages: never from the page cache. A proposal
the user may not see — or may not act on — answers 404, whatever the reason."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from onechoice.http import checked_path, valid_id

from . import selectors, services
from .forms import AttachmentForm, ProposalForm
from .models import Proposal, ProposalAttachment


def _page(pk: int, user) -> selectors.ProposalPage:
    try:
        return selectors.proposal_page(pk, user)
    except Proposal.DoesNotExist:
        raise Http404("この提案はありません。") from None


def proposal_list(request):
    """Own municipality's proposals (drafts too), then the others the user may see; the open
    call with its deadline; 「新しい提案を作成」 for officers while a call is open."""
    listing = selectors.proposal_list(request.user)
    call = services.open_call()
    return render(
        request,
        "proposals/proposal_list.html",
        {"listing": listing, "call": call, "can_propose": bool(call and listing.municipality)},
    )


def proposal_new(request):
    municipality = services.municipality_of(request.user)
    if municipality is None:
        raise Http404("提案できるのは市町村の職員です。")
    call = services.open_call()
    if call is None:
        messages.error(request, "いま受け付けている提案募集はありません。")
        return redirect("proposals:list")
    form = ProposalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            fields = {name: form.cleaned_data[name] for name in ProposalForm.Meta.fields}
            proposal = services.proposal_create(user=request.user, call=call, **fields)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, "下書きを保存しました。内容を確認して「提出する」を押すと事務局に届きます。")
            return redirect(proposal)
    return render(
        request,
        "proposals/proposal_form.html",
        {"form": form, "call": call, "municipality": municipality},
        status=400 if form.errors else 200,
    )


@checked_path(pk=valid_id)
def proposal_detail(request, pk):
    page = _page(pk, request.user)
    return render(
        request,
        "proposals/proposal_detail.html",
        {"page": page, "proposal": page.proposal, "attachment_form": AttachmentForm()},
    )


@checked_path(pk=valid_id)
def proposal_edit(request, pk):
    """The draft's form (its municipality only; 404 after 提出, as for anybody else)."""
    page = _page(pk, request.user)
    proposal = page.proposal
    if not page.is_own or proposal.state != "draft":
        raise Http404("この提案は編集できません。")
    if request.method != "POST":
        form = ProposalForm(instance=proposal)
        return render(
            request, "proposals/proposal_form.html", {"form": form, "proposal": proposal, "call": proposal.call}
        )
    with transaction.atomic():  # the form's version check locks the row until the save commits
        form = ProposalForm(request.POST, instance=proposal)
        if form.is_valid():
            try:
                services.proposal_draft_save(
                    proposal=form.instance, user=request.user, targets=form.cleaned_data["targets"]
                )
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, "下書きを保存しました。")
                return redirect(proposal)
    return render(
        request,
        "proposals/proposal_form.html",
        {"form": form, "proposal": proposal, "call": proposal.call},
        status=400,
    )


def _is_forbidden(error: ValidationError) -> bool:
    """A refusal for who the user is (answered 404), not for what they sent."""
    return getattr(error, "code", None) == services.FORBIDDEN


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _act(request, pk: int, action, done: str, then: str | None = None):
    """Run a workflow service on proposal ``pk``; its refusal is shown on the proposal's page
    (a refusal for who the user is answers 404). ``then``: where to go after it succeeded."""
    page = _page(pk, request.user)
    try:
        action(proposal=page.proposal, user=request.user)
    except ValidationError as error:
        if _is_forbidden(error):
            raise Http404("この提案には操作できません。") from None
        for text in error.messages:
            messages.error(request, text)
        return redirect(page.proposal)
    messages.success(request, done)
    return redirect(then or page.proposal)


@checked_path(pk=valid_id)  # an impossible id is a 404 whatever the method
@require_POST
def proposal_submit(request, pk):
    return _act(request, pk, services.proposal_submit, "提案を提出しました。事務局の受付をお待ちください。")


@checked_path(pk=valid_id)  # an impossible id is a 404 whatever the method
@require_POST
def proposal_withdraw(request, pk):
    return _act(request, pk, services.proposal_withdraw, "提案を取り下げました。")


@checked_path(pk=valid_id)  # an impossible id is a 404 whatever the method
@require_POST
def proposal_support(request, pk):
    if request.POST.get("leave"):
        return _act(request, pk, services.proposal_support_leave, "共同提案を取りやめました。")
    return _act(request, pk, services.proposal_support, "共同提案（賛同）しました。提案市町村として表示されます。")


@checked_path(pk=valid_id)  # an impossible id is a 404 whatever the method
@require_POST
def proposal_delete(request, pk):
    return _act(request, pk, services.proposal_delete, "下書きを削除しました。", then="proposals:list")


@checked_path(pk=valid_id)  # an impossible id is a 404 whatever the method
@require_POST
def attachment_add(request, pk):
    page = _page(pk, request.user)
    if not page.is_own:
        raise Http404("この提案には資料を追加できません。")
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.proposal_attachment_add(
                proposal=page.proposal,
                user=request.user,
                title=form.cleaned_data["title"],
                file=form.cleaned_data["file"],
            )
        except ValidationError as error:
            if _is_forbidden(error):
                raise Http404("この提案には資料を追加できません。") from None
            _add_errors(form, error)
        else:
            messages.success(request, "資料を追加しました。")
            return redirect(page.proposal)
    return render(
        request,
        "proposals/proposal_detail.html",
        {"page": page, "proposal": page.proposal, "attachment_form": form},
        status=400,
    )


def _attachment(request, pk: int) -> tuple[ProposalAttachment, selectors.ProposalPage]:
    attachment = ProposalAttachment.objects.filter(pk=pk).only("pk", "proposal_id", "title", "file").first()
    if attachment is None:
        raise Http404("この資料はありません。")
    page = _page(attachment.proposal_id, request.user)
    if not page.full:
        raise Http404("この資料はありません。")
    return attachment, page


@checked_path(pk=valid_id)  # an impossible id is a 404 whatever the method
@require_POST
def attachment_delete(request, pk):
    attachment, page = _attachment(request, pk)
    attachment.proposal = page.proposal
    try:
        services.proposal_attachment_remove(attachment=attachment, user=request.user)
    except ValidationError as error:
        if _is_forbidden(error):
            raise Http404("この資料は削除できません。") from None
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(request, "資料を削除しました。")
    return redirect(page.proposal)


@checked_path(pk=valid_id)
def attachment_file(request, pk):
    """An attachment's PDF, for whoever sees its proposal in full (never a /media/ link)."""
    attachment, _page_ = _attachment(request, pk)
    filename = f"提案資料_{attachment.title}.pdf"
    return FileResponse(
        attachment.file.open("rb"), as_attachment=True, filename=filename, content_type="application/pdf"
    )
