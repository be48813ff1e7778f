from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from meetings import selectors as meeting_selectors
from onechoice.permissions import sees_unpublished
from projects import selectors as project_selectors
from workgroups import selectors as workgroup_selectors


def is_public(request) -> bool:
    """True for visitors who are not logged in: they see published records only."""
    return not sees_unpublished(request.user)


def home(request):
    today, public = timezone.localdate(), is_public(request)
    fiscal_year = meeting_selectors.current_fiscal_year(today=today)
    return render(
        request,
        "home.html",
        {
            "upcoming_meetings": meeting_selectors.meetings_upcoming(today=today, public=public),
            "recent_meetings": meeting_selectors.meetings_recent(today=today, public=public),
            "fiscal_year": fiscal_year,
            "project_years": project_selectors.project_years_of(fiscal_year, public=public) if fiscal_year else [],
            "recent_sessions": workgroup_selectors.sessions_recent(public=public),
        },
    )


def fiscal_year_param(request) -> int:
    """?fiscal_year=2021, defaulting to the headquarters' current year; nonsense is a 404."""
    value = request.GET.get("fiscal_year")
    if value is None:
        today = timezone.localdate()
        return meeting_selectors.current_fiscal_year(today=today) or today.year
    if not value.isdigit() or not 2000 <= int(value) <= 2100:
        raise Http404("年度の指定が正しくありません。")
    return int(value)
