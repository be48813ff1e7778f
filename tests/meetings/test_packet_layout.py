"""The packet as a reader sees it: every page number and every 資料N stamp drawn inside the
page box (portrait and landscape), where a reader looks for it, and no stamp over the text
of the generated documents. Positions come from poppler (``pdftotext -bbox``), which leaves
out anything drawn outside the page — text extraction alone once passed numbers drawn above
the top edge."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfWriter

from meetings.packet import packet_parts, packet_pdf
from meetings.selectors import meeting_detail
from meetings.services import handout_save
from tests.pdf_reading import reader, words

pytestmark = pytest.mark.django_db

STAMP_PADDING = 10.0  # points around the stamp's word: its border and padding (3 mm, 1.2 pt)


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
