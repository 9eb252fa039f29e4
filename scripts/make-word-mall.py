"""Writes templates/linkoping/word-mall.docx, the example profile's Word template.

A municipality's real template is made in Word; this one is made with python-docx so that
it can be made again: `.venv/bin/python scripts/make-word-mall.py`. It has its own heading
colour and fonts, A4 with 25 mm margins all round, and a footer line of its own.
"""

from __future__ import annotations

import sys
from pathlib import Path

import docx
from docx.shared import Mm, Pt, RGBColor

ROOT = Path(__file__).resolve().parents[1]
COLOUR = RGBColor(0x8A, 0x15, 0x38)


def make(target: Path, name: str) -> None:
    """A Word template with the look of `name`: styles, page and footer."""
    document = docx.Document()
    styles = document.styles
    styles["Normal"].font.name = "Liberation Serif"
    styles["Normal"].font.size = Pt(11)
    for style_name, size in (("Title", 20), ("Heading 1", 14), ("Heading 2", 12),
                             ("Heading 3", 11)):
        style = styles[style_name]
        style.font.name = "Liberation Sans"
        style.font.size = Pt(size)
        style.font.bold = True
        style.font.color.rgb = COLOUR
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(25))
    footer = section.footer.paragraphs[0]
    footer.text = name
    footer.style = styles["Footer"]
    for paragraph in list(document.paragraphs):
        paragraph._p.getparent().remove(paragraph._p)
    document.core_properties.title = f"Word-mall för {name}"
    document.save(target)


if __name__ == "__main__":
    out = ROOT / "templates" / "linkoping" / "word-mall.docx"
    make(out, "Linköpings kommun")
    print(out.relative_to(ROOT), file=sys.stderr)
