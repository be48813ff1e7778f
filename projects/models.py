"""Collaboration items (連携推進項目) and everything recorded about them per fiscal year."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history import register as register_history

from onechoice import jpdates
from onechoice.models import Department, Division, Organization, publishable

FISCAL_YEAR_VALIDATORS = [MinValueValidator(2000), MaxValueValidator(2100)]


class Project(models.Model):
    """A collaboration item proposed by municipalities, e.g. 自治体行政のデジタル化."""

    title = models.CharField(_("連携項目名"), max_length=200, unique=True)
    proposers = models.ManyToManyField(
        Organization,
        related_name="proposed_projects",
        verbose_name=_("提案市町村"),
    )
    targets = models.ManyToManyField(
        Organization,
        blank=True,
        related_name="target_projects",
        verbose_name=_("対象市町村"),
        help_text=_("提案市町村以外に参加する団体。全市町村が対象なら全15市町村を選びます。"),
    )
    departments = models.ManyToManyField(Department, related_name="projects", verbose_name=_("担当部局"))
    divisions = models.ManyToManyField(Division, blank=True, related_name="projects", verbose_name=_("県担当課"))
    first_fiscal_year = models.PositiveIntegerField(_("開始年度"), validators=FISCAL_YEAR_VALIDATORS)
    is_published = models.BooleanField(_("公開"), default=True)

    objects = publishable(is_published=True).as_manager()

    class Meta:
        verbose_name = _("連携推進項目")
        verbose_name_plural = _("連携推進項目")
        ordering = ["first_fiscal_year", "pk"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("portal:project_detail", args=[self.pk])


class YearStatus(models.TextChoices):
    NEW = "new", _("新規")
    CONTINUING = "continuing", _("継続")
    CONCLUDED = "concluded", _("協議終了")


class Grade(models.TextChoices):
    A = "A", _("A 順調に進んでおり、新たな課題と取組みもわかっている")
    B = "B", _("B 達成に時間を要し、継続的な取組みが必要")
    C = "C", _("C 新たなアプローチを加えた取組みの強化が必要")


class Achievement(models.TextChoices):
    ACHIEVED = "achieved", _("○概ね達成")
    NOT_ACHIEVED = "not_achieved", _("△達成できず")


class ProjectYear(models.Model):
    """What an item is, plans and achieved in one fiscal year."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="years", verbose_name=_("連携推進項目"))
    fiscal_year = models.PositiveIntegerField(_("年度"), validators=FISCAL_YEAR_VALIDATORS)
    status = models.CharField(_("区分"), max_length=20, choices=YearStatus.choices)
    selection_reason = models.TextField(_("選定理由"), blank=True)
    goal = models.TextField(_("目標（目指す姿）"), blank=True)
    current_situation = models.TextField(_("現状"), blank=True)
    issues = models.TextField(_("課題"), blank=True)
    concrete_measures = models.TextField(_("具体的連携施策"), blank=True)
    expected_effects = models.TextField(_("効果"), blank=True)
    grade = models.CharField(_("評価"), max_length=1, choices=Grade.choices, blank=True)
    achievement = models.CharField(_("達成状況"), max_length=20, choices=Achievement.choices, blank=True)

    objects = publishable(project__is_published=True).as_manager()

    class Meta:
        verbose_name = _("年度別の取組み")
        verbose_name_plural = _("年度別の取組み")
        ordering = ["project", "fiscal_year"]
        constraints = [
            models.UniqueConstraint(fields=["project", "fiscal_year"], name="project_year_unique"),
        ]

    def __str__(self):
        return f"{self.project}（{jpdates.fiscal_year_label(self.fiscal_year)}）"

    def get_absolute_url(self):
        return reverse("portal:project_detail", args=[self.project_id]) + f"#fy{self.fiscal_year}"

    def unique_error_message(self, model_class, unique_check):
        if tuple(unique_check) == ("project", "fiscal_year"):
            return ValidationError(
                _("この項目の%(label)sの記録は既にあります。"),
                code="unique",
                params={"label": jpdates.fiscal_year_label(self.fiscal_year)},
            )
        return super().unique_error_message(model_class, unique_check)


class Measure(models.Model):
    """A sub-item of an item (①-1 …), optionally under a heading such as 【子ども医療費関係】."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="measures", verbose_name=_("連携推進項目")
    )
    order = models.PositiveSmallIntegerField(_("順序"))
    heading = models.CharField(
        _("見出し"),
        max_length=200,
        blank=True,
        help_text=_("同じ見出しの施策はまとめて表示されます（例: 【子ども医療費関係】）。"),
    )
    label = models.CharField(_("番号"), max_length=20, blank=True, help_text=_("例: ①、①-1、(1)"))
    title = models.CharField(_("施策名"), max_length=300)

    class Meta:
        verbose_name = _("施策")
        verbose_name_plural = _("施策")
        ordering = ["project", "order"]
        constraints = [models.UniqueConstraint(fields=["project", "order"], name="measure_unique_order")]

    def __str__(self):
        return f"{self.label}{self.title}" if self.label else self.title


class MeasureResult(models.Model):
    """Results and next steps of one measure in one fiscal year."""

    project_year = models.ForeignKey(
        ProjectYear, on_delete=models.CASCADE, related_name="measure_results", verbose_name=_("年度")
    )
    measure = models.ForeignKey(Measure, on_delete=models.CASCADE, related_name="results", verbose_name=_("施策"))
    results = models.TextField(_("取り組み成果"), blank=True)
    next_steps = models.TextField(_("今後の取組み"), blank=True)
    follow_up = models.CharField(
        _("進行管理の方法"),
        max_length=200,
        blank=True,
        help_text=_("例: 被害対策会議等で個別の進行管理、連携推進項目として協議継続"),
    )
    grade = models.CharField(_("評価"), max_length=1, choices=Grade.choices, blank=True)
    achievement = models.CharField(_("達成状況"), max_length=20, choices=Achievement.choices, blank=True)

    class Meta:
        verbose_name = _("施策の年度実績")
        verbose_name_plural = _("施策の年度実績")
        ordering = ["project_year", "measure__order"]
        constraints = [
            models.UniqueConstraint(fields=["project_year", "measure"], name="measure_result_unique"),
        ]

    def __str__(self):
        return f"{self.measure.title}（{jpdates.fiscal_year_short(self.project_year.fiscal_year)}）"

    def clean(self):
        if self.measure_id and self.project_year_id and self.measure.project_id != self.project_year.project_id:
            raise ValidationError({"measure": _("この連携推進項目の施策を選んでください。")})


class Highlight(models.Model):
    """連携のポイント・成果: one policy's overview and what the collaboration achieved."""

    project_year = models.ForeignKey(
        ProjectYear, on_delete=models.CASCADE, related_name="highlights", verbose_name=_("年度")
    )
    order = models.PositiveSmallIntegerField(_("順序"))
    title = models.CharField(_("連携項目名（施策）"), max_length=200)
    overview = models.TextField(_("概要"), blank=True)
    points = models.TextField(_("連携のポイント・成果"), blank=True)

    class Meta:
        verbose_name = _("主な実績と成果")
        verbose_name_plural = _("主な実績と成果")
        ordering = ["project_year", "order"]

    def __str__(self):
        return self.title


class Photo(models.Model):
    highlight = models.ForeignKey(
        Highlight, on_delete=models.CASCADE, related_name="photos", verbose_name=_("実績と成果")
    )
    order = models.PositiveSmallIntegerField(_("順序"), default=0)
    image = models.ImageField(_("写真"), upload_to="photos/%Y/", blank=True)
    caption = models.CharField(_("説明"), max_length=200)

    class Meta:
        verbose_name = _("写真")
        verbose_name_plural = _("写真")
        ordering = ["highlight", "order"]

    def __str__(self):
        return self.caption


class Indicator(models.Model):
    """A key figure (指標), e.g. マイナンバーカード交付率 in %."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("連携推進項目")
    )
    measure = models.ForeignKey(
        Measure,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="indicators",
        verbose_name=_("施策"),
    )
    order = models.PositiveSmallIntegerField(_("順序"), default=0)
    name = models.CharField(_("指標名"), max_length=200)
    unit = models.CharField(_("単位"), max_length=20, blank=True, help_text=_("例: %、件、台"))
    note = models.CharField(_("備考"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("指標")
        verbose_name_plural = _("指標")
        ordering = ["project", "order", "pk"]

    def __str__(self):
        return f"{self.name}（{self.unit}）" if self.unit else self.name

    def clean(self):
        if self.measure_id and self.project_id and self.measure.project_id != self.project_id:
            raise ValidationError({"measure": _("この連携推進項目の施策を選んでください。")})

    @property
    def series(self) -> list["IndicatorValue"]:
        """Values in time order, dated and fiscal-year values mixed (uses prefetched values)."""
        return sorted(self.values.all(), key=lambda v: v.as_of)


def format_number(value: Decimal | int | str) -> str:
    """An indicator's value as every screen and sheet prints it: no trailing zeros, digits
    grouped — 22.70 → 22.7, 100.00 → 100, 3811.00 → 3,811, 0.05 → 0.05."""
    value = Decimal(value)
    exponent = value.normalize().as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return f"{value:,.{places}f}"


class IndicatorValue(models.Model):
    """One reading of an indicator, at a date (R4.1.1時点) or for a fiscal year (R5)."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values", verbose_name=_("指標"))
    date = models.DateField(_("時点"), null=True, blank=True)
    fiscal_year = models.PositiveIntegerField(_("年度"), null=True, blank=True, validators=FISCAL_YEAR_VALIDATORS)
    value = models.DecimalField(_("値"), max_digits=14, decimal_places=2)
    rank = models.PositiveSmallIntegerField(_("全国順位"), null=True, blank=True)
    note = models.CharField(_("備考"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("指標の値")
        verbose_name_plural = _("指標の値")
        ordering = ["indicator", "fiscal_year", "date"]
        # The importer's natural key (indicator, date, fiscal year; exactly one of the two is
        # set, see clean()), held by the database: one value per indicator and date or year.
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "date"],
                condition=models.Q(date__isnull=False),
                name="indicator_value_unique_date",
                violation_error_message=_("この指標には同じ時点の値が既に登録されています。"),
            ),
            models.UniqueConstraint(
                fields=["indicator", "fiscal_year"],
                condition=models.Q(fiscal_year__isnull=False),
                name="indicator_value_unique_fiscal_year",
                violation_error_message=_("この指標には同じ年度の値が既に登録されています。"),
            ),
        ]

    def __str__(self):
        return f"{self.period_label} {self.value_label}"

    @property
    def value_label(self) -> str:
        """22.7 (not 22.70), without the unit."""
        return format_number(self.value)

    @property
    def as_of(self):
        """The day the value describes: its date, or the last day of its fiscal year."""
        return self.date or jpdates.fiscal_year_bounds(self.fiscal_year)[1]

    @property
    def period_label(self) -> str:
        if self.date:
            return f"{jpdates.format_date_short(self.date)}時点"
        return jpdates.fiscal_year_short(self.fiscal_year).removesuffix("年度")

    def clean(self):
        if bool(self.date) == bool(self.fiscal_year):
            raise ValidationError(_("時点（日付）か年度のどちらか一方を入力してください。"))


class Milestone(models.Model):
    """A step on an item's timeline (R3年度 6月 DX・働き方改革推進本部の設置)."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("連携推進項目")
    )
    fiscal_year = models.PositiveIntegerField(_("年度"), validators=FISCAL_YEAR_VALIDATORS)
    month = models.PositiveSmallIntegerField(_("月"), validators=[MinValueValidator(1), MaxValueValidator(12)])
    text = models.CharField(_("内容"), max_length=300)

    class Meta:
        verbose_name = _("スケジュール")
        verbose_name_plural = _("スケジュール")
        ordering = ["project", "fiscal_year", "pk"]

    def __str__(self):
        return f"{jpdates.fiscal_year_short(self.fiscal_year)} {self.month}月 {self.text}"


class Plan(models.Model):
    """A plan attached to an item, such as 富山県DX・働き方改革推進計画."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="plans", verbose_name=_("連携推進項目"))
    title = models.CharField(_("計画名"), max_length=200)
    subtitle = models.CharField(_("副題"), max_length=200, blank=True)
    first_fiscal_year = models.PositiveIntegerField(_("計画期間（開始年度）"), validators=FISCAL_YEAR_VALIDATORS)
    last_fiscal_year = models.PositiveIntegerField(_("計画期間（終了年度）"), validators=FISCAL_YEAR_VALIDATORS)
    goal = models.TextField(_("目標"), blank=True)
    positioning = models.TextField(
        _("位置付け"), blank=True, help_text=_("1行に1件。※で始まる行は注記として小さく印刷します。")
    )
    period_note = models.TextField(_("期間についての補足"), blank=True, help_text=_("1行に1件。"))
    viewpoint_lead = models.TextField(_("推進にあたっての視点（前文）"), blank=True)
    viewpoints = models.TextField(_("推進にあたっての視点"), blank=True, help_text=_("1行に1件（番号は自動）。"))
    structure = models.TextField(_("計画の構造"), blank=True)

    class Meta:
        verbose_name = _("計画")
        verbose_name_plural = _("計画")
        ordering = ["project", "first_fiscal_year"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("projects:plan", args=[self.project_id, self.pk])

    @property
    def years(self) -> int:
        return self.last_fiscal_year - self.first_fiscal_year + 1

    @property
    def period_label(self) -> str:
        """令和6年度（2024年度）から令和10年度（2028年度）までの5年間."""
        first, last = self.first_fiscal_year, self.last_fiscal_year
        return (
            f"{jpdates.fiscal_year_label(first)}（{first}年度）から"
            f"{jpdates.fiscal_year_label(last)}（{last}年度）までの{self.years}年間"
        )

    def clean(self):
        if self.first_fiscal_year and self.last_fiscal_year and self.last_fiscal_year < self.first_fiscal_year:
            raise ValidationError({"last_fiscal_year": _("終了年度は開始年度以降にしてください。")})


class DesiredState(models.Model):
    """概ね5年後のありたい姿 and 取組みの方向性 under one area of a plan."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="desired_states", verbose_name=_("計画"))
    area_number = models.PositiveSmallIntegerField(_("分野番号"))
    area = models.CharField(_("分野"), max_length=100)
    label = models.CharField(_("番号"), max_length=10)
    order = models.PositiveSmallIntegerField(_("順序"), default=0, help_text=_("分野の中での並び順。"))
    text = models.TextField(_("ありたい姿"))

    class Meta:
        verbose_name = _("ありたい姿")
        verbose_name_plural = _("ありたい姿")
        ordering = ["plan", "area_number", "order", "pk"]

    def __str__(self):
        return f"{self.area_number} {self.area} {self.label}"


class Direction(models.Model):
    """One 取組みの方向性 of a desired state, in its printed order."""

    desired_state = models.ForeignKey(
        DesiredState, on_delete=models.CASCADE, related_name="directions", verbose_name=_("ありたい姿")
    )
    order = models.PositiveSmallIntegerField(_("順序"))
    text = models.CharField(_("取組みの方向性"), max_length=300)

    class Meta:
        verbose_name = _("取組みの方向性")
        verbose_name_plural = _("取組みの方向性")
        ordering = ["desired_state", "order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["desired_state", "order"],
                name="direction_unique_order",
                violation_error_message=_("このありたい姿には同じ順序の取組みの方向性が既にあります。"),
            )
        ]

    def __str__(self):
        return self.text


class PlanStep(models.Model):
    """A step of 計画策定に係る経緯と進め方: on a date (令和6年8月28日), or in a month known only
    to its 旬 (10月中旬), or over months (6～7月, 4月～)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="steps", verbose_name=_("計画"))
    order = models.PositiveSmallIntegerField(_("順序"))
    fiscal_year = models.PositiveIntegerField(_("年度"), validators=FISCAL_YEAR_VALIDATORS)
    date = models.DateField(_("日付"), null=True, blank=True)
    month = models.PositiveSmallIntegerField(
        _("月"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    period = models.CharField(_("旬"), max_length=10, choices=jpdates.MonthPeriod.choices, blank=True)
    last_month = models.PositiveSmallIntegerField(
        _("終わりの月"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text=_("6～7月のように期間で書くとき。"),
    )
    continues = models.BooleanField(_("以降も継続（～）"), default=False, help_text=_("4月～のように書くとき。"))
    text = models.CharField(_("内容"), max_length=300)

    class Meta:
        verbose_name = _("策定に係る経緯")
        verbose_name_plural = _("策定に係る経緯")
        ordering = ["plan", "order", "pk"]

    def __str__(self):
        return f"{jpdates.fiscal_year_label(self.fiscal_year)} {self.when_label} {self.text}"

    @property
    def when_label(self) -> str:
        """3月25日 / 10月中旬 / 6～7月 / 4月～ (the year is the row's 年度)."""
        if self.date:
            return f"{self.date.month}月{self.date.day}日"
        if self.month is None:
            return ""
        if self.last_month:
            return f"{self.month}～{self.last_month}月"
        planned = jpdates.PlannedDate(2000, self.month, self.period)
        return planned.month_label + ("～" if self.continues else "")

    def clean(self):
        if bool(self.date) == bool(self.month):
            raise ValidationError(_("日付か月のどちらか一方を入力してください。"))
        if self.date and self.fiscal_year and jpdates.fiscal_year_of(self.date) != self.fiscal_year:
            raise ValidationError({"date": _("日付がこの年度の期間にありません。")})
        if self.date and (self.period or self.last_month or self.continues):
            raise ValidationError(_("日付を入力したときは、旬・終わりの月・継続は入力できません。"))
        if self.period and self.last_month:
            raise ValidationError({"period": _("期間（終わりの月）を入力したときは旬を入力できません。")})


class Lesson(models.Model):
    """One of 「10のリーディングプロジェクトの評価・総括を踏まえて」: the issue it answers (課題感)
    and what the plan does about it."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="lessons", verbose_name=_("計画"))
    order = models.PositiveSmallIntegerField(_("番号"))
    issue = models.CharField(_("浮き彫りになっている課題感"), max_length=200)
    title = models.CharField(_("見出し"), max_length=200)
    body = models.TextField(_("内容"), blank=True)

    class Meta:
        verbose_name = _("評価・総括を踏まえて")
        verbose_name_plural = _("評価・総括を踏まえて")
        ordering = ["plan", "order", "pk"]

    def __str__(self):
        return f"{self.order} {self.title}"


class ExpectedIssue(models.Model):
    """One of a fiscal year's 「その他想定される個別課題」 (新型コロナウイルス対策, 公共施設のあり方):
    urgent or cross-cutting matters the HQ discusses as needed besides its items, printed in
    section 2 of that year's 協議事項 in their order, joined with 、 and closed by など."""

    fiscal_year = models.PositiveIntegerField(_("年度"), validators=FISCAL_YEAR_VALIDATORS)
    order = models.PositiveSmallIntegerField(_("順序"), help_text=_("協議事項に印刷する順番（年度の中で）。"))
    title = models.CharField(
        _("個別課題"),
        max_length=100,
        help_text=_("例: 新型コロナウイルス対策。「、」でつなぎ、最後に「など」を付けて印刷します。"),
    )

    class Meta:
        verbose_name = _("個別課題")
        verbose_name_plural = _("個別課題")
        ordering = ["-fiscal_year", "order"]
        constraints = [
            models.UniqueConstraint(fields=["fiscal_year", "order"], name="expected_issue_unique_order"),
            models.UniqueConstraint(fields=["fiscal_year", "title"], name="expected_issue_unique_title"),
        ]

    def __str__(self):
        return f"{self.title}（{jpdates.fiscal_year_label(self.fiscal_year)}）"

    def get_absolute_url(self):
        return reverse("projects:proposals_pdf", args=[self.fiscal_year])

    def unique_error_message(self, model_class, unique_check):
        label = jpdates.fiscal_year_label(self.fiscal_year) if self.fiscal_year else ""
        if tuple(unique_check) == ("fiscal_year", "order"):
            return ValidationError(
                _("%(label)sには順序「%(order)s」の個別課題が既にあります。別の順序にしてください。"),
                code="unique",
                params={"label": label, "order": self.order},
            )
        if tuple(unique_check) == ("fiscal_year", "title"):
            return ValidationError(
                _("%(label)sには個別課題「%(title)s」が既にあります。"),
                code="unique",
                params={"label": label, "title": self.title},
            )
        return super().unique_error_message(model_class, unique_check)

    def clean(self):
        # The document joins the issues with 、 and closes the list with など itself: an
        # issue typed with them would print 「…など、…」 or 「…などなど」.
        self.title = (self.title or "").strip()
        if self.title.endswith("など") or self.title.endswith("、"):
            raise ValidationError(
                {"title": _("「、」や「など」は付けずに入力してください（印刷時に自動で付きます）。")}
            )


# Change history (who, when, what) of every record, shown to the secretariat in the admin.
for _model in (
    ProjectYear,
    Measure,
    MeasureResult,
    Highlight,
    Photo,
    Indicator,
    IndicatorValue,
    Milestone,
    Plan,
    DesiredState,
    Direction,
    PlanStep,
    Lesson,
    ExpectedIssue,
):
    register_history(_model)
register_history(Project, m2m_fields=["proposers", "targets", "departments", "divisions"])
