"""The packet as a reader sees it: every page number and every 資料N stamp drawn inside the
page box (portrait, landscape, a page turned by /Rotate) and inside what a printer prints,
where a reader looks for it; one number at the foot of each page of the meeting's own and
generated documents, in place of their own 「1 / 1」; and no stamp or number over text —
an uploaded page whose text reaches the corner or the foot is moved clear of them, and one
that leaves them room is not touched. Positions come from poppler (``pdftotext -bbox``),
which leaves out anything drawn outside the page — text extraction alone once passed numbers
drawn above the top edge."""

import io
import re
from dataclasses import replace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject, NumberObject

from meetings import documents
from meetings.packet import packet_parts, packet_pdf
from meetings.selectors import meeting_detail
from meetings.services import handout_save
from tests.pdf_reading import Word, reader, words

pytestmark = pytest.mark.django_db

STAMP_PADDING = 10.0  # points around the stamp's word: its border and padding (3 mm, 1.2 pt)
MM = 72 / 25.4
PRINTABLE = 4 * MM  # what an office printer leaves unprinted at each edge, about
FOOTER = 20 * MM  # the band at the foot of a page where page numbers are looked for
PAGE_NUMBER = re.compile(r"^(\d+\s*/\s*\d+|-\s*\d+\s*-|\d+|p\.\s*\d+|\d+\s*ページ)$")


@pytest.fixture
def packet(toyama, settings, tmp_path):
    from meetings.models import Meeting

    settings.MEDIA_ROOT = tmp_path
    meeting = Meeting.objects.get(fiscal_year=2021, kind="regular", number=4)
    upload = PdfWriter()
    upload.add_blank_page(595, 842)  # portrait
    upload.add_blank_page(842, 595)  # landscape
    content = io.BytesIO()
    upload.write(content)
    covid = meeting.handouts.get(kind="material", number=4)
    covid.file = SimpleUploadedFile("covid.pdf", content.getvalue())
    handout_save(handout=covid)
    meeting = meeting_detail(meeting.pk)
    return packet_parts(meeting), packet_pdf(meeting).content


def _number_words(page_words, number, total):
    """The words of 「n / N」 on one page, in reading order, or []."""
    texts = [w.text for w in page_words]
    for i in range(len(texts) - 2):
        if texts[i : i + 3] == [str(number), "/", str(total)]:
            return page_words[i : i + 3]
    return []


def test_every_page_number_is_inside_the_page_at_its_foot(packet):
    parts, pdf = packet
    total = sum(len(reader(part.content).pages) for part in parts)  # counted from the parts
    assert len(reader(pdf).pages) == total
    laid_out = words(pdf)
    orientations = set()
    for number in range(1, total + 1):
        page_words = [w for w in laid_out if w.page == number]
        found = _number_words(page_words, number, total)
        assert found, f"page {number}: 「{number} / {total}」 not on the page"
        for word in found:
            assert word.inside_page(), word
            assert word.y0 > word.page_height * 0.9, f"page {number}: the number is not at the foot: {word}"
        centre = (found[0].x0 + found[-1].x1) / 2
        assert abs(centre - found[0].page_width / 2) < 15, f"page {number}: not centred ({centre:.0f})"
        orientations.add("landscape" if found[0].page_width > found[0].page_height else "portrait")
    assert orientations == {"portrait", "landscape"}


def test_every_handout_page_carries_its_stamp_top_right_without_covering_text(packet):
    parts, pdf = packet
    laid_out = words(pdf)
    first = 1
    stamped_pages = 0
    for part in parts:
        pages = range(first, first + len(reader(part.content).pages))
        first = pages.stop
        for number in pages:
            page_words = [w for w in laid_out if w.page == number]
            stamps = [w for w in page_words if w.text == part.stamp]
            if not part.stamp:
                continue
            assert stamps, f"page {number} of {part.title}: no stamp 「{part.stamp}」"
            stamp = max(stamps, key=lambda w: w.x1)  # the rightmost one is the overlay's
            assert stamp.inside_page(), stamp
            assert stamp.x0 > stamp.page_width * 0.75 and stamp.y1 < stamp.page_height * 0.1, stamp
            stamped_pages += 1
            if part.stamp and "新型コロナ" not in part.title:  # generated documents leave it room
                box = type(stamp)(
                    stamp.text,
                    stamp.page,
                    stamp.page_width,
                    stamp.page_height,
                    stamp.x0 - STAMP_PADDING,
                    stamp.y0 - STAMP_PADDING,
                    stamp.x1 + STAMP_PADDING,
                    stamp.y1 + STAMP_PADDING,
                )
                covered = [w.text for w in page_words if w is not stamp and box.overlaps(w)]
                assert not covered, f"page {number}: the stamp covers {covered}"
    handout_pages = sum(len(reader(p.content).pages) for p in parts if p.stamp)
    assert stamped_pages == handout_pages > 2


# --- the documents' own footers -----------------------------------------------------------------


def _lines(page_words):
    """The words of a page grouped by line (a word joins the line its vertical centre falls
    in), each line as (text with single spaces, its words)."""
    lines: list[list[Word]] = []
    for word in sorted(page_words, key=lambda w: (w.y0 + w.y1) / 2):
        centre = (word.y0 + word.y1) / 2
        if lines and lines[-1][0].y0 <= centre <= lines[-1][0].y1:
            lines[-1].append(word)
        else:
            lines.append([word])
    return [(" ".join(w.text for w in sorted(ws, key=lambda w: w.x0)), ws) for ws in lines]


def _footer_numbers(page_words):
    """Each text in the page's footer band that reads as a page number (1 / 3, - 1 -, 1 …)."""
    bottom = [w for w in page_words if w.y0 > w.page_height - FOOTER]
    return [text for text, _ in _lines(bottom) if PAGE_NUMBER.match(text)]


def test_each_document_page_has_one_number_at_its_foot_the_running_one(packet):
    from meetings.models import Meeting

    parts, pdf = packet
    meeting = meeting_detail(Meeting.objects.get(fiscal_year=2021, kind="regular", number=4).pk)
    # On its own, each of the meeting's documents has its footer: 「1 / 1」 …
    for own in (documents.agenda_pdf(meeting), documents.attendees_pdf(meeting), documents.seating_pdf(meeting)):
        alone = words(own.content)
        pages = len(reader(own.content).pages)
        for number in range(1, pages + 1):
            assert _footer_numbers([w for w in alone if w.page == number]) == [f"{number} / {pages}"], own.filename
    # … in the packet, its pages and the generated documents' carry the running number, once.
    laid_out = words(pdf)
    total = len(reader(pdf).pages)
    first = 1
    checked = 0
    for part in parts:
        pages = range(first, first + len(reader(part.content).pages))
        first = pages.stop
        if part.uploaded:
            continue  # an upload may have numbers of its own: see the fitting tests below
        for number in pages:
            found = _footer_numbers([w for w in laid_out if w.page == number])
            assert found == [f"{number} / {total}"], f"page {number} ({part.title}): {found}"
            checked += 1
    assert checked >= 3


def test_every_number_and_stamp_is_inside_what_a_printer_prints(packet):
    parts, pdf = packet
    laid_out = words(pdf)
    total = len(reader(pdf).pages)
    stamps = {p.stamp for p in parts if p.stamp}
    for number in range(1, total + 1):
        page_words = [w for w in laid_out if w.page == number]
        drawn = _number_words(page_words, number, total) + [w for w in page_words if w.text in stamps][-1:]
        for word in drawn:
            assert PRINTABLE <= word.x0 and word.x1 <= word.page_width - PRINTABLE, (number, word)
            assert PRINTABLE <= word.y0 and word.y1 <= word.page_height - PRINTABLE, (number, word)


# --- an uploaded page with no margins -----------------------------------------------------------


def _text_page(writer, width, height, lines, *, rotate=0, fill=None):
    """A page of Helvetica ``lines`` — (x, y, size, text), with ``rotate`` the text drawn
    upright as the page is shown — and ``fill``, a grey box (x0, y0, x1, y1), painted first."""
    page = writer.add_blank_page(width, height)
    font = writer._add_object(
        DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject("/Helvetica"),
            }
        )
    )
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})}
    )
    ops = []
    if fill:
        x0, y0, x1, y1 = fill
        ops.append(f"0.5 g {x0} {y0} {x1 - x0} {y1 - y0} re f 0 g")
    turn = {0: "1 0 0 1", 90: "0 1 -1 0"}[rotate]
    for x, y, size, text in lines:
        ops.append(f"BT /F1 {size} Tf {turn} {x} {y} Tm ({text}) Tj ET")
    content = DecodedStreamObject()
    content.set_data("\n".join(ops).encode())
    page[NameObject("/Contents")] = writer._add_object(content.flate_encode())
    if rotate:
        page[NameObject("/Rotate")] = NumberObject(rotate)
    return page


def hostile_pdf() -> bytes:
    """Four pages as departments send them: (1) two columns of text from edge to edge, top to
    bottom, with a 「- 1 -」 footer in the middle of the foot; (2) a letter with ordinary
    margins; (3) a landscape table scanned upright (/Rotate 90), two columns edge to edge; (4)
    a drawing, grey up to the corner, no text."""
    writer = PdfWriter()
    edge = [(2, 828 - 24 * i, 11, f"Left column line {i} from the very left edge") for i in range(34)]
    edge += [(420, 828 - 24 * i, 11, f"Right column line {i} to the edge") for i in range(34)]
    edge += [(285, 18, 10, "- 1 -")]
    _text_page(writer, 595, 842, edge)
    letter = [(72, 740, 12, "Dear members of the headquarters,")]
    letter += [(72, 700 - 20 * i, 11, f"Paragraph line {i} within ordinary margins.") for i in range(20)]
    _text_page(writer, 595, 842, letter)
    # Shown turned clockwise, the page's (x, y) is seen at (y, 595 - x): rows run across 842 pt.
    table = [(595 - (582 - 22 * i), 4, 10, f"Row {i} left cell") for i in range(26)]
    table += [(595 - (582 - 22 * i), 660, 10, f"Row {i} right cell at the edge") for i in range(26)]
    _text_page(writer, 595, 842, table, rotate=90)
    _text_page(writer, 595, 842, [], fill=(300, 500, 595, 842))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.fixture
def hostile(toyama, settings, tmp_path):
    from meetings.models import Meeting

    settings.MEDIA_ROOT = tmp_path
    meeting = Meeting.objects.get(fiscal_year=2021, kind="regular", number=4)
    upload = hostile_pdf()
    covid = meeting.handouts.get(kind="material", number=4)
    covid.file = SimpleUploadedFile("covid.pdf", upload)
    handout_save(handout=covid)
    meeting = meeting_detail(meeting.pk)
    parts = packet_parts(meeting)
    index = next(i for i, p in enumerate(parts) if p.stamp == "資料4")
    first = 1 + sum(len(reader(p.content).pages) for p in parts[:index])
    return upload, packet_pdf(meeting).content, first


def _shown(content: bytes) -> list[Word]:
    """``words(content)`` with each page's size as shown: poppler gives the words of a page
    turned by /Rotate in the turned page's coordinates, but the page's size unturned."""
    turned = {n for n, page in enumerate(reader(content).pages, start=1) if page.rotation % 180}
    return [
        replace(w, page_width=w.page_height, page_height=w.page_width) if w.page in turned else w
        for w in words(content)
    ]


def _stamp_box(stamp: Word) -> Word:
    return Word(
        stamp.text,
        stamp.page,
        stamp.page_width,
        stamp.page_height,
        stamp.x0 - STAMP_PADDING,
        stamp.y0 - STAMP_PADDING,
        stamp.x1 + STAMP_PADDING,
        stamp.y1 + STAMP_PADDING,
    )


def test_an_upload_without_margins_is_moved_clear_of_the_stamp_and_the_number(hostile):
    upload, pdf, first = hostile
    alone, laid_out = _shown(upload), _shown(pdf)
    total = len(reader(pdf).pages)
    for page in range(1, 4):
        number = first + page - 1
        own = [w.text for w in alone if w.page == page]
        here = [w for w in laid_out if w.page == number]
        stamp = max((w for w in here if w.text == "資料4"), key=lambda w: w.x1)
        numbered = _number_words(here, number, total)
        assert numbered, f"page {number}: 「{number} / {total}」 not found"
        theirs = [w for w in here if w is not stamp and w not in numbered]
        covered = [w.text for w in theirs if _stamp_box(stamp).overlaps(w)]
        assert not covered, f"page {number}: the stamp covers {covered}"
        covered = [w.text for w in theirs for n in numbered if n.overlaps(w)]
        assert not covered, f"page {number}: the number covers {covered}"
        for word in [stamp, *numbered, *theirs]:
            assert word.inside_page(), (number, word)
        assert stamp.x0 > stamp.page_width * 0.75 and stamp.y1 < stamp.page_height * 0.1, stamp
        assert sorted(w.text for w in theirs) == sorted(own), f"page {number}: text lost or added"
    turned = [w for w in laid_out if w.page == first + 2]
    assert turned[0].page_width > turned[0].page_height  # shown as landscape, the stamp upright in it


def test_a_page_with_margins_is_left_as_it_is_and_one_without_is_scaled_no_more_than_it_must(hostile):
    upload, pdf, first = hostile
    alone, laid_out = _shown(upload), _shown(pdf)
    before = {w.text: w for w in alone if w.page == 2}
    after = {w.text: w for w in laid_out if w.page == first + 1}
    for text, word in before.items():
        moved = after[text]
        assert abs(moved.x0 - word.x0) < 0.5 and abs(moved.y0 - word.y0) < 0.5, (word, moved)
    # The page without margins: shrunk into the band the stamp and the number leave, no smaller.
    edge_before = [w for w in alone if w.page == 1 and w.text == "column"][0]
    edge_after = [w for w in laid_out if w.page == first and w.text == "column"][0]
    scale = (edge_after.x1 - edge_after.x0) / (edge_before.x1 - edge_before.x0)
    assert 0.85 < scale < 0.95, scale


def test_a_drawing_up_to_the_corner_is_moved_too(hostile):
    _, pdf, first = hostile
    page = reader(pdf).pages[first + 2]
    begin = page["/Contents"][0].get_object().get_data()
    assert re.match(rb"q [\d.]+ 0 0 [\d.]+ [\d.-]+ [\d.-]+ cm", begin), (
        begin
    )  # scaled and moved, not left under the stamp


def _assembled(pdf: bytes) -> list:
    from meetings.packet import PacketPart, assemble

    bound = assemble([PacketPart("資料1 x", "資料1", pdf, "x", uploaded=True)], title="会議資料")
    return [page["/Contents"][0].get_object().get_data() for page in reader(bound).pages]


def _letter_and(extra=None) -> bytes:
    writer = PdfWriter()
    _text_page(writer, 595, 842, [(72, 700, 12, "Within ordinary margins")], fill=extra)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_white_paint_is_no_content_and_grey_is(db):
    assert _assembled(_letter_and()) == [b"q\n"]  # left as it is
    # A white background over the whole page shows nothing: still left as it is …
    writer = PdfWriter()
    page = _text_page(writer, 595, 842, [(72, 700, 12, "Within ordinary margins")])
    content = page["/Contents"].get_object()
    content.set_data(b"1 g 0 0 595 842 re f 0 g " + content.get_data())
    out = io.BytesIO()
    writer.write(out)
    assert _assembled(out.getvalue()) == [b"q\n"]
    # … a grey box in the corner is content: moved.
    assert _assembled(_letter_and((500, 800, 595, 842)))[0].endswith(b" cm \n")


def test_an_upload_too_large_to_read_is_fitted_whole_every_page_alike(db, monkeypatch):
    from meetings import packet

    writer = PdfWriter()
    for _ in range(3):
        _text_page(writer, 595, 842, [(72, 700, 12, "Within ordinary margins")])
    out = io.BytesIO()
    writer.write(out)
    assert _assembled(out.getvalue()) == [b"q\n"] * 3
    monkeypatch.setattr(packet, "FIT_BUDGET", 100)  # less than the three pages' content
    begins = _assembled(out.getvalue())
    assert len(set(begins)) == 1 and begins[0].startswith(b"q 0.9"), begins  # not read: fitted as if full


@pytest.mark.parametrize(
    "rotate,shown,top_right",
    [
        (0, (300, 400), (310, 420)),
        (90, (400, 300), (10, 420)),
        (180, (300, 400), (10, 20)),
        (270, (400, 300), (310, 20)),
    ],
)
def test_the_overlay_goes_where_the_page_is_shown(rotate, shown, top_right):
    """Turned clockwise by /Rotate 90, a page shows its top left corner at the top right, and
    so on; a crop box moves the corner with it."""
    from meetings import packet_pages

    writer = PdfWriter()
    page = writer.add_blank_page(400, 500)
    page.cropbox.lower_left, page.cropbox.upper_right = (10, 20), (310, 420)
    page[NameObject("/Rotate")] = NumberObject(rotate)
    view = packet_pages.view(page)
    assert (view.width, view.height) == shown
    corner = view.box(view.width - 1, view.height - 1, view.width, view.height)  # the shown top right
    x0, y0, x1, y1 = (round(v, 6) for v in corner)
    assert x1 - x0 == y1 - y0 == 1 and 10 <= x0 and x1 <= 310 and 20 <= y0 and y1 <= 420
    assert top_right in {(x0, y0), (x0, y1), (x1, y0), (x1, y1)}
