"""Lists: bullets and numbers, and numbered lists that restart."""

from __future__ import annotations

from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls


class Numbering:
    """The writer's numbering: mixed into DocxWriter, whose state (doc, settings) it uses."""

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
