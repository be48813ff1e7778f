from django.shortcuts import render

from onechoice.views import fiscal_year_param, is_public

from . import documents, selectors


def working_group_list(request):
    return render(request, "workgroups/working_group_list.html", {"working_groups": selectors.working_groups_for_list(public=is_public(request))})


def status_pdf(request):
    return documents.wg_status_pdf(fiscal_year_param(request), public=is_public(request)).response(request)
