"""Importing WG sessions as the WG status table lists them — held on a date, or planned for a
month (2月予定, 5月中旬) — and exporting them back."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from onechoice.importing import XLSX, ExportCSV, ExportCSVCP932, RowError, export_file, import_file
from tests.spreadsheets import csv_bytes, xlsx_bytes
from workgroups.models import WorkingGroup, WorkingGroupSession
from workgroups.resources import WorkingGroupSessionResource

HEADER = ["連携推進項目", "WG番号", "年度", "開催日", "状態", "種別", "会議名", "備考"]
ZERO_CARBON = "ゼロカーボンシティ富山の実現"
DISASTER = "防災・危機管理体制の連携・強化"


def state():
    return list(WorkingGroupSession.objects.order_by("pk").values()), WorkingGroupSession.history.count()


def sessions(title, order):
    wg = WorkingGroup.objects.get(project__title=title, order=order)
    fields = ("date", "planned_year", "planned_month", "planned_period", "status", "kind", "name", "note")
    return list(wg.sessions.order_by("pk").values_list(*fields))


def test_dates_in_every_form_and_planned_months_of_the_fiscal_year(toyama):
    before = sessions(ZERO_CARBON, 1)
    rows = [
        HEADER,
        [ZERO_CARBON, "1", "", "R3.11.18", "", "", "", "5市"],
        [ZERO_CARBON, "1", "令和3年度", "令和3年12月9日", "", "担当課長会議", "", ""],
        [ZERO_CARBON, "1", "R3", "3月予定", "", "", "", ""],
        [ZERO_CARBON, "1", "2022", "5月中旬", "", "視察", "", ""],
        [ZERO_CARBON, "1", "", "2022/3/24予定", "", "", "", ""],
        [ZERO_CARBON, "1", "", dt.datetime(2022, 1, 13), "開催済み", "WG", "", ""],
    ]

    result = import_file(WorkingGroupSessionResource(), xlsx_bytes(rows), filename="wg.xlsx")

    assert result.error_list() == []
    assert sessions(ZERO_CARBON, 1)[len(before) :] == [
        (dt.date(2021, 11, 18), None, None, "", "held", "wg", "", "5市"),
        (dt.date(2021, 12, 9), None, None, "", "held", "section_chiefs", "", ""),
        (None, 2022, 3, "", "planned", "wg", "", ""),
        (None, 2022, 5, "middle", "planned", "inspection", "", ""),
        (dt.date(2022, 3, 24), None, None, "", "planned", "wg", "", ""),
        (dt.date(2022, 1, 13), None, None, "", "held", "wg", "", ""),
    ]


def test_a_planned_session_becomes_held_when_the_same_row_gets_its_status(toyama):
    rows = [HEADER, [DISASTER, "3", "", "2022-02-04", "開催済み", "WG", "", "3町村で協定締結"]]

    result = import_file(WorkingGroupSessionResource(), csv_bytes(rows, "cp932"), filename="wg.csv")

    assert (result.totals["update"], result.totals["new"]) == (1, 0)
    [held] = [s for s in sessions(DISASTER, 3) if s[0] == dt.date(2022, 2, 4)]
    assert held[4:] == ("held", "wg", "", "3町村で協定締結")


def test_bad_session_rows_stop_the_import(toyama):
    rows = [
        HEADER,
        [ZERO_CARBON, "1", "", "2月予定", "", "", "", ""],
        [ZERO_CARBON, "1", "2021", "2022-04-05", "", "", "", ""],
        [ZERO_CARBON, "1", "", "来週", "", "", "", ""],
        [ZERO_CARBON, "7", "", "2021-06-01", "", "", "", ""],
        ["存在しない項目", "1", "", "2021-06-01", "", "", "", ""],
        [ZERO_CARBON, "1", "", "2021-06-01", "", "宴会", "", ""],
        [ZERO_CARBON, "1", "", "2021-06-01", "", "", "", ""],
        [ZERO_CARBON, "1", "2021", "2021/6/1", "", "WG", "", ""],
    ]
    before = state()

    result = import_file(WorkingGroupSessionResource(), csv_bytes(rows), filename="wg.csv")

    assert state() == before
    assert result.error_list() == [
        RowError(2, "開催日", "「2月予定」のように月だけで書くときは、年度の列に年度を入れてください。"),
        RowError(3, "開催日", "R4.4.5 は令和3年度の日付ではありません。"),
        RowError(
            4,
            "開催日",
            "「来週」は日付（2022-02-17、R4.2.17、令和4年2月17日）か予定の月（2月予定、5月中旬）として読めません。",
        ),
        RowError(5, "WG番号", f"「{ZERO_CARBON}」にWG 7 はありません。"),
        RowError(6, "連携推進項目", "連携推進項目「存在しない項目」は登録されていません。"),
        RowError(
            7,
            "種別",
            "「宴会」は選べません（WG、担当課長会議、担当者会議、副市町村長級検討会、"
            "協議、訓練、視察、情報共有 のいずれか）。",
        ),
        RowError(
            9,
            "連携推進項目・WG番号・開催日・種別",
            "8行目と同じ連携推進項目・WG番号・開催日・種別の行です。1行にまとめてください。",
        ),
    ]


@pytest.mark.parametrize(
    "file_format,name",
    [(XLSX, "x.xlsx"), (ExportCSV, "x.csv"), (ExportCSVCP932, "x.csv")],
    ids=["xlsx", "csv-utf8", "csv-cp932"],
)
def test_export_then_import_changes_nothing(toyama, file_format, name):
    before = state()
    data = export_file(WorkingGroupSessionResource(), file_format=file_format)

    result = import_file(WorkingGroupSessionResource(), data, filename=name)

    assert result.error_list() == []
    assert result.totals["skip"] == WorkingGroupSession.objects.count() > 50
    assert state() == before


def test_the_export_writes_a_planned_month_as_people_do(toyama):
    text = export_file(
        WorkingGroupSessionResource(), WorkingGroupSession.objects.filter(date=None), file_format=ExportCSV
    ).decode("utf-8-sig")
    assert text.splitlines() == [",".join(HEADER), f"{ZERO_CARBON},1,2021,2月,予定,WG,,"]


def test_admin_imports_sessions_after_a_preview(secretariat_client, toyama):
    rows = [HEADER, [ZERO_CARBON, "1", "R4", "5月中旬", "", "", "", ""]]
    upload = {
        "resource": "0",
        "format": "0",
        "encoding": "auto",
        "import_file": SimpleUploadedFile("wg.csv", csv_bytes(rows, "utf-8-sig")),
    }

    preview = secretariat_client.post(reverse("admin:workgroups_workinggroupsession_import"), upload)

    assert "取り込むと: 新規 1 件" in preview.text
    assert (None, 2022, 5, "middle", "planned", "wg", "", "") not in sessions(ZERO_CARBON, 1)
    confirm = preview.context["confirm_form"]
    secretariat_client.post(reverse("admin:workgroups_workinggroupsession_process_import"), dict(confirm.initial))
    assert (None, 2022, 5, "middle", "planned", "wg", "", "") in sessions(ZERO_CARBON, 1)
