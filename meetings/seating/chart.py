"""What a seating chart is made of: the chart box on the page, the sides in the order they are
listed, and the dataclasses the template draws (``PlacedSeat``, ``Block``, ``SeatingChart``)
with their CSS boxes in millimetres. Nothing here decides who sits where or how big anything is.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..models import Attendance, AttendanceStatus, SeatSide

# --- page geometry (mm) ----------------------------------------------------------------------
# A4 landscape 297 × 210 minus the page margins of print.css (14 / 14 / 13 mm) leaves
# 269 × 183 mm; the heading takes about 15 mm of it.
CHART_WIDTH = 269.0
CHART_HEIGHT = 164.0

_SIDE_ORDER = {SeatSide.HEAD: 0, SeatSide.LEFT: 1, SeatSide.RIGHT: 2, SeatSide.BACK: 3}


def _mm(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".") + "mm"


@dataclass(frozen=True)
class PlacedSeat:
    """One attendee on the chart: the seat (side, position) and the card's box in mm."""

    attendance: Attendance
    side: str
    position: int
    x: float = 0.0
    y: float = 0.0
    width: float = 0.0
    height: float = 0.0
    title_pt: float = 7.0
    name_pt: float = 10.0
    padding_top: float = 0.0
    is_chair: bool = False  # the centre of the head table: the governor, or who chairs for them
    # One-line cards (the long sides of the hollow square): title and name side by side, the
    # title in a column of ``title_width`` mm so that the names line up.
    inline: bool = False
    title_width: float = 0.0

    @property
    def key(self) -> tuple[str, int]:
        return (self.side, self.position)

    @property
    def group(self) -> str:
        return self.attendance.group

    @property
    def is_proxy(self) -> bool:
        return self.attendance.status == AttendanceStatus.PROXY

    @property
    def is_online(self) -> bool:
        return self.attendance.status == AttendanceStatus.ONLINE

    @property
    def title(self) -> str:
        """The card's title line: the office, 富山市長 — also when a deputy sits for the mayor
        (``Attendance.office``)."""
        return self.attendance.office

    @property
    def name(self) -> str:
        """The card's name line: who sits there, 藤井 裕久 or 副市長 山田 太郎（代理）
        (``Attendance.present_name``)."""
        return self.attendance.present_name

    @property
    def title_mark(self) -> str:
        """Printed small after the title: （WEB） for a WEB attendee."""
        return "（WEB）" if self.is_online else ""

    @property
    def label(self) -> str:
        """The card as one line of text: 富山市長 副市長 山田 太郎（代理）, 射水市長（WEB） 夏野 元志."""
        return f"{self.title}{self.title_mark} {self.name}"

    @property
    def box_style(self) -> str:
        return (
            f"left: {_mm(self.x)}; top: {_mm(self.y)}; width: {_mm(self.width)}; "
            f"height: {_mm(self.height)}; padding-top: {_mm(self.padding_top)}"
        )

    @property
    def title_style(self) -> str:
        if self.inline:
            return f"font-size: {self.title_pt:.1f}pt; width: {_mm(self.title_width)}"
        return f"font-size: {self.title_pt:.1f}pt"

    @property
    def line_style(self) -> str:
        return f"line-height: {_mm(self.height - 0.3)}"

    @property
    def name_style(self) -> str:
        return f"font-size: {self.name_pt:.1f}pt"


@dataclass(frozen=True)
class Block:
    """Something drawn that is not a seat: a table, or a caption."""

    kind: str  # "table" or "caption"
    x: float
    y: float
    width: float
    height: float
    text: str = ""

    @property
    def box_style(self) -> str:
        return f"left: {_mm(self.x)}; top: {_mm(self.y)}; width: {_mm(self.width)}; height: {_mm(self.height)}"


@dataclass
class SeatingChart:
    layout: str
    seats: list[PlacedSeat]
    blocks: list[Block] = field(default_factory=list)
    width: float = CHART_WIDTH
    height: float = CHART_HEIGHT

    @property
    def box_style(self) -> str:
        return f"width: {_mm(self.width)}; height: {_mm(self.height)}"

    @property
    def has_proxy(self) -> bool:
        return any(s.is_proxy for s in self.seats)

    @property
    def has_online(self) -> bool:
        return any(s.is_online for s in self.seats)
