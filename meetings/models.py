"""Meetings of the liaison headquarters and what belongs to one meeting: its agenda,
handouts, the attendance snapshot and the seating plan."""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history import register as register_history

from onechoice import jpdates
from onechoice.models import Department, Official, Organization, ScheduledEvent, publishable


class MeetingKind(models.TextChoices):
    REGULAR = "regular", _("本部会議")
    EXTRAORDINARY = "extraordinary", _("臨時会議")
    INAUGURAL = "inaugural", _("設置会議")


class MeetingMode(models.TextChoices):
    IN_PERSON = "in_person", _("対面")
    ONLINE = "online", _("WEB")
    HYBRID = "hybrid", _("対面+WEB")


class Meeting(ScheduledEvent):
    fiscal_year = models.PositiveIntegerField(_("年度"), help_text=_("西暦の開始年（令和3年度なら 2021）。"))
    number = models.PositiveSmallIntegerField(
        _("回"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("本部会議の「第N回」。臨時会議は空欄でも構いません。"),
    )
    kind = models.CharField(_("種別"), max_length=20, choices=MeetingKind.choices, default=MeetingKind.REGULAR)
    title = models.CharField(
        _("件名"),
        max_length=200,
        blank=True,
        help_text=_("臨時会議の主題など（例: 新型コロナウイルス対策に関する臨時会議）。"),
    )
    mode = models.CharField(_("開催形式"), max_length=20, choices=MeetingMode.choices, default=MeetingMode.IN_PERSON)
    venue = models.CharField(_("場所"), max_length=200, blank=True)
    start_time = models.TimeField(_("開始時刻"), null=True, blank=True)
    end_time = models.TimeField(_("終了時刻"), null=True, blank=True)
    planned_topics = models.TextField(_("予定議題"), blank=True, help_text=_("1行に1件。"))
    is_published = models.BooleanField(_("公開"), default=False, help_text=_("一般公開ページに表示する。"))

    objects = publishable(is_published=True).as_manager()

    class Meta:
        verbose_name = _("会議")
        verbose_name_plural = _("会議")
        ordering = ["-fiscal_year", "date", "planned_year", "planned_month", "number"]
        constraints = [
            models.UniqueConstraint(fields=["fiscal_year", "kind", "number"], name="meeting_unique_number_per_year"),
        ]

    def __str__(self):
        return f"{jpdates.fiscal_year_label(self.fiscal_year)} {self.name}"

    @property
    def name(self) -> str:
        """第4回本部会議 / 新型コロナウイルス対策に関する臨時会議."""
        if self.title:
            return self.title
        if self.number:
            return f"第{self.number}回{self.get_kind_display()}"
        return self.get_kind_display()

    @property
    def when_label(self) -> str:
        """令和4年1月20日（木） or, while undecided, 令和4年5月中旬."""
        if self.date:
            return jpdates.format_date(self.date)
        return str(self.planned_date or "")

    @property
    def schedule_label(self) -> str:
        """The schedule's 時期 column: R3.1.10, or R4.5月中旬 while undecided."""
        if self.date:
            return jpdates.format_date_short(self.date)
        return self.planned_date.short() if self.planned_date else ""

    @property
    def time_label(self) -> str:
        """午後3時～4時30分."""
        return jpdates.format_time_range(self.start_time, self.end_time) if self.start_time else ""

    def get_absolute_url(self):
        return reverse("meetings:detail", args=[self.pk])

    def unique_error_message(self, model_class, unique_check):
        if tuple(unique_check) == ("fiscal_year", "kind", "number"):
            return ValidationError(
                _("%(year)sの第%(number)s回%(kind)sは既に登録されています。"),
                code="unique",
                params={
                    "year": jpdates.fiscal_year_label(self.fiscal_year),
                    "number": self.number,
                    "kind": self.get_kind_display(),
                },
            )
        return super().unique_error_message(model_class, unique_check)

    def clean(self):
        errors = self.schedule_errors()
        if self.kind == MeetingKind.REGULAR and not self.number:
            errors["number"] = _("本部会議には回数（第N回）を入力してください。")
        if self.start_time and self.end_time and self.end_time <= self.start_time:
            errors["end_time"] = _("終了時刻は開始時刻より後にしてください。")
        if (self.start_time or self.end_time) and not self.date:
            errors["date"] = _("時刻を入力するときは開催日も入力してください。")
        if self.end_time and not self.start_time:
            errors["start_time"] = _("終了時刻を入力するときは開始時刻も入力してください。")
        when = self.sort_date and jpdates.fiscal_year_of(self.sort_date)
        if self.fiscal_year and when and when != self.fiscal_year:
            errors["fiscal_year"] = _("開催日は%(label)sに含まれません（%(actual)sの日付です）。") % {
                "label": jpdates.fiscal_year_label(self.fiscal_year),
                "actual": jpdates.fiscal_year_label(when),
            }
        if errors:
            raise ValidationError(errors)


class AgendaSection(models.TextChoices):
    OPENING = "opening", _("開会")
    GREETING = "greeting", _("あいさつ")
    DELIBERATION = "deliberation", _("議事")
    REPORT = "report", _("報告")
    OTHER = "other", _("その他")
    CLOSING = "closing", _("閉会")


class AgendaItem(models.Model):
    """One line of the agenda (次第). Consecutive 議事 lines print as (1), (2), … under one heading."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items", verbose_name=_("会議"))
    order = models.PositiveSmallIntegerField(_("順序"))
    section = models.CharField(_("区分"), max_length=20, choices=AgendaSection.choices)
    title = models.CharField(_("件名"), max_length=200, help_text=_("例: 知事あいさつ、令和3年度連携推進項目について"))
    presenter = models.CharField(_("説明者"), max_length=100, blank=True)
    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="agenda_items",
        verbose_name=_("関連する連携推進項目"),
    )

    objects = publishable(meeting__is_published=True).as_manager()

    class Meta:
        verbose_name = _("次第の項目")
        verbose_name_plural = _("次第")
        ordering = ["meeting", "order"]
        constraints = [models.UniqueConstraint(fields=["meeting", "order"], name="agenda_unique_order")]

    def __str__(self):
        return self.title


class HandoutKind(models.TextChoices):
    MATERIAL = "material", _("資料")
    REFERENCE = "reference", _("参考資料")


class GeneratedDocument(models.TextChoices):
    """Documents the portal prints itself, which a handout can stand for in the packet."""

    PROGRESS_REPORT = "progress_report", _("連携推進項目の取り組み状況（WG開催状況と各項目の進捗シート）")
    WG_STATUS = "wg_status", _("WG開催状況")
    NEXT_YEAR_ITEMS = "next_year_items", _("次年度の協議事項")
    ANNUAL_SCHEDULE = "annual_schedule", _("次年度の年間スケジュール")
    PLAN_BUNDLE = "plan_bundle", _("計画と資料一式（年表・リーディングプロジェクトの成果と評価・計画案）")


def validate_pdf_upload(upload) -> None:
    """Refuse at upload what could not be merged into the packet at print time, or would hold
    it too long: no PDF, encrypted, no pages or more than ``HANDOUT_MAX_PAGES``, larger than
    ``HANDOUT_MAX_BYTES``, page contents decompressing past ``HANDOUT_MAX_DECODED_BYTES``, or
    scripts, attachments or forms that cannot be taken out (``onechoice.uploads.clean_pdf``,
    which also makes the cleaned copy ``handout_save`` stores). A file stored already was
    checked when it was uploaded."""
    from onechoice import uploads

    if uploads.is_new_upload(upload):
        uploads.clean_pdf(upload)


def handout_upload_to(instance, filename: str) -> str:
    """handouts/<year>/<random>.pdf: a name nobody can guess, so that a file that leaks out
    of MEDIA_ROOT (or the bucket) cannot be found by trying names. The download's name comes
    from the handout's title (meetings.views.handout_file), not from the uploaded file."""
    return f"handouts/{timezone.localdate():%Y}/{secrets.token_hex(16)}.pdf"


class Handout(models.Model):
    """A numbered handout (資料N / 参考資料N) of one meeting: an uploaded PDF, or a document
    the portal generates."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="handouts", verbose_name=_("会議"))
    kind = models.CharField(_("種別"), max_length=20, choices=HandoutKind.choices, default=HandoutKind.MATERIAL)
    number = models.PositiveSmallIntegerField(_("番号"), validators=[MinValueValidator(1)])
    title = models.CharField(_("資料名"), max_length=200)
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="handouts",
        verbose_name=_("提出部局"),
    )
    file = models.FileField(
        _("PDFファイル"),
        upload_to=handout_upload_to,
        blank=True,
        validators=[
            FileExtensionValidator(["pdf"], message=_("PDFファイル（.pdf）を選んでください。")),
            validate_pdf_upload,
        ],
    )
    document = models.CharField(
        _("自動作成する資料"),
        max_length=30,
        choices=GeneratedDocument.choices,
        blank=True,
        help_text=_("PDFをアップロードする代わりに、登録データから作成した資料を綴じます。"),
    )
    public = models.BooleanField(_("公開"), default=True, help_text=_("一般公開ページからダウンロードできる。"))
    in_packet = models.BooleanField(_("資料一式に含める"), default=True)

    objects = publishable(public=True, meeting__is_published=True).as_manager()

    class Meta:
        verbose_name = _("配付資料")
        verbose_name_plural = _("配付資料")
        ordering = ["meeting", "kind", "number"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "kind", "number"], name="handout_unique_number"),
        ]

    def __str__(self):
        return f"{self.label} {self.title}"

    @property
    def label(self) -> str:
        """資料1 / 参考資料2."""
        return f"{self.get_kind_display()}{self.number}"

    @property
    def download_url(self) -> str:
        """The uploaded PDF, or the generated document this handout stands for; "" if neither."""
        if self.file:  # through the portal, which checks who may see it (never a bare /media/ link)
            return reverse("meetings:handout_file", args=[self.pk])
        year = self.meeting.fiscal_year
        return {
            GeneratedDocument.PROGRESS_REPORT: reverse("projects:progress_pdf", args=[year]),
            GeneratedDocument.WG_STATUS: reverse("workgroups:status_pdf") + f"?fiscal_year={year}",
            GeneratedDocument.NEXT_YEAR_ITEMS: reverse("projects:proposals_pdf", args=[year + 1]),
            GeneratedDocument.ANNUAL_SCHEDULE: reverse("meetings:schedule_pdf", args=[year + 1]),
            GeneratedDocument.PLAN_BUNDLE: reverse("projects:plan_of_year_pdf", args=[year]),
        }.get(self.document, "")

    def clean(self):
        if self.file and self.document:
            raise ValidationError({"document": _("PDFファイルと自動作成する資料は、どちらか一方にしてください。")})

    def unique_error_message(self, model_class, unique_check):
        if tuple(unique_check) == ("meeting", "kind", "number"):
            return ValidationError(
                _("この会議では「%(label)s」は既に使われています。別の番号にしてください。"),
                code="unique",
                params={"label": self.label},
            )
        return super().unique_error_message(model_class, unique_check)


class AttendeeGroup(models.TextChoices):
    MUNICIPAL = "municipal", _("市町村等")
    PREFECTURE = "prefecture", _("県")
    OBSERVER = "observer", _("オブザーバー")
    SECRETARIAT = "secretariat", _("事務局")


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("出席")
    PROXY = "proxy", _("代理出席")
    ONLINE = "online", _("WEB出席")
    ABSENT = "absent", _("欠席")


class RosterMemberQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class RosterMember(models.Model):
    """A position that sits on the headquarters (本部構成員): 富山市長, 副知事, 厚生部長 … in its
    group and protocol order. It names a post, not a person: the attendee list of a meeting
    takes, for each position, the official holding it on the meeting's date."""

    group = models.CharField(_("区分"), max_length=20, choices=AttendeeGroup.choices)
    protocol_order = models.PositiveSmallIntegerField(
        _("席次"), unique=True, validators=[MinValueValidator(1)], help_text=_("出席者名簿・配席の並び順。")
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="roster_members", verbose_name=_("団体")
    )
    title = models.CharField(
        _("役職"),
        max_length=100,
        help_text=_("職員・首長マスタの役職と同じ表記（例: 富山市長、副知事）。同じ役職が2席あるときは2行登録します。"),
    )
    is_active = models.BooleanField(_("現在の構成員"), default=True, help_text=_("外すと、新しい名簿に含めません。"))

    objects = RosterMemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("本部構成員")
        verbose_name_plural = _("本部構成員")
        ordering = ["protocol_order"]

    def __str__(self):
        return self.title

    def unique_error_message(self, model_class, unique_check):
        if tuple(unique_check) == ("protocol_order",):
            return ValidationError(
                _("席次 %(order)s は既に別の構成員に使われています。"),
                code="unique",
                params={"order": self.protocol_order},
            )
        return super().unique_error_message(model_class, unique_check)


class Attendance(models.Model):
    """A snapshot of one attendee as they were on the day: later changes to officials never
    rewrite it."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances", verbose_name=_("会議"))
    group = models.CharField(_("区分"), max_length=20, choices=AttendeeGroup.choices)
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="attendances", verbose_name=_("団体")
    )
    official = models.ForeignKey(
        Official,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="attendances",
        verbose_name=_("職員マスタ"),
        help_text=_("元にした職員（任意）。名簿に印刷されるのは下の役職・氏名です。"),
    )
    title = models.CharField(_("役職"), max_length=100)
    name = models.CharField(_("氏名"), max_length=50)
    protocol_order = models.PositiveSmallIntegerField(_("席次"), validators=[MinValueValidator(1)])
    status = models.CharField(
        _("出欠"), max_length=10, choices=AttendanceStatus.choices, default=AttendanceStatus.PRESENT
    )
    proxy_title = models.CharField(_("代理者の役職"), max_length=100, blank=True)
    proxy_name = models.CharField(_("代理者の氏名"), max_length=50, blank=True)
    roster_member = models.ForeignKey(
        RosterMember,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="attendances",
        verbose_name=_("本部構成員"),
        help_text=_("構成員名簿から作成した行。"),
    )
    edited_by_hand = models.BooleanField(
        _("手で修正済み"),
        default=False,
        help_text=_("構成員名簿から作成した後に役職・氏名などを直した行。名簿の更新で上書きしません。"),
    )

    objects = publishable(meeting__is_published=True).as_manager()

    class Meta:
        verbose_name = _("出席者")
        verbose_name_plural = _("出席者")
        ordering = ["meeting", "protocol_order"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "protocol_order"], name="attendance_unique_order"),
        ]

    def __str__(self):
        return f"{self.title} {self.name}"

    # The one wording of a row wherever it is printed (attendee list, meeting and municipality
    # pages, seating card, export): the office in the title column, who is in the room in the
    # name column, a deputy marked as such.
    PROXY_MARK = "（代理）"

    @property
    def office(self) -> str:
        """The title column: the office the row stands for, 富山市長 — also when a deputy
        attends for the mayor."""
        return self.title

    @property
    def present_name(self) -> str:
        """The name column, never empty: who is there — 藤井 裕久, or for 代理出席 the
        deputy's title and name marked as proxy, 副市長 山田 太郎（代理）."""
        if self.status == AttendanceStatus.PROXY:
            deputy = " ".join(part for part in (self.proxy_title.strip(), self.proxy_name.strip()) if part)
            return f"{deputy}{self.PROXY_MARK}"
        return self.name

    def unique_error_message(self, model_class, unique_check):
        if tuple(unique_check) == ("meeting", "protocol_order"):
            return ValidationError(
                _("この会議では席次 %(order)s は既に使われています。"),
                code="unique",
                params={"order": self.protocol_order},
            )
        return super().unique_error_message(model_class, unique_check)

    def clean(self):
        errors = {}
        if self.status == AttendanceStatus.PROXY:
            if not self.proxy_name.strip():
                errors["proxy_name"] = _("代理出席の場合は代理者の氏名を入力してください。")
            if not self.proxy_title.strip():
                errors["proxy_title"] = _("代理出席の場合は代理者の役職を入力してください。")
        elif self.proxy_name or self.proxy_title:
            errors["status"] = _("代理者を入力したときは、出欠を「代理出席」にしてください。")
        if errors:
            raise ValidationError(errors)


class SeatingLayout(models.TextChoices):
    HOLLOW_SQUARE = "hollow_square", _("ロの字")
    CLASSROOM = "classroom", _("対面・スクール形式")


class SeatingPlan(models.Model):
    meeting = models.OneToOneField(
        Meeting, on_delete=models.CASCADE, related_name="seating_plan", verbose_name=_("会議")
    )
    layout = models.CharField(
        _("レイアウト"), max_length=20, choices=SeatingLayout.choices, default=SeatingLayout.HOLLOW_SQUARE
    )
    note = models.CharField(_("備考"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("配席")
        verbose_name_plural = _("配席")
        ordering = ["-meeting__fiscal_year", "meeting__date"]

    def __str__(self):
        return f"{self.meeting} 配席図"

    def get_absolute_url(self):
        return reverse("meetings:detail", args=[self.meeting_id])


class SeatSide(models.TextChoices):
    HEAD = "head", _("正面（上座）")
    LEFT = "left", _("左側")
    RIGHT = "right", _("右側")
    BACK = "back", _("後方")


class Seat(models.Model):
    """An attendee's seat, placed automatically from protocol order or set by hand."""

    plan = models.ForeignKey(SeatingPlan, on_delete=models.CASCADE, related_name="seats", verbose_name=_("配席"))
    attendance = models.OneToOneField(
        Attendance, on_delete=models.CASCADE, related_name="seat", verbose_name=_("出席者")
    )
    side = models.CharField(_("位置"), max_length=10, choices=SeatSide.choices)
    position = models.PositiveSmallIntegerField(_("並び順"), help_text=_("その辺の中での順番（1から）。"))

    class Meta:
        verbose_name = _("座席")
        verbose_name_plural = _("座席")
        ordering = ["plan", "side", "position"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "side", "position"], name="seat_unique_position"),
        ]

    def __str__(self):
        return f"{self.get_side_display()} {self.position}"

    def clean(self):
        if self.plan_id and self.attendance_id and self.attendance.meeting_id != self.plan.meeting_id:
            raise ValidationError({"attendance": _("この会議の出席者を選んでください。")})


# Change history (who, when, what) of every record, shown to the secretariat in the admin.
for _model in (
    Meeting,
    AgendaItem,
    Handout,
    RosterMember,
    Attendance,
    SeatingPlan,
    Seat,
):
    register_history(_model)


# --- attendance requests (出欠照会) and the organisations' replies (出欠回答) -----------------


class AttendanceRequest(models.Model):
    """The secretariat's request to the organisations of a meeting to say who attends: one per
    meeting, with a reply deadline. The organisations asked each have an ``AttendanceReply``
    (answered or not yet); their answers are written into the meeting's attendance rows."""

    meeting = models.OneToOneField(
        Meeting, on_delete=models.CASCADE, related_name="attendance_request", verbose_name=_("会議")
    )
    deadline = models.DateField(_("回答期限"), help_text=_("この日まで、各団体がポータルで回答・変更できます。"))
    message = models.TextField(_("依頼文"), blank=True, help_text=_("照会メールと回答画面に表示します。"))
    organizations = models.ManyToManyField(
        Organization,
        related_name="+",
        verbose_name=_("照会先の団体"),
        help_text=_("空欄のときは、出席者名簿に載っている団体すべてに照会します。"),
        blank=True,
    )
    opened_at = models.DateTimeField(_("照会日時"), null=True, blank=True, editable=False)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("照会した人"),
    )

    class Meta:
        verbose_name = _("出欠照会")
        verbose_name_plural = _("出欠照会")
        ordering = ["-deadline"]

    def __str__(self):
        return f"{self.meeting} 出欠照会"

    def unique_error_message(self, model_class, unique_check):
        if tuple(unique_check) == ("meeting",):
            return ValidationError(_("この会議の出欠照会は既にあります。"), code="unique")
        return super().unique_error_message(model_class, unique_check)

    def clean(self):
        meeting = self.meeting if self.meeting_id else None
        if meeting is not None and meeting.date and self.deadline and self.deadline > meeting.date:
            raise ValidationError(
                {"deadline": _("回答期限は開催日（%(date)s）以前にしてください。") % {"date": meeting.when_label}}
            )

    def is_open(self, today=None) -> bool:
        """Replies are taken until the end of the deadline day."""
        return (today or timezone.localdate()) <= self.deadline


class AttendanceReply(models.Model):
    """The state of one organisation's reply to a request: not yet (``answered_at`` empty) or
    answered, by whom and when, with a note. History keeps every answer."""

    request = models.ForeignKey(
        AttendanceRequest, on_delete=models.CASCADE, related_name="replies", verbose_name=_("出欠照会")
    )
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("団体"))
    answered_at = models.DateTimeField(_("回答日時"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("回答した人"),
    )
    note = models.TextField(_("連絡事項"), blank=True)

    class Meta:
        verbose_name = _("出欠回答")
        verbose_name_plural = _("出欠回答")
        ordering = ["request", "organization__protocol_order"]
        constraints = [
            models.UniqueConstraint(fields=["request", "organization"], name="attendance_reply_unique_organization"),
        ]

    def __str__(self):
        return f"{self.organization} {'回答済' if self.answered_at else '未回答'}"


class MailKind(models.TextChoices):
    REQUEST = "request", _("出欠照会")
    REMINDER = "reminder", _("出欠照会の再送")
    REPLY = "reply", _("回答の確認")
    PUBLISHED = "published", _("資料の公開")
    INVITATION = "invitation", _("アカウントの招待")
    PASSWORD_RESET = "password_reset", _("パスワードの再設定")
    PROPOSAL_CALL = "proposal_call", _("提案募集")
    PROPOSAL_REVIEW = "proposal_review", _("提案の審査の連絡")
    MATERIAL_REQUEST = "material_request", _("資料提出の依頼")
    MATERIAL_REVIEW = "material_review", _("提出資料の差戻し・確定")


class MailResult(models.TextChoices):
    SENT = "sent", _("送信済み")
    FAILED = "failed", _("送信失敗")


class SentMail(models.Model):
    """Every message the portal sent (or tried to): to whom, what, when, the result."""

    kind = models.CharField(_("種類"), max_length=20, choices=MailKind.choices)
    to = models.TextField(_("宛先"), blank=True)
    subject = models.CharField(_("件名"), max_length=300)
    sent_at = models.DateTimeField(_("送信日時"), default=timezone.now)
    result = models.CharField(_("結果"), max_length=10, choices=MailResult.choices)
    error = models.TextField(_("エラー"), blank=True)
    request = models.ForeignKey(
        AttendanceRequest,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mails",
        verbose_name=_("出欠照会"),
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("団体")
    )

    class Meta:
        verbose_name = _("送信メール")
        verbose_name_plural = _("送信メール")
        ordering = ["-sent_at"]

    def __str__(self):
        return self.subject


register_history(AttendanceRequest)
register_history(AttendanceReply)


# --- material submissions (資料提出) --------------------------------------------------------------


class MaterialState(models.TextChoices):
    """Where a requested material stands: 依頼中 → 提出済 → 差戻し (→ 提出済 again) or 確定."""

    REQUESTED = "requested", _("依頼中")
    SUBMITTED = "submitted", _("提出済")
    RETURNED = "returned", _("差戻し")
    ACCEPTED = "accepted", _("確定")


def material_upload_to(instance, filename: str) -> str:
    """materials/<year>/<random>.pdf: as ``handout_upload_to``, a name nobody can guess; a
    submission is kept apart from the handouts' files until the secretariat accepts it."""
    return f"materials/{timezone.localdate():%Y}/{secrets.token_hex(16)}.pdf"


class MaterialRequest(models.Model):
    """The secretariat's request (資料提出の依頼) to a department or an organisation for the
    PDF of one handout slot of a meeting, and what came back. The slot is the ``Handout``
    (its 資料N / 参考資料N number and title stay the handout's, unique as they are); the
    submitted file is kept here until it is accepted, then it becomes the handout's file.
    The state moves only through meetings.services (material_submit, material_accept,
    material_return); history keeps every step."""

    handout = models.OneToOneField(
        Handout, on_delete=models.CASCADE, related_name="material_request", verbose_name=_("配付資料")
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("依頼先の部局"),
        help_text=_("県の部局に依頼するとき。その部局の課に所属するユーザーが提出できます。"),
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("依頼先の団体"),
        help_text=_("市町村などの団体に依頼するとき。その団体に所属するユーザーが提出できます。"),
    )
    deadline = models.DateField(_("提出期限"))
    message = models.TextField(_("依頼文"), blank=True, help_text=_("依頼メールと提出画面に表示します。"))
    state = models.CharField(
        _("状態"), max_length=20, choices=MaterialState.choices, default=MaterialState.REQUESTED, editable=False
    )
    file = models.FileField(
        _("提出されたPDF"),
        upload_to=material_upload_to,
        blank=True,
        editable=False,
        validators=[
            FileExtensionValidator(["pdf"], message=_("PDFファイル（.pdf）を選んでください。")),
            validate_pdf_upload,
        ],
    )
    requested_at = models.DateTimeField(_("依頼日時"), null=True, blank=True, editable=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("依頼した人"),
    )
    submitted_at = models.DateTimeField(_("提出日時"), null=True, blank=True, editable=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("提出した人"),
    )
    comment = models.TextField(_("事務局からのコメント"), blank=True, editable=False, help_text=_("差戻しの理由など。"))
    reviewed_at = models.DateTimeField(_("確認日時"), null=True, blank=True, editable=False)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("確認した人"),
    )

    class Meta:
        verbose_name = _("資料提出の依頼")
        verbose_name_plural = _("資料提出の依頼")
        ordering = ["handout__meeting", "handout__kind", "handout__number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(department__isnull=True, organization__isnull=False)
                | Q(department__isnull=False, organization__isnull=True),
                name="material_request_one_party",
                violation_error_message=_("依頼先は、部局か団体のどちらか一方を選んでください。"),
            ),
        ]

    def __str__(self):
        return f"{self.handout.label} {self.handout.title}（{self.asked_of}）"

    def get_absolute_url(self):
        return reverse("meetings:materials", args=[self.handout.meeting_id])

    @property
    def asked_of(self) -> str:
        """経営管理部 / 富山市: whom the material is asked of."""
        party = self.department if self.department_id else self.organization
        return str(party) if party is not None else ""

    @property
    def is_open(self) -> bool:
        """Not accepted yet: the asked party may still send or replace the file."""
        return self.state != MaterialState.ACCEPTED

    def is_late(self, today=None) -> bool:
        """Past the deadline and nothing waiting to be reviewed or accepted."""
        waiting = self.state in (MaterialState.REQUESTED, MaterialState.RETURNED)
        return waiting and (today or timezone.localdate()) > self.deadline

    @property
    def submitted_late(self) -> bool:
        """Handed in after the deadline day."""
        return bool(self.submitted_at) and timezone.localdate(self.submitted_at) > self.deadline

    def clean(self):
        errors = {}
        if bool(self.department_id) == bool(self.organization_id):
            errors["department"] = _("依頼先は、部局か団体のどちらか一方を選んでください。")
        try:  # the slot is made with its request (material_request_open): it may not be stored yet
            handout = self.handout
        except Handout.DoesNotExist:
            handout = None
        meeting = handout.meeting if handout is not None and handout.meeting_id else None
        if meeting is not None and meeting.date and self.deadline and self.deadline > meeting.date:
            errors["deadline"] = _("提出期限は開催日（%(date)s）以前にしてください。") % {"date": meeting.when_label}
        if errors:
            raise ValidationError(errors)


register_history(MaterialRequest)
