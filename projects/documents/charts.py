"""The indicator charts of the projects app: small SVG bar charts of an indicator's values
(``bar_chart``, drawn by templates/projects/pdf/_chart.html on the progress sheet and on the
item's HTML page), the numbers printed with them, and the indicators a progress sheet shows with
their readings (``indicators_of``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from onechoice import jpdates

from ..models import Indicator, IndicatorValue, ProjectYear

# Indicator charts ------------------------------------------------------------------------


@dataclass(frozen=True)
class Reading:
    period: str  # R3.1.1時点, R2
    value: str  # 22.7%
    rank: str  # 全国27位
    note: str


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    centre: float
    value_y: float  # baseline of the value printed above the bar
    value: str
    period: str
    last: bool


@dataclass
class Chart:
    """A small bar chart drawn as SVG by the template: user units are quarter millimetres."""

    width: int
    height: int
    baseline: float
    bars: list[Bar] = field(default_factory=list)

    @property
    def period_y(self) -> float:
        return self.baseline + 13

    @property
    def width_mm(self) -> str:
        return f"{self.width / 4:g}mm"

    @property
    def height_mm(self) -> str:
        return f"{self.height / 4:g}mm"


CHART_WIDTH, CHART_HEIGHT = 232, 100  # 58mm × 25mm
_CHART_TOP, _CHART_BOTTOM = 16, 20  # room for the value above and the period below each bar


def bar_chart(values: list[IndicatorValue], unit: str) -> Chart:
    chart = Chart(width=CHART_WIDTH, height=CHART_HEIGHT, baseline=CHART_HEIGHT - _CHART_BOTTOM)
    if not values:
        return chart
    top = max(max(Decimal(v.value) for v in values), Decimal(0)) or Decimal(1)
    plot_height = chart.baseline - _CHART_TOP
    slot = (CHART_WIDTH - 8) / len(values)
    bar_width = min(44.0, slot * 0.5)
    for i, reading in enumerate(values):
        value = max(Decimal(reading.value), Decimal(0))
        height = max(float(value / top) * plot_height, 1.0)
        centre = 4 + slot * i + slot / 2
        chart.bars.append(
            Bar(
                x=round(centre - bar_width / 2, 2),
                y=round(chart.baseline - height, 2),
                width=round(bar_width, 2),
                height=round(height, 2),
                centre=round(centre, 2),
                value_y=round(chart.baseline - height - 3, 2),
                value=reading.value_label + unit,
                period=reading.period_label,
                last=i == len(values) - 1,
            )
        )
    return chart


@dataclass
class IndicatorView:
    name: str
    unit: str
    note: str
    readings: list[Reading]
    chart: Chart

    @property
    def first(self) -> Reading:
        return self.readings[0]

    @property
    def last(self) -> Reading:
        return self.readings[-1]


def _reading(value: IndicatorValue, unit: str) -> Reading:
    return Reading(
        period=value.period_label,
        value=value.value_label + unit,
        rank=f"全国{value.rank}位" if value.rank else "",
        note=value.note,
    )


def indicators_of(year: ProjectYear) -> list[IndicatorView]:
    """The item's indicators that belong to this year's sheet: those of a measure with results
    this year (or of no measure), with the values known by the end of the fiscal year."""
    measure_ids = {r.measure_id for r in year.measure_results.all()}
    year_end = jpdates.fiscal_year_bounds(year.fiscal_year)[1]
    views = []
    indicator: Indicator
    for indicator in year.project.indicators.all():
        if indicator.measure_id is not None and indicator.measure_id not in measure_ids:
            continue
        series = [v for v in indicator.series if v.as_of <= year_end]
        if not series:
            continue
        views.append(
            IndicatorView(
                name=indicator.name,
                unit=indicator.unit,
                note=indicator.note,
                readings=[_reading(v, indicator.unit) for v in series],
                chart=bar_chart(series, indicator.unit),
            )
        )
    return views
