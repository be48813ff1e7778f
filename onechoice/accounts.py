"""Accounts people run themselves: password change for every logged-in user and password
reset by mail (Django's auth views, Japanese templates in templates/registration/).

The reset answers the same for known and unknown addresses (Django's form sends nothing for an
unknown one, and the page after it says only that a mail was sent if the address is known); a
mail server that fails is logged, never a 500 and never a hint that the address exists."""

from __future__ import annotations

import logging

from django.contrib.auth import forms as auth_forms
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from . import roles
from .models import Affiliation

logger = logging.getLogger(__name__)


class PasswordResetForm(auth_forms.PasswordResetForm):
    def send_mail(self, *args, **kwargs):
        try:
            super().send_mail(*args, **kwargs)
        except Exception:  # the mail server's refusal, a timeout: logged, the page answers as always
            logger.exception("password reset mail to %s failed", args[4] if len(args) > 4 else "?")


@login_required
def my_account(request):
    """「アカウント」: who the user is in the portal — organisation, divisions, role — and the
    link to change the password. Not cached: it is the user's own page."""
    affiliation = Affiliation.objects.filter(user=request.user).select_related("organization").first()
    return render(
        request,
        "registration/account.html",
        {
            "affiliation": affiliation,
            "divisions": list(affiliation.divisions.order_by("protocol_order")) if affiliation else [],
            "role_label": roles.LABELS[roles.role_of(request.user)],
        },
    )
