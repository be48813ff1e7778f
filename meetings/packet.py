"""The meeting packet (会議資料一式): agenda, attendee list, seating chart, then every handout
flagged ``in_packet`` in number order, merged into one PDF with one bookmark per document,
資料N stamped at the top right of each page of a handout, and page numbers running through.

Each part is rendered (and cached) on its own; a change to one record re-renders only the
documents it appears in. WeasyPrint cannot place existing PDF pages, so parts are merged with
pypdf and the stamps and numbers are drawn by one small WeasyPrint render laid over them.

The packet is the one document that composes several apps: it binds the items' and the WGs'
documents, so ``meetings`` sits above ``projects`` and ``workgroups`` (neither imports it).
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from functools import cache

from django.template.loader import get_template, render_to_string
from pypdf import PdfReader, PdfWriter

from onechoice import jpdates
from onechoice.pdf import PDFDocument, cached_pdf, engine, fingerprint
from projects import documents as project_documents
from workgroups import documents as workgroup_documents

from . import documents
from .models import GeneratedDocument, Handout, HandoutKind, Meeting

OVERLAY_TEMPLATE = "meetings/pdf/packet_overlay.html"


@dataclass
class PacketPart:
    title: str  # the bookmark
    stamp: str  # 資料1 … or "" for the meeting's own documents
    content: bytes
    key: str  # what identifies the content, for the packet's cache key


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
    return []


def _merge(docs: list[bytes]) -> bytes:
    writer = PdfWriter()
    for content in docs:
        writer.append(PdfReader(io.BytesIO(content)))
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
            with handout.file.open("rb") as fh:
                content = fh.read()
            parts.append(PacketPart(title, handout.label, content, hashlib.sha256(content).hexdigest()))
        elif handout.document:
            generated = _generated(handout, meeting, public)
            content = generated[0].content if len(generated) == 1 else _merge([d.content for d in generated])
            parts.append(PacketPart(title, handout.label, content, "+".join(d.etag for d in generated)))
    return parts


@cache
def _overlay_source() -> str:
    return get_template(OVERLAY_TEMPLATE).template.source


def _overlay(page_sizes: list[tuple[float, float]], stamps: list[str]) -> bytes:
    """One transparent page per packet page, with its stamp and its number."""
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
    return engine.render(html)


def assemble(parts: list[PacketPart], *, title: str) -> bytes:
    writer = PdfWriter()
    stamps: list[str] = []
    for part in parts:
        reader = PdfReader(io.BytesIO(part.content))
        writer.append(reader, outline_item=part.title)
        stamps += [part.stamp] * len(reader.pages)
    sizes = [(round(float(p.mediabox.width), 2), round(float(p.mediabox.height), 2)) for p in writer.pages]
    overlay = PdfReader(io.BytesIO(_overlay(sizes, stamps)))
    for page, stamp_page in zip(writer.pages, overlay.pages, strict=True):
        page.merge_page(stamp_page)
    writer.add_metadata({"/Title": title, "/Author": "富山県 ワンチームとやま推進室"})
    writer.page_mode = "/UseOutlines"  # open with the bookmarks shown
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def packet_pdf(meeting: Meeting, *, public: bool = False) -> PDFDocument:
    parts = packet_parts(meeting, public=public)
    # The overlay's layout is part of the key: a fixed stamp or number position must not be
    # hidden behind packets cached before the fix.
    key = fingerprint("packet", _overlay_source(), *(f"{p.title}\0{p.stamp}\0{p.key}" for p in parts))
    label = f"{jpdates.fiscal_year_label(meeting.fiscal_year)}{meeting.name}"
    content = cached_pdf(key, lambda: assemble(parts, title=f"{label} 会議資料"))
    names = documents._names(meeting, "会議資料一式", "packet")
    return PDFDocument(content, names["filename"], names["ascii_filename"], key)
