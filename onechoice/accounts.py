"""Accounts people run themselves: password change for every logged-in user and password
reset by mail (Django's auth views, Japanese templates in templates/registration/).

The reset answers the same for known and unknown addresses (Django's form sends nothing for an
unknown one, and the page after it says only that a mail was sent if the address is known); a
mail server that fails is logged, never a 500 and never a hint that the address exists."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.decorators import login_required
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from . import roles
from .models import Affiliation

logger = logging.getLogger(__name__)

# Who records the mails of accounts (the app that keeps the 送信メール list registers itself:
# the core imports no app). ``record(kind, to, subject, error)``; error "" when sent.
_recorders: list = []


def register_mail_recorder(record) -> None:
    _recorders.append(record)


def _recorded(kind: str, to: str, subject: str, error: str = "") -> None:
    for record in _recorders:
        try:
            record(kind, to, subject, error)
        except Exception:
            logger.exception("recording the %s mail to %s failed", kind, to)


class PasswordResetForm(auth_forms.PasswordResetForm):
    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email, *args, **kwargs):
        subject = " ".join(render_to_string(subject_template_name, context).split())
        try:
            super().send_mail(
                subject_template_name, email_template_name, context, from_email, to_email, *args, **kwargs
            )
        except Exception as error:  # the mail server's refusal, a timeout: logged, the page answers as always
            logger.exception("password reset mail to %s failed", to_email)
            _recorded("password_reset", to_email, subject, f"{type(error).__name__}: {error}")
        else:
            _recorded("password_reset", to_email, subject)


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


def invitation_send(user) -> bool:
    """Mail ``user`` a link to set their password (Django's reset token: it expires after
    ``PASSWORD_RESET_TIMEOUT`` and works once, as setting the password changes what it was made
    from). False when the user has no address or the mail server refused (logged)."""
    if not user.email:
        return False
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    link = settings.PORTAL_URL + reverse("password_reset_confirm", args=[uid, default_token_generator.make_token(user)])
    affiliation = Affiliation.objects.filter(user=user).select_related("organization").first()
    context = {
        "user": user,
        "organization": affiliation.organization if affiliation else None,
        "role_label": roles.LABELS[roles.role_of(user)],
        "link": link,
        "days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
        "login_url": settings.PORTAL_URL + reverse("login"),
        "signature": settings.MAIL_SIGNATURE,
    }
    subject = " ".join(render_to_string("registration/invitation_subject.txt", context).split())
    body = render_to_string("registration/invitation_body.txt", context)
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    except Exception as error:  # the mail server's refusal, a timeout: logged, the admin says whom it missed
        logger.exception("invitation mail to %s failed", user.email)
        _recorded("invitation", user.email, subject, f"{type(error).__name__}: {error}")
        return False
    _recorded("invitation", user.email, subject)
    return True
