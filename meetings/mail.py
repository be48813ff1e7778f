"""Mail about meetings: the attendance request (出欠照会) with the meeting as an ``.ics``
invitation, its reminder, and the confirmation of a reply; the request for a material
(資料提出の依頼), and the secretariat's return (差戻し) or acceptance (確定) of what was sent.

Sent with Django's email framework (the backend and SMTP settings in ``onechoice.settings``),
always after the commit of what triggered it (``transaction.on_commit``): a message never
goes out for a change that was rolled back, and a mail server that is down never turns the
page that triggered it into an error. Every message sent or tried is recorded (``SentMail``,
shown read-only in the admin); a failure is logged and recorded with its error.
"""

from __future__ import annotations

import datetime as dt
import logging
from email.utils import parseaddr

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, vCalAddress

from onechoice import jpdates
from onechoice.services import record_save

from . import feeds
from .models import (
    Attendance,
    AttendanceReply,
    AttendanceRequest,
    MailKind,
    MailResult,
    MaterialRequest,
    MaterialState,
    Meeting,
    SentMail,
)

logger = logging.getLogger(__name__)


def after_commit(send, *args, **kwargs):
    """``send(*args, **kwargs)`` for ``transaction.on_commit``: whatever goes wrong is logged,
    never raised into the request that committed."""

    def run():
        try:
            send(*args, **kwargs)
        except Exception:
            logger.exception("sending mail (%s) failed", send.__name__)

    run.__qualname__ = f"after_commit({send.__name__})"
    return run


def portal_url(path: str) -> str:
    return settings.PORTAL_URL + path


def recipients(organization_id: int) -> list[str]:
    """The addresses of the active users affiliated with the organisation (one query)."""
    users = get_user_model().objects.filter(is_active=True, affiliation__organization_id=organization_id)
    return sorted(set(users.exclude(email="").values_list("email", flat=True)))


def department_recipients(department_id: int) -> list[str]:
    """The addresses of the active users working in a division of the department (one query)."""
    users = get_user_model().objects.filter(is_active=True, affiliation__divisions__department_id=department_id)
    return sorted(set(users.exclude(email="").values_list("email", flat=True)))


def request_recipients(meeting_id: int, organization) -> list[str]:
    """Whom an attendance request for ``organization`` is addressed to: the prefecture's
    request goes to the staff of the departments whose officials have a seat at the meeting
    (a 部長's division answers for the 部長), not to every prefectural user; if none of them
    has an address, to the prefecture's users, so the request reaches somebody. Any other
    organisation's: all its users. Two queries at most."""
    from onechoice.models import OrganizationKind

    if organization.kind == OrganizationKind.PREFECTURE:
        departments = Attendance.objects.filter(
            meeting_id=meeting_id, organization_id=organization.pk, official__department__isnull=False
        ).values("official__department_id")
        users = get_user_model().objects.filter(
            is_active=True,
            affiliation__organization_id=organization.pk,
            affiliation__divisions__department_id__in=departments,
        )
        seated = sorted(set(users.exclude(email="").values_list("email", flat=True)))
        if seated:
            return seated
    return recipients(organization.pk)


def material_recipients(material_request: MaterialRequest) -> list[str]:
    """The users of the department or the organisation a material is asked of."""
    if material_request.department_id:
        return department_recipients(material_request.department_id)
    return recipients(material_request.organization_id)


def meeting_invitation(meeting, *, now: dt.datetime | None = None) -> bytes | None:
    """The meeting as an iTIP request (METHOD:REQUEST) with the calendar feed's UID, so that a
    calendar that took the invitation and subscribes to the feed holds one event; ``None``
    for a meeting with no date yet."""
    if not meeting.date:
        return None
    stamp = (now or timezone.now()).astimezone(dt.UTC).replace(microsecond=0)
    event = feeds._event(meeting, base_url=settings.PORTAL_URL + "/", stamp=stamp)
    organizer = vCalAddress(f"mailto:{parseaddr(settings.DEFAULT_FROM_EMAIL)[1]}")
    organizer.params["cn"] = feeds.CALENDAR_NAME
    event.add("organizer", organizer)
    calendar = Calendar.new(prodid=feeds.PRODID, subcomponents=[event])
    calendar.add("method", "REQUEST")
    calendar.add_missing_timezones()
    return calendar.to_ical()


def _render(name: str, context: dict) -> tuple[str, str]:
    context = {**context, "signature": settings.MAIL_SIGNATURE}
    subject = " ".join(render_to_string(f"mail/meetings/{name}_subject.txt", context).split())
    body = render_to_string(f"mail/meetings/{name}_body.txt", context)
    return subject, body


def send_recorded(message: EmailMessage, *, kind: str, request=None, organization_id=None) -> SentMail | None:
    """Send ``message`` and record the attempt; a failure is logged and recorded, never raised."""
    try:
        message.send(fail_silently=False)
    except Exception as error:  # the mail server's refusal, a timeout, DNS …: recorded, not raised
        logger.exception("mail %s to %s failed", kind, message.to)
        result, text = MailResult.FAILED, f"{type(error).__name__}: {error}"
    else:
        result, text = MailResult.SENT, ""
    try:
        return record_save(
            SentMail(
                kind=kind,
                to=", ".join(message.to),
                subject=message.subject[:300],
                result=result,
                error=text,
                request=request,
                organization_id=organization_id,
            )
        )
    except Exception:
        logger.exception("recording mail %s to %s failed", kind, message.to)
        return None


def request_message(request: AttendanceRequest, organization, to: list[str], *, reminder: bool = False):
    meeting = request.meeting
    context = {
        "request": request,
        "meeting": meeting,
        "organization": organization,
        "deadline": jpdates.format_date(request.deadline),
        "reply_url": portal_url(reverse("meetings:attendance", args=[meeting.pk])),
        "reminder": reminder,
    }
    subject, body = _render("attendance_request", context)
    message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, to)
    invitation = meeting_invitation(meeting)
    if invitation is not None:
        message.attach("meeting.ics", invitation, "text/calendar; method=REQUEST; charset=utf-8")
    return message


def send_request_mails(request_pk: int, organization_ids: list[int], *, reminder: bool = False) -> list[SentMail]:
    """The request (or its reminder) to the users of each organisation; an organisation
    nobody with an address works for is recorded as a failure (the secretariat sees whom the
    request did not reach)."""
    from onechoice.models import Organization

    request = AttendanceRequest.objects.select_related("meeting").get(pk=request_pk)
    kind = MailKind.REMINDER if reminder else MailKind.REQUEST
    sent = []
    for organization in Organization.objects.filter(pk__in=organization_ids).order_by("protocol_order"):
        to = request_recipients(request.meeting_id, organization)
        message = request_message(request, organization, to, reminder=reminder)
        if not to:
            record = record_save(
                SentMail(
                    kind=kind,
                    to="",
                    subject=message.subject[:300],
                    result=MailResult.FAILED,
                    error="宛先がありません（この団体に所属し、メールアドレスのあるユーザーがいません）。",
                    request=request,
                    organization=organization,
                )
            )
        else:
            record = send_recorded(message, kind=kind, request=request, organization_id=organization.pk)
        sent.append(record)
    return sent


def send_reply_confirmation(reply_pk: int, user_pk: int) -> SentMail | None:
    """What was answered, to the one who answered (if they have an address)."""
    from .selectors import reply_rows

    reply = AttendanceReply.objects.select_related("request__meeting", "organization").get(pk=reply_pk)
    user = get_user_model().objects.filter(pk=user_pk).exclude(email="").first()
    if user is None:
        return None
    meeting = reply.request.meeting
    context = {
        "reply": reply,
        "meeting": meeting,
        "organization": reply.organization,
        "rows": reply_rows(meeting.pk, reply.organization_id),
        "deadline": jpdates.format_date(reply.request.deadline),
        "reply_url": portal_url(reverse("meetings:attendance", args=[meeting.pk])),
        "user": user,
    }
    subject, body = _render("attendance_reply", context)
    message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    return send_recorded(message, kind=MailKind.REPLY, request=reply.request, organization_id=reply.organization_id)


def send_published_mails(meeting_pk: int) -> list[SentMail]:
    """「資料を公開しました」 to the users of the organisations on the meeting's attendee list: a
    link to the meeting's page on the portal (never the PDF itself) and the meeting as .ics."""
    from onechoice.models import Organization

    from .selectors import organizations_of_attendance

    meeting = Meeting.objects.get(pk=meeting_pk)
    context = {
        "meeting": meeting,
        "meeting_url": portal_url(reverse("meetings:detail", args=[meeting.pk])),
        "packet_url": portal_url(reverse("meetings:packet_pdf", args=[meeting.pk])),
    }
    sent = []
    for organization in Organization.objects.filter(pk__in=organizations_of_attendance(meeting.pk).values("pk")):
        to = recipients(organization.pk)
        if not to:
            continue  # nobody of it uses the portal: nothing to tell
        subject, body = _render("meeting_published", {**context, "organization": organization})
        message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, to)
        invitation = meeting_invitation(meeting)
        if invitation is not None:
            message.attach("meeting.ics", invitation, "text/calendar; method=REQUEST; charset=utf-8")
        sent.append(send_recorded(message, kind=MailKind.PUBLISHED, organization_id=organization.pk))
    return sent


def record_account_mail(kind: str, to: str, subject: str, error: str = "") -> None:
    """An invitation or password-reset mail (sent by onechoice.accounts) in 送信メール."""
    record_save(
        SentMail(
            kind=kind,
            to=to,
            subject=subject[:300],
            result=MailResult.FAILED if error else MailResult.SENT,
            error=error,
        )
    )


# --- material submissions (資料提出) ----------------------------------------------------------------

_NO_RECIPIENT = "宛先がありません（依頼先に所属し、メールアドレスのあるユーザーがいません）。"


def _material(request_pk: int) -> MaterialRequest:
    return MaterialRequest.objects.select_related(
        "handout__meeting", "department", "organization", "submitted_by", "reviewed_by"
    ).get(pk=request_pk)


def _material_context(material: MaterialRequest) -> dict:
    meeting = material.handout.meeting
    who = material.submitted_by
    return {
        "material": material,
        "submitter_name": (f"{who.last_name} {who.first_name}".strip() or who.username) if who else "",
        "handout": material.handout,
        "meeting": meeting,
        "asked_of": material.asked_of,
        "deadline": jpdates.format_date(material.deadline),
        "materials_url": portal_url(reverse("meetings:materials", args=[meeting.pk])),
    }


def _send_material(name: str, kind: str, material: MaterialRequest, to: list[str], context: dict) -> SentMail | None:
    subject, body = _render(name, context)
    if not to:  # recorded, so the secretariat sees whom it did not reach
        return record_save(
            SentMail(
                kind=kind,
                to="",
                subject=subject[:300],
                result=MailResult.FAILED,
                error=_NO_RECIPIENT,
                organization_id=material.organization_id,
            )
        )
    message = EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, to)
    return send_recorded(message, kind=kind, organization_id=material.organization_id)


def send_material_request_mails(request_pk: int) -> SentMail | None:
    """「資料提出のお願い」 to the users of the department or organisation asked: the slot, the
    deadline, the secretariat's message and the link to the upload page."""
    material = _material(request_pk)
    context = _material_context(material)
    return _send_material(
        "material_request", MailKind.MATERIAL_REQUEST, material, material_recipients(material), context
    )


def send_material_review_mail(request_pk: int) -> SentMail | None:
    """What the secretariat decided on a submitted material. 差戻し: the comment, to the
    asked party's users and the one who submitted (whoever picks it up sends it again);
    確定: a short notice to the one who submitted only (nobody else has anything to do)."""
    material = _material(request_pk)
    context = _material_context(material)
    submitter = material.submitted_by
    own = [submitter.email] if submitter is not None and submitter.is_active and submitter.email else []
    if material.state == MaterialState.RETURNED:
        to = sorted(set(material_recipients(material)) | set(own))
        return _send_material("material_returned", MailKind.MATERIAL_REVIEW, material, to, context)
    if material.state == MaterialState.ACCEPTED and own:
        return _send_material("material_accepted", MailKind.MATERIAL_REVIEW, material, own, context)
    return None
