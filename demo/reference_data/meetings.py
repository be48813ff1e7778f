"""``meetings.yaml``: the meetings with their agendas, handouts and attendee lists."""

from __future__ import annotations

from meetings.models import AgendaItem, Attendance, Handout, Meeting, RosterMember
from meetings.services import agenda_item_save, attendance_save, handout_save, meeting_save, roster_member_save
from onechoice.models import Official

from .base import LoadReport, Lookups, planned, save, text, time_of


def load_roster(doc, lk: Lookups, report: LoadReport) -> dict[tuple[str, str], list[RosterMember]]:
    """The HQ roster; returns its positions by (organisation, title), in protocol order."""
    positions: dict[tuple[str, str], list[RosterMember]] = {}
    order = 0
    for group in doc.get("roster", []):
        for position in group["positions"]:
            order += 1
            member = save(
                f"meetings.yaml 本部構成員 {order} {position['title']}",
                roster_member_save,
                roster_member=RosterMember(
                    group=group["group"],
                    protocol_order=order,
                    organization=lk.organization(position["organization"]),
                    title=position["title"],
                ),
            )
            positions.setdefault((position["organization"], position["title"]), []).append(member)
            report.add("本部構成員")
    return positions


def load_meetings(doc, lk: Lookups, report: LoadReport) -> None:
    roster = load_roster(doc, lk, report)
    for row in doc["meetings"]:
        where = f"meetings.yaml 会議 {row['fiscal_year']} {row.get('number') or row.get('title')}"
        meeting = save(
            where,
            meeting_save,
            meeting=Meeting(
                fiscal_year=row["fiscal_year"],
                number=row.get("number"),
                kind=row["kind"],
                title=row.get("title", ""),
                mode=row.get("mode", "in_person"),
                venue=row.get("venue", ""),
                date=row.get("date"),
                start_time=time_of(row.get("start_time")),
                end_time=time_of(row.get("end_time")),
                status=row["status"],
                planned_topics=text(row.get("planned_topics")),
                is_published=row.get("is_published", True),
                **planned(row.get("planned")),
            ),
        )
        report.add("会議")
        for order, item in enumerate(row.get("agenda", []), start=1):
            save(
                f"{where} 次第 {order}",
                agenda_item_save,
                agenda_item=AgendaItem(
                    meeting=meeting,
                    order=order,
                    section=item["section"],
                    title=item["title"],
                    presenter=item.get("presenter", ""),
                    project=lk.project(item["project"]) if item.get("project") else None,
                ),
            )
            report.add("次第の項目")
        for item in row.get("handouts", []):
            save(
                f"{where} 配付資料 {item['kind']}{item['number']}",
                handout_save,
                handout=Handout(
                    meeting=meeting,
                    kind=item["kind"],
                    number=item["number"],
                    title=item["title"],
                    department=lk.department(item["department"]) if item.get("department") else None,
                    public=item.get("public", True),
                    in_packet=item.get("in_packet", True),
                    document=item.get("document", ""),
                ),
            )
            report.add("配付資料")
        order = 0
        unclaimed = {key: list(members) for key, members in roster.items()}  # 副知事 ×2: one each
        for group in row.get("attendance", []):
            for person in group["attendees"]:
                order += 1
                members = unclaimed.get((person["organization"], person["title"]), [])
                save(
                    f"{where} 出席者 {order}",
                    attendance_save,
                    attendance=Attendance(
                        meeting=meeting,
                        group=group["group"],
                        organization=lk.organization(person["organization"]),
                        title=person["title"],
                        name=person["name"],
                        protocol_order=order,
                        status=person.get("status", "present"),
                        proxy_title=person.get("proxy_title", ""),
                        proxy_name=person.get("proxy_name", ""),
                        official=Official.objects.filter(title=person["title"], name=person["name"]).first(),
                        roster_member=members.pop(0) if members else None,
                    ),
                )
                report.add("出席者")
