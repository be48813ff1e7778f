"""``workgroups.yaml``: every WG of an item and its sessions."""

from __future__ import annotations

from workgroups.models import WorkingGroup, WorkingGroupSession
from workgroups.services import session_record, working_group_save

from .base import LoadReport, Lookups, planned, save, text


def load_workgroups(doc, lk: Lookups, report: LoadReport) -> None:
    for row in doc["working_groups"]:
        project = lk.project(row["project"])
        where = f"workgroups.yaml {row['project']} WG{row['order']}"
        wg = save(
            where,
            working_group_save,
            working_group=WorkingGroup(
                project=project,
                order=row["order"],
                scope=text(row["scope"]),
                note=text(row.get("note")),
                lead_department=lk.department(row["lead_department"]) if row.get("lead_department") else None,
            ),
            departments=[lk.department(n) for n in row["departments"]],
            members=[lk.organization(n) for n in row.get("members", [])],
        )
        report.add("ワーキンググループ")
        for session in row.get("sessions", []):
            save(
                f"{where} {session.get('date') or session.get('planned')}",
                session_record,
                session=WorkingGroupSession(
                    working_group=wg,
                    date=session.get("date"),
                    kind=session.get("kind", "wg"),
                    name=session.get("name", ""),
                    note=session.get("note", ""),
                    status=session.get("status", "held"),
                    **planned(session.get("planned")),
                ),
            )
            report.add("WG開催")
