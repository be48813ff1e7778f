from django.http import Http404
from django.shortcuts import render

from onechoice.http import fiscal_year_param, is_public
from onechoice.page_cache import cached_page
from onechoice.pdf import current_document

from . import documents, selectors
from .models import WorkingGroup


@cached_page
def working_group_list(request):
    return render(
        request,
        "workgroups/working_group_list.html",
        {"working_groups": selectors.working_groups_for_list(public=is_public(request))},
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
