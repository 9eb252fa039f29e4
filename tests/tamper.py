"""Changes an attacker might make to a signed PDF, each as a real PDF writer makes them."""

from __future__ import annotations

import io
from pathlib import Path

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter


def change_byte(path: Path, old: bytes, new: bytes) -> None:
    """The first `old` in the file replaced by `new` of the same length, in place."""
    assert len(old) == len(new)
    data = path.read_bytes()
    assert old in data, old
    path.write_bytes(data.replace(old, new, 1))


def _update(path: Path, change) -> None:
    """`change(writer)` appended to the file as an incremental update."""
    writer = IncrementalPdfFileWriter(io.BytesIO(path.read_bytes()), strict=False)
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    path.write_bytes(out.getvalue())


def add_page(path: Path) -> None:
    """An empty page appended in an incremental update."""
    def change(writer) -> None:
        page = generic.DictionaryObject({
            pdf_name("/Type"): pdf_name("/Page"),
            pdf_name("/MediaBox"): generic.ArrayObject(map(generic.NumberObject,
                                                           (0, 0, 595, 842))),
            pdf_name("/Resources"): generic.DictionaryObject(),
        })
        writer.insert_page(page)

    _update(path, change)


def add_annotation(path: Path) -> None:
    """A text note on the first page, added in an incremental update."""
    def change(writer) -> None:
        page_ref, _ = writer.find_page_for_modification(0)
        page = page_ref.get_object()
        note = writer.add_object(generic.DictionaryObject({
            pdf_name("/Type"): pdf_name("/Annot"),
            pdf_name("/Subtype"): pdf_name("/Text"),
            pdf_name("/Rect"): generic.ArrayObject(map(generic.NumberObject,
                                                       (100, 100, 120, 120))),
            pdf_name("/Contents"): generic.TextStringObject("Ändrat efteråt"),
            pdf_name("/F"): generic.NumberObject(4),
        }))
        annotations = page.get("/Annots", generic.ArrayObject())
        annotations = generic.ArrayObject([*annotations.get_object(), note])
        page[pdf_name("/Annots")] = annotations
        writer.update_container(page)

    _update(path, change)
