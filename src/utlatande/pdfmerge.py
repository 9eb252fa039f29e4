"""PDF files → one tagged PDF: every file's pages in order with their structure trees
(parent trees, /StructParents, role and class maps, IDs) merged into one, bookmarks, links
within the document, and the PDF/A identification of the whole.

Pages are copied with pikepdf (qpdf), which copies a stream's data only when the result is
written, straight from the source file: a thousand pages of appendices are never held in
memory at once. A source without tags is copied as it is; its pages are marked (in their
/PieceInfo) as arriving untagged, so that `verify` can name them.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import pikepdf
from pikepdf import Array, Dictionary, Name, String

# /PieceInfo key of the data utlatande keeps on a page (PDF 32000-1, 14.5).
PIECE = "/utlatande"
# The title of the appendix an untagged page came from, in the page's /PieceInfo.
UNTAGGED = "/OtaggadBilaga"


@dataclass
class Mark:
    """A bookmark: title, 0-based page within its document, the bookmarks under it."""

    title: str
    page: int
    children: list[Mark] = field(default_factory=list)


@dataclass
class Metadata:
    """What the merged document says about itself (Info and XMP agree)."""

    title: str
    author: str = ""
    subject: str = ""
    keywords: str = ""
    created: dt.datetime | None = None
    language: str = "sv-SE"


def page_count(path: Path) -> int:
    with pikepdf.open(path) as pdf:
        return len(pdf.pages)


def _page_indexes(pdf: pikepdf.Pdf) -> dict[tuple[int, int], int]:
    return {page.obj.objgen: number for number, page in enumerate(pdf.pages)}


def _target_page(item: Any, indexes: dict[tuple[int, int], int]) -> int | None:
    """The 0-based page an outline item points to, if it points to a page of its file."""
    dest = item.get("/Dest")
    if dest is None:
        action = item.get("/A")
        if action is not None and action.get("/S") == "/GoTo":
            dest = action.get("/D")
    if isinstance(dest, Array) and len(dest) and isinstance(dest[0], Dictionary):
        return indexes.get(dest[0].objgen)
    return None


def outline_of(pdf: pikepdf.Pdf) -> list[Mark]:
    """A PDF's bookmarks as a tree of Marks (those that point to one of its pages)."""
    outlines = pdf.Root.get("/Outlines")
    if outlines is None:
        return []
    indexes = _page_indexes(pdf)
    seen: set[tuple[int, int]] = set()

    def walk(first: Any) -> list[Mark]:
        marks: list[Mark] = []
        item = first
        while isinstance(item, Dictionary) and item.objgen not in seen:
            seen.add(item.objgen)
            page = _target_page(item, indexes)
            children = walk(item.get("/First"))
            if page is not None:
                marks.append(Mark(" ".join(str(item.get("/Title", "")).split()), page,
                                  children))
            elif marks:
                marks[-1].children.extend(children)
            item = item.get("/Next")
        return marks

    return walk(outlines.get("/First"))


def _kids(element: Any) -> list[Any]:
    kids = element.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, Array) else [kids]


def _elements(top: list[Any]) -> Iterator[Dictionary]:
    """Every structure element under (and including) `top`, each once."""
    seen: set[tuple[int, int]] = set()
    stack = list(top)
    while stack:
        element = stack.pop()
        if not isinstance(element, Dictionary) or "/S" not in element:
            continue  # marked-content and object references are leaves
        if element.is_indirect:
            if element.objgen in seen:
                continue
            seen.add(element.objgen)
        yield element
        stack.extend(_kids(element))


@dataclass
class _Renames:
    """Names of one source that clash with the merged document's, and their new names."""

    roles: dict[str, str] = field(default_factory=dict)
    classes: dict[str, str] = field(default_factory=dict)
    ids: dict[bytes, bytes] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.roles or self.classes or self.ids)


@dataclass
class Read:
    """A source opened (and prepared) before its turn in the merge, with the elements of
    its structure tree that the merge renames when their IDs clash (read while the build
    waits for something else): the merge then need not walk the tree."""

    pdf: pikepdf.Pdf
    ids: list[tuple[Any, bytes]]  # (element, its /ID), in the order _elements gives them
    headers: list[Any]  # elements whose attributes name header cells by ID
    direct: bool  # some of those elements are direct objects: the merge walks the tree


def read_ahead(path: Path, prepare: Callable[[pikepdf.Pdf], Any] | None = None,
               opened: pikepdf.Pdf | None = None) -> Read:
    """A source for `TaggedMerge.append(read=…)`: opened (or the file `opened` already),
    prepared, and its structure elements with IDs and header references found."""
    source = opened if opened is not None else pikepdf.open(path)
    try:
        if prepare is not None:
            prepare(source)
        tree = source.Root.get("/StructTreeRoot")
        ids, headers, direct = [], [], False
        for element in _elements(_kids(tree)) if tree is not None else ():
            identifier = element.get("/ID")
            names_headers = _names_headers(element)
            if identifier is not None:
                ids.append((element, bytes(identifier)))
            if names_headers:
                headers.append(element)
            if (identifier is not None or names_headers) and not element.is_indirect:
                direct = True
    except BaseException:
        source.close()
        raise
    return Read(source, ids, headers, direct)


def _names_headers(element: Any) -> bool:
    attributes = element.get("/A")
    if attributes is None:
        return False
    return any(isinstance(attribute, Dictionary) and "/Headers" in attribute for attribute
               in (list(attributes) if isinstance(attributes, Array) else [attributes]))


class TaggedMerge:
    """A PDF made of other PDFs, one after the other, with one structure tree.

    Sources are read from their files when `save` writes the result; they stay open
    until then.
    """

    def __init__(self, base: pikepdf.Pdf | None = None) -> None:
        """A new document, or one that continues `base` (a tagged PDF whose catalog, metadata
        and bookmarks it keeps)."""
        self.pdf = base if base is not None else pikepdf.new()
        self.based = base is not None
        self.document = self.pdf.make_indirect(Dictionary(
            Type=Name.StructElem, S=Name.Document, K=Array()))
        self.nums: list[tuple[int, Any]] = []
        self.next_key = 0
        self.role_map: dict[str, Any] = {}
        self.class_map: dict[str, Any] = {}
        self.ids: dict[bytes, Any] = {}
        self.output_intents: Any = None
        self.sources: list[pikepdf.Pdf] = []
        self.untagged: list[tuple[int, int, str]] = []  # (first page, count, title)
        self.associated: list[Any] = []  # file specifications of the files attached
        if base is not None:
            self._continue(base)

    def _continue(self, base: pikepdf.Pdf) -> None:
        """Take over the base document's structure tree."""
        tree = base.Root.get("/StructTreeRoot")
        if tree is None or not _kids(tree):
            return
        kids = _kids(tree)
        if len(kids) == 1 and isinstance(kids[0], Dictionary) and kids[0].get("/S") == "/Document":
            self.document = kids[0]
        else:
            for kid in kids:
                if isinstance(kid, Dictionary):
                    kid.P = self.document
                self.document.K.append(kid)
        if "/ParentTree" in tree:
            self.nums = [(int(k), v) for k, v in pikepdf.NumberTree(tree.ParentTree).items()]
        keys = [key for key, _ in self.nums] + [int(holder[key]) for holder, key
                                                in _struct_parent_holders(base)]
        self.next_key = max([int(tree.get("/ParentTreeNextKey", 0)), *(k + 1 for k in keys)])
        self.role_map = dict(tree.get("/RoleMap", {}).items())
        self.class_map = dict(tree.get("/ClassMap", {}).items())
        for element in _elements([self.document]):
            if "/ID" in element:
                self.ids[bytes(element.ID)] = element

    @property
    def pages(self) -> int:
        return len(self.pdf.pages)

    def add_pages(self, pages: list[Dictionary]) -> int:
        """Pages made here, not copied from a file (stubs written over later, held.py),
        appended; the first one's index."""
        first = self.pages
        for page in pages:
            self.pdf.pages.append(pikepdf.Page(self.pdf.make_indirect(page)))
        return first

    def append(self, path: Path, title: str | None = None,
               prepare: Callable[[pikepdf.Pdf], Any] | None = None,
               read: Read | None = None) -> tuple[int, bool]:
        """Append every page of a PDF file; (its first page here, whether it was tagged).

        `title` names the file's pages in the warning `verify` gives if they are untagged;
        `prepare` changes the opened file first (pdfsafety strips an appendix's active
        content), in memory. `read` is the file as `read_ahead` opened and prepared it
        (the merge then closes it).
        """
        if read is not None:
            source = read.pdf
            self.sources.append(source)
        else:
            source = pikepdf.open(path)
            self.sources.append(source)
            if prepare is not None:
                prepare(source)
        first = self.pages
        tree = source.Root.get("/StructTreeRoot")
        tagged = tree is not None and bool(_kids(tree))
        entries = self._renumber(source, tree) if tagged else untag(source)
        self.pdf.add_pages_from(source, outlines="ignore")
        if tagged:
            self._adopt(source, tree, entries, read)
            if self.output_intents is None and "/OutputIntents" in source.Root:
                self.output_intents = source.Root.OutputIntents
        untagged = [n for n in range(first, self.pages)
                    if "/StructParents" not in self.pdf.pages[n].obj]
        if untagged and title is not None:
            self._mark_untagged(untagged, title)
        return first, tagged

    def _renumber(self, source: pikepdf.Pdf, tree: Any) -> list[tuple[int, Any]]:
        """Move the source's parent-tree keys after the ones already taken; its entries."""
        offset = self.next_key
        entries = [(int(key), value) for key, value in
                   pikepdf.NumberTree(tree.ParentTree).items()] if "/ParentTree" in tree else []
        highest = max([key for key, _ in entries] + [int(tree.get("/ParentTreeNextKey", 0)) - 1,
                                                     -1])
        for holder, key in _struct_parent_holders(source):
            value = int(holder[key])
            highest = max(highest, value)
            holder[key] = value + offset
        self.next_key = offset + highest + 1
        for kid in _kids(tree):  # their parent becomes the merged document's element
            if isinstance(kid, Dictionary) and "/P" in kid:
                del kid["/P"]
        return [(key + offset, value) for key, value in entries]

    def _copy(self, obj: Any) -> Any:
        """A source object copied into the merged file (direct containers element-wise)."""
        if isinstance(obj, (Dictionary, Array, pikepdf.Stream)) and obj.is_indirect:
            return self.pdf.copy_foreign(obj)
        if isinstance(obj, Array):
            return Array([self._copy(item) for item in obj])
        if isinstance(obj, Dictionary):
            return Dictionary({key: self._copy(value) for key, value in obj.items()})
        return obj

    def _copied_entries(self, tree: Any, entries: list[tuple[int, Any]]
                        ) -> list[tuple[int, Any]]:
        """The parent tree's entries with their values copied into the merged file: the
        whole tree at once where it is an object of its own (one call, not one for each
        element of each page's array), else value by value."""
        parent_tree = tree.get("/ParentTree")
        if not entries or parent_tree is None or not parent_tree.is_indirect:
            return [(key, self._copy(value)) for key, value in entries]
        copied = [value for _, value in
                  pikepdf.NumberTree(self.pdf.copy_foreign(parent_tree)).items()]
        if len(copied) != len(entries):
            return [(key, self._copy(value)) for key, value in entries]
        return [(key, value) for (key, _), value in zip(entries, copied, strict=True)]

    def _adopt(self, source: pikepdf.Pdf, tree: Any, entries: list[tuple[int, Any]],
               read: Read | None = None) -> None:
        """The source's structure elements under the merged document's, and its maps."""
        top = [self._copy(kid) for kid in _kids(tree)]
        for element in top:
            if isinstance(element, Dictionary):
                element.P = self.document
                if element.get("/S") == Name.Document:
                    element.S = Name.Part  # one Document element: the merged one
            self.document.K.append(element)
        self.nums.extend(self._copied_entries(tree, entries))
        renames = _Renames()
        self._merge_map(tree.get("/RoleMap"), self.role_map, renames.roles)
        self._merge_map(tree.get("/ClassMap"), self.class_map, renames.classes)
        # IDs (which table cells name their header cells by) are unique within one part
        # only; WeasyPrint gives them without an /IDTree, so they are found by walking (or
        # were found by read_ahead: a source's element copied again is its copy).
        if read is not None and not read.direct and not renames.roles \
                and not renames.classes:
            copy = self.pdf.copy_foreign
            found = [(copy(element), identifier) for element, identifier in read.ids]
            self._take_ids(found, renames)
            if renames:
                elements = {element.objgen: element for element, _ in found}
                for element in read.headers:
                    elements.setdefault(copy(element).objgen, copy(element))
                _rename(list(elements.values()), renames)
            return
        elements = list(_elements(top))
        self._take_ids([(element, bytes(element.ID)) for element in elements
                        if "/ID" in element], renames)
        if renames:
            _rename(elements, renames)

    def _take_ids(self, found: list[tuple[Any, bytes]], renames: _Renames) -> None:
        """The merged document's IDs with these (element, ID); a clash renamed."""
        for element, identifier in found:
            if identifier in self.ids:
                renames.ids[identifier] = _fresh(identifier, self.ids)
                identifier = renames.ids[identifier]
            self.ids[identifier] = element

    def _merge_map(self, source_map: Any, merged: dict[str, Any],
                   renamed: dict[str, str]) -> None:
        """Add a role or class map; a name the merged map holds with another value is
        renamed in this source."""
        if source_map is None:
            return
        for key, value in source_map.items():
            value = self._copy(value)
            if key in merged and repr(merged[key]) != repr(value):
                fresh = _fresh_name(key, merged)
                renamed[key] = fresh
                key = fresh
            merged[key] = value

    def _mark_untagged(self, pages: list[int], title: str) -> None:
        """Say where untagged pages came from, unless an earlier merge has said it."""
        for number in pages:
            mark_untagged(self.pdf.pages[number].obj, title)
        self.untagged.append((pages[0], len(pages), title))

    # -- bookmarks and links -----------------------------------------------------------------

    def add_outline(self, marks: list[tuple[int, list[Mark]]]) -> None:
        """Bookmarks (closed), each list of marks counted from the page given with it; after
        the bookmarks the document has."""
        outlines = self.pdf.Root.get("/Outlines")
        if outlines is None:
            outlines = self.pdf.make_indirect(Dictionary(Type=Name.Outlines))
        items = [(start, mark) for start, group in marks for mark in group]
        count = self._outline_items(outlines, items)
        if count:
            outlines.Count = int(outlines.get("/Count", 0)) + count
            self.pdf.Root.Outlines = outlines
            self.pdf.Root.PageMode = Name.UseOutlines

    def _outline_items(self, parent: Any, items: list[tuple[int, Mark]]) -> int:
        previous = parent.get("/Last")
        if previous is not None and "/First" not in parent:
            previous = None
        for start, mark in items:
            node = self.pdf.make_indirect(Dictionary(
                Title=String(mark.title), Parent=parent,
                Dest=Array([self.pdf.pages[start + mark.page].obj, Name.Fit])))
            if mark.children:
                node.Count = -self._outline_items(node, [(start, m) for m in mark.children])
            if previous is None:
                parent.First = node
            else:
                previous.Next, node.Prev = node, previous
            previous = node
        if previous is not None:
            parent.Last = previous
        return len(items)

    def link_pages(self, first: int, count: int, prefix: str) -> None:
        """Links "<prefix>N" on pages first … first+count-1 become jumps to page N."""
        for page in self.pdf.pages[first:first + count]:
            for annotation in page.obj.get("/Annots", []):
                action = annotation.get("/A")
                uri = str(action.get("/URI", "")) if action is not None else ""
                if not uri.startswith(prefix):
                    continue
                target = int(uri.removeprefix(prefix)) - 1
                del annotation["/A"]
                annotation.Dest = Array([self.pdf.pages[target].obj, Name.Fit])

    # -- attached files ----------------------------------------------------------------------

    def attach(self, path: Path, name: str, description: str,
               modified: dt.datetime | None = None, relationship: str = "/Source") -> None:
        """A PDF file embedded unchanged as an associated file of the whole document
        (PDF/A-3: /AF, /AFRelationship, its media type and dates in /Params); with one,
        the document identifies as PDF/A-3a."""
        when = modified or dt.datetime(2000, 1, 1)
        if when.tzinfo is not None:
            when = when.astimezone(dt.UTC)
        stamp = when.strftime("D:%Y%m%d%H%M%SZ")
        spec = pikepdf.AttachedFileSpec(self.pdf, path.read_bytes(), description=description,
                                        filename=name, mime_type="application/pdf",
                                        creation_date=stamp, mod_date=stamp,
                                        relationship=Name(relationship))
        self.pdf.attachments[name] = spec
        self.associated.append(self.pdf.attachments[name].obj)

    # -- the whole ---------------------------------------------------------------------------

    def _structure_tree(self) -> None:
        tree = self.pdf.make_indirect(Dictionary(
            Type=Name.StructTreeRoot, K=Array([self.document]),
            ParentTree=self.pdf.make_indirect(Dictionary(Nums=Array(
                [x for key, value in sorted(self.nums, key=lambda e: e[0])
                 for x in (key, value)]))),
            ParentTreeNextKey=self.next_key))
        if self.role_map:
            tree.RoleMap = Dictionary(self.role_map)
        if self.class_map:
            tree.ClassMap = Dictionary(self.class_map)
        if self.ids:
            tree.IDTree = Dictionary(Names=Array(
                [x for key in sorted(self.ids) for x in (String(key), self.ids[key])]))
        self.document.P = tree
        self.pdf.Root.StructTreeRoot = tree
        self.pdf.Root.MarkInfo = Dictionary(Marked=True)

    def _metadata(self, meta: Metadata) -> None:
        """Info and XMP, saying the same; PDF/A-2a when the parts had an output intent
        (PDF/A-3a with files attached)."""
        created = meta.created or dt.datetime(2000, 1, 1)
        stamp = created.strftime("D:%Y%m%d%H%M%SZ")
        info = {"/Title": meta.title, "/Author": meta.author, "/Subject": meta.subject,
                "/Keywords": meta.keywords, "/Creator": "utlatande", "/Producer": "utlatande",
                "/CreationDate": stamp, "/ModDate": stamp}
        self.pdf.trailer.Info = self.pdf.make_indirect(Dictionary(
            {key: String(value) for key, value in info.items() if value}))
        iso = created.strftime("%Y-%m-%dT%H:%M:%SZ")
        with self.pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as xmp:
            xmp["dc:title"] = meta.title
            if meta.author:
                xmp["dc:creator"] = [meta.author]
            if meta.subject:
                xmp["dc:description"] = meta.subject
            if meta.keywords:
                xmp["pdf:Keywords"] = meta.keywords
            xmp["xmp:CreatorTool"] = "utlatande"
            xmp["pdf:Producer"] = "utlatande"
            xmp["xmp:CreateDate"] = iso
            xmp["xmp:ModifyDate"] = iso
            if self.output_intents is not None:
                xmp["pdfaid:part"] = "3" if self.associated else "2"
                xmp["pdfaid:conformance"] = "A"
        if self.output_intents is not None:
            self.pdf.Root.OutputIntents = self._copy(self.output_intents)
        if self.associated:
            self.pdf.Root.AF = Array(self.associated)
        self.pdf.Root.Lang = String(meta.language)
        self.pdf.Root.ViewerPreferences = Dictionary(DisplayDocTitle=True)

    def save(self, path: Path | BinaryIO, meta: Metadata | None = None) -> None:
        """Write the merged PDF to `path` (the same inputs always give the same bytes).

        Without `meta` the base document's metadata stands.
        """
        if len(self.document.K) or self.nums:
            self._structure_tree()
        if meta is not None:
            self._metadata(meta)
        with warnings.catch_warnings():
            # qpdf's notes on a third party's malformed file are not for the user.
            warnings.simplefilter("ignore", pikepdf.PikepdfWarning)
            self.pdf.save(path, deterministic_id=True, min_version="1.7",
                          object_stream_mode=pikepdf.ObjectStreamMode.generate,
                          stream_decode_level=pikepdf.StreamDecodeLevel.none,
                          fix_metadata_version=False)

    def close(self) -> None:
        """Close the sources and the merged document (again: nothing more)."""
        for source in self.sources:
            source.close()
        self.sources = []
        self.pdf.close()

    def __enter__(self) -> TaggedMerge:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _struct_parent_holders(pdf: pikepdf.Pdf) -> Iterator[tuple[Any, str]]:
    """(object, key) of every /StructParents and /StructParent that points into the parent
    tree: pages, their annotations and the form XObjects they draw."""
    seen: set[tuple[int, int]] = set()
    for page in pdf.pages:
        yield from _page_holders(page.obj, seen)


def _page_holders(obj: Any, seen: set[tuple[int, int]]) -> Iterator[tuple[Any, str]]:
    if "/StructParents" in obj:
        yield obj, "/StructParents"
    for annotation in obj.get("/Annots", []):
        if isinstance(annotation, Dictionary) and "/StructParent" in annotation:
            if annotation.is_indirect:
                if annotation.objgen in seen:
                    continue
                seen.add(annotation.objgen)
            yield annotation, "/StructParent"
    resources = obj.get("/Resources")
    xobjects = resources.get("/XObject", {}) if resources is not None else {}
    for xobject in xobjects.values():
        if not isinstance(xobject, pikepdf.Stream) or xobject.objgen in seen:
            continue
        seen.add(xobject.objgen)
        for key in ("/StructParents", "/StructParent"):
            if key in xobject:
                yield xobject, key


def in_tag_tree(page: Any) -> bool:
    """Whether a page, an annotation on it or a form it draws points into the parent tree."""
    return next(_page_holders(page, set()), None) is not None


def untag(pdf: pikepdf.Pdf) -> list[tuple[int, Any]]:
    """A source without a structure tree: keys that would point into ours are dropped."""
    for holder, key in list(_struct_parent_holders(pdf)):
        del holder[key]
    return []


def mark_untagged(page: Any, title: str) -> None:
    """Say in a page's /PieceInfo which untagged appendix it came from, unless an earlier
    merge has said it."""
    if PIECE in page.get("/PieceInfo", {}):
        return
    page.PieceInfo = Dictionary({PIECE: Dictionary(
        LastModified=String("D:20000101000000Z"),
        Private=Dictionary({UNTAGGED: String(title)}))})
    page.LastModified = String("D:20000101000000Z")


def _fresh(identifier: bytes, taken: dict[bytes, Any]) -> bytes:
    number = 2
    while identifier + b"-" + str(number).encode() in taken:
        number += 1
    return identifier + b"-" + str(number).encode()


def _fresh_name(name: str, taken: dict[str, Any]) -> str:
    number = 2
    while f"{name}_{number}" in taken:
        number += 1
    return f"{name}_{number}"


def _rename(elements: list[Any], renames: _Renames) -> None:
    """Apply one source's renamed roles, classes and IDs to its (copied) elements."""
    for element in elements:
        if renames.roles and str(element.S) in renames.roles:
            element.S = Name(renames.roles[str(element.S)])
        classes = element.get("/C")
        if renames.classes and classes is not None:
            names = list(classes) if isinstance(classes, Array) else [classes]
            new = [Name(renames.classes.get(str(n), str(n))) if isinstance(n, Name) else n
                   for n in names]
            element.C = Array(new) if isinstance(classes, Array) else new[0]
        if renames.ids:
            if "/ID" in element and bytes(element.ID) in renames.ids:
                element.ID = String(renames.ids[bytes(element.ID)])
            _rename_headers(element, renames.ids)


def _rename_headers(element: Any, ids: dict[bytes, bytes]) -> None:
    """Table cells name their header cells by ID (/A /Headers)."""
    attributes = element.get("/A")
    if attributes is None:
        return
    for attribute in (list(attributes) if isinstance(attributes, Array) else [attributes]):
        if isinstance(attribute, Dictionary) and "/Headers" in attribute:
            attribute.Headers = Array([String(ids.get(bytes(h), bytes(h)))
                                       for h in attribute.Headers])
