"""The search index: one row per searchable place (an item's year, a meeting, a WG session,
a handout's title and each page of its PDF), holding its text NFKC-normalised.

On SQLite an FTS5 virtual table with the trigram tokenizer mirrors ``text`` (an
external-content table kept by triggers, created by migration 0002); on PostgreSQL a GIN
``gin_trgm_ops`` index on ``UPPER(text)`` serves ``icontains`` (the same migration creates pg_trgm)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    ITEM = "item", _("連携推進項目")
    MEETING = "meeting", _("会議")
    SESSION = "session", _("WG開催")
    HANDOUT = "handout", _("会議資料")


class SearchEntry(models.Model):
    kind = models.CharField(_("種類"), max_length=10, choices=Kind.choices)
    object_id = models.PositiveBigIntegerField(_("対象ID"))
    page = models.PositiveIntegerField(_("ページ"), default=0, help_text=_("会議資料の本文のページ（題名は0）。"))
    fiscal_year = models.PositiveIntegerField(_("年度"), null=True, blank=True)
    date = models.DateField(
        _("日付"), null=True, blank=True, help_text=_("会議・WG開催の日（予定の月の初日）。並び順に使う。")
    )
    title = models.CharField(_("見出し"), max_length=400)
    context = models.CharField(_("補足"), max_length=400, blank=True)
    url = models.CharField(_("リンク先"), max_length=500)
    text = models.TextField(_("本文（正規化済み）"))
    source = models.CharField(_("抽出元ファイル"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("検索索引")
        verbose_name_plural = _("検索索引")
        constraints = [models.UniqueConstraint(fields=["kind", "object_id", "page"], name="search_entry_unique_place")]
        indexes = [models.Index(fields=["kind", "fiscal_year"], name="search_entry_kind_year")]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.title}"
