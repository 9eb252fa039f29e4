"""An incremental update (PDF 32000-1, 7.5.6) appended to a PDF file that is already
written: objects of other PDFs, each source opened by the caller one at a time, written
after the file's last byte with a cross-reference stream of their own that points back
to the file's (/Prev), so that a thousand pages of appendices are never held in memory
at once. The same objects in the same order always give the same bytes.
"""

from __future__ import annotations

import re
import zlib
from collections import deque
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Name

ObjGen = tuple[int, int]

_STARTXREF = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*$")


@dataclass(frozen=True)
class Revision:
    """What the last revision of a written file says of itself, for the next one."""

    size: int
    root: ObjGen
    info: ObjGen | None
    ids: tuple[bytes, bytes]
    startxref: int


def revision_of(path: Path, pdf: pikepdf.Pdf) -> Revision:
    """The last revision of `path` (opened as `pdf`): its /Size, catalog, Info, /ID and
    where its cross-reference section starts."""
    with path.open("rb") as handle:
        handle.seek(max(0, path.stat().st_size - 1024))
        found = _STARTXREF.search(handle.read())
    if found is None:
        raise ValueError(f"{path}: startxref saknas i filens slut")
    trailer = pdf.trailer
    info = trailer.get("/Info")
    ids = trailer.ID
    return Revision(int(trailer.Size), pdf.Root.objgen,
                    info.objgen if info is not None else None,
                    (bytes(ids[0]), bytes(ids[1])), int(found.group(1)))


class Update:
    """New and redefined objects appended to a written PDF as one incremental update."""

    def __init__(self, path: Path, revision: Revision) -> None:
        self.revision = revision
        self.handle = path.open("ab")
        self.offset = path.stat().st_size
        self.next_number = revision.size
        self.offsets: dict[int, int] = {}

    def session(self, source: pikepdf.Pdf, known: dict[ObjGen, int | None]) -> Session:
        """Objects of one source to write. A reference to an object in `known` is written
        as that number (None: null) and not followed."""
        return Session(self, source, known)

    def emit(self, number: int, body: bytes) -> None:
        """Object `number` with this text, written now."""
        self.offsets[number] = self.offset
        data = b"%d 0 obj\n" % number + body + b"\nendobj\n"
        self.handle.write(data)
        self.offset += len(data)

    def finish(self) -> None:
        """The update's cross-reference stream and trailer; the file is complete."""
        number = self.next_number
        self.offsets[number] = self.offset
        entries = sorted(self.offsets.items())
        width = max(1, (max(self.offset, 1).bit_length() + 7) // 8)
        rows = b"".join(b"\x01" + offset.to_bytes(width, "big") + b"\x00"
                        for _, offset in entries)
        data = zlib.compress(rows, 9)
        index = " ".join(f"{first} {count}" for first, count in _runs([n for n, _ in entries]))
        revision = self.revision
        trailer = (f"<</Type/XRef/Size {number + 1}/W[1 {width} 1]/Index[{index}]"
                   f"/Prev {revision.startxref}/Root {revision.root[0]} {revision.root[1]} R"
                   + (f"/Info {revision.info[0]} {revision.info[1]} R" if revision.info else "")
                   + f"/ID[<{revision.ids[0].hex()}><{revision.ids[1].hex()}>]"
                   f"/Filter/FlateDecode/Length {len(data)}>>").encode()
        self.handle.write(b"%d 0 obj\n" % number + trailer + b"\nstream\n" + data
                          + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % self.offset)
        self.handle.close()

    def abandon(self) -> None:
        """Stop without finishing (the caller removes the file)."""
        self.handle.close()


class Session:
    """The objects of one source written into an update: each once, under one number."""

    def __init__(self, update: Update, source: pikepdf.Pdf,
                 known: dict[ObjGen, int | None]) -> None:
        self.update, self.source = update, source
        self.numbers: dict[ObjGen, int | None] = dict(known)
        self.queue: deque[ObjGen] = deque()

    def redefine(self, obj: Any, number: int) -> None:
        """Write `obj` under a number the file already has (it replaces that object)."""
        self.numbers[obj.objgen] = number
        self.queue.append(obj.objgen)

    def number(self, obj: Any) -> int | None:
        """The number `obj` is written under (a new one the first time; None: null)."""
        objgen = obj.objgen
        if objgen not in self.numbers:
            self.numbers[objgen] = self.update.next_number
            self.update.next_number += 1
            self.queue.append(objgen)
        return self.numbers[objgen]

    def flush(self) -> None:
        """Write every object asked for so far, and everything they refer to."""
        while self.queue:
            objgen = self.queue.popleft()
            number = self.numbers[objgen]
            assert number is not None
            self.update.emit(number, self._object(self.source.get_object(objgen)))

    def _object(self, obj: Any) -> bytes:
        """One indirect object's text; a stream with its data as stored (still encoded)."""
        if isinstance(obj, pikepdf.Stream):
            data = obj.read_raw_bytes()
            entries = {key: value for key, value in obj.stream_dict.items()
                       if key != "/Length"}
            head = self._dictionary(entries)
            return (head[:-2] + b"/Length %d>>\nstream\n" % len(data) + data
                    + b"\nendstream")
        return self._value(obj, top=True)

    def _reference(self, obj: Any) -> bytes:
        number = self.number(obj)
        return b"null" if number is None else b"%d 0 R" % number

    def _dictionary(self, entries: Any) -> bytes:
        parts = [Name(key).unparse() + b" " + self._value(value)
                 for key, value in sorted(entries.items())]
        return b"<<" + b" ".join(parts) + b">>"

    def _value(self, value: Any, top: bool = False) -> bytes:
        """A value's PDF syntax, references renumbered."""
        if value is None:
            return b"null"
        if isinstance(value, bool):
            return b"true" if value else b"false"
        if isinstance(value, int):
            return b"%d" % value
        if isinstance(value, (Decimal, float)):
            return _real(value)
        if not top and value.is_indirect:
            return self._reference(value)
        if isinstance(value, Array):
            return b"[" + b" ".join(self._value(item) for item in value) + b"]"
        if isinstance(value, Dictionary):
            return self._dictionary(value)
        return value.unparse()  # a name or a string


def _real(value: Decimal | float) -> bytes:
    """A real number as PDF writes it: no exponent, no trailing zeros."""
    text = format(Decimal(value) if isinstance(value, float) else value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return (text if text not in ("", "-", "-0") else "0").encode()


def _runs(numbers: list[int]) -> list[tuple[int, int]]:
    """Sorted object numbers as (first, count) subsections of consecutive numbers."""
    runs: list[list[int]] = []
    for number in numbers:
        if runs and runs[-1][0] + runs[-1][1] == number:
            runs[-1][1] += 1
        else:
            runs.append([number, 1])
    return [(first, count) for first, count in runs]
