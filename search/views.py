from django.http import Http404
from django.shortcuts import render
from django.utils.http import urlencode

from onechoice.http import is_public, valid_fiscal_year, valid_id
from onechoice.page_cache import cached_page

from . import selectors
from .models import Kind
from .text import MAX_QUERY_CHARS


@cached_page
def search(request):
    """/search/?q=防災&fiscal_year=2021&kind=item&page=2 — a plain GET form (no JavaScript)."""
    query = request.GET.get("q", "").strip()
    fiscal_year = request.GET.get("fiscal_year") or None
    kind = request.GET.get("kind") or None
    if fiscal_year is not None:
        fiscal_year = valid_fiscal_year(fiscal_year)
    if kind is not None and kind not in Kind.values:
        raise Http404
    page = valid_id(request.GET["page"]) if request.GET.get("page") else 1
    error = ""
    results = None
    if len(query) > MAX_QUERY_CHARS:
        error = f"検索語は{MAX_QUERY_CHARS}文字以内で入力してください。"
    elif query:
        results = selectors.search(query, public=is_public(request), fiscal_year=fiscal_year, kind=kind, page=page)
    base = {"q": query, **({"fiscal_year": fiscal_year} if fiscal_year else {})}
    return render(
        request,
        "search/search.html",
        {
            "query": query,
            "fiscal_year": fiscal_year,
            "kind": kind,
            "kinds": Kind.choices,
            "results": results,
            "error": error,
            "base_query": urlencode(base),
            "kind_query": urlencode({**base, **({"kind": kind} if kind else {})}),
        },
    )
