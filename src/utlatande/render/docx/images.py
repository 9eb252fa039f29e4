"""Images in the DOCX: a checked file as an inline picture with its description, at most as
wide as the text, and a figure's caption under it in Word's Caption style."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlparse

from docx.shared import Length
from docx.text.paragraph import Paragraph

CAPTION_STYLE = "Caption"


def image_file(img_el) -> Path | None:
    """The file an <img> points at; only checked files (file: addresses) are ever written."""
    url = urlparse(img_el.get("src") or "")
    return Path(unquote(url.path)) if url.scheme == "file" else None


def add_picture(paragraph: Paragraph, img_el, max_width: Length) -> None:
    """The image as a picture in the paragraph, its alt text as the picture's description."""
    path = image_file(img_el)
    if path is None:
        paragraph.add_run(img_el.get("alt") or "")
        return
    shape = paragraph.add_run().add_picture(str(path))
    if shape.width > max_width:
        shape.height = int(shape.height * max_width / shape.width)
        shape.width = max_width
    doc_pr = shape._inline.docPr
    doc_pr.set("descr", img_el.get("alt") or "")
    doc_pr.set("name", path.name)
