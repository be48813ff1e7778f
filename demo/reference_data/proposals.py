"""``proposals.yaml``: past calls for proposals and the proposals that became items."""

from __future__ import annotations

from onechoice.models import Organization
from projects.models import ProjectYear
from proposals.models import Proposal, ProposalCall, ProposalState
from proposals.services import proposal_call_save, proposal_save

from .base import LoadReport, Lookups, ReferenceDataError, save, text


def load_proposals(doc, lk: Lookups, report: LoadReport) -> None:
    calls = {}
    for row in doc.get("calls", []):
        where = f"proposals.yaml calls {row['fiscal_year']}"
        call = ProposalCall(fiscal_year=row["fiscal_year"], deadline=row["deadline"], message=text(row.get("message")))
        calls[call.fiscal_year] = save(where, proposal_call_save, call=call, record_only=True)
        report.add("提案募集")
    for row in doc.get("proposals", []):
        where = f"proposals.yaml proposals {row['project']}"
        if row["fiscal_year"] not in calls:
            raise ReferenceDataError(f"{where}: {row['fiscal_year']}年度の提案募集（calls）がありません。")
        project = lk.project(row["project"])
        year = ProjectYear.objects.filter(project=project, fiscal_year=row["fiscal_year"]).first()
        if year is None:
            raise ReferenceDataError(f"{where}: この項目には{row['fiscal_year']}年度の記録がありません。")
        targets = (
            list(Organization.objects.municipalities())
            if row.get("targets") == "all_municipalities"
            else [lk.organization(n) for n in row.get("targets", [])]
        )
        proposal = Proposal(
            call=calls[row["fiscal_year"]],
            organization=lk.organization(row["organization"]),
            title=project.title,
            goal=year.goal,
            current_situation=year.current_situation,
            issues=year.issues,
            concrete_measures=year.concrete_measures,
            expected_effects=year.expected_effects,
            department=lk.department(row["department"]) if row.get("department") else None,
            state=ProposalState(row["state"]),
            selection_reason=year.selection_reason,
            project=project,
        )
        save(where, proposal_save, proposal=proposal, targets=targets)
        report.add("提案")
