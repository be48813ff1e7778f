"""Accounts people run themselves: password change for every logged-in user and password
reset by mail (Django's auth views, Japanese templates in templates/registration/).

The reset answers the same for known and unknown addresses (Django's form sends nothing for an
unknown one, and the page after it says only that a mail was sent if the address is known); a
mail server that fails is logged, never a 500 and never a hint that the address exists."""

from __future__ import annotations

import logging

from django.contrib.auth import forms as auth_forms

logger = logging.getLogger(__name__)


class PasswordResetForm(auth_forms.PasswordResetForm):
    def send_mail(self, *args, **kwargs):
        try:
            super().send_mail(*args, **kwargs)
        except Exception:  # the mail server's refusal, a timeout: logged, the page answers as always
            logger.exception("password reset mail to %s failed", args[4] if len(args) > 4 else "?")
