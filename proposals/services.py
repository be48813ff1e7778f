"""The two sides of 提案受付, each transition a named service with its permission:

* municipalities — ``proposal_create`` / ``proposal_draft_save`` (下書き), ``proposal_submit``
  (提出), ``proposal_withdraw`` (取下げ), ``proposal_support`` / ``proposal_support_leave``
  (賛同・共同提案), ``proposal_attachment_add`` / ``proposal_attachment_remove``;
* the secretariat — ``proposal_call_open`` (提案募集, mailed to the municipalities),
  ``proposal_receive`` (受付), ``proposal_comment`` (調整中, mailed), ``proposal_adopt`` (採択:
  the item of the call's fiscal year is created — or a continuing one joined — through the
  projects services) and ``proposal_decline`` (見送り, with a reason; both mailed).

Each raises a Japanese ``ValidationError`` and writes nothing when the user may not act or
the proposal is not in a state that allows it (``code="forbidden"`` for the first: the portal
answers it 404, as for a proposal the user may not see).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from onechoice import jpdates, uploads
from onechoice.models import Affiliation, Department, Division, Organization, OrganizationKind
from onechoice.roles import Role, role_of
from onechoice.services import record_delete, record_save, saves, writes
from projects.models import Project, ProjectYear, YearStatus
from projects.services import project_save, project_year_save

from . import mail
from .models import (
    UNDER_REVIEW,
    Proposal,
    ProposalAttachment,
    ProposalCall,
    ProposalComment,
    ProposalState,
    ProposalSupport,
)

writes(ProposalCall, Proposal, ProposalSupport, ProposalComment, ProposalAttachment)

FORBIDDEN = "forbidden"


def _forbidden(text: str) -> ValidationError:
    return ValidationError(text, code=FORBIDDEN)


def municipality_of(user) -> Organization | None:
    """The municipality a logged-in officer works for, else None (one query)."""
    if not user.is_authenticated:
        return None
    found = (
        Affiliation.objects.filter(user=user, organization__kind=OrganizationKind.MUNICIPALITY)
        .select_related("organization")
        .first()
    )
    return found.organization if found else None


def is_secretariat(user) -> bool:
    return role_of(user) == Role.SECRETARIAT


def _require_secretariat(user) -> None:
    if not is_secretariat(user):
        raise _forbidden(_("この操作は事務局だけが行えます。"))


def _locked(proposal: Proposal) -> Proposal:
    """The stored proposal, locked until the commit: every transition reads the state it changes."""
    return Proposal.objects.select_for_update().select_related("call", "organization").get(pk=proposal.pk)


def _require_state(proposal: Proposal, states: Iterable[str], doing: str) -> None:
    if proposal.state not in states:
        raise ValidationError(
            _("「%(state)s」の提案は%(doing)sできません。") % {"state": proposal.get_state_display(), "doing": doing},
            code="state",
        )


# --- the call ------------------------------------------------------------------------------


@saves(ProposalCall, keyword="call")
@transaction.atomic
def proposal_call_save(*, call: ProposalCall, record_only: bool = False) -> ProposalCall:
    """Open a call (a new one: its mail goes to every municipality's users after the commit)
    or change its deadline and message. ``record_only``: a past call recorded after the fact
    (the reference data) — no deadline check, no mail."""
    new = call.pk is None and not record_only
    if new and call.deadline and call.deadline < timezone.localdate():
        raise ValidationError({"deadline": _("提出期限が過ぎています。今日以降の日付にしてください。")})
    if new:
        call.opened_at = timezone.now()
    record_save(call)
    if new:
        transaction.on_commit(mail.after_commit(mail.send_call_mails, call.pk), robust=True)
    return call


def proposal_call_open(*, fiscal_year: int, deadline, message: str = "", user=None) -> ProposalCall:
    """提案募集 for the items of ``fiscal_year``, until ``deadline``."""
    _require_secretariat(user)
    return proposal_call_save(
        call=ProposalCall(fiscal_year=fiscal_year, deadline=deadline, message=message, opened_by=user)
    )


def open_call(today=None) -> ProposalCall | None:
    """The call taking proposals today (the latest fiscal year's, if several are open)."""
    today = today or timezone.localdate()
    return ProposalCall.objects.filter(deadline__gte=today).order_by("-fiscal_year").first()


# --- the municipality's side ---------------------------------------------------------------


@saves(Proposal, keyword="proposal")
def proposal_save(*, proposal: Proposal, targets: Iterable[Organization] | None = None) -> Proposal:
    """Validate and store a proposal as it is (the generic writer: the reference data, the
    admin's history revert). The workflow's services below decide who may change what."""
    m2m = {} if targets is None else {"targets": list(targets)}
    return record_save(proposal, m2m=m2m)


def _require_own_municipality(proposal: Proposal, user) -> Organization:
    municipality = municipality_of(user)
    if municipality is None or municipality.pk != proposal.organization_id:
        raise _forbidden(_("この提案は、提案した市町村の職員だけが変更できます。"))
    return municipality


@transaction.atomic
def proposal_create(*, user, call: ProposalCall | None = None, **fields) -> Proposal:
    """A new draft of the user's municipality for ``call`` (default: the open call)."""
    municipality = municipality_of(user)
    if municipality is None:
        raise _forbidden(_("提案できるのは市町村の職員です。"))
    call = call or open_call()
    if call is None or not call.is_open():
        raise ValidationError(_("いま受け付けている提案募集はありません。"), code="closed")
    targets = fields.pop("targets", None)
    proposal = Proposal(call=call, organization=municipality, created_by=user, state=ProposalState.DRAFT, **fields)
    return proposal_save(proposal=proposal, targets=targets)


@transaction.atomic
def proposal_draft_save(*, proposal: Proposal, user, targets=None) -> Proposal:
    """The proposer's edit of a draft (only a draft: after 提出 the texts are the
    secretariat's to review). The page's form carries the draft's version token
    (``onechoice.concurrency.VersionTokenFormMixin``) and is validated in the same
    transaction, so two officers of one city editing at once cannot overwrite each other
    silently."""
    stored = _locked(proposal)
    _require_own_municipality(stored, user)
    _require_state(stored, [ProposalState.DRAFT], _("編集"))
    proposal.state, proposal.call_id, proposal.organization_id = stored.state, stored.call_id, stored.organization_id
    return proposal_save(proposal=proposal, targets=targets)


@transaction.atomic
def proposal_delete(*, proposal: Proposal, user) -> None:
    """A draft nobody has seen can be thrown away by its municipality."""
    stored = _locked(proposal)
    _require_own_municipality(stored, user)
    _require_state(stored, [ProposalState.DRAFT], _("削除"))
    record_delete(stored)


@transaction.atomic
def proposal_submit(*, proposal: Proposal, user) -> Proposal:
    """提出: the draft goes to the secretariat, until the call's deadline. Needs at least the
    goal and one of the situation, issues or measures."""
    stored = _locked(proposal)
    _require_own_municipality(stored, user)
    _require_state(stored, [ProposalState.DRAFT], _("提出"))
    if not stored.call.is_open():
        raise ValidationError(
            _("提出期限（%(date)s）を過ぎました。事務局へ連絡してください。")
            % {"date": jpdates.format_date(stored.call.deadline)},
            code="closed",
        )
    missing = [
        str(Proposal._meta.get_field(name).verbose_name)
        for name in ("goal", "current_situation", "issues", "concrete_measures", "expected_effects")
        if not getattr(stored, name).strip()
    ]
    if missing:
        raise ValidationError(
            _("提出の前に入力してください: %(fields)s") % {"fields": "、".join(missing)}, code="incomplete"
        )
    stored.state = ProposalState.SUBMITTED
    stored.submitted_at, stored.submitted_by = timezone.now(), user
    return proposal_save(proposal=stored)


@transaction.atomic
def proposal_withdraw(*, proposal: Proposal, user) -> Proposal:
    """取下げ by the proposer, while the secretariat has not decided."""
    stored = _locked(proposal)
    _require_own_municipality(stored, user)
    _require_state(stored, UNDER_REVIEW, _("取下げ"))
    stored.state = ProposalState.WITHDRAWN
    return proposal_save(proposal=stored)


@transaction.atomic
def proposal_support(*, proposal: Proposal, user) -> ProposalSupport:
    """賛同・共同提案: another municipality joins a submitted proposal under review."""
    stored = _locked(proposal)
    municipality = municipality_of(user)
    if municipality is None:
        raise _forbidden(_("共同提案できるのは市町村の職員です。"))
    if municipality.pk == stored.organization_id:
        raise ValidationError(_("自分の市町村の提案には共同提案できません。"), code="own")
    _require_state(stored, UNDER_REVIEW, _("共同提案"))
    return record_save(ProposalSupport(proposal=stored, organization=municipality, user=user))


@transaction.atomic
def proposal_support_leave(*, proposal: Proposal, user) -> None:
    """A co-proposer leaves, while the proposal is under review."""
    stored = _locked(proposal)
    municipality = municipality_of(user)
    support = (
        ProposalSupport.objects.filter(proposal=stored, organization=municipality).first() if municipality else None
    )
    if support is None:
        raise _forbidden(_("この提案に共同提案していません。"))
    _require_state(stored, UNDER_REVIEW, _("共同提案の取りやめ"))
    record_delete(support)


@saves(ProposalAttachment, keyword="attachment")
def proposal_attachment_save(*, attachment: ProposalAttachment) -> ProposalAttachment:
    """Stored cleaned (``onechoice.uploads``), as a handout; a refused file is a
    ``ValidationError`` on ``file`` and nothing is written."""
    if uploads.is_new_upload(attachment.file):
        try:
            attachment.file = uploads.cleaned_file(attachment.file)
        except ValidationError:
            pass  # refused: record_save's validation says why
    return record_save(attachment)


@transaction.atomic
def proposal_attachment_add(*, proposal: Proposal, user, title: str, file) -> ProposalAttachment:
    stored = _locked(proposal)
    _require_own_municipality(stored, user)
    _require_state(stored, [ProposalState.DRAFT], _("資料の追加"))
    return proposal_attachment_save(
        attachment=ProposalAttachment(proposal=stored, title=title.strip(), file=file, uploaded_by=user)
    )


@transaction.atomic
def proposal_attachment_remove(*, attachment: ProposalAttachment, user) -> None:
    stored = _locked(attachment.proposal)
    _require_own_municipality(stored, user)
    _require_state(stored, [ProposalState.DRAFT], _("資料の削除"))
    record_delete(attachment)


# --- the secretariat's side ----------------------------------------------------------------


@transaction.atomic
def proposal_receive(*, proposal: Proposal, user) -> Proposal:
    """受付: the secretariat has the proposal in hand."""
    _require_secretariat(user)
    stored = _locked(proposal)
    _require_state(stored, [ProposalState.SUBMITTED], _("受付"))
    stored.state = ProposalState.RECEIVED
    return proposal_save(proposal=stored)


@transaction.atomic
def proposal_comment(*, proposal: Proposal, user, text: str) -> ProposalComment:
    """調整中: a comment to the proposers (mailed to their users after the commit)."""
    _require_secretariat(user)
    stored = _locked(proposal)
    _require_state(stored, UNDER_REVIEW, _("調整"))
    if not text.strip():
        raise ValidationError({"text": _("コメントを入力してください。")})
    comment = record_save(ProposalComment(proposal=stored, author=user, text=text.strip()))
    stored.state = ProposalState.COORDINATING
    proposal_save(proposal=stored)
    transaction.on_commit(mail.after_commit(mail.send_comment_mails, comment.pk), robust=True)
    return comment


def proposers_of(proposal: Proposal) -> list[Organization]:
    """The proposing municipality, then its co-proposers, in protocol order."""
    supporters = [s.organization for s in proposal.supports.select_related("organization")]
    return [proposal.organization, *sorted(supporters, key=lambda o: o.protocol_order)]


@transaction.atomic
def proposal_adopt(
    *,
    proposal: Proposal,
    user,
    selection_reason: str,
    project: Project | None = None,
    title: str = "",
    departments: Iterable[Department] = (),
    divisions: Iterable[Division] = (),
    publish: bool = True,
) -> Project:
    """採択. Without ``project``: the item of the call's fiscal year is created from the
    proposal — its title (or ``title``), the proposing and co-proposing municipalities as
    proposers, its targets, the departments (default: the proposal's), the texts as the
    year's goal, situation, issues, measures and effects, status 新規, ``selection_reason``.
    With ``project``: the proposal joins that continuing item (its record of the year is made
    as 継続 if missing). Either way the proposal links to the item; the proposers are mailed."""
    _require_secretariat(user)
    stored = _locked(proposal)
    _require_state(stored, UNDER_REVIEW, _("採択"))
    fiscal_year = stored.call.fiscal_year
    if project is None:
        departments = list(departments) or ([stored.department] if stored.department_id else [])
        project = project_save(
            project=Project(title=(title or stored.title).strip(), first_fiscal_year=fiscal_year, is_published=publish),
            proposers=proposers_of(stored),
            targets=list(stored.targets.all()),
            departments=departments,
            divisions=list(divisions),
        )
        project_year_save(
            project_year=ProjectYear(
                project=project,
                fiscal_year=fiscal_year,
                status=YearStatus.NEW,
                selection_reason=selection_reason.strip(),
                goal=stored.goal,
                current_situation=stored.current_situation,
                issues=stored.issues,
                concrete_measures=stored.concrete_measures,
                expected_effects=stored.expected_effects,
            )
        )
    elif not ProjectYear.objects.filter(project=project, fiscal_year=fiscal_year).exists():
        project_year_save(
            project_year=ProjectYear(project=project, fiscal_year=fiscal_year, status=YearStatus.CONTINUING)
        )
    stored.state = ProposalState.ADOPTED
    stored.project = project
    stored.selection_reason = selection_reason.strip()
    stored.decided_at, stored.decided_by = timezone.now(), user
    proposal_save(proposal=stored)
    transaction.on_commit(mail.after_commit(mail.send_decision_mails, stored.pk), robust=True)
    return project


@transaction.atomic
def proposal_decline(*, proposal: Proposal, user, reason: str) -> Proposal:
    """見送り, with the reason the proposers are mailed."""
    _require_secretariat(user)
    stored = _locked(proposal)
    _require_state(stored, UNDER_REVIEW, _("見送り"))
    if not reason.strip():
        raise ValidationError({"decline_reason": _("見送りの理由を入力してください。")})
    stored.state = ProposalState.DECLINED
    stored.decline_reason = reason.strip()
    stored.decided_at, stored.decided_by = timezone.now(), user
    proposal_save(proposal=stored)
    transaction.on_commit(mail.after_commit(mail.send_decision_mails, stored.pk), robust=True)
    return stored
