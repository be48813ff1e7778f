"""The lockout lists in the admin: axes' own, with the state of each row in Japanese as the
handler sees it (the username's failures, and the address's)."""

from __future__ import annotations

from axes import admin as axes_admin
from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import admin
from django.db.models import IntegerField, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def _recent_total(threshold, field: str):
    totals = (
        AccessAttempt.objects.filter(attempt_time__gte=threshold, **{field: OuterRef(field)})
        .order_by()
        .values(field)
        .annotate(total=Sum("failures_since_start"))
        .values("total")
    )
    return Coalesce(Subquery(totals, output_field=IntegerField()), 0)


class AccessAttemptAdmin(axes_admin.AccessAttemptAdmin):
    list_display = [name for name in axes_admin.AccessAttemptAdmin.list_display if name != "status"] + ["lock_state"]

    def get_queryset(self, request):
        threshold = timezone.now() - get_cool_off()
        return (
            super()
            .get_queryset(request)
            .annotate(
                username_failures=_recent_total(threshold, "username"),
                address_failures=_recent_total(threshold, "ip_address"),
            )
        )

    @admin.display(description=_("状態"))
    def lock_state(self, obj):
        if obj.attempt_time < timezone.now() - get_cool_off():
            return _("期限切れ（ロックなし）")
        if obj.username_failures >= settings.AXES_FAILURE_LIMIT:
            return _("ロック中（このユーザー名）")
        if obj.address_failures >= settings.LOCKOUT_FAILURES_PER_ADDRESS:
            return _("ロック中（この接続元）")
        return _("あと%(count)d回失敗するとロック") % {"count": settings.AXES_FAILURE_LIMIT - obj.username_failures}


def register(site=admin.site) -> None:
    if site.is_registered(AccessAttempt):
        site.unregister(AccessAttempt)
    site.register(AccessAttempt, AccessAttemptAdmin)
