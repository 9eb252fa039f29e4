"""The public agenda's guard: no personnummer in what it prints or carries.

The sources are searched first, each number at its line and column: the meeting file and
the statements without sekretess (their whole text: keys, numbers of any type and comments
too), the fields a secret item still shows (its diarienummer and sekretess ground), and the
text of every appendix PDF. Then the files about to be written are read back as a reader
sees them (page text, metadata, bookmarks, alternative texts, links and embedded files), so
that a number Markdown or a template puts together (121212\\-1212, 121212-**1212**) is
caught as well.
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import Problem, display_path
from ..load import Loaded
from ..personnummer import (
    digits,
    find_in_source,
    find_in_values,
    find_personnummer,
    locate_digits,
    masked,
)

if TYPE_CHECKING:
    from ..model import Appendix

CODE = "offentlig.personnummer"
RULE = "en offentlig kallelse får inte innehålla personnummer"
REMEDY_MEETING = "ta bort numret ur mötesfilen"
REMEDY_ANSWER = "ta bort numret, eller markera ärendet med sekretess: {grund: …}"
# What a secret item still shows in the public version, and what it is called.
SHOWN_OF_SECRET = {("diarienummer",): "diarienumret", ("sekretess", "grund"): "sekretessgrunden"}


def _problem(path: Path, line: int, column: int, number: str, where: str, remedy: str) -> Problem:
    return Problem(display_path(path), line, column,
                   f"personnumret {masked(number)} står i {where}; {RULE}: {remedy}", CODE)


def source_problems(meeting: Loaded, answers: list[tuple[Loaded, bool]],
                    appendices: list[tuple[Appendix, Loaded]]) -> list[Problem]:
    """Every personnummer in the sources of a public agenda: the meeting file, each answer
    (`secret` or not) and each appendix file of a shown item."""
    problems = [_problem(meeting.path, hit.line, hit.column, hit.number, "mötesfilen",
                         REMEDY_MEETING) for hit in find_in_source(meeting.source)]
    for loaded, secret in answers:
        if not secret:
            problems += [_problem(loaded.path, hit.line, hit.column, hit.number,
                                  "en svarsfil utan 'sekretess'", REMEDY_ANSWER)
                         for hit in find_in_source(loaded.source)]
            continue
        for key_path, name in SHOWN_OF_SECRET.items():
            problems += [_problem(loaded.path, hit.line, hit.column, hit.number,
                                  f"{name} för ett ärende med sekretess, och {name} står också "
                                  "i den offentliga kallelsen", "ta bort numret därifrån")
                         for hit in find_in_values(loaded, [key_path])]
    for appendix, loaded in appendices:
        problems += _appendix_problems(appendix, loaded)
    return problems


def _appendix_problems(appendix: Appendix, loaded: Loaded) -> list[Problem]:
    """Numbers in an appendix PDF's pages, metadata or embedded files, at its 'fil' line."""
    assert appendix.fil is not None
    line, column = loaded.where((*appendix.key_path, "fil"))
    if not appendix.fil.is_file():
        return []  # the appendix checks report a missing file
    problems, seen = [], set()
    for where, text in printed_texts(appendix.fil.name, appendix.fil):
        for _, number in find_personnummer(text):
            if digits(number) not in seen:
                seen.add(digits(number))
                problems.append(_problem(loaded.path, line, column, number,
                                         f"bilagan '{appendix.fil_angiven}' ({where})",
                                         "ta bort numret ur bilagan, eller lämna bilagan "
                                         "utanför den offentliga kallelsen"))
    return problems


def printed_problems(files: dict[str, bytes | Path], folder: Path, meeting: Loaded,
                     answers: list[Loaded], pages_elsewhere: frozenset[str] = frozenset(),
                     apart: Callable[..., Any] | None = None) -> list[Problem]:
    """Every personnummer in the files of a public agenda, as a reader sees them; each at the
    place in the meeting file or an answer where its digits are typed, else at the meeting.

    The pages of the files in `pages_elsewhere` are read in another file (the packet holds
    every item's pages); their metadata and embedded files are read all the same. `apart`
    (pool.fresh) reads the files in another process.
    """
    reading = [(name, data, name not in pages_elsewhere) for name, data in files.items()]
    found = apart(numbers_printed, reading) if apart is not None else numbers_printed(reading)
    problems, seen = [], set()
    for name, where, number in found:
        if digits(number) in seen:
            continue
        seen.add(digits(number))
        problems.append(_printed_problem(number, f"{display_path(folder / name)}, {where}",
                                         meeting, answers))
    return problems


def numbers_printed(files: list[tuple[str, bytes | Path, bool]]) -> list[tuple[str, str, str]]:
    """(file name, where, number) of every personnummer in the files (name, data, whether
    its pages are read), as a reader sees them."""
    return [(name, where, number) for name, data, pages in files
            for where, text in printed_texts(name, data, pages=pages)
            for _, number in find_personnummer(text)]


def _printed_problem(number: str, shown: str, meeting: Loaded, answers: list[Loaded]) -> Problem:
    for loaded, remedy in [(meeting, REMEDY_MEETING), *((a, REMEDY_ANSWER) for a in answers)]:
        found = locate_digits(loaded.source, number)
        if found is not None:
            return _problem(loaded.path, *found, number, f"den offentliga kallelsen ({shown}) "
                            "och är skrivet här", remedy)
    return _problem(meeting.path, 1, 1, number, f"den offentliga kallelsen ({shown}) men i "
                    "ingen av svarsfilerna eller mötesfilen", "det kommer från en profil eller "
                    "en mall; ta bort det där")


# -- reading files back ------------------------------------------------------------------

def printed_texts(name: str, data: bytes | Path, pages: bool = True
                  ) -> Iterator[tuple[str, str]]:
    """(where, text) for every text a file shows or carries, as a reader would see it; a
    PDF given as a file is read from it a few pages at a time, never whole."""
    if isinstance(data, Path):
        with data.open("rb") as handle:
            head = handle.read(1024)
        if b"%PDF-" in head[:5]:
            yield from _pdf_texts(data, pages)
            return
        data = data.read_bytes()
    if data.startswith(b"%PDF-"):
        yield from _pdf_texts(data, pages)
    elif name.endswith(".docx"):
        yield from _docx_texts(data)
    else:
        text = data.decode("utf-8", "replace")
        yield "texten", _markup_text(text) if name.endswith((".html", ".xml")) else text


def _pdf_texts(data: bytes | Path, pages: bool = True) -> Iterator[tuple[str, str]]:
    import pikepdf

    with pikepdf.open(data if isinstance(data, Path) else io.BytesIO(data)) as pdf:
        count = len(pdf.pages)
    if pages:
        for first in range(1, count + 1, PAGES_AT_A_TIME):
            last = min(first + PAGES_AT_A_TIME - 1, count)
            for number, text in enumerate(_page_texts(data, first, last), start=first):
                yield f"sida {number}", text
    with pikepdf.open(data if isinstance(data, Path) else io.BytesIO(data)) as pdf:
        # Strings outside the pages' text: metadata, bookmarks, alt texts, links, fields.
        yield "dokumentinformationen", "\n\n".join(_strings(pdf))
        metadata = pdf.Root.get("/Metadata")
        if isinstance(metadata, pikepdf.Stream):
            yield "XMP-metadatan", _markup_text(metadata.read_bytes().decode("utf-8", "replace"))
        for attached, spec in pdf.attachments.items():
            content = spec.get_file().read_bytes()
            yield "bifogade filers namn", attached
            for where, text in printed_texts(attached, content):
                yield f"den bifogade filen {attached}, {where}", text


# A public packet's pages are read back this many at a time.
PAGES_AT_A_TIME = 50


def _page_texts(data: bytes | Path, first: int, last: int) -> list[str]:
    """The text of pages first … last (1-based): poppler's pdftotext (a system package the
    preview needs too) reads a page in milliseconds; pypdf, thirty times slower, where it
    is missing."""
    import subprocess

    source = ["-", "-"] if isinstance(data, bytes) else [str(data), "-"]
    try:
        done = subprocess.run(["pdftotext", "-enc", "UTF-8", "-f", str(first), "-l", str(last),
                               *source], input=data if isinstance(data, bytes) else None,
                              capture_output=True, check=True, timeout=300)
        return done.stdout.decode("utf-8", "replace").split("\f")[:last - first + 1]
    except (OSError, subprocess.SubprocessError):
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(data) if isinstance(data, bytes) else data)
        return [reader.pages[n].extract_text() or "" for n in range(first - 1, last)]


def _strings(pdf: Any) -> Iterator[str]:
    """Every string object of a PDF, outside content streams."""
    import pikepdf

    def walk(obj: Any) -> Iterator[str]:
        if isinstance(obj, pikepdf.String):
            try:
                yield str(obj)
            except (UnicodeDecodeError, ValueError):
                yield obj.to_bytes().decode("latin-1")
        elif isinstance(obj, pikepdf.Stream):
            yield from walk(obj.stream_dict)
        elif isinstance(obj, (pikepdf.Dictionary, pikepdf.Array)):
            items = obj.values() if isinstance(obj, pikepdf.Dictionary) else obj
            for item in items:
                if not getattr(item, "is_indirect", False):  # visited on their own
                    yield from walk(item)

    for obj in pdf.objects:
        yield from walk(obj)


def _docx_texts(data: bytes) -> Iterator[tuple[str, str]]:
    import zipfile

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            if info.filename.endswith((".xml", ".rels")):
                text = archive.read(info).decode("utf-8", "replace")
                yield info.filename, _markup_text(text)


# Elements that end a block of text: their text never runs on into the next one's.
_BLOCK_END = re.compile(r"</(?:w:p|w:tc|w:tr|p|div|li|td|th|tr|h\d|section|article|title|"
                        r"dc:\w+|rdf:li)>|<br\s*/?>", re.I)
_TAG = re.compile(r"<[^>]*>")
_ATTRIBUTE = re.compile(r"""=\s*(?:"([^"]*)"|'([^']*)')""")


def _markup_text(text: str) -> str:
    """The text of HTML or XML as read (runs of one word joined), then every attribute's
    value (alternative texts, titles, links)."""
    body = _TAG.sub("", _BLOCK_END.sub("\n\n", text))
    attributes = ["".join(match.groups(default="")) for tag in _TAG.findall(text)
                  for match in _ATTRIBUTE.finditer(tag)]
    return html.unescape(body + "\n\n" + "\n\n".join(attributes))
