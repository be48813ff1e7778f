"""The two limits (see ``onechoice.lockout``), on top of axes' database handler."""

from __future__ import annotations

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum


def recent_failures(request=None, **lookup) -> int:
    """Failed logins matching ``lookup`` (``username=…`` or ``ip_address=…``) whose latest
    failure is within the cool-off time."""
    attempts = AccessAttempt.objects.filter(**lookup, attempt_time__gte=get_cool_off_threshold(request))
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


class LockoutHandler(AxesDatabaseHandler):
    def get_failures(self, request, credentials: dict | None = None) -> int:
        """What axes compares with AXES_FAILURE_LIMIT: the username's failures; at least the
        limit itself once the address has reached LOCKOUT_FAILURES_PER_ADDRESS."""
        username = get_client_username(request, credentials)
        failures = recent_failures(request, username=username) if username else 0
        address = request.axes_ip_address
        if address and recent_failures(request, ip_address=address) >= settings.LOCKOUT_FAILURES_PER_ADDRESS:
            return max(failures, settings.AXES_FAILURE_LIMIT)
        return failures

    def reset_user_attempts(self, request, credentials: dict | None = None) -> int:
        """After a successful login: that username's failures only (axes would also clear
        every failure from the address, for all usernames)."""
        username = get_client_username(request, credentials)
        if not username:
            return 0
        count, _ = AccessAttempt.objects.filter(username=username).delete()
        return count
