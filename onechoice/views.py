import logging

from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

logger = logging.getLogger(__name__)


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
