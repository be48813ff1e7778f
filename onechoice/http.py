"""Reading a request the same way on every page: who is asking, from which address, which
record and which fiscal year.

Every record id and fiscal year that a URL or a query parameter names is checked here before
any query is made: an id is 1 … 2**63 − 1 (a larger number overflows the database's integer,
which used to answer 500), a fiscal year 1926 … 9998 (the years the Japanese-era labels
cover). Out of range, or not a number, is a 404 — the Japanese page. Whether a year in range
holds records is the caller's question (``holds_records``): no page and no PDF is made for an
empty year.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from functools import lru_cache, wraps

from django.conf import settings
from django.http import Http404
from django.utils import timezone

from . import jpdates
from .permissions import sees_unpublished

MAX_ID = 2**63 - 1  # the largest BigAutoField (PostgreSQL bigint, SQLite INTEGER)
FISCAL_YEARS = range(1926, 9999)  # 昭和元年度 … 9998年度 (9999's last day is in year 10000)

_DIGITS = re.compile(r"[0-9]{1,20}")  # ASCII digits only: int() would also take "１２" and " 12"


def _integer(value) -> int | None:
    """``value`` (an int from a path converter or a str from a query) as an int, or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and _DIGITS.fullmatch(value):
        return int(value)
    return None


def valid_id(value) -> int:
    """A primary key from a URL or a query: 1 ≤ id ≤ 2**63 − 1, else 404."""
    number = _integer(value)
    if number is None or not 1 <= number <= MAX_ID:
        raise Http404("指定された番号のデータはありません。")
    return number


def valid_fiscal_year(value, *, holds_records: Callable[[int], bool] | None = None) -> int:
    """A fiscal year from a URL or a query: in ``FISCAL_YEARS`` and, when ``holds_records``
    is given, one it says holds records (asked only for a year in range), else 404."""
    number = _integer(value)
    if number is None or number not in FISCAL_YEARS:
        raise Http404("年度の指定が正しくありません。")
    if holds_records is not None and not holds_records(number):
        raise Http404("この年度の記録はありません。")
    return number


def fiscal_year_param(
    request, *, default: Callable[[], int | None], holds_records: Callable[[int], bool] | None = None
) -> int:
    """?fiscal_year=2021; without it, ``default()`` (the caller's notion of "the current
    year", asked only when needed), else today's fiscal year. Checked as ``valid_fiscal_year``
    checks it, the default too: nonsense, or a year without records, is a 404."""
    value = request.GET.get("fiscal_year")
    if value is None:
        value = default() or jpdates.fiscal_year_of(timezone.localdate())
    return valid_fiscal_year(value, holds_records=holds_records)


def checked_path(**parsers: Callable):
    """View decorator: each named URL argument goes through its parser (``valid_id``,
    ``valid_fiscal_year``) before the view — and before the page cache, so that a bad URL costs
    no query. ``@checked_path(pk=valid_id)``."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            for name, parse in parsers.items():
                kwargs[name] = parse(kwargs[name])
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


def is_public(request) -> bool:
    """True for visitors who are not logged in: they see published records only."""
    return not sees_unpublished(request.user)


# --- the client's address --------------------------------------------------------------------


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(p, strict=False) for p in proxies)


def _address(text: str):
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def is_trusted_proxy(address: str | None) -> bool:
    """Whether ``address`` is one of ``settings.TRUSTED_PROXIES`` (addresses or networks)."""
    parsed = _address(address or "")
    return parsed is not None and any(parsed in net for net in _networks(tuple(settings.TRUSTED_PROXIES)))


def client_ip(request) -> str | None:
    """The client's address. The direct peer (REMOTE_ADDR) unless it is a trusted proxy
    (``settings.TRUSTED_PROXIES``, none by default); then X-Forwarded-For is read from the
    right, past the trusted proxies, to the first address none of them is: what the
    client wrote further left is never believed. Used for the login lockout (django-axes,
    AXES_CLIENT_IP_CALLABLE) and the request log."""
    peer = request.META.get("REMOTE_ADDR") or None
    if not is_trusted_proxy(peer):
        return peer
    forwarded = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    client = peer
    for hop in reversed(forwarded):
        if _address(hop) is None:
            break  # garbage: the hop before it (a trusted proxy) is the last one known
        client = str(_address(hop))
        if not is_trusted_proxy(client):
            break
    return client


def fiscal_year_choices(queryset, field: str = "fiscal_year") -> Callable[[], list[tuple[int, str]]]:
    """Filter choices: the fiscal years ``queryset`` has records for, latest first, labelled
    令和3年度 … (read when the form is built, so a new year appears without a restart)."""

    def choices() -> list[tuple[int, str]]:
        years = queryset.order_by(f"-{field}").values_list(field, flat=True).distinct()
        return [(y, jpdates.fiscal_year_label(y)) for y in years]

    return choices
