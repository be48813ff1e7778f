"""The DX plan bundle (seed 001) as a page and a PDF: found from 自治体行政のデジタル化, every
desired state with its directions in the seed's order, the ten leading projects with their
grades and figures drawn from the indicators, the R3–R5 timeline laid out as the seed draws
it, the 策定に係る経緯 steps, and a query count that does not grow with the plan."""

import re
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from onechoice.services import record_save
from projects.documents import bundle
from projects.models import DesiredState, Direction, IndicatorValue, Plan, PlanStep, Project
from projects.services import desired_state_save, direction_save, indicator_value_save, plan_step_save
from tests.pdf_reading import page_sizes, page_texts, squash, text, words

DIGITAL = "自治体行政のデジタル化"
FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "toyama" / "projects.yaml"


def seed_plan() -> dict:
    """The plan as transcribed from seed 001 in fixtures/toyama/projects.yaml."""
    doc = yaml.safe_load(FIXTURE.read_text(encoding="utf-8"))
    item = next(p for p in doc["projects"] if p["title"] == DIGITAL)
    return item["plans"][0]


def seed_states() -> list[tuple[str, list[str]]]:
    return [(s["text"], s["directions"]) for area in seed_plan()["areas"] for s in area["states"]]


@pytest.fixture
def plan(toyama) -> Plan:
    return Plan.objects.get(project__title=DIGITAL)


def html_text(content: bytes) -> str:
    """The page's text without tags or whitespace."""
    body = content.decode()
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", "", body, flags=re.S)
    return squash(re.sub(r"<[^>]+>", "", body))


def in_order(haystack: str, needles: list[str]) -> bool:
    at = -1
    for needle in needles:
        found = haystack.find(squash(needle), at + 1)
        if found < 0:
            raise AssertionError(f"missing or out of order: {needle}")
        at = found
    return True


def pdf_of(client, plan) -> bytes:
    response = client.get(f"/projects/{plan.project_id}/plans/{plan.pk}.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_the_item_page_links_the_plan_and_its_pdf_and_shows_the_timeline(client, plan):
    page = client.get(f"/projects/{plan.project_id}/").content.decode()
    assert f'href="/projects/{plan.project_id}/plans/{plan.pk}/"' in page
    assert f'href="/projects/{plan.project_id}/plans/{plan.pk}.pdf"' in page
    assert "デジタルによる変革推進条例の制定" in page and 'id="h-timeline"' in page


def test_the_page_holds_every_desired_state_with_its_directions_in_the_seeds_order(client, plan):
    states = seed_states()
    assert len(states) == 17 and sum(len(d) for _, d in states) == 30
    page = html_text(client.get(plan.get_absolute_url()).content)
    needles = [
        "富山県DX・働き方改革推進計画",
        "位置付け",
        "富山県デジタルによる変革推進条例第8条第1項に基づく「実施計画」",
        "令和6年度（2024年度）から令和10年度（2028年度）までの5年間",
        "目標",
        "ゆとりと豊かさを実感できる富山県を実現することを目標とします。",
        "推進にあたっての視点",
        "産業競争力の強化・活力ある地域社会を実現する",
        "計画の構造",
        "概ね5年後のありたい姿一覧",
    ]
    for text_, directions in states:
        needles += [text_, "取組みの方向性", *directions]
    assert in_order(page, needles)
    # The areas group the states, in order.
    areas = [f"{a['number']}{a['name']}" for a in seed_plan()["areas"]]
    assert in_order(page, areas)


def test_the_page_lists_the_steps_with_exact_and_fuzzy_dates(client, plan):
    page = html_text(client.get(plan.get_absolute_url()).content)
    assert in_order(
        page,
        [
            "計画策定に係る経緯と進め方",
            "令和5年度3月25日「富山県デジタルによる変革推進条例」の制定",
            "令和6年度4月～各部局と内容について調整",
            "6～7月全市町村のDX担当部署を訪問し意見交換",
            "8月28日第1回DX・働き方改革推進委員会",
            "9月4日第1回DX・働き方改革推進本部",
            "10月中旬第2回DX・働き方改革推進本部（DX・働き方改革推進計画策定）",
        ],
    )
    assert '<time datetime="2024-08-28">8月28日</time>' in client.get(plan.get_absolute_url()).content.decode()


def test_steps_are_loaded_from_the_seed_with_the_planned_date_rules(plan):
    steps = list(plan.steps.all())
    assert [(s.fiscal_year, str(s.date or ""), s.month, s.period, s.last_month, s.continues) for s in steps] == [
        (2023, "2024-03-25", None, "", None, False),
        (2024, "", 4, "", None, True),
        (2024, "", 6, "", 7, False),
        (2024, "2024-08-28", None, "", None, False),
        (2024, "2024-09-04", None, "", None, False),
        (2024, "", 10, "middle", None, False),
    ]


def test_a_step_with_a_date_outside_its_year_or_both_a_date_and_a_month_is_refused(plan):
    with pytest.raises(ValidationError, match="日付がこの年度の期間にありません"):
        plan_step_save(plan_step=PlanStep(plan=plan, order=9, fiscal_year=2024, date="2024-03-01", text="x"))
    with pytest.raises(ValidationError, match="日付か月のどちらか一方"):
        plan_step_save(plan_step=PlanStep(plan=plan, order=9, fiscal_year=2024, date="2024-05-01", month=5, text="x"))
    assert plan.steps.count() == 6


GRADES = "CBCBAAAAAB"
ACHIEVED = ["△達成できず"] * 4 + ["○概ね達成"] * 5 + ["△達成できず"]


def test_the_summary_table_has_the_ten_projects_with_grades_and_achievement(client, plan):
    content = client.get(plan.get_absolute_url()).content.decode()
    summary = content[content.index('id="summary"') : content.index('id="lessons"')]
    assert "".join(re.findall(r'<td class="grade">([ABC])</td>', summary)) == GRADES
    assert re.findall(r'<td class="achievement">(.+?)</td>', summary) == ACHIEVED
    assert in_order(html_text(summary.encode()), ["A", "順調に進んでおり、新たな課題と取組みもわかっている", "B", "C"])
    assert "R5年度末のありたい姿の達成状況" in summary


def test_the_results_tables_hold_the_ten_projects_under_their_visions(client, plan):
    page = html_text(client.get(plan.get_absolute_url()).content)
    assert in_order(
        page,
        [
            "各リーディングプロジェクトの主な成果",
            "1県民本位の行政サービスの実現",
            "(1)スマート県庁推進",
            "電子申請対応手続数（累計）R2：102件⇒R5：3,811件",
            "(2)誰一人取り残さないデジタル社会推進",
            "2デジタルによる県内産業の成長",
            "スマート農機の普及台数R2：350台⇒R5：1,080台",
            "3デジタルによる持続可能な地域やまちづくり",
            "「くらしたい国、富山」アクセス件数R2：164,959件⇒R5：256,000件",
            "4日本一のDX人材育成県",
            "5働き方改革でゆとりある暮らしの実現",
            "(10)県民総参加の働き方改革",
        ],
    )
    assert in_order(
        page,
        [
            "10のリーディングプロジェクトの評価・総括を踏まえて",
            "人口減少に伴う課題に対応するため、デジタルの徹底活用が必要",
            "1人口減少により直面する課題への対応",
            "2市町村も含めた取組み推進の視点",
            "3災害対応をデジタルを活用した手段に転換",
        ],
    )


def test_a_changed_indicator_value_changes_the_page_and_the_printed_figure(client, plan):
    assert "R5：3,811件" in text(pdf_of(client, plan))
    value = IndicatorValue.objects.get(indicator__name="電子申請対応手続数（累計）", fiscal_year=2023)
    value.value = Decimal("4020")
    indicator_value_save(indicator_value=value)
    printed = text(pdf_of(client, plan))
    assert "電子申請対応手続数（累計）R2：102件⇒R5：4,020件" in printed and "3,811件" not in printed
    assert "R5：4,020件" in html_text(client.get(plan.get_absolute_url()).content)


def test_result_lines_take_the_figure_only_where_an_indicator_is_named():
    class FakeValue:
        def __init__(self, period, value):
            self.period_label, self.value_label = period, value

    class FakeIndicator:
        name, unit = "台数", "台"
        series = [FakeValue("R2", "1"), FakeValue("R5", "2")]

    lines = bundle.result_lines("普及した\n台数 R2：9台⇒R5：9台\n\n", [FakeIndicator()])
    assert lines == ["普及した", "台数 R2：1台⇒R5：2台"]


def test_the_timeline_has_three_year_columns_and_months_in_fiscal_order(client, plan):
    timeline = bundle.timeline_of(list(plan.project.milestones.all()))
    assert [label for _, label in timeline.year_labels] == ["令和3年度", "令和4年度", "令和5年度"]
    months = [row.month for row in timeline.rows]
    assert months == sorted(months, key=bundle.FISCAL_MONTHS.index) and months[-1] == 3
    march = timeline.rows[-1]
    assert [[m.text for m in cell] for cell in march.cells] == [[], [], ["デジタルによる変革推進条例の制定"]]
    # On the page: the 3月 row's third year cell.
    content = client.get(plan.get_absolute_url()).content.decode()
    row = re.search(r"<th scope=\"row\">3月</th>(.*?)</tr>", content, re.S)[1]
    cells = re.findall(r"<td>(.*?)</td>", row, re.S)
    assert "デジタルによる変革推進条例の制定" in cells[2] and not cells[0].strip() and not cells[1].strip()


def test_the_pdf_holds_the_bundle_in_the_seeds_order_landscape_then_portrait(client, plan):
    content = pdf_of(client, plan)
    sizes = page_sizes(content)
    wide = [s for s in sizes if s[0] > s[1]]
    assert wide and sizes[: len(wide)] == [(842, 595)] * len(wide) and set(sizes[len(wide) :]) == {(595, 842)}
    printed = text(content)
    needles = [
        "これまでの取組み（R3年度～R5年度）",
        "デジタルによる変革推進条例の制定",
        "各リーディングプロジェクトの主な成果①",
        "電子申請対応手続数（累計）R2：102件⇒R5：3,811件",
        "各リーディングプロジェクトの主な成果②",
        "10のリーディングプロジェクトの評価・総括",
        "10のリーディングプロジェクトの評価・総括を踏まえて",
        "富山県DX・働き方改革推進計画（案）",
        "位置付け",
        "令和6年度（2024年度）から令和10年度（2028年度）までの5年間",
        "概ね5年後のありたい姿一覧",
    ]
    for text_, directions in seed_states():
        needles += [text_, *directions]
    needles += ["計画策定に係る経緯と進め方", "令和5年度3月25日", "10月中旬第2回DX・働き方改革推進本部"]
    assert in_order(printed, needles)
    # The grades in the 評価・総括 table, top to bottom, each on its project's line.
    pages = page_texts(content)
    summary = 1 + next(
        i for i, p in enumerate(pages) if p.startswith(squash("10のリーディングプロジェクトの評価・総括"))
    )
    on_page = [w for w in words(content) if w.page == summary]
    grades = sorted((w for w in on_page if w.text in ("A", "B", "C") and w.y0 > 100 and w.x0 > 500), key=lambda w: w.y0)
    assert "".join(w.text for w in grades) == GRADES
    marks = sorted((w for w in on_page if w.text in ACHIEVED), key=lambda w: w.y0)
    assert [w.text for w in marks] == ACHIEVED
    assert all(abs(g.y0 - m.y0) < 4 for g, m in zip(grades, marks, strict=True))


def test_the_timeline_prints_the_ordinance_in_the_r5_column_on_the_march_row(client, plan):
    laid_out = [w for w in words(pdf_of(client, plan)) if w.page == 1]
    texts = [w.text for w in laid_out]
    header = next(w for w in laid_out if w.text == "令和5年度")
    march = next(w for w in laid_out if w.text == "3月")
    ordinance = next(w for w in laid_out if w.text.startswith("デジタルによる変革推進条例"))
    assert abs(ordinance.y0 - march.y0) < 6  # on the 3月 row
    assert ordinance.x0 >= header.x0 - 150 and ordinance.x0 > march.x0 + 300  # in the R5 column
    assert "令和3年度" in texts and header.y0 < march.y0  # the year columns head the month rows


def test_the_plan_page_query_count_is_pinned_and_does_not_grow_tenfold(client, plan):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(plan.get_absolute_url()).status_code == 200
        return len(queries)

    # A public visitor, the page built afresh: the data version and a cache read; the plan
    # with its item, its states, their directions, the steps, the lessons, the item's
    # milestones, measures, their results and indicators, the indicators' values (10); the
    # cache write (5: cull count, begin, lookup, insert, commit).
    first = count()
    assert count() == 2  # served from the cache: the data version, one cache read
    states = list(plan.desired_states.all())
    for copy in range(9):  # 10× the desired states and directions
        for state in states:
            new = desired_state_save(
                desired_state=DesiredState(
                    plan=plan,
                    area_number=state.area_number,
                    area=state.area,
                    label=state.label,
                    order=state.order + 10 * (copy + 1),
                    text=f"{state.text}（写し{copy}）",
                )
            )
            for d in state.directions.all():
                direction_save(direction=Direction(desired_state=new, order=d.order, text=d.text))
    assert plan.desired_states.count() == 170
    assert count() == first == PINNED_PLAN_PAGE


PINNED_PLAN_PAGE = 17


def test_the_public_gets_404_for_a_plan_of_an_unpublished_item_or_of_another_item(client, plan):
    other = Project.objects.exclude(pk=plan.project_id).first()
    assert client.get(f"/projects/{other.pk}/plans/{plan.pk}/").status_code == 404
    assert client.get(f"/projects/{plan.project_id}/plans/999999/").status_code == 404
    project = plan.project
    project.is_published = False
    record_save(project)
    hidden = client.get(plan.get_absolute_url())
    missing = client.get(f"/projects/{plan.project_id}/plans/999999/")
    assert hidden.status_code == missing.status_code == 404 and hidden.content == missing.content
    assert client.get(f"/projects/{plan.project_id}/plans/{plan.pk}.pdf").status_code == 404


# --- the handout: a meeting's packet binds the plan bundle as a generated document ----------


def test_a_packet_with_the_plan_handout_shows_it_stamped_and_numbered(plan):
    from meetings.models import GeneratedDocument, Handout, Meeting
    from meetings.packet import packet_pdf
    from meetings.selectors import meeting_detail
    from projects.services import plan_save
    from tests.pdf_reading import outline_titles

    # A meeting of FY R3 hands out the plan that starts the year after (a draft).
    plan.first_fiscal_year, plan.last_fiscal_year = 2022, 2026
    plan_save(plan=plan)
    meeting = Meeting.objects.get(fiscal_year=2021, number=4)
    handout = record_save(
        Handout(
            meeting=meeting,
            kind="material",
            number=9,
            title="DX・働き方改革推進計画（案）について",
            document=GeneratedDocument.PLAN_BUNDLE,
        )
    )
    assert handout.download_url == "/projects/plans/2021.pdf"
    pdf = packet_pdf(meeting_detail(meeting.pk)).content
    assert "資料9 DX・働き方改革推進計画（案）について" in outline_titles(pdf)
    pages = page_texts(pdf)
    bundle_pages = [i for i, p in enumerate(pages) if "これまでの取組み" in p or "概ね5年後のありたい姿" in p]
    assert bundle_pages
    total = len(pages)
    for i in bundle_pages:
        assert "資料9" in pages[i] and f"{i + 1}/{total}" in pages[i]  # stamped, numbered through the packet
    assert in_order("".join(pages), [text_ for text_, _ in seed_states()])
    # In the packet the bundle drops its own 「n / N」 footer (the packet numbers every page).
    alone = page_texts(bundle.plan_bundle_pdf(plan, in_packet=True).content)
    assert not any(re.search(rf"\d+/{len(alone)}$", p) for p in alone)
    assert re.search(rf"1/{len(alone)}$", page_texts(bundle.plan_bundle_pdf(plan).content)[0])


def test_the_plan_of_a_year_downloads_and_a_year_without_one_is_404(client, plan):
    assert client.get("/projects/plans/2023.pdf").status_code == 200  # the year before it starts
    assert client.get("/projects/plans/2028.pdf").status_code == 200
    assert client.get("/projects/plans/2021.pdf").status_code == 404
    assert client.get("/projects/plans/2029.pdf").status_code == 404


def test_a_packet_handout_without_a_plan_prints_one_page_saying_so(toyama):
    from projects.documents import plan_bundle_of_year_pdf

    content = plan_bundle_of_year_pdf(2021, in_packet=True).content
    assert len(page_sizes(content)) == 1
    assert "令和3年度に配付する計画は登録されていません。" in text(content)
