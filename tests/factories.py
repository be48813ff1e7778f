"""Small builders for test data, going through the same services as the admin."""

import datetime as dt
import itertools

from meetings.models import Attendance, Meeting
from onechoice.models import Department, Organization
from onechoice.services import record_save
from projects.models import Project
from projects.services import project_save
from workgroups.models import WorkingGroup, WorkingGroupSession
from workgroups.services import session_record, working_group_save

_seq = itertools.count(1)


def organization(**fields) -> Organization:
    n = next(_seq)
    defaults = {"name": f"団体{n}", "kind": "association", "protocol_order": 100 + n}
    return record_save(Organization(**(defaults | fields)))


def municipality(name="富山市", lg_code="162019", protocol_order=1) -> Organization:
    return organization(name=name, kind="municipality", lg_code=lg_code, protocol_order=protocol_order)


def department(**fields) -> Department:
    n = next(_seq)
    return record_save(Department(**({"name": f"部局{n}", "protocol_order": n} | fields)))


def meeting(**fields) -> Meeting:
    defaults = {
        "fiscal_year": 2021,
        "kind": "regular",
        "number": next(_seq),
        "status": "held",
        "date": dt.date(2022, 1, 20),
        "start_time": dt.time(15),
        "end_time": dt.time(16, 30),
    }
    return record_save(Meeting(**(defaults | fields)))


def attendance(meeting: Meeting, organization: Organization, **fields) -> Attendance:
    n = next(_seq)
    defaults = {"group": "municipal", "title": f"役職{n}", "name": f"氏名 {n}", "protocol_order": n}
    return record_save(Attendance(meeting=meeting, organization=organization, **(defaults | fields)))


def project(proposer: Organization, dept: Department, **fields) -> Project:
    n = next(_seq)
    defaults = {"title": f"連携項目{n}", "first_fiscal_year": 2021}
    return project_save(project=Project(**(defaults | fields)), proposers=[proposer], departments=[dept])


def working_group(project: Project, dept: Department, **fields) -> WorkingGroup:
    defaults = {"order": next(_seq), "scope": "WG設置区分"}
    return working_group_save(working_group=WorkingGroup(project=project, **(defaults | fields)), departments=[dept])


def session(wg: WorkingGroup, **fields) -> WorkingGroupSession:
    return session_record(session=WorkingGroupSession(working_group=wg, **({"date": dt.date(2021, 5, 1)} | fields)))
