"""Years, dates, text and figures moved: a cohort's copy of a real value."""

from __future__ import annotations

import datetime as dt
import random
import re
from decimal import Decimal

from onechoice import jpdates


def shift_date(day: dt.date | None, years: int) -> dt.date | None:
    if day is None:
        return None
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


_KANJI_YEAR = re.compile(r"(令和|平成)(元|\d{1,2})年")
_LETTER_YEAR = re.compile(r"(?<![A-Za-z0-9])([RH])(\d{1,2})(?![0-9])")


def _western_year(era: str, number: int) -> int:
    """2021 for (令和 or R, 3)."""
    return jpdates.era_by_name(era).first_day.year + number - 1


def _year_end(year: int) -> dt.date:
    """The last day of ``year``: its era is the one the year is mostly in (2019 is 令和元年)."""
    return dt.date(year, 12, 31)


def shift_text(text: str, years: int) -> str:
    """Move the era years written in ``text``: 令和3年度 → 平成30年度, R4.4月 → R7.4月."""
    if not years or not text:
        return text

    def kanji(match):
        number = 1 if match[2] == "元" else int(match[2])
        return jpdates.wareki_year(_year_end(_western_year(match[1], number) + years))

    def letter(match):
        era, number = jpdates.era_year_number(_year_end(_western_year(match[1], int(match[2])) + years))
        return f"{era.letter}{number}"

    return _LETTER_YEAR.sub(letter, _KANJI_YEAR.sub(kanji, text))


def _weekday_in(day: dt.date, fiscal_year: int) -> dt.date:
    """``day`` moved off a weekend, staying in ``fiscal_year``."""
    for step in (0, -1, 1, -2, 2):
        candidate = day + dt.timedelta(days=step)
        if candidate.weekday() < 5 and jpdates.fiscal_year_of(candidate) == fiscal_year:
            return candidate
    return day


def nearby_day(rng: random.Random, day: dt.date, *, spread: int = 3, later: int = 0) -> dt.date:
    """A weekday a few days from ``day`` (plus ``later`` days), in the same fiscal year."""
    fiscal_year = jpdates.fiscal_year_of(day)
    candidate = day + dt.timedelta(days=later + rng.randint(-spread, spread))
    if jpdates.fiscal_year_of(candidate) != fiscal_year:
        candidate = day
    return _weekday_in(candidate, fiscal_year)


def near(value: Decimal, ratio: float) -> Decimal:
    """``value`` times ``ratio``, with as many decimals as ``value`` shows (102 → 95, 22.7 → 25.6)."""
    exponent = min(0, value.normalize().as_tuple().exponent)
    return (value * Decimal(str(ratio))).quantize(Decimal(1).scaleb(exponent))
