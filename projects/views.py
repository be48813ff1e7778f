from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from onechoice.http import fiscal_year_param, is_public
from onechoice.page_cache import cached_page
from onechoice.pdf import current_document

from . import documents, selectors
from .filters import ProjectFilter


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


def sheet_pdf(request, pk):
    """/projects/<id>/sheet.pdf?fiscal_year=2021 (default: the item's latest year)."""
    years = selectors.fiscal_years_of(pk, public=is_public(request))
    fiscal_year = fiscal_year_param(request, default=lambda: max(years, default=None))
    if fiscal_year not in years:
        raise Http404("この年度の記録はありません。")
    return current_document(
        f"sheet:{pk}:{fiscal_year}", lambda: documents.progress_sheet_pdf(pk, fiscal_year)
    ).response(request)


def progress_report_pdf(request, fiscal_year):
    public = is_public(request)
    return current_document(
        f"progress-report:{fiscal_year}:{public}",
        lambda: documents.progress_report_pdf(fiscal_year, public=public),
    ).response(request)


def next_year_items_pdf(request, fiscal_year):
    public = is_public(request)
    return current_document(
        f"next-year-items:{fiscal_year}:{public}",
        lambda: documents.next_year_items_pdf(fiscal_year, public=public),
    ).response(request)
