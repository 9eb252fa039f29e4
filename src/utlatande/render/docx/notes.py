"""Footnotes: the footnotes part, and each note's reference and text."""

from __future__ import annotations

from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.text.paragraph import Paragraph

from .elements import FOOTNOTES_CT, Format, clean_text, collapse


class Notes:
    """The writer's notes: mixed into DocxWriter, whose state (doc, settings) it uses."""

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
        texts = collapse([p.text if p.kind == "text" else "\n" for p in pieces])
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

    def _attach_footnotes(self) -> None:
        if self.footnotes_xml is None:
            return
        from lxml import etree

        blob = etree.tostring(self.footnotes_xml, xml_declaration=True, encoding="UTF-8",
                              standalone=True)
        part = Part(PackURI("/word/footnotes.xml"), FOOTNOTES_CT, blob, self.doc.part.package)
        self.doc.part.relate_to(part, RT.FOOTNOTES)
