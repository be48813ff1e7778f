"""Importing a meeting's attendee list (出席者名簿) from Excel or CSV, and exporting it back."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from meetings.models import Attendance, Meeting
from meetings.resources import AttendanceResource
from onechoice.importing import XLSX, ExportCSV, ExportCSVCP932, RowError, export_file, import_file
from tests.spreadsheets import csv_bytes, xlsx_bytes

HEADER = ["年度", "回", "席次", "区分", "団体", "役職", "氏名", "出欠", "代理者の役職", "代理者の氏名"]


def state():
    return list(Attendance.objects.order_by("pk").values()), Attendance.history.count()


def attendees(meeting):
    return list(
        meeting.attendances.order_by("protocol_order").values_list(
            "protocol_order", "organization__name", "title", "name", "status", "proxy_title", "proxy_name"
        )
    )


@pytest.fixture
def third_meeting(toyama):
    return Meeting.objects.get(fiscal_year=2021, kind="regular", number=3)


def test_an_attendee_list_in_cp932_is_imported_for_its_meeting(third_meeting):
    rows = [
        HEADER,
        ["令和3年度", "3", "1", "市町村等", "富山市", "富山市長", "藤井 裕久", "出席", "", ""],
        ["R3", "3", "2", "市町村等", "162027", "高岡市長", "角田 悠紀", "代理出席", "副市長", "髙橋 一郎"],
        ["2021", "3", "3", "県", "富山県", "知事", "新田 八朗", "WEB出席", "", ""],
        ["2021", "3", "4", "市町村等", "富山県町村会", "町村会常務理事", "山﨑 ①", "", "", ""],
    ]

    result = import_file(AttendanceResource(), csv_bytes(rows, "cp932"), filename="名簿.csv")

    assert result.error_list() == []
    assert attendees(third_meeting) == [
        (1, "富山市", "富山市長", "藤井 裕久", "present", "", ""),
        (2, "高岡市", "高岡市長", "角田 悠紀", "proxy", "副市長", "髙橋 一郎"),
        (3, "富山県", "知事", "新田 八朗", "online", "", ""),
        (4, "富山県町村会", "町村会常務理事", "山﨑 ①", "present", "", ""),
    ]


def test_a_corrected_list_updates_attendees_by_seat_and_the_same_list_again_changes_nothing(third_meeting):
    rows = [HEADER, ["2021", "3", "1", "市町村等", "富山市", "富山市長", "藤井 裕久", "出席", "", ""]]
    import_file(AttendanceResource(), xlsx_bytes(rows), filename="名簿.xlsx")
    rows[1][7:] = ["代理出席", "副市長", "髙橋 一郎"]

    corrected = import_file(AttendanceResource(), xlsx_bytes(rows), filename="名簿.xlsx")
    after = state()
    again = import_file(AttendanceResource(), xlsx_bytes(rows), filename="名簿.xlsx")

    assert (corrected.totals["new"], corrected.totals["update"]) == (0, 1)
    assert attendees(third_meeting) == [(1, "富山市", "富山市長", "藤井 裕久", "proxy", "副市長", "髙橋 一郎")]
    assert (again.totals["update"], again.totals["skip"]) == (0, 1)
    assert state() == after


def test_one_bad_attendee_stops_the_whole_list(third_meeting):
    rows = [
        HEADER,
        ["2021", "3", "1", "市町村等", "富山市", "富山市長", "藤井 裕久", "出席", "", ""],
        ["2021", "9", "1", "市町村等", "富山市", "富山市長", "藤井 裕久", "出席", "", ""],
        ["令和9年度", "3", "2", "市町村等", "富山市", "富山市長", "藤井 裕久", "出席", "", ""],
        ["2021", "3", "3", "市町村等", "上越市", "上越市長", "上越 太郎", "出席", "", ""],
        ["2021", "3", "4", "市町村等", "163430", "朝日町長", "笹原 靖直", "出席", "", ""],
        ["2021", "3", "5", "市町村等", "入善町", "入善町長", "笹島 春人", "代理出席", "", ""],
        ["2021", "3", "6", "来賓", "入善町", "入善町長", "笹島 春人", "欠席", "", ""],
        ["2021", "3", "1", "県", "富山県", "知事", "新田 八朗", "出席", "", ""],
    ]
    before = state()

    result = import_file(AttendanceResource(), csv_bytes(rows), filename="名簿.csv")

    assert state() == before
    assert result.error_list() == [
        RowError(3, "回", "令和3年度の第9回本部会議は登録されていません。"),
        RowError(4, "回", "令和9年度の第3回本部会議は登録されていません。"),
        RowError(5, "団体", "団体「上越市」は登録されていません。"),
        RowError(6, "団体", "地方公共団体コード「163430」の検査数字が正しくありません（末尾は 1 になるはずです）。"),
        RowError(7, "代理者の役職", "代理出席の場合は代理者の役職を入力してください。"),
        RowError(7, "代理者の氏名", "代理出席の場合は代理者の氏名を入力してください。"),
        RowError(8, "区分", "「来賓」は選べません（市町村等、県、オブザーバー、事務局 のいずれか）。"),
        RowError(9, "年度・回・会議種別・席次", "2行目と同じ年度・回・会議種別・席次の行です。1行にまとめてください。"),
    ]


def test_missing_columns_and_an_unreadable_year_are_reported(third_meeting):
    before = state()

    no_name = [HEADER[:6], ["2021", "3", "1", "県", "富山県", "知事"]]
    bad_year = [HEADER, ["去年", "3", "1", "県", "富山県", "知事", "新田 八朗", "", "", ""]]

    no_name = import_file(AttendanceResource(), csv_bytes(no_name), filename="a.csv")
    bad_year = import_file(AttendanceResource(), csv_bytes(bad_year), filename="a.csv")

    assert state() == before
    assert no_name.error_list() == [
        RowError(1, "氏名", "必須の列「氏名」がありません。1行目の見出しに「氏名」の列を入れてください。")
    ]
    assert bad_year.error_list() == [RowError(2, "年度", "「去年」は年度として読めません（例: 2021、令和3年度、R3）。")]


@pytest.mark.parametrize(
    "file_format,name",
    [(XLSX, "a.xlsx"), (ExportCSV, "a.csv"), (ExportCSVCP932, "a.csv")],
    ids=["xlsx", "csv-utf8", "csv-cp932"],
)
def test_export_then_import_changes_nothing(toyama, file_format, name):
    before = state()
    data = export_file(AttendanceResource(), file_format=file_format)

    result = import_file(AttendanceResource(), data, filename=name)

    assert result.error_list() == []
    assert result.totals["skip"] == Attendance.objects.count() == 34
    assert state() == before


def test_the_export_names_meetings_and_organisations_not_ids(toyama):
    text = export_file(AttendanceResource(), file_format=ExportCSV).decode("utf-8-sig")
    lines = text.splitlines()
    assert lines[0] == "年度,回,会議種別,席次,区分,団体,役職,氏名,出欠,代理者の役職,代理者の氏名,名簿の役職,名簿の氏名"
    assert lines[1] == "2021,4,本部会議,1,市町村等,富山市,富山市長,藤井 裕久,出席,,,富山市長,藤井 裕久"


def test_admin_upload_preview_confirm(secretariat_client, third_meeting):
    rows = [
        HEADER,
        ["R3", "3", "1", "市町村等", "富山市", "富山市長", "藤井 裕久", "出席", "", ""],
        ["R3", "3", "2", "市町村等", "高岡市", "高岡市長", "角田 悠紀", "代理出席", "副市長", "髙橋 一郎"],
    ]
    url = reverse("admin:meetings_attendance_import")
    upload = {
        "resource": "0",
        "format": "0",
        "encoding": "auto",
        "import_file": SimpleUploadedFile("名簿.csv", csv_bytes(rows, "cp932")),
    }

    preview = secretariat_client.post(url, upload)

    assert preview.status_code == 200
    assert attendees(third_meeting) == []
    assert "取り込むと: 新規 2 件" in preview.text and "髙橋 一郎" in preview.text

    confirm = preview.context["confirm_form"]
    done = secretariat_client.post(reverse("admin:meetings_attendance_process_import"), dict(confirm.initial))

    assert done.status_code == 302
    assert [a[3] for a in attendees(third_meeting)] == ["藤井 裕久", "角田 悠紀"]
