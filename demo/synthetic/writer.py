"""What the per-app writers share while they copy one cohort: the real records, the cohort's
shift and chance, the copies made so far and the count of rows written."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TypeVar

from onechoice.models import Organization, OrganizationKind
from projects.models import Project

from .base import RealRecords
from .cohorts import Cohort
from .shifting import shift_date, shift_text

M = TypeVar("M")


@dataclass
class Report:
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, model, n: int = 1) -> None:
        label = str(model._meta.verbose_name)
        self.counts[label] = self.counts.get(label, 0) + n


class CohortWriter:
    def __init__(self, base: RealRecords, cohort: Cohort, seed: int, report: Report):
        self.base, self.cohort, self.report = base, cohort, report
        self.rng = cohort.random(seed)
        self.projects: dict[int, Project] = {}  # real pk → this cohort's copy

    def saved(self, instance: M) -> M:
        """Count a row a service has just written."""
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
