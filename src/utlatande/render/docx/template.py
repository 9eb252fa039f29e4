"""The DOCX's starting point: the profile's Word template (or python-docx's own) and the brand.

A municipality's `word-mall.docx` gives the styles, the page and the header and footer;
a style the writer needs that the template lacks is copied from python-docx's default
template (and `check` warns about it, brand.py). The brand's colours and fonts go only
onto styles the template did not define.
"""

from __future__ import annotations

import copy
import io
from typing import Any

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, RGBColor

from ...brand import WORD_STYLES, Brand, Logo, open_word_template

LOGO_HEIGHT_MM = 15
SMALL_LOGO_HEIGHT_MM = 6
LOGO_DPI = 300
HEADING_STYLES = ("Title", "Heading 1", "Heading 2", "Heading 3")


def has_template(brand: Brand | None) -> bool:
    return brand is not None and brand.word_template is not None


def open_base(brand: Brand | None) -> Any:
    """The document every DOCX of the profile is a copy of, before styles are set up."""
    if has_template(brand):
        assert brand is not None and brand.word_template is not None
        return open_word_template(brand.word_template)
    return docx.Document()


def complete_styles(document: Any) -> set[str]:
    """Copy every style the writer uses that the document lacks from python-docx's own
    template; the names copied (the writer sets them up as it does without a template)."""
    have = {style.name for style in document.styles}
    missing = [name for name in WORD_STYLES if name not in have]
    if not missing:
        return set()
    defaults = docx.Document().styles
    for name in missing:
        element = copy.deepcopy(defaults[name].element)
        document.styles.element.append(element)
    return set(missing)


def brand_styles(document: Any, brand: Brand | None, names: set[str] | None) -> None:
    """The brand's heading colour and fonts on the styles `names` (None: every style ours)."""
    if brand is None:
        return
    styles = document.styles

    def ours(name: str) -> bool:
        return (names is None or name in names) and name in {s.name for s in styles}

    color = brand.heading_color
    for name in HEADING_STYLES:
        if not ours(name):
            continue
        style = styles[name]
        if color:
            style.font.color.rgb = RGBColor.from_string(color[1:].upper())
        if brand.heading_family:
            style.font.name = brand.heading_family
    if brand.base_family and ours("Normal"):
        styles["Normal"].font.name = brand.base_family
    if brand.colors.get("foreground") and ours("Normal"):
        styles["Normal"].font.color.rgb = RGBColor.from_string(
            brand.colors["foreground"][1:].upper())


def logo_png(logo: Logo, height_mm: float = LOGO_HEIGHT_MM) -> bytes:
    """The logo as PNG at 300 dpi for its printed height; Word cannot show SVG everywhere."""
    if logo.format != "svg":
        return logo.path.read_bytes()
    import cairosvg

    pixels = round(height_mm / 25.4 * LOGO_DPI)
    # unsafe stays off: cairosvg then reads no other file and no entities (brand.py has
    # already refused SVGs that name any).
    return cairosvg.svg2png(bytestring=logo.path.read_bytes(), output_height=pixels,
                            dpi=LOGO_DPI)


def add_logo(header: Any, logo: Logo | None, alt: str,
             height_mm: float = LOGO_HEIGHT_MM) -> None:
    """The logo as the first paragraph of a header part, with its alternative text."""
    if logo is None:
        return
    paragraph = header.add_paragraph()
    paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT
    paragraph.paragraph_format.space_after = Mm(2)
    run = paragraph.add_run()
    inline = run.add_picture(io.BytesIO(logo_png(logo, height_mm)), height=Mm(height_mm))
    doc_pr = inline._inline.find(qn("wp:docPr"))
    doc_pr.set("descr", alt)
    doc_pr.set("name", "Logotyp")
    container = header._element
    container.remove(paragraph._p)
    container.insert(0, paragraph._p)


def copy_template_furniture(section: Any) -> None:
    """The template's own header and footer on page 1 too, where it has none for page 1.

    The writer gives page 1 a header and footer of its own (letterhead, logo); in Word a
    template without them shows its default ones on page 1, so they are copied there
    first, images and links with them.
    """
    for default, first in ((section.header, section.first_page_header),
                           (section.footer, section.first_page_footer)):
        if not first.is_linked_to_previous or default.is_linked_to_previous:
            continue  # the template made page 1's own, or has no default one
        target = first._element  # python-docx makes page 1's part here
        for child in default._element:
            copied = copy.deepcopy(child)
            _relink(copied, default.part, first.part)
            target.append(copied)
        _drop_empty_first_paragraph(target)


def _relink(element: Any, source: Any, target: Any) -> None:
    """Relationship ids (images, links) of a copied element, valid in its new part."""
    for node in element.iter():
        for attribute in (qn("r:embed"), qn("r:id"), qn("r:link")):
            rel_id = node.get(attribute)
            if not rel_id or rel_id not in source.rels:
                continue
            rel = source.rels[rel_id]
            if rel.is_external:
                new_id = target.relate_to(rel.target_ref, rel.reltype, is_external=True)
            else:
                new_id = target.relate_to(rel.target_part, rel.reltype)
            node.set(attribute, new_id)


def _drop_empty_first_paragraph(container: Any) -> None:
    """python-docx starts a new header part with one empty paragraph; the copy replaces it."""
    children = list(container)
    if len(children) > 1 and children[0].tag == qn("w:p") and not "".join(
            children[0].itertext()).strip() and children[0].find(qn("w:r")) is None:
        container.remove(children[0])
