"""A cohort's copy of each working group and its sessions, written through ``workgroups.services``."""

from __future__ import annotations

import datetime as dt

from onechoice import jpdates
from workgroups.models import WorkingGroup, WorkingGroupSession
from workgroups.services import session_record, working_group_save

from .shifting import nearby_day
from .writer import CohortWriter


def write_working_groups(w: CohortWriter) -> None:
    for wg in w.base.working_groups:
        write_working_group(w, wg)


def write_working_group(w: CohortWriter, original: WorkingGroup) -> None:
    wg = w.saved(
        working_group_save(
            working_group=WorkingGroup(
                project=w.projects[original.project_id],
                order=original.order,
                scope=w.text(original.scope),
                note=w.text(original.note),
                lead_department_id=original.lead_department_id,
            ),
            departments=list(original.departments.all()),
            members=w.same_number_of_municipalities(list(original.members.all())),
        )
    )
    held: set = set()  # (day, kind): one session of a kind a day per WG (wg_session_unique_date)
    for s in original.sessions.all():
        day = w.date(s.date)
        day = day and free_day(nearby_day(w.rng, day), s.kind, held)
        w.saved(
            session_record(
                session=WorkingGroupSession(
                    working_group=wg,
                    date=day,
                    kind=s.kind,
                    name=w.text(s.name),
                    note=s.note,
                    status=s.status,
                    planned_year=w.year(s.planned_year),
                    planned_month=s.planned_month,
                    planned_period=s.planned_period,
                )
            )
        )


def free_day(day: dt.date, kind: str, held: set) -> dt.date:
    """``day``, or the nearest weekday of its fiscal year without a session of ``kind`` (the
    original sessions a few days apart may land on the same day once moved)."""
    fiscal_year = jpdates.fiscal_year_of(day)
    for offset in (0, *(sign * n for n in range(1, 60) for sign in (1, -1))):
        candidate = day + dt.timedelta(days=offset)
        if (
            candidate.weekday() < 5
            and jpdates.fiscal_year_of(candidate) == fiscal_year
            and (candidate, kind) not in held
        ):
            held.add((candidate, kind))
            return candidate
    return day
