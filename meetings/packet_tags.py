"""The packet's structure tree: the tags (headings, lists, tables) of the documents the portal
generates, kept when they are bound into one packet, so a screen reader reads the bound
attendee list row by row as it reads the attendee list on its own.

pypdf copies pages, not structure trees: each part's page content keeps its marked content
(``/MCID``), but what points at it — the part's ``/StructTreeRoot``, its parent tree and the
pages' ``/StructParents`` keys — would be lost. ``merge_structure`` rebuilds one tree: a
``Document`` element holding each tagged part's top elements in binding order, the parts'
elements copied with their pages (and link annotations) mapped to the packet's, and one
parent tree whose keys are the parts' keys shifted past the ones before. Uploaded files keep
no tags here (their structure is not ours to trust); ``untagged`` names them for the
packet's metadata. The stamps and page numbers laid over every page are artifacts.
"""

from __future__ import annotations

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    DictionaryObject,
    IndirectObject,
    NameObject,
    NullObject,
    NumberObject,
    PdfObject,
    TextStringObject,
)


def is_tagged(reader: PdfReader) -> bool:
    root = reader.trailer["/Root"]
    mark_info = root.get("/MarkInfo")
    return "/StructTreeRoot" in root and bool(mark_info and mark_info.get_object().get("/Marked"))


def _kids(node: DictionaryObject) -> list[PdfObject]:
    """The raw entries of a node's /K (an array, one object, or none)."""
    kids = node.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, ArrayObject) else [node.raw_get("/K")]


def _ref(obj: PdfObject) -> tuple[int, int] | None:
    return (obj.idnum, obj.generation) if isinstance(obj, IndirectObject) else None


def _number_tree(node: DictionaryObject) -> list[tuple[int, PdfObject]]:
    """The (key, value) pairs of a number tree, in key order (leaves ``/Nums``, nodes ``/Kids``)."""
    pairs: list[tuple[int, PdfObject]] = []
    if "/Nums" in node:
        nums = node["/Nums"]
        pairs += [(int(nums[i]), nums[i + 1]) for i in range(0, len(nums) - 1, 2)]  # raw: refs stay refs
    for kid in node.get("/Kids", ()):
        pairs += _number_tree(kid.get_object())
    return sorted(pairs, key=lambda pair: pair[0])


class _PartCopy:
    """One part's structure elements copied into ``writer``: source references → new ones."""

    def __init__(self, writer: PdfWriter, pages: dict, annotations: dict):
        self.writer = writer
        self.pages = pages  # source page ref → the packet's page reference
        self.annotations = annotations  # source annotation ref → the packet's
        self.elements: dict[tuple[int, int], IndirectObject] = {}
        self.namespaces: dict[tuple[int, int], IndirectObject] = {}

    def element(self, source: PdfObject, parent: IndirectObject) -> PdfObject | None:
        """The copy of a structure element (or of a marked-content/object reference in a /K)."""
        ref = _ref(source)
        if ref is not None and ref in self.elements:
            return self.elements[ref]
        node = source.get_object()
        if not isinstance(node, DictionaryObject):
            return NumberObject(int(node)) if isinstance(node, int) else None  # an MCID
        kind = node.get("/Type")
        if kind == "/MCR":
            return self._reference(node, "/MCID")
        if kind == "/OBJR":
            return self._reference(node, "/Obj")
        copy = DictionaryObject()
        new_ref = self.writer._add_object(copy)
        if ref is not None:
            self.elements[ref] = new_ref
        for key, value in node.items():
            if key in ("/P", "/K", "/Pg", "/NS"):
                continue
            copy[NameObject(key)] = value.clone(self.writer) if hasattr(value, "clone") else value
        copy[NameObject("/P")] = parent
        page = self.pages.get(_ref(node.raw_get("/Pg"))) if "/Pg" in node else None
        if page is not None:
            copy[NameObject("/Pg")] = page
        if "/NS" in node:
            copy[NameObject("/NS")] = self.namespace(node.raw_get("/NS"))
        if "/K" in node:
            copied = [self.element(kid, new_ref) for kid in _kids(node)]
            copy[NameObject("/K")] = ArrayObject(kid for kid in copied if kid is not None)
        return new_ref

    def _reference(self, node: DictionaryObject, target: str) -> DictionaryObject:
        copy = DictionaryObject({NameObject("/Type"): node["/Type"]})
        if target == "/MCID":
            copy[NameObject("/MCID")] = NumberObject(int(node["/MCID"]))
        else:
            annotation = self.annotations.get(_ref(node.raw_get("/Obj")))
            if annotation is not None:
                copy[NameObject("/Obj")] = annotation
        page = self.pages.get(_ref(node.raw_get("/Pg"))) if "/Pg" in node else None
        if page is not None:
            copy[NameObject("/Pg")] = page
        return copy

    def namespace(self, source: PdfObject) -> IndirectObject:
        ref = _ref(source)
        if ref not in self.namespaces:
            self.namespaces[ref] = self.writer._add_object(source.get_object().clone(self.writer))
        return self.namespaces[ref]

    def parent_entry(self, value: PdfObject) -> PdfObject:
        """A parent-tree value: an array of elements (a page's MCIDs) or one element (an object)."""
        node = value.get_object()
        if isinstance(node, ArrayObject):
            return self.writer._add_object(ArrayObject(self.elements.get(_ref(item), NullObject()) for item in node))
        return self.elements.get(_ref(value), NullObject())


def merge_structure(writer: PdfWriter, parts: list[tuple[PdfReader, int]], *, lang: str = "ja") -> None:
    """One structure tree in ``writer`` from the tagged ``parts``: each (reader, index in
    ``writer.pages`` of its first page), in binding order, its pages already appended."""
    document = DictionaryObject(
        {NameObject("/Type"): NameObject("/StructElem"), NameObject("/S"): NameObject("/Document")}
    )
    document_ref = writer._add_object(document)
    tree_root = DictionaryObject({NameObject("/Type"): NameObject("/StructTreeRoot")})
    tree_root_ref = writer._add_object(tree_root)
    document[NameObject("/P")] = tree_root_ref
    top: list[PdfObject] = []
    nums: list[PdfObject] = []
    namespaces: list[IndirectObject] = []
    offset = 0
    for reader, first in parts:
        source_pages = list(reader.pages)
        packet_pages = [writer.pages[first + n] for n in range(len(source_pages))]
        pages, annotations = {}, {}
        for source, page in zip(source_pages, packet_pages, strict=True):
            pages[_ref(source.indirect_reference)] = page.indirect_reference
            for old, new in zip(source.get("/Annots", ()), page.get("/Annots", ()), strict=False):
                annotations[_ref(old)] = new
        copy = _PartCopy(writer, pages, annotations)
        source_root = reader.trailer["/Root"]["/StructTreeRoot"]
        for item in _kids(source_root):
            element = copy.element(item, document_ref)
            if isinstance(element, IndirectObject):
                node = element.get_object()
                if node.get("/S") == "/Document":  # each document is a part of the packet's
                    node[NameObject("/S")] = NameObject("/Part")
                top.append(element)
        entries = _number_tree(source_root["/ParentTree"].get_object()) if "/ParentTree" in source_root else []
        for key, value in entries:
            nums += [NumberObject(key + offset), copy.parent_entry(value)]
        # The keys the part's pages and annotations use move by the same offset.
        # (pypdf leaves /StructParents out of the pages it copies: taken from the part's.)
        for source, page in zip(source_pages, packet_pages, strict=True):
            if "/StructParents" in source:
                page[NameObject("/StructParents")] = NumberObject(int(source["/StructParents"]) + offset)
            for annotation in page.get("/Annots", ()):
                annotation = annotation.get_object()
                if "/StructParent" in annotation:
                    annotation[NameObject("/StructParent")] = NumberObject(int(annotation["/StructParent"]) + offset)
            page[NameObject("/Tabs")] = NameObject("/S")  # tab order follows the structure
        namespaces += list(copy.namespaces.values())
        offset += (max((key for key, _value in entries), default=-1)) + 1
    document[NameObject("/K")] = ArrayObject(top)
    tree_root[NameObject("/K")] = ArrayObject([document_ref])
    tree_root[NameObject("/ParentTree")] = writer._add_object(
        DictionaryObject({NameObject("/Nums"): ArrayObject(nums)})
    )
    tree_root[NameObject("/ParentTreeNextKey")] = NumberObject(offset)
    if namespaces:
        tree_root[NameObject("/Namespaces")] = ArrayObject(namespaces)
    root = writer._root_object
    root[NameObject("/StructTreeRoot")] = tree_root_ref
    root[NameObject("/MarkInfo")] = DictionaryObject({NameObject("/Marked"): BooleanObject(True)})
    root[NameObject("/Lang")] = TextStringObject(lang)
    root[NameObject("/ViewerPreferences")] = DictionaryObject({NameObject("/DisplayDocTitle"): BooleanObject(True)})
