"""django-import-export settings, pulled into ``settings.py`` by its last line.

Formats, the import form and the permission rules are set on the admin mixin
(``onechoice.importing.ImportExportAdminMixin``), because format classes cannot be imported
while settings load.
"""

# One transaction per import, rolled back on any bad row (NaturalKeyResource insists anyway).
IMPORT_EXPORT_USE_TRANSACTIONS = True
# Always a preview (dry run) before anything is written.
IMPORT_EXPORT_SKIP_ADMIN_CONFIRM = False
# The library's own escaping deletes a leading "=" (changing the data, so export then import
# would not give it back) and ignores + - @. onechoice.importing's formats escape instead:
# a leading ' before = + - @ (and tab, CR), removed again on import.
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = False
# Every imported row gets a change-history record (django-simple-history, with the user);
# one admin LogEntry per row as well would copy 10,000 rows into 「最近の操作」.
IMPORT_EXPORT_SKIP_ADMIN_LOG = True
# Export iterates querysets in chunks of this size (prefetched relations included).
IMPORT_EXPORT_CHUNK_SIZE = 1000
# The uploaded file waits between preview and confirm in the shared database cache, so the
# confirm may reach another app server than the preview did.
IMPORT_EXPORT_TMP_STORAGE_CLASS = "import_export.tmp_storages.CacheStorage"
