from django.http import Http404
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone

from meetings import selectors as meeting_selectors
from onechoice.http import checked_path, is_public, valid_id
from onechoice.models import Organization
from onechoice.page_cache import cached_page
from projects import documents as project_documents
from projects import selectors as project_selectors
from projects.models import Project
from workgroups import selectors as workgroup_selectors

from . import selectors

# Where the home page takes the officer's own municipality: the page is cached for an
# audience, not for one person, so this part is filled in for each request (as the account
# menu is), from a selector with a fixed number of queries.
MY_MUNICIPALITY_MARKER = "<!--portal:my-municipality-->"


def home(request):
    response = _home(request)
    if response.status_code != 200 or MY_MUNICIPALITY_MARKER.encode() not in response.content:
        return response
    municipality = project_selectors.own_municipality(request.user)
    summary = ""
    if municipality is not None:
        data = selectors.my_municipality_summary(municipality, today=timezone.localdate(), public=is_public(request))
        summary = render_to_string("portal/_my_municipality.html", {"summary": data}, request=request)
    response.content = response.content.replace(MY_MUNICIPALITY_MARKER.encode(), summary.encode(), 1)
    return response


@cached_page
def _home(request):
    today, public = timezone.localdate(), is_public(request)
    fiscal_year = meeting_selectors.current_fiscal_year(today=today)
    return render(
        request,
        "portal/home.html",
        {
            "upcoming_meetings": meeting_selectors.meetings_upcoming(today=today, public=public),
            "recent_meetings": meeting_selectors.meetings_recent(today=today, public=public),
            "fiscal_year": fiscal_year,
            "project_years": project_selectors.project_years_of(fiscal_year, public=public) if fiscal_year else [],
            "recent_sessions": workgroup_selectors.sessions_recent(public=public),
            "my_municipality_marker": MY_MUNICIPALITY_MARKER,
        },
    )


@checked_path(pk=valid_id)
@cached_page
def project_detail(request, pk):
    public = is_public(request)
    try:
        project = selectors.project_page(pk, public=public)
    except Project.DoesNotExist:
        raise Http404 from None
    indicators = [(i, project_documents.bar_chart(i.series, i.unit)) for i in project.indicators.all()]
    handouts = selectors.handouts_about(project, public=public)
    return render(
        request, "portal/project_detail.html", {"project": project, "indicators": indicators, "handouts": handouts}
    )


@cached_page
def municipality_detail(request, lg_code):
    try:
        profile = selectors.municipality_profile(lg_code, public=is_public(request))
    except Organization.DoesNotExist:
        raise Http404 from None
    return render(request, "portal/municipality_detail.html", {"profile": profile})
