import logging

from django.core.cache import cache
from django.db import connection
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from meetings import selectors as meeting_selectors
from onechoice.page_cache import cached_page
from onechoice.permissions import sees_unpublished
from projects import selectors as project_selectors
from workgroups import selectors as workgroup_selectors

logger = logging.getLogger(__name__)


def is_public(request) -> bool:
    """True for visitors who are not logged in: they see published records only."""
    return not sees_unpublished(request.user)


@cached_page
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


@never_cache
def health(request):
    """For the load balancer: 200 when this app server reaches the database and the shared
    cache (a write and a read), else 503. Open to everyone; says nothing about the failure."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            checks["database"] = "ok" if cursor.fetchone() == (1,) else "error"
    except Exception:
        logger.exception("health: database check failed")
        checks["database"] = "error"
    try:
        cache.set("health-check", "ok", 60)
        checks["cache"] = "ok" if cache.get("health-check") == "ok" else "error"
    except Exception:
        logger.exception("health: cache check failed")
        checks["cache"] = "error"
    healthy = all(v == "ok" for v in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503)
