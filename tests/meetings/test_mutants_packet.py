"""What scripts/mutation found the packet tests did not pin down. The meeting's own documents
and the generated ones are stood in for by one-page PDFs (their content is tested elsewhere),
so these tests see the packet's own work: which parts in which order, with which bookmark,
stamp and cache key; the bounds on stored files; the packet's name, metadata and cache; page
numbers and stamps on every page; placeholders for parts that cannot be read; and how a stamp
is laid over a page without touching the page's own content."""

import hashlib
import io
import logging

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, NameObject, NumberObject

from meetings import packet
from meetings.models import GeneratedDocument, Handout
from onechoice import uploads
from onechoice.pdf import PDFDocument
from tests import factories
from tests.pdf_reading import outline_titles, page_texts, squash, words

GARBAGE = b"%PDF-1.7\n" + b"\x00garbage" * 50
PLACEHOLDER = "はファイルを読み込めないため、この資料一式には含めていません。事務局にお問い合わせください。"
A4 = (595.28, 841.89)
A4_LANDSCAPE = (841.89, 595.28)


def pdf_bytes(*sizes, text="") -> bytes:
    """Pages of the given sizes; with ``text``, each page shows it (in a compressed stream)."""
    writer = PdfWriter()
    for width, height in sizes or [A4]:
        page = writer.add_blank_page(width, height)
        if text:
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
            content = DecodedStreamObject()
            content.set_data(f"BT /F1 18 Tf 72 720 Td ({text}) Tj ET".encode())
            page[NameObject("/Contents")] = writer._add_object(content.flate_encode())
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def part(title, stamp="", content=None, *, name="", uploaded=False, pages=1):
    content = pdf_bytes(*[A4] * pages, text=title.split()[0]) if content is None else content
    return packet.PacketPart(title, stamp, content, f"key:{title}", name=name, uploaded=uploaded)


# --- which parts (documents stood in for) --------------------------------------------------------


@pytest.fixture
def documents(monkeypatch):
    """The documents the packet binds, stood in for by one-page PDFs; their calls recorded."""
    calls = []

    def stand_in(name):
        def document(*args, **kwargs):
            calls.append((name, args, kwargs))
            which = args[0] if isinstance(args[0], int) else "meeting"
            return PDFDocument(pdf_bytes(text=name), f"{name}.pdf", f"{name}.pdf", f"etag-{name}-{which}")

        return document

    for module, name in [
        (packet.documents, "agenda_pdf"),
        (packet.documents, "attendees_pdf"),
        (packet.documents, "seating_pdf"),
        (packet.documents, "schedule_pdf"),
        (packet.workgroup_documents, "wg_status_pdf"),
        (packet.project_documents, "progress_report_pdf"),
        (packet.project_documents, "next_year_items_pdf"),
    ]:
        monkeypatch.setattr(module, name, stand_in(name))
    return calls


@pytest.fixture
def meeting(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return factories.meeting(fiscal_year=2021, number=4)


def stored(meeting, kind, number, content: bytes, *, title=None, **fields):
    """A handout whose file is in the storage as it was stored (not cleaned again)."""
    name = default_storage.save(f"handouts/{kind}{number}.pdf", ContentFile(content))
    handout = Handout.objects.create(meeting=meeting, kind=kind, number=number, title=title or f"題{number}", **fields)
    Handout.objects.filter(pk=handout.pk).update(file=name)
    return Handout.objects.get(pk=handout.pk)


def test_the_parts_in_order_with_their_bookmarks_stamps_and_keys(meeting, documents):
    reference = stored(meeting, "reference", 1, b"reference bytes", title="参考")
    stored(meeting, "reference", 2, b"left out", in_packet=False)
    Handout.objects.create(
        meeting=meeting, kind="material", number=2, title="状況", document=GeneratedDocument.WG_STATUS
    )
    first = stored(meeting, "material", 1, b"first bytes", title="最初")
    Handout.objects.create(meeting=meeting, kind="material", number=3, title="紙だけ")  # handed out on paper
    parts = packet.packet_parts(meeting)
    assert [(p.title, p.stamp) for p in parts] == [
        ("次第", ""),
        ("出席者名簿", ""),
        ("配席図", ""),
        ("資料1 最初", "資料1"),
        ("資料2 状況", "資料2"),
        ("参考資料1 参考", "参考資料1"),
    ]
    assert [p.key for p in parts[:3]] == [
        "etag-agenda_pdf-meeting",
        "etag-attendees_pdf-meeting",
        "etag-seating_pdf-meeting",
    ]
    assert all(args == (meeting,) and kwargs == {"in_packet": True} for _, args, kwargs in documents[:3])
    uploads_ = {p.stamp: p for p in parts if p.uploaded}
    assert set(uploads_) == {"資料1", "参考資料1"}
    assert (uploads_["資料1"].content, uploads_["資料1"].name) == (b"first bytes", first.title)
    assert uploads_["参考資料1"].key == hashlib.sha256(b"reference bytes").hexdigest()
    assert reference.title == uploads_["参考資料1"].name
    generated = parts[4]
    assert (generated.uploaded, generated.name, generated.key) == (False, "", "etag-wg_status_pdf-2021")


@pytest.mark.parametrize(
    "document, calls",
    [
        (GeneratedDocument.WG_STATUS, [("wg_status_pdf", 2021)]),
        (GeneratedDocument.PROGRESS_REPORT, [("wg_status_pdf", 2021), ("progress_report_pdf", 2021)]),
        (GeneratedDocument.NEXT_YEAR_ITEMS, [("next_year_items_pdf", 2022)]),
        (GeneratedDocument.ANNUAL_SCHEDULE, [("schedule_pdf", 2022)]),
    ],
)
@pytest.mark.parametrize("public", [False, True])
def test_a_generated_handout_binds_its_documents_of_the_right_year(meeting, documents, document, calls, public):
    Handout.objects.create(meeting=meeting, kind="material", number=1, title="資料", document=document)
    parts = packet.packet_parts(meeting, public=public)
    made = documents[3:]
    assert [(name, args[0]) for name, args, _ in made] == calls
    assert all(kwargs == {"in_packet": True, "public": public} for _, _, kwargs in made)
    generated = parts[3]
    assert generated.key == "+".join(f"etag-{name}-{year}" for name, year in calls)
    assert len(PdfReader(io.BytesIO(generated.content)).pages) == len(calls)  # merged in order
    assert page_texts(generated.content) == [squash(name) for name, _ in calls]


def test_a_stored_file_that_cannot_be_read_is_a_part_without_content(meeting, documents, caplog):
    handout = stored(meeting, "material", 1, b"x")
    default_storage.delete(handout.file.name)
    with caplog.at_level(logging.ERROR, logger="meetings.packet"):
        gone = packet.packet_parts(meeting)[3]
    assert (gone.content, gone.key, gone.uploaded) == (None, f"unreadable:{handout.file.name}", True)
    assert [r.getMessage() for r in caplog.records] == [
        f"Packet: 資料1 (handout {handout.pk}): cannot read {handout.file.name}"
    ]


def test_a_stored_file_may_be_twice_the_upload_bound_and_no_larger(meeting, documents, settings, caplog):
    settings.HANDOUT_MAX_BYTES = 10
    at_bound = stored(meeting, "material", 1, b"x" * 20)
    over = stored(meeting, "material", 2, b"x" * 21)
    with caplog.at_level(logging.ERROR, logger="meetings.packet"):
        parts = packet.packet_parts(meeting)
    assert parts[3].content == b"x" * 20 and parts[4].content is None
    assert parts[4].key == f"unreadable:{over.file.name}"
    assert [r.getMessage() for r in caplog.records] == [
        f"Packet: 資料2 (handout {over.pk}): {over.file.name} is over 20 bytes"
    ]
    assert at_bound.pk != over.pk


def test_the_packets_names_metadata_and_cache(meeting, documents, monkeypatch):
    stored(meeting, "material", 1, pdf_bytes(text="upload"), title="最初")
    built = []
    real = packet.assemble
    monkeypatch.setattr(packet, "assemble", lambda parts, *, title: built.append(title) or real(parts, title=title))
    document = packet.packet_pdf(meeting)
    assert (document.filename, document.ascii_filename) == (
        "令和3年度第4回_会議資料一式.pdf",
        "onechoice_2021-4_packet.pdf",
    )
    assert built == ["令和3年度第4回本部会議 会議資料"]
    metadata = PdfReader(io.BytesIO(document.content)).metadata
    assert (metadata["/Title"], metadata["/Author"]) == (
        "令和3年度第4回本部会議 会議資料",
        "富山県 ワンチームとやま推進室",
    )
    again = packet.packet_pdf(meeting)
    assert again.etag == document.etag and again.content == document.content and len(built) == 1
    # any part's bookmark, stamp or bytes makes another packet
    Handout.objects.filter(meeting=meeting).update(title="改題")
    retitled = packet.packet_pdf(meeting)
    Handout.objects.filter(meeting=meeting).update(kind="reference")
    restamped = packet.packet_pdf(meeting)
    assert len({document.etag, retitled.etag, restamped.etag}) == 3 and len(built) == 3


def test_the_key_tells_the_parts_fields_apart(meeting, monkeypatch):
    monkeypatch.setattr(packet, "assemble", lambda parts, *, title: b"%PDF")
    keys = []
    for fields in [("a", "b", "c"), ("a", "bc", ""), ("ab", "", "c"), ("a", "", "bc")]:
        monkeypatch.setattr(
            packet, "packet_parts", lambda m, public=False, f=fields: [packet.PacketPart(*f[:2], b"", f[2])]
        )
        keys.append(packet.packet_pdf(meeting).etag)
    assert len(set(keys)) == 4


# --- the packet as bound -----------------------------------------------------------------------------


def test_every_page_gets_its_number_and_every_handout_page_its_stamp(db):
    parts = [
        part("次第"),
        part("資料1 図面", "資料1", pdf_bytes(A4, A4_LANDSCAPE, text="Drawing"), name="図面", uploaded=True),
        part("参考資料1 表", "参考資料1", name="表", uploaded=True),
    ]
    content = packet.assemble(parts, title="会議資料")
    pages = page_texts(content)
    assert len(pages) == 4
    assert all(f"{n}/4" in page for n, page in enumerate(pages, start=1))
    assert "資料" not in pages[0]
    assert "資料1" in pages[1] and "資料1" in pages[2] and "参考資料1" in pages[3]
    assert outline_titles(content) == ["次第", "資料1 図面", "参考資料1 表"]
    document = PdfReader(io.BytesIO(content))
    assert [tuple(round(float(v), 2) for v in p.mediabox[2:]) for p in document.pages] == [
        A4,
        A4,
        A4_LANDSCAPE,
        A4,
    ]
    assert document.metadata["/Title"] == "会議資料" and document.page_mode == "/UseOutlines"
    for page in document.pages:  # each stamp drawing is as large as its page
        stamp = page["/Resources"]["/XObject"]["/OnechoiceStamp"].get_object()
        assert [round(float(v), 2) for v in stamp["/BBox"]] == [round(float(v), 2) for v in page.mediabox]


def test_a_part_without_content_is_bound_as_a_placeholder_page(db, caplog):
    parts = [part("次第", content=None), part("資料1 消えた", "資料1", name="消えた", uploaded=True)]
    parts[0].content = None
    parts[1].content = None
    with caplog.at_level(logging.ERROR, logger="meetings.packet"):
        content = packet.assemble(parts, title="会議資料")
    pages = page_texts(content)
    assert f"次第{PLACEHOLDER}" in pages[0]  # the meeting's own document: by its title
    assert f"資料1（消えた）{PLACEHOLDER}" in pages[1] and "資料1" in pages[1]
    assert outline_titles(content) == ["次第", "資料1 消えた"]
    assert not caplog.records  # known before the merge: nothing to report


def encrypted_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(*A4)
    writer.encrypt("secret")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@pytest.mark.parametrize(
    "bad",
    [
        GARBAGE,
        encrypted_pdf(),
        pdf_bytes((uploads.MAX_PAGE_SIDE + 1, 100)),  # a page larger than any viewer shows
        pdf_bytes((0.0, 100)),  # a page of no width
    ],
    ids=["garbage", "encrypted", "too large", "no width"],
)
def test_a_part_that_cannot_be_bound_is_logged_and_replaced_by_a_placeholder(db, caplog, bad):
    parts = [part("次第"), part("資料1 悪い", "資料1", bad, name="悪い", uploaded=True), part("資料2 良い", "資料2")]
    with caplog.at_level(logging.ERROR, logger="meetings.packet"):
        content = packet.assemble(parts, title="会議資料")
    pages = page_texts(content)
    assert len(pages) == 3
    assert f"資料1（悪い）{PLACEHOLDER}" in pages[1] and "資料2" in pages[2] and "3/3" in pages[2]
    assert len(caplog.records) == 1
    assert caplog.records[0].getMessage().startswith("Packet 会議資料: 資料1 悪い left out, cannot be read or merged: ")
    assert caplog.records[0].exc_info is not None


def test_a_part_of_no_pages_is_replaced_by_a_placeholder(db, caplog):
    empty = PdfWriter()
    out = io.BytesIO()
    empty.write(out)
    parts = [part("次第"), part("資料1 空", "資料1", out.getvalue(), name="空", uploaded=True)]
    with caplog.at_level(logging.ERROR, logger="meetings.packet"):
        pages = page_texts(packet.assemble(parts, title="会議資料"))
    assert len(pages) == 2 and f"資料1（空）{PLACEHOLDER}" in pages[1]
    assert "ValueError('no pages')" in caplog.records[0].getMessage()


def test_only_uploaded_parts_are_scrubbed_again(db, monkeypatch):
    scrubbed = []
    monkeypatch.setattr(packet.uploads, "scrub", lambda reader: scrubbed.append(len(reader.pages)))
    parts = [part("次第"), part("資料1 図面", "資料1", pages=2, uploaded=True), part("資料2 生成", "資料2", pages=3)]
    packet.assemble(parts, title="会議資料")
    assert scrubbed == [2]


def test_when_the_placeholder_itself_fails_the_cause_is_raised(db, monkeypatch):
    monkeypatch.setattr(packet, "_placeholder", lambda part: b"not a pdf")
    parts = [part("次第")]
    parts[0].content = None
    with pytest.raises(Exception) as error:
        packet.assemble(parts, title="会議資料")
    assert not isinstance(error.value, packet._PartFailed)


def test_the_stamp_leaves_the_pages_own_content_as_it_was(db):
    source = pdf_bytes(A4, text="Original")
    original = PdfReader(io.BytesIO(source)).pages[0]["/Contents"].get_object()
    content = packet.assemble([part("資料1 x", "資料1", source, uploaded=True)], title="会議資料")
    page = PdfReader(io.BytesIO(content)).pages[0]
    streams = [s.get_object() for s in page["/Contents"]]
    assert len(streams) == 3
    assert streams[0].get_data() == b"q\n"
    assert streams[1]["/Filter"] == "/FlateDecode" and streams[1]._data == original._data  # never decoded
    assert streams[2].get_data() == b"\nQ\n/Artifact BMC q /OnechoiceStamp Do Q EMC\n"
    stamp = page["/Resources"]["/XObject"]["/OnechoiceStamp"].get_object()
    assert (stamp["/Type"], stamp["/Subtype"], stamp["/Filter"]) == ("/XObject", "/Form", "/FlateDecode")
    assert "/Font" in stamp["/Resources"]  # the stamp's and the number's text has its fonts
    assert "/F1" in page["/Resources"]["/Font"]  # the page keeps its own
    assert "Original" in page_texts(content)[0]


def _page_with(writer, *, resources=None, contents=None):
    page = writer.add_blank_page(*A4)
    if resources is None:
        del page[NameObject("/Resources")]
    else:
        page[NameObject("/Resources")] = resources
    if contents is not None:
        page[NameObject("/Contents")] = contents
    return page


def test_stamps_on_pages_that_share_resources_or_have_a_stamp_of_that_name_already(db):
    writer = PdfWriter()
    mine = DecodedStreamObject()
    mine.set_data(b"")
    mine.update({NameObject("/Type"): NameObject("/XObject"), NameObject("/Subtype"): NameObject("/Form")})
    mine[NameObject("/BBox")] = ArrayObject([NumberObject(0), NumberObject(0), NumberObject(1), NumberObject(1)])
    shared = writer._add_object(
        DictionaryObject(
            {NameObject("/XObject"): DictionaryObject({NameObject("/OnechoiceStamp"): writer._add_object(mine)})}
        )
    )
    drawing = DecodedStreamObject()
    drawing.set_data(b"0 0 m")
    first = _page_with(writer, resources=shared, contents=ArrayObject([writer._add_object(drawing)]))
    second = _page_with(writer, resources=shared)
    _page_with(writer)  # no resources and no content at all
    out = io.BytesIO()
    writer.write(out)
    del first, second
    content = packet.assemble([part("資料1 x", "資料1", out.getvalue(), uploaded=True)], title="会議資料")
    pages = PdfReader(io.BytesIO(content)).pages
    for page in pages[:2]:
        xobjects = page["/Resources"]["/XObject"]
        assert set(xobjects) == {"/OnechoiceStamp", "/OnechoiceStamp_"}  # theirs kept, ours beside it
        assert page["/Contents"][-1].get_object().get_data() == b"\nQ\n/Artifact BMC q /OnechoiceStamp_ Do Q EMC\n"
    # each page draws its own stamp (資料1 and its number), not the other page's
    drawings = [p["/Resources"]["/XObject"]["/OnechoiceStamp_"].get_object().get_data() for p in pages[:2]]
    assert drawings[0] != drawings[1]
    assert [s.get_object().get_data() for s in pages[0]["/Contents"]][:2] == [b"q\n", b"0 0 m"]
    assert [s.get_object().get_data() for s in pages[1]["/Contents"]][:1] == [b"q\n"]
    assert len(pages[2]["/Contents"]) == 2 and "/OnechoiceStamp" in pages[2]["/Resources"]["/XObject"]
    assert [squash(p.extract_text()) for p in pages] == ["資料11/3", "資料12/3", "資料13/3"]


def test_the_first_part_that_cannot_be_written_is_found(db):
    bad = part("資料1 x", "資料1", GARBAGE)
    assert packet._unwritable([part("次第"), bad, part("資料2 y", "資料2")], set()) == 1
    assert packet._unwritable([bad, part("次第"), bad], {0}) == 2  # parts left out already are skipped


def test_parts_that_each_can_be_written_are_no_culprit(db):
    with pytest.raises(RuntimeError):
        packet._unwritable([part("次第"), part("資料1 x", "資料1")], set())
    with pytest.raises(RuntimeError):
        packet._unwritable([part("次第"), part("資料1 x", "資料1", GARBAGE)], {1})


# --- uploads fitted clear of the stamp and the number; the overlay on the page as shown -----------

MM = 72 / 25.4
W, H = 595.0, 842.0


def grey_page(*boxes, size=(W, H), crop=None, annotations=()) -> bytes:
    """One page painting grey ``boxes`` (x0, y0, x1, y1), optionally cropped, with
    annotations (a reviewer's boxes) of the given rectangles."""
    writer = PdfWriter()
    page = writer.add_blank_page(*size)
    content = DecodedStreamObject()
    content.set_data(" ".join(f"0.5 g {x0} {y0} {x1 - x0} {y1 - y0} re f" for x0, y0, x1, y1 in boxes).encode())
    page[NameObject("/Contents")] = writer._add_object(content.flate_encode())
    if crop:
        page.cropbox.lower_left, page.cropbox.upper_right = crop[:2], crop[2:]
    if annotations:
        links = []
        for rect in annotations:
            link = DictionaryObject(
                {NameObject("/Type"): NameObject("/Annot"), NameObject("/Subtype"): NameObject("/Square")}
            )
            link[NameObject("/Rect")] = ArrayObject(NumberObject(v) for v in rect)
            links.append(writer._add_object(link))
        page[NameObject("/Annots")] = ArrayObject(links)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def bound(content, stamp="資料1", *, uploaded=True):
    title = f"{stamp} x" if stamp else "次第"
    return PdfReader(
        io.BytesIO(packet.assemble([packet.PacketPart(title, stamp, content, "k", uploaded=uploaded)], title="t"))
    )


def begin(document, index=0) -> bytes:
    return document.pages[index]["/Contents"][0].get_object().get_data()


def moved(dx, dy, scale=1.0) -> bytes:
    return f"q {packet.pages.cm((scale, 0.0, 0.0, scale, dx, dy))}\n".encode()


def test_an_upload_in_the_stamps_corner_is_moved_down_by_the_stamps_height_only_when_stamped(db):
    corner = grey_page((500, 800, W, H))
    assert begin(bound(corner)) == moved(0.0, -17 * MM)  # just below the stamp's corner
    assert begin(bound(corner, stamp="")) == b"q\n"  # no stamp on it: the corner is free
    assert begin(bound(corner, uploaded=False)) == b"q\n"  # our own documents leave the room


def test_an_upload_at_the_foot_is_lifted_by_the_numbers_height(db):
    foot = grey_page((250, 0, 345, 20))
    assert begin(bound(foot)) == moved(0.0, 12 * MM)
    assert begin(bound(foot, stamp="")) == moved(0.0, 12 * MM)
    beside = grey_page((0, 0, 200, 20))  # at the foot, but left of the number's place
    assert begin(bound(beside)) == b"q\n"


def test_an_upload_not_read_is_fitted_whole_into_the_band_the_stamp_and_the_number_leave(db, monkeypatch):
    monkeypatch.setattr(packet, "FIT_BUDGET", 0)
    full = grey_page((100, 100, 200, 200))  # would be left alone if it were read
    scale = (H - 12 * MM - 17 * MM) / H
    assert begin(bound(full)) == moved(W / 2 * (1 - scale), 12 * MM, scale)
    scale = (H - 12 * MM) / H  # no stamp: only the number's place is kept
    assert begin(bound(full, stamp="")) == moved(W / 2 * (1 - scale), 12 * MM, scale)


def test_an_upload_within_the_budget_is_read_and_one_past_it_is_not(db, monkeypatch):
    content = grey_page((100, 100, 200, 200))
    page = PdfReader(io.BytesIO(content)).pages[0]
    decoded = len(page["/Contents"].get_object().get_data())
    stored = len(page["/Contents"].get_object()._data)
    monkeypatch.setattr(packet, "FIT_BUDGET", max(stored, decoded))
    assert begin(bound(content)) == b"q\n"  # read: clear of both, left as it is
    monkeypatch.setattr(packet, "FIT_BUDGET", min(stored, decoded) - 1)
    assert begin(bound(content)) != b"q\n"  # not read: fitted as if full


def test_the_pages_of_one_upload_are_all_read_or_none(db, monkeypatch):
    writer = PdfWriter()
    for _ in range(2):
        writer.append(PdfReader(io.BytesIO(grey_page((100, 100, 200, 200)))))
    out = io.BytesIO()
    writer.write(out)
    two = out.getvalue()
    page = PdfReader(io.BytesIO(two)).pages[0]
    one = max(len(page["/Contents"].get_object()._data), len(page["/Contents"].get_object().get_data()))
    monkeypatch.setattr(packet, "FIT_BUDGET", one + 1)  # room to read the first page, not both
    document = bound(two)
    assert begin(document, 0) == begin(document, 1) != b"q\n"  # both fitted alike, as if full
    monkeypatch.setattr(packet, "FIT_BUDGET", 4 * one)
    document = bound(two)
    assert begin(document, 0) == begin(document, 1) == b"q\n"


def test_a_placeholder_for_an_upload_is_not_fitted(db):
    document = bound(None)
    assert begin(document) == b"q\n"
    assert "資料1" in document.pages[0].extract_text()


def test_annotations_on_an_upload_move_with_its_content(db):
    document = bound(grey_page((250, 0, 345, 20), annotations=[(250, 0, 345, 20)]))
    link = document.pages[0]["/Annots"][0].get_object()
    assert [round(float(v), 3) for v in link["/Rect"]] == [250, round(12 * MM, 3), 345, round(20 + 12 * MM, 3)]
    document = bound(grey_page((100, 100, 200, 200), annotations=[(100, 100, 200, 200)]))
    assert [float(v) for v in document.pages[0]["/Annots"][0].get_object()["/Rect"]] == [100, 100, 200, 200]


def test_on_a_cropped_page_the_stamp_and_the_number_are_drawn_in_the_crop_box(db):
    document = bound(grey_page((200, 300, 300, 400), size=(700, 900), crop=(50, 60, 650, 860)), stamp="資料1")
    page = document.pages[0]
    assert (
        page["/Contents"][-1].get_object().get_data()
        == b"\nQ\n/Artifact BMC q 1 0 0 1 50 60 cm /OnechoiceStamp Do Q EMC\n"
    )
    stamp = page["/Resources"]["/XObject"]["/OnechoiceStamp"].get_object()
    assert [float(v) for v in stamp["/BBox"]] == [0, 0, 600, 800]  # the overlay page: the crop box's size
    laid_out = words(packet_bytes(document))  # poppler: the media box, top-left origin
    drawn = [w for w in laid_out if w.text in ("資料1", "1", "/")]
    assert {w.text for w in drawn} >= {"資料1", "1", "/"}
    for word in drawn:  # the crop box, 50 … 650 across, 40 … 840 down
        assert 50 <= word.x0 < word.x1 <= 650 and 40 <= word.y0 < word.y1 <= 840, word
    mark = next(w for w in drawn if w.text == "資料1")
    assert mark.x0 > 50 + 600 * 0.75 and mark.y1 < 40 + 800 * 0.1, mark
    number = next(w for w in drawn if w.text == "/")
    assert number.y0 > 40 + 800 * 0.9 and abs((number.x0 + number.x1) / 2 - 350) < 15, number


def test_a_turned_page_gets_the_overlay_turned_with_it(db):
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(grey_page((200, 300, 300, 400)))))
    writer.pages[0].rotate(90)
    out = io.BytesIO()
    writer.write(out)
    page = bound(out.getvalue()).pages[0]
    assert page["/Contents"][-1].get_object().get_data() == (
        f"\nQ\n/Artifact BMC q {packet.pages.cm((0.0, 1.0, -1.0, 0.0, W, 0.0))}/OnechoiceStamp Do Q EMC\n".encode()
    )
    stamp = page["/Resources"]["/XObject"]["/OnechoiceStamp"].get_object()
    assert [round(float(v), 2) for v in stamp["/BBox"]] == [0, 0, H, W]  # shown landscape


def packet_bytes(document) -> bytes:
    out = io.BytesIO()
    PdfWriter(clone_from=document).write(out)
    return out.getvalue()


@pytest.mark.parametrize(
    "name, value",
    [("LAYOUT", 99), ("STAMP_AREA", (1.0, 1.0)), ("NUMBER_AREA", (1.0, 1.0)), ("FIT_BUDGET", 7)],
)
def test_how_pages_are_fitted_is_part_of_the_packets_key(meeting, monkeypatch, name, value):
    monkeypatch.setattr(packet, "assemble", lambda parts, *, title: b"%PDF")
    monkeypatch.setattr(packet, "packet_parts", lambda m, public=False: [packet.PacketPart("次第", "", b"", "k")])
    before = packet.packet_pdf(meeting).etag
    monkeypatch.setattr(packet, name, value)
    assert packet.packet_pdf(meeting).etag != before


def test_a_placeholder_page_has_only_the_packets_running_number(db):
    parts = [part("次第"), part("資料1 消えた", "資料1", name="消えた", uploaded=True)]
    parts[1].content = None
    pages = page_texts(packet.assemble(parts, title="会議資料"))
    assert pages[1].count("/") == 1 and pages[1].endswith("2/2"), pages[1]  # no 「1 / 1」 of its own


@pytest.mark.parametrize("public", [False, True])
def test_the_packet_binds_the_generated_documents_for_its_audience(meeting, documents, monkeypatch, public):
    monkeypatch.setattr(packet, "assemble", lambda parts, *, title: b"%PDF")
    Handout.objects.create(
        meeting=meeting, kind="material", number=1, title="状況", document=GeneratedDocument.WG_STATUS
    )
    packet.packet_pdf(meeting, public=public)
    assert [kwargs["public"] for name, _, kwargs in documents if name == "wg_status_pdf"] == [public]
    assert all(kwargs["public"] is public for name, _, kwargs in documents if name == "wg_status_pdf")


def test_by_default_the_packet_and_its_parts_are_the_staffs(meeting, documents, monkeypatch):
    monkeypatch.setattr(packet, "assemble", lambda parts, *, title: b"%PDF")
    Handout.objects.create(
        meeting=meeting, kind="material", number=1, title="状況", document=GeneratedDocument.WG_STATUS
    )
    packet.packet_parts(meeting)
    packet.packet_pdf(meeting)
    assert [kwargs["public"] for name, _, kwargs in documents if name == "wg_status_pdf"] == [False, False]


def test_a_single_generated_document_is_bound_as_it_was_rendered(meeting, documents, monkeypatch):
    rendered = pdf_bytes(A4, A4_LANDSCAPE, text="status")
    monkeypatch.setattr(
        packet.workgroup_documents,
        "wg_status_pdf",
        lambda year, **kwargs: PDFDocument(rendered, "wg.pdf", "wg.pdf", "etag-wg"),
    )
    Handout.objects.create(
        meeting=meeting, kind="material", number=1, title="状況", document=GeneratedDocument.WG_STATUS
    )
    assert packet.packet_parts(meeting)[3].content == rendered  # its cached bytes, not written again


def test_a_changed_overlay_template_makes_another_packet(meeting, monkeypatch):
    monkeypatch.setattr(packet, "assemble", lambda parts, *, title: b"%PDF")
    monkeypatch.setattr(packet, "packet_parts", lambda m, public=False: [packet.PacketPart("次第", "", b"", "k")])
    before = packet.packet_pdf(meeting).etag
    monkeypatch.setattr(packet, "_overlay_source", lambda: "<p>the stamp moved</p>")
    assert packet.packet_pdf(meeting).etag != before


@pytest.mark.parametrize(
    "box, lift",
    [
        ((245, 0, 275, 20), 12 * MM),  # the left of the number's place (40 mm wide, centred)
        ((320, 0, 350, 20), 12 * MM),  # its right
        ((250, 0, 345, 0.3), 12 * MM),  # a hairline on the very foot
        ((0, 0, 300, 20), 12 * MM),  # from the left edge across it: lifted, not moved across
        ((400, 0, 500, 20), None),  # right of the number's place: left alone
        ((470, 810, 540, H), -17 * MM),  # the stamp's corner is 46 mm wide
    ],
)
def test_the_number_and_the_stamp_keep_exactly_their_places_free(db, box, lift):
    expected = b"q\n" if lift is None else moved(0.0, lift)
    assert begin(bound(grey_page(box))) == expected


def test_a_packet_that_cannot_be_written_says_so(db):
    with pytest.raises(RuntimeError, match=r"^the packet cannot be written, though each of its parts can$"):
        packet._unwritable([part("次第"), part("資料1 x", "資料1")], set())
