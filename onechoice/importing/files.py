"""Files as Japanese Excel writes them: CSV encodings, xlsx sheets, formula escaping, and the
formats the admin offers for import and export."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata
import zipfile

import tablib
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from import_export.formats.base_formats import TablibFormat

#: Where a format records the spreadsheet row number of each record (the header is row 1).
ROW_COLUMN = "#row"
ENCODING_CHOICES = [
    ("auto", _("自動判定（UTF-8 → シフトJIS）")),
    ("utf-8-sig", _("UTF-8（BOM付き・なし）")),
    ("cp932", _("シフトJIS（CP932・Excelの「CSV（コンマ区切り）」）")),
]
_ESCAPED = re.compile(r"^'+[=+\-@\t\r]")
_NEEDS_ESCAPE = re.compile(r"^'*[=+\-@\t\r]")
#: C0 control characters but tab, LF and CR: refused in every cell (PostgreSQL cannot store NUL;
#: the others are invisible garbage from other programs).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
#: Tab, LF and CR: allowed only where a column takes several lines (see ``cell_problem``).
_LINE_BREAK = re.compile(r"[\t\n\r]")

#: The bounds of one import, overridden in settings (see ``onechoice/settings.py``).
LIMITS = {
    "IMPORT_MAX_BYTES": 10 * 1024 * 1024,
    "IMPORT_MAX_ROWS": 50_000,
    "IMPORT_XLSX_MAX_UNCOMPRESSED": 100 * 1024 * 1024,
    "IMPORT_XLSX_MAX_RATIO": 100,
    "IMPORT_XLSX_MAX_CELLS": 2_000_000,
}
#: Parts of an xlsx smaller than this (unpacked) are not judged by their compression ratio.
_RATIO_FLOOR = 1024 * 1024


class ImportFileError(ValueError):
    """A problem with the whole file (encoding, format, headers), or with one cell (``column``)."""

    def __init__(self, message, *, row: int | None = None, column: str = ""):
        super().__init__(str(message))
        self.row = row
        self.column = column


class FormulaCell(str):
    """A formula found in an xlsx cell: refused on import instead of silently evaluated."""


def limit(name: str) -> int:
    return getattr(settings, name, LIMITS[name])


def _size(nbytes: int) -> str:
    megabytes = nbytes / (1024 * 1024)
    return f"{megabytes:.0f} MB" if megabytes >= 10 or megabytes.is_integer() else f"{megabytes:.1f} MB"


def check_size(nbytes: int) -> None:
    """Refuse a file larger than ``IMPORT_MAX_BYTES`` (called with the upload's size, before
    the file is read)."""
    if nbytes > limit("IMPORT_MAX_BYTES"):
        raise ImportFileError(
            _(
                "ファイルが大きすぎます（%(size)s）。1回に取り込めるのは %(limit)s までです。"
                "ファイルを分けて取り込んでください。"
            )
            % {"size": _size(nbytes), "limit": _size(limit("IMPORT_MAX_BYTES"))}
        )


def cell_problem(value, *, multiline: bool) -> str | None:
    """Why a cell cannot be imported as text, or None: a C0 control character (NUL …), or a
    tab or line break inside a one-line value (those at either end are trimmed anyway)."""
    if not isinstance(value, str):
        return None
    found = _CONTROL.search(value)
    if found:
        return _(
            "制御文字（NUL など）が含まれています。見えない文字（U+%(code)04X）を消してから保存し直してください。"
        ) % {"code": ord(found.group())}
    if not multiline and _LINE_BREAK.search(value.strip()):
        return _("改行またはタブが含まれています。この列は1行で入力してください。")
    return None


def normalise_key(text) -> str:
    """How names are compared: NFKC (full-width digits and spaces), runs of spaces as one."""
    return " ".join(unicodedata.normalize("NFKC", str(text)).split())


def decode_text(data: bytes, encoding: str = "auto") -> str:
    """Decode a CSV as Japanese Excel writes it. ``auto`` tries UTF-8 (with or without BOM),
    then CP932; raises ``ImportFileError`` with a Japanese message if neither fits."""
    if data[:4] == b"PK\x03\x04":
        raise ImportFileError(_("Excelのファイル（xlsx）です。形式で「xlsx」を選んでください。"))
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise ImportFileError(
            _(
                "UTF-16（Excelの「Unicode テキスト」）のファイルは読めません。"
                "「CSV UTF-8」か「CSV（コンマ区切り）」で保存し直してください。"
            )
        )
    tries = ["utf-8-sig", "cp932"] if encoding in ("", "auto", None) else [encoding]
    for codec in tries:
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            continue
    names = {"utf-8-sig": "UTF-8", "cp932": "シフトJIS（CP932）"}
    raise ImportFileError(
        _(
            "文字コードを判別できません（%(tried)s として読めません）。"
            "Excelで「CSV UTF-8」か「CSV（コンマ区切り）」を選んで保存し直してください。"
        )
        % {"tried": "・".join(names.get(c, c) for c in tries)}
    )


def escape_formula(value):
    """Prefix ``'`` to text a spreadsheet would run as a formula (and to text that already
    looks escaped, so that ``unescape_formula`` always gives the original back)."""
    if isinstance(value, str) and _NEEDS_ESCAPE.match(value):
        return "'" + value
    return value


def unescape_formula(text: str) -> str:
    return text[1:] if _ESCAPED.match(text) else text


def cell_text(value) -> str:
    """A cell as stripped text: numbers without ``.0``, dates as ISO, escapes removed."""
    if isinstance(value, FormulaCell):
        raise ValueError(
            _("数式のセル（%(formula)s）は取り込めません。値に置き換えて（「値の貼り付け」）から保存してください。")
            % {"formula": str(value)}
        )
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime):
        value = value.date() if value.time() == dt.time() else value
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return unescape_formula(str(value).strip())


# --------------------------------------------------------------------------------------------
# Formats


def _blank(values) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


def _records(rows) -> list[tuple[int, list]]:
    """The records that are not blank, with their row numbers; refused past ``IMPORT_MAX_ROWS``
    (reading stops there)."""
    most = limit("IMPORT_MAX_ROWS")
    records = []
    for number, values in rows:
        if _blank(values):
            continue
        if len(records) == most:
            raise ImportFileError(
                _(
                    "データの行が多すぎます（%(limit)s行を超えています）。1回に取り込めるのは%(limit)s行までです。"
                    "ファイルを分けて取り込んでください。"
                )
                % {"limit": f"{most:,}"},
                row=number,
            )
        records.append((number, values))
    return records


def _dataset(header: list, records: list[tuple[int, list]]) -> tablib.Dataset:
    """Records with their spreadsheet row numbers (blank ones already left out)."""
    headers = ["" if h is None else str(h).strip() for h in header]
    width = max([len(headers)] + [len(values) for _, values in records])
    headers += [""] * (width - len(headers)) + [ROW_COLUMN]
    data = tablib.Dataset(headers=headers)
    for number, values in records:
        data.append(list(values) + [None] * (width - len(values)) + [number])
    return data


def read_csv(data: bytes | str, encoding: str = "auto") -> tablib.Dataset:
    """Every record of a CSV (quoted line breaks included) with Excel's row numbers."""
    text = data if isinstance(data, str) else decode_text(data, encoding)
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    read = [0]  # records read so far: Excel's row number (a quoted line break stays in its row)

    def numbered():
        for number, row in enumerate(reader, start=1):
            read[0] = number
            yield number, row

    rows = numbered()
    try:
        header = next(rows, (0, None))[1]
        if header is None:
            raise ImportFileError(_("ファイルが空です。1行目に見出し、2行目からデータを入れてください。"))
        records = _records(rows)
    except csv.Error as error:  # a cell longer than csv.field_size_limit() …
        raise ImportFileError(
            _("CSVの%(row)s行目を読めません（%(error)s）。Excelで開いて保存し直してください。")
            % {"row": read[0] + 1, "error": error},
            row=read[0] + 1,
        ) from None
    return _dataset(header, records)


def check_xlsx(data: bytes) -> None:
    """The zip-bomb guard, from the zip's central directory alone (nothing is unpacked): the
    parts unpacked together at most ``IMPORT_XLSX_MAX_UNCOMPRESSED``, and no part over 1 MB
    packed more tightly than ``IMPORT_XLSX_MAX_RATIO``. Python's zipfile never unpacks a part
    beyond the size the directory gives (and fails on a wrong one), so these bounds hold."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise ImportFileError(
            _("xlsxファイルとして読めません。Excelブック（*.xlsx）で保存したファイルか確認してください。")
        ) from None
    unpacked = sum(part.file_size for part in parts)
    if unpacked > limit("IMPORT_XLSX_MAX_UNCOMPRESSED"):
        raise ImportFileError(
            _(
                "このxlsxファイルは展開すると大きすぎます（%(size)s、上限 %(limit)s）。"
                "使っていないシートや書式を削除するか、ファイルを分けてください。"
            )
            % {"size": _size(unpacked), "limit": _size(limit("IMPORT_XLSX_MAX_UNCOMPRESSED"))}
        )
    for part in parts:
        ratio = part.file_size / max(part.compress_size, 1)
        if part.file_size > _RATIO_FLOOR and ratio > limit("IMPORT_XLSX_MAX_RATIO"):
            raise ImportFileError(
                _(
                    "このxlsxファイルは圧縮率が異常に高く（「%(part)s」が %(ratio)s 倍）、安全のため読みません。"
                    "Excelで開いて保存し直すか、CSVで保存して取り込んでください。"
                )
                % {"part": part.filename, "ratio": f"{ratio:,.0f}"}
            )


def _sheet_rows(rows):
    """(row number, values) of a sheet's rows after the header; refused past
    ``IMPORT_XLSX_MAX_CELLS`` cells (blank ones count: a stray cell at XFD1048576 makes
    millions)."""
    most, cells_read = limit("IMPORT_XLSX_MAX_CELLS"), 0
    for number, cells in enumerate(rows, start=2):
        cells_read += len(cells)
        if cells_read > most:
            raise ImportFileError(
                _(
                    "シートのセルが多すぎます（空のセルも含めて%(limit)s個を超えています）。"
                    "使っていない行・列を削除するか、ファイルを分けてください。"
                )
                % {"limit": f"{most:,}"},
                row=number,
            )
        yield number, [FormulaCell(c.value) if c.data_type == "f" else c.value for c in cells]


def read_xlsx(data: bytes) -> tablib.Dataset:
    """The first sheet; formula cells become ``FormulaCell`` (their cached values are not
    trusted: a file written by a program other than Excel has none). The zip is checked by
    ``check_xlsx`` before any of it is parsed."""
    import openpyxl  # loaded when a workbook is read, as tablib does

    check_xlsx(data)
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception:  # zipfile, XML and openpyxl errors: the file is not a workbook
        raise ImportFileError(
            _("xlsxファイルとして読めません。Excelブック（*.xlsx）で保存したファイルか確認してください。")
        ) from None
    try:
        sheet = book.worksheets[0]
        sheet.reset_dimensions()  # some writers record a wrong sheet size; read every row
        rows = sheet.iter_rows()
        header = [cell.value for cell in next(rows, ())]
        records = _records(_sheet_rows(rows))
    except ImportFileError:
        raise
    except Exception:  # broken XML inside the zip, a part whose size the directory misstates …
        raise ImportFileError(
            _("xlsxファイルとして読めません。Excelブック（*.xlsx）で保存したファイルか確認してください。")
        ) from None
    finally:
        book.close()
    if not any(header):
        raise ImportFileError(_("1枚目のシートの1行目に見出しがありません。"))
    return _dataset(header, records)


def _escaped(dataset: tablib.Dataset) -> tablib.Dataset:
    return tablib.Dataset(*[tuple(escape_formula(v) for v in row) for row in dataset], headers=dataset.headers)


class XLSX(TablibFormat):
    TABLIB_MODULE = "tablib.formats._xlsx"
    CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

    def get_title(self):
        return "xlsx"  # guess_format.js picks the format whose title is the file's extension

    def create_dataset(self, in_stream):
        return read_xlsx(in_stream)

    def export_data(self, dataset, **kwargs):
        return _escaped(dataset).export("xlsx", escape=False)


class CSV(TablibFormat):
    """CSV read as bytes whatever its encoding; written as UTF-8 with a BOM so Excel opens it."""

    TABLIB_MODULE = "tablib.formats._csv"
    CONTENT_TYPE = "text/csv; charset=utf-8"
    ENCODING = "utf-8-sig"

    def get_title(self):
        return "csv"

    def get_read_mode(self):
        return "rb"

    def create_dataset(self, in_stream):
        return read_csv(in_stream)

    def export_data(self, dataset, **kwargs):
        text = _escaped(dataset).export("csv")
        try:
            return text.encode(self.ENCODING)
        except UnicodeEncodeError as error:
            line = text[: error.start].count("\n") + 1
            raise ValueError(
                _(
                    "「%(char)s」（%(line)s行目）はシフトJIS（CP932）で表せません。CSV（UTF-8）かxlsxで出力してください。"
                )
                % {"char": text[error.start : error.end], "line": line}
            ) from None


class ExportCSV(CSV):
    def get_title(self):
        return str(_("csv（UTF-8・BOM付き、Excelで開けます）"))

    def can_import(self):
        return False


class ExportCSVCP932(CSV):
    CONTENT_TYPE = "text/csv; charset=Shift_JIS"
    ENCODING = "cp932"

    def get_title(self):
        return str(_("csv（シフトJIS・CP932）"))

    def can_import(self):
        return False


IMPORT_FORMATS = [CSV, XLSX]
EXPORT_FORMATS = [XLSX, ExportCSV, ExportCSVCP932]
