"""Mail of 提案受付: the call to every municipality's users, the secretariat's comments and its
decision to the proposers. Sent after the commit and recorded in 送信メール, as every mail of
the portal (``meetings.mail``)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse

from meetings.mail import after_commit, portal_url, recipients, send_recorded
from meetings.models import MailKind
from onechoice import jpdates
from onechoice.models import Organization

from .models import Proposal, ProposalCall, ProposalComment

__all__ = ["after_commit", "send_call_mails", "send_comment_mails", "send_decision_mails"]


def _message(name: str, context: dict, to: list[str]) -> EmailMessage:
    context = {**context, "signature": settings.MAIL_SIGNATURE}
    subject = " ".join(render_to_string(f"mail/proposals/{name}_subject.txt", context).split())
    body = render_to_string(f"mail/proposals/{name}_body.txt", context)
    return EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, to)


def _send_to_organizations(organizations, name: str, context: dict, kind: str) -> list:
    """One message per organisation to its users; an organisation nobody of which uses the
    portal gets none (nothing is recorded for it)."""
    sent = []
    for organization in organizations:
        to = recipients(organization.pk)
        if to:
            message = _message(name, {**context, "organization": organization}, to)
            sent.append(send_recorded(message, kind=kind, organization_id=organization.pk))
    return sent


def send_call_mails(call_pk: int) -> list:
    """提案募集 to the users of every municipality."""
    call = ProposalCall.objects.get(pk=call_pk)
    context = {
        "call": call,
        "label": jpdates.fiscal_year_label(call.fiscal_year),
        "deadline": jpdates.format_date(call.deadline),
        "proposals_url": portal_url(reverse("proposals:list")),
    }
    municipalities = Organization.objects.municipalities().order_by("protocol_order")
    return _send_to_organizations(municipalities, "call", context, MailKind.PROPOSAL_CALL)


def _proposers(proposal: Proposal) -> list[Organization]:
    supporters = Organization.objects.filter(pk__in=proposal.supports.values("organization")).order_by("protocol_order")
    return [proposal.organization, *supporters]


def send_comment_mails(comment_pk: int) -> list:
    """The secretariat's comment to the proposing and co-proposing municipalities."""
    comment = ProposalComment.objects.select_related("proposal__organization", "proposal__call").get(pk=comment_pk)
    proposal = comment.proposal
    context = {"proposal": proposal, "comment": comment, "proposal_url": portal_url(proposal.get_absolute_url())}
    return _send_to_organizations(_proposers(proposal), "comment", context, MailKind.PROPOSAL_REVIEW)


def send_decision_mails(proposal_pk: int) -> list:
    """採択 or 見送り, with the reason, to the proposing and co-proposing municipalities."""
    proposal = Proposal.objects.select_related("organization", "call", "project").get(pk=proposal_pk)
    context = {
        "proposal": proposal,
        "label": jpdates.fiscal_year_label(proposal.call.fiscal_year),
        "proposal_url": portal_url(proposal.get_absolute_url()),
        "project_url": portal_url(proposal.project.get_absolute_url()) if proposal.project_id else "",
    }
    return _send_to_organizations(_proposers(proposal), "decision", context, MailKind.PROPOSAL_REVIEW)
