"""Import and export in the admin (django-import-export), shared by every app's ``resources.py``.

What the secretariat really has: Excel workbooks and CSVs saved by Japanese Excel. So:

* **Files.** xlsx (first sheet; formula cells are refused, not silently evaluated) and CSV in
  UTF-8, UTF-8 with BOM or CP932 — detected by trying ``utf-8-sig`` then ``cp932`` (plain
  ``shift_jis`` cannot read 髙 or ①), with a manual override in the import form. Headers are
  the models' Japanese verbose names. Every record keeps the row number Excel shows.
* **Natural keys.** No ids in files: each resource names its records by what people write
  (a municipality by name or local government code, a meeting by fiscal year and number …).
  Every table a file refers to is read once per import into a dict, so lookups cost the same
  number of queries for 10 rows as for 10,000. A row equal to the stored record is skipped:
  importing the same file twice changes nothing the second time.
* **All or nothing.** Each row is validated by the services' rules (``full_clean`` and the
  rules each app registers) and saved through ``services.record_save`` (or, in bulk,
  ``records_save_bulk``), the path the admin takes — inside one transaction; one bad row (or a
  missing column) rolls everything back, and the preview lists every bad row with its row
  number, column and a Japanese explanation.
* **Bounds.** A file is refused, with a Japanese message and nothing written, past
  ``IMPORT_MAX_BYTES`` (checked before it is read), ``IMPORT_MAX_ROWS`` data rows, or for an
  xlsx past ``IMPORT_XLSX_MAX_UNCOMPRESSED`` unpacked / ``IMPORT_XLSX_MAX_RATIO`` packing (read
  from the zip's directory before any XML is parsed) / ``IMPORT_XLSX_MAX_CELLS`` cells. Cells
  with NUL or another control character (tabs and line breaks too, outside multi-line text
  and lists) are refused by row and column before any row is read.
* **Confirmed once.** The preview's file waits in the shared cache; the confirm form carries a
  signed token for it, and the first confirmation takes it out: a replayed, concurrent,
  expired or altered confirmation gets a message and imports nothing (``previews``).
* **Export.** xlsx, CSV in UTF-8 with BOM (opens in Excel) or CP932. Text starting with
  ``= + - @`` (or a tab or carriage return) is prefixed with ``'`` so a spreadsheet never runs it
  as a formula; import removes exactly that prefix, so export then import changes nothing.

Modules: ``files`` (encodings, formats, formula escaping, bounds), ``widgets`` (one cell ↔ one
value, lookups), ``resources`` (``NaturalKeyResource``, results), ``previews`` (the file between
preview and confirmation, confirmed once), ``admin`` (form and admin mixin).
"""

from .admin import ImportExportAdminMixin, ImportForm
from .files import (
    CSV,
    ENCODING_CHOICES,
    EXPORT_FORMATS,
    IMPORT_FORMATS,
    ROW_COLUMN,
    XLSX,
    ExportCSV,
    ExportCSVCP932,
    FormulaCell,
    ImportFileError,
    cell_problem,
    cell_text,
    check_size,
    check_xlsx,
    decode_text,
    escape_formula,
    limit,
    normalise_key,
    read_csv,
    read_xlsx,
    unescape_formula,
)
from .previews import PreviewStorage
from .resources import (
    CONFLICT,
    PREVIEW_ROWS,
    ImportResult,
    NaturalKeyResource,
    RowError,
    diff_cells,
    export_file,
    import_file,
)
from .widgets import (
    BooleanWidget,
    CellError,
    ChoiceWidget,
    DateWidget,
    DecimalWidget,
    DepartmentWidget,
    DivisionWidget,
    FiscalYearWidget,
    IntegerWidget,
    LookupWidget,
    ManyWidget,
    OrganizationWidget,
    TextWidget,
    index,
    model_field,
    related_field,
)

__all__ = [
    "BooleanWidget",
    "cell_problem",
    "cell_text",
    "check_size",
    "check_xlsx",
    "CellError",
    "ChoiceWidget",
    "CONFLICT",
    "CSV",
    "DateWidget",
    "DecimalWidget",
    "decode_text",
    "DepartmentWidget",
    "diff_cells",
    "DivisionWidget",
    "ENCODING_CHOICES",
    "escape_formula",
    "export_file",
    "EXPORT_FORMATS",
    "ExportCSV",
    "ExportCSVCP932",
    "FiscalYearWidget",
    "FormulaCell",
    "import_file",
    "IMPORT_FORMATS",
    "ImportExportAdminMixin",
    "ImportFileError",
    "ImportForm",
    "ImportResult",
    "index",
    "IntegerWidget",
    "limit",
    "LookupWidget",
    "ManyWidget",
    "model_field",
    "NaturalKeyResource",
    "normalise_key",
    "OrganizationWidget",
    "PREVIEW_ROWS",
    "PreviewStorage",
    "read_csv",
    "read_xlsx",
    "related_field",
    "ROW_COLUMN",
    "RowError",
    "TextWidget",
    "unescape_formula",
    "XLSX",
]
