"""The plan: which cohort (群) moves the real records by how many years, and each cohort's own
deterministic random source."""

from __future__ import annotations

import random
from dataclasses import dataclass


def _slots() -> list[int]:
    """Year offsets of the cohorts: -3, +3, -6, +6, … nearest the real years first; years
    stay within the models' 2000–2100 (figures reach back to FY2020, plans up to FY2028)."""
    before = [-3 * k for k in range(1, 7)]  # FY2017–2019 … FY2002–2004
    after = [3 * k for k in range(1, 25)]  # FY2023–2025 … plans ending FY2100
    slots = []
    for k in range(max(len(before), len(after))):
        slots += [s[k] for s in (before, after) if k < len(s)]
    return slots


SLOTS = _slots()


@dataclass(frozen=True)
class Cohort:
    number: int  # 1, 2, … (the real records are cohort 0)
    shift: int  # years added to every date and fiscal year
    round: int  # 0 while each cohort has its own years; then 1, 2, … as the slots repeat

    @classmethod
    def of(cls, number: int, *, same_years: bool = False) -> Cohort:
        """Cohort ``number`` in its slot; with ``same_years`` in the real years themselves, as
        if every cohort were a further round (meetings numbered on, held a week later)."""
        if same_years:
            return cls(number, 0, number)
        round_, slot = divmod(number - 1, len(SLOTS))
        return cls(number, SLOTS[slot], round_)

    def random(self, seed: int) -> random.Random:
        """The cohort's chance: seeded by ``seed`` and the cohort's number only, so the same
        seed gives the same data and cohort n is the same whatever the factor."""
        return random.Random(f"onechoice-synthetic:{seed}:{self.number}")
