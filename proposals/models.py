"""Proposals of next year's collaboration items (提案受付): the secretariat's call for a fiscal
year (提案募集), a municipality's proposal with its co-proposers (賛同・共同提案), the
secretariat's comments, and the attachments. An adopted proposal becomes (or joins) the
item it links to (``Proposal.project``).

The states (the transitions are services in ``proposals.services``)::

    下書き ─提出→ 提出済 ─受付→ 受付 ─コメント→ 調整中 ─┬→ 採択
      │              │            │                    └→ 見送り
      └ (削除)       └────────────┴─取下げ→ 取下げ
"""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history import register as register_history

from onechoice import jpdates
from onechoice.models import Department, Organization, OrganizationKind
from projects.models import FISCAL_YEAR_VALIDATORS, Project


class ProposalCall(models.Model):
    """The secretariat's call for proposals of the items of one fiscal year, with a deadline."""

    fiscal_year = models.PositiveIntegerField(
        _("対象年度"),
        unique=True,
        validators=FISCAL_YEAR_VALIDATORS,
        help_text=_("提案される連携推進項目の年度（西暦の開始年。令和4年度の項目なら 2022）。"),
    )
    deadline = models.DateField(_("提出期限"), help_text=_("この日まで、市町村がポータルで提案を提出できます。"))
    message = models.TextField(_("募集文"), blank=True, help_text=_("募集メールと提案の画面に表示します。"))
    opened_at = models.DateTimeField(_("募集開始日時"), null=True, blank=True, editable=False)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("募集した人"),
    )

    class Meta:
        verbose_name = _("提案募集")
        verbose_name_plural = _("提案募集")
        ordering = ["-fiscal_year"]

    def __str__(self):
        return f"{jpdates.fiscal_year_label(self.fiscal_year)}の連携推進項目の提案募集"

    def unique_error_message(self, model_class, unique_check):
        if tuple(unique_check) == ("fiscal_year",):
            return ValidationError(
                _("%(label)sの提案募集は既にあります。"),
                code="unique",
                params={"label": jpdates.fiscal_year_label(self.fiscal_year)},
            )
        return super().unique_error_message(model_class, unique_check)

    def is_open(self, today=None) -> bool:
        """Proposals are taken until the end of the deadline day."""
        return (today or timezone.localdate()) <= self.deadline


class ProposalState(models.TextChoices):
    DRAFT = "draft", _("下書き")
    SUBMITTED = "submitted", _("提出済")
    RECEIVED = "received", _("受付")
    COORDINATING = "coordinating", _("調整中")
    ADOPTED = "adopted", _("採択")
    DECLINED = "declined", _("見送り")
    WITHDRAWN = "withdrawn", _("取下げ")


#: States in which the secretariat still reviews a proposal (it can be withdrawn, co-proposed).
UNDER_REVIEW = (ProposalState.SUBMITTED, ProposalState.RECEIVED, ProposalState.COORDINATING)


class ProposalQuerySet(models.QuerySet):
    def submitted(self):
        """Every proposal past its draft: what anybody but its municipality may know of."""
        return self.exclude(state=ProposalState.DRAFT)


class Proposal(models.Model):
    """A municipality's proposal of a collaboration item, laid out as the 協議事項 prints an
    item: 目標（目指す姿）, 現状, 課題, 具体的手段, 効果."""

    call = models.ForeignKey(
        ProposalCall, on_delete=models.PROTECT, related_name="proposals", verbose_name=_("提案募集")
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        related_name="proposals",
        limit_choices_to={"kind": OrganizationKind.MUNICIPALITY},
        verbose_name=_("提案市町村"),
    )
    title = models.CharField(_("テーマ（連携項目名）"), max_length=200)
    goal = models.TextField(_("目標（目指す姿）"), blank=True)
    current_situation = models.TextField(_("現状"), blank=True)
    issues = models.TextField(_("課題"), blank=True)
    concrete_measures = models.TextField(_("具体的手段"), blank=True)
    expected_effects = models.TextField(_("効果"), blank=True)
    targets = models.ManyToManyField(
        Organization,
        blank=True,
        related_name="+",
        limit_choices_to={"kind": OrganizationKind.MUNICIPALITY},
        verbose_name=_("対象市町村（案）"),
    )
    target_note = models.CharField(
        _("対象市町村（補足）"), max_length=200, blank=True, help_text=_("例: 全市町村、沿岸の市町")
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("県の担当部局（案）"),
    )
    department_note = models.CharField(
        _("県の担当（補足）"),
        max_length=200,
        blank=True,
        help_text=_("部局が分からないときは、担当してほしい課や分野を書いてください。"),
    )
    state = models.CharField(_("状態"), max_length=20, choices=ProposalState.choices, default=ProposalState.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("作成した人"),
    )
    submitted_at = models.DateTimeField(_("提出日時"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("提出した人"),
    )
    decided_at = models.DateTimeField(_("決定日時"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("決定した人"),
    )
    selection_reason = models.TextField(_("選定理由"), blank=True)
    decline_reason = models.TextField(_("見送りの理由"), blank=True)
    project = models.ForeignKey(
        Project,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposals",
        verbose_name=_("連携推進項目"),
        help_text=_("採択で作成した（または関連付けた）連携推進項目。"),
    )

    objects = ProposalQuerySet.as_manager()

    class Meta:
        verbose_name = _("提案")
        verbose_name_plural = _("提案")
        ordering = ["-call__fiscal_year", "organization__protocol_order", "pk"]

    def __str__(self):
        return f"{self.title}（{self.organization}）"

    def get_absolute_url(self):
        return reverse("proposals:detail", args=[self.pk])

    @property
    def fiscal_year(self) -> int:
        return self.call.fiscal_year

    @property
    def is_under_review(self) -> bool:
        return self.state in UNDER_REVIEW

    def clean(self):
        if self.organization_id and self.organization.kind != OrganizationKind.MUNICIPALITY:
            raise ValidationError({"organization": _("提案できるのは市町村です。")})
        if not self.title.strip():
            raise ValidationError({"title": _("テーマを入力してください。")})


class ProposalSupport(models.Model):
    """Another municipality joining a proposal (賛同・共同提案): it becomes a proposer of the item."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="supports", verbose_name=_("提案"))
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="+", verbose_name=_("共同提案の市町村")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("申し出た人"),
    )
    created_at = models.DateTimeField(_("申出日時"), default=timezone.now)

    class Meta:
        verbose_name = _("共同提案")
        verbose_name_plural = _("共同提案")
        ordering = ["proposal", "organization__protocol_order"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "organization"],
                name="proposal_support_unique_organization",
                violation_error_message=_("この市町村は既に共同提案しています。"),
            )
        ]

    def __str__(self):
        return f"{self.organization}（{self.proposal.title}）"


class ProposalComment(models.Model):
    """The secretariat's message to the proposers while coordinating (mailed to them)."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="comments", verbose_name=_("提案"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("書いた人"),
    )
    text = models.TextField(_("コメント"))
    created_at = models.DateTimeField(_("日時"), default=timezone.now)

    class Meta:
        verbose_name = _("事務局からのコメント")
        verbose_name_plural = _("事務局からのコメント")
        ordering = ["proposal", "created_at", "pk"]

    def __str__(self):
        return self.text[:40]


def validate_attachment_upload(upload) -> None:
    """The same bounds and cleaning as a handout's PDF (``onechoice.uploads.clean_pdf``)."""
    from onechoice import uploads

    if uploads.is_new_upload(upload):
        uploads.clean_pdf(upload)


def attachment_upload_to(instance, filename: str) -> str:
    """proposals/<year>/<random>.pdf: a name nobody can guess (served through the portal only)."""
    return f"proposals/{timezone.localdate():%Y}/{secrets.token_hex(16)}.pdf"


class ProposalAttachment(models.Model):
    """A PDF handed in with a proposal (a map, a survey): cleaned as handouts are."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("提案"))
    title = models.CharField(_("資料名"), max_length=200)
    file = models.FileField(
        _("PDFファイル"),
        upload_to=attachment_upload_to,
        validators=[
            FileExtensionValidator(["pdf"], message=_("PDFファイル（.pdf）を選んでください。")),
            validate_attachment_upload,
        ],
    )
    uploaded_at = models.DateTimeField(_("登録日時"), default=timezone.now)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登録した人"),
    )

    class Meta:
        verbose_name = _("提案の添付資料")
        verbose_name_plural = _("提案の添付資料")
        ordering = ["proposal", "uploaded_at", "pk"]

    def __str__(self):
        return self.title


for _model in (ProposalCall, ProposalSupport, ProposalComment, ProposalAttachment):
    register_history(_model)
register_history(Proposal, m2m_fields=["targets"])
