"""The vocabulary the writer knows: the templates' tags and classes, and a run's format."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ...text import CONTROL

HEADING_STYLES = {"h2": "Heading 1", "h3": "Heading 2", "h4": "Heading 3", "h5": "Heading 3",
                  "h6": "Heading 3"}
INLINE_TAGS = {"strong", "b", "em", "i", "s", "del", "a", "span", "code", "br", "sup", "sub",
               "u", "small", "img"}
BLOCK_CONTAINERS = {"section", "div", "main", "nav", "article", "address", "header", "body"}
FOOTNOTES_CT = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
# Word's stored timestamp for every zip entry: the same bytes whenever the file is built.
ZIP_DATE = (2000, 1, 1, 0, 0, 0)
SPACE = re.compile(r"[ \t\n\r\f]+")


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
    """One inline piece of a paragraph: text, a line break, a footnote or an image."""

    text: str = ""
    fmt: Format = field(default_factory=Format)
    kind: str = "text"  # text | br | footnote | image | mark | unmark (a key's bookmark)
    footnote: Any = None
    image: Any = None  # the <img> element of an image piece


def classes_of(el) -> set[str]:
    """An element's HTML classes."""
    return set((el.get("class") or "").split())


def clean_text(text: str) -> str:
    """Characters XML 1.0 (and so DOCX) cannot hold are dropped."""
    return CONTROL.sub("", text)


TOC_LEVELS = 3  # the contents field lists headings 1-3


def collapse(texts: list[str]) -> list[str]:
    """HTML whitespace rules over a run of pieces: runs of space become one; none at the ends."""
    result = []
    previous_space = True  # no space at the start of a paragraph
    for text in texts:
        if text == "\n":
            result.append("")
            previous_space = True
            continue
        collapsed = SPACE.sub(" ", text)
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
