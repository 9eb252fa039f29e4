"""Semantic HTML → DOCX with python-docx: the templates' closed vocabulary on Word's own styles."""

from __future__ import annotations

import copy
import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any

import docx
from docx.enum.section import WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_BREAK, WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt, RGBColor
from docx.table import _Cell
from docx.text.paragraph import Paragraph
from lxml import html as lxml_html

from ...errors import AnswerError, Problem

HEADING_STYLES = {"h2": "Heading 1", "h3": "Heading 2", "h4": "Heading 3", "h5": "Heading 3",
                  "h6": "Heading 3"}
INLINE_TAGS = {"strong", "b", "em", "i", "s", "del", "a", "span", "code", "br", "sup", "sub",
               "u", "small"}
BLOCK_CONTAINERS = {"section", "div", "main", "nav", "article", "address", "header", "body"}
FOOTNOTES_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
# Word's stored timestamp for every zip entry: the same bytes whenever the file is built.
ZIP_DATE = (2000, 1, 1, 0, 0, 0)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SPACE = re.compile(r"[ \t\n\r\f]+")


@dataclass
class Format:
    """Character formatting a run inherits from the inline elements around it."""

    bold: bool = False
    italic: bool = False
    strike: bool = False
    link: str | None = None
    superscript: bool = False


@dataclass
class Piece:
    """One inline piece of a paragraph: text, a line break, or a footnote."""

    text: str = ""
    fmt: Format = field(default_factory=Format)
    kind: str = "text"  # text | br | footnote
    footnote: Any = None


def _classes(el) -> set[str]:
    return set((el.get("class") or "").split())


def clean_text(text: str) -> str:
    """Characters XML 1.0 (and so DOCX) cannot hold are dropped."""
    return _CONTROL.sub("", text)


TOC_LEVELS = 3  # the contents field lists headings 1-3


class DocxWriter:
    """Writes one document: ``DocxWriter(settings, meta).write(html)`` gives its bytes."""

    def __init__(self, settings: dict[str, Any], meta: dict[str, Any]):
        self.settings = settings
        self.meta = meta
        self.doc, self.style_ids = _base_document(self)
        self.footnotes_xml = None
        self.next_footnote = 1
        self.list_number_abstract: dict[str, str] = {}
        self.footer_el = None

    # -- document set-up -------------------------------------------------------------
    def _set_up_styles(self) -> None:
        fonts = self.settings.get("typsnitt", {})
        body_font = fonts.get("brödtext", "Liberation Serif")
        heading_font = fonts.get("rubriker", "Liberation Sans")
        size = float(str(fonts.get("storlek", "11pt")).removesuffix("pt"))
        styles = self.doc.styles
        normal = styles["Normal"]
        normal.font.name = body_font
        normal.font.size = Pt(size)
        normal.paragraph_format.space_after = Pt(6)
        normal.paragraph_format.line_spacing = 1.15
        self._set_language(normal.element)
        sizes = {"Title": 17, "Subtitle": 12, "Heading 1": 13, "Heading 2": 11.5,
                 "Heading 3": 11}
        for name, pt in sizes.items():
            style = styles[name]
            style.font.name = heading_font
            style.font.size = Pt(pt)
            style.font.color.rgb = RGBColor(0, 0, 0)
            style.font.bold = name != "Subtitle"
            style.font.italic = name == "Heading 3"
            rpr = style.element.get_or_add_rPr()
            for theme_attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
                rfonts = rpr.find(qn("w:rFonts"))
                if rfonts is not None and rfonts.get(qn(theme_attr)) is not None:
                    del rfonts.attrib[qn(theme_attr)]
        title = styles["Title"]
        title_ppr = title.element.get_or_add_pPr()
        for border in title_ppr.findall(qn("w:pBdr")):
            title_ppr.remove(border)
        title.paragraph_format.space_after = Pt(4)
        styles["Subtitle"].paragraph_format.space_after = Pt(12)
        for name in ("Header", "Footer"):
            styles[name].font.name = heading_font
            styles[name].font.size = Pt(8)
        # Document-wide language: Word and LibreOffice spell-check and hyphenate as Swedish.
        rpr_default = self.doc.styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault"))
        self._set_language(rpr_default.find(qn("w:rPr")))
        settings = self.doc.settings.element
        for tag in ("w:autoHyphenation", "w:updateFields"):
            if settings.find(qn(tag)) is None:
                el = OxmlElement(tag)
                el.set(qn("w:val"), "true")
                settings.append(el)

    @staticmethod
    def _set_language(element) -> None:
        rpr = element.find(qn("w:rPr")) if element.tag != qn("w:rPr") else element
        if rpr is None:
            rpr = OxmlElement("w:rPr")
            element.append(rpr)
        lang = rpr.find(qn("w:lang"))
        if lang is None:
            lang = OxmlElement("w:lang")
            rpr.append(lang)
        lang.set(qn("w:val"), "sv-SE")
        lang.set(qn("w:eastAsia"), "sv-SE")
        lang.set(qn("w:bidi"), "ar-SA")

    def _set_up_page(self) -> None:
        section = self.doc.sections[0]
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.left_margin, section.right_margin = Mm(25), Mm(22)
        section.top_margin, section.bottom_margin = Mm(22), Mm(28)
        section.header_distance, section.footer_distance = Mm(10), Mm(10)

    def _set_core_properties(self) -> None:
        props = self.doc.core_properties
        props.title = self.meta.get("title") or ""
        props.author = self.meta.get("author") or ""
        props.subject = self.meta.get("subject") or ""
        props.keywords = self.meta.get("keywords") or ""
        props.language = "sv-SE"
        props.last_modified_by = self.meta.get("author") or ""
        props.comments = ""
        props.category = self.meta.get("keywords") or ""
        props.revision = 1
        stamp = self.meta.get("created") or dt.datetime(2000, 1, 1)
        props.created = stamp
        props.modified = stamp
        props.last_printed = stamp

    # -- entry point -------------------------------------------------------------------
    def prepare(self) -> None:
        """Styles, page and an empty body: done once per profile, then copied.

        Every style a document may use is made here, footnotes' and contents' too, so
        that the styles part is the same for every document of the profile: it is shared,
        not copied, and serialised once.
        """
        self._set_up_styles()
        self._add_footnote_styles()
        self._add_toc_styles()
        self._set_up_page()
        self._remove_template_paragraph()
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
        return self._deterministic_zip()

    def _remove_template_paragraph(self) -> None:
        for p in list(self.doc.paragraphs):
            p._element.getparent().remove(p._element)

    # -- headers and footers -----------------------------------------------------------
    def _page_furniture(self, body) -> None:
        """Letterhead in the first page's header, address and page number in every footer."""
        section = self.doc.sections[0]
        letterhead = body.find(".//header[@class='brevhuvud']")
        running = body.find(".//div[@class='lopande-sidhuvud']")
        footer = body.find(".//footer")
        self.footer_el = footer
        is_report = body.find(".//section[@class='forsattsblad']") is not None
        section.different_first_page_header_footer = letterhead is not None or is_report
        if running is not None:
            self._inline_block(running, section.header, style="Header")
        if letterhead is not None:
            self._letterhead(letterhead, section.first_page_header)
        if footer is not None:
            self._footer(footer, section.footer, with_address=True)
            if letterhead is not None:
                self._footer(footer, section.first_page_footer, with_address=True)

    def _footer(self, footer, part, with_address: bool) -> None:
        address = footer.find(".//address") if with_address else None
        groups = address.findall("div") if address is not None else []
        if groups:
            table = self._table(part, 1, len(groups), layout=True)
            for cell, group in zip(table.rows[0].cells, groups, strict=True):
                for line in group.findall("p"):
                    paragraph = self._paragraph(cell, "Footer")
                    paragraph.add_run(clean_text(_SPACE.sub(" ", line.text_content()).strip()))
                    paragraph.paragraph_format.space_after = Pt(0)
        numbering = footer.get("data-sidnumrering") or ""
        paragraph = self._paragraph(part, "Footer")
        paragraph.alignment = 2  # right
        self._page_number(paragraph, numbering)

    def _page_number(self, paragraph: Paragraph, pattern: str) -> None:
        for i, chunk in enumerate(re.split(r"\{(sida|sidor)\}", pattern)):
            if i % 2 == 0:
                if chunk:
                    paragraph.add_run(chunk)
            else:
                self._field(paragraph, "PAGE" if chunk == "sida" else "NUMPAGES", "1")

    @staticmethod
    def _field(paragraph: Paragraph, instruction: str, shown: str) -> None:
        """A complex field (PAGE, NUMPAGES): Word and LibreOffice compute it when laid out."""
        def run_with(child) -> None:
            run = paragraph.add_run()
            run._r.append(child)
        begin = OxmlElement("w:fldChar")
        begin.set(qn("w:fldCharType"), "begin")
        run_with(begin)
        instr = OxmlElement("w:instrText")
        instr.set(qn("xml:space"), "preserve")
        instr.text = f" {instruction} "
        run_with(instr)
        separate = OxmlElement("w:fldChar")
        separate.set(qn("w:fldCharType"), "separate")
        run_with(separate)
        paragraph.add_run(shown)
        end = OxmlElement("w:fldChar")
        end.set(qn("w:fldCharType"), "end")
        run_with(end)

    def _letterhead(self, header_el, part) -> None:
        table = self._table(part, 1, 2, layout=True)
        left, right = table.rows[0].cells
        for p in header_el.findall("div[@class='avsandare']/p"):
            paragraph = self._paragraph(left)
            run = paragraph.add_run(clean_text(p.text_content().strip()))
            run.bold = True
            run.font.size = Pt(15)
        for p in header_el.findall("div[@class='dokumentinfo']/p"):
            paragraph = self._paragraph(right, "Header")
            run = paragraph.add_run(clean_text(_SPACE.sub(" ", p.text_content()).strip()))
            paragraph.paragraph_format.space_after = Pt(0)
            if {"dokumenttyp", "sekretessmarkering"} & _classes(p):
                run.bold = True

    # -- blocks ------------------------------------------------------------------------
    def _paragraph(self, container, style: str | None = None) -> Paragraph:
        """A new paragraph; a table cell's first paragraph is reused, not left empty."""
        if isinstance(container, _Cell) and _is_fresh(container):
            paragraph = container.paragraphs[0]
        else:
            paragraph = container.add_paragraph()
        if style:
            # By id, not name: python-docx looks a name up through every style each time.
            paragraph._p.get_or_add_pPr().style = self._style_id(style)
        return paragraph

    def _style_id(self, name: str) -> str:
        if name not in self.style_ids:
            self.style_ids[name] = self.doc.styles[name].style_id
        return self.style_ids[name]

    def _table(self, container, rows: int, cols: int, style: str | None = None,
               layout: bool = False):
        """A table; a `layout` one says it has no header row or column (it only places text)."""
        if hasattr(container, "is_linked_to_previous"):  # header or footer
            table = container.add_table(rows, cols, self._text_width())
        else:
            table = container.add_table(rows, cols)
        if style:
            table.style = self.doc.styles[style]
        if layout:
            _set_headers(table, row=False, column=False)
        return table

    def _block(self, el, container, depth: int) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        classes = _classes(el)
        if tag in ("footer",) or "lopande-sidhuvud" in classes or "brevhuvud" in classes:
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
        if tag == "span" and "fotnot" in _classes(el):
            return [Piece(kind="footnote", fmt=fmt, footnote=el)]
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
        texts = _collapse([p.text if p.kind == "text" else "\n" for p in pieces])
        for piece, text in zip(pieces, texts, strict=True):
            if piece.kind == "br":
                paragraph.add_run().add_break()
            elif piece.kind == "footnote":
                self._footnote(paragraph, piece.footnote)
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

    # -- lists -------------------------------------------------------------------------
    def _list(self, el, container, level: int) -> None:
        numbered = el.tag == "ol"
        depth = min(level, 2)
        style = ("List Number" if numbered else "List Bullet") + ("" if depth == 0 else
                                                                 f" {depth + 1}")
        num_id = self._restarted_numbering(style, int(el.get("start") or 1)) if numbered \
            else None
        for item in el.findall("li"):
            paragraph = self._inline_block(item, container, style=style)
            if paragraph is None:
                paragraph = self._paragraph(container, style)
            if num_id is not None:
                num_pr = paragraph._p.get_or_add_pPr().get_or_add_numPr()
                num_pr.get_or_add_ilvl().val = 0
                num_pr.get_or_add_numId().val = num_id
            for child in item:
                if child.tag in ("ul", "ol"):
                    self._list(child, container, level + 1)
                elif child.tag in ("table", "blockquote"):
                    self._block(child, container, level)

    def _restarted_numbering(self, style: str, start: int) -> int:
        """A new w:num on the style's list definition, so each list counts from its start."""
        numbering = self.doc.part.numbering_part.element
        style_num = self.doc.styles[style].element.pPr.numPr.numId.val
        num = next(n for n in numbering.num_lst if n.numId == style_num)
        abstract_id = num.abstractNumId.val
        new_num = numbering.add_num(abstract_id)
        override = parse_xml(f'<w:lvlOverride {nsdecls("w")} w:ilvl="0">'
                             f'<w:startOverride w:val="{start}"/></w:lvlOverride>')
        new_num.append(override)
        return new_num.numId

    # -- tables ------------------------------------------------------------------------
    def _html_table(self, el, container) -> None:
        classes = _classes(el)
        rows = [tr for tr in el.iter("tr")]
        if not rows:
            return
        cols = max(len(tr.findall("th")) + len(tr.findall("td")) for tr in rows)
        plain = bool({"huvudfalt", "metadata"} & classes)
        table = self._table(container, len(rows), cols, None if plain else "Table Grid")
        table.alignment = WD_TABLE_ALIGNMENT.LEFT
        heads = _header_rows(rows)
        if not heads and all(len(tr) and tr[0].tag == "th" for tr in rows):
            # Row headers (th scope=row), as on the report's cover: a header column.
            _set_headers(table, row=False, column=True)
        for r, tr in enumerate(rows):
            is_header = r < heads
            if is_header:
                tr_pr = table.rows[r]._tr.get_or_add_trPr()
                header = OxmlElement("w:tblHeader")
                header.set(qn("w:val"), "true")
                tr_pr.append(header)
            for c, cell_el in enumerate(tr.findall("*")):
                cell = table.cell(r, c)
                self._cell(cell_el, cell, bold=is_header or cell_el.tag == "th")

    def _cell(self, cell_el, cell: _Cell, bold: bool) -> None:
        has_blocks = any(isinstance(ch.tag, str) and ch.tag in ("p", "ul", "ol")
                         for ch in cell_el)
        if not has_blocks:
            paragraph = self._inline_block(cell_el, cell)
            if paragraph is not None and bold:
                for run in paragraph.runs:
                    run.bold = True
            return
        for child in cell_el:
            paragraph = None
            if child.tag == "p":
                paragraph = self._inline_block(child, cell)
                if paragraph is not None:
                    paragraph.paragraph_format.space_after = Pt(0)
                    if "etikett" in _classes(child) or bold:
                        for run in paragraph.runs:
                            run.bold = True
            else:
                self._block(child, cell, 1)

    def _signatures_side_by_side(self, el, container) -> None:
        blocks = [b for b in el if "underskrift" in _classes(b)]
        if not blocks:
            return
        cols = 2
        rows = (len(blocks) + cols - 1) // cols
        table = self._table(container, rows, cols, layout=True)
        for i, block in enumerate(blocks):
            cell = table.cell(i // cols, i % cols)
            for line in block:
                paragraph = self._inline_block(line, cell)
                if paragraph is None:
                    continue
                paragraph.paragraph_format.space_after = Pt(0)
                if "organisation" in _classes(line):
                    for run in paragraph.runs:
                        run.bold = True
                    paragraph.paragraph_format.space_after = Pt(24)

    def _columns(self, el, container) -> None:
        """Columns side by side (the header fields) as a one-row layout table."""
        columns = [child for child in el if isinstance(child.tag, str)]
        if not columns:
            return
        table = self._table(container, 1, len(columns), layout=True)
        table.alignment = WD_TABLE_ALIGNMENT.LEFT
        for cell, column in zip(table.rows[0].cells, columns, strict=True):
            self._cell(column, cell, bold=False)

    # -- sections, contents, footnotes -------------------------------------------------
    def _new_section_without_address(self) -> None:
        """The approval block on a page of its own whose footer has the page number only."""
        section = self.doc.add_section(WD_SECTION.NEW_PAGE)
        section.different_first_page_header_footer = False
        section.header.is_linked_to_previous = False
        section.footer.is_linked_to_previous = False
        for paragraph in section.footer.paragraphs:
            paragraph._p.getparent().remove(paragraph._p)
        if self.footer_el is not None:
            self._footer(self.footer_el, section.footer, with_address=False)

    def _table_of_contents(self, el, container) -> None:
        heading = el.find("h2")
        if heading is not None:
            self._inline_block(heading, container, style="TOC Heading")
        entries = el.findall(".//li")
        for i, entry in enumerate(entries):
            level = int((entry.get("class") or "toc-niva-1").rsplit("-", 1)[-1])
            paragraph = self._paragraph(container, f"TOC {min(level, TOC_LEVELS)}")
            if i == 0:
                self._field_begin(paragraph, 'TOC \\o "1-3" \\h \\z \\u')
            title = clean_text(_SPACE.sub(" ", entry.text_content()).strip())
            paragraph.add_run(title)
            page = self.meta.get("toc_pages", {}).get(title)
            if page is not None:
                paragraph.paragraph_format.tab_stops.add_tab_stop(
                    self._text_width(), WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS)
                paragraph.add_run(f"\t{page}")
            if i == len(entries) - 1:
                self._field_end(paragraph)

    def _page_break(self, container) -> None:
        """The cover and the contents end their page, as in the PDF."""
        paragraph = self._paragraph(container)
        paragraph.paragraph_format.space_after = Pt(0)
        paragraph.add_run().add_break(WD_BREAK.PAGE)

    def _text_width(self):
        section = self.doc.sections[0]
        return section.page_width - section.left_margin - section.right_margin

    @staticmethod
    def _field_begin(paragraph: Paragraph, instruction: str) -> None:
        for kind, text in (("begin", None), (None, instruction), ("separate", None)):
            run = paragraph.add_run()
            if kind:
                char = OxmlElement("w:fldChar")
                char.set(qn("w:fldCharType"), kind)
                if kind == "begin":
                    char.set(qn("w:dirty"), "true")
                run._r.append(char)
            else:
                instr = OxmlElement("w:instrText")
                instr.set(qn("xml:space"), "preserve")
                instr.text = f" {text} "
                run._r.append(instr)

    @staticmethod
    def _field_end(paragraph: Paragraph) -> None:
        char = OxmlElement("w:fldChar")
        char.set(qn("w:fldCharType"), "end")
        paragraph.add_run()._r.append(char)

    def _footnote(self, paragraph: Paragraph, span) -> None:
        """A real footnote: its text in word/footnotes.xml, a reference mark in the text."""
        footnotes = self._footnotes_part()
        note_id = self.next_footnote
        self.next_footnote += 1
        note = parse_xml(
            f'<w:footnote {nsdecls("w")} w:id="{note_id}"><w:p><w:pPr>'
            '<w:pStyle w:val="FootnoteText"/></w:pPr><w:r><w:rPr>'
            '<w:rStyle w:val="FootnoteReference"/></w:rPr><w:footnoteRef/></w:r>'
            '<w:r><w:t xml:space="preserve"> </w:t></w:r></w:p></w:footnote>')
        footnotes.append(note)
        note_paragraph = Paragraph(note.find(qn("w:p")), paragraph._parent)
        self._emit_into_note(note_paragraph, span)
        run = paragraph.add_run()
        run.style = self.doc.styles["Footnote Reference"]
        ref = OxmlElement("w:footnoteReference")
        ref.set(qn("w:id"), str(note_id))
        run._r.append(ref)

    def _emit_into_note(self, paragraph: Paragraph, span) -> None:
        pieces = self._pieces(span, Format())
        texts = _collapse([p.text if p.kind == "text" else "\n" for p in pieces])
        for piece, text in zip(pieces, texts, strict=True):
            if piece.kind == "text" and text:
                run = paragraph.add_run(clean_text(text))
                run.bold = piece.fmt.bold or None
                run.italic = piece.fmt.italic or None

    def _footnotes_part(self):
        if self.footnotes_xml is not None:
            return self.footnotes_xml
        xml = (f'<w:footnotes {nsdecls("w", "r")}>'
               '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p>'
               '</w:footnote><w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r>'
               '<w:continuationSeparator/></w:r></w:p></w:footnote></w:footnotes>')
        self.footnotes_xml = parse_xml(xml)
        return self.footnotes_xml

    def _add_toc_styles(self) -> None:
        styles = self.doc.styles
        for level in range(1, TOC_LEVELS + 1):
            toc_style = styles.add_style(f"TOC {level}", WD_STYLE_TYPE.PARAGRAPH)
            toc_style.base_style = styles["Normal"]
            toc_style.paragraph_format.left_indent = Mm(6 * (level - 1))
            toc_style.paragraph_format.space_after = Pt(2)

    def _add_footnote_styles(self) -> None:
        styles = self.doc.styles
        text = styles.add_style("Footnote Text", WD_STYLE_TYPE.PARAGRAPH)
        text.element.set(qn("w:styleId"), "FootnoteText")
        text.base_style = styles["Normal"]
        text.font.size = Pt(8.5)
        text.paragraph_format.space_after = Pt(0)
        ref = styles.add_style("Footnote Reference", WD_STYLE_TYPE.CHARACTER)
        ref.element.set(qn("w:styleId"), "FootnoteReference")
        ref.font.superscript = True

    def _attach_footnotes(self) -> None:
        if self.footnotes_xml is None:
            return
        from lxml import etree

        blob = etree.tostring(self.footnotes_xml, xml_declaration=True, encoding="UTF-8",
                              standalone=True)
        part = Part(PackURI("/word/footnotes.xml"), FOOTNOTES_CT, blob, self.doc.part.package)
        self.doc.part.relate_to(part, RT.FOOTNOTES)

    # -- saving --------------------------------------------------------------------------
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
            blob = _SHARED_BLOBS.get(id(part))
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


@dataclass
class _Base:
    """A profile's prepared document, and its styles part, shared by every copy."""

    doc: Any
    style_ids: dict[str, str]
    styles_part: Any


_BASES: dict[str, _Base] = {}
# id(styles part) -> its serialised XML, for the zip writer.
_SHARED_BLOBS: dict[int, bytes] = {}


def _base_document(writer: DocxWriter) -> tuple[Any, dict[str, str]]:
    """A copy of the profile's prepared document: python-docx's template is read once."""
    import json

    key = json.dumps(writer.settings.get("typsnitt", {}), sort_keys=True, ensure_ascii=False)
    if key not in _BASES:
        writer.doc = docx.Document()
        writer.style_ids = {}
        writer.prepare()
        ids = {style.name: style.style_id for style in writer.doc.styles}
        part = writer.doc.part.part_related_by(RT.STYLES)
        _BASES[key] = _Base(writer.doc, ids, part)
        _SHARED_BLOBS[id(part)] = part.blob
    base = _BASES[key]
    # The styles part (350 kB of XML) is not copied: documents only read it.
    memo = {id(base.styles_part): base.styles_part}
    # lxml elements do not keep their identity through deepcopy's memo, so the copy is
    # opened afresh from its own document part rather than used as copied.
    return copy.deepcopy(base.doc, memo).part.document, dict(base.style_ids)


def _header_rows(rows: list) -> int:
    """How many leading rows are header rows: the thead's, or a first row of th cells only."""
    count = 0
    while count < len(rows) and rows[count].getparent().tag == "thead":
        count += 1
    if not count and len(rows) > 1 and len(rows[0]) and all(c.tag == "th" for c in rows[0]):
        count = 1
    return count


def _set_headers(table, row: bool, column: bool) -> None:
    """Word's table style options 'Rubrikrad' and 'Första kolumnen': the headers a table
    says it has. A table that has neither only places text (a layout table)."""
    tbl_pr = table._tbl.tblPr
    look = tbl_pr.find(qn("w:tblLook"))
    if look is None:
        look = OxmlElement("w:tblLook")
        tbl_pr.append(look)
    look.set(qn("w:firstRow"), "1" if row else "0")
    look.set(qn("w:firstColumn"), "1" if column else "0")
    bits = int(look.get(qn("w:val")) or "0", 16) & ~0x00A0
    bits |= (0x0020 if row else 0) | (0x0080 if column else 0)
    look.set(qn("w:val"), f"{bits:04X}")


def _is_fresh(cell: _Cell) -> bool:
    """A cell as python-docx makes it: one empty paragraph, which the first text should use."""
    children = [c for c in cell._tc.iterchildren() if c.tag != qn("w:tcPr")]
    return len(children) == 1 and children[0].tag == qn("w:p") and \
        children[0].find(qn("w:r")) is None and children[0].find(qn("w:pPr")) is None


def _collapse(texts: list[str]) -> list[str]:
    """HTML whitespace rules over a run of pieces: runs of space become one; none at the ends."""
    result = []
    previous_space = True  # no space at the start of a paragraph
    for text in texts:
        if text == "\n":
            result.append("")
            previous_space = True
            continue
        collapsed = _SPACE.sub(" ", text)
        if previous_space and collapsed.startswith(" "):
            collapsed = collapsed[1:]
        if collapsed:
            previous_space = collapsed.endswith(" ")
        result.append(collapsed)
    # Strip trailing space of the paragraph.
    for i in range(len(result) - 1, -1, -1):
        if result[i]:
            result[i] = result[i].rstrip(" ")
            if result[i]:
                break
    return result


def write_docx(html: str, settings: dict[str, Any], meta: dict[str, Any]) -> bytes:
    """The DOCX's bytes for one rendered document."""
    writer = DocxWriter(settings, meta)
    return writer.write(html)
