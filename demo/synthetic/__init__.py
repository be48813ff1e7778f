"""Synthetic data: Toyama's real records made N times larger, for benchmarks and scale tests.

``generate(factor, seed)`` adds ``factor - 1`` cohorts (群) on top of the real records that
``load_toyama`` put in the database. Each cohort is one more copy of everything the real
records hold — items with their proposers, targets, departments and divisions, yearly records,
measures and their results, highlights and photos, indicators and their values, milestones,
plans, working groups and their sessions, meetings with their agenda, handouts and
attendees — so every kind grows by exactly ``factor``. Rows are written by the apps' named
services (``project_save``, ``working_group_save``, ``meeting_save``, …: ``full_clean`` and the
many-to-many rules, then ``save``, with change history), the path the admin and the loader
take, in one transaction.

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

The package: ``cohorts`` (the plan of cohorts and their years, each cohort's random source),
``shifting`` (years, dates, era years in text and figures moved), ``base`` (the real records,
read once), ``writer`` (what a cohort's writers share), ``projects`` / ``workgroups`` /
``meetings`` (one app's copies each, through its services) and ``dump`` (a canonical dump
and its SHA-256, to compare two databases).
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction

from .base import MARK, SyntheticDataError, read_real_records
from .cohorts import SLOTS, Cohort
from .dump import DUMP, canonical_dump, digest
from .meetings import write_meetings
from .projects import write_projects
from .shifting import shift_date, shift_text
from .workgroups import write_working_groups
from .writer import CohortWriter, Report

__all__ = [
    "DUMP",
    "MARK",
    "SLOTS",
    "Cohort",
    "Report",
    "SyntheticDataError",
    "canonical_dump",
    "digest",
    "generate",
    "shift_date",
    "shift_text",
]


def generate(
    factor: int,
    seed: int,
    *,
    progress: Callable[[Cohort], None] | None = None,
    full_meetings_only: bool = False,
    same_years: bool = False,
) -> Report:
    """Add ``factor - 1`` cohorts to the real records in the database (one transaction).
    Raises ``SyntheticDataError`` when there are no real records or synthetic ones exist.

    ``full_meetings_only`` copies only the meetings the real records describe in full (with
    agenda, handouts and attendees), so that meetings grow by one per cohort while
    everything else grows by ``factor``; it changes the meetings' chance, not that of items
    and WGs. ``same_years`` keeps every cohort in the real fiscal years (``Cohort.of``), so
    that a page of one fiscal year shows ``factor`` times the rows. Both are for tests that
    pin query counts, not for benchmarks; the defaults give the data described above."""
    if factor < 1:
        raise SyntheticDataError("倍率（factor）は1以上にしてください。")
    report = Report()
    with transaction.atomic():
        base = read_real_records()
        for number in range(1, factor):
            cohort = Cohort.of(number, same_years=same_years)
            writer = CohortWriter(base, cohort, seed, report)
            write_projects(writer)
            write_working_groups(writer)
            write_meetings(writer, full_only=full_meetings_only)
            if progress:
                progress(cohort)
    return report
