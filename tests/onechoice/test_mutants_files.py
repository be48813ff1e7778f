"""What scripts/mutation found the import tests did not pin down about the files themselves:
the exact Japanese message of every refusal (the secretariat acts on them), each bound at its
edge (the limit itself is allowed), the defaults when settings say nothing, row numbers of
unreadable CSV rows, blank and extra header cells, numbers and date-times in cells, CSVs with
classic Mac line ends or a BOM in text, and the format names the admin offers."""

import csv
import datetime as dt
import io
import zipfile

import pytest
import tablib
from django.urls import reverse

from onechoice.importing import files
from onechoice.importing.files import (
    CSV,
    EXPORT_FORMATS,
    IMPORT_FORMATS,
    XLSX,
    ExportCSV,
    ExportCSVCP932,
    ImportFileError,
    cell_problem,
    cell_text,
    check_size,
    check_xlsx,
    decode_text,
    limit,
    normalise_key,
    read_csv,
    read_xlsx,
)
from tests.spreadsheets import csv_bytes, xlsx_bytes

MB = 1024 * 1024
XLSX_UNREADABLE = "xlsxファイルとして読めません。Excelブック（*.xlsx）で保存したファイルか確認してください。"


def refusal(call, *args, **kwargs) -> ImportFileError:
    with pytest.raises(ImportFileError) as error:
        call(*args, **kwargs)
    return error.value


def zip_of(parts: dict[str, bytes], method=zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return out.getvalue()


# --- the bounds -------------------------------------------------------------------------------


def test_the_defaults_apply_when_settings_say_nothing(settings):
    for name, value in files.LIMITS.items():
        delattr(settings, name)
        assert limit(name) == value


def test_a_file_of_exactly_the_size_limit_is_taken_and_one_byte_more_is_refused(settings):
    settings.IMPORT_MAX_BYTES = 1 * MB
    check_size(1 * MB)
    error = refusal(check_size, 1 * MB + MB // 2)
    assert str(error) == (
        "ファイルが大きすぎます（1.5 MB）。1回に取り込めるのは 1 MB までです。ファイルを分けて取り込んでください。"
    )
    assert (error.row, error.column) == (None, "")


def test_a_csv_of_more_rows_than_allowed_names_the_first_row_too_many(settings):
    settings.IMPORT_MAX_ROWS = 2
    assert len(read_csv(csv_bytes([["a"], ["1"], ["2"]]))) == 2
    error = refusal(read_csv, csv_bytes([["a"], ["1"], ["2"], ["3"]]))
    assert str(error) == (
        "データの行が多すぎます（2行を超えています）。1回に取り込めるのは2行までです。ファイルを分けて取り込んでください。"
    )
    assert error.row == 4


def test_a_sheet_of_exactly_the_cell_limit_is_taken(settings):
    data = xlsx_bytes([["a", "b", "c"], [1, 2, 3], [4, 5, 6]])  # six cells after the header
    settings.IMPORT_XLSX_MAX_CELLS = 6
    assert len(read_xlsx(data)) == 2
    settings.IMPORT_XLSX_MAX_CELLS = 5
    error = refusal(read_xlsx, data)
    assert str(error) == (
        "シートのセルが多すぎます（空のセルも含めて5個を超えています）。"
        "使っていない行・列を削除するか、ファイルを分けてください。"
    )
    assert error.row == 3  # the row where the count went over


def test_an_xlsx_of_exactly_the_unpacked_limit_is_taken(settings):
    data = zip_of({"xl/a.xml": b"<a/>" * 1000, "xl/b.xml": b"<b/>" * 1000})
    unpacked = sum(part.file_size for part in zipfile.ZipFile(io.BytesIO(data)).infolist())
    settings.IMPORT_XLSX_MAX_UNCOMPRESSED = unpacked
    check_xlsx(data)
    settings.IMPORT_XLSX_MAX_UNCOMPRESSED = unpacked - 1
    assert str(refusal(check_xlsx, data)) == (
        f"このxlsxファイルは展開すると大きすぎます（{files._size(unpacked)}、上限 {files._size(unpacked - 1)}）。"
        "使っていないシートや書式を削除するか、ファイルを分けてください。"
    )


def test_a_large_part_that_packs_loosely_is_taken():
    import random

    noise = random.Random(0).randbytes(2 * MB)  # over the 1 MB floor, ratio about 1
    check_xlsx(zip_of({"xl/media/photo.jpg": noise}))


def test_a_part_of_exactly_the_floor_is_not_judged_by_its_ratio():
    check_xlsx(zip_of({"xl/sheet.xml": b"\0" * files._RATIO_FLOOR}))  # packs a thousandfold


def test_a_part_packed_exactly_as_tightly_as_allowed_is_taken(settings):
    data = zip_of({"xl/sheet.xml": b"<row/>" * (MB // 2)})
    part = zipfile.ZipFile(io.BytesIO(data)).infolist()[0]
    ratio = part.file_size / part.compress_size
    settings.IMPORT_XLSX_MAX_RATIO = ratio
    check_xlsx(data)
    settings.IMPORT_XLSX_MAX_RATIO = ratio * 0.99
    assert str(refusal(check_xlsx, data)) == (
        f"このxlsxファイルは圧縮率が異常に高く（「xl/sheet.xml」が {ratio:,.0f} 倍）、安全のため読みません。"
        "Excelで開いて保存し直すか、CSVで保存して取り込んでください。"
    )


def test_sizes_are_shown_in_whole_megabytes_from_ten_and_with_one_decimal_below():
    assert [files._size(n) for n in (1 * MB, MB + MB // 2, 10 * MB, 25 * MB + MB // 3)] == [
        "1 MB",
        "1.5 MB",
        "10 MB",
        "25 MB",
    ]


# --- encodings ----------------------------------------------------------------------------------


def test_an_xlsx_given_as_csv_says_which_format_to_choose():
    assert (
        str(refusal(decode_text, xlsx_bytes([["a"]])))
        == "Excelのファイル（xlsx）です。形式で「xlsx」を選んでください。"
    )


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_in_either_byte_order_is_refused_with_the_way_out(encoding):
    data = ("\ufeff" + "団体,役職\r\n").encode(encoding)
    assert str(refusal(decode_text, data)) == (
        "UTF-16（Excelの「Unicode テキスト」）のファイルは読めません。"
        "「CSV UTF-8」か「CSV（コンマ区切り）」で保存し直してください。"
    )


def test_bytes_neither_encoding_reads_name_both_encodings_tried():
    assert str(refusal(decode_text, b"\x81\x00\xff\xfe\x80")) == (
        "文字コードを判別できません（UTF-8・シフトJIS（CP932） として読めません）。"
        "Excelで「CSV UTF-8」か「CSV（コンマ区切り）」を選んで保存し直してください。"
    )


def test_an_encoding_chosen_by_hand_is_named_as_it_is():
    assert "（ascii として読めません）" in str(refusal(decode_text, "富山".encode(), "ascii"))


def test_a_blank_encoding_means_automatic():
    assert decode_text("富山".encode("cp932"), "") == "富山"
    assert decode_text("富山".encode("utf-8-sig"), None) == "富山"


# --- CSV ----------------------------------------------------------------------------------------------


def test_a_csv_given_as_text_keeps_its_bom_out_and_a_leading_x_in():
    data = read_csv("\ufeffXML名,番号\r\n富山,1\r\n")
    assert data.headers == ["XML名", "番号", "#row"] and data[0] == ("富山", "1", 2)


def test_a_csv_with_classic_mac_line_ends_reads_row_by_row():
    data = read_csv("団体,役職\r富山市,市長\r高岡市,市長\r".encode())
    assert [row[:2] for row in data] == [("富山市", "市長"), ("高岡市", "市長")]


def test_rows_longer_than_the_header_get_blank_headings():
    data = read_csv(csv_bytes([["a", "b"], ["1", "2", "3"]]))
    assert data.headers == ["a", "b", "", "#row"]


def test_an_empty_csv_says_what_the_first_rows_are_for():
    error = refusal(read_csv, b"")
    assert str(error) == "ファイルが空です。1行目に見出し、2行目からデータを入れてください。"
    assert (error.row, error.column) == (None, "")


@pytest.mark.parametrize("bad_row", [1, 3])
def test_a_csv_row_csv_cannot_read_is_named_by_its_excel_row(bad_row):
    rows = [["a", "b"], ["1", "2"], ["3", "4"]]
    rows[bad_row - 1] = ["x" * (csv.field_size_limit() + 1), "b"]
    error = refusal(read_csv, csv_bytes(rows))
    assert error.row == bad_row
    assert str(error) == (
        f"CSVの{bad_row}行目を読めません（field larger than field limit ({csv.field_size_limit()})）。"
        "Excelで開いて保存し直してください。"
    )


# --- xlsx --------------------------------------------------------------------------------------------


def test_a_blank_heading_cell_of_a_sheet_is_a_blank_heading():
    data = read_xlsx(xlsx_bytes([["団体", None, "役職"], ["富山市", "x", "市長"]]))
    assert data.headers == ["団体", "", "役職", "#row"]


def test_a_zip_that_is_no_workbook_is_refused():
    assert str(refusal(read_xlsx, zip_of({"hello.txt": b"hello"}))) == XLSX_UNREADABLE
    assert str(refusal(check_xlsx, b"PK\x03\x04 not a zip at all")) == XLSX_UNREADABLE


def test_a_workbook_whose_sheet_is_broken_is_refused():
    good = zipfile.ZipFile(io.BytesIO(xlsx_bytes([["a"], [1], [2]])))
    parts = {info.filename: good.read(info.filename) for info in good.infolist()}
    sheet = parts["xl/worksheets/sheet1.xml"]  # opens fine, breaks off after its first row
    parts["xl/worksheets/sheet1.xml"] = sheet[: sheet.index(b"</row>") + len(b"</row>")] + b'<row r="2"><c r='
    assert str(refusal(read_xlsx, zip_of(parts))) == XLSX_UNREADABLE


def test_an_empty_first_sheet_says_the_headings_are_missing():
    assert str(refusal(read_xlsx, xlsx_bytes([]))) == "1枚目のシートの1行目に見出しがありません。"


# --- cells --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, text",
    [
        (3.0, "3"),
        (2.5, "2.5"),
        (dt.datetime(2022, 1, 20), "2022-01-20"),
        (dt.datetime(2022, 1, 20, 15, 30), "2022-01-20T15:30:00"),
        (dt.date(2022, 1, 20), "2022-01-20"),
        ("  '=1+1 ", "=1+1"),
        (None, ""),
    ],
)
def test_cell_text(value, text):
    assert cell_text(value) == text


def test_a_control_character_is_named_by_its_code_point():
    assert cell_problem("富山\x00市", multiline=True) == (
        "制御文字（NUL など）が含まれています。見えない文字（U+0000）を消してから保存し直してください。"
    )


def test_names_compare_with_runs_of_spaces_as_one():
    assert normalise_key(" 富山　 市  役所 ") == "富山 市 役所"


# --- formats -----------------------------------------------------------------------------------------


def test_a_character_cp932_cannot_write_is_named_with_its_line():
    dataset = tablib.Dataset(["富山"], ["𠮷野"], headers=["名前"])
    with pytest.raises(ValueError) as error:
        ExportCSVCP932().export_data(dataset)
    assert str(error.value) == "「𠮷」（3行目）はシフトJIS（CP932）で表せません。CSV（UTF-8）かxlsxで出力してください。"


def test_only_the_reading_formats_import_and_every_format_exports():
    assert {f for f in {*IMPORT_FORMATS, *EXPORT_FORMATS} if f().can_import()} == {CSV, XLSX}
    assert not ExportCSV().can_import() and not ExportCSVCP932().can_import()
    assert all(f().can_export() for f in EXPORT_FORMATS)


def test_the_admin_offers_the_formats_by_their_names(secretariat_client):
    import_page = secretariat_client.get(reverse("admin:onechoice_official_import"))
    export_page = secretariat_client.get(reverse("admin:onechoice_official_export"))
    import_choices = [label for _, label in import_page.context["form"].fields["format"].choices]
    export_choices = [label for _, label in export_page.context["form"].fields["format"].choices]
    # the import page's script picks the format whose name is the file's extension
    assert [c for c in import_choices if c != "---"] == ["csv", "xlsx"]
    assert [c for c in export_choices if c != "---"] == [
        "xlsx",
        "csv（UTF-8・BOM付き、Excelで開けます）",
        "csv（シフトJIS・CP932）",
    ]
