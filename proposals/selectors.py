"""Who sees which proposal, and how much of it.

* the proposing municipality's officers: all of its proposals, drafts included, in full;
* the secretariat and the co-proposing municipalities: every submitted proposal, in full;
* other logged-in users: a submitted proposal's title, proposers and state (``full=False``);
* the public: adopted proposals of a published item only, in full — nothing else exists.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet

from onechoice.models import Organization

from .models import Proposal, ProposalState, ProposalSupport
from .services import is_secretariat, municipality_of


def _with_people(queryset: QuerySet) -> QuerySet:
    return queryset.select_related("call", "organization", "project", "department").prefetch_related(
        Prefetch("supports", queryset=ProposalSupport.objects.select_related("organization"))
    )


def visible_proposals(user, municipality: Organization | None = None) -> QuerySet:
    """Every proposal ``user`` may know of (``municipality``: the user's, if already read)."""
    if not user.is_authenticated:
        return Proposal.objects.filter(state=ProposalState.ADOPTED, project__is_published=True)
    if municipality is None:
        return Proposal.objects.submitted()
    return Proposal.objects.filter(Q(organization=municipality) | ~Q(state=ProposalState.DRAFT))


def shows_in_full(proposal: Proposal, user, municipality: Organization | None) -> bool:
    """Whether ``user`` sees the texts, comments and attachments (uses prefetched supports)."""
    if not user.is_authenticated or is_secretariat(user):
        return True  # the public only ever gets adopted ones
    if municipality is None:
        return False
    return proposal.organization_id == municipality.pk or any(
        s.organization_id == municipality.pk for s in proposal.supports.all()
    )


@dataclass
class ProposalPage:
    proposal: Proposal
    full: bool
    municipality: Organization | None  # the user's, if an officer

    @property
    def is_own(self) -> bool:
        return self.municipality is not None and self.municipality.pk == self.proposal.organization_id

    @property
    def is_supporter(self) -> bool:
        return self.municipality is not None and any(
            s.organization_id == self.municipality.pk for s in self.proposal.supports.all()
        )


def proposal_page(pk: int, user) -> ProposalPage:
    """The proposal ``pk`` as ``user`` may see it; ``Proposal.DoesNotExist`` if they may not."""
    municipality = municipality_of(user)
    proposal = _with_people(visible_proposals(user, municipality)).prefetch_related("attachments").get(pk=pk)
    full = shows_in_full(proposal, user, municipality)
    if full:
        proposal.comment_list = list(proposal.comments.select_related("author"))
    return ProposalPage(proposal, full, municipality)


@dataclass
class ProposalList:
    municipality: Organization | None
    own: list[Proposal]
    others: list[Proposal]


def proposal_list(user) -> ProposalList:
    """The user's municipality's proposals first (all states), then the others they may see,
    newest call first (four queries)."""
    municipality = municipality_of(user)
    rows = list(_with_people(visible_proposals(user, municipality)))
    own = [p for p in rows if municipality and p.organization_id == municipality.pk]
    others = [p for p in rows if not (municipality and p.organization_id == municipality.pk)]
    return ProposalList(municipality, own, others)
