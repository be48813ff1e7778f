"""Importing collaboration items, yearly measure results and indicator values, and exporting
them back."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from onechoice.importing import XLSX, ExportCSV, ExportCSVCP932, RowError, export_file, import_file
from projects.models import IndicatorValue, MeasureResult, Project
from projects.resources import IndicatorValueResource, MeasureResultResource, ProjectResource
from tests.spreadsheets import csv_bytes, xlsx_bytes

PROJECT_HEADER = ["連携項目名", "提案市町村", "対象市町村", "担当部局", "県担当課", "開始年度", "公開"]
RESULT_HEADER = [
    "連携推進項目",
    "年度",
    "施策の順序",
    "施策名",
    "取り組み成果",
    "今後の取組み",
    "進行管理の方法",
    "評価",
    "達成状況",
]
VALUE_HEADER = ["連携推進項目", "指標名", "時点", "年度", "値", "全国順位", "備考"]
DIGITAL = "自治体行政のデジタル化"
ZERO_CARBON = "ゼロカーボンシティ富山の実現"


def state():
    projects = [
        (
            p.title,
            p.first_fiscal_year,
            p.is_published,
            *(sorted(o.pk for o in getattr(p, m).all()) for m in ("proposers", "targets", "departments", "divisions")),
        )
        for p in Project.objects.prefetch_related("proposers", "targets", "departments", "divisions").order_by("pk")
    ]
    return {
        "projects": projects,
        "results": list(MeasureResult.objects.order_by("pk").values()),
        "values": list(IndicatorValue.objects.order_by("pk").values()),
        "history": (Project.history.count(), MeasureResult.history.count(), IndicatorValue.history.count()),
    }


def names(project, relation):
    return [o.name for o in getattr(project, relation).order_by("pk")]


# --- collaboration items


def test_an_item_names_its_municipalities_departments_and_divisions(toyama):
    rows = [
        PROJECT_HEADER,
        ["観光の広域連携", "富山市、162027，射水市", "", "地方創生局", "ワンチームとやま推進室", "令和4年度", "はい"],
    ]

    result = import_file(ProjectResource(), csv_bytes(rows, "cp932"), filename="items.csv")

    assert result.error_list() == []
    item = Project.objects.get(title="観光の広域連携")
    assert names(item, "proposers") == ["富山市", "高岡市", "射水市"]
    assert names(item, "departments") == ["地方創生局"]
    assert names(item, "divisions") == ["ワンチームとやま推進室"]
    assert (item.first_fiscal_year, item.is_published) == (2022, True)


def test_an_unknown_value_in_a_list_is_an_error_never_dropped(toyama):
    rows = [
        PROJECT_HEADER,
        ["観光の広域連携", "富山市、上越市", "", "地方創生局", "", "2022", ""],
        ["医療の連携", "富山市", "", "地方創生局、健康福祉部", "存在しない課", "2022", ""],
        ["空の連携", "", "", "", "", "2022", ""],
    ]
    before = state()

    result = import_file(ProjectResource(), csv_bytes(rows), filename="items.csv")

    assert state() == before
    assert result.error_list() == [
        RowError(2, "提案市町村", "団体「上越市」は登録されていません。"),
        RowError(3, "担当部局", "部局「健康福祉部」は登録されていません。"),
        RowError(3, "県担当課", "課・室「存在しない課」は登録されていません。"),
        RowError(4, "提案市町村", "1つ以上入力してください（複数のときは「、」で区切ります）。"),
        RowError(4, "担当部局", "1つ以上入力してください（複数のときは「、」で区切ります）。"),
    ]


def test_changing_an_items_lists_updates_it_and_the_same_file_again_changes_nothing(toyama):
    rows = [
        PROJECT_HEADER,
        [ZERO_CARBON, "魚津市、南砺市、富山市", "", "知事政策局", "カーボンニュートラル推進課", "2021", "はい"],
    ]

    changed = import_file(ProjectResource(), csv_bytes(rows), filename="items.csv")
    after = state()
    again = import_file(ProjectResource(), csv_bytes(rows), filename="items.csv")

    assert (changed.totals["update"], again.totals["update"], again.totals["skip"]) == (1, 0, 1)
    assert names(Project.objects.get(title=ZERO_CARBON), "proposers") == ["富山市", "魚津市", "南砺市"]
    assert state() == after


# --- measure results


def test_results_of_a_measure_are_updated_for_a_fiscal_year(toyama):
    rows = [
        RESULT_HEADER,
        [
            ZERO_CARBON,
            "R3",
            "1",
            "",
            "成果を書き直した",
            "次も続ける",
            "連携推進項目として協議継続",
            "B",
            "△達成できず",
        ],
    ]

    result = import_file(MeasureResultResource(), xlsx_bytes(rows), filename="results.xlsx")

    assert result.error_list() == [] and result.totals["update"] == 1
    updated = MeasureResult.objects.get(
        project_year__project__title=ZERO_CARBON, project_year__fiscal_year=2021, measure__order=1
    )
    assert (updated.results, updated.next_steps) == ("成果を書き直した", "次も続ける")
    assert (updated.grade, updated.achievement) == ("B", "not_achieved")


def test_bad_result_rows_say_what_is_missing(toyama):
    rows = [
        RESULT_HEADER,
        ["存在しない項目", "2021", "1", "", "", "", "", "", ""],
        [ZERO_CARBON, "2019", "1", "", "", "", "", "", ""],
        [ZERO_CARBON, "2021", "99", "", "", "", "", "", ""],
        [ZERO_CARBON, "2021", "1", "別の施策名", "", "", "", "", ""],
        [ZERO_CARBON, "2021", "2", "", "", "", "", "S", ""],
    ]
    before = state()

    result = import_file(MeasureResultResource(), csv_bytes(rows), filename="results.csv")

    assert state() == before
    assert result.error_list() == [
        RowError(2, "連携推進項目", "連携推進項目「存在しない項目」は登録されていません。"),
        RowError(
            3, "年度", f"「{ZERO_CARBON}」には令和元年度の記録（年度別の取組み）がありません。先に登録してください。"
        ),
        RowError(4, "施策の順序", f"「{ZERO_CARBON}」に順序 99 の施策はありません。"),
        RowError(
            5, "施策名", "順序 1 の施策は「現状及び再エネポテンシャルの把握・活用」です（ファイルでは「別の施策名」）。"
        ),
        RowError(
            6,
            "評価",
            "「S」は選べません（A 順調に進んでおり、新たな課題と取組みもわかっている、"
            "B 達成に時間を要し、継続的な取組みが必要、C 新たなアプローチを加えた取組みの強化が必要 のいずれか）。",
        ),
    ]


# --- indicator values


def test_indicator_values_are_read_at_a_date_or_for_a_fiscal_year(toyama):
    rows = [
        VALUE_HEADER,
        [DIGITAL, "マイナンバーカード交付率", "R5.1.1", "", "67.0%", "5", "R5.1.1時点"],
        [DIGITAL, "電子申請対応手続数（累計）", "", "令和4年度", "2,500", "", ""],
        [DIGITAL, "電子申請対応手続数（累計）", "", "", "1", "", ""],
        [DIGITAL, "存在しない指標", "", "2022", "1", "", ""],
    ]
    before = state()

    refused = import_file(IndicatorValueResource(), csv_bytes(rows, "cp932"), filename="values.csv")

    assert state() == before
    assert refused.error_list() == [
        RowError(4, "時点", "時点（日付）か年度のどちらか一方を入力してください。"),
        RowError(5, "指標名", f"「{DIGITAL}」に指標「存在しない指標」はありません。"),
    ]

    accepted = import_file(IndicatorValueResource(), csv_bytes(rows[:3], "cp932"), filename="values.csv")

    assert accepted.error_list() == [] and accepted.totals["new"] == 2
    assert IndicatorValue.objects.get(date=dt.date(2023, 1, 1)).value == Decimal("67.0")
    assert IndicatorValue.objects.get(fiscal_year=2022).value == Decimal("2500")


# --- round trips and the admin


@pytest.mark.parametrize(
    "resource_class", [ProjectResource, MeasureResultResource, IndicatorValueResource], ids=lambda r: r.__name__
)
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


def test_admin_imports_an_item_after_a_preview(secretariat_client, toyama):
    rows = [PROJECT_HEADER, ["観光の広域連携", "富山市、高岡市", "", "地方創生局", "", "2022", "はい"]]
    upload = {
        "resource": "0",
        "format": "1",
        "encoding": "auto",
        "import_file": SimpleUploadedFile("items.xlsx", xlsx_bytes(rows)),
    }

    preview = secretariat_client.post(reverse("admin:projects_project_import"), upload)

    assert "取り込むと: 新規 1 件" in preview.text and not Project.objects.filter(title="観光の広域連携").exists()
    confirm = preview.context["confirm_form"]
    secretariat_client.post(reverse("admin:projects_project_process_import"), dict(confirm.initial))
    assert names(Project.objects.get(title="観光の広域連携"), "proposers") == ["富山市", "高岡市"]
