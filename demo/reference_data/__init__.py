"""Load the real Toyama records from ``fixtures/toyama/*.yaml``.

The YAML files are written for people: names instead of ids, one block per meeting, item or
working group, dates as ISO dates. One loader per app's fixture file; every record goes
through that app's named services — the same rules as the admin, many-to-many ones
included — so a typo in a fixture fails loudly with its place in the file, and the whole load
is one transaction: nothing is half-loaded.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from django.conf import settings
from django.db import transaction

from onechoice.models import Organization

from .base import LoadReport, Lookups, ReferenceDataError
from .meetings import load_meetings
from .organizations import load_organizations
from .projects import load_projects
from .proposals import load_proposals
from .workgroups import load_workgroups

__all__ = ["FIXTURE_DIR", "FILES", "LoadReport", "ReferenceDataError", "load"]

FIXTURE_DIR = Path(settings.BASE_DIR) / "fixtures" / "toyama"
FILES = ("organizations.yaml", "meetings.yaml", "projects.yaml", "workgroups.yaml", "proposals.yaml")


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
    lookups = Lookups()
    # In dependency order: items name organisations; meetings and WGs name items.
    load_organizations(docs["organizations.yaml"], lookups, report)
    load_projects(docs["projects.yaml"], lookups, report)
    load_meetings(docs["meetings.yaml"], lookups, report)
    load_workgroups(docs["workgroups.yaml"], lookups, report)
    load_proposals(docs["proposals.yaml"], lookups, report)  # names items
    return report
