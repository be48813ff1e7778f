"""A cohort's copy of each working group and its sessions, written through ``workgroups.services``."""

from __future__ import annotations

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
    for s in original.sessions.all():
        day = w.date(s.date)
        w.saved(
            session_record(
                session=WorkingGroupSession(
                    working_group=wg,
                    date=day and nearby_day(w.rng, day),
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
