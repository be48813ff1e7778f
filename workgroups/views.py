from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from onechoice import jpdates
from onechoice.http import fiscal_year_param, is_public
from onechoice.page_cache import cached_page
from onechoice.pdf import current_document

from . import documents, selectors
from .models import WorkingGroup


@cached_page
def working_group_list(request):
    """/workgroups/?fiscal_year=2021 (default: the current year, as for the status PDF)."""
    public = is_public(request)
    years = selectors.fiscal_years_with_working_groups(public=public)
    this_year = jpdates.fiscal_year_of(timezone.localdate())
    fiscal_year = fiscal_year_param(
        request,
        default=lambda: next((y for y in years if y <= this_year), None),
        holds_records=lambda y: y in years or not years,
    )
    return render(
        request,
        "workgroups/working_group_list.html",
        {
            "fiscal_year": fiscal_year,
            "fiscal_years": [(y, jpdates.fiscal_year_label(y)) for y in years],
            "working_groups": selectors.working_groups_for_year_page(fiscal_year, public=public),
        },
    )


def status_pdf(request):
    fiscal_year, public = fiscal_year_param(request, default=selectors.latest_fiscal_year), is_public(request)

    def build():
        # Asked only when the document is not in the cache: a cached one was built for a year
        # with WGs, under the same data version.
        if not WorkingGroup.objects.visible(public=public).filter(project__years__fiscal_year=fiscal_year).exists():
            raise Http404("この年度のWGはありません。")
        return documents.wg_status_pdf(fiscal_year, public=public)

    return current_document(f"wg-status:{fiscal_year}:{public}", build).response(request)
