"""What the projects app prints: the progress sheet of an item (取り組み結果と今後の方向性),
the progress report of a fiscal year (every item's sheet in one PDF) and the next year's
items (協議事項). Each function returns a ``PDFDocument`` from the shared engine.

The data comes from ``document_selectors`` in a fixed number of queries; this package only
shapes it for the templates (groups of measures, lines of text, indicator charts).

One concern per module: ``outline`` (stored text as lines), ``charts`` (indicator bar charts,
also drawn on the item's HTML page), ``sheets`` (progress sheets and the progress report) and
``proposals`` (協議事項). The names below are re-exported so that ``projects.documents.X``
keeps working.
"""

from ..models import format_number  # how values print, on the sheet, its charts and the item's page
from .bundle import plan_bundle_of_year_pdf, plan_bundle_pdf
from .charts import (
    CHART_HEIGHT,
    CHART_WIDTH,
    Bar,
    Chart,
    IndicatorView,
    Reading,
    bar_chart,
    indicators_of,
)
from .outline import Line, text_lines
from .proposals import AgendaEntry, next_year_items_pdf
from .sheets import (
    Column,
    Group,
    HighlightView,
    ResultsTable,
    Row,
    Sheet,
    build_sheet,
    outcome_of,
    progress_report_pdf,
    progress_sheet_pdf,
    results_table,
)

__all__ = [
    "CHART_HEIGHT",
    "CHART_WIDTH",
    "AgendaEntry",
    "Bar",
    "Chart",
    "Column",
    "Group",
    "HighlightView",
    "IndicatorView",
    "Line",
    "Reading",
    "ResultsTable",
    "Row",
    "Sheet",
    "bar_chart",
    "build_sheet",
    "format_number",
    "indicators_of",
    "next_year_items_pdf",
    "plan_bundle_of_year_pdf",
    "plan_bundle_pdf",
    "outcome_of",
    "progress_report_pdf",
    "progress_sheet_pdf",
    "results_table",
    "text_lines",
]
