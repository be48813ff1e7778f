"""Property tests (hypothesis) where the input space is large and the rules are exact: every
date from the first day of 昭和 to 2100, every six-digit code, arbitrary Japanese text
through the CSV files the portal writes and reads."""

import datetime as dt
import string

from hypothesis import given, settings
from hypothesis import strategies as st

from onechoice import jpdates, lgcode
from onechoice.importing.files import ExportCSV, ExportCSVCP932, cell_text, escape_formula, read_csv, unescape_formula

DAYS = st.dates(min_value=dt.date(1926, 12, 25), max_value=dt.date(2100, 12, 31))
FAST = settings(max_examples=300, deadline=None)


@FAST
@given(DAYS)
def test_every_date_reads_back_from_each_notation(day):
    era, number = jpdates.era_year_number(day)
    short = jpdates.format_date_short(day)  # R4.1.20
    assert jpdates.parse_date(short) == day
    assert jpdates.parse_date(jpdates.format_date(day)) == day  # 令和4年1月20日（木）, 令和元年…
    assert jpdates.parse_date(jpdates.format_date(day, weekday=False)) == day
    assert jpdates.parse_date(f"{day.year}/{day.month}/{day.day}") == day
    assert jpdates.parse_date(day.isoformat()) == day
    assert ("元年" in jpdates.wareki_year(day)) == (number == 1)
    assert short.startswith(era.letter)


@FAST
@given(DAYS)
def test_the_fiscal_year_contains_the_day_and_takes_the_era_of_its_last_day(day):
    fiscal_year = jpdates.fiscal_year_of(day)
    first, last = jpdates.fiscal_year_bounds(fiscal_year)
    assert first <= day <= last
    assert (first.month, first.day, last.month, last.day) == (4, 1, 3, 31)
    label = jpdates.fiscal_year_label(fiscal_year)
    era = jpdates.era_of(last)
    assert label.startswith(era.name) and label.endswith("年度")
    number = fiscal_year - era.first_day.year + 1
    assert label == f"{era.name}{'元' if number == 1 else number}年度"


@FAST
@given(st.text(alphabet=string.digits, min_size=5, max_size=5))
def test_exactly_one_final_digit_makes_a_valid_code(first_five):
    valid = [d for d in string.digits if lgcode.is_valid(first_five + d)]
    assert valid == [str(lgcode.check_digit(first_five))]


# Japanese text as the portal stores it (forms and imports strip the ends): kana, kanji (the
# registry's 髙 﨑 too), circled numbers, full-width forms, ASCII, line breaks inside, and a
# first character that a spreadsheet would run as a formula (= + - @ tab CR) or a quote.
CORE = (
    st.text(
        alphabet=st.sampled_from(
            list("あいうえおアイウエオ山田太郎富山県髙﨑①②③ー、。「」（）　")
            + list(string.ascii_letters + string.digits + " =+-@'\t\r\n,\"")
        ),
        min_size=1,
        max_size=40,
    )
    .map(str.strip)
    .filter(bool)
)
JAPANESE = st.builds(lambda first, core: first + core, st.sampled_from(["", "=", "+", "-", "@", "\t", "\r", "'"]), CORE)


@FAST
@given(JAPANESE)
def test_formula_escaping_round_trips(text):
    escaped = escape_formula(text)
    assert unescape_formula(escaped) == text
    assert not escaped[:1] or escaped[:1] not in "=+-@\t\r"  # never starts a formula


@settings(max_examples=150, deadline=None)
@given(st.lists(JAPANESE, min_size=1, max_size=5), st.sampled_from([ExportCSV, ExportCSVCP932]))
def test_csv_export_then_import_gives_the_same_text_in_each_encoding(cells, file_format):
    import tablib

    dataset = tablib.Dataset(headers=[f"列{i}" for i in range(len(cells))])
    dataset.append(cells)
    data = file_format().export_data(dataset)
    assert data.startswith(b"\xef\xbb\xbf") == (file_format is ExportCSV)  # UTF-8 with BOM for Excel
    read = read_csv(data)  # encoding detected
    assert [cell_text(c) for c in read[0][:-1]] == cells  # the last column: Excel's row number
    assert read[0][-1] == 2
