"""Fiscal years and Japanese-era dates.

Dates are stored as ``date``/``datetime``; everything here is formatting and parsing.
The Japanese fiscal year runs from 1 April to 31 March and is named after the
calendar year it starts in (FY2021 = 令和3年度 = 2021-04-01 … 2022-03-31).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Era:
    name: str
    letter: str
    first_day: dt.date


# Newest first, so the first era whose first day is not after a date is its era.
ERAS = (
    Era("令和", "R", dt.date(2019, 5, 1)),
    Era("平成", "H", dt.date(1989, 1, 8)),
    Era("昭和", "S", dt.date(1926, 12, 25)),
)
WEEKDAYS = "月火水木金土日"


def era_of(day: dt.date) -> Era:
    for era in ERAS:
        if day >= era.first_day:
            return era
    raise ValueError(f"{day.isoformat()} は昭和より前の日付です。")


def era_by_name(name_or_letter: str) -> Era:
    for era in ERAS:
        if name_or_letter in (era.name, era.letter, era.letter.lower()):
            return era
    raise ValueError(f"元号「{name_or_letter}」は扱えません。")


def era_year_number(day: dt.date) -> tuple[Era, int]:
    era = era_of(day)
    return era, day.year - era.first_day.year + 1


def _year_text(number: int) -> str:
    return "元" if number == 1 else str(number)


def wareki_year(day: dt.date) -> str:
    """令和4年, 令和元年."""
    era, number = era_year_number(day)
    return f"{era.name}{_year_text(number)}年"


def format_date(day: dt.date, *, weekday: bool = True) -> str:
    """令和4年1月20日（木）."""
    if isinstance(day, dt.datetime):
        day = _local(day).date()
    text = f"{wareki_year(day)}{day.month}月{day.day}日"
    if weekday:
        text += f"（{WEEKDAYS[day.weekday()]}）"
    return text


def format_date_short(day: dt.date) -> str:
    """R4.1.20, as printed in schedules and tables."""
    if isinstance(day, dt.datetime):
        day = _local(day).date()
    era, number = era_year_number(day)
    return f"{era.letter}{number}.{day.month}.{day.day}"


def fiscal_year_of(day: dt.date) -> int:
    """The fiscal year (named by its starting calendar year) that contains ``day``."""
    if isinstance(day, dt.datetime):
        day = _local(day).date()
    return day.year if day.month >= 4 else day.year - 1


def fiscal_year_bounds(fiscal_year: int) -> tuple[dt.date, dt.date]:
    return dt.date(fiscal_year, 4, 1), dt.date(fiscal_year + 1, 3, 31)


def _fiscal_year_era(fiscal_year: int) -> tuple[Era, int]:
    # A fiscal year takes the era in force on its last day, numbered from the calendar
    # year it starts in: FY2019 is 令和元年度 (not 平成31年度), FY2018 is 平成30年度.
    era = era_of(fiscal_year_bounds(fiscal_year)[1])
    return era, fiscal_year - era.first_day.year + 1


def fiscal_year_label(fiscal_year: int) -> str:
    """令和3年度, 令和元年度."""
    era, number = _fiscal_year_era(fiscal_year)
    return f"{era.name}{_year_text(number)}年度"


def fiscal_year_short(fiscal_year: int) -> str:
    """R3年度."""
    era, number = _fiscal_year_era(fiscal_year)
    return f"{era.letter}{number}年度"


def _local(moment: dt.datetime) -> dt.datetime:
    return timezone.localtime(moment) if timezone.is_aware(moment) else moment


def _clock(moment: dt.time, *, with_meridiem: bool) -> str:
    meridiem = "午前" if moment.hour < 12 else "午後"
    text = f"{moment.hour % 12}時"
    if moment.minute:
        text += f"{moment.minute}分"
    return meridiem + text if with_meridiem else text


def format_time_range(start: dt.datetime | dt.time, end: dt.datetime | dt.time | None) -> str:
    """午後3時～4時30分; the second 午前/午後 is dropped when it does not change."""
    if isinstance(start, dt.datetime):
        start = _local(start).time()
    if end is None:
        return f"{_clock(start, with_meridiem=True)}～"
    if isinstance(end, dt.datetime):
        end = _local(end).time()
    same_half = (start.hour < 12) == (end.hour < 12)
    return f"{_clock(start, with_meridiem=True)}～{_clock(end, with_meridiem=not same_half)}"


class MonthPeriod(models.TextChoices):
    EARLY = "early", _("上旬")
    MIDDLE = "middle", _("中旬")
    LATE = "late", _("下旬")


# A day inside each period, for sorting fuzzy dates among real ones.
PERIOD_DAY = {"": 1, MonthPeriod.EARLY: 5, MonthPeriod.MIDDLE: 15, MonthPeriod.LATE: 25}


@dataclass(frozen=True)
class PlannedDate:
    """A date known only to the month, or to its 上旬/中旬/下旬: 令和4年5月中旬."""

    year: int
    month: int
    period: str = ""

    def __post_init__(self):
        if not 1 <= self.month <= 12:
            raise ValueError(f"月は1～12で指定してください（{self.month}）。")
        if self.period not in PERIOD_DAY:
            raise ValueError(f"旬は上旬・中旬・下旬のいずれかです（{self.period}）。")

    @property
    def period_label(self) -> str:
        return str(MonthPeriod(self.period).label) if self.period else ""

    @property
    def month_label(self) -> str:
        """5月中旬."""
        return f"{self.month}月{self.period_label}"

    @property
    def approximate_date(self) -> dt.date:
        return dt.date(self.year, self.month, PERIOD_DAY[self.period])

    @property
    def fiscal_year(self) -> int:
        return fiscal_year_of(self.approximate_date)

    def __str__(self) -> str:
        """令和4年5月中旬."""
        return f"{wareki_year(dt.date(self.year, self.month, 1))}{self.month_label}"

    def short(self) -> str:
        """R4.5月中旬, as the annual schedule prints it."""
        era, number = era_year_number(dt.date(self.year, self.month, 1))
        return f"{era.letter}{number}.{self.month_label}"


_ERA_DATE = re.compile(
    r"^(?P<era>令和|平成|昭和|[RHSrhs])\s*(?P<year>元|\d{1,2})\s*[年.]\s*"
    r"(?P<month>\d{1,2})\s*[月.]\s*(?P<day>\d{1,2})\s*日?$"
)
_WESTERN_DATE = re.compile(r"^(?P<year>\d{4})\s*[-/年.]\s*(?P<month>\d{1,2})\s*[-/月.]\s*(?P<day>\d{1,2})\s*日?$")
_PLANNED = re.compile(r"^(?P<month>\d{1,2})月\s*(?P<period>上旬|中旬|下旬)?\s*(予定)?$")
_PERIOD_BY_LABEL = {"上旬": MonthPeriod.EARLY, "中旬": MonthPeriod.MIDDLE, "下旬": MonthPeriod.LATE}


def _normalise(text: str) -> str:
    # NFKC turns full-width digits and punctuation (２０２２／１／２０) into ASCII.
    text = unicodedata.normalize("NFKC", str(text)).strip()
    return re.sub(r"（.）$|\(.\)$", "", text).strip()  # a trailing weekday such as （木）


def parse_date(text: str) -> dt.date:
    """Read 2022-01-20, 2022/1/20, R4.1.20, 令和4年1月20日（木） or 令和元年5月1日."""
    value = _normalise(text)
    era = None
    match = _WESTERN_DATE.match(value)
    if match:
        year = int(match["year"])
    else:
        match = _ERA_DATE.match(value)
        if not match:
            raise ValueError(f"「{text}」は日付として読めません（例: 2022-01-20、R4.1.20、令和4年1月20日）。")
        era = era_by_name(match["era"])
        number = 1 if match["year"] == "元" else int(match["year"])
        year = era.first_day.year + number - 1
    try:
        day = dt.date(year, int(match["month"]), int(match["day"]))
    except ValueError:
        raise ValueError(f"「{text}」は存在しない日付です。") from None
    if era is not None and era_of(day) != era:
        raise ValueError(f"「{text}」はその元号の期間外の日付です。")
    return day


def parse_planned(text: str, *, fiscal_year: int) -> PlannedDate:
    """Read 2月予定 or 5月中旬 as a month within ``fiscal_year`` (Jan–Mar fall in the next year)."""
    match = _PLANNED.match(_normalise(text))
    if not match:
        raise ValueError(f"「{text}」は予定時期として読めません（例: 2月予定、5月中旬）。")
    month = int(match["month"])
    if not 1 <= month <= 12:
        raise ValueError(f"「{text}」の月が1～12の範囲にありません。")
    year = fiscal_year if month >= 4 else fiscal_year + 1
    return PlannedDate(year, month, _PERIOD_BY_LABEL.get(match["period"] or "", ""))
