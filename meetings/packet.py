"""The meeting packet (会議資料一式): agenda, attendee list, seating chart, then every handout
flagged ``in_packet`` in number order, merged into one PDF with one bookmark per document,
資料N stamped at the top right of each page of a handout, and page numbers running through.

Each part is rendered (and cached) on its own; a change to one record re-renders only the
documents it appears in. WeasyPrint cannot place existing PDF pages, so parts are merged with
pypdf and the stamps and numbers are drawn by one small WeasyPrint render laid over them.

One bad part never fails the packet: an uploaded file that cannot be read from the storage,
or any part pypdf cannot read or merge, is logged and bound as one page saying so (rendered
by the same engine, ``packet_placeholder.html``), under its own bookmark and stamp. Uploads
are refused at upload for what would fail here (``onechoice.uploads``); the placeholder is for
files stored before those checks, or broken since. A material asked of a department or an
organisation and not accepted yet (資料提出) is bound the same way, as one page naming it,
whom it was asked of and by when (``packet_missing.html``), so the packet shows the gap.

Every page carries its number, and a handout's page its stamp, where a reader looks: the
overlay is drawn in the page's visible box (crop box) as the page is shown (``/Rotate``). The
meeting's own and generated documents are rendered for the packet without their own 「1 / 1」
footer (``in_packet``), so each page has one number. An uploaded page whose content reaches the
stamp's corner or the number's place at the foot is moved, or scaled when it must, into the
part of the page they leave free (``_fitting``); what a page paints is read from its content
streams within a budget, and a page not read is fitted as if it were full.

The packet is the one document that composes several apps: it binds the items' and the WGs'
documents, so ``meetings`` sits above ``projects`` and ``workgroups`` (neither imports it).
"""

from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.template.loader import get_template, render_to_string
from pypdf import PageObject, PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DecodedStreamObject, DictionaryObject, NameObject

from onechoice import jpdates, uploads
from onechoice.pdf import PDFDocument, cached_pdf, engine, fingerprint, render_html
from projects import documents as project_documents
from workgroups import documents as workgroup_documents

from . import documents, packet_tags
from . import packet_pages as pages
from .models import GeneratedDocument, Handout, HandoutKind, MaterialRequest, MaterialState, Meeting

logger = logging.getLogger(__name__)

OVERLAY_TEMPLATE = "meetings/pdf/packet_overlay.html"
PLACEHOLDER_TEMPLATE = "meetings/pdf/packet_placeholder.html"
MISSING_TEMPLATE = "meetings/pdf/packet_missing.html"

MM = 72 / 25.4
# What the overlay (packet_overlay.html) covers, with a clearance, in points of the page as
# shown: the stamp's corner (width from the right edge, height from the top edge; 参考資料10 is
# its widest) and the number's place at the foot (width centred, height from the bottom edge).
STAMP_AREA = (46 * MM, 17 * MM)
NUMBER_AREA = (40 * MM, 12 * MM)
# Bytes of page content read per packet to find what uploaded pages paint (about 1 s a MB on
# this kind of machine); an upload whose pages do not fit in what is left is not read, and
# its pages are fitted as if their content filled them.
FIT_BUDGET = 1_000_000
LAYOUT = 3  # how pages are bound, stamped and fitted (part of the packet's cache key): bump on change


@dataclass
class PacketPart:
    title: str  # the bookmark
    stamp: str  # 資料1 … or "" for the meeting's own documents
    content: bytes | None  # None: the uploaded file could not be read
    key: str  # what identifies the content, for the packet's cache key
    name: str = ""  # the handout's title, for the placeholder page
    uploaded: bool = False  # an uploaded file (scrubbed again when merged), not a document of ours
    missing: dict | None = None  # a requested material not accepted yet: what its page says


def _generated(handout: Handout, meeting: Meeting, public: bool) -> list[PDFDocument]:
    year = meeting.fiscal_year
    match handout.document:
        case GeneratedDocument.PROGRESS_REPORT:
            return [
                workgroup_documents.wg_status_pdf(year, in_packet=True, public=public),
                project_documents.progress_report_pdf(year, in_packet=True, public=public),
            ]
        case GeneratedDocument.WG_STATUS:
            return [workgroup_documents.wg_status_pdf(year, in_packet=True, public=public)]
        case GeneratedDocument.NEXT_YEAR_ITEMS:
            return [project_documents.next_year_items_pdf(year + 1, in_packet=True, public=public)]
        case GeneratedDocument.ANNUAL_SCHEDULE:
            return [documents.schedule_pdf(year + 1, in_packet=True, public=public)]
        case GeneratedDocument.PLAN_BUNDLE:
            return [project_documents.plan_bundle_of_year_pdf(year, in_packet=True, public=public)]
    return []


def _merge(docs: list[bytes]) -> bytes:
    """A handout of several generated documents (the items' sheets) as one, tags kept."""
    writer = PdfWriter()
    tagged = []
    for content in docs:
        reader = PdfReader(io.BytesIO(content))
        first = len(writer.pages)
        writer.append(reader)
        if packet_tags.is_tagged(reader):
            tagged.append((reader, first))
    if tagged:
        packet_tags.merge_structure(writer, tagged)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def packet_parts(meeting: Meeting, *, public: bool = False) -> list[PacketPart]:
    """The packet's documents in order; handouts with neither a file nor a generated
    document are left out (they are handed out on paper). For the public, ``meeting``
    comes with its public handouts only and generated documents hold published items only."""
    own = [
        ("次第", documents.agenda_pdf(meeting, in_packet=True)),
        ("出席者名簿", documents.attendees_pdf(meeting, in_packet=True)),
        ("配席図", documents.seating_pdf(meeting, in_packet=True)),
    ]
    parts = [PacketPart(title, "", doc.content, doc.etag) for title, doc in own]
    handouts = sorted(
        (h for h in meeting.handouts.all() if h.in_packet),
        key=lambda h: (h.kind != HandoutKind.MATERIAL, h.number),
    )
    for handout in handouts:
        title = f"{handout.label} {handout.title}"
        if handout.file:
            content = _stored_file(handout)
            key = hashlib.sha256(content).hexdigest() if content is not None else f"unreadable:{handout.file.name}"
            parts.append(PacketPart(title, handout.label, content, key, name=handout.title, uploaded=True))
        elif handout.document:
            generated = _generated(handout, meeting, public)
            content = generated[0].content if len(generated) == 1 else _merge([d.content for d in generated])
            parts.append(PacketPart(title, handout.label, content, "+".join(d.etag for d in generated)))
        elif (request := _pending_request(handout)) is not None:
            missing = {
                "state": request.state,
                "state_label": "未提出"
                if request.state != MaterialState.SUBMITTED
                else "未確定（提出済・事務局で確認中）",
                "asked_of": request.asked_of,
                "deadline": jpdates.format_date(request.deadline),
            }
            key = "missing:" + "\0".join(missing.values())
            parts.append(PacketPart(title, handout.label, None, key, name=handout.title, missing=missing))
    return parts


def _pending_request(handout: Handout) -> MaterialRequest | None:
    """The handout's material request if it is not accepted yet (``meeting_detail`` reads it
    with the handout; else one query)."""
    try:
        request = handout.material_request
    except MaterialRequest.DoesNotExist:
        return None
    return request if request.state != MaterialState.ACCEPTED else None


def _stored_file(handout: Handout) -> bytes | None:
    """The handout's stored PDF, or None (logged) if the storage cannot give it or it is far
    larger than any upload may be (a file stored before the bounds)."""
    limit = 2 * settings.HANDOUT_MAX_BYTES  # cleaning may spread a file's object streams out
    try:
        with handout.file.open("rb") as fh:
            content = fh.read(limit + 1)
    except Exception:
        logger.exception("Packet: %s (handout %s): cannot read %s", handout.label, handout.pk, handout.file.name)
        return None
    if len(content) > limit:
        logger.error(
            "Packet: %s (handout %s): %s is over %d bytes", handout.label, handout.pk, handout.file.name, limit
        )
        return None
    return content


@cache
def _overlay_source() -> str:
    return get_template(OVERLAY_TEMPLATE).template.source


def _overlay(page_sizes: list[tuple[float, float]], stamps: list[str]) -> bytes:
    """One transparent page per packet page, of its size as shown, with its stamp and its
    number."""
    sizes = sorted(set(page_sizes))
    html = render_to_string(
        OVERLAY_TEMPLATE,
        {
            "page_sizes": [(f"s{i}", w, h) for i, (w, h) in enumerate(sizes)],
            "pages": [
                {
                    "size": f"s{sizes.index(size)}",
                    "width": size[0],
                    "height": size[1],
                    "stamp": stamp,
                    "number": n,
                    "total": len(page_sizes),
                }
                for n, (size, stamp) in enumerate(zip(page_sizes, stamps, strict=True), start=1)
            ],
        },
    )
    return engine.render(html, tagged=False)  # drawn over the pages as artifacts


def _placeholder(part: PacketPart) -> bytes:
    """One page, bound in place of ``part``: 資料N（題名）はファイルを読み込めないため…, or for
    a requested material not accepted yet: 資料N 題名 未提出, whom it was asked of, by when."""
    if part.missing is not None:
        html = render_html(
            MISSING_TEMPLATE, {"label": part.stamp, "name": part.name, **part.missing, "in_packet": True}
        )
        return cached_pdf(fingerprint(html), lambda: engine.render(html))
    html = render_html(
        PLACEHOLDER_TEMPLATE,
        {"label": part.stamp or part.title, "name": part.name if part.stamp else "", "in_packet": True},
    )
    return cached_pdf(fingerprint(html), lambda: engine.render(html))


class _PartFailed(Exception):
    """Part ``index`` could not be read or merged (the cause is chained)."""

    def __init__(self, index: int):
        super().__init__(index)
        self.index = index


def assemble(parts: list[PacketPart], *, title: str) -> bytes:
    """The packet of ``parts``; a part that cannot be read or merged is bound as a placeholder
    page (``_placeholder``) and logged. The packet is built again without it, so nothing of
    a half-merged part is left; each bad part costs one more build."""
    left_out = {index for index, part in enumerate(parts) if part.content is None}
    while True:
        try:
            return _assemble(parts, left_out, title=title)
        except _PartFailed as failed:
            if failed.index in left_out:  # our own placeholder page: not a part's fault
                raise failed.__cause__ from None
            logger.error(
                "Packet %s: %s left out, cannot be read or merged: %r",
                title,
                parts[failed.index].title,
                failed.__cause__,
                exc_info=failed.__cause__,
            )
            left_out.add(failed.index)


def _assemble(parts: list[PacketPart], left_out: set[int], *, title: str) -> bytes:
    writer = PdfWriter()
    stamps: list[str] = []
    owners: list[int] = []  # the part of each page
    tagged: list[tuple[PdfReader, int]] = []  # our documents' structure, kept (packet_tags)
    for index, part in enumerate(parts):
        try:
            reader = PdfReader(io.BytesIO(_placeholder(part) if index in left_out else part.content))
            if reader.is_encrypted:
                raise ValueError("encrypted")
            if part.uploaded and index not in left_out:
                uploads.scrub(reader)  # what was stored before uploads were cleaned
            count = len(reader.pages)
            if not count:
                raise ValueError("no pages")
            first = len(writer.pages)
            writer.append(reader, outline_item=part.title)
            if (index in left_out or not part.uploaded) and packet_tags.is_tagged(reader):
                tagged.append((reader, first))
        except Exception as error:
            raise _PartFailed(index) from error
        stamps += [part.stamp] * count
        owners += [index] * count
    sizes, views, fits = [], [], []
    budget = pages.Budget(FIT_BUDGET)
    read: dict[int, bool] = {}  # whether an upload's pages are read, all or none of them
    for page, owner, stamp in zip(writer.pages, owners, stamps, strict=True):
        try:
            view = pages.view(page)
            size = (round(view.width, 2), round(view.height, 2))
            if not all(0 < side <= uploads.MAX_PAGE_SIDE for side in size):
                raise ValueError(f"page size {size}")
            # Our own documents leave the stamp and the number room (tested); uploads may not.
            if parts[owner].uploaded and owner not in left_out:
                if owner not in read:
                    own = [p for p, o in zip(writer.pages, owners, strict=True) if o == owner]
                    read[owner] = sum(pages.stored_length(p) for p in own) <= budget.left
                painted = pages.painted(page, budget) if read[owner] else None
                fits.append(_fitting(view, bool(stamp), painted))
            else:
                fits.append(None)
        except Exception as error:
            raise _PartFailed(owner) from error
        sizes.append(size)
        views.append(view)
    overlay = PdfReader(io.BytesIO(_overlay(sizes, stamps)))
    for page, stamp_page, owner, view, fit in zip(writer.pages, overlay.pages, owners, views, fits, strict=True):
        try:
            _stamp(writer, page, stamp_page, view=view.matrix, fit=fit)
        except Exception as error:
            raise _PartFailed(owner) from error
    packet_tags.merge_structure(writer, tagged)
    metadata = {"/Title": title, "/Author": "富山県 ワンチームとやま推進室"}
    untagged = [part.stamp or part.title for index, part in enumerate(parts) if part.uploaded and index not in left_out]
    if untagged:  # uploads are bound as they came: a reader is told which parts carry no tags
        metadata["/Subject"] = "タグなし（提出されたファイルのまま）: " + "、".join(untagged)
    writer.add_metadata(metadata)
    writer.page_mode = "/UseOutlines"  # open with the bookmarks shown
    out = io.BytesIO()
    try:
        writer.write(out)
    except Exception as error:
        raise _PartFailed(_unwritable(parts, left_out)) from error
    return out.getvalue()


def _fitting(view: pages.View, stamped: bool, painted: pages.Box | None) -> pages.Matrix | None:
    """How an uploaded page's content is moved clear of the stamp's corner (if ``stamped``)
    and the number's place: into the band across the page that they leave free."""
    w, h = view.width, view.height
    reserved = [((w - NUMBER_AREA[0]) / 2, 0, (w + NUMBER_AREA[0]) / 2, NUMBER_AREA[1])]
    if stamped:
        reserved.append((w - STAMP_AREA[0], h - STAMP_AREA[1], w, h))
    free = (0, NUMBER_AREA[1], w, h - (STAMP_AREA[1] if stamped else 0))
    return pages.fitting(view, painted, reserved=reserved, free=free)


def _stamp(
    writer: PdfWriter,
    page: PageObject,
    stamp_page: PageObject,
    *,
    view: pages.Matrix = pages.IDENTITY,
    fit: pages.Matrix | None = None,
) -> None:
    """Lay ``stamp_page`` (the overlay's page: stamp and number) over ``page`` as a form
    XObject drawn after the page's own content, which is kept as it is, compressed. ``view``
    puts the overlay on the page as shown (crop box, rotation); ``fit`` moves the page's own
    content clear of it (``_fitting``).

    pypdf's ``merge_page`` decompresses each page's content to wrap it, and the packet is
    then written with it uncompressed: a 300-page handout of drawings (100 MB of page content
    once decompressed) took 12 s, 800 MB and made a 94 MB packet. Here the page's own
    content streams are never decoded; ``q`` and ``Q`` around them, in streams of their own,
    keep the stamp out of the page's graphics state, as ``merge_page`` did."""
    drawing = stamp_page.get_contents()
    if drawing is None:
        return
    stamp = DecodedStreamObject()
    stamp.set_data(drawing.get_data())
    bbox = stamp_page.mediabox
    stamp.update(
        {
            NameObject("/Type"): NameObject("/XObject"),
            NameObject("/Subtype"): NameObject("/Form"),
            NameObject("/BBox"): ArrayObject([bbox.left, bbox.bottom, bbox.right, bbox.top]),
        }
    )
    if "/Resources" in stamp_page:
        resources = stamp_page["/Resources"].get_object().clone(writer)  # fonts once per packet
        stamp[NameObject("/Resources")] = resources.indirect_reference or resources
    # The page's resources, copied (a shared dictionary would collect every page's stamp).
    own = page.get("/Resources")
    own = DictionaryObject(own.get_object()) if own is not None else DictionaryObject()
    xobjects = own.get("/XObject")
    xobjects = DictionaryObject(xobjects.get_object()) if xobjects is not None else DictionaryObject()
    name = "/OnechoiceStamp"
    while name in xobjects:
        name += "_"
    xobjects[NameObject(name)] = writer._add_object(stamp.flate_encode())
    own[NameObject("/XObject")] = xobjects
    page[NameObject("/Resources")] = own
    contents = page.get("/Contents")
    contents = contents.get_object() if contents is not None else None
    if isinstance(contents, ArrayObject):
        streams = list(contents)
    else:
        streams = [page.raw_get("/Contents")] if contents is not None else []
    if fit is not None:
        pages.moved_annotations(page, fit)
    begin, end = DecodedStreamObject(), DecodedStreamObject()
    begin.set_data(b"q\n" if fit is None else f"q {pages.cm(fit)}\n".encode())
    # The stamp and the number are pagination artifacts: not read out as the page's text.
    end.set_data(f"\nQ\n/Artifact BMC q {pages.cm(view) if view != pages.IDENTITY else ''}{name} Do Q EMC\n".encode())
    page[NameObject("/Contents")] = ArrayObject([writer._add_object(begin), *streams, writer._add_object(end)])


def _unwritable(parts: list[PacketPart], left_out: set[int]) -> int:
    """The first part that cannot be written on its own (the packet could not be written)."""
    for index, part in enumerate(parts):
        if index in left_out:
            continue
        try:
            writer = PdfWriter()
            writer.append(PdfReader(io.BytesIO(part.content)))
            writer.write(io.BytesIO())
        except Exception:
            return index
    raise RuntimeError("the packet cannot be written, though each of its parts can")


def packet_pdf(meeting: Meeting, *, public: bool = False) -> PDFDocument:
    parts = packet_parts(meeting, public=public)
    # The overlay's layout and how pages are fitted are part of the key: a fixed stamp or
    # number position must not be hidden behind packets cached before the fix.
    layout = repr((LAYOUT, STAMP_AREA, NUMBER_AREA, FIT_BUDGET))
    key = fingerprint("packet", _overlay_source(), layout, *(f"{p.title}\0{p.stamp}\0{p.key}" for p in parts))
    label = f"{jpdates.fiscal_year_label(meeting.fiscal_year)}{meeting.name}"
    content = cached_pdf(key, lambda: assemble(parts, title=f"{label} 会議資料"))
    names = documents._names(meeting, "会議資料一式", "packet")
    return PDFDocument(content, names["filename"], names["ascii_filename"], key)
