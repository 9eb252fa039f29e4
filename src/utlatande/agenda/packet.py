"""PDF documents → one agenda packet: pages in order, nested bookmarks, links from the list
to each item, and the packet's running page number in a band that covers no text."""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from pypdf import PdfReader, PdfWriter, Transformation
from pypdf.generic import (
    ArrayObject,
    ByteStringObject,
    FloatObject,
    NameObject,
    RectangleObject,
    TextStringObject,
)

MM = 72 / 25.4
# The running number stands in a band this far from the bottom (or top) edge of the page;
# the statements' own footers end well above it.
BAND = (3 * MM, 9 * MM)
# Text this close to the band, on its inner side, also keeps the number out.
CLEARANCE = 1.5 * MM
# Left and right inset of the number: the right one lines it up under "Sida N (M)".
INSET = (12 * MM, 22 * MM)
# A page with text in both bands is shrunk this much from the bottom, to make room.
SHRINK = 12 * MM
# Links in the kallelse that point at a page of the packet: "<prefix><page number>".
LINK_PREFIX = "utlatande-sida:"


@dataclass
class Mark:
    """A bookmark: title, 0-based page within its document, the bookmarks under it."""

    title: str
    page: int
    children: list[Mark] = field(default_factory=list)


@dataclass(frozen=True)
class PageBand:
    """A page's size and the edge its running number goes at: 'botten' or 'topp'."""

    width: float
    height: float
    edge: str


class Document:
    """A PDF read once: its pages, its bookmarks, and its reader for the packet."""

    def __init__(self, pdf: bytes):
        self.pdf = pdf
        self.reader = PdfReader(io.BytesIO(pdf))

    @property
    def pages(self) -> int:
        return len(self.reader.pages)

    @cached_property
    def outline(self) -> list[Mark]:
        """The bookmarks as a tree of Marks."""
        return self._walk(self.reader.outline)

    def _walk(self, items: list[Any]) -> list[Mark]:
        marks: list[Mark] = []
        for item in items:
            if isinstance(item, list):
                if marks:
                    marks[-1].children.extend(self._walk(item))
                continue
            page = self.reader.get_destination_page_number(item)
            if page is not None and page >= 0:
                marks.append(Mark(" ".join(str(item.title).split()), page))
        return marks


def page_count(path: Path) -> int:
    return len(PdfReader(path).pages)


def combine(documents: list[tuple[Document | None, list[Mark]]]) -> PdfWriter:
    """The documents' pages in order, each document's marks shifted to where it starts."""
    writer = PdfWriter()
    for document, marks in documents:
        start = len(writer.pages)
        if document is not None:
            writer.append(document.reader, import_outline=False)
        _add_marks(writer, marks, start, None)
    writer.page_mode = "/UseOutlines"
    return writer


def _add_marks(writer: PdfWriter, marks: list[Mark], start: int, parent: Any) -> None:
    for mark in marks:
        node = writer.add_outline_item(title=mark.title, page_number=start + mark.page,
                                       parent=parent,
                                       is_open=False)
        _add_marks(writer, mark.children, start, node)


def link_pages(writer: PdfWriter, first: int, count: int) -> None:
    """Links "utlatande-sida:N" on pages first … first+count-1 become jumps to page N."""
    for page in writer.pages[first:first + count]:
        for annotation in page.get("/Annots") or ():
            annotation = annotation.get_object()
            action = annotation.get("/A")
            uri = str(action.get_object().get("/URI", "")) if action is not None else ""
            if not uri.startswith(LINK_PREFIX):
                continue
            target = int(uri.removeprefix(LINK_PREFIX)) - 1
            del annotation["/A"]
            annotation[NameObject("/Dest")] = ArrayObject(
                [writer.pages[target].indirect_reference, NameObject("/Fit")])


# -- where the text on a page stands -----------------------------------------------------

_TOKEN = re.compile(rb"""\s*(?:
   (?P<arr>\[(?:\s|<[0-9A-Fa-f\s]*>|[-+]?(?:\d+\.?\d*|\.\d+)
            |\((?:\\.|[^\\()]|\((?:\\.|[^\\()])*\))*\))*\])
  |(?P<str>\((?:\\.|[^\\()]|\((?:\\.|[^\\()])*\))*\))
  |(?P<hex><[0-9A-Fa-f\s]*>)
  |(?P<num>[-+]?(?:\d+\.?\d*|\.\d+))
  |(?P<name>/[^\s/\[\]()<>{}%]*)
  |(?P<op>[A-Za-z'"*]+\d?)
  |(?P<other><<|>>|\[|\]|\{|\}|%[^\r\n]*)
)""", re.X | re.S)
_END_OF_IMAGE = re.compile(rb"\sEI(?=\s|$)")
_IDENTITY = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
Matrix = tuple[float, float, float, float, float, float]


def _mul(m: Matrix, n: Matrix) -> Matrix:
    a, b, c, d, e, f = m
    A, B, C, D, E, F = n  # noqa: N806 - the second matrix, as in the PDF reference
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D,
            e * A + f * C + E, e * B + f * D + F)


def text_extents(data: bytes, resources: Any, ctm: Matrix = _IDENTITY,
                 depth: int = 0) -> list[tuple[float, float]]:
    """The vertical extent (bottom, top) of every text-showing operation in a content stream.

    A small tokenizer, not a full parser: positions only, no glyphs decoded, so a page
    costs milliseconds. Form XObjects are followed to a few levels.
    """
    extents: list[tuple[float, float]] = []
    numbers: list[float] = []
    names: list[bytes] = []
    stack: list[Matrix] = []
    tm = tlm = _IDENTITY
    size = leading = 0.0
    pos, end = 0, len(data)
    while pos < end:
        match = _TOKEN.match(data, pos)
        if match is None or match.end() == pos:
            pos += 1
            continue
        pos = match.end()
        kind = match.lastgroup
        if kind == "num":
            numbers.append(float(match.group(kind)))
            continue
        if kind == "name":
            names.append(match.group(kind))
            continue
        if kind != "op":
            continue
        op = match.group("op")
        if op == b"q":
            stack.append(ctm)
        elif op == b"Q":
            ctm = stack.pop() if stack else ctm
        elif op == b"cm" and len(numbers) >= 6:
            ctm = _mul(tuple(numbers[-6:]), ctm)  # type: ignore[arg-type]
        elif op == b"BT":
            tm = tlm = _IDENTITY
        elif op == b"Tf" and numbers:
            size = numbers[-1]
        elif op == b"TL" and numbers:
            leading = numbers[-1]
        elif op == b"Tm" and len(numbers) >= 6:
            tm = tlm = tuple(numbers[-6:])  # type: ignore[assignment]
        elif op in (b"Td", b"TD") and len(numbers) >= 2:
            if op == b"TD":
                leading = -numbers[-1]
            tm = tlm = _mul((1, 0, 0, 1, numbers[-2], numbers[-1]), tlm)
        elif op == b"T*":
            tm = tlm = _mul((1, 0, 0, 1, 0, -leading), tlm)
        elif op in (b"Tj", b"TJ", b"'", b'"'):
            if op in (b"'", b'"'):
                tm = tlm = _mul((1, 0, 0, 1, 0, -leading), tlm)
            m = _mul(tm, ctm)
            # From the descender to the top of the glyphs, roughly, in user space.
            y1, y2 = m[5] - 0.3 * size * m[3], m[5] + size * m[3]
            extents.append((min(y1, y2), max(y1, y2)))
        elif op == b"Do" and names and depth < 4:
            extents.extend(_form_extents(resources, names[-1], ctm, depth))
        elif op == b"ID":
            image_end = _END_OF_IMAGE.search(data, pos)
            pos = image_end.end() if image_end else end
        numbers.clear()
        names.clear()
    return extents


def _form_extents(resources: Any, name: bytes, ctm: Matrix,
                  depth: int) -> list[tuple[float, float]]:
    try:
        xobject = resources["/XObject"][name.decode("latin-1")].get_object()
    except (KeyError, TypeError, AttributeError):
        return []
    if xobject.get("/Subtype") != "/Form":
        return []
    matrix = tuple(float(v) for v in xobject.get("/Matrix", _IDENTITY))
    inner = xobject.get("/Resources")
    return text_extents(xobject.get_data(), inner.get_object() if inner else resources,
                        _mul(matrix, ctm), depth + 1)  # type: ignore[arg-type]


def _page_text(page: Any) -> list[tuple[float, float]]:
    contents = page.get_contents()
    if contents is None:
        return []
    resources = page.get("/Resources")
    return text_extents(contents.get_data(), resources.get_object() if resources else {})


def _free(extents: list[tuple[float, float]], low: float, high: float) -> bool:
    return not any(bottom < high and top > low for bottom, top in extents)


def place_numbers(writer: PdfWriter) -> list[PageBand]:
    """For every page, the edge where its running number covers no text.

    Rotated pages are turned upright first; a page with text at both edges is shrunk a
    little from the bottom so that the number has a band of its own.
    """
    bands = []
    for page in writer.pages:
        if page.rotation:
            page.transfer_rotation_to_content()
        box = page.cropbox
        x0, y0, width, height = float(box.left), float(box.bottom), float(box.width), \
            float(box.height)
        extents = _page_text(page)
        low, high = BAND[0], BAND[1] + CLEARANCE
        if _free(extents, y0 + low, y0 + high):
            edge = "botten"
        elif _free(extents, y0 + height - high, y0 + height - low):
            edge = "topp"
        else:
            _shrink(page, x0, y0, width, height)
            edge = "botten"
        bands.append(PageBand(round(width, 2), round(height, 2), edge))
    return bands


def _shrink(page: Any, x0: float, y0: float, width: float, height: float) -> None:
    """Scale the page's content (and its links) into the box above the band."""
    scale = (height - SHRINK) / height
    tx = x0 + width * (1 - scale) / 2 - scale * x0
    ty = y0 + SHRINK - scale * y0
    page.add_transformation(Transformation().scale(scale, scale).translate(tx, ty))
    for annotation in page.get("/Annots") or ():
        annotation = annotation.get_object()
        if "/Rect" in annotation:
            x1, y1, x2, y2 = (float(v) for v in annotation["/Rect"])
            annotation[NameObject("/Rect")] = RectangleObject(
                [FloatObject(x1 * scale + tx), FloatObject(y1 * scale + ty),
                 FloatObject(x2 * scale + tx), FloatObject(y2 * scale + ty)])


def stamp(writer: PdfWriter, numbers: bytes) -> None:
    """Merge page i of `numbers` (the running numbers, one page each) onto page i."""
    reader = PdfReader(io.BytesIO(numbers))
    if len(reader.pages) != len(writer.pages):
        raise ValueError(f"sidnumren har {len(reader.pages)} sidor, paketet "
                         f"{len(writer.pages)}")
    for page, overlay in zip(writer.pages, reader.pages, strict=True):
        box = page.cropbox
        page.merge_transformed_page(
            overlay, Transformation().translate(float(box.left), float(box.bottom)))
        page.compress_content_streams()  # merging leaves the page's content uncompressed


def finish(writer: PdfWriter, metadata: dict[str, str], sources: list[bytes]) -> bytes:
    """The packet's bytes: metadata, language sv-SE, and an /ID from its inputs."""
    writer.add_metadata(metadata)
    writer._root_object[NameObject("/Lang")] = TextStringObject("sv-SE")
    digest = hashlib.sha256()
    for source in sources:
        digest.update(hashlib.sha256(source).digest())
    identifier = digest.hexdigest()[:32].encode()
    # A fixed /ID from the content, so the same inputs give the same bytes.
    writer._ID = ArrayObject([ByteStringObject(identifier), ByteStringObject(identifier)])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
