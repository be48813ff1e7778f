"""Reading a request the same way on every page: who is asking, and which fiscal year."""

from __future__ import annotations

from collections.abc import Callable

from django.http import Http404
from django.utils import timezone

from . import jpdates
from .permissions import sees_unpublished


def is_public(request) -> bool:
    """True for visitors who are not logged in: they see published records only."""
    return not sees_unpublished(request.user)


def fiscal_year_param(request, *, default: Callable[[], int | None]) -> int:
    """?fiscal_year=2021; without it, ``default()`` (the caller's notion of "the current
    year", asked only when needed), else today's fiscal year. Nonsense is a 404."""
    value = request.GET.get("fiscal_year")
    if value is None:
        return default() or jpdates.fiscal_year_of(timezone.localdate())
    if not value.isdigit() or not 2000 <= int(value) <= 2100:
        raise Http404("年度の指定が正しくありません。")
    return int(value)


def fiscal_year_choices(queryset, field: str = "fiscal_year") -> Callable[[], list[tuple[int, str]]]:
    """Filter choices: the fiscal years ``queryset`` has records for, latest first, labelled
    令和3年度 … (read when the form is built, so a new year appears without a restart)."""

    def choices() -> list[tuple[int, str]]:
        years = queryset.order_by(f"-{field}").values_list(field, flat=True).distinct()
        return [(y, jpdates.fiscal_year_label(y)) for y in years]

    return choices
