"""Reading PDFs back in tests: text, page sizes, fonts and bookmarks, as pypdf sees them, and
words with their positions on the page, as poppler lays them out (what a reader sees)."""

from __future__ import annotations

import io
import re
import subprocess
import tempfile
from dataclasses import dataclass
from html import unescape

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


@dataclass(frozen=True)
class Word:
    """A word as poppler lays it out: its page's size and its box in points, top-left origin.
    ``pdftotext -bbox`` leaves out what is drawn outside the page, as a viewer would."""

    text: str
    page: int  # from 1
    page_width: float
    page_height: float
    x0: float
    y0: float
    x1: float
    y1: float

    def inside_page(self) -> bool:
        return 0 <= self.x0 < self.x1 <= self.page_width and 0 <= self.y0 < self.y1 <= self.page_height

    def overlaps(self, other: Word) -> bool:
        return self.x0 < other.x1 and other.x0 < self.x1 and self.y0 < other.y1 and other.y0 < self.y1


def words(content: bytes) -> list[Word]:
    """Every word of every page with its box (``pdftotext -bbox``, poppler-utils)."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as pdf:
        pdf.write(content)
        pdf.flush()
        html = subprocess.run(["pdftotext", "-bbox", pdf.name, "-"], capture_output=True, check=True, text=True).stdout
    found, page, size = [], 0, (0.0, 0.0)
    for tag in re.finditer(r'<page width="([\d.]+)" height="([\d.]+)">|<word ([^>]*)>([^<]*)</word>', html):
        if tag.group(1):
            page, size = page + 1, (float(tag.group(1)), float(tag.group(2)))
            continue
        box = dict(re.findall(r'(\w+)="([\d.-]+)"', tag.group(3)))
        found.append(
            Word(
                unescape(tag.group(4)),
                page,
                *size,
                float(box["xMin"]),
                float(box["yMin"]),
                float(box["xMax"]),
                float(box["yMax"]),
            )
        )
    return found
