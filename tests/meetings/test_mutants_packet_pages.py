"""What scripts/mutation found the packet tests did not pin down about ``meetings.packet_pages``:
where a page is shown (its crop box turned by /Rotate), what a page's content paints — paths,
strokes and their width, white and non-white paint, text by its font's widths, spacing, leading
and rise, vertical text, images, forms by their bounding box, a shading — how far an uploaded
page is moved and scaled to clear the stamp and the number, how links follow it, and the
reading budget. Each box is worked out by hand from the content stream (PDF points, origin at
the bottom left); an upload whose content is measured too small would be left under the stamp,
one measured too large would be shrunk for nothing."""

import io
import logging
import math

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from meetings import packet_pages as pages
from meetings.packet import PacketPart, assemble
from tests.pdf_reading import reader, words

pytestmark = pytest.mark.django_db  # assemble renders the overlay (templates, the PDF cache)


def _name(value: str) -> NameObject:
    return NameObject(value)


def _dictionary(values: dict) -> DictionaryObject:
    out = DictionaryObject()
    for key, value in values.items():
        if isinstance(value, str) and value.startswith("/"):
            value = NameObject(value)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            value = FloatObject(value) if isinstance(value, float) else NumberObject(value)
        elif isinstance(value, list):
            value = ArrayObject(NumberObject(v) if isinstance(v, int) else FloatObject(v) for v in value)
        out[NameObject(key)] = value
    return out


HELVETICA = {"/Type": "/Font", "/Subtype": "/Type1", "/BaseFont": "/Helvetica"}  # no widths: 0.75 em
WIDE = {**HELVETICA, "/FirstChar": 97, "/Widths": [500, 600]}  # a 0.5 em, b 0.6 em, the rest 0.75
CJK = {"/Type": "/Font", "/Subtype": "/Type0", "/BaseFont": "/Mincho", "/Encoding": "/Identity-H"}
CJK_VERTICAL = {**CJK, "/Encoding": "/Identity-V"}


def make_page(ops: str | bytes, *, fonts=None, forms=None, images=(), size=(600, 800), writer=None):
    """A page of ``ops`` (compressed, as uploads are), read back as an upload is read.
    ``forms``: name → (content, bbox, matrix or None, fonts or None)."""
    own = writer is None
    writer = writer or PdfWriter()
    page = writer.add_blank_page(*size)
    resources = DictionaryObject()
    if fonts:
        resources[_name("/Font")] = DictionaryObject(
            {_name(k): writer._add_object(_dictionary(v)) for k, v in fonts.items()}
        )
    xobjects = DictionaryObject()
    for name, (content, bbox, matrix, form_fonts) in (forms or {}).items():
        form = DecodedStreamObject()
        form.set_data(content.encode() if isinstance(content, str) else content)
        form.update(_dictionary({"/Type": "/XObject", "/Subtype": "/Form", "/BBox": bbox}))
        if matrix is not None:
            form[_name("/Matrix")] = ArrayObject(FloatObject(v) for v in matrix)
        if form_fonts is not None:
            form[_name("/Resources")] = DictionaryObject(
                {
                    _name("/Font"): DictionaryObject(
                        {_name(k): writer._add_object(_dictionary(v)) for k, v in form_fonts.items()}
                    )
                }
            )
        xobjects[_name(name)] = writer._add_object(form)
    for name in images:
        image = DecodedStreamObject()
        image.set_data(b"\x80")
        image.update(
            _dictionary({"/Type": "/XObject", "/Subtype": "/Image", "/Width": 1, "/Height": 1, "/BitsPerComponent": 8})
        )
        image[_name("/ColorSpace")] = _name("/DeviceGray")
        xobjects[_name(name)] = writer._add_object(image)
    if xobjects:
        resources[_name("/XObject")] = xobjects
    page[_name("/Resources")] = resources
    content = DecodedStreamObject()
    content.set_data(ops.encode("latin-1") if isinstance(ops, str) else ops)
    page[_name("/Contents")] = writer._add_object(content.flate_encode())
    if not own:
        return page
    out = io.BytesIO()
    writer.write(out)
    return PdfReader(out).pages[0]


def painted(ops, budget=1_000_000, **kwargs):
    box = pages.painted(make_page(ops, **kwargs), pages.Budget(budget))
    return None if box is None else tuple(round(v, 4) for v in box)


def close(box, expected):
    assert box is not None and len(box) == 4 and all(math.isclose(a, b, abs_tol=1e-3) for a, b in zip(box, expected)), (
        box,
        expected,
    )


# --- paths, strokes and paint -----------------------------------------------------------------------


def test_a_filled_rectangle_is_its_box_and_half_the_line_width_around_it():
    close(painted("10 20 30 40 re f"), (9.5, 19.5, 40.5, 60.5))
    close(painted("5 w 10 20 m 50 60 l S"), (7.5, 17.5, 52.5, 62.5))  # a wider line reaches further
    close(painted("10 10 m 20 30 40 50 60 5 c S"), (9.5, 4.5, 60.5, 50.5))  # every control point
    close(painted("10 10 m 20 30 40 50 v 70 80 90 5 y s"), (9.5, 4.5, 90.5, 80.5))


@pytest.mark.parametrize("paint", ["S", "s", "f", "F", "f*", "B", "B*", "b", "b*"])
def test_every_painting_operator_paints(paint):
    close(painted(f"10 20 30 40 re {paint}"), (9.5, 19.5, 40.5, 60.5))


def test_a_clipping_path_paints_nothing_and_the_next_path_starts_afresh():
    assert painted("10 20 30 40 re n") == pages.NOTHING
    assert painted("10 20 30 40 re W n") == pages.NOTHING
    close(painted("0 0 600 800 re W n 100 100 10 10 re f"), (99.5, 99.5, 110.5, 110.5))
    close(painted("0 0 600 800 re f 100 100 10 10 re f"), (-0.5, -0.5, 600.5, 800.5))
    # a painted path is over: the next one does not bring the first back
    close(painted("500 500 10 10 re n 100 100 10 10 re f"), (99.5, 99.5, 110.5, 110.5))
    close(painted("100 100 10 10 re f 0 0 m"), (99.5, 99.5, 110.5, 110.5))  # an unpainted path


@pytest.mark.parametrize(
    "colour",
    [
        "1 g",
        "1 1 1 rg",
        "0 0 0 0 k",
        "0.995 g",
        "0.99 g",
        "0.99 0.99 0.99 rg",
        "1 sc",
        "1 1 1 scn",
        "0.991 0.999 1 rg",
        "0.01 0 0.005 0 k",
    ],
)
def test_a_white_fill_is_no_content(colour):
    assert painted(f"{colour} 0 0 600 800 re f") == pages.NOTHING
    assert painted(f"{colour} 0 0 600 800 re f*") == pages.NOTHING
    assert painted(f"{colour} 0 0 600 800 re F") == pages.NOTHING


@pytest.mark.parametrize(
    "colour",
    ["0.5 g", "0 g", "0.98 g", "1 0.98 1 rg", "0 0 0 1 k", "0 0 0.02 0 k", "1 1 sc", "/P1 scn", "1 1 1 /P1 scn"],
)
def test_a_fill_that_is_not_white_is_content(colour):
    close(painted(f"{colour} 10 20 30 40 re f"), (9.5, 19.5, 40.5, 60.5))


def test_white_strokes_and_fill_and_stroke_are_content_and_a_colour_space_resets_white():
    close(painted("1 g 10 20 30 40 re S"), (9.5, 19.5, 40.5, 60.5))  # the fill colour is not the stroke's
    close(painted("1 g 10 20 30 40 re B"), (9.5, 19.5, 40.5, 60.5))  # stroked too
    close(painted("1 g /DeviceGray cs 10 20 30 40 re f"), (9.5, 19.5, 40.5, 60.5))  # back to black
    close(painted("1 g 0 0 10 10 re f 0.5 g 10 20 30 40 re f"), (9.5, 19.5, 40.5, 60.5))


def test_the_graphics_state_is_saved_and_restored():
    close(painted("q 2 0 0 2 300 0 cm Q 10 20 30 40 re f"), (9.5, 19.5, 40.5, 60.5))
    close(painted("q 1 g Q 10 20 30 40 re f"), (9.5, 19.5, 40.5, 60.5))
    close(painted("q 9 w Q 10 20 30 40 re f"), (9.5, 19.5, 40.5, 60.5))
    close(painted("Q 10 20 30 40 re f"), (9.5, 19.5, 40.5, 60.5))  # one Q too many: no harm
    # nested: the inner Q restores the outer q's state, not the page's
    close(painted("q 2 0 0 2 0 0 cm q 1 0 0 1 100 0 cm Q 0 0 10 10 re f Q"), (-1, -1, 21, 21))


def test_transformations_apply_in_order_and_scale_the_line_width():
    # each cm acts before the ones already set: scaled by 2, then moved 100 to the right
    close(painted("1 0 0 1 100 0 cm 2 0 0 2 0 0 cm 0 0 10 10 re f"), (99, -1, 121, 21))
    close(painted("2 0 0 2 0 0 cm 1 0 0 1 100 0 cm 0 0 10 10 re f"), (199, -1, 221, 21))
    # the line width's half, scaled by the square root of the determinant (√6 here)
    pad = 0.5 * math.sqrt(6)
    close(painted("2 0 0 3 10 20 cm 0 0 10 10 re f"), (10 - pad, 20 - pad, 30 + pad, 50 + pad))
    # turned a quarter: the box of the turned rectangle
    close(painted("0 1 -1 0 100 0 cm 0 0 10 20 re f"), (79.5, -0.5, 100.5, 10.5))
    close(painted("1 0 0.5 1 0 0 cm 0 0 10 10 re f"), (-0.5, -0.5, 15.5, 10.5))
    # two quarter turns are a half turn; a quarter turn, then a stretch (3 up) of what it turned
    close(painted("0 1 -1 0 0 0 cm 0 1 -1 0 0 0 cm 10 20 30 40 re f"), (-40.5, -60.5, -9.5, -19.5))
    pad = 0.5 * math.sqrt(6)
    close(painted("0 1 -1 0 0 0 cm 2 0 0 3 0 0 cm 0 0 10 10 re f"), (-30 - pad, -pad, pad, 20 + pad))
    # a quarter turn, then a move 5 up of what it turned: 5 to the left on the page
    close(painted("0 1 -1 0 0 0 cm 1 0 0 1 0 5 cm 0 0 10 10 re f"), (-15.5, -0.5, -4.5, 10.5))


def test_a_shading_paints_everywhere():
    assert painted("/Sh1 sh") == pages.EVERYWHERE
    assert painted("10 10 10 10 re f /Sh1 sh 500 500 10 10 re f") == pages.EVERYWHERE


# --- text ----------------------------------------------------------------------------------------


def text(ops, font=HELVETICA, **kwargs):
    return painted(f"BT /F1 10 Tf {ops} ET", fonts={"/F1": font}, **kwargs)


def test_text_is_its_advance_wide_from_a_quarter_em_below_the_baseline_to_an_em_above():
    close(text("100 200 Td (abcd) Tj"), (100, 197.5, 130, 210))  # 4 × 0.75 em
    close(text("100 200 Td (ab) Tj", font=WIDE), (100, 197.5, 111, 210))  # 0.5 + 0.6 em
    close(text("100 200 Td (abc) Tj", font=WIDE), (100, 197.5, 118.5, 210))  # c: past the widths
    close(text("100 200 Td (`) Tj", font=WIDE), (100, 197.5, 107.5, 210))  # before the first char
    close(text("100 200 Td (a) Tj (b) Tj"), (100, 197.5, 115, 210))  # the second after the first
    close(text("100 200 Td (ab) '"), (100, 197.5, 115, 210))  # ' with no leading: the same line


def test_character_and_word_spacing_scaling_and_rise():
    close(text("2 Tc 100 200 Td (ab) Tj"), (100, 197.5, 119, 210))  # + 2 a glyph
    close(text("3 Tw 100 200 Td (a b) Tj"), (100, 197.5, 125.5, 210))  # + 3 for the space only
    close(text("50 Tz 100 200 Td (abcd) Tj"), (100, 197.5, 115, 210))  # half as wide
    close(text("50 Tz 100 200 Td [(ab) -1000 (cd)] TJ"), (100, 197.5, 120, 210))
    close(text("4 Ts 100 200 Td (a) Tj"), (100, 201.5, 107.5, 214))  # raised
    close(text("100 200 Td 12 0 0 12 0 0 Tm (a) Tj"), (0, -30, 90, 120))  # Tm replaces the matrix


def test_kerning_in_a_text_array_moves_what_follows():
    close(text("100 200 Td [(a) -1000 (b)] TJ"), (100, 197.5, 125, 210))  # 7.5 + 10 + 7.5
    close(text("100 200 Td [(a) 500 (b)] TJ"), (100, 197.5, 110, 210))  # 7.5 - 5 + 7.5
    close(text("100 200 Td [(a) 2000] TJ"), (87.5, 197.5, 100, 210))  # backwards past its start


def test_lines_move_by_the_leading():
    close(text("14 TL 100 200 Td T* (a) Tj"), (100, 183.5, 107.5, 196))
    close(text("100 200 Td 0 -20 TD T* (a) Tj"), (100, 157.5, 107.5, 170))  # TD sets the leading
    close(text("100 200 Td 5 -20 Td (a) Tj"), (105, 177.5, 112.5, 190))  # Td does not
    close(text("100 200 Td 5 -20 Td T* (a) Tj"), (105, 177.5, 112.5, 190))
    close(text("14 TL 100 200 Td (a) ' (b) '"), (100, 169.5, 107.5, 196))  # ' goes down a line each
    close(text('14 TL 100 200 Td 1 2 (a b) "'), (100, 183.5, 129.5, 196))  # " sets Tw 1 and Tc 2 too
    close(text("100 200 Td (a) Tj 0 -20 Td (b) Tj"), (100, 177.5, 107.5, 210))  # Td from the line start


def test_each_text_object_starts_at_the_origin_and_text_follows_the_transformation():
    close(painted("BT 100 100 Td ET BT /F1 10 Tf (a) Tj ET", fonts={"/F1": HELVETICA}), (0, -2.5, 7.5, 10))
    close(painted("2 0 0 2 50 0 cm BT /F1 10 Tf (a) Tj ET", fonts={"/F1": HELVETICA}), (50, -5, 65, 20))
    close(painted("BT /F9 10 Tf 100 200 Td (a) Tj ET", fonts={"/F1": HELVETICA}), (100, 197.5, 107.5, 210))


def test_two_byte_fonts_count_a_glyph_an_em_and_vertical_text_runs_down():
    close(text("100 200 Td <0B3C0F21> Tj", font=CJK), (100, 197.5, 120, 210))
    close(text("1 Tc 100 200 Td <0B3C0F21> Tj", font=CJK), (100, 197.5, 122, 210))
    close(text("50 Tz 100 200 Td <0B3C0F21> Tj", font=CJK), (100, 197.5, 110, 210))
    close(text("100 200 Td <0B3C0F21> Tj", font=CJK_VERTICAL), (95, 180, 105, 200))
    close(text("100 200 Td <0B3C> Tj <0F21> Tj", font=CJK_VERTICAL), (95, 180, 105, 200))


# --- images and forms ----------------------------------------------------------------------------


def test_an_image_fills_the_unit_square_it_is_drawn_in():
    close(painted("q 50 0 0 40 10 20 cm /Im1 Do Q", images=["/Im1"]), (10, 20, 60, 60))
    close(painted(b"q 50 0 0 40 10 20 cm BI /W 1 /H 1 /BPC 8 /CS /G ID \x80 EI Q"), (10, 20, 60, 60))


def form(content, bbox=(0, 0, 100, 100), matrix=None, fonts=None):
    return {"/Fm1": (content, list(bbox), matrix, fonts)}


def test_a_form_paints_what_its_content_paints_within_its_bounding_box():
    close(painted("/Fm1 Do", forms=form("0 0 50 50 re f", matrix=(1, 0, 0, 1, 10, 10))), (10, 10, 60.5, 60.5))
    close(painted("1 0 0 1 5 0 cm /Fm1 Do", forms=form("0 0 50 50 re f", matrix=(2, 0, 0, 2, 0, 0))), (5, 0, 106, 101))
    close(painted("/Fm1 Do", forms=form("-50 -50 500 500 re f")), (0, 0, 100, 100))  # clipped to its box
    assert painted("/Fm1 Do", forms=form("200 200 10 10 re f")) == pages.NOTHING  # outside its box
    assert painted("/Fm1 Do", forms=form("1 g 0 0 100 100 re f")) == pages.NOTHING
    close(painted("/Fm1 Do", forms=form("10 20 30 40 re f")), (9.5, 19.5, 40.5, 60.5))
    close(painted("/Fm1 Do", forms=form("90 90 30 30 re f", bbox=(0, 0, 100, 100))), (89.5, 89.5, 100, 100))
    close(painted("/Fm1 Do", forms=form("-20 -20 30 30 re f")), (0, 0, 10.5, 10.5))
    assert painted("/Fm1 Do", forms=form("10 200 10 10 re f")) == pages.NOTHING  # above its box only
    assert painted("/Fm1 Do", forms=form("200 10 10 10 re f")) == pages.NOTHING  # right of it only


def test_a_form_uses_its_own_fonts_or_else_the_pages():
    own = form("BT /F1 10 Tf 10 20 Td (ab) Tj ET", fonts={"/F1": WIDE})
    close(painted("/Fm1 Do", forms=own, fonts={"/F1": HELVETICA}), (10, 17.5, 21, 30))
    inherited = form("BT /F1 10 Tf 10 20 Td (ab) Tj ET")
    close(painted("/Fm1 Do", forms=inherited, fonts={"/F1": WIDE}), (10, 17.5, 21, 30))


def test_a_form_not_read_counts_as_its_whole_bounding_box():
    content = "10 20 30 40 re f"
    data = len(content)
    # the page's own content takes len("/Fm1 Do") = 7 bytes of the budget first
    close(painted("/Fm1 Do", 7 + data, forms=form(content)), (9.5, 19.5, 40.5, 60.5))
    close(painted("/Fm1 Do", 7 + data - 1, forms=form(content)), (0, 0, 100, 100))  # short of one byte


def nested(depth: int, content: str) -> bytes:
    """A page drawing form 1, which draws form 2 … down to form ``depth``, which paints ``content``."""
    writer = PdfWriter()
    page = writer.add_blank_page(600, 800)
    inner = None
    for _ in range(depth):
        xobject = DecodedStreamObject()
        xobject.set_data((content if inner is None else "/Fm Do").encode())
        xobject.update(_dictionary({"/Type": "/XObject", "/Subtype": "/Form", "/BBox": [0, 0, 100, 100]}))
        if inner is not None:
            xobject[_name("/Resources")] = DictionaryObject(
                {_name("/XObject"): DictionaryObject({_name("/Fm"): inner})}
            )
        inner = writer._add_object(xobject)
    page[_name("/Resources")] = DictionaryObject({_name("/XObject"): DictionaryObject({_name("/Fm"): inner})})
    stream = DecodedStreamObject()
    stream.set_data(b"/Fm Do")
    page[_name("/Contents")] = writer._add_object(stream)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_forms_are_read_three_deep_and_deeper_ones_count_by_their_box():
    def box(depth):
        found = pages.painted(reader(nested(depth, "10 20 30 40 re f")).pages[0], pages.Budget(10_000))
        return tuple(round(v, 4) for v in found)

    close(box(3), (9.5, 19.5, 40.5, 60.5))
    close(box(4), (0, 0, 100, 100))


# --- the budget and pages that cannot be read -----------------------------------------------------


def test_the_budget_is_spent_and_once_short_reads_nothing_more():
    budget = pages.Budget(10)
    assert budget.left == 10
    assert budget.take(4) and budget.left == 6
    assert budget.take(6) and budget.left == 0  # all of it
    assert not budget.take(1) and budget.left == 0
    budget = pages.Budget(10)
    assert not budget.take(11) and budget.left == 0  # short: nothing more, not even what would fit
    assert not budget.take(1)


def test_a_page_is_read_only_within_the_budget():
    ops = "10 20 30 40 re f\n" * 20  # compressed, shorter than decoded
    page = make_page(ops)
    stored = pages.stored_length(page)
    assert stored == len(page["/Contents"].get_object()._data) > 0
    budget = pages.Budget(stored - 1)  # not even what is stored: never decoded, and nothing later
    assert pages.painted(page, budget) is None and budget.left == 0
    budget = pages.Budget(stored)  # stored fits, decoded (longer) does not
    assert len(ops) > stored and pages.painted(page, budget) is None and budget.left == 0
    budget = pages.Budget(len(ops))
    close(pages.painted(page, budget), (9.5, 19.5, 40.5, 60.5))
    assert budget.left == 0
    budget = pages.Budget(len(ops) + 5)
    pages.painted(page, budget)
    assert budget.left == 5


def test_an_uncompressed_page_is_read_when_it_fits_the_budget_exactly():
    writer = PdfWriter()
    page = writer.add_blank_page(600, 800)
    del page[_name("/Resources")]  # none at all
    content = DecodedStreamObject()
    content.set_data(b"10 20 30 40 re f")
    page[_name("/Contents")] = writer._add_object(content)
    assert pages.stored_length(page) == 16
    budget = pages.Budget(16)
    close(pages.painted(page, budget), (9.5, 19.5, 40.5, 60.5))
    assert budget.left == 0
    assert pages.painted(page, pages.Budget(15)) is None


def test_a_page_of_several_streams_or_none():
    writer = PdfWriter()
    page = writer.add_blank_page(600, 800)
    assert pages.stored_length(page) == 0 and pages._streams(page) == []
    assert pages.painted(page, pages.Budget(100)) == pages.NOTHING
    streams = []
    for data in (b"10 20 30 40 re", b" f 100 100 10 10 re f"):
        stream = DecodedStreamObject()
        stream.set_data(data)
        streams.append(writer._add_object(stream))
    page[_name("/Contents")] = ArrayObject(streams)
    assert pages.stored_length(page) == 14 + 21
    assert [s.get_data() for s in pages._streams(page)] == [b"10 20 30 40 re", b" f 100 100 10 10 re f"]
    close(pages.painted(page, pages.Budget(100)), (9.5, 19.5, 110.5, 110.5))


def test_a_page_that_cannot_be_read_is_not_known_and_said_so(caplog):
    writer = PdfWriter()
    page = writer.add_blank_page(600, 800)
    page[_name("/Contents")] = DictionaryObject()  # no stream at all
    assert pages.stored_length(page) == 1 << 62  # past any budget
    broken = make_page("/Missing Do 10 20 30 40 re f")
    with caplog.at_level(logging.INFO, logger="meetings.packet_pages"):
        assert pages.painted(broken, pages.Budget(1000)) is None
    assert [r.getMessage() for r in caplog.records] == [
        "Packet: a page's content could not be read; it is fitted as if full"
    ]
    assert caplog.records[0].exc_info[0] is KeyError  # with the cause's traceback: /Missing


# --- the page as shown --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "rotate,size,origin,right,up",
    [
        # what the shown bottom left (0, 0), (1, 0) and (0, 1) are on the page, cropped to 10 20 310 420
        (0, (300, 400), (10, 20), (11, 20), (10, 21)),
        (90, (400, 300), (310, 20), (310, 21), (309, 20)),
        (180, (300, 400), (310, 420), (309, 420), (310, 419)),
        (270, (400, 300), (10, 420), (10, 419), (11, 420)),
        (-90, (400, 300), (10, 420), (10, 419), (11, 420)),
        (450, (400, 300), (310, 20), (310, 21), (309, 20)),
    ],
)
def test_the_view_maps_the_page_as_shown_onto_the_page(rotate, size, origin, right, up):
    writer = PdfWriter()
    page = writer.add_blank_page(400, 500)
    page.cropbox.lower_left, page.cropbox.upper_right = (10, 20), (310, 420)
    page[_name("/Rotate")] = NumberObject(rotate)
    view = pages.view(page)
    assert (view.width, view.height) == size
    for point, expected in (((0, 0), origin), ((1, 0), right), ((0, 1), up)):
        x0, y0, x1, y1 = view.box(*point, *point)
        assert (round(x0, 6), round(y0, 6)) == expected and (x0, y0) == (x1, y1)
    x0, y0, x1, y1 = view.box(0, 0, view.width, view.height)
    assert (x0, y0, x1, y1) == (10, 20, 310, 420)  # the whole view is the crop box


def test_a_page_without_rotate_or_crop_box_is_its_media_box():
    writer = PdfWriter()
    page = writer.add_blank_page(400, 500)
    view = pages.view(page)
    assert view == pages.View(400, 500, (1.0, 0.0, 0.0, 1.0, 0.0, 0.0))


# --- fitting -----------------------------------------------------------------------------------

FOOT = (250, 0, 350, 40)  # a number's place, centred at the foot of a 600 × 800 page
FREE = (0, 40, 600, 800)


def fit(painted, view=None, reserved=(FOOT,), free=FREE):
    view = view or pages.View(600, 800, pages.IDENTITY)
    return pages.fitting(view, painted, reserved=list(reserved), free=free)


def close6(matrix, expected):
    assert matrix is not None and len(matrix) == 6, matrix
    assert all(math.isclose(a, b, abs_tol=1e-9) for a, b in zip(matrix, expected)), (matrix, expected)


def test_content_clear_of_the_reserved_boxes_is_left_alone():
    assert fit((100, 100, 500, 700)) is None
    assert fit((350, 0, 600, 40)) is None  # beside the number, touching its box: clear
    assert fit((0, 40, 600, 800)) is None  # above it, touching
    assert fit(pages.NOTHING) is None  # nothing painted
    assert fit((700, 0, 900, 40)) is None  # painted only off the page: nothing visible
    assert fit((0, -100, 600, 0)) is None
    assert fit((300, 30, 300, 60)) is None  # a box of no width
    assert fit((260, 30, 300, 30)) is None  # nor height
    assert fit((0, 0, 250, 40)) is None  # left of the number, touching its box
    corner = (550, 760, 600, 800)
    assert fit((0, 0, 600, 760), reserved=[corner], free=(0, 0, 600, 760)) is None  # below, touching


def test_content_over_a_reserved_box_is_moved_as_little_as_it_takes():
    assert fit((260, 10, 340, 30)) == (1.0, 0.0, 0.0, 1.0, 0.0, 30.0)  # up into the free band
    assert fit((100, 30, 500, 500)) == (1.0, 0.0, 0.0, 1.0, 0.0, 10.0)
    assert fit((349, 0, 360, 1)) == (1.0, 0.0, 0.0, 1.0, 0.0, 40.0)
    corner = (550, 760, 600, 800)
    assert fit((560, 700, 590, 770), reserved=[corner], free=(0, 0, 600, 760)) == (1.0, 0.0, 0.0, 1.0, 0.0, -10.0)
    assert fit((555, 10, 605, 20), reserved=[(550, 0, 600, 40)], free=(0, 0, 550, 800)) == (
        1.0,
        0.0,
        0.0,
        1.0,
        -50.0,
        0.0,
    )  # only what is on the page counts: 555 … 600, moved left by 50


def test_content_too_large_for_the_free_band_is_scaled_about_its_centre_no_more_than_it_must():
    # the whole page (not read: None) into 600 × 760: scaled by 0.95, centred across, on the band's foot
    close6(fit(None), (0.95, 0.0, 0.0, 0.95, 15.0, 40.0))
    close6(fit((-50, -50, 650, 850)), (0.95, 0.0, 0.0, 0.95, 15.0, 40.0))  # as the page: what shows
    # narrower than the band but too tall: shrunk to its height, kept where it is across
    close6(fit((100, 0, 300, 800)), (0.95, 0.0, 0.0, 0.95, 10.0, 40.0))
    # wider than the band: to its width
    # wider than the band: to its width, pushed left into it, kept about its centre upright
    close6(fit((0, 0, 600, 800), free=(0, 40, 500, 800)), (5 / 6, 0.0, 0.0, 5 / 6, 0.0, 400 / 6))


def test_fitting_clips_to_a_cropped_page_and_works_in_its_coordinates():
    cropped = pages.View(300, 400, (1.0, 0.0, 0.0, 1.0, 10.0, 20.0))  # crop box 10 20 310 420
    # painted past the crop box on every side: only 10 … 310 × 20 … 420 counts; 400 high into
    # 360: scaled by 0.9 about its centre (160, 220), then lifted onto the band's foot (y 60)
    found = pages.fitting(cropped, (-100, 0, 400, 500), reserved=[(100, 0, 200, 40)], free=(0, 40, 300, 400))
    close6(found, (0.9, 0.0, 0.0, 0.9, 16.0, 42.0))


def test_fitting_works_in_the_page_as_shown():
    turned = pages.View(800, 600, (0.0, 1.0, -1.0, 0.0, 600.0, 0.0))  # a portrait page shown landscape
    # the shown foot's middle (350 … 450 across, 0 … 40 up) is on the page x 560 … 600, y 350 … 450
    assert fit((570, 360, 590, 440), view=turned, reserved=[(350, 0, 450, 40)], free=(0, 40, 800, 600)) == (
        1.0,
        0.0,
        0.0,
        1.0,
        -30.0,
        0.0,
    )
    assert fit((100, 360, 500, 440), view=turned, reserved=[(350, 0, 450, 40)], free=(0, 40, 800, 600)) is None


# --- what the packet does with it -------------------------------------------------------------------


def test_cm_writes_a_matrix_as_pdf_reads_it():
    assert pages.cm((1.0, 0.0, 0.0, 1.0, 0.0, 50.0)) == "1 0 0 1 0 50 cm "
    assert pages.cm((0.875, 0.0, 0.0, 0.875, 37.5, -100.25)) == "0.875 0 0 0.875 37.5 -100.25 cm "
    assert pages.cm((0.1234567, 0, 0, 1, 10.0, 100)) == "0.123457 0 0 1 10 100 cm "


def test_links_and_notes_follow_the_content():
    writer = PdfWriter()
    page = writer.add_blank_page(600, 800)
    link = _dictionary({"/Type": "/Annot", "/Subtype": "/Link", "/Rect": [100, 10, 200, 30]})
    note = _dictionary({"/Type": "/Annot", "/Subtype": "/Highlight", "/Rect": [100, 10, 200, 30]})
    note[_name("/QuadPoints")] = ArrayObject(FloatObject(v) for v in (100, 30, 200, 30, 100, 10, 200, 10))
    bare = _dictionary({"/Type": "/Annot", "/Subtype": "/Text"})
    bare[_name("/Contents")] = TextStringObject("no rectangle")
    page[_name("/Annots")] = ArrayObject([writer._add_object(a) for a in (link, note, bare)])
    pages.moved_annotations(page, (0.5, 0.0, 0.0, 0.5, 10.25, 40.125))
    annots = [a.get_object() for a in page["/Annots"]]
    assert [float(v) for v in annots[0]["/Rect"]] == [60.25, 45.125, 110.25, 55.125]
    assert [float(v) for v in annots[1]["/Rect"]] == [60.25, 45.125, 110.25, 55.125]
    assert [float(v) for v in annots[1]["/QuadPoints"]] == [
        60.25,
        55.125,
        110.25,
        55.125,
        60.25,
        45.125,
        110.25,
        45.125,
    ]
    assert "/Rect" not in annots[2]
    other = writer.add_blank_page(600, 800)
    pages.moved_annotations(other, (0.5, 0.0, 0.0, 0.5, 10.0, 40.0))  # no annotations: nothing to do
    assert "/Annots" not in other


def test_a_highlight_with_an_odd_number_of_coordinates_keeps_them_and_its_box_moves():
    writer = PdfWriter()
    page = writer.add_blank_page(600, 800)
    note = _dictionary({"/Type": "/Annot", "/Subtype": "/Highlight", "/Rect": [100, 10, 200, 30]})
    odd = (100, 30, 200, 30, 100, 10, 200)
    note[_name("/QuadPoints")] = ArrayObject(FloatObject(v) for v in odd)
    page[_name("/Annots")] = ArrayObject([writer._add_object(note)])
    pages.moved_annotations(page, (0.5, 0.0, 0.0, 0.5, 10.0, 40.0))  # no error: the upload is kept
    moved = page["/Annots"][0].get_object()
    assert [float(v) for v in moved["/QuadPoints"]] == list(odd)  # malformed: left as it was
    assert [float(v) for v in moved["/Rect"]] == [60.0, 45.0, 110.0, 55.0]


def test_a_two_byte_string_written_in_hex_counts_its_glyphs_not_a_byte_order_mark():
    import io as _io

    from pypdf.generic import read_hex_string_from_stream

    text = read_hex_string_from_stream(_io.BytesIO(b"<00010002>"))
    state = {"size": 10.0, "tc": 0.0, "tw": 0.0, "tz": 1.0}
    assert pages._advance(text, {"/Subtype": "/Type0"}, state) == 20.0  # two glyphs of one em


def _bound(*pages_ops):
    writer = PdfWriter()
    for ops in pages_ops:
        make_page(ops, fonts={"/F1": HELVETICA}, size=(595, 842), writer=writer)
    out = io.BytesIO()
    writer.write(out)
    upload = out.getvalue()
    return upload, assemble([PacketPart("資料1 x", "資料1", upload, "x", uploaded=True)], title="会議資料")


def test_an_upload_with_text_at_its_foot_is_lifted_just_clear_of_the_number(db):
    # 「Foot note」 on the page's very foot, in the middle, where the number goes: its glyphs
    # reach down to y = 4 - 3 = 1; the number's place is 12 mm high, so all is lifted by 12 mm - 1
    upload, bound = _bound("BT /F1 12 Tf 280 4 Td (Foot note) Tj ET BT /F1 12 Tf 72 400 Td (Body) Tj ET")
    alone = {w.text: w for w in words(upload)}
    laid_out = words(bound)
    moved = {w.text: w for w in laid_out if w.text in alone}
    lift = 12 * 72 / 25.4 - 1
    for name, word in alone.items():
        assert abs(moved[name].x0 - word.x0) < 0.2, (name, word, moved[name])  # not across, not shrunk
        assert abs((word.y0 - moved[name].y0) - lift) < 0.2, (name, word, moved[name])
        assert abs((moved[name].x1 - moved[name].x0) - (word.x1 - word.x0)) < 0.2
    number = next(w for w in laid_out if w.text == "1" and w.y0 > 800)
    assert moved["Foot"].y1 <= number.y0 and moved["note"].y1 <= number.y0
