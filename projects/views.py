from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from onechoice.models import Organization

from . import selectors
from .filters import ProjectFilter
from .models import Project


def project_list(request):
    project_filter = ProjectFilter(request.GET, queryset=selectors.projects_for_list())
    page = Paginator(project_filter.qs, 20).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "projects/project_list.html",
        {"filter": project_filter, "page": page, "query": query.urlencode()},
    )


def project_detail(request, pk):
    try:
        project = selectors.project_detail(pk)
    except Project.DoesNotExist:
        raise Http404 from None
    return render(request, "projects/project_detail.html", {"project": project})


def municipality_detail(request, lg_code):
    try:
        municipality = selectors.municipality_detail(lg_code)
    except Organization.DoesNotExist:
        raise Http404 from None
    return render(request, "projects/municipality_detail.html", {"municipality": municipality})
