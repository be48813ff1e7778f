"""Reads behind the printed documents of the projects app (progress sheets, 協議事項).

Every function runs a fixed number of queries, however many items, measures, highlights,
photos or indicator values a fiscal year holds: rows come with ``select_related`` or one
``prefetch_related`` query per relation.
"""

from __future__ import annotations

from django.db.models import Prefetch

from onechoice.models import Organization

from .models import ExpectedIssue, Highlight, Indicator, MeasureResult, Photo, Project, ProjectYear, YearStatus


def _project_prefetches(*, indicators: bool) -> list:
    prefetches = [
        "project__proposers",
        "project__targets",
        "project__divisions",
        # Every year of the item: the sheet's heading names the outcome from the next year's record.
        Prefetch("project__years", queryset=ProjectYear.objects.order_by("fiscal_year")),
    ]
    if indicators:
        prefetches.append(
            Prefetch(
                "project__indicators",
                queryset=Indicator.objects.order_by("order", "pk").prefetch_related("values"),
            )
        )
    return prefetches


def sheet_years(fiscal_year: int, *, project: Project | int | None = None, public: bool = False) -> list[ProjectYear]:
    """The records of ``fiscal_year`` (one item's, or every item's) with everything a progress
    sheet prints: proposers, divisions, all years of the item, measure results with their
    measures, highlights with photos, indicators with their values. Nine queries at most."""
    queryset = ProjectYear.objects.visible(public=public).filter(fiscal_year=fiscal_year)
    if project is not None:
        queryset = queryset.filter(project=project)
    return list(
        queryset.select_related("project")
        .prefetch_related(
            *_project_prefetches(indicators=True),
            Prefetch(
                "measure_results",
                queryset=MeasureResult.objects.select_related("measure").order_by("measure__order"),
            ),
            Prefetch(
                "highlights",
                queryset=Highlight.objects.order_by("order").prefetch_related(
                    Prefetch("photos", queryset=Photo.objects.order_by("order", "pk"))
                ),
            ),
        )
        .order_by("project__first_fiscal_year", "project_id")
    )


def agenda_years(fiscal_year: int, *, public: bool = False) -> list[ProjectYear]:
    """The items to be discussed in ``fiscal_year`` (新規 and 継続), in item order, with
    proposers, targets, divisions and every year of the item (five queries)."""
    queryset = ProjectYear.objects.visible(public=public).filter(
        fiscal_year=fiscal_year, status__in=[YearStatus.NEW, YearStatus.CONTINUING]
    )
    return list(
        queryset.select_related("project")
        .prefetch_related(*_project_prefetches(indicators=False))
        .order_by("project__first_fiscal_year", "project_id")
    )


def municipality_ids() -> set[int]:
    """Primary keys of every municipality, to tell 「全市町村」 targets (one query)."""
    return set(Organization.objects.municipalities().values_list("pk", flat=True))


def expected_issue_titles(fiscal_year: int) -> list[str]:
    """The 個別課題 of ``fiscal_year`` in their order, as 協議事項 section 2 prints them (one
    query). Nothing to hide from the public: they are part of the printed 協議事項."""
    return list(ExpectedIssue.objects.filter(fiscal_year=fiscal_year).order_by("order").values_list("title", flat=True))
