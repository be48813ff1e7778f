"""Reads that span apps: an item with its WGs and meetings, a municipality with its items
and attendance. Each app's own selectors give the parts; here they are put together, in a
fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, Q

from meetings import selectors as meeting_selectors
from meetings.models import AgendaItem, Attendance, GeneratedDocument, Handout, Meeting
from onechoice import jpdates
from onechoice.models import EventStatus, Organization
from projects import selectors as project_selectors
from projects.models import Project, ProjectYear
from proposals.models import Proposal, ProposalState
from workgroups import selectors as workgroup_selectors
from workgroups.models import WorkingGroupSession


def project_page(pk: int, *, public: bool) -> Project:
    """An item with everything its page shows: its own records, its WGs with their sessions
    and the agenda items (with meetings) that discussed it — for the public only a published
    item, with its published meetings. Raises ``Project.DoesNotExist``."""
    return (
        project_selectors.project_detail_queryset(public=public)
        .prefetch_related(
            Prefetch("working_groups", queryset=workgroup_selectors.working_groups_with_sessions()),
            Prefetch("agenda_items", queryset=AgendaItem.objects.visible(public=public).select_related("meeting")),
            # The proposals it came from (採択): the link back to 提案受付.
            Prefetch(
                "proposals",
                queryset=Proposal.objects.filter(state=ProposalState.ADOPTED).select_related("organization", "call"),
                to_attr="adopted_proposals",
            ),
        )
        .get(pk=pk)
    )


def handouts_about(project: Project, *, public: bool) -> list[Handout]:
    """Handouts that report on ``project``: the year-wide progress reports of the fiscal years
    it has records for, and the next-year items of the year before its new or continuing
    years (1 query; uses the prefetched years)."""
    years = [y.fiscal_year for y in project.years.all()]
    return list(
        Handout.objects.visible(public=public)
        .filter(
            Q(
                document__in=[GeneratedDocument.PROGRESS_REPORT, GeneratedDocument.WG_STATUS],
                meeting__fiscal_year__in=years,
            )
            | Q(document=GeneratedDocument.NEXT_YEAR_ITEMS, meeting__fiscal_year__in=[y - 1 for y in years])
            | Q(meeting__agenda_items__project=project)
        )
        .select_related("meeting")
        .distinct()
        .order_by("meeting__date", "kind", "number")
    )


def municipality_page(lg_code: str, *, public: bool) -> Organization:
    """A municipality with what it proposed, takes part in and attended. Raises
    ``Organization.DoesNotExist``."""
    attendances = Attendance.objects.visible(public=public).select_related("meeting").order_by("meeting__date")
    titles = project_selectors.projects_visible(public=public).only("title").order_by("first_fiscal_year", "pk")
    return (
        Organization.objects.municipalities()
        .prefetch_related(
            Prefetch("proposed_projects", queryset=titles),  # the page lists titles
            Prefetch("target_projects", queryset=titles),
            Prefetch("attendances", queryset=attendances),
        )
        .get(lg_code=lg_code)
    )


@dataclass
class MunicipalityItem:
    """One item of a municipality, once, however it is involved: ``proposed`` (提案) and/or
    ``takes_part`` (参加); ``years`` its yearly records in order (status, grade)."""

    project: Project
    proposed: bool
    takes_part: bool

    @property
    def years(self) -> list[ProjectYear]:
        return list(self.project.years.all())

    def year(self, fiscal_year: int) -> ProjectYear | None:
        return next((y for y in self.project.years.all() if y.fiscal_year == fiscal_year), None)


@dataclass
class MunicipalityProfile:
    municipality: Organization
    items: list[MunicipalityItem]
    sessions: list[WorkingGroupSession]
    attendances: list[Attendance]


def municipality_items(municipality: Organization, *, public: bool) -> list[MunicipalityItem]:
    """The items ``municipality`` proposed or takes part in, each once, in the order they
    started, with their yearly records (2 queries, whatever the number of items)."""
    through_proposers, through_targets = Project.proposers.through, Project.targets.through
    projects = (
        project_selectors.projects_visible(public=public)
        .annotate(
            is_proposer=Exists(through_proposers.objects.filter(project=OuterRef("pk"), organization=municipality)),
            is_target=Exists(through_targets.objects.filter(project=OuterRef("pk"), organization=municipality)),
        )
        .filter(Q(is_proposer=True) | Q(is_target=True))
        .prefetch_related(Prefetch("years", queryset=ProjectYear.objects.order_by("fiscal_year")))
        .order_by("first_fiscal_year", "pk")
    )
    return [MunicipalityItem(p, proposed=p.is_proposer, takes_part=p.is_target) for p in projects]


def sessions_of_items(items: list[MunicipalityItem], *, public: bool, held_only: bool = False, limit=None):
    """The WG sessions of ``items``' WGs in time order — or, with ``held_only``, the latest
    held ones first (1 query)."""
    sessions = WorkingGroupSession.objects.visible(public=public).filter(
        working_group__project__in=[i.project.pk for i in items]
    )
    sessions = sessions.select_related("working_group__project")
    if held_only:
        sessions = sessions.filter(status=EventStatus.HELD).order_by("-date", "-pk")
    else:
        sessions = sessions.in_time_order()
    return list(sessions[:limit] if limit else sessions)


def municipality_profile(lg_code: str, *, public: bool) -> MunicipalityProfile:
    """The municipality page: each of its items once (提案/参加, status and grade per year),
    the WG sessions of those items in time order, the meetings it attended with the
    attendance status (5 queries, whatever the data). Raises ``Organization.DoesNotExist``."""
    municipality = Organization.objects.municipalities().get(lg_code=lg_code)
    items = municipality_items(municipality, public=public)
    attendances = (
        Attendance.objects.visible(public=public)
        .filter(organization=municipality)
        .select_related("meeting")
        .order_by("meeting__date", "pk")
    )
    return MunicipalityProfile(
        municipality=municipality,
        items=items,
        sessions=sessions_of_items(items, public=public) if items else [],
        attendances=list(attendances),
    )


@dataclass
class MySummary:
    """The home page's 「自分の市町村」 for an officer of ``municipality``."""

    municipality: Organization
    fiscal_year: int
    items: list[MunicipalityItem]
    next_meeting: Meeting | None
    recent_sessions: list[WorkingGroupSession]

    def this_years(self):
        return [(item, item.year(self.fiscal_year)) for item in self.items]


def my_municipality_summary(municipality: Organization, *, today, public: bool = False) -> MySummary:
    """Its items with the working year's status and grade (the year the home page shows:
    ``current_fiscal_year``), the next meeting and the latest held WG sessions of its items
    (6 queries, whatever the data)."""
    items = municipality_items(municipality, public=public)
    upcoming = meeting_selectors.meetings_upcoming(today=today, public=public, limit=1)
    return MySummary(
        municipality=municipality,
        fiscal_year=meeting_selectors.current_fiscal_year(today=today) or jpdates.fiscal_year_of(today),
        items=items,
        next_meeting=upcoming[0] if upcoming else None,
        recent_sessions=sessions_of_items(items, public=public, held_only=True, limit=5) if items else [],
    )
