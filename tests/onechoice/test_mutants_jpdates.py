"""What scripts/mutation found the jpdates tests did not pin down: datetimes given to the date
formatters, the month bounds of planned dates (1, 4 and 12 are the edges that matter) and the
Japanese messages of the errors."""

import datetime as dt

import pytest

from onechoice import jpdates
from onechoice.jpdates import PlannedDate, parse_planned

# 2022-01-19 15:30 UTC is already 20 January in Tokyo
LATE_UTC = dt.datetime(2022, 1, 19, 15, 30, tzinfo=dt.UTC)


def test_date_formatters_show_an_aware_datetime_as_its_tokyo_day():
    assert jpdates.format_date(LATE_UTC) == "令和4年1月20日（木）"
    assert jpdates.format_date_short(LATE_UTC) == "R4.1.20"


def test_date_formatters_take_a_naive_datetime_as_it_is():
    naive = dt.datetime(2022, 1, 19, 23, 59)
    assert jpdates.format_date(naive) == "令和4年1月19日（水）"
    assert jpdates.format_date_short(naive) == "R4.1.19"
    assert jpdates.format_time_range(naive, None) == "午後11時59分～"


@pytest.mark.parametrize(
    "text, fiscal_year, expected",
    [
        ("1月予定", 2021, (2022, 1, "")),  # January belongs to the next calendar year
        ("3月下旬", 2021, (2022, 3, "late")),
        ("4月上旬", 2021, (2021, 4, "early")),  # April starts the fiscal year
        ("12月中旬", 2021, (2021, 12, "middle")),
    ],
)
def test_parse_planned_at_the_edges_of_the_year(text, fiscal_year, expected):
    assert parse_planned(text, fiscal_year=fiscal_year) == PlannedDate(*expected)


@pytest.mark.parametrize("text", ["0月", "13月予定"])
def test_parse_planned_refuses_a_month_outside_1_to_12_in_japanese(text):
    with pytest.raises(ValueError) as error:
        parse_planned(text, fiscal_year=2021)
    assert str(error.value) == f"「{text}」の月が1～12の範囲にありません。"


def test_a_planned_date_takes_december():
    assert PlannedDate(2021, 12).month_label == "12月"


def test_a_planned_date_says_what_is_wrong_in_japanese():
    with pytest.raises(ValueError) as error:
        PlannedDate(2021, 13)
    assert str(error.value) == "月は1～12で指定してください（13）。"
    with pytest.raises(ValueError) as error:
        PlannedDate(2021, 5, "first")
    assert str(error.value) == "旬は上旬・中旬・下旬のいずれかです（first）。"


def test_era_errors_say_what_is_wrong_in_japanese():
    with pytest.raises(ValueError) as error:
        jpdates.era_of(dt.date(1926, 12, 24))
    assert str(error.value) == "1926-12-24 は昭和より前の日付です。"
    with pytest.raises(ValueError) as error:
        jpdates.era_by_name("大正")
    assert str(error.value) == "元号「大正」は扱えません。"
