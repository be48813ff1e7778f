"""Reading PDFs back in tests: text, page sizes, fonts and bookmarks, as pypdf sees them."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader


def reader(content: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(content))


def squash(text: str) -> str:
    """Text without whitespace: extraction adds or drops spaces and line breaks in Japanese."""
    return re.sub(r"\s+", "", text)


def page_texts(content: bytes) -> list[str]:
    return [squash(page.extract_text() or "") for page in reader(content).pages]


def text(content: bytes) -> str:
    return "".join(page_texts(content))


def page_sizes(content: bytes) -> list[tuple[int, int]]:
    return [(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in reader(content).pages]


def fonts(content: bytes) -> dict[str, dict]:
    """BaseFont → {'embedded': bool, 'to_unicode': bytes} for every font on every page."""
    found = {}

    def visit(font):
        font = font.get_object()
        descendants = font.get("/DescendantFonts")
        descriptor_owner = descendants[0].get_object() if descendants else font
        descriptor = descriptor_owner.get("/FontDescriptor")
        descriptor = descriptor.get_object() if descriptor else {}
        embedded = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
        to_unicode = font.get("/ToUnicode")
        found[str(font["/BaseFont"])] = {
            "embedded": embedded,
            "to_unicode": to_unicode.get_object().get_data() if to_unicode else b"",
        }

    for page in reader(content).pages:
        resources = page.get("/Resources")
        if not resources:
            continue
        for font in (resources.get_object().get("/Font") or {}).values():
            visit(font)
        for xobject in (resources.get_object().get("/XObject") or {}).values():
            xobject = xobject.get_object()
            for font in ((xobject.get("/Resources") or {}).get("/Font") or {}).values():
                visit(font)
    return found


def outline_titles(content: bytes) -> list[str]:
    """The top-level bookmarks."""
    return [item.title for item in reader(content).outline if not isinstance(item, list)]
