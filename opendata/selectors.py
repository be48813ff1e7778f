"""The datasets of /opendata/: published records only (``visible(public=True)``, whoever
asks), one list of rows per dataset, in a fixed number of queries whatever the row count;
and when each dataset last changed (``last_modified``), from the change history."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import CharField, Max, Model, Value

from meetings.models import Meeting
from onechoice.models import Department, Organization
from projects.models import (
    Indicator,
    IndicatorValue,
    Measure,
    MeasureResult,
    Project,
    ProjectYear,
)
from workgroups.models import WorkingGroup, WorkingGroupSession

PREFECTURE_CODE = "160008"  # 富山県 (全国地方公共団体コード, with its check digit)
PREFECTURE_NAME = "富山県"
ATTRIBUTION = "富山県 ワンチームとやま推進室"
LICENCE = "CC BY 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/deed.ja"
SEPARATOR = ";"  # between several values in one CSV cell (names, codes)


@dataclass(frozen=True)
class Column:
    key: str  # the JSON name
    label: str  # the CSV header
    description: str
    text: bool = False  # a code: quoted in CSV so spreadsheets keep leading zeros


@dataclass(frozen=True)
class Dataset:
    slug: str
    title: str
    description: str
    columns: tuple[Column, ...]
    rows: Callable[[], list[dict]]
    # The models whose records the rows are made of (visibility flags included): their
    # change history says when the dataset last changed.
    sources: tuple[type[Model], ...]


def _names(objects) -> str:
    return SEPARATOR.join(o.name for o in objects)


def item_rows() -> list[dict]:
    """One row per item and fiscal year."""
    years = (
        ProjectYear.objects.visible(public=True)
        .select_related("project")
        .prefetch_related("project__proposers", "project__departments")
        .order_by("project_id", "fiscal_year")
    )
    rows = []
    for year in years:
        project = year.project
        proposers = list(project.proposers.all())
        rows.append(
            {
                "id": f"{project.pk}-{year.fiscal_year}",
                "item_id": project.pk,
                "title": project.title,
                "fiscal_year": year.fiscal_year,
                "status": year.get_status_display(),
                "proposers": [p.name for p in proposers],
                "proposer_codes": [p.lg_code for p in proposers],
                "departments": [d.name for d in project.departments.all()],
                "grade": year.grade,
                "achievement": year.get_achievement_display() if year.achievement else "",
                "goal": year.goal,
                "url": year.get_absolute_url(),
            }
        )
    return rows


def result_rows() -> list[dict]:
    """One row per measure and fiscal year (施策の年度実績) of the published items, in the
    order of the item page: item, year, measure."""
    results = (
        MeasureResult.objects.filter(project_year__in=ProjectYear.objects.visible(public=True))
        .select_related("project_year__project", "measure")
        .order_by("project_year__project_id", "project_year__fiscal_year", "measure__order", "pk")
    )
    rows = []
    for result in results:
        year, measure = result.project_year, result.measure
        rows.append(
            {
                "id": result.pk,
                "item_id": year.project_id,
                "item": year.project.title,
                "fiscal_year": year.fiscal_year,
                "measure_id": measure.pk,
                "heading": measure.heading,
                "label": measure.label,
                "measure": measure.title,
                "results": result.results,
                "next_steps": result.next_steps,
                "follow_up": result.follow_up,
                "grade": result.grade,
                "achievement": result.get_achievement_display() if result.achievement else "",
                "url": year.get_absolute_url(),
            }
        )
    return rows


def indicator_rows() -> list[dict]:
    """One row per value of an indicator (指標の値) of the published items: per item the
    indicators in their order, each one's values in time order (dated and fiscal-year values
    mixed, as the item page's table shows them), the value as the page prints it."""
    values = (
        IndicatorValue.objects.filter(indicator__project__in=Project.objects.visible(public=True))
        .select_related("indicator__project", "indicator__measure")
        .order_by("indicator__project_id", "indicator__order", "indicator_id")
    )
    ordered = sorted(values, key=lambda v: (v.indicator.project_id, v.indicator.order, v.indicator_id, v.as_of))
    rows = []
    for value in ordered:
        indicator = value.indicator
        rows.append(
            {
                "id": value.pk,
                "item_id": indicator.project_id,
                "item": indicator.project.title,
                "indicator_id": indicator.pk,
                "indicator": indicator.name,
                "unit": indicator.unit,
                "measure": str(indicator.measure) if indicator.measure else "",
                "date": value.date.isoformat() if value.date else "",
                "fiscal_year": value.fiscal_year,
                "period": value.period_label,
                "value": value.value_label,
                "rank": value.rank,
                "note": value.note,
                "url": indicator.project.get_absolute_url(),
            }
        )
    return rows


def _time(value) -> str:
    return value.strftime("%H:%M") if value else ""


def meeting_rows() -> list[dict]:
    rows = []
    for meeting in Meeting.objects.visible(public=True).order_by("fiscal_year", "kind", "number"):
        planned = meeting.planned_date
        rows.append(
            {
                "id": meeting.pk,
                "fiscal_year": meeting.fiscal_year,
                "title": str(meeting),
                "kind": meeting.get_kind_display(),
                "number": meeting.number,
                "status": meeting.get_status_display(),
                "date": meeting.date.isoformat() if meeting.date else "",
                "planned": str(planned) if planned and not meeting.date else "",
                "start_time": _time(meeting.start_time),
                "end_time": _time(meeting.end_time),
                "mode": meeting.get_mode_display(),
                "venue": meeting.venue,
                "url": meeting.get_absolute_url(),
            }
        )
    return rows


def session_rows() -> list[dict]:
    sessions = (
        WorkingGroupSession.objects.visible(public=True)
        .select_related("working_group__project")
        .order_by("working_group__project_id", "working_group__order", "date", "planned_year", "planned_month", "pk")
    )
    rows = []
    for session in sessions:
        group = session.working_group
        rows.append(
            {
                "id": session.pk,
                "fiscal_year": session.fiscal_year,
                "item_id": group.project_id,
                "item": group.project.title,
                "working_group": group.scope.splitlines()[0] if group.scope else "",
                "kind": session.get_kind_display(),
                "name": session.display_name,
                "date": session.date.isoformat() if session.date else "",
                "planned": str(session.planned_date) if session.planned_date and not session.date else "",
                "status": session.get_status_display(),
                "note": session.note,
            }
        )
    return rows


def event_rows() -> list[dict]:
    """Meetings held or fixed on a date, in the 自治体標準オープンデータセット イベント一覧 layout."""
    rows = []
    for m in meeting_rows():
        if not m["date"]:
            continue
        rows.append(
            {
                "lg_code": PREFECTURE_CODE,
                "id": str(m["id"]),
                "lg_name": PREFECTURE_NAME,
                "name": f"「ワンチームとやま」連携推進本部 {m['title']}",
                "name_kana": "",
                "name_en": "",
                "start_date": m["date"],
                "end_date": m["date"],
                "start_time": m["start_time"],
                "end_time": m["end_time"],
                "description": f"{m['kind']}（{m['mode']}）",
                "fee": "",
                "fee_detail": "",
                "contact_name": ATTRIBUTION,
                "contact_phone": "",
                "contact_extension": "",
                "organizer": "「ワンチームとやま」連携推進本部",
                "place": m["venue"],
                "address": "",
                "address_detail": "",
                "latitude": "",
                "longitude": "",
                "access": "",
                "parking": "",
                "capacity": "",
                "application_end_date": "",
                "application_end_time": "",
                "application_method": "",
                "application_url": "",
                "url": m["url"],
                "image": "",
                "image_licence": "",
                "note": m["status"],
            }
        )
    return rows


ITEM_COLUMNS = (
    Column("id", "ID", "項目IDと年度（例: 3-2021）", text=True),
    Column("item_id", "項目ID", "連携推進項目のID", text=True),
    Column("title", "連携項目名", ""),
    Column("fiscal_year", "年度", "西暦の開始年（令和3年度なら2021）"),
    Column("status", "区分", "新規・継続・協議終了"),
    Column("proposers", "提案市町村", "複数は「;」区切り"),
    Column("proposer_codes", "提案市町村コード", "全国地方公共団体コード（6桁）、複数は「;」区切り", text=True),
    Column("departments", "担当部局", "複数は「;」区切り"),
    Column("grade", "評価", "A・B・C（未評価は空）"),
    Column("achievement", "達成状況", "○概ね達成・△達成できず（未評価は空）"),
    Column("goal", "目標（目指す姿）", ""),
    Column("url", "URL", "ポータルの項目ページ（その年度の箇所）のURL"),
)
RESULT_COLUMNS = (
    Column("id", "ID", "施策の年度実績のID", text=True),
    Column("item_id", "項目ID", "連携推進項目のID", text=True),
    Column("item", "連携項目名", ""),
    Column("fiscal_year", "年度", "西暦の開始年（令和3年度なら2021）"),
    Column("measure_id", "施策ID", "施策のID（年度をまたいで同じ）", text=True),
    Column("heading", "見出し", "施策をまとめる見出し（例: 【子ども医療費関係】、なければ空）"),
    Column("label", "番号", "施策の番号（例: ①、①-1）"),
    Column("measure", "施策名", ""),
    Column("results", "取り組み成果", ""),
    Column("next_steps", "今後の取組み", ""),
    Column("follow_up", "進行管理の方法", "例: 連携推進項目として協議継続"),
    Column("grade", "評価", "A・B・C（未評価は空）"),
    Column("achievement", "達成状況", "○概ね達成・△達成できず（未評価は空）"),
    Column("url", "URL", "ポータルの項目ページ（その年度の箇所）のURL"),
)
INDICATOR_COLUMNS = (
    Column("id", "ID", "指標の値のID", text=True),
    Column("item_id", "項目ID", "連携推進項目のID", text=True),
    Column("item", "連携項目名", ""),
    Column("indicator_id", "指標ID", "指標のID", text=True),
    Column("indicator", "指標名", ""),
    Column("unit", "単位", "例: %、件、台"),
    Column("measure", "施策", "指標が属する施策（番号と施策名、なければ空）"),
    Column("date", "時点", "値の日付 YYYY-MM-DD（年度の値は空）"),
    Column("fiscal_year", "年度", "値の年度、西暦の開始年（日付の値は空）"),
    Column("period", "時点（表記）", "ポータルでの表記（例: R4.1.1時点、R5）"),
    Column("value", "値", "ポータルと同じ表記（例: 22.7、3,811）、単位は「単位」の列", text=True),
    Column("rank", "全国順位", "位（なければ空）"),
    Column("note", "備考", ""),
    Column("url", "URL", "ポータルの項目ページのURL"),
)
MEETING_COLUMNS = (
    Column("id", "ID", "会議のID", text=True),
    Column("fiscal_year", "年度", "西暦の開始年"),
    Column("title", "会議名", ""),
    Column("kind", "種別", ""),
    Column("number", "回", ""),
    Column("status", "状態", "開催済・予定など"),
    Column("date", "開催日", "ISO 8601（YYYY-MM-DD）"),
    Column("planned", "予定時期", "日付が決まっていない会議の予定（例: 令和4年5月）"),
    Column("start_time", "開始時刻", "HH:MM"),
    Column("end_time", "終了時刻", "HH:MM"),
    Column("mode", "開催形式", ""),
    Column("venue", "場所", ""),
    Column("url", "URL", "ポータルの会議ページのURL"),
)
SESSION_COLUMNS = (
    Column("id", "ID", "WG開催のID", text=True),
    Column("fiscal_year", "年度", "西暦の開始年"),
    Column("item_id", "項目ID", "連携推進項目のID", text=True),
    Column("item", "連携項目名", ""),
    Column("working_group", "WG設置区分", "WGで扱う範囲（1行目）"),
    Column("kind", "種別", "WG・担当課長会議など"),
    Column("name", "会議名", ""),
    Column("date", "開催日", "YYYY-MM-DD"),
    Column("planned", "予定時期", "日付が決まっていない開催の予定"),
    Column("status", "状態", ""),
    Column("note", "備考", ""),
)
EVENT_COLUMNS = tuple(
    Column(key, label, description, text=text)
    for key, label, description, text in (
        ("lg_code", "全国地方公共団体コード", "富山県（160008）", True),
        ("id", "ID", "会議のID（本部会議のデータセットと同じ）", True),
        ("lg_name", "地方公共団体名", "富山県", False),
        ("name", "イベント名", "本部名と会議名（例: 「ワンチームとやま」連携推進本部 令和3年度 第4回本部会議）", False),
        ("name_kana", "イベント名_カナ", "（空欄）", False),
        ("name_en", "イベント名_英字", "（空欄）", False),
        ("start_date", "開始日", "開催日 YYYY-MM-DD", False),
        ("end_date", "終了日", "開催日 YYYY-MM-DD（開始日と同じ）", False),
        ("start_time", "開始時間", "HH:MM（記録がなければ空）", False),
        ("end_time", "終了時間", "HH:MM（記録がなければ空）", False),
        ("description", "説明", "会議の種別と開催形式（例: 本部会議（対面））", False),
        ("fee", "料金(基本)", "（空欄）", False),
        ("fee_detail", "料金(詳細)", "（空欄）", False),
        ("contact_name", "連絡先名称", "事務局（富山県 ワンチームとやま推進室）", False),
        ("contact_phone", "連絡先電話番号", "（空欄）", True),
        ("contact_extension", "連絡先内線番号", "（空欄）", True),
        ("organizer", "主催者", "「ワンチームとやま」連携推進本部", False),
        ("place", "場所名称", "会場（WEB開催などで記録がなければ空）", False),
        ("address", "住所", "（空欄）", False),
        ("address_detail", "方書", "（空欄）", False),
        ("latitude", "緯度", "（空欄）", False),
        ("longitude", "経度", "（空欄）", False),
        ("access", "アクセス方法", "（空欄）", False),
        ("parking", "駐車場情報", "（空欄）", False),
        ("capacity", "定員", "（空欄）", False),
        ("application_end_date", "参加申込終了日", "（空欄）", False),
        ("application_end_time", "参加申込終了時間", "（空欄）", False),
        ("application_method", "参加申込方法", "（空欄）", False),
        ("application_url", "参加申込ページURL", "（空欄）", False),
        ("url", "URL", "ポータルの会議ページのURL", False),
        ("image", "画像", "（空欄）", False),
        ("image_licence", "画像_ライセンス", "（空欄）", False),
        ("note", "備考", "会議の状態（開催済み・予定）", False),
    )
)

DATASETS = {
    d.slug: d
    for d in (
        Dataset(
            "items",
            "連携推進項目（年度別）",
            "公開している連携推進項目の年度ごとの区分・提案市町村・担当部局・評価。",
            ITEM_COLUMNS,
            item_rows,
            (Project, ProjectYear, Organization, Department),
        ),
        Dataset(
            "results",
            "施策の年度実績",
            "公開している連携推進項目の施策ごと・年度ごとの取り組み成果・今後の取組み・評価。",
            RESULT_COLUMNS,
            result_rows,
            (Project, ProjectYear, Measure, MeasureResult),
        ),
        Dataset(
            "indicators",
            "指標の値",
            "公開している連携推進項目の指標（KPI）の時点・年度ごとの値と全国順位。",
            INDICATOR_COLUMNS,
            indicator_rows,
            (Project, Indicator, IndicatorValue, Measure),
        ),
        Dataset(
            "meetings",
            "本部会議",
            "公開している本部会議の日時・場所・開催形式。",
            MEETING_COLUMNS,
            meeting_rows,
            (Meeting,),
        ),
        Dataset(
            "sessions",
            "WG開催",
            "公開している連携推進項目のWG・担当者会議などの開催。",
            SESSION_COLUMNS,
            session_rows,
            (Project, WorkingGroup, WorkingGroupSession),
        ),
        Dataset(
            "events",
            "本部会議（イベント一覧形式）",
            "日付の決まった本部会議を、自治体標準オープンデータセット「イベント一覧」の項目で。",
            EVENT_COLUMNS,
            event_rows,
            (Meeting,),
        ),
    )
}


def last_modified(datasets: Iterable[Dataset]) -> dict[str, dt.datetime | None]:
    """When each dataset last changed: the newest entry in the change history of the models
    it is made from (None when they have no history). One query for any number of datasets
    (one ``MAX`` per history table, on its ``history_date`` index).

    The history, not the data version: the version is a random token with no time, and it
    changes with every record of the portal, while the history says which model changed when,
    deletions and many-to-many changes (an item's proposers) included. Writes that bypass the
    portal's services (psql, a restore) leave no history; they need ``data_version.changed()``
    anyway, and the ETag, which follows the version, still changes then. A history entry bears
    the time of its write, not of its commit: a long transaction that commits after a later,
    shorter one moves no date on. If-None-Match, answered from the version, is exact; this is
    HTTP's weaker validator, for clients that send only If-Modified-Since."""
    datasets = list(datasets)
    models = list(dict.fromkeys(model for d in datasets for model in d.sources))
    if not models:
        return {}
    parts = [
        model.history.model.objects.order_by()
        .annotate(source=Value(model._meta.label_lower, output_field=CharField()))
        .values("source")
        .annotate(changed=Max("history_date"))
        .values_list("source", "changed")
        for model in models
    ]
    changed = dict(parts[0].union(*parts[1:], all=True)) if len(parts) > 1 else dict(parts[0])
    result = {}
    for d in datasets:
        times = [changed[m._meta.label_lower] for m in d.sources if changed.get(m._meta.label_lower)]
        result[d.slug] = max(times) if times else None
    return result
