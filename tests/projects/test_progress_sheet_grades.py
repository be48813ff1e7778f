"""The progress sheet prints the year's 評価 and 達成状況 entered on the yearly record (as the
item's page shows them), where a reader sees them: under the year's heading, inside the page;
and indicator values print as the page shows them, without trailing zeros (23.5%, 100)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from projects.documents import format_number, progress_report_pdf, progress_sheet_pdf
from projects.models import IndicatorValue, Project, ProjectYear
from projects.services import indicator_value_save, project_year_save
from tests.pdf_reading import text, words

DIGITAL = "自治体行政のデジタル化"
BIRDS = "有害鳥獣の市町村による連携捕獲の推進"
GRADE_LINE = "評価A順調に進んでおり、新たな課題と取組みもわかっている達成状況○概ね達成"


@pytest.fixture
def graded_year(toyama):
    """FY2021 of the digital item with its year graded A / ○概ね達成, and its マイナンバーカード
    交付率 readings stored as 23.50 and 100.00."""
    year = ProjectYear.objects.get(project__title=DIGITAL, fiscal_year=2021)
    year.grade, year.achievement = "A", "achieved"
    project_year_save(project_year=year)
    first, last = IndicatorValue.objects.filter(indicator__name="マイナンバーカード交付率").order_by("date")
    first.value, last.value = Decimal("23.50"), Decimal("100.00")
    indicator_value_save(indicator_value=first)
    indicator_value_save(indicator_value=last)
    return year


def test_sheet_prints_the_years_grade_and_achievement_under_its_heading(graded_year):
    content = progress_sheet_pdf(graded_year.project, 2021).content
    printed = text(content)
    assert GRADE_LINE in printed
    heading = printed.index("◎R3年度の取り組み結果と今後の方向性")
    table = printed.index("令和3年度の取り組み成果等")
    assert heading < printed.index(GRADE_LINE) < table


def test_the_grade_line_lies_inside_the_page_below_the_heading_and_clear_of_other_text(graded_year):
    laid_out = words(progress_sheet_pdf(graded_year.project, 2021).content)
    first_page = [w for w in laid_out if w.page == 1]
    texts = [w.text for w in first_page]
    grade = first_page[texts.index("評価")]
    # The letter, its meaning and the achievement follow on the same line.
    line = [w for w in first_page if abs(w.y0 - grade.y0) < 4 and w.x0 >= grade.x0]
    assert [w.text for w in line][:2] == ["評価", "A"]
    assert "達成状況" in [w.text for w in line] and "○概ね達成" in [w.text for w in line]
    heading = next(w for w in first_page if w.text.startswith("◎"))
    assert heading.y1 <= grade.y0, "the grade line sits under the year's heading"
    margin = 16 / 25.4 * 72 - 1  # the sheet's 16 mm side margins, in points (less rounding)
    for word in line:
        assert word.inside_page(), word
        assert margin <= word.x0 and word.x1 <= word.page_width - margin, word
    others = [w for w in first_page if w not in line]
    assert not [(w, o) for w in line for o in others if w.overlaps(o)]


def test_a_year_without_grade_prints_no_grade_line(toyama):
    printed = text(progress_sheet_pdf(Project.objects.get(title=BIRDS), 2021).content)
    assert "評価" not in printed and "達成状況" not in printed


def test_the_years_grade_is_in_the_progress_report_too(graded_year):
    assert GRADE_LINE in text(progress_report_pdf(2021).content)


def test_indicator_values_print_without_trailing_zeros_on_sheet_and_page(graded_year, client):
    printed = text(progress_sheet_pdf(graded_year.project, 2021).content)
    assert "R3.1.1時点23.5%（全国27位）→R4.1.1時点100%（全国10位）" in printed
    assert "23.50" not in printed and "100.00" not in printed
    chart_labels = [w.text for w in words(progress_sheet_pdf(graded_year.project, 2021).content)]
    assert "23.5%" in chart_labels and "100%" in chart_labels
    page = client.get(reverse("portal:project_detail", args=[graded_year.project_id])).text
    assert "<td>23.5%</td>" in page and "<td>100%</td>" in page


def test_page_and_sheet_print_two_decimals_alike(graded_year, client):
    # The page once rounded to one decimal (floatformat) where the sheet did not.
    value = IndicatorValue.objects.filter(indicator__name="マイナンバーカード交付率").order_by("date").first()
    value.value = Decimal("23.25")
    indicator_value_save(indicator_value=value)
    assert "R3.1.1時点23.25%" in text(progress_sheet_pdf(graded_year.project, 2021).content)
    page = client.get(reverse("portal:project_detail", args=[graded_year.project_id])).text
    assert "<td>23.25%</td>" in page


@pytest.mark.parametrize(
    "value, printed",
    [
        ("23.50", "23.5"),
        ("100.00", "100"),
        ("3811.00", "3,811"),
        ("0.05", "0.05"),
        ("0.00", "0"),
        ("-1.50", "-1.5"),
        ("164959", "164,959"),
    ],
)
def test_format_number(value, printed):
    assert format_number(Decimal(value)) == printed


def test_a_value_reads_without_trailing_zeros_in_the_admin_too(graded_year):
    value = IndicatorValue.objects.filter(indicator__name="マイナンバーカード交付率").order_by("date").first()
    assert value.value_label == "23.5"
    assert str(value) == "R3.1.1時点 23.5"
