from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from meetings import selectors as meeting_selectors
from projects import selectors as project_selectors
from workgroups import selectors as workgroup_selectors


def home(request):
    today = timezone.localdate()
    fiscal_year = meeting_selectors.current_fiscal_year(today=today)
    return render(
        request,
        "home.html",
        {
            "upcoming_meetings": meeting_selectors.meetings_upcoming(today=today),
            "recent_meetings": meeting_selectors.meetings_recent(today=today),
            "fiscal_year": fiscal_year,
            "project_years": project_selectors.project_years_of(fiscal_year) if fiscal_year else [],
            "recent_sessions": workgroup_selectors.sessions_recent(),
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
