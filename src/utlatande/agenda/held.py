"""The packet's untagged pages (appendices from outside, as most are) held out of the merge:
each is read once for where its running number goes and becomes a stub page: made in the
merge itself for a file of untagged pages only, else in a copy of its file, which
pdfmerge.py merges (so the merge never opens the appendix pages); then each file is
opened again, one at a time, and its pages' content written over the stubs as an
incremental update (pdfappend.py). A council's thousand pages of appendices are so never
in memory at once.

A page with tags stays in the merge: its tags must join the packet's structure tree.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Name, String

from ..errors import AnswerError, Problem, display_path
from ..pdfappend import ObjGen, Session, Update, revision_of
from ..pdfmerge import Read, in_tag_tree, mark_untagged, read_ahead, untag
from .packet import Box, PageBand, band_of, number_form, read_edge, settle, stamp_page

# What a page inherits from the page tree when it does not say it itself (PDF 32000-1,
# 7.7.3.4); qpdf copies it onto a page it merges, so a held page gets it too.
INHERITED = ("/Resources", "/MediaBox", "/CropBox", "/Rotate")


@dataclass(frozen=True)
class HeldPage:
    """An untagged page of a file: its number there (0-based), its box upright, the edge
    its running number goes at, and the boxes its stub carries."""

    index: int
    box: Box
    edge: str
    media: tuple[float, ...]
    crop: tuple[float, ...] | None

    def stub(self, shared: Shared | None = None) -> Dictionary:
        """A page holding this one's place: its boxes, nothing to inherit, no content.
        With `shared`, the boxes and the empty resources are objects the file's other
        stubs hold too."""
        def part(value: tuple[float, ...] | None) -> Any:
            made = Array(value) if value is not None else Dictionary()
            return made if shared is None else shared.held_once(value, made)

        stub = Dictionary(Type=Name.Page, MediaBox=part(self.media), Resources=part(None),
                          Rotate=0)
        if self.crop is not None:
            stub.CropBox = part(self.crop)
        return stub


class Shared:
    """The parts stubs of one file have in common, each one indirect object of it: a
    council's thousand stubs then cost the merge a page object each (about 1 kB), not four
    objects each."""

    def __init__(self, pdf: pikepdf.Pdf) -> None:
        self.pdf = pdf
        self.objects: dict[tuple[float, ...] | None, Any] = {}

    def held_once(self, key: tuple[float, ...] | None, made: Any) -> Any:
        """The file's object for `key`, `made` indirect the first time it is asked for."""
        if key not in self.objects:
            self.objects[key] = self.pdf.make_indirect(made)
        return self.objects[key]


@dataclass
class Held:
    """One file merged into the packet, and its pages held out of the merge."""

    path: Path
    prepare: Callable[[pikepdf.Pdf], Any] | None
    title: str | None
    tagged: bool
    count: int
    pages: list[HeldPage] = field(default_factory=list)
    merged: Path | None = None  # the copy the merge takes: the held pages stubs
    first: int = 0  # the file's first page in the packet
    stamp: tuple[int, int, int] | None = None  # size, mtime and inode when it was surveyed
    read: Read | None = None  # the file opened for the merge, when it holds no page

    @property
    def whole(self) -> bool:
        """Whether every page is held: the merge then takes the stubs alone, no copy."""
        return len(self.pages) == self.count

    def bands(self) -> dict[int, PageBand]:
        """The running number's band of each held page, by its page in the packet."""
        return {self.first + page.index: band_of(page.box, page.edge) for page in self.pages}


def survey(path: Path, prepare: Callable[[pikepdf.Pdf], Any] | None, title: str | None,
           known: dict[str, str], found: dict[str, str], copy: Path,
           keep: bool = False) -> Held:
    """A file's untagged pages, each with its box and edge (packet.read_edge; `known` and
    `found` as there); when it has some but not only such pages, the file with a stub for
    each written to `copy` for the merge. The file is closed again, but with `keep` one
    without such pages, which stays open for the merge as pdfmerge.read_ahead reads it
    (`Held.read`)."""
    stamp = _stamp(path)
    pdf = pikepdf.open(path)
    try:
        tree = pdf.Root.get("/StructTreeRoot")
        kids = tree.get("/K") if isinstance(tree, Dictionary) else None
        tagged = kids is not None and (not isinstance(kids, Array) or len(kids) > 0)
        held = Held(path, prepare, title, tagged, len(pdf.pages), stamp=stamp)
        shared = Shared(pdf)
        for index, page in enumerate(pdf.pages):
            if tagged and in_tag_tree(page.obj):
                continue
            _inherit(page.obj)
            edge, box = read_edge(page, known, found)
            crop = page.obj.get("/CropBox")
            held.pages.append(HeldPage(index, box, edge, _numbers(page.obj.MediaBox),
                                       _numbers(crop) if crop is not None else None))
            _replace(page.obj, held.pages[-1].stub(shared))
        if held.pages and not held.whole:
            # Only what the pages left refer to is written: none of the held pages' content.
            pdf.save(copy, deterministic_id=True, fix_metadata_version=False,
                     stream_decode_level=pikepdf.StreamDecodeLevel.none)
            held.merged = copy
        if keep and not held.pages:
            opened, pdf = pdf, None
            held.read = read_ahead(path, prepare, opened)  # closes it if that fails
    finally:
        if pdf is not None:
            pdf.close()
    return held


def _stamp(path: Path) -> tuple[int, int, int]:
    status = path.stat()
    return status.st_size, status.st_mtime_ns, status.st_ino


def _reopened(held: Held) -> pikepdf.Pdf:
    """The file opened again; AnswerError when it is not the one surveyed (saved again,
    or removed, during the build): its pages would not be those the packet was laid out
    for."""
    try:
        source = pikepdf.open(held.path)
    except (OSError, pikepdf.PdfError):
        source = None
    try:
        same = source is not None and _stamp(held.path) == held.stamp \
            and len(source.pages) == held.count
    except OSError:
        same = False
    if source is not None and not same:
        source.close()
    if not same:
        raise changed_during_build(held.path)
    assert source is not None
    return source


def changed_during_build(path: Path) -> AnswerError:
    """The error for a file the agenda read that was saved again, or removed, before the
    build was done with it."""
    return AnswerError([Problem(display_path(path), 1, 1, "filen ändrades medan kallelsen "
                                "byggdes; ingen av kallelsens filer skrevs: bygg kallelsen "
                                "igen", "kallelse.ändrad_bilaga")])


def _replace(page: Any, stub: Dictionary) -> None:
    """A page's own entries replaced by a stub's (the page object, which bookmarks and
    links point to, stays)."""
    for key in list(page.keys()):
        if key != "/Parent":
            del page[key]
    for key, value in stub.items():
        page[key] = value


def _numbers(box: Any) -> tuple[float, ...]:
    return tuple(float(value) for value in box)


def _inherit(page: Any) -> None:
    """What the page inherits, set on the page itself."""
    for key in INHERITED:
        node = page.get("/Parent")
        while key not in page and isinstance(node, Dictionary):
            if key in node:
                page[key] = node[key]
            node = node.get("/Parent")


def write_held(path: Path, helds: list[Held], numbers: list[Path], per_file: int) -> None:
    """The held pages' content, with their running numbers (page i of the packet is page
    i % per_file of numbers[i // per_file]), written over their stubs in the packet at
    `path`, one file at a time, as an incremental update."""
    helds = [held for held in helds if held.pages]
    if not helds:
        return
    with pikepdf.open(path) as packet:
        revision = revision_of(path, packet)
        flat = _flat_tree(packet)
        places = [_places(packet, held, flat) for held in helds]
    update = Update(path, revision)
    forms = _Numbers(update, numbers, per_file)
    try:
        for held, (pages, parents) in zip(helds, places, strict=True):
            _write_file(update, held, pages, parents, forms)
        forms.close()
        update.finish()
    except BaseException:
        forms.close()
        update.abandon()
        raise


_REFERENCE = re.compile(rb"(\d+)\s+\d+\s+R")


def _flat_tree(packet: pikepdf.Pdf) -> tuple[list[int], int] | None:
    """The object numbers of the packet's pages and of its page tree's root, read from the
    root's /Kids as text when the tree is that one node (as the merge makes it): every
    page object parsed would hold a council's thousand pages in memory. None otherwise."""
    root = packet.Root.get("/Pages")
    kids = root.get("/Kids") if isinstance(root, Dictionary) else None
    if not isinstance(kids, Array):
        return None
    numbers = [int(found.group(1)) for found in _REFERENCE.finditer(kids.unparse())]
    if len(numbers) != len(kids) or int(root.get("/Count", -1)) != len(numbers):
        return None  # not one reference a page: a node of pages between
    return numbers, root.objgen[0]


def _places(packet: pikepdf.Pdf, held: Held, flat: tuple[list[int], int] | None
            ) -> tuple[list[int], dict[int, int]]:
    """The packet's object of each page of the file, and each held page's parent's."""
    if flat is not None:
        numbers, parent = flat
        return (numbers[held.first:held.first + held.count],
                {page.index: parent for page in held.pages})
    pages = [packet.pages[held.first + n].obj for n in range(held.count)]
    parents = {page.index: pages[page.index].Parent.objgen[0] for page in held.pages}
    return [page.objgen[0] for page in pages], parents


class _Numbers:
    """The running numbers' files, opened one at a time as the held pages reach them; the
    form of each page's number written into the update."""

    def __init__(self, update: Update, paths: list[Path], per_file: int) -> None:
        self.update, self.paths, self.per_file = update, paths, per_file
        self.current: tuple[int, pikepdf.Pdf, Session] | None = None

    def form(self, page: int) -> int:
        """The object number of page `page`'s running number (0-based, in the packet)."""
        chunk = page // self.per_file
        if self.current is None or self.current[0] != chunk:
            self.close()
            pdf = pikepdf.open(self.paths[chunk])
            self.current = (chunk, pdf, self.update.session(pdf, {}))
        _, pdf, session = self.current
        number = session.number(number_form(pdf.pages[page % self.per_file]))
        assert number is not None
        return number

    def close(self) -> None:
        """Write the forms asked for, and close their file."""
        if self.current is not None:
            _, pdf, session = self.current
            session.flush()
            pdf.close()
            self.current = None


def _write_file(update: Update, held: Held, pages: list[int], parents: dict[int, int],
                forms: _Numbers) -> None:
    """One file's held pages, as the merge and the running number would have made them,
    over their stubs."""
    with _reopened(held) as source:
        if held.prepare is not None:
            held.prepare(source)
        if not held.tagged:
            untag(source)
        # References to the file's other pages go to the packet's pages; to its catalog
        # and page tree, which the packet does not take, nowhere.
        known: dict[ObjGen, int | None] = {page.obj.objgen: number for page, number
                                           in zip(source.pages, pages, strict=True)}
        known.update({objgen: None for objgen in _tree_nodes(source)})
        session = update.session(source, known)

        def placeholder(number: int) -> Any:
            """An object of the source that stands for object `number` of the packet."""
            obj = source.make_indirect(Dictionary())
            session.numbers[obj.objgen] = number
            return obj

        for page in held.pages:
            obj = source.pages[page.index]
            _explicit_links(source, obj.obj)
            _finish(obj, page, held.title)
            stamp_page(obj, placeholder(forms.form(held.first + page.index)))
            obj.obj.Parent = placeholder(parents[page.index])
            session.redefine(obj.obj, pages[page.index])
        session.flush()


def _explicit_links(source: pikepdf.Pdf, page: Any) -> None:
    """A page's links to a named destination made links to its page: the packet does not
    take the file's names, so the name would lead nowhere (a LaTeX table of contents
    links by name)."""
    for annotation in page.get("/Annots", []):
        if not isinstance(annotation, Dictionary):
            continue
        action = annotation.get("/A")
        if "/Dest" in annotation:
            holder, key = annotation, "/Dest"
        elif isinstance(action, Dictionary) and action.get("/S") == Name.GoTo:
            holder, key = action, "/D"
        else:
            continue
        if isinstance(holder.get(key), (String, Name)):
            found = _destination(source, holder[key])
            if found is not None:
                holder[key] = found
            elif holder is annotation:
                del annotation["/Dest"]  # a name the file does not define: nowhere
            else:
                del annotation["/A"]


def _destination(source: pikepdf.Pdf, name: Any) -> Array | None:
    """The explicit destination a name stands for in the file: in its /Dests name tree
    (a string) or its catalog's /Dests (a name, PDF 1.1); None when it has none."""
    try:
        if isinstance(name, String):
            tree = source.Root.Names.Dests
            found = pikepdf.NameTree(tree).get(str(name))
        else:
            found = source.Root.Dests.get(str(name))
    except (AttributeError, KeyError, TypeError, ValueError, pikepdf.PdfError):
        return None
    if isinstance(found, Dictionary):
        found = found.get("/D")
    return found if isinstance(found, Array) else None


def _finish(page: pikepdf.Page, held: HeldPage, title: str | None) -> None:
    """A held page made as the merge and the running number make the others: upright,
    shrunk if it must be, marked as untagged."""
    _inherit(page.obj)
    if int(page.obj.get("/Rotate", 0)) % 360:
        page.flatten_rotation()
    settle(page, held.edge, held.box)
    if title is not None:
        mark_untagged(page.obj, title)


def _tree_nodes(pdf: pikepdf.Pdf) -> list[ObjGen]:
    """The catalog and every node of the page tree (not the pages)."""
    nodes = [pdf.Root.objgen]
    stack = [pdf.Root.get("/Pages")]
    seen: set[ObjGen] = set()
    while stack:
        node = stack.pop()
        if not isinstance(node, Dictionary) or node.get("/Type") == Name.Page \
                or node.objgen in seen:
            continue
        seen.add(node.objgen)
        nodes.append(node.objgen)
        stack.extend(node.get("/Kids", []))
    return nodes
