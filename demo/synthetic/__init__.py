"""Synthetic data: Toyama's real records made N times larger, for benchmarks and scale tests.

``generate(factor, seed)`` adds ``factor - 1`` cohorts (群) on top of the real records that
``load_toyama`` put in the database. Each cohort is one more copy of everything the real
records hold — items with their proposers, targets, departments and divisions, yearly records,
measures and their results, highlights and photos, indicators and their values, milestones,
plans, working groups and their sessions, meetings with their agenda, handouts and
attendees — so every kind grows by exactly ``factor``. Rows are written by
``services.validated_save`` (``full_clean`` then ``save``, with change history), the path the
admin and the loader take, in one transaction.

Plausible, not copied verbatim:

* **Years.** A cohort is the real three fiscal years (FY2020–2022; items, figures and plans
  reach FY2028) moved by a multiple of three years, alternately before and after the real
  records: cohort 1 to FY2017–2019, cohort 2 to FY2023–2025, cohort 3 to FY2014–2016, …
  (FY2002 at the earliest, plans ending FY2100 at the latest; ``SLOTS``). Dates, fiscal years,
  planned months and era years written in the text (令和3年度, R4.4月) move with it, so a
  fiscal year holds about as much as a real one. From cohort 31 on (factors above 31) the
  slots are used again: the regular meetings of a year are then numbered on (第5回…) and held
  a week later, so (fiscal_year, kind, number) stays unique.
* **Text.** Item titles are the real ones with the cohort, 「自治体行政のデジタル化（第2群）」;
  descriptions are the real text with its years moved.
* **Chance** (``random.Random`` seeded by ``seed`` and the cohort, so the same seed gives
  the same data and cohort n is the same whatever the factor): which municipalities propose,
  take part and sit in each WG (as many as in the real record), grades and achievements,
  indicator values (±15 %) and national ranks, session and meeting days (a few days either
  side, weekdays, in the same fiscal year), attendees' names (real family and given names
  recombined) and whether they attend, send a deputy (代理出席), join online or are absent.

Only meetings the real records describe in full (the FY R3 4th meeting) carry an agenda,
handouts and 34 attendees, as in the real records, so that every kind grows by exactly the
factor. Cohorts after the real years reach past today (FY2026 on): at 100× about half the
meetings lie ahead, far more than a live portal would plan.

Speed: every row is validated and saved one by one, with its history row; on SQLite a cohort
(about 370 rows) takes some 0.7 s, 100× about a minute.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import Prefetch

from meetings.models import AgendaItem, Attendance, AttendanceStatus, Handout, Meeting
from onechoice import jpdates
from onechoice.models import Official, Organization, OrganizationKind
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

MARK = "群）"  # 「…（第2群）」: how synthetic items are told from real ones


class SyntheticDataError(Exception):
    """The database is not in a state synthetic data can be added to."""


def _slots() -> list[int]:
    """Year offsets of the cohorts: -3, +3, -6, +6, … nearest the real years first; years
    stay within the models' 2000–2100 (figures reach back to FY2020, plans up to FY2028)."""
    before = [-3 * k for k in range(1, 7)]  # FY2017–2019 … FY2002–2004
    after = [3 * k for k in range(1, 25)]  # FY2023–2025 … plans ending FY2100
    slots = []
    for k in range(max(len(before), len(after))):
        slots += [s[k] for s in (before, after) if k < len(s)]
    return slots


SLOTS = _slots()


@dataclass(frozen=True)
class Cohort:
    number: int  # 1, 2, … (the real records are cohort 0)
    shift: int  # years added to every date and fiscal year
    round: int  # 0 while each cohort has its own years; then 1, 2, … as the slots repeat

    @classmethod
    def of(cls, number: int) -> Cohort:
        round_, slot = divmod(number - 1, len(SLOTS))
        return cls(number, SLOTS[slot], round_)


@dataclass
class Report:
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, model, n: int = 1) -> None:
        label = str(model._meta.verbose_name)
        self.counts[label] = self.counts.get(label, 0) + n


# ------------------------------------------------------------------------------------------
# Years, dates and text


def shift_date(day: dt.date | None, years: int) -> dt.date | None:
    if day is None:
        return None
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _era_year(year: int) -> tuple[str, str, int]:
    """(令和, R, 3) for 2021: the era a calendar or fiscal year is mostly in."""
    era = jpdates.era_of(dt.date(year, 12, 31))
    return era.name, era.letter, year - era.first_day.year + 1


_KANJI_YEAR = re.compile(r"(令和|平成)(元|\d{1,2})年")
_LETTER_YEAR = re.compile(r"(?<![A-Za-z0-9])([RH])(\d{1,2})(?![0-9])")
_ERA_BASE = {"令和": 2018, "平成": 1988, "R": 2018, "H": 1988}


def shift_text(text: str, years: int) -> str:
    """Move the era years written in ``text``: 令和3年度 → 平成30年度, R4.4月 → R7.4月."""
    if not years or not text:
        return text

    def kanji(match):
        number = 1 if match[2] == "元" else int(match[2])
        name, _, new = _era_year(_ERA_BASE[match[1]] + number + years)
        return f"{name}{'元' if new == 1 else new}年"

    def letter(match):
        _, new_letter, new = _era_year(_ERA_BASE[match[1]] + int(match[2]) + years)
        return f"{new_letter}{new}"

    return _LETTER_YEAR.sub(letter, _KANJI_YEAR.sub(kanji, text))


def _weekday_in(day: dt.date, fiscal_year: int) -> dt.date:
    """``day`` moved off a weekend, staying in ``fiscal_year``."""
    for step in (0, -1, 1, -2, 2):
        candidate = day + dt.timedelta(days=step)
        if candidate.weekday() < 5 and jpdates.fiscal_year_of(candidate) == fiscal_year:
            return candidate
    return day


def _nearby_day(rng: random.Random, day: dt.date, *, spread: int = 3, later: int = 0) -> dt.date:
    """A weekday a few days from ``day`` (plus ``later`` days), in the same fiscal year."""
    fiscal_year = jpdates.fiscal_year_of(day)
    candidate = day + dt.timedelta(days=later + rng.randint(-spread, spread))
    if jpdates.fiscal_year_of(candidate) != fiscal_year:
        candidate = day
    return _weekday_in(candidate, fiscal_year)


# ------------------------------------------------------------------------------------------
# The real records, read once


@dataclass
class _Base:
    projects: list[Project]
    measures: dict[int, list[Measure]]
    years: dict[int, list[ProjectYear]]
    results: dict[int, list[MeasureResult]]
    highlights: dict[int, list[Highlight]]
    indicators: dict[int, list[Indicator]]
    milestones: dict[int, list[Milestone]]
    plans: dict[int, list[Plan]]
    working_groups: list[WorkingGroup]
    meetings: list[Meeting]
    municipalities: list[Organization]
    family_names: list[str]
    given_names: list[str]


def _by(rows, attribute) -> dict[int, list]:
    grouped: dict[int, list] = {}
    for row in rows:
        grouped.setdefault(getattr(row, attribute), []).append(row)
    return grouped


def _read_base() -> _Base:
    projects = list(
        Project.objects.order_by("pk").prefetch_related("proposers", "targets", "departments", "divisions")
    )
    if not projects:
        raise SyntheticDataError("連携推進項目がありません。先に load_toyama で富山県の実データを読み込んでください。")
    if any(MARK in p.title for p in projects):
        raise SyntheticDataError("合成データは既に生成されています。空のデータベースに load_toyama から作り直してください。")
    names = sorted(
        set(Attendance.objects.values_list("name", flat=True)) | set(Official.objects.values_list("name", flat=True))
    )
    split = [n.split(maxsplit=1) for n in names if len(n.split()) == 2]
    return _Base(
        projects=projects,
        measures=_by(Measure.objects.order_by("project_id", "order", "pk"), "project_id"),
        years=_by(ProjectYear.objects.order_by("project_id", "fiscal_year"), "project_id"),
        results=_by(MeasureResult.objects.order_by("project_year_id", "pk"), "project_year_id"),
        highlights=_by(
            Highlight.objects.order_by("project_year_id", "order", "pk").prefetch_related(
                Prefetch("photos", queryset=Photo.objects.order_by("order", "pk"))
            ),
            "project_year_id",
        ),
        indicators=_by(
            Indicator.objects.order_by("project_id", "order", "pk").prefetch_related(
                Prefetch("values", queryset=IndicatorValue.objects.order_by("pk"))
            ),
            "project_id",
        ),
        milestones=_by(Milestone.objects.order_by("project_id", "pk"), "project_id"),
        plans=_by(
            Plan.objects.order_by("project_id", "pk").prefetch_related(
                Prefetch("desired_states", queryset=DesiredState.objects.order_by("pk"))
            ),
            "project_id",
        ),
        working_groups=list(
            WorkingGroup.objects.order_by("pk").prefetch_related(
                "departments", "members", Prefetch("sessions", queryset=WorkingGroupSession.objects.order_by("pk"))
            )
        ),
        meetings=list(
            Meeting.objects.order_by("pk").prefetch_related(
                Prefetch("agenda_items", queryset=AgendaItem.objects.order_by("order")),
                Prefetch("handouts", queryset=Handout.objects.order_by("pk")),
                Prefetch("attendances", queryset=Attendance.objects.order_by("protocol_order")),
            )
        ),
        municipalities=list(Organization.objects.municipalities().order_by("protocol_order", "pk")),
        family_names=sorted({family for family, _ in split}),
        given_names=sorted({given for _, given in split}),
    )


# ------------------------------------------------------------------------------------------
# One cohort


class _CohortWriter:
    def __init__(self, base: _Base, cohort: Cohort, seed: int, report: Report):
        self.base, self.cohort, self.report = base, cohort, report
        self.rng = random.Random(f"onechoice-synthetic:{seed}:{cohort.number}")
        self.projects: dict[int, Project] = {}  # real pk → this cohort's copy

    def save(self, instance, **kwargs):
        validated_save(instance, **kwargs)
        self.report.add(type(instance))
        return instance

    def text(self, value: str) -> str:
        return shift_text(value, self.cohort.shift)

    def year(self, value: int | None) -> int | None:
        return None if value is None else value + self.cohort.shift

    def date(self, value: dt.date | None) -> dt.date | None:
        return shift_date(value, self.cohort.shift)

    def same_number_of_municipalities(self, organizations, *, exclude=()) -> list[Organization]:
        """Other municipalities, as many as in ``organizations``; other bodies stay. All
        fifteen (an item for every municipality) stay all fifteen."""
        chosen = [o for o in organizations if o.kind != OrganizationKind.MUNICIPALITY]
        wanted = sum(1 for o in organizations if o.kind == OrganizationKind.MUNICIPALITY)
        if wanted >= len(self.base.municipalities):
            return chosen + self.base.municipalities
        pool = [m for m in self.base.municipalities if m.pk not in {e.pk for e in exclude}]
        return chosen + sorted(self.rng.sample(pool, wanted), key=lambda m: m.protocol_order)

    def choice_like(self, original: str, choices) -> str:
        """Another value of the same list where the real record has one; blank stays blank."""
        return self.rng.choice([c for c, _ in choices]) if original else ""

    def person(self) -> str:
        return f"{self.rng.choice(self.base.family_names)} {self.rng.choice(self.base.given_names)}"

    # --------------------------------------------------------------------------------------

    def write(self) -> None:
        for project in self.base.projects:
            self.write_project(project)
        for wg in self.base.working_groups:
            self.write_working_group(wg)
        for meeting in self.base.meetings:
            self.write_meeting(meeting)

    def write_project(self, original: Project) -> None:
        proposers = self.same_number_of_municipalities(list(original.proposers.all()))
        targets = self.same_number_of_municipalities(list(original.targets.all()), exclude=proposers)
        project = self.save(
            Project(
                title=f"{original.title}（第{self.cohort.number}群）",
                first_fiscal_year=self.year(original.first_fiscal_year),
                is_published=original.is_published,
            ),
            m2m={
                "proposers": proposers, "targets": targets,
                "departments": list(original.departments.all()), "divisions": list(original.divisions.all()),
            },
        )
        self.projects[original.pk] = project
        measures = {}
        for m in self.base.measures.get(original.pk, []):
            measures[m.pk] = self.save(
                Measure(
                    project=project, order=m.order, heading=self.text(m.heading), label=m.label,
                    title=self.text(m.title),
                )
            )
        for y in self.base.years.get(original.pk, []):
            year = self.save(
                ProjectYear(
                    project=project, fiscal_year=self.year(y.fiscal_year), status=y.status,
                    selection_reason=self.text(y.selection_reason), goal=self.text(y.goal),
                    current_situation=self.text(y.current_situation), issues=self.text(y.issues),
                    concrete_measures=self.text(y.concrete_measures), expected_effects=self.text(y.expected_effects),
                    grade=self.choice_like(y.grade, ProjectYear.grade.field.choices),
                    achievement=self.choice_like(y.achievement, ProjectYear.achievement.field.choices),
                )
            )
            for r in self.base.results.get(y.pk, []):
                self.save(
                    MeasureResult(
                        project_year=year, measure=measures[r.measure_id], results=self.text(r.results),
                        next_steps=self.text(r.next_steps), follow_up=r.follow_up,
                        grade=self.choice_like(r.grade, MeasureResult.grade.field.choices),
                        achievement=self.choice_like(r.achievement, MeasureResult.achievement.field.choices),
                    )
                )
            for h in self.base.highlights.get(y.pk, []):
                highlight = self.save(
                    Highlight(
                        project_year=year, order=h.order, title=self.text(h.title),
                        overview=self.text(h.overview), points=self.text(h.points),
                    )
                )
                for photo in h.photos.all():
                    self.save(Photo(highlight=highlight, order=photo.order, caption=self.text(photo.caption)))
        for i in self.base.indicators.get(original.pk, []):
            indicator = self.save(
                Indicator(
                    project=project, order=i.order, name=i.name, unit=i.unit, note=i.note,
                    measure=measures.get(i.measure_id),
                )
            )
            for v in i.values.all():
                value = _near(v.value, self.rng.uniform(0.85, 1.15))
                self.save(
                    IndicatorValue(
                        indicator=indicator, date=self.date(v.date), fiscal_year=self.year(v.fiscal_year),
                        value=value, rank=self.rng.randint(1, 47) if v.rank else None, note=v.note,
                    )
                )
        for m in self.base.milestones.get(original.pk, []):
            self.save(
                Milestone(project=project, fiscal_year=self.year(m.fiscal_year), month=m.month, text=self.text(m.text))
            )
        for p in self.base.plans.get(original.pk, []):
            plan = self.save(
                Plan(
                    project=project, title=p.title, subtitle=self.text(p.subtitle),
                    first_fiscal_year=self.year(p.first_fiscal_year), last_fiscal_year=self.year(p.last_fiscal_year),
                    goal=self.text(p.goal),
                )
            )
            for s in p.desired_states.all():
                self.save(
                    DesiredState(
                        plan=plan, area_number=s.area_number, area=s.area, label=s.label,
                        text=self.text(s.text), directions=self.text(s.directions),
                    )
                )

    def write_working_group(self, original: WorkingGroup) -> None:
        wg = self.save(
            WorkingGroup(
                project=self.projects[original.project_id], order=original.order, scope=self.text(original.scope),
                note=self.text(original.note), lead_department_id=original.lead_department_id,
            ),
            m2m={
                "departments": list(original.departments.all()),
                "members": self.same_number_of_municipalities(list(original.members.all())),
            },
        )
        for s in original.sessions.all():
            day = self.date(s.date)
            self.save(
                WorkingGroupSession(
                    working_group=wg, date=day and _nearby_day(self.rng, day), kind=s.kind, name=self.text(s.name),
                    note=s.note, status=s.status, planned_year=self.year(s.planned_year),
                    planned_month=s.planned_month, planned_period=s.planned_period,
                )
            )

    def write_meeting(self, original: Meeting) -> None:
        fiscal_year = self.year(original.fiscal_year)
        day = self.date(original.date)
        if day:
            day = _nearby_day(self.rng, day, spread=2, later=7 * self.cohort.round)
        meeting = self.save(
            Meeting(
                fiscal_year=fiscal_year,
                number=original.number + 4 * self.cohort.round if original.number else None,
                kind=original.kind, title=self.text(original.title), mode=original.mode, venue=original.venue,
                date=day, start_time=original.start_time, end_time=original.end_time, status=original.status,
                planned_year=self.year(original.planned_year), planned_month=original.planned_month,
                planned_period=original.planned_period, planned_topics=self.text(original.planned_topics),
                is_published=original.is_published,
            )
        )
        for a in original.agenda_items.all():
            self.save(
                AgendaItem(
                    meeting=meeting, order=a.order, section=a.section, title=self.text(a.title), presenter=a.presenter,
                    project=self.projects.get(a.project_id),
                )
            )
        for h in original.handouts.all():
            self.save(
                Handout(
                    meeting=meeting, kind=h.kind, number=h.number, title=self.text(h.title),
                    department_id=h.department_id, public=h.public, in_packet=h.in_packet, document=h.document,
                )
            )
        for a in original.attendances.all():
            status, proxy_title, proxy_name = self.attendance_status(a)
            self.save(
                Attendance(
                    meeting=meeting, group=a.group, organization_id=a.organization_id, title=a.title,
                    name=self.person(), protocol_order=a.protocol_order, status=status,
                    proxy_title=proxy_title, proxy_name=proxy_name,
                )
            )

    def attendance_status(self, attendance: Attendance) -> tuple[str, str, str]:
        """Mostly present; now and then a deputy (副市長 for 市長, 次長 for 部長), online or absent."""
        roll = self.rng.random()
        deputy = _deputy_title(attendance.title)
        if attendance.group in ("municipal", "prefecture") and attendance.title != "知事":
            if roll < 0.10 and deputy:
                return AttendanceStatus.PROXY, deputy, self.person()
            if roll < 0.16:
                return AttendanceStatus.ONLINE, "", ""
            if roll < 0.20:
                return AttendanceStatus.ABSENT, "", ""
        return AttendanceStatus.PRESENT, "", ""


def _near(value: Decimal, ratio: float) -> Decimal:
    """``value`` times ``ratio``, with as many decimals as ``value`` shows (102 → 95, 22.7 → 25.6)."""
    exponent = min(0, value.normalize().as_tuple().exponent)
    return (value * Decimal(str(ratio))).quantize(Decimal(1).scaleb(exponent))


def _deputy_title(title: str) -> str:
    for head, deputy in (("市長", "副市長"), ("町長", "副町長"), ("村長", "副村長")):
        if title.endswith(head) and not title.endswith("副" + head):
            return deputy
    if title.endswith("部長") and "・" not in title:
        return title.removesuffix("部長") + "部次長"
    if title.endswith("局長") and "・" not in title:
        return title.removesuffix("局長") + "局次長"
    return ""


# ------------------------------------------------------------------------------------------


def generate(factor: int, seed: int, *, progress: Callable[[Cohort], None] | None = None) -> Report:
    """Add ``factor - 1`` cohorts to the real records in the database (one transaction).
    Raises ``SyntheticDataError`` when there are no real records or synthetic ones exist."""
    if factor < 1:
        raise SyntheticDataError("倍率（factor）は1以上にしてください。")
    report = Report()
    with transaction.atomic():
        base = _read_base()
        for number in range(1, factor):
            cohort = Cohort.of(number)
            _CohortWriter(base, cohort, seed, report).write()
            if progress:
                progress(cohort)
    return report


# ------------------------------------------------------------------------------------------
# A canonical dump, to compare two databases (no primary keys, rows sorted)

DUMP = {
    Project: ["title", "first_fiscal_year", "is_published"],
    Project.proposers.through: ["project__title", "organization__name"],
    Project.targets.through: ["project__title", "organization__name"],
    Project.departments.through: ["project__title", "department__name"],
    Project.divisions.through: ["project__title", "division__name"],
    ProjectYear: ["project__title", "fiscal_year", "status", "grade", "achievement", "selection_reason", "goal",
                  "current_situation", "issues", "concrete_measures", "expected_effects"],
    Measure: ["project__title", "order", "heading", "label", "title"],
    MeasureResult: ["project_year__project__title", "project_year__fiscal_year", "measure__order", "results",
                    "next_steps", "follow_up", "grade", "achievement"],
    Highlight: ["project_year__project__title", "project_year__fiscal_year", "order", "title", "overview", "points"],
    Photo: ["highlight__project_year__project__title", "highlight__project_year__fiscal_year", "highlight__order",
            "order", "caption"],
    Indicator: ["project__title", "order", "name", "unit", "note", "measure__order"],
    IndicatorValue: ["indicator__project__title", "indicator__order", "indicator__name", "date", "fiscal_year",
                     "value", "rank", "note"],
    Milestone: ["project__title", "fiscal_year", "month", "text"],
    Plan: ["project__title", "title", "subtitle", "first_fiscal_year", "last_fiscal_year", "goal"],
    DesiredState: ["plan__project__title", "plan__title", "area_number", "area", "label", "text", "directions"],
    WorkingGroup: ["project__title", "order", "scope", "note", "lead_department__name"],
    WorkingGroup.departments.through: ["workinggroup__project__title", "workinggroup__order", "department__name"],
    WorkingGroup.members.through: ["workinggroup__project__title", "workinggroup__order", "organization__name"],
    WorkingGroupSession: ["working_group__project__title", "working_group__order", "date", "status", "planned_year",
              "planned_month", "planned_period", "kind", "name", "note"],
    Meeting: ["fiscal_year", "kind", "number", "title", "mode", "venue", "date", "start_time", "end_time", "status",
              "planned_year", "planned_month", "planned_period", "planned_topics", "is_published"],
    AgendaItem: ["meeting__fiscal_year", "meeting__kind", "meeting__number", "meeting__date", "meeting__title",
                 "order", "section", "title", "presenter", "project__title"],
    Handout: ["meeting__fiscal_year", "meeting__kind", "meeting__number", "meeting__date", "meeting__title",
              "kind", "number", "title", "department__name", "public", "in_packet", "document"],
    Attendance: ["meeting__fiscal_year", "meeting__kind", "meeting__number", "meeting__date", "meeting__title",
                 "protocol_order", "group", "organization__name", "title", "name", "status", "proxy_title",
                 "proxy_name"],
}


def _plain(value):
    if isinstance(value, (dt.date, dt.time, Decimal)):
        return str(value)
    return value


def canonical_dump() -> dict[str, list[list]]:
    """Every row of the generated kinds by its names, titles, dates and values, sorted."""
    dump = {}
    for model, fields in DUMP.items():
        rows = [[_plain(v) for v in row] for row in model.objects.values_list(*fields)]
        dump[model._meta.label] = sorted(rows, key=lambda row: json.dumps(row, ensure_ascii=False))
    return dump


def digest() -> str:
    """SHA-256 of ``canonical_dump()``: equal digests, equal data."""
    text = json.dumps(canonical_dump(), ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()
