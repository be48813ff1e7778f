"""One log line per request (``onechoice.request``): its id, method, path, status, duration,
the user's id and the client's address; see ``onechoice.logs`` for the format."""

from __future__ import annotations

import logging
import re
import time
import uuid

from django.utils.functional import empty

from . import logs
from .http import client_ip, is_trusted_proxy

logger = logging.getLogger("onechoice.request")

REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


def request_id_of(request) -> str:
    """The proxy's X-Request-ID when a trusted proxy sent one that looks like an id, else a
    new one (a client cannot choose the id its request is logged under)."""
    given = request.META.get("HTTP_X_REQUEST_ID", "")
    if given and REQUEST_ID.fullmatch(given) and is_trusted_proxy(request.META.get("REMOTE_ADDR")):
        return given
    return uuid.uuid4().hex


def user_id_of(request) -> str | None:
    """The logged-in user's id, if the request has already looked it up (never a query of
    its own: the page-cache and query-count budgets hold without it)."""
    user = getattr(request, "user", None)
    if user is None:
        return None
    wrapped = getattr(user, "_wrapped", user)
    if wrapped is empty:  # not looked at: the session may still say who it was
        session = getattr(request, "session", None)
        cached = getattr(session, "_session_cache", None)
        user_id = cached.get("_auth_user_id") if isinstance(cached, dict) else None
        return str(user_id) if user_id is not None else None
    return str(wrapped.pk) if wrapped.is_authenticated else None


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = request_id_of(request)
        token = logs.current_request_id.set(request.request_id)
        started = time.monotonic()
        status = 500  # unless a response comes back
        try:
            response = self.get_response(request)
            status = response.status_code
            response["X-Request-ID"] = request.request_id
            return response
        finally:
            self._log(request, status, time.monotonic() - started)
            logs.current_request_id.reset(token)

    def _log(self, request, status: int, seconds: float) -> None:
        match = getattr(request, "resolver_match", None)
        if status == 200 and match is not None and match.view_name == "health":
            return  # the load balancer's probe, every few seconds: only its failures
        logger.log(
            logging.ERROR if status >= 500 else logging.INFO,
            "%s %s %s",
            request.method,
            request.path,
            status,
            extra={
                "request_id": request.request_id,
                "method": request.method,
                "path": request.path,
                "status": status,
                "duration_ms": round(seconds * 1000, 1),
                "user_id": user_id_of(request),
                "client_ip": client_ip(request),
            },
        )
