"""Working groups (WG) of an item and their sessions."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history import register as register_history

from onechoice import jpdates
from onechoice.models import Department, EventStatus, Organization, ScheduledEvent, publishable
from projects.models import Project


class WorkingGroup(models.Model):
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="working_groups", verbose_name=_("連携推進項目")
    )
    order = models.PositiveSmallIntegerField(_("順序"), default=1)
    scope = models.TextField(
        _("WG設置区分"),
        help_text=_("WGで扱う範囲（例: ①避難所などの広域的な利用による効率的な避難所の運営）。1行に1件。"),
    )
    lead_department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_working_groups",
        verbose_name=_("とりまとめ部局"),
    )
    departments = models.ManyToManyField(Department, related_name="working_groups", verbose_name=_("担当部局"))
    members = models.ManyToManyField(
        Organization,
        blank=True,
        related_name="working_groups",
        verbose_name=_("構成団体"),
    )
    note = models.TextField(_("備考"), blank=True)

    objects = publishable(project__is_published=True).as_manager()

    class Meta:
        verbose_name = _("ワーキンググループ")
        verbose_name_plural = _("ワーキンググループ")
        ordering = ["project", "order"]
        constraints = [models.UniqueConstraint(fields=["project", "order"], name="wg_unique_order")]

    def __str__(self):
        first_line = self.scope.splitlines()[0] if self.scope else ""
        return f"WG {first_line}"

    def get_absolute_url(self):
        return reverse("workgroups:list") + f"#wg{self.pk}"


class SessionKind(models.TextChoices):
    WG = "wg", _("WG")
    SECTION_CHIEFS = "section_chiefs", _("担当課長会議")
    STAFF = "staff", _("担当者会議")
    DEPUTY_MAYORS = "deputy_mayors", _("副市町村長級検討会")
    CONSULTATION = "consultation", _("協議")
    DRILL = "drill", _("訓練")
    INSPECTION = "inspection", _("視察")
    INFORMATION = "information", _("情報共有")


class WorkingGroupSessionQuerySet(publishable(working_group__project__is_published=True)):
    def in_time_order(self):
        """Held and dated sessions by date, then those planned for a month only."""
        return self.order_by(F("date").asc(nulls_last=True), "planned_year", "planned_month", "pk")


class WorkingGroupSession(ScheduledEvent):
    """One WG session: held on a date, or planned for a date or a month (2月予定)."""

    working_group = models.ForeignKey(
        WorkingGroup, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("WG")
    )
    kind = models.CharField(_("種別"), max_length=20, choices=SessionKind.choices, default=SessionKind.WG)
    name = models.CharField(
        _("会議名"),
        max_length=100,
        blank=True,
        help_text=_("種別と違う呼び名があれば（例: IT担当課長会議）。"),
    )
    note = models.CharField(_("備考"), max_length=300, blank=True, help_text=_("例: 3町村で協定締結、5市"))
    status = models.CharField(_("状態"), max_length=10, choices=EventStatus.choices, default=EventStatus.HELD)

    objects = WorkingGroupSessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("WG開催")
        verbose_name_plural = _("WG開催")
        ordering = ["working_group", "date", "planned_year", "planned_month"]
        # The importer's natural key (WG, 開催日 or 予定時期, 種別), held by the database: a
        # session held on a date, or one planned for a month (and 旬), is there once per kind.
        constraints = [
            models.UniqueConstraint(
                fields=["working_group", "date", "kind"],
                condition=models.Q(date__isnull=False),
                name="wg_session_unique_date",
                violation_error_message=_("このWGには同じ開催日・種別の開催が既に登録されています。"),
            ),
            models.UniqueConstraint(
                fields=["working_group", "planned_year", "planned_month", "planned_period", "kind"],
                condition=models.Q(date__isnull=True),
                name="wg_session_unique_planned",
                violation_error_message=_("このWGには同じ予定時期・種別の開催が既に登録されています。"),
            ),
        ]

    def __str__(self):
        return f"{self.when_label} {self.display_name}"

    @property
    def display_name(self) -> str:
        return self.name or self.get_kind_display()

    @property
    def when_label(self) -> str:
        """R4.2.4 (予定) / 令和4年2月 (予定)."""
        label = jpdates.format_date_short(self.date) if self.date else str(self.planned_date or "")
        return f"{label}（予定）" if self.is_planned else label

    @property
    def fiscal_year(self) -> int | None:
        day = self.sort_date
        return jpdates.fiscal_year_of(day) if day else None

    def clean(self):
        errors = self.schedule_errors()
        if errors:
            raise ValidationError(errors)


# Change history (who, when, what) of every record, shown to the secretariat in the admin.
for _model in (WorkingGroupSession,):
    register_history(_model)
register_history(WorkingGroup, m2m_fields=["departments", "members"])
