from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from onechoice.http import checked_path, fiscal_year_param, is_public, valid_fiscal_year, valid_id
from onechoice.page_cache import cached_page
from onechoice.pdf import current_document

from . import documents, selectors
from .filters import ProjectFilter
from .models import ProjectYear


@cached_page
def project_list(request):
    visible = selectors.projects_visible(public=is_public(request))
    project_filter = ProjectFilter(request.GET, queryset=selectors.projects_for_list(visible))
    page = Paginator(project_filter.qs, 20).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "projects/project_list.html",
        {"filter": project_filter, "page": page, "query": query.urlencode()},
    )


@checked_path(pk=valid_id)
def sheet_pdf(request, pk):
    """/projects/<id>/sheet.pdf?fiscal_year=2021 (default: the item's latest year)."""
    years = selectors.fiscal_years_of(pk, public=is_public(request))
    fiscal_year = fiscal_year_param(
        request, default=lambda: max(years, default=None), holds_records=lambda y: y in years
    )
    return current_document(
        f"sheet:{pk}:{fiscal_year}", lambda: documents.progress_sheet_pdf(pk, fiscal_year)
    ).response(request)


def _year_has_items(fiscal_year: int, public: bool) -> None:
    """404 unless some item the requester may see has a record for ``fiscal_year``. Asked
    when a document is built, not when it comes from the cache: a cached one was built for a
    year with records, under the same data version."""
    if not ProjectYear.objects.visible(public=public).filter(fiscal_year=fiscal_year).exists():
        raise Http404("この年度の記録はありません。")


@checked_path(fiscal_year=valid_fiscal_year)
def progress_report_pdf(request, fiscal_year):
    public = is_public(request)

    def build():
        _year_has_items(fiscal_year, public)
        return documents.progress_report_pdf(fiscal_year, public=public)

    return current_document(f"progress-report:{fiscal_year}:{public}", build).response(request)


@checked_path(fiscal_year=valid_fiscal_year)
def next_year_items_pdf(request, fiscal_year):
    public = is_public(request)

    def build():
        _year_has_items(fiscal_year, public)
        return documents.next_year_items_pdf(fiscal_year, public=public)

    return current_document(f"next-year-items:{fiscal_year}:{public}", build).response(request)
