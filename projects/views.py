import re

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.template.loader import render_to_string

from onechoice.http import checked_path, fiscal_year_param, is_public, valid_fiscal_year, valid_id
from onechoice.page_cache import cached_page
from onechoice.pdf import current_document

from . import documents, selectors
from .documents import bundle
from .filters import ProjectFilter
from .models import Plan, ProjectYear

# The list is cached for an audience, not for one person: the officer's own municipality
# (its one-click filter, its rows marked 提案/参加) is filled in for each request, in 2 queries.
MINE_LINK_MARKER = b"<!--projects:mine-link-->"
MINE_ROW_MARKER = re.compile(rb"<!--projects:mine:(\d+)-->")


def project_list(request):
    response = _project_list(request)
    if response.status_code != 200 or MINE_LINK_MARKER not in response.content:
        return response
    municipality = selectors.own_municipality(request.user)
    roles = selectors.project_roles_of(municipality) if municipality else {}
    link = ""
    if municipality:
        link = render_to_string(
            "projects/_mine_link.html",
            {"municipality": municipality, "active": request.GET.get("municipality") == municipality.lg_code},
        )

    def mark(found):
        mine = roles.get(int(found.group(1)))
        return render_to_string("projects/_mine_badges.html", {"roles": mine}).encode() if mine else b""

    response.content = MINE_ROW_MARKER.sub(mark, response.content.replace(MINE_LINK_MARKER, link.encode(), 1))
    return response


@cached_page
def _project_list(request):
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


def _plan(pk: int, plan_pk: int, public: bool) -> Plan:
    """The plan of item ``pk`` with its bundle, visible as its item is; 404 otherwise."""
    try:
        return selectors.plan_page(pk, plan_pk, public=public)
    except Plan.DoesNotExist:
        raise Http404("この計画はありません。") from None


@checked_path(pk=valid_id, plan_pk=valid_id)
@cached_page
def plan_detail(request, pk, plan_pk):
    """/projects/<id>/plans/<plan id>/: the plan, its desired states and directions, and the
    bundle it came with (timeline, leading projects' results and 評価・総括, lessons)."""
    plan = _plan(pk, plan_pk, is_public(request))
    return render(request, "projects/plan_detail.html", bundle.bundle_context(plan))


@checked_path(pk=valid_id, plan_pk=valid_id)
def plan_pdf(request, pk, plan_pk):
    """/projects/<id>/plans/<plan id>.pdf: the bundle as one PDF."""
    return _plan_pdf_response(request, pk, plan_pk)


def _plan_pdf_response(request, pk: int, plan_pk: int):
    public = is_public(request)
    return current_document(
        f"plan-bundle:{pk}:{plan_pk}:{public}", lambda: bundle.plan_bundle_pdf(_plan(pk, plan_pk, public))
    ).response(request)


@checked_path(fiscal_year=valid_fiscal_year)
def plan_of_year_pdf(request, fiscal_year):
    """/projects/plans/<fiscal year>.pdf: the bundle a meeting of that year hands out (the
    handout's generated document 計画); 404 when no plan is handed out that year."""
    public = is_public(request)
    found = selectors.plan_of_year(fiscal_year, public=public)
    if found is None:
        raise Http404("この年度に配付する計画はありません。")
    return _plan_pdf_response(request, found.project_id, found.pk)
