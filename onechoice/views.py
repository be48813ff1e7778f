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
