"""The real Toyama records load through the admin's validation and match the handouts."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.db import models

from demo import reference_data
from meetings.models import Attendance, Meeting
from projects.models import Indicator, MeasureResult, Project, ProjectYear
from workgroups.models import WorkingGroupSession

SEED = Path(__file__).resolve().parents[3] / "shared" / "seeds" / "000_da43dbc95c320d57.txt"
SEED_TEXT = SEED.read_text(encoding="utf-8") if SEED.exists() else None
needs_seed = pytest.mark.skipif(SEED_TEXT is None, reason="../shared/seeds is not beside the checkout")

R3_ITEMS = [
    "有害鳥獣の市町村による連携捕獲の推進",
    "県単医療費助成制度のあり方検討",
    "ゼロカーボンシティ富山の実現",
    "防災・危機管理体制の連携・強化",
    "自治体行政のデジタル化",
]


def seed_attendees() -> list[tuple[str, str, str]]:
    """(group heading, title, name) for every line of the seed's attendee list."""
    section = SEED_TEXT.split("## 「ワンチームとやま」連携推進本部会議出席者")[1].split("# 令和3年度第4回")[0]
    rows, group = [], None
    for line in section.splitlines():
        if line.startswith("### "):
            group = line.split(" ", 2)[2]
        elif "\t" in line:
            title, name = line.split("\t")
            rows.append((group, title.strip(), name.strip()))
    return rows


@needs_seed
def test_the_34_attendees_are_the_seeds_in_its_order_and_groups(toyama):
    meeting = Meeting.objects.get(fiscal_year=2021, number=4)
    loaded = [
        (a.get_group_display(), a.title, a.name, a.protocol_order)
        for a in Attendance.objects.filter(meeting=meeting).order_by("protocol_order")
    ]
    expected = seed_attendees()
    assert len(expected) == 34
    assert [(g, t, n) for g, t, n, _ in loaded] == [(g.split("（")[0], t, n) for g, t, n in expected]
    assert [o for *_, o in loaded] == list(range(1, 35))
    counts = {g: sum(1 for x in loaded if x[0] == g) for g in ("市町村等", "県")}
    assert counts == {"市町村等": 17, "県": 17}


def test_the_fourth_meeting_is_complete(toyama):
    meeting = Meeting.objects.get(fiscal_year=2021, number=4)
    assert meeting.when_label == "令和4年1月20日（木）"
    assert meeting.time_label == "午後3時～4時30分"
    assert meeting.venue == "県民会館8階バンケットホール"
    titles = list(meeting.agenda_items.order_by("order").values_list("title", flat=True))
    assert titles[0] == "開会" and titles[1] == "知事あいさつ" and titles[-1] == "閉会"
    assert len(titles) == 8
    handouts = [h.label for h in meeting.handouts.order_by("kind", "number")]
    assert handouts == ["資料1", "資料2", "資料3", "資料4", "参考資料1", "参考資料2"]


def test_the_annual_schedule_r2_to_r4(toyama):
    by_year = {fy: list(Meeting.objects.filter(fiscal_year=fy)) for fy in (2020, 2021, 2022)}
    assert [len(by_year[fy]) for fy in (2020, 2021, 2022)] == [3, 6, 4]
    extraordinary = Meeting.objects.filter(kind="extraordinary")
    assert extraordinary.count() == 4
    assert set(extraordinary.values_list("mode", flat=True)) == {"online", "hybrid"}
    r4 = sorted(by_year[2022], key=lambda m: m.number)
    assert [m.planned_date.short() for m in r4] == ["R4.5月中旬", "R4.8月下旬", "R4.10月下旬", "R5.1月下旬"]
    assert all(m.status == "planned" and m.date is None for m in r4)
    assert r4[1].mode == "online"


def test_five_fy_r3_items_and_the_fy_r4_items(toyama):
    r3 = ProjectYear.objects.filter(fiscal_year=2021).select_related("project")
    assert sorted(y.project.title for y in r3) == sorted(R3_ITEMS)
    r4 = {y.project.title: y for y in ProjectYear.objects.filter(fiscal_year=2022).select_related("project")}
    assert {t for t, y in r4.items() if y.status == "continuing"} == {
        "ゼロカーボンシティ富山の実現",
        "自治体行政のデジタル化",
    }
    new = r4["農林水産物等の輸出促進に向けた連携・強化"]
    assert new.status == "new"
    for text in (
        new.goal,
        new.current_situation,
        new.issues,
        new.concrete_measures,
        new.expected_effects,
        new.selection_reason,
    ):
        assert text.strip()
    assert "地域商社" in new.concrete_measures
    assert new.project.targets.filter(kind="municipality").count() == 15
    concluded = {y.project.title for y in r3 if y.status == "concluded"}
    assert concluded == {R3_ITEMS[0], R3_ITEMS[1], R3_ITEMS[3]}


def test_items_have_their_proposers_divisions_measures_and_results(toyama):
    hunting = Project.objects.get(title=R3_ITEMS[0])
    assert [o.name for o in hunting.proposers.all()] == ["富山市"]
    assert {d.name for d in hunting.divisions.all()} == {"自然保護課", "農村振興課"}
    results = MeasureResult.objects.filter(project_year__project=hunting, project_year__fiscal_year=2021)
    assert results.count() >= 9
    assert all(r.results and r.next_steps for r in results)
    medical = Project.objects.get(title=R3_ITEMS[1])
    headings = set(medical.measures.values_list("heading", flat=True))
    assert {"【子ども医療費関係】", "【障がい者医療費関係】"} <= headings
    for title in R3_ITEMS:
        assert ProjectYear.objects.get(project__title=title, fiscal_year=2021).highlights.exists(), title


def test_the_my_number_card_figures(toyama):
    indicator = Indicator.objects.get(name__contains="マイナンバーカード交付率")
    values = [(v.date, float(v.value), v.rank) for v in indicator.values.order_by("date")]
    assert values == [(dt.date(2021, 1, 1), 22.7, 27), (dt.date(2022, 1, 1), 41.7, 10)]


def test_the_dx_plan_leading_projects_grades(toyama):
    results = (
        MeasureResult.objects.filter(
            project_year__project__title="自治体行政のデジタル化", project_year__fiscal_year=2023
        )
        .select_related("measure")
        .order_by("measure__order")
    )
    assert [r.measure.label for r in results] == [f"({n})" for n in range(1, 11)]
    assert "".join(r.grade for r in results) == "CBCBAAAAAB"
    assert [r.achievement == "achieved" for r in results] == [r.grade == "A" for r in results]
    project = Project.objects.get(title="自治体行政のデジタル化")
    plan = project.plans.get()
    assert plan.desired_states.count() == 17  # 2 + 3 + 7 + 4 + 1 in seed 001
    assert plan.desired_states.values("area_number").distinct().count() == 5
    assert project.milestones.filter(fiscal_year=2021).exists()
    assert project.milestones.filter(fiscal_year=2023).exists()


def test_wg_sessions_are_real_dates_from_february_2021_to_march_2022(toyama):
    sessions = list(WorkingGroupSession.objects.all())
    dated = [s for s in sessions if s.date]
    assert min(s.date for s in dated) == dt.date(2021, 2, 17)
    assert max(s.date for s in dated) <= dt.date(2022, 3, 31)
    planned = {(s.working_group.project.title, s.when_label) for s in sessions if s.status == "planned"}
    assert planned == {
        ("ゼロカーボンシティ富山の実現", "令和4年2月（予定）"),
        ("防災・危機管理体制の連携・強化", "R4.2.4（予定）"),
    }
    # Held sessions all happened before the meeting that reported them.
    assert all(s.date < dt.date(2022, 1, 20) for s in dated if s.status == "held")


@needs_seed
def test_every_wg_session_date_is_in_the_seeds_wg_table(toyama):
    table = SEED_TEXT.split("令和3年度連携推進項目のWG開催状況")[1].split("# 連携事項名")[0]
    for session in WorkingGroupSession.objects.filter(date__isnull=False).select_related("working_group__project"):
        month_day = f"{session.date.month}/{session.date.day}"
        assert re.search(rf"(?<![0-9]){re.escape(month_day)}(?![0-9])", table), (session, month_day)


CONVERSION_ERRORS = [
    "出沒",
    "豚熟",
    "びったり",
    "ルール of",
    "乗りたいくなる",
    "生き活き",
    "富山県立総合医療センター",
    "<li>",
    "<ul",
]


def test_no_conversion_errors_or_garbage_were_loaded(toyama):
    for model in [
        m for app in ("onechoice", "projects", "meetings", "workgroups") for m in apps.get_app_config(app).get_models()
    ]:
        text_fields = [f.name for f in model._meta.fields if isinstance(f, (models.CharField, models.TextField))]
        for row in model.objects.values_list(*text_fields):
            for value in row:
                for bad in CONVERSION_ERRORS:
                    assert bad not in str(value or ""), f"{model.__name__}: {bad!r} in {str(value)[:60]!r}"


def test_a_second_load_is_refused(toyama):
    with pytest.raises(reference_data.ReferenceDataError, match="既に登録"):
        reference_data.load()
