"""Reads about collaboration items, each in a fixed number of queries. What other apps
record about an item (its WGs, the meetings that discussed it) is composed by the portal
app (``portal.selectors``), which may read every app."""

from __future__ import annotations

from collections.abc import Collection

from django.db.models import Exists, OuterRef, Prefetch, QuerySet, Value

from onechoice.models import Affiliation, OrganizationKind

from .models import (
    DesiredState,
    Direction,
    Highlight,
    Indicator,
    Lesson,
    Measure,
    MeasureResult,
    Milestone,
    Plan,
    PlanStep,
    Project,
    ProjectYear,
)


def projects_visible(*, public: bool) -> QuerySet[Project]:
    """Every item for logged-in users; the published ones for the public."""
    return Project.objects.visible(public=public)


def _of_divisions(division_ids: Collection[int]) -> Exists:
    return Exists(
        Project.divisions.through.objects.filter(project_id=OuterRef("pk"), division_id__in=list(division_ids))
    )


def projects_marked_own(queryset: QuerySet[Project], *, division_ids: Collection[int]) -> QuerySet[Project]:
    """``queryset`` with ``is_own`` on each item: one of ``division_ids`` is among its 県担当課
    (a subquery of the same query: no query per row)."""
    return queryset.annotate(is_own=_of_divisions(division_ids))


def projects_of_divisions(queryset: QuerySet[Project], *, division_ids: Collection[int]) -> QuerySet[Project]:
    """The items of ``queryset`` that one of ``division_ids`` is responsible for (each once)."""
    return queryset.filter(_of_divisions(division_ids))


def fiscal_years_of(project_pk: int, *, public: bool) -> list[int]:
    """The fiscal years an item has records for (1 query); empty for an unknown or, for the
    public, unpublished item."""
    return list(
        ProjectYear.objects.visible(public=public).filter(project_id=project_pk).values_list("fiscal_year", flat=True)
    )


def project_years_of(fiscal_year: int, *, public: bool) -> list[ProjectYear]:
    """Each item's record for one fiscal year, with proposers (2 queries)."""
    return list(
        ProjectYear.objects.visible(public=public)
        .filter(fiscal_year=fiscal_year)
        .select_related("project")
        .prefetch_related("project__proposers")
        .order_by("project__first_fiscal_year", "project_id")
    )


def projects_for_list(queryset: QuerySet[Project] | None = None) -> QuerySet[Project]:
    queryset = Project.objects.all() if queryset is None else queryset
    return queryset.prefetch_related(
        "proposers",
        "departments",
        Prefetch("years", queryset=ProjectYear.objects.order_by("fiscal_year")),
    ).order_by("first_fiscal_year", "pk")


def project_detail_queryset(*, public: bool) -> QuerySet[Project]:
    """Items with everything of their own that the item page shows: relations, every year
    with its measure results and highlights (with photos), indicators with their values."""
    return projects_visible(public=public).prefetch_related(
        "proposers",
        "targets",
        "departments",
        "divisions",
        Prefetch(
            "years",
            queryset=ProjectYear.objects.order_by("fiscal_year").prefetch_related(
                Prefetch(
                    "measure_results",
                    queryset=MeasureResult.objects.select_related("measure").order_by("measure__order"),
                ),
                Prefetch("highlights", queryset=Highlight.objects.order_by("order").prefetch_related("photos")),
            ),
        ),
        Prefetch("indicators", queryset=Indicator.objects.prefetch_related("values")),
        Prefetch("milestones", queryset=Milestone.objects.order_by("fiscal_year", "month", "pk")),
        Prefetch("plans", queryset=Plan.objects.order_by("first_fiscal_year", "pk")),
    )


def project_detail(pk: int, *, public: bool = False) -> Project:
    """One item with ``project_detail_queryset``'s prefetches (for the public: only a
    published item). Raises ``Project.DoesNotExist``."""
    return project_detail_queryset(public=public).get(pk=pk)


def plan_page(project_pk: int, plan_pk: int, *, public: bool) -> Plan:
    """A plan with everything its page and its bundle PDF show, in 10 queries whatever the
    number of states, directions or projects: the plan with its item (for the public only a
    published item), its desired states with their directions, the 策定に係る経緯 steps, the
    lessons, the item's milestones, and the item's measures with their results and
    indicators (with values). Raises ``Plan.DoesNotExist``."""
    return (
        Plan.objects.filter(project__in=projects_visible(public=public))
        .select_related("project")
        .prefetch_related(
            Prefetch(
                "desired_states",
                queryset=DesiredState.objects.order_by("area_number", "order", "pk").prefetch_related(
                    Prefetch("directions", queryset=Direction.objects.order_by("order", "pk"))
                ),
            ),
            Prefetch("steps", queryset=PlanStep.objects.order_by("order", "pk")),
            Prefetch("lessons", queryset=Lesson.objects.order_by("order", "pk")),
            Prefetch("project__milestones", queryset=Milestone.objects.order_by("fiscal_year", "month", "pk")),
            Prefetch(
                "project__measures",
                queryset=Measure.objects.order_by("order").prefetch_related(
                    Prefetch(
                        "results",
                        queryset=MeasureResult.objects.select_related("project_year").order_by(
                            "project_year__fiscal_year"
                        ),
                    ),
                    Prefetch("indicators", queryset=Indicator.objects.prefetch_related("values")),
                ),
            ),
        )
        .get(project_id=project_pk, pk=plan_pk)
    )


def own_municipality(user):
    """The municipality a logged-in officer works for (their affiliation), else None (1 query;
    none for the public)."""
    if not user.is_authenticated:
        return None
    found = (
        Affiliation.objects.filter(user=user, organization__kind=OrganizationKind.MUNICIPALITY)
        .select_related("organization")
        .first()
    )
    return found.organization if found else None


def project_roles_of(municipality) -> dict[int, set[str]]:
    """For each item ``municipality`` is involved in, how: {"proposed", "takes_part"} (1 query)."""
    roles: dict[int, set[str]] = {}
    proposed = Project.proposers.through.objects.filter(organization=municipality).annotate(role=Value("proposed"))
    targets = Project.targets.through.objects.filter(organization=municipality).annotate(role=Value("takes_part"))
    both = proposed.values_list("project_id", "role").union(targets.values_list("project_id", "role"))
    for pk, role in both:
        roles.setdefault(pk, set()).add(role)
    return roles


def plan_of_year(fiscal_year: int, *, public: bool) -> Plan | None:
    """The plan a meeting of ``fiscal_year`` hands out: the newest plan (of an item the
    requester may see) whose period holds that year or starts the year after (a draft
    discussed the year before it starts); None if there is none (1 query)."""
    return (
        Plan.objects.filter(
            project__in=projects_visible(public=public),
            first_fiscal_year__lte=fiscal_year + 1,
            last_fiscal_year__gte=fiscal_year,
        )
        .order_by("-first_fiscal_year", "-pk")
        .only("pk", "project_id")
        .first()
    )


def plan_states(plan: Plan) -> list[DesiredState]:
    """The plan's desired states in printed order (area, then order) with their directions:
    two queries, however many states."""
    return list(
        plan.desired_states.order_by("area_number", "order", "pk").prefetch_related(
            Prefetch("directions", queryset=Direction.objects.order_by("order", "pk"))
        )
    )
