"""Portal pages served from the shared cache until a record changes.

A page is built for an audience (the public, or logged-in staff who also see unpublished
records), not for one person: the only personal part, the account menu of a logged-in user
(管理画面, ログアウト（名前）and its CSRF token), is left as a marker when the page is built
and filled in for each request; an anonymous visitor's menu (ログイン) is part of the page.
Entries are kept under the data version (onechoice.data_version), so any change to any
record makes every cached page obsolete on every server; the date is part of the key
because "upcoming" and "recent" move with it.

A hit costs the session and user lookups every logged-in request makes, the version and
one cache read.
"""

from __future__ import annotations

import hashlib
from functools import wraps

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone, translation

from . import data_version
from .permissions import sees_unpublished

ACCOUNT_MENU_MARKER = "<!--onechoice:account-menu-->"
TIMEOUT = 60 * 60 * 24


# The query parameters portal pages read (filters, sort, page): a request with any other is
# answered afresh and not kept, so made-up parameters cannot fill the cache.
PARAMETERS = frozenset({"fiscal_year", "municipality", "department", "status", "q", "sort", "page", "kind"})


def page_key(request) -> str:
    audience = "staff" if sees_unpublished(request.user) else "public"
    visitor = "member" if request.user.is_authenticated else "anonymous"  # whose menu is part of the page
    parts = [
        data_version.release(),
        audience,
        visitor,
        translation.get_language() or "",
        timezone.localdate().isoformat(),
        request.get_full_path(),
    ]
    return "page:" + hashlib.sha256("\0".join(parts).encode()).hexdigest()


# Other personal parts of cached pages (an officer's open attendance requests on the home
# page): an app registers a template, which writes ``personal_marker(name)`` instead of itself
# while the page is built (``request.account_menu_deferred``) and is rendered for each request.
_personal: dict[str, str] = {}


def personal_marker(name: str) -> str:
    return f"<!--onechoice:personal:{name}-->"


def register_personal(name: str, template: str) -> None:
    """``template`` is personal: filled in for each request where its marker stands."""
    _personal[name] = template


def _with_account_menu(request, content: bytes) -> bytes:
    for name, template in _personal.items():
        marker = personal_marker(name).encode()
        if marker in content:
            content = content.replace(marker, render_to_string(template, request=request).encode(), 1)
    if ACCOUNT_MENU_MARKER.encode() not in content:
        return content  # an anonymous visitor's page: its menu (ログイン) is the same for all
    menu = render_to_string("_account_menu.html", request=request)
    return content.replace(ACCOUNT_MENU_MARKER.encode(), menu.encode(), 1)


def cached_page(view):
    """Serve GET requests of ``view`` from the cache while no record has changed. Only
    complete 200 pages are kept; anything else (404, redirects) is answered afresh."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD") or not PARAMETERS.issuperset(request.GET):
            return view(request, *args, **kwargs)
        key = page_key(request)
        version, entry = data_version.lookup(key)
        if entry is None:
            # base.html writes the marker instead of a logged-in user's menu
            request.account_menu_deferred = request.user.is_authenticated
            try:
                response = view(request, *args, **kwargs)
            finally:
                request.account_menu_deferred = False  # the 404 page renders its own menu
            if response.status_code != 200 or response.streaming:
                if not response.streaming:
                    response.content = _with_account_menu(request, response.content)
                return response
            entry = (response.content, response["Content-Type"])
            data_version.store(key, version, entry, TIMEOUT)
        content, content_type = entry
        return HttpResponse(_with_account_menu(request, content), content_type=content_type)

    return wrapper
