"""``manage.py send_reminders``: for cron or a systemd timer, once a day.

For every attendance request whose deadline is ``ATTENDANCE_REMINDER_DAYS`` days away or
less (and not passed), each organisation that has not answered gets one reminder — once: an
organisation that got one since the window opened (by this command or by 「未回答の団体に再送」)
gets none again, so running it twice sends nothing twice. A request mail that failed (recorded
as 送信失敗) is sent again. Every message is recorded in 送信メール.
"""

import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from meetings import mail
from meetings.models import AttendanceReply, MailKind, MailResult, SentMail


class Command(BaseCommand):
    help = "回答期限が近い出欠照会について、未回答の団体に再送メールを1回だけ送ります（cron で毎日実行）。"

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="送らずに、送る予定の団体を表示します。")

    def handle(self, *args, dry_run=False, **options):
        today = timezone.localdate()
        days = settings.ATTENDANCE_REMINDER_DAYS
        pending = AttendanceReply.objects.filter(answered_at__isnull=True, request__deadline__gte=today).select_related(
            "request__meeting", "organization"
        )
        sent_ok = set(
            SentMail.objects.filter(result=MailResult.SENT, request__deadline__gte=today).values_list(
                "request_id", "organization_id", "kind", "sent_at"
            )
        )
        requests_sent = {(r, o) for r, o, kind, _at in sent_ok if kind == MailKind.REQUEST}
        reminders_sent = {}
        for r, o, kind, at in sent_ok:
            if kind == MailKind.REMINDER:
                reminders_sent.setdefault((r, o), []).append(timezone.localdate(at))
        counts = {"request": 0, "reminder": 0}
        for reply in pending:
            key = (reply.request_id, reply.organization_id)
            window_opens = reply.request.deadline - dt.timedelta(days=days)
            if key not in requests_sent:
                kind = "request"
            elif today >= window_opens and not any(d >= window_opens for d in reminders_sent.get(key, [])):
                kind = "reminder"
            else:
                continue
            if not mail.recipients(reply.organization_id):
                continue  # nobody to send to: recorded once when the request was opened
            counts[kind] += 1
            label = "再送" if kind == "reminder" else "照会メール（前回は送信失敗）"
            self.stdout.write(f"  {reply.request.meeting} → {reply.organization.name}: {label}")
            if not dry_run:
                mail.send_request_mails(reply.request_id, [reply.organization_id], reminder=kind == "reminder")
        done = "を送る予定です（--dry-run: 送っていません）。" if dry_run else "を送りました。"
        self.stdout.write(f"再送 {counts['reminder']} 件、照会メール {counts['request']} 件{done}")
