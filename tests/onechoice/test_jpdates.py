import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from onechoice import jpdates
from onechoice.jpdates import PlannedDate


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2021, 4, 1), 2021),
        (dt.date(2022, 3, 31), 2021),
        (dt.date(2022, 1, 20), 2021),
        (dt.date(2022, 4, 1), 2022),
        (dt.date(2019, 4, 30), 2019),
    ],
)
def test_fiscal_year_runs_april_to_march(day, expected):
    assert jpdates.fiscal_year_of(day) == expected


def test_fiscal_year_of_an_aware_datetime_uses_tokyo_time():
    # 2022-03-31 20:00 UTC is already 1 April in Tokyo: a new fiscal year.
    moment = dt.datetime(2022, 3, 31, 20, 0, tzinfo=ZoneInfo("UTC"))
    assert jpdates.fiscal_year_of(moment) == 2022


def test_fiscal_year_bounds():
    assert jpdates.fiscal_year_bounds(2021) == (dt.date(2021, 4, 1), dt.date(2022, 3, 31))


@pytest.mark.parametrize(
    ("day", "long", "short"),
    [
        (dt.date(2022, 1, 20), "令和4年1月20日（木）", "R4.1.20"),
        (dt.date(2019, 4, 30), "平成31年4月30日（火）", "H31.4.30"),
        (dt.date(2019, 5, 1), "令和元年5月1日（水）", "R1.5.1"),
        (dt.date(1989, 1, 7), "昭和64年1月7日（土）", "S64.1.7"),
        (dt.date(1989, 1, 8), "平成元年1月8日（日）", "H1.1.8"),
    ],
)
def test_era_dates_across_boundaries(day, long, short):
    assert jpdates.format_date(day) == long
    assert jpdates.format_date_short(day) == short


def test_date_without_weekday_and_year_label():
    assert jpdates.format_date(dt.date(2021, 6, 4), weekday=False) == "令和3年6月4日"
    assert jpdates.wareki_year(dt.date(2019, 12, 31)) == "令和元年"


@pytest.mark.parametrize(
    ("fiscal_year", "label", "short"),
    [
        (2021, "令和3年度", "R3年度"),
        (2019, "令和元年度", "R1年度"),  # began under 平成 but is named by the era of its end
        (2018, "平成30年度", "H30年度"),
        (2022, "令和4年度", "R4年度"),
    ],
)
def test_fiscal_year_labels(fiscal_year, label, short):
    assert jpdates.fiscal_year_label(fiscal_year) == label
    assert jpdates.fiscal_year_short(fiscal_year) == short


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (dt.time(15, 0), dt.time(16, 30), "午後3時～4時30分"),
        (dt.time(10, 0), dt.time(11, 0), "午前10時～11時"),
        (dt.time(10, 30), dt.time(13, 0), "午前10時30分～午後1時"),
        (dt.time(12, 0), dt.time(12, 45), "午後0時～0時45分"),
        (dt.time(15, 0), None, "午後3時～"),
    ],
)
def test_time_ranges(start, end, expected):
    assert jpdates.format_time_range(start, end) == expected


def test_time_range_of_aware_datetimes_is_in_tokyo():
    start = dt.datetime(2022, 1, 20, 6, 0, tzinfo=ZoneInfo("UTC"))  # 15:00 JST
    end = dt.datetime(2022, 1, 20, 7, 30, tzinfo=ZoneInfo("UTC"))
    assert jpdates.format_time_range(start, end) == "午後3時～4時30分"


def test_planned_dates():
    planned = PlannedDate(2022, 5, "middle")
    assert planned.month_label == "5月中旬"
    assert str(planned) == "令和4年5月中旬"
    assert planned.short() == "R4.5月中旬"
    assert planned.fiscal_year == 2022
    assert PlannedDate(2023, 1, "late").fiscal_year == 2022
    assert PlannedDate(2022, 2).month_label == "2月"
    # Fuzzy dates sort among real ones: 上旬 < 中旬 < 下旬.
    assert PlannedDate(2022, 8, "early").approximate_date < PlannedDate(2022, 8, "late").approximate_date


@pytest.mark.parametrize(("month", "period"), [(13, ""), (0, ""), (5, "someday")])
def test_planned_date_rejects_nonsense(month, period):
    with pytest.raises(ValueError):
        PlannedDate(2022, month, period)


@pytest.mark.parametrize(
    "text",
    ["2022-01-20", "2022/1/20", "R4.1.20", "r4.1.20", "令和4年1月20日", "令和4年1月20日（木）", "２０２２／１／２０"],
)
def test_parse_date_accepts_the_ways_staff_write_a_date(text):
    assert jpdates.parse_date(text) == dt.date(2022, 1, 20)


def test_parse_date_first_year_and_era_boundary():
    assert jpdates.parse_date("令和元年5月1日") == dt.date(2019, 5, 1)
    assert jpdates.parse_date("H31.4.30") == dt.date(2019, 4, 30)
    with pytest.raises(ValueError, match="元号の期間外"):
        jpdates.parse_date("令和元年4月30日")


@pytest.mark.parametrize("text", ["2022-02-30", "R4.13.1", "来週", ""])
def test_parse_date_rejects_bad_dates_in_japanese(text):
    with pytest.raises(ValueError, match="日付"):
        jpdates.parse_date(text)


def test_parse_planned():
    assert jpdates.parse_planned("2月予定", fiscal_year=2021) == PlannedDate(2022, 2)
    assert jpdates.parse_planned("5月中旬", fiscal_year=2022) == PlannedDate(2022, 5, "middle")
    with pytest.raises(ValueError, match="予定時期"):
        jpdates.parse_planned("そのうち", fiscal_year=2022)
