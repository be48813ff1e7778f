from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    """Full-text search across items, meetings, WG sessions and the text of handout PDFs
    (``/search/``), on the database's own engine: SQLite FTS5 (trigram) or PostgreSQL
    pg_trgm. Its one model, ``SearchEntry``, is an index kept from the other apps' records by
    model signals (``search.signals``) and rebuilt by ``manage.py reindex_search``; it is not
    a portal record (its rows change with the records they index)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "search"
    verbose_name = _("検索")

    def ready(self):
        from . import signals  # noqa: F401  (keeps the index in step with the records)
