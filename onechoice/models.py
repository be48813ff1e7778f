"""Master data shared by every app: organisations, prefectural departments and divisions,
officials, and which of them a portal user belongs to."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history import register as register_history

from .jpdates import MonthPeriod, PlannedDate
from .lgcode import validate_local_government_code


class PublishableQuerySet(models.QuerySet):
    """Records the public sees only when published: ``visible(public=True)`` keeps those
    (``published`` is the filter that says so), ``visible(public=False)`` keeps all."""

    published: dict = {}

    def visible(self, *, public: bool):
        return self.filter(**self.published) if public else self


def publishable(queryset_class: type[PublishableQuerySet] = PublishableQuerySet, **published):
    """A queryset class whose ``visible(public=True)`` filters on ``published``, e.g.
    ``publishable(is_published=True)`` or ``publishable(meeting__is_published=True)``."""
    return type(queryset_class.__name__, (queryset_class,), {"published": published, "__module__": __name__})


class OrganizationKind(models.TextChoices):
    PREFECTURE = "prefecture", _("県")
    MUNICIPALITY = "municipality", _("市町村")
    ASSOCIATION = "association", _("団体（市長会・町村会等）")
    OTHER = "other", _("その他")


class OrganizationQuerySet(models.QuerySet):
    def municipalities(self):
        return self.filter(kind=OrganizationKind.MUNICIPALITY)


class Organization(models.Model):
    """The prefecture, a municipality, an association (市長会, 町村会) or another body."""

    kind = models.CharField(_("種別"), max_length=20, choices=OrganizationKind.choices)
    name = models.CharField(_("名称"), max_length=100, unique=True)
    short_name = models.CharField(
        _("略称"), max_length=30, blank=True, help_text=_("一覧や表で使う短い名前（例: 富山）。")
    )
    protocol_order = models.PositiveIntegerField(_("席次"), help_text=_("名簿・配席の並び順。小さいほど上位。"))
    lg_code = models.CharField(
        _("地方公共団体コード"),
        max_length=6,
        blank=True,
        validators=[validate_local_government_code],
        help_text=_("県・市町村は必須。6桁（検査数字付き）。例: 富山市 162019"),
    )

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        verbose_name = _("団体")
        verbose_name_plural = _("団体")
        ordering = ["protocol_order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["lg_code"], condition=~Q(lg_code=""), name="organization_unique_lg_code"),
        ]

    def __str__(self):
        return self.name

    @property
    def is_local_government(self) -> bool:
        return self.kind in (OrganizationKind.PREFECTURE, OrganizationKind.MUNICIPALITY)

    def clean(self):
        if self.is_local_government and not self.lg_code:
            raise ValidationError({"lg_code": _("県・市町村には地方公共団体コードを入力してください。")})
        if not self.is_local_government and self.lg_code:
            raise ValidationError({"lg_code": _("地方公共団体コードは県・市町村にだけ入力します。")})

    def get_absolute_url(self):
        if self.kind == OrganizationKind.MUNICIPALITY:
            return reverse("portal:municipality", args=[self.lg_code])
        return reverse("admin:onechoice_organization_change", args=[self.pk])


class Department(models.Model):
    """A department of the prefectural government (部局), e.g. 厚生部."""

    name = models.CharField(_("部局名"), max_length=50, unique=True)
    protocol_order = models.PositiveIntegerField(_("席次"))

    class Meta:
        verbose_name = _("部局")
        verbose_name_plural = _("部局")
        ordering = ["protocol_order", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("projects:list") + f"?department={self.pk}"


class Division(models.Model):
    """A division (課・室) inside a department, e.g. 自然保護課."""

    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="divisions", verbose_name=_("部局")
    )
    name = models.CharField(_("課名"), max_length=50, unique=True)
    protocol_order = models.PositiveIntegerField(_("並び順"), default=0)

    class Meta:
        verbose_name = _("課・室")
        verbose_name_plural = _("課・室")
        ordering = ["department__protocol_order", "protocol_order", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("admin:onechoice_division_change", args=[self.pk])


class Official(models.Model):
    """A person holding a position for a period: 富山市長 藤井 裕久 (2021-04-25 –)."""

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="officials", verbose_name=_("団体")
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="officials",
        null=True,
        blank=True,
        verbose_name=_("部局"),
    )
    title = models.CharField(_("役職"), max_length=100)
    name = models.CharField(_("氏名"), max_length=50, help_text=_("姓と名の間は全角または半角スペース。"))
    name_kana = models.CharField(_("ふりがな"), max_length=100, blank=True)
    protocol_rank = models.PositiveIntegerField(_("席次"), default=0)
    valid_from = models.DateField(_("就任日"), null=True, blank=True)
    valid_to = models.DateField(_("退任日"), null=True, blank=True)

    class Meta:
        verbose_name = _("職員・首長")
        verbose_name_plural = _("職員・首長")
        ordering = ["organization__protocol_order", "protocol_rank", "name"]
        indexes = [models.Index(fields=["name"])]
        constraints = [
            # The importer's natural key (onechoice.resources.OfficialResource), held by the
            # database too: concurrent writers cannot make the same official twice.
            models.UniqueConstraint(
                fields=["organization", "title", "name"],
                name="official_unique_title_name",
                violation_error_message=_("この団体には同じ役職・氏名の職員・首長が既に登録されています。"),
            ),
        ]

    def __str__(self):
        return f"{self.title} {self.name}"

    def clean(self):
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": _("退任日は就任日より後の日付にしてください。")})

    def get_absolute_url(self):
        return reverse("admin:onechoice_official_change", args=[self.pk])


class Affiliation(models.Model):
    """Where a portal user works: a municipality for officers, divisions for prefectural staff."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="affiliation",
        verbose_name=_("ユーザー"),
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("所属団体")
    )
    divisions = models.ManyToManyField(
        Division,
        blank=True,
        related_name="+",
        verbose_name=_("所属課"),
        help_text=_("県担当課の職員は、ここで選んだ課の連携推進項目だけを編集できます。"),
    )

    class Meta:
        verbose_name = _("所属")
        verbose_name_plural = _("所属")
        ordering = ["user__username"]

    def __str__(self):
        return f"{self.user} ({self.organization})"


class EventStatus(models.TextChoices):
    PLANNED = "planned", _("予定")
    HELD = "held", _("開催済み")


class ScheduledEvent(models.Model):
    """Something held on a date or planned: on a fixed date, or only for a month and maybe
    its 上旬/中旬/下旬 (令和4年5月中旬). Shared by meetings and WG sessions."""

    date = models.DateField(_("開催日"), null=True, blank=True)
    status = models.CharField(_("状態"), max_length=10, choices=EventStatus.choices, default=EventStatus.PLANNED)
    planned_year = models.PositiveIntegerField(
        _("予定年"), null=True, blank=True, validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    planned_month = models.PositiveSmallIntegerField(
        _("予定月"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    planned_period = models.CharField(_("予定旬"), max_length=10, choices=MonthPeriod.choices, blank=True)

    class Meta:
        abstract = True

    @property
    def planned_date(self) -> PlannedDate | None:
        if self.planned_year and self.planned_month:
            return PlannedDate(self.planned_year, self.planned_month, self.planned_period)
        return None

    @property
    def sort_date(self):
        """The date, or the approximate day of a fuzzy date, for ordering in time."""
        if self.date:
            return self.date
        return self.planned_date.approximate_date if self.planned_date else None

    @property
    def is_planned(self) -> bool:
        return self.status == EventStatus.PLANNED

    def settle_schedule(self) -> PlannedDate | None:
        """Once the date is decided, the planned month no longer applies: clear it and return
        what it was (for the service to tell the user), else None. A planned meeting whose date
        is set becomes a dated one instead of failing validation."""
        planned = self.planned_date
        if not self.date or not (planned or self.planned_year or self.planned_month or self.planned_period):
            return None
        self.planned_year = self.planned_month = None
        self.planned_period = ""
        return planned

    def schedule_errors(self) -> dict:
        """Errors in the date, status and fuzzy date together (used by the models' ``clean``)."""
        errors = {}
        if bool(self.planned_year) != bool(self.planned_month):
            field = "planned_month" if self.planned_year else "planned_year"
            errors[field] = _("予定時期は年と月の両方を入力してください。")
        if self.planned_period and not self.planned_month:
            errors["planned_period"] = _("旬を指定するときは予定月も入力してください。")
        if self.date and self.planned_date:
            errors["planned_month"] = _("開催日が決まっているときは予定年・予定月を空欄にしてください。")
        if self.status == EventStatus.HELD and not self.date:
            errors["date"] = _("開催済みの会議には開催日を入力してください。")
        if self.status == EventStatus.PLANNED and not self.date and not self.planned_date:
            errors.setdefault(
                "planned_month", _("予定の会議には開催日か、予定年と予定月（例: 5月中旬、2月予定）を入力してください。")
            )
        return errors


# Change history (who, when, what) of every record, shown to the secretariat in the admin.
for _model in (
    Organization,
    Department,
    Division,
    Official,
    Affiliation,
):
    register_history(_model)


class DataVersion(models.Model):
    """One row: the data version (onechoice/data_version.py), a token replaced after every
    committed change to the portal's records. Its own table, not a cache entry, so that it
    is never culled and a failed replacement raises instead of passing unnoticed."""

    token = models.CharField(max_length=32)

    class Meta:
        verbose_name = _("データ版")
