import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from meetings.models import AttendanceRequest, Meeting
from meetings.services import attendance_request_open, attendances_from_roster
from onechoice import jpdates
from onechoice.models import Affiliation, Division, Organization
from onechoice.roles import Role, ensure_role_groups
from onechoice.services import affiliation_save
from proposals.models import Proposal, ProposalCall
from proposals.services import proposal_call_save, proposal_create

DEMO_PASSWORD = "onechoice-demo"
DEMO_MAIL_DOMAIN = "demo.onechoice.example"
DEMO_REQUEST_DAYS = 14
DEMO_CALL_DAYS = 30


class Command(BaseCommand):
    help = (
        "デモ用アカウント secretariat / division / municipal（パスワード onechoice-demo）を作成します。"
        "本番モードでは使えません。"
    )

    @transaction.atomic
    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("本番モード（ONECHOICE_ENV=production）ではデモ用アカウントを作成できません。")
        try:
            prefecture = Organization.objects.get(kind="prefecture")
            toyama_city = Organization.objects.get(lg_code="162019")
            nature = Division.objects.get(name="自然保護課")
        except (Organization.DoesNotExist, Division.DoesNotExist):
            raise CommandError("先に load_toyama で富山県の実データを読み込んでください。") from None
        groups = ensure_role_groups()
        User = get_user_model()
        accounts = [
            ("secretariat", "事務局", "太郎", Role.SECRETARIAT, True, prefecture, []),
            ("division", "自然保護課", "花子", Role.DIVISION, True, prefecture, [nature]),
            ("municipal", "富山市", "次郎", Role.MUNICIPAL, False, toyama_city, []),
        ]
        for username, last, first, role, is_staff, org, divisions in accounts:
            user, created = User.objects.get_or_create(username=username)
            user.last_name, user.first_name, user.is_staff = last, first, is_staff
            user.email = f"{username}@{DEMO_MAIL_DOMAIN}"  # the mail lands in var/mail/ (file backend)
            user.set_password(DEMO_PASSWORD)
            user.save()
            user.groups.set([groups[role]])
            affiliation = Affiliation.objects.filter(user=user).first() or Affiliation(user=user)
            affiliation.organization = org
            affiliation_save(affiliation=affiliation, divisions=divisions)
            self.stdout.write(f"  {username}（{role.group_name}）{'を作成' if created else 'を更新'}")
        self._attendance_request(User.objects.get(username="secretariat"))
        self._draft_proposal(User.objects.get(username="secretariat"), User.objects.get(username="municipal"))
        self.stdout.write(self.style.SUCCESS(f"デモ用アカウントのパスワードは {DEMO_PASSWORD} です。"))

    def _attendance_request(self, secretariat):
        """An open attendance request for the next planned meeting (its attendee list made from
        the HQ roster first), so that ``municipal`` has one to answer; once."""
        planned = [m for m in Meeting.objects.filter(status="planned") if m.sort_date]
        if not planned or AttendanceRequest.objects.filter(meeting__status="planned").exists():
            return
        meeting = min(planned, key=lambda m: m.sort_date)
        if not meeting.attendances.exists():
            attendances_from_roster(meeting=meeting)
        if not meeting.attendances.filter(organization__lg_code="162019").exists():
            return
        deadline = timezone.localdate() + dt.timedelta(days=DEMO_REQUEST_DAYS)
        if meeting.date and deadline > meeting.date:
            return
        attendance_request_open(meeting=meeting, deadline=deadline, message="デモ用の出欠照会です。", user=secretariat)
        self.stdout.write(f"  {meeting} の出欠照会（回答期限 {deadline:%Y-%m-%d}）を作成")

    def _draft_proposal(self, secretariat, municipal):
        """A call for next fiscal year's items, open for a month, and one draft of 富山市 in it
        (``municipal``'s), so that the proposal loop can be tried at once; once."""
        if Proposal.objects.filter(organization__lg_code="162019", state="draft").exists():
            return
        fiscal_year = jpdates.fiscal_year_of(timezone.localdate()) + 1
        call = ProposalCall.objects.filter(fiscal_year=fiscal_year).first()
        if call is None:
            deadline = timezone.localdate() + dt.timedelta(days=DEMO_CALL_DAYS)
            call = proposal_call_save(
                call=ProposalCall(
                    fiscal_year=fiscal_year, deadline=deadline, message="デモ用の提案募集です。", opened_by=secretariat
                )
            )
            self.stdout.write(f"  {call}（提出期限 {deadline:%Y-%m-%d}）を作成")
        if not call.is_open():
            return
        proposal_create(
            user=municipal,
            call=call,
            title="公共交通の利用促進に向けた連携（デモ用の下書き）",
            goal="県内の公共交通の利用者を増やし、運行を維持する。",
            current_situation="人口減少と自家用車の普及で、路線バス・鉄道の利用者が減っている。",
            issues="市町村ごとの利用促進策が別々で、広域の移動に効果が出にくい。",
            concrete_measures="県と市町村が共同で企画乗車券とPRに取り組む。",
            expected_effects="利用者の増加\n運行の維持",
        )
        self.stdout.write("  富山市の提案（下書き）を作成")
