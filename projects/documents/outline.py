"""The text outline of the projects app's documents: staff type results, next steps, goals and
the like as multi-line text, and ``text_lines`` turns it into the lines the templates print,
with the bullets, hanging indents and levels the text implies (・ details under a heading, ※
and ⇒ notes kept with the line above). The text itself is never changed.
"""

from __future__ import annotations

from dataclasses import dataclass

# Lines that start with one of these marks are set with a hanging indent, so that wrapped
# text lines up after the mark: ・県内全市町村で設定…, ⇒8月 …, ※…, ①…
_CIRCLED = "".join(chr(c) for c in range(0x2460, 0x2474))  # ①…⑳
_MARKS = "・●○◎◆◇■□※⇒→⇨-－" + _CIRCLED
_CONTINUATIONS = "※（(→⇒⇨"  # notes and arrows belong to the line above


@dataclass(frozen=True)
class Line:
    text: str
    hang: bool  # starts with a mark: wrapped text lines up after it
    level: int  # 1 for a detail under the line above (・…), 0 otherwise
    heading: bool  # a line that introduces details (①…, or a plain line before ・ lines)

    @property
    def mark(self) -> str:
        """The leading mark of a hanging line (・, ①, ⇒ …), set in a box one em wide."""
        return self.text[0] if self.hang else ""

    @property
    def body(self) -> str:
        return self.text[1:].lstrip() if self.hang else self.text


def text_lines(text: str) -> list[Line]:
    """Staff-typed text as lines (blank lines dropped), with the outline the text implies:
    ・ lines are details of the plain or numbered line above them, ※/（/→ lines stay at the
    level of the line above. The text itself is never changed; the template escapes it."""
    raw = [line.strip() for line in text.splitlines()]
    raw = [line for line in raw if line]
    lines: list[Line] = []
    under_number = False
    for i, line in enumerate(raw):
        following = raw[i + 1] if i + 1 < len(raw) else ""
        first = line[0]
        if first in _CIRCLED or first == "●":
            level, under_number = 0, True
            heading = bool(following) and following[0] not in _CIRCLED
        elif first == "・":
            level, heading = 1, False
        elif first in _CONTINUATIONS:
            level, heading = (lines[-1].level if lines else 0), False
        else:
            # Under ①…: a detail. After a ・ detail: its result (全66箇所へ), unless ・ lines
            # follow, which makes it the next plain heading.
            detail_of_above = bool(lines) and lines[-1].level == 1 and not following.startswith("・")
            level = 1 if under_number or detail_of_above else 0
            heading = level == 0 and following.startswith("・")
        lines.append(Line(line, first in _MARKS, level, heading))
    if lines and all(line.level for line in lines):  # a plain list of ・ items: no outline
        lines = [Line(line.text, line.hang, 0, False) for line in lines]
    return lines
