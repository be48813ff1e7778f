"""``projects.yaml``: the collaboration items with their years, measures, results, indicators and
plans, and each fiscal year's 個別課題 (協議事項 section 2)."""

from __future__ import annotations

from decimal import Decimal

from onechoice import jpdates
from projects.models import (
    DesiredState,
    Direction,
    ExpectedIssue,
    Highlight,
    Indicator,
    IndicatorValue,
    Lesson,
    Measure,
    MeasureResult,
    Milestone,
    Photo,
    Plan,
    PlanStep,
    Project,
    ProjectYear,
)
from projects.services import (
    desired_state_save,
    direction_save,
    expected_issue_save,
    highlight_save,
    indicator_save,
    indicator_value_save,
    lesson_save,
    measure_result_save,
    measure_save,
    milestone_save,
    photo_save,
    plan_save,
    plan_step_save,
    project_save,
    project_year_save,
)

from .base import LoadReport, Lookups, ReferenceDataError, save, text


def load_projects(doc, lk: Lookups, report: LoadReport) -> None:
    for row in doc["projects"]:
        where = f"projects.yaml {row['title']}"
        project = save(
            where,
            project_save,
            project=Project(
                title=row["title"],
                first_fiscal_year=row["first_fiscal_year"],
                is_published=row.get("is_published", True),
            ),
            proposers=[lk.organization(n) for n in row["proposers"]],
            targets=[lk.organization(n) for n in _targets(row, lk)],
            departments=[lk.department(n) for n in row["departments"]],
            divisions=[lk.division(n) for n in row.get("divisions", [])],
        )
        lk.projects[project.title] = project
        report.add("連携推進項目")
        years = {}
        for year in row.get("years", []):
            fy = year["fiscal_year"]
            years[fy] = save(
                f"{where} {fy}年度",
                project_year_save,
                project_year=ProjectYear(
                    project=project,
                    fiscal_year=fy,
                    status=year["status"],
                    selection_reason=text(year.get("selection_reason")),
                    goal=text(year.get("goal")),
                    current_situation=text(year.get("current_situation")),
                    issues=text(year.get("issues")),
                    concrete_measures=text(year.get("concrete_measures")),
                    expected_effects=text(year.get("expected_effects")),
                    grade=year.get("grade", ""),
                    achievement=year.get("achievement", ""),
                ),
            )
            report.add("年度別の取組み")
            for h_order, item in enumerate(year.get("highlights", []), start=1):
                highlight = save(
                    f"{where} {fy}年度 実績と成果 {h_order}",
                    highlight_save,
                    highlight=Highlight(
                        project_year=years[fy],
                        order=h_order,
                        title=item["title"],
                        overview=text(item.get("overview")),
                        points=text(item.get("points")),
                    ),
                )
                report.add("主な実績と成果")
                for p_order, caption in enumerate(item.get("photos", []), start=1):
                    save(
                        f"{where} 写真 {caption}",
                        photo_save,
                        photo=Photo(highlight=highlight, order=p_order, caption=caption),
                    )
                    report.add("写真")
        measures = {}
        for m_order, item in enumerate(row.get("measures", []), start=1):
            measure = save(
                f"{where} 施策 {m_order}",
                measure_save,
                measure=Measure(
                    project=project,
                    order=m_order,
                    heading=item.get("heading", ""),
                    label=str(item.get("label", "")),
                    title=item["title"],
                ),
            )
            measures[item.get("key", m_order)] = measure
            report.add("施策")
            for fy, result in (item.get("results") or {}).items():
                if fy not in years:
                    raise ReferenceDataError(f"{where} 施策 {m_order}: {fy}年度の記録（years）がありません。")
                save(
                    f"{where} 施策 {m_order} {fy}年度",
                    measure_result_save,
                    measure_result=MeasureResult(
                        project_year=years[fy],
                        measure=measure,
                        results=text(result.get("results")),
                        next_steps=text(result.get("next_steps")),
                        follow_up=result.get("follow_up", ""),
                        grade=result.get("grade", ""),
                        achievement=result.get("achievement", ""),
                    ),
                )
                report.add("施策の年度実績")
        for i_order, item in enumerate(row.get("indicators", []), start=1):
            indicator = save(
                f"{where} 指標 {item['name']}",
                indicator_save,
                indicator=Indicator(
                    project=project,
                    order=i_order,
                    name=item["name"],
                    unit=item.get("unit", ""),
                    note=item.get("note", ""),
                    measure=measures[item["measure"]] if item.get("measure") else None,
                ),
            )
            report.add("指標")
            for value in item["values"]:
                save(
                    f"{where} 指標 {item['name']} の値",
                    indicator_value_save,
                    indicator_value=IndicatorValue(
                        indicator=indicator,
                        date=value.get("date"),
                        fiscal_year=value.get("fiscal_year"),
                        value=Decimal(str(value["value"])),
                        rank=value.get("rank"),
                        note=value.get("note", ""),
                    ),
                )
                report.add("指標の値")
        for item in row.get("milestones", []):
            save(
                f"{where} スケジュール {item['text']}",
                milestone_save,
                milestone=Milestone(
                    project=project, fiscal_year=item["fiscal_year"], month=item["month"], text=item["text"]
                ),
            )
            report.add("スケジュール")
        for item in row.get("plans", []):
            plan = save(
                f"{where} 計画 {item['title']}",
                plan_save,
                plan=Plan(
                    project=project,
                    title=item["title"],
                    subtitle=item.get("subtitle", ""),
                    first_fiscal_year=item["first_fiscal_year"],
                    last_fiscal_year=item["last_fiscal_year"],
                    goal=text(item.get("goal")),
                    positioning=text(item.get("positioning")),
                    period_note=text(item.get("period_note")),
                    viewpoint_lead=text(item.get("viewpoint_lead")),
                    viewpoints=text(item.get("viewpoints")),
                    structure=text(item.get("structure")),
                ),
            )
            report.add("計画")
            for area in item.get("areas", []):
                for s_order, state in enumerate(area["states"], start=1):
                    state_where = f"{where} ありたい姿 {area['number']} {state['label']}"
                    desired_state = save(
                        state_where,
                        desired_state_save,
                        desired_state=DesiredState(
                            plan=plan,
                            area_number=area["number"],
                            area=area["name"],
                            label=state["label"],
                            order=s_order,
                            text=state["text"],
                        ),
                    )
                    report.add("ありたい姿")
                    for d_order, direction in enumerate(state["directions"], start=1):
                        save(
                            f"{state_where} 取組みの方向性 {d_order}",
                            direction_save,
                            direction=Direction(desired_state=desired_state, order=d_order, text=direction),
                        )
                        report.add("取組みの方向性")
            for st_order, step in enumerate(item.get("steps", []), start=1):
                save(
                    f"{where} 策定に係る経緯 {step['text']}",
                    plan_step_save,
                    plan_step=_plan_step(plan, st_order, step, f"{where} 策定に係る経緯"),
                )
                report.add("策定に係る経緯")
            for l_order, lesson in enumerate(item.get("lessons", []), start=1):
                save(
                    f"{where} 評価・総括を踏まえて {l_order}",
                    lesson_save,
                    lesson=Lesson(
                        plan=plan,
                        order=l_order,
                        issue=lesson["issue"],
                        title=lesson["title"],
                        body=text(lesson.get("body")),
                    ),
                )
                report.add("評価・総括を踏まえて")
    load_expected_issues(doc, report)


def load_expected_issues(doc, report: LoadReport) -> None:
    """``expected_issues``: per fiscal year, its 個別課題 in printed order (numbered from 1)."""
    for entry in doc.get("expected_issues") or []:
        fiscal_year = entry["fiscal_year"]
        for order, title in enumerate(entry["titles"], start=1):
            save(
                f"projects.yaml 個別課題 {fiscal_year}年度 {title}",
                expected_issue_save,
                expected_issue=ExpectedIssue(fiscal_year=fiscal_year, order=order, title=str(title)),
            )
            report.add("個別課題")


def _plan_step(plan: Plan, order: int, step, where: str) -> PlanStep:
    """A step written as 令和6年8月28日 (a date), or 10月中旬 / 6～7月 / 4月～ with its 年度."""
    when = str(step["when"]).strip()
    step_obj = PlanStep(plan=plan, order=order, text=step["text"])
    try:
        if "日" in when or "." in when or "-" in when or "/" in when:
            step_obj.date = jpdates.parse_date(when)
            step_obj.fiscal_year = step.get("fiscal_year") or jpdates.fiscal_year_of(step_obj.date)
            return step_obj
        step_obj.fiscal_year = step["fiscal_year"]
        if when.endswith("～"):
            step_obj.continues, when = True, when.removesuffix("～")
        if "～" in when:
            first, last = when.removesuffix("月").split("～")
            step_obj.month, step_obj.last_month = int(first), int(last)
            return step_obj
        planned = jpdates.parse_planned(when, fiscal_year=step_obj.fiscal_year)
        step_obj.month, step_obj.period = planned.month, planned.period
    except (KeyError, ValueError) as error:
        raise ReferenceDataError(f"{where}: 「{when}」を読めません（{error}）。") from None
    return step_obj


def _targets(row, lk: Lookups) -> list[str]:
    targets = row.get("targets", [])
    if targets == "all_municipalities":
        return [o.name for o in lk.organizations.values() if o.kind == "municipality"]
    return targets
