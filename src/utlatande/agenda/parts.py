"""Each item's pages in the packet: its statement (made by the pipeline, on every core)
or its appendix files, with the bookmarks they get in the agenda."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .. import pipeline
from ..case_text import case_line
from ..errors import AnswerError, Problem, internal_error
from ..model import ProposalGroup
from ..pipeline import Checked
from ..pool import in_workers
from ..text import ascii_letters
from .meeting import Agenda, Item
from .packet import Document, Mark, page_count

# -- rendering -------------------------------------------------------------------------

@dataclass
class Part:
    """An item's pages in the packet: its statement and appendices, with their bookmarks."""

    item: Item
    document: Document | None = None
    marks: list[Mark] = field(default_factory=list)
    filename: str | None = None

    @property
    def pages(self) -> int:
        return self.document.pages if self.document is not None else 0

    @property
    def pdf(self) -> bytes:
        return self.document.pdf if self.document is not None else b""


@dataclass
class Row:
    """One row of the föredragningslista, as the templates read it."""

    nummer: int
    rubrik: str
    underrubrik: str | None
    föredragande: str | None
    diarienummer: str | None
    förslag: tuple[ProposalGroup, ...]
    sekretess: str | None
    dold: bool
    bilagor: list[str]
    sida: int | None
    fil: str | None
    sidor: int
    ärende: str = ""  # the case the statement answers, worded by the profile (case_text)


def slug(text: str) -> str:
    """A file name from a title: lower case ASCII words joined by '-', at most 50 characters."""
    ascii_text = ascii_letters(text.lower())
    result = ""
    for word in re.findall(r"[a-z0-9]+", ascii_text):
        if len(result) + len(word) + 1 > 50:
            break
        result = f"{result}-{word}" if result else word
    return result or "arende"


def _appendix_pdf(agenda: Agenda, item: Item) -> bytes:
    """A plain item's appendix files, one after the other (its bookmarks are the agenda's)."""
    return pipeline.appended(None, item.files, agenda.loaded)


def _statement_marks(item: Item, document: Document) -> list[Mark]:
    """item → statement (its own headings) → Bilaga N, pages counted within the part."""
    checked = item.checked
    assert checked is not None and checked.answer is not None and checked.theme is not None
    settings = pipeline.settings(checked)
    lengths = [page_count(a.fil) for a in item.files if a.fil is not None]
    statement_pages = document.pages - sum(lengths)
    headings = [m for m in document.outline if m.page < statement_pages]
    if len(headings) == 1 and headings[0].title == " ".join(item.rubrik.split()):
        headings = headings[0].children
    label = settings["rubriker"].get("bilaga", "Bilaga")
    start, appendices = statement_pages, []
    for appendix, length in zip(item.files, lengths, strict=True):
        appendices.append(Mark(f"{label} {appendix.nummer}: {appendix.titel}", start))
        start += length
    statement = Mark(settings.get("dokumenttyp") or checked.answer.mall, 0,
                     headings + appendices)
    return [Mark(f"{item.nummer}. {item.rubrik}", 0, [statement])]


def _plain_marks(agenda: Agenda, item: Item) -> list[Mark]:
    start, marks = 0, []
    for appendix in item.files:
        assert appendix.fil is not None
        marks.append(Mark(f"{agenda.label('bilaga')} {appendix.nummer}: {appendix.titel}",
                          start))
        start += page_count(appendix.fil)
    return [Mark(f"{item.nummer}. {item.rubrik}", 0, marks)]


def _render_one(path: Path, project: Path, embed: bool) -> bytes | list[Problem]:
    """One statement's PDF, in a worker process: problems come back as data, not raised."""
    return _pdf_or_problems(lambda: pipeline.statement_pdf(pipeline.check(path, project),
                                                           project, embed), path)


def _pdf_or_problems(make: Callable[[], bytes], path: Path) -> bytes | list[Problem]:
    try:
        return make()
    except AnswerError as error:
        return error.problems
    except Exception as exc:  # a bug in utlatande: this statement's problem, no traceback
        return [internal_error(path, exc)]


def _render_statements(agenda: Agenda, project: Path) -> dict[Path, bytes]:
    """The PDF of every shown statement, each answer once, on every core (the pool `build`
    uses: Ctrl-C stops the workers, and a worker that crashes costs only its statement)."""
    checked: dict[Path, Checked] = {}
    for item in agenda.items:
        if agenda.shown(item) and item.checked is not None:
            checked.setdefault(item.checked.path.resolve(), item.checked)
    jobs = min(os.cpu_count() or 1, len(checked))
    embed = not agenda.offentlig  # a public agenda carries no answer file, nor its comments
    results: dict[Path, bytes | list[Problem]]
    if jobs <= 1:
        results = {key: _pdf_or_problems(lambda c=c: pipeline.statement_pdf(c, project, embed),
                                         c.path)
                   for key, c in checked.items()}
    else:
        pipeline.warm_up()  # WeasyPrint imported once, before the fork
        calls = [(key, (_render_one, c.path, project, embed)) for key, c in checked.items()]
        results = dict(in_workers(calls, jobs,
                                  lambda key, exc: [internal_error(checked[key].path, exc)]))
    problems = [p for r in results.values() if isinstance(r, list) for p in r]
    if problems:
        raise AnswerError(problems)
    return {key: results[key] for key in checked}  # type: ignore[misc]


def render_parts(agenda: Agenda, project: Path) -> list[Part]:
    """Every item's pages, rendered as `build` renders them; none for a hidden item."""
    rendered = _render_statements(agenda, project)  # an answer named twice is rendered once
    parts = []
    for item in agenda.items:
        part = Part(item)
        if not agenda.shown(item):
            parts.append(part)
            continue
        if item.checked is not None:
            key = item.checked.path.resolve()
            # A reader of its own: pages appended twice from one reader would share their
            # content, and each would get the other's page number too.
            part.document = Document(rendered[key])
            part.marks = _statement_marks(item, part.document)
        elif item.files:
            part.document = Document(_appendix_pdf(agenda, item))
            part.marks = _plain_marks(agenda, item)
        if part.pages:
            part.filename = f"{item.nummer:02d}-{slug(item.rubrik)}.pdf"
        parts.append(part)
    return parts


def item_starts(parts: list[Part], front_pages: int) -> tuple[dict[int, int], int]:
    """The packet page (1-based) each item with pages starts on, and the packet's length."""
    starts, page = {}, front_pages + 1
    for part in parts:
        if part.pages:
            starts[part.item.nummer] = page
        page += part.pages
    return starts, page - 1


def list_rows(agenda: Agenda, parts: list[Part], starts: dict[int, int]) -> list[Row]:
    rows = []
    for part in parts:
        item = part.item
        plain_titles = [a.titel for a in item.bilagor] if item.checked is None else []
        rows.append(Row(item.nummer, item.rubrik, item.underrubrik, item.föredragande,
                        item.diarienummer, item.förslag, item.sekretess,
                        not agenda.shown(item), plain_titles, starts.get(item.nummer),
                        part.filename, part.pages, case_line(item.ärende, agenda.settings)))
    return rows
