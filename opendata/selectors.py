"""The datasets of /opendata/: published records only (``visible(public=True)``, whoever
asks), one list of rows per dataset, in a fixed number of queries whatever the row count."""

from __future__ import annotations

from dataclasses import dataclass

from meetings.models import Meeting
from projects.models import ProjectYear
from workgroups.models import WorkingGroupSession

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
    rows: callable


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
    Column("status", "区分", "新規・継続など"),
    Column("proposers", "提案市町村", "複数は「;」区切り"),
    Column("proposer_codes", "提案市町村コード", "全国地方公共団体コード（6桁）、複数は「;」区切り", text=True),
    Column("departments", "担当部局", "複数は「;」区切り"),
    Column("grade", "評価", "A〜Dなど（未評価は空）"),
    Column("achievement", "達成状況", ""),
    Column("goal", "目標（目指す姿）", ""),
    Column("url", "URL", "ポータルの項目ページ（サイト内のパス）"),
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
    Column("url", "URL", "ポータルの会議ページ（サイト内のパス）"),
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
        ("id", "ID", "会議のID", True),
        ("lg_name", "地方公共団体名", "", False),
        ("name", "イベント名", "", False),
        ("name_kana", "イベント名_カナ", "", False),
        ("name_en", "イベント名_英字", "", False),
        ("start_date", "開始日", "YYYY-MM-DD", False),
        ("end_date", "終了日", "YYYY-MM-DD", False),
        ("start_time", "開始時間", "HH:MM", False),
        ("end_time", "終了時間", "HH:MM", False),
        ("description", "説明", "", False),
        ("fee", "料金(基本)", "", False),
        ("fee_detail", "料金(詳細)", "", False),
        ("contact_name", "連絡先名称", "", False),
        ("contact_phone", "連絡先電話番号", "", True),
        ("contact_extension", "連絡先内線番号", "", True),
        ("organizer", "主催者", "", False),
        ("place", "場所名称", "", False),
        ("address", "住所", "", False),
        ("address_detail", "方書", "", False),
        ("latitude", "緯度", "", False),
        ("longitude", "経度", "", False),
        ("access", "アクセス方法", "", False),
        ("parking", "駐車場情報", "", False),
        ("capacity", "定員", "", False),
        ("application_end_date", "参加申込終了日", "", False),
        ("application_end_time", "参加申込終了時間", "", False),
        ("application_method", "参加申込方法", "", False),
        ("application_url", "参加申込ページURL", "", False),
        ("url", "URL", "ポータルの会議ページ（サイト内のパス）", False),
        ("image", "画像", "", False),
        ("image_licence", "画像_ライセンス", "", False),
        ("note", "備考", "会議の状態", False),
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
        ),
        Dataset("meetings", "本部会議", "公開している本部会議の日時・場所・開催形式。", MEETING_COLUMNS, meeting_rows),
        Dataset(
            "sessions", "WG開催", "公開している連携推進項目のWG・担当者会議などの開催。", SESSION_COLUMNS, session_rows
        ),
        Dataset(
            "events",
            "本部会議（イベント一覧形式）",
            "日付の決まった本部会議を、自治体標準オープンデータセット「イベント一覧」の項目で。",
            EVENT_COLUMNS,
            event_rows,
        ),
    )
}
