from django.shortcuts import render

from onechoice.http import fiscal_year_param, is_public
from onechoice.page_cache import cached_page
from onechoice.pdf import current_document

from . import documents, selectors


@cached_page
def working_group_list(request):
    return render(
        request,
        "workgroups/working_group_list.html",
        {"working_groups": selectors.working_groups_for_list(public=is_public(request))},
    )


def status_pdf(request):
    fiscal_year, public = fiscal_year_param(request, default=selectors.latest_fiscal_year), is_public(request)
    return current_document(
        f"wg-status:{fiscal_year}:{public}", lambda: documents.wg_status_pdf(fiscal_year, public=public)
    ).response(request)
