"""Word's styles, page and document properties, made once per profile and shared."""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass
from typing import Any

from docx.enum.style import WD_STYLE_TYPE
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from ...brand import Brand
from .elements import TOC_LEVELS, clean_text
from .template import brand_styles, has_template, open_base

# python-docx refuses a core property longer than this (the OPC limit).
CORE_PROPERTY_LIMIT = 255


def fit_property(text: str | None) -> str:
    """A core property's text, shortened with '…' to the limit; the document keeps it whole."""
    text = clean_text(text or "")
    if len(text) <= CORE_PROPERTY_LIMIT:
        return text
    return text[: CORE_PROPERTY_LIMIT - 1].rstrip() + "…"


def forget_proofing_state(document) -> None:
    """python-docx's template says its text is spell-checked (proofState clean), so Word
    would not mark typos in a new statement; without it Word checks the text."""
    settings = document.settings.element
    for state in settings.findall(qn("w:proofState")):
        settings.remove(state)


class Styles:
    """The writer's styles: mixed into DocxWriter, whose state (doc, settings) it uses."""

    def _set_up_styles(self, only: set[str] | None = None) -> None:
        """Our look on every style, or with a Word template only on the styles in `only`
        (those it lacked): the template's own styles stay as the municipality made them."""
        def ours(name: str) -> bool:
            return only is None or name in only

        fonts = self.settings.get("typsnitt", {})
        body_font = fonts.get("brödtext", "Liberation Serif")
        heading_font = fonts.get("rubriker", "Liberation Sans")
        size = float(str(fonts.get("storlek", "11pt")).removesuffix("pt"))
        styles = self.doc.styles
        normal = styles["Normal"]
        if ours("Normal"):
            normal.font.name = body_font
            normal.font.size = Pt(size)
            normal.paragraph_format.space_after = Pt(6)
            normal.paragraph_format.line_spacing = 1.15
        self._set_language(normal.element)
        sizes = {"Title": 17, "Subtitle": 12, "Heading 1": 13, "Heading 2": 11.5,
                 "Heading 3": 11}
        for name, pt in sizes.items():
            if not ours(name):
                continue
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
        if ours("Title"):
            title = styles["Title"]
            title_ppr = title.element.get_or_add_pPr()
            for border in title_ppr.findall(qn("w:pBdr")):
                title_ppr.remove(border)
            title.paragraph_format.space_after = Pt(4)
            # Room above the title, as in the PDF, so it does not sit against the header fields.
            title.paragraph_format.space_before = Pt(18)
        if ours("Subtitle"):
            styles["Subtitle"].paragraph_format.space_after = Pt(12)
        for name in ("Header", "Footer"):
            if ours(name):
                styles[name].font.name = heading_font
                styles[name].font.size = Pt(8)
        brand_styles(self.doc, self.brand, only)
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
        if has_template(self.brand):
            return  # the template's page size and margins
        section = self.doc.sections[0]
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.left_margin, section.right_margin = Mm(25), Mm(22)
        section.top_margin, section.bottom_margin = Mm(22), Mm(28)
        section.header_distance, section.footer_distance = Mm(10), Mm(10)

    def _set_core_properties(self) -> None:
        props = self.doc.core_properties
        props.title = fit_property(self.meta.get("title"))
        props.author = fit_property(self.meta.get("author"))
        props.subject = fit_property(self.meta.get("subject"))
        props.keywords = fit_property(self.meta.get("keywords"))
        props.language = "sv-SE"
        props.last_modified_by = fit_property(self.meta.get("author"))
        props.comments = ""
        props.category = fit_property(self.meta.get("keywords"))
        props.revision = 1
        stamp = self.meta.get("created") or dt.datetime(2000, 1, 1)
        props.created = stamp
        props.modified = stamp
        props.last_printed = stamp

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

    def _style_id(self, name: str) -> str:
        if name not in self.style_ids:
            self.style_ids[name] = self.doc.styles[name].style_id
        return self.style_ids[name]

    def _remove_template_paragraph(self) -> None:
        for p in list(self.doc.paragraphs):
            p._element.getparent().remove(p._element)


@dataclass
class _Base:
    """A profile's prepared document, and its styles part, shared by every copy."""

    doc: Any
    style_ids: dict[str, str]
    styles_part: Any


_BASES: dict[str, _Base] = {}
# id(styles part) -> its serialised XML, for the zip writer.
SHARED_BLOBS: dict[int, bytes] = {}


def base_document(writer: Any) -> tuple[Any, dict[str, str]]:
    """A copy of the profile's prepared document (`writer` is a DocxWriter): python-docx's
    template is read once."""
    import json

    key = json.dumps(writer.settings.get("typsnitt", {}), sort_keys=True, ensure_ascii=False) \
        + _brand_key(writer.brand)
    if key not in _BASES:
        writer.doc = open_base(writer.brand)
        writer.style_ids = {}
        writer.prepare()
        ids = {style.name: style.style_id for style in writer.doc.styles}
        part = writer.doc.part.part_related_by(RT.STYLES)
        _BASES[key] = _Base(writer.doc, ids, part)
        SHARED_BLOBS[id(part)] = part.blob
    base = _BASES[key]
    # The styles part (350 kB of XML) is not copied: documents only read it.
    memo = {id(base.styles_part): base.styles_part}
    # lxml elements do not keep their identity through deepcopy's memo, so the copy is
    # opened afresh from its own document part rather than used as copied.
    return copy.deepcopy(base.doc, memo).part.document, dict(base.style_ids)


def _brand_key(brand: Brand | None) -> str:
    """What of a brand the prepared document depends on, the template file's version too."""
    if brand is None:
        return ""
    template = brand.word_template
    stamp = template.stat().st_mtime_ns if template is not None else 0
    return f"{brand!r}{stamp}"
