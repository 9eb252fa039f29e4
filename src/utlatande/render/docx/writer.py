"""Semantic HTML → DOCX with python-docx: the templates' closed vocabulary on Word's own styles.

The writer is put together from the parts in this folder: styles, the page, fields, notes,
tables and numbering; elements.py holds the vocabulary they share.
"""

from __future__ import annotations

import copy
import io
import zipfile
from typing import Any

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor
from docx.table import _Cell
from docx.text.paragraph import Paragraph
from lxml import html as lxml_html

from ...brand import Brand
from ...errors import AnswerError, Problem
from .elements import (
    BLOCK_CONTAINERS,
    HEADING_STYLES,
    INLINE_TAGS,
    ZIP_DATE,
    Format,
    Piece,
    classes_of,
    clean_text,
    collapse,
)
from .fields import Fields
from .images import CAPTION_STYLE, add_picture
from .marks import Marks, parent_of
from .notes import Notes
from .numbering import Numbering
from .page import PageFurniture
from .styles import SHARED_BLOBS, Styles, base_document, forget_proofing_state
from .tables import Tables, is_fresh
from .template import complete_styles, has_template


class DocxWriter(Styles, PageFurniture, Fields, Notes, Tables, Numbering):
    """Writes one document: ``DocxWriter(settings, meta).write(html)`` gives its bytes."""

    def __init__(self, settings: dict[str, Any], meta: dict[str, Any],
                 brand: Brand | None = None):
        self.settings = settings
        self.meta = meta
        self.brand = brand
        self.doc, self.style_ids = base_document(self)
        self.footnotes_xml = None
        self.next_footnote = 1
        self.list_number_abstract: dict[str, str] = {}
        self.footer_el = None
        self.marks = Marks()

    def prepare(self) -> None:
        """Styles, page and an empty body: done once per profile, then copied.

        Every style a document may use is made here, footnotes' and contents' too, so
        that the styles part is the same for every document of the profile: it is shared,
        not copied, and serialised once.
        """
        added = complete_styles(self.doc) if has_template(self.brand) else None
        self._set_up_styles(only=added)
        self._add_footnote_styles()
        self._add_toc_styles()
        self._set_up_page()
        self._remove_template_paragraph()
        forget_proofing_state(self.doc)
        # Word 2010's copy of the styles (438 kB): newer Word and LibreOffice do not read it.
        for rel_id, rel in list(self.doc.part.rels.items()):
            if rel.reltype.endswith("/stylesWithEffects"):
                self.doc.part.drop_rel(rel_id)

    def write(self, html: str) -> bytes:
        self._set_core_properties()
        tree = lxml_html.document_fromstring(html)
        body = tree.find("body")
        self._page_furniture(body)
        for child in body:
            self._block(child, self.doc, 0)
        self.marks.finish(self.doc, self.footnotes_xml, self.meta.get("svar"))
        return self._deterministic_zip()

    def _paragraph(self, container, style: str | None = None) -> Paragraph:
        """A new paragraph; a table cell's first paragraph is reused, not left empty."""
        if isinstance(container, _Cell) and is_fresh(container):
            paragraph = container.paragraphs[0]
        else:
            paragraph = container.add_paragraph()
        if style:
            # By id, not name: python-docx looks a name up through every style each time.
            paragraph._p.get_or_add_pPr().style = self._style_id(style)
        return paragraph

    def _block(self, el, container, depth: int) -> None:
        with self.marks.blocks(el, parent_of(container)):
            self._unmarked_block(el, container, depth)

    def _unmarked_block(self, el, container, depth: int) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        classes = classes_of(el)
        if tag in ("footer",) or {"lopande-sidhuvud", "brevhuvud", "logga"} & classes:
            return  # page furniture, written into the header and footer parts
        if tag == "h1":
            self._inline_block(el, container, style="Title")
        elif tag in HEADING_STYLES:
            self._inline_block(el, container, style=HEADING_STYLES[tag])
        elif tag == "p":
            style = "Subtitle" if "underrubrik" in classes else None
            paragraph = self._inline_block(el, container, style=style)
            if "organisation" in classes and paragraph is not None:
                for run in paragraph.runs:
                    run.bold = True
        elif tag in ("ul", "ol"):
            self._list(el, container, 0)
        elif tag == "table":
            self._html_table(el, container)
        elif tag == "blockquote":
            for child in el:
                if child.tag == "p":
                    self._inline_block(child, container, style="Quote")
                else:
                    self._block(child, container, depth)
        elif tag == "hr":
            return
        elif tag == "pre":
            self._preformatted(el, container)
        elif tag == "figure":
            self._figure(el, container)
        elif "underskrifter" in classes and "bredvid" in classes:
            self._signatures_side_by_side(el, container)
        elif "fragetext" in classes:
            for child in el:
                paragraph = self._inline_block(child, container) if child.tag == "p" else None
                if paragraph is None:
                    self._block(child, container, depth)
                    continue
                for run in paragraph.runs:
                    run.bold = True
        elif "attestering" in classes and "ny-sida" in classes and tag == "section":
            self._new_section_without_address()
            for child in el:
                self._block(child, container, depth)
        elif "innehallsforteckning" in classes:
            self._table_of_contents(el, container)
            self._page_break(container)
        elif "forsattsblad" in classes:
            for child in el:
                self._block(child, container, depth + 1)
            self._page_break(container)
        elif "underskrift" in classes:
            first = True
            for child in el:
                paragraph = self._inline_block(child, container)
                if paragraph is not None:
                    paragraph.paragraph_format.space_after = Pt(0)
                    if first:
                        paragraph.paragraph_format.space_before = Pt(24)
                        first = False
            spacer = self._paragraph(container)
            spacer.paragraph_format.space_after = Pt(0)
        elif "huvudfalt" in classes:
            self._columns(el, container)
        elif tag in BLOCK_CONTAINERS:
            for child in el:
                self._block(child, container, depth + 1)
        else:
            # A template (a profile's own, say) wrote HTML outside the vocabulary: the
            # template's mistake, reported as the user's, with the element's line in the HTML.
            raise AnswerError([Problem(
                f"mallen för {self.meta.get('keywords') or 'dokumentet'}", el.sourceline or 1,
                1, f"DOCX-skrivaren känner inte elementet <{tag}>; skriv om mallen med "
                "elementen i delar.html.j2", "mall.element")])

    def _figure(self, el, container) -> None:
        """An image alone in its paragraph, then its caption (figcaption) in Word's style."""
        for img in el.iter("img"):
            add_picture(self._paragraph(container), img, self._text_width())
        for caption in el.iter("figcaption"):
            self._inline_block(caption, container, style=CAPTION_STYLE)

    def _preformatted(self, el, container) -> None:
        """A fenced block: its lines as typed, in a fixed-width font, as the PDF shows it."""
        paragraph = self._paragraph(container)
        lines = clean_text(el.text_content()).rstrip("\n").split("\n")
        for i, line in enumerate(lines):
            run = paragraph.add_run(line)
            run.font.name = "Liberation Mono"
            if i < len(lines) - 1:
                run.add_break()

    def _inline_block(self, el, container, style: str | None = None) -> Paragraph | None:
        """A paragraph from an element's inline content; block children are handled after it."""
        pieces = self._pieces(el, Format())
        if not any(p.text.strip() or p.kind != "text" for p in pieces):
            return None
        paragraph = self._paragraph(container, style)
        self._emit(paragraph, pieces)
        self.marks.paragraph(el, paragraph._p)
        return paragraph

    def _pieces(self, el, fmt: Format) -> list[Piece]:
        """Inline content of `el` as formatted pieces, whitespace collapsed the way HTML does."""
        pieces: list[Piece] = []
        if el.text:
            pieces.append(Piece(el.text, fmt))
        for child in el:
            tag = child.tag if isinstance(child.tag, str) else ""
            if tag in INLINE_TAGS:
                pieces.extend(self._inline(child, fmt))
            elif tag == "p":
                # Paragraphs inside list items or cells: joined with a line break.
                if pieces:
                    pieces.append(Piece(kind="br", fmt=fmt))
                pieces.extend(self._pieces(child, fmt))
            elif tag in ("ul", "ol", "table", "blockquote"):
                pass  # block content: written by the caller
            elif tag:
                pieces.extend(self._pieces(child, fmt))
            if child.tail:
                pieces.append(Piece(child.tail, fmt))
        return pieces

    def _inline(self, el, fmt: Format) -> list[Piece]:
        tag = el.tag
        if tag == "br":
            return [Piece(kind="br", fmt=fmt)]
        if tag == "span" and "fotnot" in classes_of(el):
            return [Piece(kind="footnote", fmt=fmt, footnote=el)]
        if tag == "img":
            return [Piece(kind="image", fmt=fmt, image=el)]
        if tag == "span" and el.get("data-nyckel"):
            return [Piece(kind="mark", text=el.get("data-nyckel")), *self._pieces(el, fmt),
                    Piece(kind="unmark")]
        inner = copy.copy(fmt)
        if tag in ("strong", "b"):
            inner.bold = True
        elif tag in ("em", "i"):
            inner.italic = True
        elif tag in ("s", "del"):
            inner.strike = True
        elif tag == "sup":
            inner.superscript = True
        elif tag == "a":
            href = el.get("href") or ""
            inner.link = href if href and not href.startswith("#") else "#"
        return self._pieces(el, inner)

    def _emit(self, paragraph: Paragraph, pieces: list[Piece]) -> None:
        # A footnote call or an image stands in the text like a letter: the space after
        # it stays. Only a line break starts the line afresh.
        texts = collapse([p.text if p.kind == "text" else "" if p.kind in ("mark", "unmark")
                          else "\n" if p.kind == "br" else "\ufffc" for p in pieces])
        for piece, text in zip(pieces, texts, strict=True):
            if piece.kind == "mark":
                self.marks.inline_start(paragraph._p, piece.text)
            elif piece.kind == "unmark":
                self.marks.inline_end(paragraph._p)
            elif piece.kind == "br":
                paragraph.add_run().add_break()
            elif piece.kind == "footnote":
                self._footnote(paragraph, piece.footnote)
            elif piece.kind == "image":
                add_picture(paragraph, piece.image, self._text_width())
            elif text:
                self._run(paragraph, clean_text(text), piece.fmt)

    def _run(self, paragraph: Paragraph, text: str, fmt: Format):
        if fmt.link and fmt.link != "#":
            return self._hyperlink(paragraph, text, fmt)
        run = paragraph.add_run(text)
        # Only what is set: each property python-docx writes costs an rPr lookup.
        if fmt.bold:
            run.bold = True
        if fmt.italic:
            run.italic = True
        if fmt.strike:
            run.font.strike = True
        if fmt.superscript:
            run.font.superscript = True
        if fmt.link:
            run.font.underline = True
        return run

    def _hyperlink(self, paragraph: Paragraph, text: str, fmt: Format):
        rel_id = paragraph.part.relate_to(fmt.link, RT.HYPERLINK, is_external=True)
        link = OxmlElement("w:hyperlink")
        link.set(qn("r:id"), rel_id)
        run = paragraph.add_run(text)
        run.font.underline = True
        run.font.color.rgb = RGBColor(0x1F, 0x4E, 0x9A)
        run.bold = fmt.bold or None
        run.italic = fmt.italic or None
        run._r.getparent().remove(run._r)
        link.append(run._r)
        paragraph._p.append(link)
        return run

    def _deterministic_zip(self) -> bytes:
        """The package as a zip whose entries have fixed dates, without a thumbnail."""
        from docx.opc.constants import RELATIONSHIP_TYPE
        from docx.opc.pkgwriter import _ContentTypesItem

        self._attach_footnotes()
        package = self.doc.part.package
        for rel in list(package.rels.values()):
            if rel.reltype == RELATIONSHIP_TYPE.THUMBNAIL:
                package.rels.pop(rel.rId)
        parts = list(package.iter_parts())
        entries = [("[Content_Types].xml", _ContentTypesItem.from_parts(parts).blob),
                   ("_rels/.rels", package.rels.xml)]
        for part in parts:
            blob = SHARED_BLOBS.get(id(part))
            entries.append((part.partname.membername, part.blob if blob is None else blob))
            if len(part.rels):
                entries.append((part.partname.rels_uri.membername, part.rels.xml))
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
            for name, data in entries:
                entry = zipfile.ZipInfo(name, date_time=ZIP_DATE)
                entry.compress_type = zipfile.ZIP_DEFLATED
                entry.external_attr = 0o644 << 16
                target.writestr(entry, data)
        return out.getvalue()


def write_docx(html: str, settings: dict[str, Any], meta: dict[str, Any],
               brand: Brand | None = None) -> bytes:
    """The DOCX's bytes for one rendered document, on the profile's Word template if any."""
    writer = DocxWriter(settings, meta, brand)
    return writer.write(html)
