"""The packet's running page number: where on each page it covers no text, and the
stamping of each page with its number (drawn by the kallelse's sidnummer template, one
page per number) as an artifact, outside the structure tree, so that a screen reader
skips it. The merging itself, tags and all, is pdfmerge.py's."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Name

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
# The name of the number's form XObject in a page's resources.
FORM = "/UtlatandeSidnummer"
# Links in the kallelse that point at a page of the packet: "<prefix><page number>".
LINK_PREFIX = "utlatande-sida:"


@dataclass(frozen=True)
class PageBand:
    """A page's size and the edge its running number goes at: 'botten' or 'topp'."""

    width: float
    height: float
    edge: str


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
        xobject = resources["/XObject"][name.decode("latin-1")]
    except (KeyError, TypeError, AttributeError):
        return []
    if not isinstance(xobject, pikepdf.Stream) or xobject.get("/Subtype") != Name.Form:
        return []
    matrix = tuple(float(v) for v in xobject.get("/Matrix", _IDENTITY))
    inner = xobject.get("/Resources")
    try:
        data = xobject.read_bytes()
    except pikepdf.PdfError:
        return []
    return text_extents(data, inner if inner is not None else resources,
                        _mul(matrix, ctm), depth + 1)  # type: ignore[arg-type]


def _resources(page: Any) -> Any:
    """A page's resources, inherited from the page tree where the page has none."""
    node = page
    while node is not None:
        if "/Resources" in node:
            return node.Resources
        node = node.get("/Parent")
    return Dictionary()


def _page_text(page: Any) -> list[tuple[float, float]]:
    contents = page.get("/Contents")
    if contents is None:
        return []
    streams = list(contents) if isinstance(contents, Array) else [contents]
    try:
        data = b"\n".join(stream.read_bytes() for stream in streams)
    except pikepdf.PdfError:
        return []
    return text_extents(data, _resources(page))


def _free(extents: list[tuple[float, float]], low: float, high: float) -> bool:
    return not any(bottom < high and top > low for bottom, top in extents)


def _box(page: Any) -> tuple[float, float, float, float]:
    """x0, y0, width, height of the page's crop box (its media box if it has none)."""
    node, box = page, None
    while node is not None and box is None:
        box = node.get("/CropBox", node.get("/MediaBox"))
        node = node.get("/Parent")
    x0, y0, x1, y1 = (float(v) for v in box)
    return min(x0, x1), min(y0, y1), abs(x1 - x0), abs(y1 - y0)


EDGES = ("botten", "topp", "krympt")


def place_numbers(pdf: pikepdf.Pdf, known: dict[str, str] | None = None,
                  found: dict[str, str] | None = None,
                  given: dict[int, PageBand] | None = None) -> list[PageBand]:
    """For every page, the edge where its running number covers no text.

    Rotated pages are turned upright first; a page with text at both edges is shrunk a
    little from the bottom so that the number has a band of its own. `known` maps a
    page's content (page_key) to its edge, 'krympt' for a shrunk page: a page found there
    is not read again. Every page's edge is put in `found`. A page in `given` (by index)
    has its band already: a stub whose content is written later (agenda/held.py).
    """
    known = {} if known is None else known
    found = {} if found is None else found
    given = {} if given is None else given
    bands = []
    for index, page in enumerate(pdf.pages):
        if index in given:
            bands.append(given[index])
            continue
        edge, box = read_edge(page, known, found)
        settle(page, edge, box)
        bands.append(band_of(box, edge))
    return bands


Box = tuple[float, float, float, float]


def read_edge(page: pikepdf.Page, known: dict[str, str], found: dict[str, str]
              ) -> tuple[str, Box]:
    """A page's edge for its number ('krympt': shrunk) and its box, the page turned
    upright first; read from its text unless `known` has its content. Put in `found`."""
    if int(page.obj.get("/Rotate", 0)) % 360:
        page.flatten_rotation()
    box = _box(page.obj)
    x0, y0, width, height = box
    key = page_key(page.obj, box)
    edge = known.get(key) if key is not None else None
    if edge is None:
        extents = _page_text(page.obj)
        low, high = BAND[0], BAND[1] + CLEARANCE
        if _free(extents, y0 + low, y0 + high):
            edge = "botten"
        elif _free(extents, y0 + height - high, y0 + height - low):
            edge = "topp"
        else:
            edge = "krympt"
    if key is not None:
        found[key] = edge
    return edge, box


def settle(page: pikepdf.Page, edge: str, box: Box) -> None:
    """Make room for the number where `edge` says so: a page without it is shrunk."""
    if edge == "krympt":
        _shrink(page, *box)


def band_of(box: Box, edge: str) -> PageBand:
    """The band a page of this box gets at its edge."""
    _, _, width, height = box
    return PageBand(round(width, 2), round(height, 2), "botten" if edge == "krympt" else edge)


def page_key(page: Any, box: tuple[float, float, float, float]) -> str | None:
    """A hash of everything the text's place on a page is read from: its box, its content
    streams and the form XObjects they may draw (as stored, not decoded); None for a page
    whose streams cannot be read."""
    digest = hashlib.sha256(repr(box).encode())
    try:
        contents = page.get("/Contents")
        streams = list(contents) if isinstance(contents, Array) else \
            [contents] if contents is not None else []
        for stream in streams:
            digest.update(b"\0c" + stream.read_raw_bytes())
        _forms_into(digest, _resources(page), 0, set())
    except (pikepdf.PdfError, AttributeError, TypeError, ValueError):
        return None
    return digest.hexdigest()


def _forms_into(digest: Any, resources: Any, depth: int, seen: set) -> None:
    xobjects = resources.get("/XObject") if isinstance(resources, Dictionary) else None
    if not isinstance(xobjects, Dictionary) or depth > 4:
        return
    for name in sorted(xobjects.keys()):
        xobject = xobjects[name]
        if not isinstance(xobject, pikepdf.Stream) or xobject.get("/Subtype") != Name.Form:
            continue
        digest.update(b"\0f" + name.encode() + repr(list(xobject.get("/Matrix", []))).encode())
        if xobject.objgen != (0, 0) and xobject.objgen in seen:
            continue
        seen.add(xobject.objgen)
        digest.update(xobject.read_raw_bytes())
        _forms_into(digest, xobject.get("/Resources", resources), depth + 1, seen)


def _shrink(page: pikepdf.Page, x0: float, y0: float, width: float, height: float) -> None:
    """Scale the page's content (and its links) into the box above the band."""
    scale = (height - SHRINK) / height
    tx = x0 + width * (1 - scale) / 2 - scale * x0
    ty = y0 + SHRINK - scale * y0
    page.contents_add(f"q {scale:.6f} 0 0 {scale:.6f} {tx:.4f} {ty:.4f} cm\n".encode(),
                      prepend=True)
    page.contents_add(b"\nQ\n")
    for annotation in page.obj.get("/Annots", []):
        if "/Rect" in annotation:
            x1, y1, x2, y2 = (float(v) for v in annotation.Rect)
            annotation.Rect = Array([x1 * scale + tx, y1 * scale + ty,
                                     x2 * scale + tx, y2 * scale + ty])


def stamp(pdf: pikepdf.Pdf, numbers: pikepdf.Pdf, first: int = 0,
          skip: frozenset[int] = frozenset()) -> None:
    """Draw page i of `numbers` (the running numbers, one page each) on page first + i,
    marked as a pagination artifact; the page's own content is untouched (and read only
    when the result is written). The pages in `skip` are stamped later (agenda/held.py).

    The numbers' data is copied now, so `numbers` may be closed at once: a council's
    packet has a dozen files of numbers, and each one open holds its every object."""
    if first + len(numbers.pages) > len(pdf.pages):
        raise ValueError(f"sidnumren för sidorna från {first + 1} har {len(numbers.pages)} "
                         f"sidor, paketet {len(pdf.pages)}")
    pages = pdf.pages[first:first + len(numbers.pages)]
    forms = []
    for index, (page, overlay) in enumerate(zip(pages, numbers.pages, strict=True),
                                            start=first):
        if index not in skip:
            forms.append(pdf.copy_foreign(number_form(overlay)))
            stamp_page(page, forms[-1])
    _own_data(forms)


def _own_data(objects: list[Any]) -> None:
    """Every stream the copied objects reach given its data, raw as its file has it: qpdf
    otherwise reads a copied stream's data from the file it came from when it writes."""
    seen: set[tuple[int, int]] = set()
    stack = list(objects)
    while stack:
        obj = stack.pop()
        if not isinstance(obj, (Dictionary, Array, pikepdf.Stream)):
            continue
        if obj.is_indirect:
            if obj.objgen in seen:
                continue
            seen.add(obj.objgen)
        if isinstance(obj, pikepdf.Stream):
            obj.write(obj.read_raw_bytes(), filter=obj.get("/Filter"),
                      decode_parms=obj.get("/DecodeParms"), type_check=False)
            stack.extend(obj.stream_dict.values())
        else:
            stack.extend(obj.values() if isinstance(obj, Dictionary) else obj)


def stamp_page(page: pikepdf.Page, form: Any) -> None:
    """Draw `form` (a running number, in the page's file) at the page's corner."""
    x0, y0, _, _ = _box(page.obj)
    resources = Dictionary(_resources(page.obj))  # the page's own: others share the old
    xobjects = Dictionary(resources.get("/XObject", Dictionary()))
    xobjects[FORM] = form
    resources.XObject = xobjects
    page.obj.Resources = resources
    page.contents_add(b"q\n", prepend=True)
    page.contents_add(
        f"\nQ\nq 1 0 0 1 {x0:.4f} {y0:.4f} cm /Artifact <</Type /Pagination>> BDC "
        f"{FORM} Do EMC Q\n".encode())


def number_form(overlay: pikepdf.Page) -> Any:
    """A page of the running numbers as a form XObject. WeasyPrint draws each on a plain
    page (one content stream, origin at 0 0, no rotation): that stream itself is marked as
    the form, so that its data is copied from the numbers' file as the packet is written
    and never held in memory; any other page is combined into a new form."""
    page = overlay.obj
    contents = page.get("/Contents")
    box = [float(v) for v in page.get("/MediaBox", [1, 1, 0, 0])]
    if not isinstance(contents, pikepdf.Stream) or "/Resources" not in page \
            or "/CropBox" in page or int(page.get("/Rotate", 0)) or box[:2] != [0, 0]:
        return overlay.as_form_xobject()
    contents.Type = Name.XObject
    contents.Subtype = Name.Form
    contents.BBox = page.MediaBox
    contents.Resources = page.Resources
    return contents
