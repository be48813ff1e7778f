"""Importing organisations and officials from the files the secretariat really has (xlsx, CSV
from Japanese Excel in any of its encodings), all or nothing, and exporting them back."""

import datetime as dt
import io

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from onechoice import roles
from onechoice.importing import (
    XLSX,
    ExportCSV,
    ExportCSVCP932,
    ImportFileError,
    RowError,
    decode_text,
    export_file,
    import_file,
)
from onechoice.models import Official, Organization
from onechoice.resources import OfficialResource, OrganizationResource
from onechoice.services import record_save
from tests.spreadsheets import csv_bytes, xlsx_bytes

OFFICIAL_HEADER = ["団体", "部局", "役職", "氏名", "ふりがな", "席次", "就任日", "退任日"]


def state():
    """Everything an import could touch, change history included."""
    return {
        "officials": list(Official.objects.order_by("pk").values()),
        "organizations": list(Organization.objects.order_by("pk").values()),
        "history": (Official.history.count(), Organization.history.count()),
    }


def officials(**filters):
    found = Official.objects.filter(**filters).order_by("pk")
    return list(found.values_list("organization__name", "title", "name", "valid_from"))


# --- encodings and formats


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp932"])
def test_a_csv_in_every_excel_encoding_keeps_rare_kanji_and_circled_digits(toyama, encoding):
    rows = [
        OFFICIAL_HEADER,
        ["富山市", "", "副市長", "髙橋 一郎", "たかはし いちろう", "2", "2022-01-20", ""],
        ["162027", "", "副市長", "山﨑 ①子", "", "2", "", ""],
    ]
    before = state()

    result = import_file(OfficialResource(), csv_bytes(rows, encoding), filename="officials.csv")

    assert result.error_list() == []
    assert result.totals["new"] == 2
    assert officials(title="副市長") == [
        ("富山市", "副市長", "髙橋 一郎", dt.date(2022, 1, 20)),
        ("高岡市", "副市長", "山﨑 ①子", None),
    ]
    assert len(state()["officials"]) == len(before["officials"]) + 2


def test_the_decoder_reads_what_excel_writes_in_cp932_including_the_registry_kanji():
    # Plain Shift_JIS cannot hold 髙, 﨑 or ①; the portal's decoder must read them from CP932
    # (Excel's 「CSV（コンマ区切り）」) and from UTF-8 with or without a BOM.
    text = "氏名\r\n髙橋 山﨑 ①\r\n"
    for data in (text.encode("cp932"), text.encode("utf-8"), b"\xef\xbb\xbf" + text.encode("utf-8")):
        assert decode_text(data).lstrip("\ufeff") == text
    assert decode_text(text.encode("cp932"), "cp932") == text
    with pytest.raises(ImportFileError):
        decode_text("髙橋".encode("utf-16"))


def test_an_xlsx_reads_excel_dates_and_every_japanese_date_form(toyama):
    rows = [
        OFFICIAL_HEADER,
        ["富山市", "", "理事1", "氏名 一", "", 1, dt.datetime(2022, 1, 20), None],
        ["富山市", "", "理事2", "氏名 二", "", 1, "R4.1.20", None],
        ["富山市", "", "理事3", "氏名 三", "", 1, "令和4年1月20日", None],
        ["富山市", "", "理事4", "氏名 四", "", 1, "2022/1/20", None],
        [162019, "知事政策局", "理事5", "氏名 五", "", 1, "２０２２－０１－２０", None],
    ]

    result = import_file(OfficialResource(), xlsx_bytes(rows), filename="officials.xlsx")

    assert result.error_list() == []
    assert {v for *_, v in officials(title__in=[f"理事{i}" for i in range(1, 6)])} == {dt.date(2022, 1, 20)}
    assert Official.objects.get(title="理事5").department.name == "知事政策局"


def test_blank_rows_are_skipped_and_row_numbers_stay_excels(toyama):
    rows = [
        OFFICIAL_HEADER,
        ["富山市", "", "理事", "氏名 一"] + [""] * 4,
        [""] * 8,
        ["存在しない市", "", "理事", "氏名 二"] + [""] * 4,
    ]

    result = import_file(OfficialResource(), csv_bytes(rows), filename="officials.csv")

    assert result.error_list() == [RowError(4, "団体", "団体「存在しない市」は登録されていません。")]


# --- all or nothing


def test_one_bad_row_among_good_ones_writes_nothing_and_names_row_column_and_reason(toyama):
    rows = [
        OFFICIAL_HEADER,
        ["富山市", "", "副市長", "髙橋 一郎", "", "", "", ""],
        ["上越市", "", "市長", "上越 太郎", "", "", "", ""],
        ["163430", "", "町長", "朝日 次郎", "", "", "", ""],
        ["高岡市", "", "副市長", "高岡 三郎", "", "", "R4.13.1", ""],
        ["高岡市", "存在しない部", "", "高岡 四郎", "", "一", "", ""],
        ["氷見市", "", "副市長", "氷見 五郎", "", "", "2022-04-01", "2022-03-31"],
    ]
    before = state()

    result = import_file(OfficialResource(), csv_bytes(rows, "cp932"), filename="officials.csv")

    assert state() == before
    assert result.error_list() == [
        RowError(3, "団体", "団体「上越市」は登録されていません。"),
        RowError(4, "団体", "地方公共団体コード「163430」の検査数字が正しくありません（末尾は 1 になるはずです）。"),
        RowError(5, "就任日", "「R4.13.1」は存在しない日付です。"),
        RowError(6, "部局", "部局「存在しない部」は登録されていません。"),
        RowError(6, "役職", "値を入力してください。"),
        RowError(6, "席次", "「一」は整数ではありません。"),
        RowError(7, "退任日", "退任日は就任日より後の日付にしてください。"),
    ]


def test_a_missing_required_column_is_reported_before_any_row(toyama):
    rows = [["団体", "役職"], ["富山市", "副市長"]]
    before = state()

    result = import_file(OfficialResource(), csv_bytes(rows), filename="officials.csv")

    assert state() == before
    assert result.error_list() == [
        RowError(1, "氏名", "必須の列「氏名」がありません。1行目の見出しに「氏名」の列を入れてください。"),
    ]


def test_a_row_repeated_in_the_file_is_refused(toyama):
    rows = [
        OFFICIAL_HEADER,
        ["富山市", "", "副市長", "髙橋 一郎"] + [""] * 4,
        ["富山市", "", "副市長", "髙橋　一郎"] + [""] * 4,
    ]
    before = state()

    result = import_file(OfficialResource(), csv_bytes(rows), filename="officials.csv")

    assert state() == before
    assert result.error_list() == [
        RowError(3, "団体・役職・氏名", "2行目と同じ団体・役職・氏名の行です。1行にまとめてください。")
    ]


def test_importing_the_same_file_twice_changes_nothing_the_second_time(toyama):
    rows = [
        OFFICIAL_HEADER,
        ["富山市", "", "副市長", "髙橋 一郎", "", "3", "R4.4.1", ""],
        ["富山市", "", "富山市長", "藤井 裕久", "ふじい ひろひさ", "1", "", ""],
    ]
    first = import_file(OfficialResource(), csv_bytes(rows), filename="officials.csv")
    assert (first.totals["new"], first.totals["update"]) == (1, 1)  # 藤井 裕久 gains his kana
    after_first = state()

    second = import_file(OfficialResource(), csv_bytes(rows), filename="officials.csv")

    assert second.error_list() == []
    assert (second.totals["new"], second.totals["update"], second.totals["skip"]) == (0, 0, 2)
    assert state() == after_first


def test_a_dry_run_writes_nothing(toyama):
    rows = [OFFICIAL_HEADER, ["富山市", "", "副市長", "髙橋 一郎"] + [""] * 4]
    before = state()

    result = import_file(OfficialResource(), csv_bytes(rows), filename="officials.csv", dry_run=True)

    assert result.totals["new"] == 1
    assert state() == before


# --- wrong files


def test_utf16_and_unreadable_bytes_are_refused_with_a_japanese_reason(toyama):
    with pytest.raises(ImportFileError, match="UTF-16"):
        import_file(OfficialResource(), "団体,役職,氏名".encode("utf-16"), filename="o.csv")
    with pytest.raises(ImportFileError, match="文字コードを判別できません"):
        import_file(OfficialResource(), b"\x81\x20\x81\x20", filename="o.csv")
    with pytest.raises(ImportFileError, match="UTF-8 として読めません"):
        import_file(OfficialResource(), "富山市".encode("cp932"), filename="o.csv", encoding="utf-8-sig")
    with pytest.raises(ImportFileError, match="xlsxファイルとして読めません"):
        import_file(OfficialResource(), b"a,b\n1,2\n", filename="o.xlsx")


def test_a_file_in_another_encoding_is_refused_whole(toyama):
    rows = [OFFICIAL_HEADER, ["富山市", "", "副市長", "山田 一郎"] + [""] * 4]

    with pytest.raises(ImportFileError, match="文字コードを判別できません"):
        import_file(OfficialResource(), csv_bytes(rows, "euc_jp"), filename="officials.csv")


def test_a_file_without_the_header_row_is_refused_whole(toyama):
    rows = [["富山市", "", "副市長", "山田 一郎"] + [""] * 4, ["高岡市", "", "副市長", "高岡 二郎"] + [""] * 4]
    before = state()

    result = import_file(OfficialResource(), csv_bytes(rows), filename="officials.csv")

    assert state() == before
    [error] = result.error_list()
    assert error.row == 1 and error.message.startswith("1行目に知っている列名が1つもありません。")


# --- formulas


def test_a_formula_cell_in_xlsx_is_refused_and_formula_like_text_is_kept_as_text(toyama):
    before = state()
    with_formula = [OFFICIAL_HEADER, ["富山市", "", "=1+1", "数式 太郎"] + [""] * 4]

    refused = import_file(OfficialResource(), xlsx_bytes(with_formula), filename="o.xlsx")

    assert state() == before
    assert refused.error_list() == [
        RowError(
            2, "役職", "数式のセル（=1+1）は取り込めません。値に置き換えて（「値の貼り付け」）から保存してください。"
        )
    ]

    as_text = [OFFICIAL_HEADER, ["富山市", "", "=1+1", "@SUM(A1:A2)"] + [""] * 4, ["富山市", "", "+81", "-"] + [""] * 4]
    kept = import_file(OfficialResource(), csv_bytes(as_text), filename="o.csv")

    assert kept.error_list() == []
    assert officials(organization__name="富山市", title__in=["=1+1", "+81"]) == [
        ("富山市", "=1+1", "@SUM(A1:A2)", None),
        ("富山市", "+81", "-", None),
    ]


def test_export_escapes_formulas_in_csv_and_xlsx_and_import_gives_them_back(toyama):
    record_save(Official(organization=Organization.objects.get(name="富山市"), title="=1+1", name="@SUM(A1:A2)"))
    record_save(Official(organization=Organization.objects.get(name="富山市"), title="+81", name="-"))
    queryset = Official.objects.filter(title__in=["=1+1", "+81"]).order_by("title")

    text = export_file(OfficialResource(), queryset, file_format=ExportCSV).decode("utf-8-sig")
    assert "'=1+1,'@SUM(A1:A2)" in text and "'+81,'-" in text

    book = openpyxl.load_workbook(io.BytesIO(export_file(OfficialResource(), queryset, file_format=XLSX)))
    cells = [c for row in book.active.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    assert {c.value for c in cells if c.column_letter in "CD"} >= {"'=1+1", "'@SUM(A1:A2)", "'+81", "'-"}

    before = state()
    for file_format, name in ((ExportCSV, "o.csv"), (XLSX, "o.xlsx")):
        data = export_file(OfficialResource(), queryset, file_format=file_format)
        result = import_file(OfficialResource(), data, filename=name)
        assert result.error_list() == [] and result.totals["skip"] == 2
    assert state() == before


def test_csv_export_is_utf8_with_bom_by_default_and_cp932_on_request(toyama):
    record_save(Official(organization=Organization.objects.get(name="富山市"), title="副市長", name="髙橋 ①"))
    queryset = Official.objects.filter(title="副市長", organization__name="富山市")

    utf8 = export_file(OfficialResource(), queryset, file_format=ExportCSV)
    cp932 = export_file(OfficialResource(), queryset, file_format=ExportCSVCP932)

    assert utf8.startswith(b"\xef\xbb\xbf") and "髙橋 ①" in utf8.decode("utf-8-sig")
    assert cp932.decode("cp932").splitlines()[1].startswith("富山市,,副市長,髙橋 ①")


def test_cp932_export_says_which_character_it_cannot_write(toyama):
    record_save(Official(organization=Organization.objects.get(name="富山市"), title="係長", name="𠮷田 一"))
    with pytest.raises(ValueError, match="「𠮷」（2行目）はシフトJIS（CP932）で表せません"):
        export_file(OfficialResource(), Official.objects.filter(title="係長"), file_format=ExportCSVCP932)


# --- round trips


@pytest.mark.parametrize("resource_class", [OrganizationResource, OfficialResource], ids=lambda r: r.__name__)
@pytest.mark.parametrize(
    "file_format,name",
    [(XLSX, "x.xlsx"), (ExportCSV, "x.csv"), (ExportCSVCP932, "x.csv")],
    ids=["xlsx", "csv-utf8", "csv-cp932"],
)
def test_export_then_import_changes_nothing(toyama, resource_class, file_format, name):
    before = state()
    data = export_file(resource_class(), file_format=file_format)

    result = import_file(resource_class(), data, filename=name)

    assert result.error_list() == []
    assert result.totals["skip"] == resource_class._meta.model.objects.count() > 0
    assert state() == before


# --- organisations


def test_organizations_are_found_by_code_so_a_name_can_be_corrected(toyama):
    rows = [["名称", "略称", "種別", "席次", "地方公共団体コード"], ["とやま市", "富山", "市町村", "1", "162019"]]

    result = import_file(OrganizationResource(), csv_bytes(rows), filename="o.csv")

    assert (result.totals["update"], result.totals["new"]) == (1, 0)
    assert Organization.objects.get(lg_code="162019").name == "とやま市"


def test_organization_rows_are_cleaned_as_the_admin_cleans_them(toyama):
    rows = [
        ["名称", "略称", "種別", "席次", "地方公共団体コード"],
        ["新しい町", "", "市町村", "20", "163430"],
        ["新しい会", "", "団体（市長会・町村会等）", "21", "162019"],
        ["新しい村", "", "村", "22", ""],
    ]
    before = state()

    result = import_file(OrganizationResource(), csv_bytes(rows), filename="o.csv")

    assert state() == before
    assert result.error_list() == [
        RowError(
            2,
            "地方公共団体コード",
            "地方公共団体コード「163430」の検査数字が正しくありません（末尾は 1 になるはずです）。",
        ),
        RowError(3, "地方公共団体コード", "地方公共団体コードは県・市町村にだけ入力します。"),
        RowError(4, "種別", "「村」は選べません（県、市町村、団体（市長会・町村会等）、その他 のいずれか）。"),
    ]


# --- lookups cost one query per table, not one per row


def test_lookup_queries_do_not_grow_with_rows(toyama):
    def selects(count):
        rows = [OFFICIAL_HEADER] + [
            ["富山市" if i % 2 else "162027", "知事政策局", f"係{count}-{i}", f"氏名 {i}"] + [""] * 4
            for i in range(count)
        ]
        with CaptureQueriesContext(connection) as queries:
            result = import_file(OfficialResource(), csv_bytes(rows), filename="o.csv")
        assert result.totals["new"] == count
        return sum(q["sql"].startswith("SELECT") for q in queries)

    assert selects(5) == selects(200)


# --- the admin


def _upload(client, model, data, name, **extra):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_import")
    form = {
        "resource": "0",
        "format": "1" if name.endswith(".xlsx") else "0",
        "encoding": "auto",
        "import_file": SimpleUploadedFile(name, data),
    } | extra
    return client.post(url, form)


def test_admin_upload_preview_then_confirm_writes(secretariat_client, toyama):
    rows = [
        OFFICIAL_HEADER,
        ["富山市", "", "副市長", "髙橋 一郎", "", "", "R4.4.1", ""],
        ["朝日町", "", "副町長", "山﨑 ①", "", "", "", ""],
    ]
    before = state()

    preview = _upload(secretariat_client, Official, csv_bytes(rows, "cp932"), "職員.csv")

    assert preview.status_code == 200
    assert state() == before  # the preview is a dry run
    assert "取り込むと: 新規 2 件、更新 0 件、変更なし 0 件" in preview.text
    assert "髙橋 一郎" in preview.text and "山﨑 ①" in preview.text
    confirm = preview.context["confirm_form"]

    done = secretariat_client.post(reverse("admin:onechoice_official_process_import"), dict(confirm.initial))

    assert done.status_code == 302 and done["Location"] == reverse("admin:onechoice_official_changelist")
    assert officials(title__in=["副市長", "副町長"]) == [
        ("富山市", "副市長", "髙橋 一郎", dt.date(2022, 4, 1)),
        ("朝日町", "副町長", "山﨑 ①", None),
    ]
    listing = secretariat_client.get(done["Location"])
    assert "取り込みが完了しました（職員・首長）: 新規 2 件、更新 0 件、変更なし 0 件。" in listing.text
    assert Official.history.filter(name="髙橋 一郎").get().history_user.username == "test-secretariat"


def test_admin_preview_lists_each_bad_row_and_offers_no_confirmation(secretariat_client, toyama):
    rows = [
        OFFICIAL_HEADER,
        ["富山市", "", "副市長", "髙橋 一郎"] + [""] * 4,
        ["163430", "", "町長", "山田 二郎"] + [""] * 4,
    ]
    before = state()

    preview = _upload(secretariat_client, Official, xlsx_bytes(rows), "職員.xlsx")

    assert preview.status_code == 200
    assert "confirm_form" not in preview.context
    assert state() == before
    text = preview.text
    assert "取り込めません（データベースは変更していません）" in text
    assert '<td class="row">3</td>' in text and '<td class="column">団体</td>' in text
    assert "地方公共団体コード「163430」の検査数字が正しくありません" in text


def test_admin_encoding_override_and_unreadable_file_are_form_errors(secretariat_client, toyama):
    rows = [OFFICIAL_HEADER, ["富山市", "", "副市長", "髙橋 一郎"] + [""] * 4]

    forced = _upload(secretariat_client, Official, csv_bytes(rows, "cp932"), "職員.csv", encoding="utf-8-sig")
    utf16 = _upload(secretariat_client, Official, "団体".encode("utf-16"), "職員.csv")

    assert "UTF-8 として読めません" in str(forced.context["form"].errors["import_file"])
    assert "UTF-16" in str(utf16.context["form"].errors["import_file"])
    sjis = _upload(secretariat_client, Official, csv_bytes(rows, "cp932"), "職員.csv", encoding="cp932")
    assert "confirm_form" in sjis.context


def test_admin_confirm_writes_nothing_when_the_records_changed_since_the_preview(secretariat_client, toyama):
    rows = [OFFICIAL_HEADER, ["富山県", "地方創生局", "参事", "髙橋 一郎"] + [""] * 4]
    preview = _upload(secretariat_client, Official, csv_bytes(rows), "職員.csv")
    confirm = preview.context["confirm_form"]
    from onechoice.models import Department

    Department.objects.filter(name="地方創生局").update(name="地方創生局（旧）")  # renamed meanwhile
    before = state()

    answer = secretariat_client.post(reverse("admin:onechoice_official_process_import"), dict(confirm.initial))

    assert answer.status_code == 200
    assert state() == before
    assert "部局「地方創生局」は登録されていません。" in answer.text


def test_admin_export_gives_xlsx_and_csv_files(secretariat_client, toyama):
    url = reverse("admin:onechoice_official_export")
    page = secretariat_client.get(url)
    assert page.status_code == 200 and "csv（シフトJIS・CP932）" in page.text

    xlsx = secretariat_client.post(url, {"resource": "0", "format": "0"})
    cp932 = secretariat_client.post(url, {"resource": "0", "format": "2"})

    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert openpyxl.load_workbook(io.BytesIO(xlsx.content)).active["A1"].value == "団体"
    assert cp932["Content-Disposition"].endswith('-cp932.csv"')
    assert cp932.content.decode("cp932").startswith("団体,部局,役職,氏名")


def test_only_the_secretariat_imports_and_division_staff_may_export(client, toyama):
    groups = roles.ensure_role_groups()
    staff = get_user_model().objects.create_user("division-staff", is_staff=True)
    staff.groups.add(groups[roles.Role.DIVISION])
    client.force_login(staff)

    assert client.get(reverse("admin:projects_measureresult_import")).status_code == 403
    assert client.get(reverse("admin:projects_measureresult_export")).status_code == 200
    assert "インポート" not in client.get(reverse("admin:projects_measureresult_changelist")).text
