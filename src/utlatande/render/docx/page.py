"""The page around the text: header, footer, page numbers, letterhead, sections."""

from __future__ import annotations

import re

from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_BREAK
from docx.shared import Pt
from docx.text.paragraph import Paragraph

from .elements import SPACE, Format, classes_of, clean_text
from .template import SMALL_LOGO_HEIGHT_MM, add_logo, copy_template_furniture, has_template

# Text sizes of the letterhead's document information and of the header fields (Handläggare,
# Till, Datum), the same as in the PDF's print CSS.
LETTERHEAD_PT = 9
LETTERHEAD_GAP_PT = 14
HEADER_FIELDS_PT = 9.5


class PageFurniture:
    """The writer's page: mixed into DocxWriter, whose state (doc, settings) it uses."""

    def _page_furniture(self, body) -> None:
        """Letterhead in the first page's header, address and page number in every footer."""
        section = self.doc.sections[0]
        if has_template(self.brand):
            copy_template_furniture(section)
        letterhead = body.find(".//header[@class='brevhuvud']")
        running = body.find(".//div[@class='lopande-sidhuvud']")
        footer = body.find(".//footer")
        self.footer_el = footer
        is_report = body.find(".//section[@class='forsattsblad']") is not None
        logo = body.find(".//img[@class='logga']")
        section.different_first_page_header_footer = letterhead is not None or is_report \
            or logo is not None
        if running is not None:
            self._inline_block(running, section.header, style="Header")
        if letterhead is not None:
            self._letterhead(letterhead, section.first_page_header)
        if logo is not None and self.brand is not None:
            add_logo(section.first_page_header, self.brand.logo, logo.get("alt") or "Logotyp")
        small = body.find(".//img[@class='logga-liten']")
        if small is not None and self.brand is not None:
            add_logo(section.header, self.brand.small_logo, small.get("alt") or "Logotyp",
                     SMALL_LOGO_HEIGHT_MM)
        if footer is not None:
            self._footer(footer, section.footer, with_address=True)
            if letterhead is not None or logo is not None:
                self._footer(footer, section.first_page_footer, with_address=True)

    def _footer(self, footer, part, with_address: bool) -> None:
        address = footer.find(".//address") if with_address else None
        groups = address.findall("div") if address is not None else []
        if groups:
            table = self._table(part, 1, len(groups), layout=True)
            for cell, group in zip(table.rows[0].cells, groups, strict=True):
                for line in group.findall("p"):
                    paragraph = self._paragraph(cell, "Footer")
                    paragraph.add_run(clean_text(SPACE.sub(" ", line.text_content()).strip()))
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

    def _heading_font(self) -> str:
        return self.settings.get("typsnitt", {}).get("rubriker", "Liberation Sans")

    def _letterhead(self, header_el, part) -> None:
        # Sizes and font as the print CSS sets them (.brevhuvud): 15 pt and 9 pt, sans.
        table = self._table(part, 1, 2, layout=True)
        left, right = table.rows[0].cells
        # Written as pieces, not as one text: a value's span (data-nyckel) gets its marker.
        for p in header_el.findall("div[@class='avsandare']/p"):
            paragraph = self._paragraph(left)
            self._emit(paragraph, self._pieces(p, Format()))
            for run in paragraph.runs:
                run.bold = True
                run.font.size = Pt(15)
                run.font.name = self._heading_font()
        for p in header_el.findall("div[@class='dokumentinfo']/p"):
            paragraph = self._paragraph(right, "Header")
            self._emit(paragraph, self._pieces(p, Format()))
            paragraph.paragraph_format.space_after = Pt(0)
            for run in paragraph.runs:
                run.font.size = Pt(LETTERHEAD_PT)
                if {"dokumenttyp", "sekretessmarkering"} & classes_of(p):
                    run.bold = True
        if right.paragraphs:
            # The letterhead stands apart from the text under it (10 mm in the PDF).
            right.paragraphs[-1].paragraph_format.space_after = Pt(LETTERHEAD_GAP_PT)

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

    def _page_break(self, container) -> None:
        """The cover and the contents end their page, as in the PDF."""
        paragraph = self._paragraph(container)
        paragraph.paragraph_format.space_after = Pt(0)
        paragraph.add_run().add_break(WD_BREAK.PAGE)

    def _text_width(self):
        section = self.doc.sections[0]
        return section.page_width - section.left_margin - section.right_margin

    def _columns(self, el, container) -> None:
        """Columns side by side (the header fields) as a one-row layout table."""
        columns = [child for child in el if isinstance(child.tag, str)]
        if not columns:
            return
        table = self._table(container, 1, len(columns), layout=True)
        table.alignment = WD_TABLE_ALIGNMENT.LEFT
        for cell, column in zip(table.rows[0].cells, columns, strict=True):
            self._cell(column, cell, bold=False)
            # As the print CSS sets .huvudfalt: 9.5 pt, the headings' font.
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(HEADER_FIELDS_PT)
                    run.font.name = self._heading_font()
