"""The seating chart (配席図) of a meeting: who sits where, and where that is on an A4
landscape page.

Placement follows protocol order (席次):

* the head table (``head``, 正面) holds the chair — the first prefecture attendee who is there,
  normally the governor (知事) — at its centre, with the vice-governors (副知事) beside: the
  first on the governor's right hand (向かって左, nearer the municipal side), the second on
  the governor's left, and so on outwards;
* municipal attendees (mayors, 市長会, 町村会) sit along the left side (``left``, 向かって左,
  the left of the printed chart with the head table at the top), by protocol order from the
  head table down;
* the other prefectural officials sit along the right side (``right``) the same way;
* observers and the secretariat sit at the back (``back``), left to right;
* absentees get no seat; WEB and proxy attendees do (a proxy's card names the proxy).

Positions are what a ``Seat`` row stores: ``head`` and ``back`` count from the left of the
printed chart, ``left`` and ``right`` from the head table down (for the classroom layout:
front row first, from the centre aisle outwards). Stored ``Seat`` rows of a meeting's
``SeatingPlan`` are per-seat overrides: that attendee sits exactly there and everyone else
flows around them, taking the next free seat of their side.

Geometry is in millimetres inside a chart box of ``CHART_WIDTH`` × ``CHART_HEIGHT`` (the
printable area of an A4 landscape page below the heading); the template draws it with
absolute positioning, which WeasyPrint lays out cheaply.

The package, one concern per module: ``placement`` (who sits where), ``layout`` (where that
is on the page), ``fitting`` (font sizes that fit the cards) and ``chart`` (the dataclasses
drawn). The reads of a meeting's plan and chart are ``meetings.selectors.plan_of``,
``seating_chart`` and ``plan_seats``; storing the placement is
``meetings.services.seats_place_automatically``.
"""

from .chart import CHART_HEIGHT, CHART_WIDTH, Block, PlacedSeat, SeatingChart
from .fitting import PT, _title_ems
from .layout import SIDE_CAPACITY, draw
from .placement import assign, auto_seats, seated

__all__ = [
    "CHART_HEIGHT",
    "CHART_WIDTH",
    "PT",
    "SIDE_CAPACITY",
    "Block",
    "PlacedSeat",
    "SeatingChart",
    "_title_ems",
    "assign",
    "auto_seats",
    "draw",
    "seated",
]
