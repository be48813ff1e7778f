"""The databases' own full-text engines over SearchEntry.text.

SQLite: an FTS5 external-content table with the trigram tokenizer (SQLite 3.34 or later),
kept by triggers. PostgreSQL: the pg_trgm extension (a trusted contrib module: the
database's owner may create it) and a GIN trigram index on UPPER(text), which serves icontains (UPPER(text) LIKE '%…%')."""

from django.db import migrations

SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE search_searchentry_fts USING fts5("
    "text, content='search_searchentry', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER search_searchentry_fts_ai AFTER INSERT ON search_searchentry BEGIN "
    "INSERT INTO search_searchentry_fts(rowid, text) VALUES (new.id, new.text); END",
    "CREATE TRIGGER search_searchentry_fts_ad AFTER DELETE ON search_searchentry BEGIN "
    "INSERT INTO search_searchentry_fts(search_searchentry_fts, rowid, text) VALUES ('delete', old.id, old.text); END",
    "CREATE TRIGGER search_searchentry_fts_au AFTER UPDATE ON search_searchentry BEGIN "
    "INSERT INTO search_searchentry_fts(search_searchentry_fts, rowid, text) VALUES ('delete', old.id, old.text); "
    "INSERT INTO search_searchentry_fts(rowid, text) VALUES (new.id, new.text); END",
    "INSERT INTO search_searchentry_fts(search_searchentry_fts) VALUES ('rebuild')",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS search_searchentry_fts_au",
    "DROP TRIGGER IF EXISTS search_searchentry_fts_ad",
    "DROP TRIGGER IF EXISTS search_searchentry_fts_ai",
    "DROP TABLE IF EXISTS search_searchentry_fts",
]
POSTGRESQL_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    # Django's icontains on PostgreSQL is UPPER(text) LIKE UPPER(%s): the index is on that.
    "CREATE INDEX search_entry_text_trgm ON search_searchentry USING gin ((UPPER(text)) gin_trgm_ops)",
]
POSTGRESQL_BACKWARD = ["DROP INDEX IF EXISTS search_entry_text_trgm"]


def _run(statements):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        for sql in statements.get(vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_FORWARD, "postgresql": POSTGRESQL_FORWARD}),
            _run({"sqlite": SQLITE_BACKWARD, "postgresql": POSTGRESQL_BACKWARD}),
        )
    ]
