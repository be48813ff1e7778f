"""``organizations.yaml``: the prefecture, the municipalities, associations, departments, divisions and officials."""

from __future__ import annotations

from onechoice.models import Department, Division, Official, Organization
from onechoice.services import department_save, division_save, official_save, organization_save

from .base import LoadReport, Lookups, save


def load_organizations(doc, lk: Lookups, report: LoadReport) -> None:
    for i, row in enumerate(doc["organizations"], start=1):
        org = save(
            f"organizations.yaml 団体 {row['name']}",
            organization_save,
            organization=Organization(
                name=row["name"],
                short_name=row.get("short_name", ""),
                kind=row["kind"],
                protocol_order=row.get("protocol_order", i),
                lg_code=str(row.get("lg_code", "")),
            ),
        )
        lk.organizations[org.name] = org
        report.add("団体")
    for i, row in enumerate(doc["departments"], start=1):
        dept = save(
            f"organizations.yaml 部局 {row['name']}",
            department_save,
            department=Department(name=row["name"], protocol_order=i),
        )
        lk.departments[dept.name] = dept
        report.add("部局")
        for j, division_name in enumerate(row.get("divisions", []), start=1):
            division = save(
                f"organizations.yaml 課 {division_name}",
                division_save,
                division=Division(department=dept, name=division_name, protocol_order=j),
            )
            lk.divisions[division.name] = division
            report.add("課・室")
    for i, row in enumerate(doc.get("officials", []), start=1):
        save(
            f"organizations.yaml 職員 {row['title']} {row['name']}",
            official_save,
            official=Official(
                organization=lk.organization(row["organization"]),
                department=lk.department(row["department"]) if row.get("department") else None,
                title=row["title"],
                name=row["name"],
                name_kana=row.get("name_kana", ""),
                protocol_rank=row.get("protocol_rank", i),
                valid_from=row.get("valid_from"),
                valid_to=row.get("valid_to"),
            ),
        )
        report.add("職員・首長")
