"""Tables: the templates' HTML tables, cells, header rows, signatures side by side."""

from __future__ import annotations

import re

from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt
from docx.table import _Cell

from .elements import classes_of

_TEXT_ALIGN = re.compile(r"text-align:\s*(left|center|right)")
_JUSTIFICATION = {"left": WD_ALIGN_PARAGRAPH.LEFT, "center": WD_ALIGN_PARAGRAPH.CENTER,
                  "right": WD_ALIGN_PARAGRAPH.RIGHT}


def _align_cell(cell: _Cell, cell_el) -> None:
    """A Markdown column's alignment (:--, :-:, --:) on the cell's paragraphs, as in the PDF."""
    match = _TEXT_ALIGN.search(cell_el.get("style") or "")
    if match:
        for paragraph in cell.paragraphs:
            paragraph.alignment = _JUSTIFICATION[match.group(1)]


class Tables:
    """The writer's tables: mixed into DocxWriter, whose state (doc, settings) it uses."""

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

    def _html_table(self, el, container) -> None:
        classes = classes_of(el)
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
                _align_cell(cell, cell_el)

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
                    if "etikett" in classes_of(child) or bold:
                        for run in paragraph.runs:
                            run.bold = True
            else:
                self._block(child, cell, 1)

    def _signatures_side_by_side(self, el, container) -> None:
        blocks = [b for b in el if "underskrift" in classes_of(b)]
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
                if "organisation" in classes_of(line):
                    for run in paragraph.runs:
                        run.bold = True
                    paragraph.paragraph_format.space_after = Pt(24)


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


def is_fresh(cell: _Cell) -> bool:
    """A cell as python-docx makes it: one empty paragraph, which the first text should use."""
    children = [c for c in cell._tc.iterchildren() if c.tag != qn("w:tcPr")]
    return len(children) == 1 and children[0].tag == qn("w:p") and \
        children[0].find(qn("w:r")) is None and children[0].find(qn("w:pPr")) is None
