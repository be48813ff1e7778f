"""Reads about collaboration items, each in a fixed number of queries. What other apps
record about an item (its WGs, the meetings that discussed it) is composed by the portal
app (``portal.selectors``), which may read every app."""

from __future__ import annotations

from collections.abc import Collection

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from .models import Highlight, Indicator, MeasureResult, Project, ProjectYear


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
    )


def project_detail(pk: int, *, public: bool = False) -> Project:
    """One item with ``project_detail_queryset``'s prefetches (for the public: only a
    published item). Raises ``Project.DoesNotExist``."""
    return project_detail_queryset(public=public).get(pk=pk)
