"""Pages of PDFs as the packet binds them (``meetings.packet``), read with pypdf and never
decoded unless asked: a page as it is shown (its crop box, turned by ``/Rotate``), what its
content paints, and the move that takes that content out of boxes kept for something drawn
over it. Coordinates are PDF points, origin at the bottom left; a matrix is PDF's
(a b c d e f)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from pypdf import PageObject
from pypdf.generic import ArrayObject, ContentStream, FloatObject, NameObject

logger = logging.getLogger(__name__)

Matrix = tuple[float, float, float, float, float, float]
Box = tuple[float, float, float, float]  # x0, y0, x1, y1
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def _then(m: Matrix, n: Matrix) -> Matrix:
    """``m`` followed by ``n`` (PDF's row-vector convention: m × n)."""
    a, b, c, d, e, f = m
    A, B, C, D, E, F = n
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def box_through(m: Matrix, box: Box) -> Box:
    x0, y0, x1, y1 = box
    points = [(m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5]) for x in (x0, x1) for y in (y0, y1)]
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return (min(xs), min(ys), max(xs), max(ys))


def _union(a: Box | None, b: Box) -> Box:
    return b if a is None else (min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3]))


def _meets(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


@dataclass(frozen=True)
class View:
    """A page as shown: its visible box's size once turned by ``/Rotate``, and ``matrix``,
    from that view (origin at its bottom left) to the page's own coordinates."""

    width: float
    height: float
    matrix: Matrix

    def box(self, x0: float, y0: float, x1: float, y1: float) -> Box:
        """A box of the view, in the page's coordinates."""
        return box_through(self.matrix, (x0, y0, x1, y1))


def view(page: PageObject) -> View:
    box = page.cropbox  # the visible box: the media box unless cropped
    x0, y0 = float(box.left), float(box.bottom)
    w, h = float(box.right) - x0, float(box.top) - y0
    match int(page.get("/Rotate", 0) or 0) % 360:  # shown turned clockwise
        case 90:
            return View(h, w, (0.0, 1.0, -1.0, 0.0, x0 + w, y0))
        case 180:
            return View(w, h, (-1.0, 0.0, 0.0, -1.0, x0 + w, y0 + h))
        case 270:
            return View(h, w, (0.0, -1.0, 1.0, 0.0, x0, y0 + h))
    return View(w, h, (1.0, 0.0, 0.0, 1.0, x0, y0))


def fitting(view: View, painted: Box | None, *, reserved: list[Box], free: Box) -> Matrix | None:
    """The move — and scale, if it must — that takes what a page paints (``painted``, page
    coordinates; None if not known: the whole page) out of the ``reserved`` boxes and into
    ``free`` (boxes of the view); None when it is clear of them already."""
    reserved = [view.box(*r) for r in reserved]
    free = view.box(*free)
    visible = view.box(0, 0, view.width, view.height)
    if painted is not None:
        painted = (
            max(painted[0], visible[0]),
            max(painted[1], visible[1]),
            min(painted[2], visible[2]),
            min(painted[3], visible[3]),
        )
        if painted[0] >= painted[2] or painted[1] >= painted[3] or not any(_meets(painted, r) for r in reserved):
            return None
    content = painted or visible
    scale = min(1.0, (free[2] - free[0]) / (content[2] - content[0]), (free[3] - free[1]) / (content[3] - content[1]))
    shift = []
    for lo, hi, free_lo, free_hi in (
        (content[0], content[2], free[0], free[2]),
        (content[1], content[3], free[1], free[3]),
    ):
        offset = (lo + hi) / 2 * (1 - scale)  # scaled about its centre, then moved in as little as it takes
        offset = max(offset, free_lo - scale * lo)
        offset = min(offset, free_hi - scale * hi)
        shift.append(offset)
    return (scale, 0.0, 0.0, scale, shift[0], shift[1])


class Budget:
    """Bytes of content left to read in this packet; once short, no later page is read."""

    def __init__(self, size: int):
        self.left = size

    def take(self, size: int) -> bool:
        if size > self.left:
            self.left = 0
            return False
        self.left -= size
        return True


NOTHING: Box = (0.0, 0.0, 0.0, 0.0)
EVERYWHERE: Box = (-1e9, -1e9, 1e9, 1e9)


def _streams(page: PageObject) -> list:
    contents = page.get("/Contents")
    contents = contents.get_object() if contents is not None else None
    if contents is None:
        return []
    return [s.get_object() for s in contents] if isinstance(contents, ArrayObject) else [contents]


def stored_length(page: PageObject) -> int:
    """The bytes of the page's content as stored (compressed): known without decoding it;
    past any budget when the page does not say."""
    try:
        return sum(len(s._data) for s in _streams(page))  # pypdf keeps no /Length once read
    except Exception:
        return 1 << 62


def painted(page: PageObject, budget: Budget) -> Box | None:
    """The box (page coordinates) of what ``page`` paints — text, images, strokes and fills
    that are not white (white on paper shows nothing, and the stamp is white) — or None if it
    was not read (past the budget, or not readable). Generous where exactness would cost:
    glyphs an em wide unless the font says, forms by their bounding box once nested deep,
    clipping ignored, a shading everywhere."""
    try:
        if stored_length(page) > budget.left:
            budget.left = 0  # not decoded at all: a page of drawings may hold 100 MB
            return None
        contents = page.get("/Contents")
        if contents is None:
            return NOTHING
        stream = ContentStream(contents.get_object(), None)
        if not budget.take(len(stream.get_data())):
            return None
        resources = page.get("/Resources")
        found = _scan(stream, resources.get_object() if resources is not None else {}, IDENTITY, budget, 0)
        return NOTHING if found is None else found
    except Exception:
        logger.info("Packet: a page's content could not be read; it is fitted as if full", exc_info=True)
        return None


_PAINTS = {b"S", b"s", b"f", b"F", b"f*", b"B", b"B*", b"b", b"b*"}
_FILLS = {b"f", b"F", b"f*"}


def _is_white(operands) -> bool:
    values = [float(v) for v in operands if isinstance(v, (int, float))]
    if len(values) != len(operands) or len(values) not in (1, 3, 4):
        return False
    return all(v <= 0.01 for v in values) if len(values) == 4 else all(v >= 0.99 for v in values)


def _advance(text, font, state) -> float:
    """The width of a shown string in text space, generous where the font does not say."""
    # The string's bytes as written in the stream: pypdf decodes <00010002> as UTF-16 and its
    # get_original_bytes() then adds a byte-order mark (one glyph too many); it keeps the
    # bytes it read in _original_bytes.
    data = getattr(text, "_original_bytes", None)
    if data is None:
        data = text.get_original_bytes() if hasattr(text, "get_original_bytes") else bytes(text)
    size, spacing, words, scale = state["size"], state["tc"], state["tw"], state["tz"]
    if font.get("/Subtype") == "/Type0":  # two bytes a glyph, CJK at one em
        return (len(data) // 2) * (size + spacing) * scale
    widths, first = font.get("/Widths"), int(font.get("/FirstChar", 0))
    width = 0.0
    for code in data:
        em = float(widths[code - first]) / 1000 if widths and 0 <= code - first < len(widths) else 0.75
        width += em * size + spacing + (words if code == 32 else 0.0)
    return width * scale


def _scan(contents: ContentStream, resources, ctm: Matrix, budget: Budget, depth: int) -> Box | None:
    """What ``contents`` paints (None: nothing), in the coordinates ``ctm`` maps to."""
    box: Box | None = None
    state = {"ctm": ctm, "white": False, "lw": 1.0, "font": {}, "size": 0.0, "tc": 0.0, "tw": 0.0, "tz": 1.0,
             "rise": 0.0, "leading": 0.0}  # fmt: skip
    saved, path, tm, line = [], None, IDENTITY, IDENTITY
    fonts = resources.get("/Font") or {}
    xobjects = resources.get("/XObject") or {}
    for operands, op in contents.operations:
        if op == b"q":
            saved.append(dict(state))
        elif op == b"Q":
            state = saved.pop() if saved else state
        elif op == b"cm":
            state["ctm"] = _then(tuple(float(v) for v in operands), state["ctm"])
        elif op in (b"m", b"l", b"c", b"v", b"y", b"re"):
            values = [float(v) for v in operands]
            if op == b"re":
                values = [values[0], values[1], values[0] + values[2], values[1] + values[3]]
            xs, ys = values[0::2], values[1::2]
            path = _union(path, box_through(state["ctm"], (min(xs), min(ys), max(xs), max(ys))))
        elif op in _PAINTS or op == b"n":
            if path is not None and op != b"n" and not (op in _FILLS and state["white"]):
                a, b, c, d = state["ctm"][:4]
                pad = state["lw"] / 2 * abs(a * d - b * c) ** 0.5
                box = _union(box, (path[0] - pad, path[1] - pad, path[2] + pad, path[3] + pad))
            path = None
        elif op == b"w":
            state["lw"] = float(operands[0])
        elif op in (b"g", b"rg", b"k", b"sc", b"scn"):
            state["white"] = _is_white(operands)
        elif op == b"cs":
            state["white"] = False
        elif op == b"BT":
            tm = line = IDENTITY
        elif op == b"Tf":
            font = fonts.get(operands[0])
            state["font"], state["size"] = (font.get_object() if font is not None else {}), float(operands[1])
        elif op in (b"Tc", b"Tw", b"Tz", b"Ts", b"TL"):
            key = {b"Tc": "tc", b"Tw": "tw", b"Tz": "tz", b"Ts": "rise", b"TL": "leading"}[op]
            state[key] = float(operands[0]) / (100 if op == b"Tz" else 1)
        elif op in (b"Td", b"TD", b"Tm", b"T*"):
            if op == b"Tm":
                tm = line = tuple(float(v) for v in operands)
                continue
            tx, ty = (0.0, -state["leading"]) if op == b"T*" else (float(operands[0]), float(operands[1]))
            if op == b"TD":
                state["leading"] = -ty
            tm = line = _then((1.0, 0.0, 0.0, 1.0, tx, ty), line)
        elif op in (b"Tj", b"TJ", b"'", b'"'):
            if op in (b"'", b'"'):
                if op == b'"':
                    state["tw"], state["tc"] = float(operands[0]), float(operands[1])
                tm = line = _then((1.0, 0.0, 0.0, 1.0, 0.0, -state["leading"]), line)
            pieces = operands[0] if op == b"TJ" else operands[-1:]
            width = 0.0
            for piece in pieces:
                if isinstance(piece, (int, float)):
                    width -= float(piece) / 1000 * state["size"] * state["tz"]
                else:
                    width += _advance(piece, state["font"], state)
            size, rise = state["size"], state["rise"]
            if str(state["font"].get("/Encoding", "")).endswith("-V"):  # 縦書き: glyphs run down
                glyphs = (-0.5 * size, min(0.0, -width), 0.5 * size, max(0.0, -width))
                step = (1.0, 0.0, 0.0, 1.0, 0.0, -width)
            else:
                glyphs = (min(0.0, width), rise - 0.25 * size, max(0.0, width), rise + size)
                step = (1.0, 0.0, 0.0, 1.0, width, 0.0)
            box = _union(box, box_through(_then(tm, state["ctm"]), glyphs))
            tm = _then(step, tm)
        elif op == b"INLINE IMAGE":
            box = _union(box, box_through(state["ctm"], (0.0, 0.0, 1.0, 1.0)))
        elif op == b"Do":
            xobject = xobjects[operands[0]].get_object()
            if xobject.get("/Subtype") == "/Image":
                box = _union(box, box_through(state["ctm"], (0.0, 0.0, 1.0, 1.0)))
            elif xobject.get("/Subtype") == "/Form":
                matrix = _then(tuple(float(v) for v in xobject.get("/Matrix", IDENTITY)), state["ctm"])
                bounds = box_through(matrix, tuple(float(v) for v in xobject["/BBox"]))
                inner = bounds
                if depth < 3 and budget.take(len(xobject.get_data())):
                    own = xobject.get("/Resources")
                    inner = _scan(
                        ContentStream(xobject, None), own.get_object() if own else resources, matrix, budget, depth + 1
                    )
                    if inner is not None:  # the form draws inside its bounding box only
                        inner = (
                            max(inner[0], bounds[0]),
                            max(inner[1], bounds[1]),
                            min(inner[2], bounds[2]),
                            min(inner[3], bounds[3]),
                        )
                if inner is not None and inner[0] < inner[2] and inner[1] < inner[3]:
                    box = _union(box, inner)
        elif op == b"sh":
            return EVERYWHERE
    return box


def cm(matrix: Matrix) -> str:
    return " ".join(f"{v:.6f}".rstrip("0").rstrip(".") for v in matrix) + " cm "


def moved_annotations(page: PageObject, fit: Matrix) -> None:
    """Links and notes follow the content they sit on."""
    annotations = page.get("/Annots")
    for annotation in annotations.get_object() if annotations is not None else []:
        annotation = annotation.get_object()
        if "/Rect" in annotation:
            box = box_through(fit, tuple(float(v) for v in annotation["/Rect"]))
            annotation[NameObject("/Rect")] = ArrayObject(FloatObject(round(v, 3)) for v in box)
        if "/QuadPoints" in annotation and len(annotation["/QuadPoints"]) % 2 == 0:
            # (an odd count is malformed: viewers ignore it, and so does the fitting, rather than
            # losing the whole upload to a placeholder page)
            points = [float(v) for v in annotation["/QuadPoints"]]
            moved = []
            for x, y in zip(points[0::2], points[1::2], strict=True):
                moved += [fit[0] * x + fit[4], fit[3] * y + fit[5]]
            annotation[NameObject("/QuadPoints")] = ArrayObject(FloatObject(round(v, 3)) for v in moved)
