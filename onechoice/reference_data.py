"""Load the real Toyama records from ``fixtures/toyama/*.yaml``.

The YAML files are written for people: names instead of ids, one block per meeting, item or
working group, dates as ISO dates. Every row goes through ``validated_save`` — the same
``full_clean`` the admin runs — so a typo in a fixture fails loudly with its place in the
file, and the whole load is one transaction: nothing is half-loaded.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

import yaml
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction

from meetings.models import AgendaItem, Attendance, Handout, Meeting
from onechoice.models import Department, Division, Official, Organization
from onechoice.services import validated_save
from projects.models import (
    DesiredState,
    Highlight,
    Indicator,
    IndicatorValue,
    Measure,
    MeasureResult,
    Milestone,
    Photo,
    Plan,
    Project,
    ProjectYear,
)
from workgroups.models import WorkingGroupSession, WorkingGroup

FIXTURE_DIR = Path(settings.BASE_DIR) / "fixtures" / "toyama"
FILES = ("organizations.yaml", "meetings.yaml", "projects.yaml", "workgroups.yaml")


class ReferenceDataError(Exception):
    """A fixture entry that does not validate; the message says where it is."""


@dataclass
class LoadReport:
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, label: str, n: int = 1) -> None:
        self.counts[label] = self.counts.get(label, 0) + n


class _Lookups:
    """Name → object maps, filled as master data is loaded."""

    def __init__(self):
        self.organizations: dict[str, Organization] = {}
        self.departments: dict[str, Department] = {}
        self.divisions: dict[str, Division] = {}
        self.projects: dict[str, Project] = {}

    @staticmethod
    def _get(table: dict, name: str, what: str):
        try:
            return table[name]
        except KeyError:
            raise ReferenceDataError(f"{what}「{name}」が見つかりません。") from None

    def organization(self, name):
        return self._get(self.organizations, name, "団体")

    def department(self, name):
        return self._get(self.departments, name, "部局")

    def division(self, name):
        return self._get(self.divisions, name, "課")

    def project(self, name):
        return self._get(self.projects, name, "連携推進項目")


def _save(where: str, instance, **kwargs):
    try:
        return validated_save(instance, **kwargs)
    except ValidationError as error:
        raise ReferenceDataError(f"{where}: {'; '.join(_messages(error))}") from error


def _messages(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [f"{name}: {m}" for name, errors in error.message_dict.items() for m in errors]
    return list(error.messages)


def _text(value) -> str:
    """YAML block scalars end with a newline; lists become one line each."""
    if value is None:
        return ""
    if isinstance(value, list):
        return "\n".join(str(v) for v in value)
    return str(value).strip()


def _time(value) -> dt.time | None:
    if value is None:
        return None
    if isinstance(value, int):  # YAML 1.1 reads 15:00 as sexagesimal 900
        return dt.time(value // 60, value % 60)
    return dt.time.fromisoformat(str(value))


def _planned(value) -> dict:
    """'2022-02' or '2022-05 middle' → planned_year/planned_month/planned_period."""
    if not value:
        return {}
    ym, _, period = str(value).partition(" ")
    year, month = ym.split("-")
    return {"planned_year": int(year), "planned_month": int(month), "planned_period": period}


@transaction.atomic
def load(directory: Path = FIXTURE_DIR) -> LoadReport:
    """Load every fixture file into an empty database. Raises ``ReferenceDataError``."""
    if Organization.objects.exists():
        raise ReferenceDataError("団体が既に登録されています。空のデータベースに読み込んでください。")
    docs = {}
    for name in FILES:
        with open(directory / name, encoding="utf-8") as fh:
            docs[name] = yaml.safe_load(fh) or {}
    report = LoadReport()
    lookups = _Lookups()
    _load_master(docs["organizations.yaml"], lookups, report)
    _load_projects(docs["projects.yaml"], lookups, report)
    _load_meetings(docs["meetings.yaml"], lookups, report)
    _load_workgroups(docs["workgroups.yaml"], lookups, report)
    return report


def _load_master(doc, lk: _Lookups, report: LoadReport) -> None:
    for i, row in enumerate(doc["organizations"], start=1):
        org = _save(
            f"organizations.yaml 団体 {row['name']}",
            Organization(
                name=row["name"], short_name=row.get("short_name", ""), kind=row["kind"],
                protocol_order=row.get("protocol_order", i), lg_code=str(row.get("lg_code", "")),
            ),
        )
        lk.organizations[org.name] = org
        report.add("団体")
    for i, row in enumerate(doc["departments"], start=1):
        dept = _save(f"organizations.yaml 部局 {row['name']}", Department(name=row["name"], protocol_order=i))
        lk.departments[dept.name] = dept
        report.add("部局")
        for j, division_name in enumerate(row.get("divisions", []), start=1):
            division = _save(
                f"organizations.yaml 課 {division_name}",
                Division(department=dept, name=division_name, protocol_order=j),
            )
            lk.divisions[division.name] = division
            report.add("課・室")
    for i, row in enumerate(doc.get("officials", []), start=1):
        _save(
            f"organizations.yaml 職員 {row['title']} {row['name']}",
            Official(
                organization=lk.organization(row["organization"]),
                department=lk.department(row["department"]) if row.get("department") else None,
                title=row["title"], name=row["name"], name_kana=row.get("name_kana", ""),
                protocol_rank=row.get("protocol_rank", i),
                valid_from=row.get("valid_from"), valid_to=row.get("valid_to"),
            ),
        )
        report.add("職員・首長")


def _load_meetings(doc, lk: _Lookups, report: LoadReport) -> None:
    for row in doc["meetings"]:
        where = f"meetings.yaml 会議 {row['fiscal_year']} {row.get('number') or row.get('title')}"
        meeting = _save(
            where,
            Meeting(
                fiscal_year=row["fiscal_year"], number=row.get("number"), kind=row["kind"],
                title=row.get("title", ""), mode=row.get("mode", "in_person"), venue=row.get("venue", ""),
                date=row.get("date"), start_time=_time(row.get("start_time")), end_time=_time(row.get("end_time")),
                status=row["status"], planned_topics=_text(row.get("planned_topics")),
                is_published=row.get("is_published", True), **_planned(row.get("planned")),
            ),
        )
        report.add("会議")
        for order, item in enumerate(row.get("agenda", []), start=1):
            _save(
                f"{where} 次第 {order}",
                AgendaItem(
                    meeting=meeting, order=order, section=item["section"], title=item["title"],
                    presenter=item.get("presenter", ""),
                    project=lk.project(item["project"]) if item.get("project") else None,
                ),
            )
            report.add("次第の項目")
        for item in row.get("handouts", []):
            _save(
                f"{where} 配付資料 {item['kind']}{item['number']}",
                Handout(
                    meeting=meeting, kind=item["kind"], number=item["number"], title=item["title"],
                    department=lk.department(item["department"]) if item.get("department") else None,
                    public=item.get("public", True), in_packet=item.get("in_packet", True),
                    document=item.get("document", ""),
                ),
            )
            report.add("配付資料")
        order = 0
        for group in row.get("attendance", []):
            for person in group["attendees"]:
                order += 1
                _save(
                    f"{where} 出席者 {order}",
                    Attendance(
                        meeting=meeting, group=group["group"], organization=lk.organization(person["organization"]),
                        title=person["title"], name=person["name"], protocol_order=order,
                        status=person.get("status", "present"),
                        proxy_title=person.get("proxy_title", ""), proxy_name=person.get("proxy_name", ""),
                        official=Official.objects.filter(title=person["title"], name=person["name"]).first(),
                    ),
                )
                report.add("出席者")


def _load_projects(doc, lk: _Lookups, report: LoadReport) -> None:
    for row in doc["projects"]:
        where = f"projects.yaml {row['title']}"
        if not row.get("proposers") or not row.get("departments"):
            raise ReferenceDataError(f"{where}: 提案市町村と担当部局は1つ以上必要です。")
        project = _save(
            where,
            Project(title=row["title"], first_fiscal_year=row["first_fiscal_year"], is_published=row.get("is_published", True)),
            m2m={
                "proposers": [lk.organization(n) for n in row["proposers"]],
                "targets": [lk.organization(n) for n in _targets(row, lk)],
                "departments": [lk.department(n) for n in row["departments"]],
                "divisions": [lk.division(n) for n in row.get("divisions", [])],
            },
        )
        lk.projects[project.title] = project
        report.add("連携推進項目")
        years = {}
        for year in row.get("years", []):
            fy = year["fiscal_year"]
            years[fy] = _save(
                f"{where} {fy}年度",
                ProjectYear(
                    project=project, fiscal_year=fy, status=year["status"],
                    selection_reason=_text(year.get("selection_reason")), goal=_text(year.get("goal")),
                    current_situation=_text(year.get("current_situation")), issues=_text(year.get("issues")),
                    concrete_measures=_text(year.get("concrete_measures")),
                    expected_effects=_text(year.get("expected_effects")),
                    grade=year.get("grade", ""), achievement=year.get("achievement", ""),
                ),
            )
            report.add("年度別の取組み")
            for h_order, item in enumerate(year.get("highlights", []), start=1):
                highlight = _save(
                    f"{where} {fy}年度 実績と成果 {h_order}",
                    Highlight(
                        project_year=years[fy], order=h_order, title=item["title"],
                        overview=_text(item.get("overview")), points=_text(item.get("points")),
                    ),
                )
                report.add("主な実績と成果")
                for p_order, caption in enumerate(item.get("photos", []), start=1):
                    _save(f"{where} 写真 {caption}", Photo(highlight=highlight, order=p_order, caption=caption))
                    report.add("写真")
        measures = {}
        for m_order, item in enumerate(row.get("measures", []), start=1):
            measure = _save(
                f"{where} 施策 {m_order}",
                Measure(
                    project=project, order=m_order, heading=item.get("heading", ""),
                    label=str(item.get("label", "")), title=item["title"],
                ),
            )
            measures[item.get("key", m_order)] = measure
            report.add("施策")
            for fy, result in (item.get("results") or {}).items():
                if fy not in years:
                    raise ReferenceDataError(f"{where} 施策 {m_order}: {fy}年度の記録（years）がありません。")
                _save(
                    f"{where} 施策 {m_order} {fy}年度",
                    MeasureResult(
                        project_year=years[fy], measure=measure, results=_text(result.get("results")),
                        next_steps=_text(result.get("next_steps")), follow_up=result.get("follow_up", ""),
                        grade=result.get("grade", ""), achievement=result.get("achievement", ""),
                    ),
                )
                report.add("施策の年度実績")
        for i_order, item in enumerate(row.get("indicators", []), start=1):
            indicator = _save(
                f"{where} 指標 {item['name']}",
                Indicator(
                    project=project, order=i_order, name=item["name"], unit=item.get("unit", ""),
                    note=item.get("note", ""), measure=measures[item["measure"]] if item.get("measure") else None,
                ),
            )
            report.add("指標")
            for value in item["values"]:
                _save(
                    f"{where} 指標 {item['name']} の値",
                    IndicatorValue(
                        indicator=indicator, date=value.get("date"), fiscal_year=value.get("fiscal_year"),
                        value=Decimal(str(value["value"])), rank=value.get("rank"), note=value.get("note", ""),
                    ),
                )
                report.add("指標の値")
        for item in row.get("milestones", []):
            _save(
                f"{where} スケジュール {item['text']}",
                Milestone(project=project, fiscal_year=item["fiscal_year"], month=item["month"], text=item["text"]),
            )
            report.add("スケジュール")
        for item in row.get("plans", []):
            plan = _save(
                f"{where} 計画 {item['title']}",
                Plan(
                    project=project, title=item["title"], subtitle=item.get("subtitle", ""),
                    first_fiscal_year=item["first_fiscal_year"], last_fiscal_year=item["last_fiscal_year"],
                    goal=_text(item.get("goal")),
                ),
            )
            report.add("計画")
            for area in item.get("areas", []):
                for state in area["states"]:
                    _save(
                        f"{where} ありたい姿 {area['number']} {state['label']}",
                        DesiredState(
                            plan=plan, area_number=area["number"], area=area["name"], label=state["label"],
                            text=state["text"], directions=_text(state["directions"]),
                        ),
                    )
                    report.add("ありたい姿")


def _targets(row, lk: _Lookups) -> list[str]:
    targets = row.get("targets", [])
    if targets == "all_municipalities":
        return [o.name for o in lk.organizations.values() if o.kind == "municipality"]
    return targets


def _load_workgroups(doc, lk: _Lookups, report: LoadReport) -> None:
    for row in doc["working_groups"]:
        project = lk.project(row["project"])
        where = f"workgroups.yaml {row['project']} WG{row['order']}"
        wg = _save(
            where,
            WorkingGroup(
                project=project, order=row["order"], scope=_text(row["scope"]), note=_text(row.get("note")),
                lead_department=lk.department(row["lead_department"]) if row.get("lead_department") else None,
            ),
            m2m={
                "departments": [lk.department(n) for n in row["departments"]],
                "members": [lk.organization(n) for n in row.get("members", [])],
            },
        )
        report.add("ワーキンググループ")
        for session in row.get("sessions", []):
            _save(
                f"{where} {session.get('date') or session.get('planned')}",
                WorkingGroupSession(
                    working_group=wg, date=session.get("date"), kind=session.get("kind", "wg"),
                    name=session.get("name", ""), note=session.get("note", ""),
                    status=session.get("status", "held"), **_planned(session.get("planned")),
                ),
            )
            report.add("WG開催")
