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


@dataclass
class Structure:
    """A tagged PDF's structure tree as a screen reader walks it, and what in it is broken."""

    tagged: bool  # /MarkInfo /Marked and a /StructTreeRoot
    lang: str
    kinds: list[str]  # the element types in reading order (depth first): Part, H1, Table, TR …
    problems: list[str]  # references that lead nowhere: a page not in the document, an MCID
    #                      on a page that the parent tree does not map back to its element

    def count(self, kind: str) -> int:
        return self.kinds.count(kind)


def structure(content: bytes) -> Structure:
    """Walk the structure tree of ``content`` and check it against the pages: every element's
    /Pg is a page of the document; every marked-content id an element claims is drawn on
    that page (a ``/MCID n`` in its content) and mapped back to the element by the parent
    tree under the page's /StructParents; every /MCID the pages draw belongs to an element."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    pdf = reader(content)
    root = pdf.trailer["/Root"]
    marked = bool(root.get("/MarkInfo", {}).get("/Marked"))
    lang = str(root.get("/Lang", ""))
    if "/StructTreeRoot" not in root:
        return Structure(False, lang, [], [])
    pages = {p.indirect_reference.idnum: n for n, p in enumerate(pdf.pages)}
    drawn = []
    for page in pdf.pages:
        stream = page.get_contents()  # a ContentStream is falsy: compare with None
        drawn.append(set(map(int, re.findall(rb"/MCID\s+(\d+)", stream.get_data()))) if stream is not None else set())
    tree = root["/StructTreeRoot"]
    parent_tree: dict[int, object] = {}

    def numbers(node):
        nums = node.get("/Nums", [])
        for i in range(0, len(nums) - 1, 2):
            parent_tree[int(nums[i])] = nums[i + 1]
        for kid in node.get("/Kids", []):
            numbers(kid.get_object())

    if "/ParentTree" in tree:
        numbers(tree["/ParentTree"].get_object())
    kinds, problems, claimed = [], [], set()

    def page_of(node) -> int | None:
        if "/Pg" not in node:
            return None
        ref = node.raw_get("/Pg")
        if not isinstance(ref, IndirectObject) or ref.idnum not in pages:
            problems.append(f"{node.get('/S')}: /Pg is not a page of the document")
            return None
        return pages[ref.idnum]

    def walk(ref, inherited_page):
        node = ref.get_object() if isinstance(ref, IndirectObject) else ref
        if isinstance(node, DictionaryObject) and node.get("/Type") == "/MCR":
            claimed.add((page_of(node) if "/Pg" in node else inherited_page, int(node["/MCID"])))
            return
        if isinstance(node, DictionaryObject) and node.get("/Type") == "/OBJR":
            return
        if not isinstance(node, DictionaryObject):
            return
        kinds.append(str(node.get("/S")))
        page = page_of(node)
        page = inherited_page if page is None else page
        kids = node.get("/K")
        items = list(kids) if isinstance(kids, ArrayObject) else ([] if kids is None else [node.raw_get("/K")])
        for kid in items:
            value = kid.get_object() if isinstance(kid, IndirectObject) else kid
            if isinstance(value, int):
                if page is None:
                    problems.append(f"{node.get('/S')}: MCID {value} on no page")
                    continue
                claimed.add((page, int(value)))
                if int(value) not in drawn[page]:
                    problems.append(f"{node.get('/S')}: MCID {value} is not drawn on page {page + 1}")
                key = pdf.pages[page].get("/StructParents")
                entry = parent_tree.get(int(key)) if key is not None else None
                entry = entry.get_object() if entry is not None else None
                mapped = entry[int(value)] if isinstance(entry, ArrayObject) and int(value) < len(entry) else None
                if not (isinstance(mapped, IndirectObject) and isinstance(ref, IndirectObject)
                        and mapped.idnum == ref.idnum):  # fmt: skip
                    problems.append(f"{node.get('/S')}: MCID {value} on page {page + 1} not mapped back")
            else:
                walk(kid, page)

    walk(tree.raw_get("/K") if not isinstance(tree["/K"], ArrayObject) else tree["/K"][0], None)
    for extra in tree["/K"][1:] if isinstance(tree["/K"], ArrayObject) else []:
        walk(extra, None)
    for page, ids in enumerate(drawn):
        problems += [f"page {page + 1}: MCID {mcid} belongs to no element" for mcid in sorted(ids)
                     if (page, mcid) not in claimed]  # fmt: skip
    return Structure(marked, lang, kinds, problems)
