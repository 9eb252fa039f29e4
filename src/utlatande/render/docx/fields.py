"""Word fields: page numbers and the table of contents, as Word updates them."""

from __future__ import annotations

from docx.enum.text import WD_TAB_ALIGNMENT, WD_TAB_LEADER
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph

from .elements import SPACE, TOC_LEVELS, clean_text


class Fields:
    """The writer's fields: mixed into DocxWriter, whose state (doc, settings) it uses."""

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
            title = clean_text(SPACE.sub(" ", entry.text_content()).strip())
            paragraph.add_run(title)
            page = self.meta.get("toc_pages", {}).get(title)
            if page is not None:
                paragraph.paragraph_format.tab_stops.add_tab_stop(
                    self._text_width(), WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS)
                paragraph.add_run(f"\t{page}")
            if i == len(entries) - 1:
                self._field_end(paragraph)
