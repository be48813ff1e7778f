"""Text fitting: font sizes (in points) that fit each card's title and name into its box, from
an estimate of the text's width in em, shrunk when a title or name is long or the card low.
"""

from __future__ import annotations

from dataclasses import replace

from ..models import SeatSide
from .chart import PlacedSeat

PT = 25.4 / 72  # one point in millimetres


def _ems(text: str) -> float:
    """Estimated width of ``text`` in em: BIZ UDPGothic sets kanji and kana at (nearly) one
    em, Latin letters and digits at about half, an ASCII space at a third."""
    width = 0.0
    for ch in text:
        if ch == " ":
            width += 0.33
        elif ord(ch) < 0x2E80 or 0xFF61 <= ord(ch) <= 0xFF9F:
            width += 0.6
        else:
            width += 1.0
    return width


def _title_ems(seat: PlacedSeat) -> float:
    return _ems(seat.title) + 0.8 * _ems(seat.title_mark)  # 射水市長（WEB）, the mark at 80 %


def _fit(ems: float, width: float, base: float, floor: float) -> float:
    if ems <= 0:
        return base
    return round(max(floor, min(base, width / (ems * PT))), 1)


LINE_HEIGHT = 1.18  # as in the template's .seat lines


def _dress_inline(
    seat: PlacedSeat, title_pt: float, name_pt: float, name_width: float, padding: float = 1.5
) -> PlacedSeat:
    """A one-line card: the name in a column of ``name_width`` mm on the right, the title
    shrunk to fit what is left. A name longer than the column (a deputy's 副市長 山田 太郎
    （代理）) starts further left, in what its title leaves free, rather than shrink to a
    size nobody reads."""
    inner = seat.width - 2 * padding - 1.5
    name_pt = min(name_pt, (seat.height - 1.2) / PT)
    title_pt = min(title_pt, name_pt)
    title_width = inner - name_width
    name_needs = _ems(seat.name) * name_pt * PT
    if name_needs > name_width:
        title_needs = _title_ems(seat) * title_pt * PT + 1.0
        title_width = min(title_width, max(title_needs, inner - name_needs))
    return replace(
        seat,
        inline=True,
        title_width=round(title_width, 2),
        padding_top=0.0,
        title_pt=_fit(_title_ems(seat), title_width, title_pt, 4.2),
        name_pt=_fit(_ems(seat.name), inner - title_width, name_pt, 5.0),
    )


def _dress(seat: PlacedSeat, title_pt: float, name_pt: float, padding: float = 1.2) -> PlacedSeat:
    """Font sizes that fit the card: long titles and names shrink, and both shrink when the
    card is too low for two lines; the text block is centred vertically."""
    inner_w = seat.width - 2 * padding
    title = _fit(_title_ems(seat), inner_w, title_pt, 4.2)
    name = _fit(_ems(seat.name), inner_w, name_pt, 5.0)
    room = seat.height - 0.8
    needed = (title + name) * LINE_HEIGHT * PT
    if needed > room:
        scale = room / needed
        title, name = round(max(4.0, title * scale), 1), round(max(4.5, name * scale), 1)
        needed = (title + name) * LINE_HEIGHT * PT
    return replace(
        seat, title_pt=title, name_pt=name, padding_top=round(max(0.0, (seat.height - needed) / 2 - 0.15), 2)
    )


SIDE_TITLE_PT, SIDE_NAME_PT = 9.0, 12.0


def _dress_all(seats: list[PlacedSeat], *, inline_sides: bool = False) -> list[PlacedSeat]:
    sizes = {SeatSide.HEAD: (9.0, 13.0), SeatSide.BACK: (7.5, 10.5)}
    long_sides = (SeatSide.LEFT, SeatSide.RIGHT)
    if inline_sides:
        # The column fits the people's names; a deputy's longer line takes room of its own.
        names = [_ems(s.name) for s in seats if s.side in long_sides and not s.is_proxy] or [0.0]
        name_width = min(26.0, max(15.0, max(names) * SIDE_NAME_PT * PT + 0.5))
    return [
        _dress_inline(s, SIDE_TITLE_PT, SIDE_NAME_PT, name_width)
        if inline_sides and s.side in long_sides
        else _dress(s, *sizes.get(s.side, (7.5, 10.5)))
        for s in seats
    ]
