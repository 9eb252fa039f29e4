"""Markers in a built DOCX, so that Word edits can come back (`utlatande import`).

Each block the template wrote from an answer key (``data-nyckel`` in the HTML) gets a
hidden bookmark ``_utl_N``; every other block gets one that says it is the template's.
Bookmarks are kept by Word and by LibreOffice when they save. A custom XML part carries
the answer file's path and exact text at build time, the key of each marker, and what
the reader (wordtext.py) reads from the document as written: the base of the three-way
merge. Nothing here changes the document's visible text.
"""

from __future__ import annotations

import base64
import json
from contextlib import contextmanager
from typing import Any

from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from ... import wordtext

NAMESPACE = "urn:utlatande:svar:1"
CUSTOM_XML = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/customXml"
CUSTOM_XML_PROPS = ("http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
                    "customXmlProps")
PROPS_CT = "application/vnd.openxmlformats-officedocument.customXmlProperties+xml"
# Bookmark ids of their own range, clear of any a Word template brings.
FIRST_ID = 70000
# Elements written as several blocks; a keyed paragraph is marked where it is written.
RANGED = {"ul", "ol", "table", "blockquote", "pre", "figure"}
ITEM_ID = "{5B0C2F43-9E1D-4A8B-8C61-2D7F4E3A9B10}"
# 2: headers and footers are marked too, and every paragraph of a layout table.
VERSION = 2


class Marks:
    """Collects the markers of one document while the writer writes it."""

    def __init__(self) -> None:
        self.keys: list[str | None] = []
        self.inline: list[Any] = []  # open inline bookmarks' ids
        self.wrapped: set[Any] = set()  # blocks marked whole with a key

    def _bookmark(self, key: str | None) -> tuple[Any, Any]:
        number = len(self.keys)
        self.keys.append(key)
        start = OxmlElement("w:bookmarkStart")
        start.set(qn("w:id"), str(FIRST_ID + number))
        start.set(qn("w:name"), f"_utl_{number}")
        end = OxmlElement("w:bookmarkEnd")
        end.set(qn("w:id"), str(FIRST_ID + number))
        return start, end

    def paragraph(self, el, p) -> None:
        """A paragraph written from an element that names its key."""
        key = el.get("data-nyckel")
        if key:
            self._wrap(p, p, key)

    @contextmanager
    def blocks(self, el, parent):
        """Blocks (a list, a table, a quote) written inside the `with` from a keyed element."""
        key = (el.get("data-nyckel") or _code_key(el)) if el.tag in RANGED else None
        before = _count(parent) if key and parent is not None else 0
        yield
        if key and parent is not None:
            # Each block its own marker: a list item or a paragraph can move or be deleted
            # without taking the others' key with it.
            for block in [c for c in parent if c.tag in (qn("w:p"), qn("w:tbl"))][before:]:
                self._wrap(block, block, key)

    def inline_start(self, p, key: str) -> None:
        start, end = self._bookmark(key)
        p.append(start)
        self.inline.append(end)

    def inline_end(self, p) -> None:
        if self.inline:
            p.append(self.inline.pop())

    def _wrap(self, first, last, key: str | None) -> None:
        if key is not None:
            self.wrapped.add(first)
        start, end = self._bookmark(key)
        first_p = _first_paragraph(first)
        last_p = _last_paragraph(last)
        if first_p is None or last_p is None:
            return
        ppr = first_p.find(qn("w:pPr"))
        if ppr is not None:
            ppr.addnext(start)
        else:
            first_p.insert(0, start)
        last_p.append(end)

    def finish(self, doc, footnotes, source: dict[str, Any] | None) -> None:
        """Template markers on the rest, and the embedded answer with the reader's snapshot.

        Every paragraph with text that no key marks whole gets a template marker, in the
        body, the headers and the footers alike: an edit there is at least reported.
        """
        if source is None:
            return
        for root in [doc.element.body, *(part.element for _, part in furniture(doc))]:
            self._mark_template(root)
        parts = reader_parts(doc, footnotes)
        reader = wordtext.Reader(parts)
        extracted = wordtext.group(reader.items(), self.keys, parts, reader.stories())
        _embed(doc, {
            "svarsfil": source["fil"],
            "svar": base64.b64encode(source["text"]).decode("ascii"),
            "nycklar": json.dumps(self.keys, ensure_ascii=True),
            "varden": json.dumps({"värden": extracted.values, "mall": extracted.template},
                                 ensure_ascii=True),
        })

    def _mark_template(self, root) -> None:
        for block in [c for c in root if c.tag in (qn("w:p"), qn("w:tbl"))]:
            if block in self.wrapped or block.find(".//" + qn("w:t")) is None:
                continue  # a key's, or an empty paragraph (space between blocks)
            if block.tag == qn("w:p") or block.find(".//" + qn("w:bookmarkStart")) is None:
                self._wrap(block, block, None)
                continue
            # A layout table holding keys (the header fields, the attestation): each of
            # its paragraphs that no key marks whole, a label say, is the template's.
            for p in block.iter(qn("w:p")):
                if p not in self.wrapped and p.find(".//" + qn("w:t")) is not None:
                    self._wrap(p, p, None)


def furniture(doc) -> list[tuple[str, Any]]:
    """The document's header and footer parts, by part name."""
    found = {}
    for rel in doc.part.rels.values():
        if not rel.is_external and rel.reltype.endswith(("/header", "/footer")):
            part = rel.target_part
            found[str(part.partname).lstrip("/")] = part
    return sorted(found.items())


def reader_parts(doc, footnotes) -> wordtext.Parts:
    """The reader's view of a python-docx document in memory."""
    styles = {s.style_id: (s.name or "").lower() for s in doc.styles}
    links = {rel_id: rel.target_ref for rel_id, rel in doc.part.rels.items() if rel.is_external}
    notes = {}
    if footnotes is not None:
        notes = {n.get(qn("w:id")): n for n in footnotes.findall(qn("w:footnote"))}
    parts = wordtext.Parts(doc.element.body, notes, styles, links)
    numbering = next((rel.target_part.element for rel in doc.part.rels.values()
                      if rel.reltype.endswith("/numbering")), None)
    parts.restarts = wordtext.list_restarts(numbering)
    parts.stories = [(name, part.element) for name, part in furniture(doc)]
    return parts


def _code_key(el) -> str | None:
    """A fenced block's key stands on its <code> (markdown-it puts attributes there)."""
    if el.tag == "pre":
        code = el.find("code")
        if code is not None:
            return code.get("data-nyckel")
    return None


def _count(parent) -> int:
    return sum(1 for c in parent if c.tag in (qn("w:p"), qn("w:tbl")))


def _first_paragraph(block):
    return block if block.tag == qn("w:p") else next(block.iter(qn("w:p")), None)


def _last_paragraph(block):
    if block.tag == qn("w:p"):
        return block
    paragraphs = list(block.iter(qn("w:p")))
    return paragraphs[-1] if paragraphs else None


def _embed(doc, fields: dict[str, str]) -> None:
    """The fields as a custom XML part of the document: Word and LibreOffice keep it."""
    from xml.sax.saxutils import escape

    body = "".join(f"<{name}>{escape(value)}</{name}>" for name, value in fields.items())
    item = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            f'<utlatande xmlns="{NAMESPACE}" version="{VERSION}">{body}</utlatande>').encode()
    props = ('<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
             f'<ds:datastoreItem ds:itemID="{ITEM_ID}" xmlns:ds="http://schemas.openxmlformats'
             '.org/officeDocument/2006/customXml"><ds:schemaRefs>'
             f'<ds:schemaRef ds:uri="{NAMESPACE}"/></ds:schemaRefs></ds:datastoreItem>'
             ).encode()
    package = doc.part.package
    item_part = Part(package.next_partname("/customXml/item%d.xml"), "application/xml", item,
                     package)
    props_name = PackURI(item_part.partname.replace("/item", "/itemProps"))
    props_part = Part(props_name, PROPS_CT, props, package)
    item_part.relate_to(props_part, CUSTOM_XML_PROPS)
    doc.part.relate_to(item_part, CUSTOM_XML)


def parent_of(container):
    """The XML element a python-docx container (document, cell, header) adds blocks to."""
    if hasattr(container, "_tc"):
        return container._tc
    element = getattr(container, "element", None)
    if element is not None and hasattr(element, "body"):
        return element.body
    return getattr(container, "_element", None)
