"""Each item's pages in the packet: its statement (made by the pipeline in worker
processes, or taken from the PDF cache while nothing it is made from has changed) or its
appendix files, with the bookmarks they get in the agenda."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Iterable
from concurrent.futures.process import BrokenProcessPool
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

from .. import pipeline
from ..case_text import case_line
from ..errors import AnswerError, Problem, internal_error
from ..manifest import _hash_of, package_files
from ..model import Appendix, ProposalGroup
from ..pdfmerge import Mark, outline_of
from ..pipeline import Checked, Sent, pdf_or_problems
from ..pipeline import render_sent as _render_one
from ..pool import Spare, in_workers, interrupt_if_interrupted
from ..store import content_key, slot_of
from ..text import ascii_letters
from .meeting import Agenda, Item
from .signed import SignedStatement
from .workspace import Workspace


@dataclass
class Part:
    """An item's pages in the packet: PDF files in order, (file, appendix title or None),
    with their bookmarks; and the item's own PDF beside index.html."""

    item: Item
    sources: list[tuple[Path, str | None]] = field(default_factory=list)
    marks: list[Mark] = field(default_factory=list)
    pages: int = 0
    filename: str | None = None
    statement: Path | None = None  # an answer item's PDF (its own file)
    untagged: list[str] = field(default_factory=list)  # "Bilaga N: titel" without tags
    signed: SignedStatement | None = None  # the statement as its approvers signed it
    item_pdf: Path | None = None  # a signed file that is the item's own PDF (signed.py)


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
    otaggade: list[str] = field(default_factory=list)
    signerad: list[str] = field(default_factory=list)  # who signed the statement (signed.py)


def slug(text: str) -> str:
    """A file name from a title: lower case ASCII words joined by '-', at most 50 characters."""
    ascii_text = ascii_letters(text.lower())
    result = ""
    for word in re.findall(r"[a-z0-9]+", ascii_text):
        if len(result) + len(word) + 1 > 50:
            break
        result = f"{result}-{word}" if result else word
    return result or "arende"


def _statement_key(checked: Checked, project: Path, embed: bool = True) -> str | None:
    """The cache key of a statement: build's content hashes of everything it is made from
    (and, for a public agenda, that the answer file is not embedded).

    None when the answer file has changed since it was checked: that statement is not
    the one the file now holds, and it is not kept.
    """
    files, folders = pipeline.made_from(checked, project)
    settings = ("statement", None) if embed else ("statement", None, "utan svarsfil")
    key = content_key([*files, *package_files()], folders, project, *settings)
    assert checked.loaded is not None
    source = checked.loaded.source.encode()
    written = _hash_of(str(checked.path), checked.path.stat())
    if written not in {hashlib.sha256(source).hexdigest(),
                       hashlib.sha256(b"\xef\xbb\xbf" + source).hexdigest()}:
        return None
    return key


def _prepared(checked: Checked) -> pipeline.Prepared | None:
    """The statement's HTML, made here while the spare worker imports WeasyPrint; None if
    that fails: the worker then makes it, and reports what is wrong as it always does."""
    try:
        return pipeline.prepare(checked)
    except Exception as exc:  # noqa: BLE001 - reported by the worker, which tries again
        interrupt_if_interrupted(exc)
        return None


def _slot(checked: Checked, embed: bool) -> str:
    """A statement's name in the cache (the public version's is its own)."""
    return slot_of(checked.path) + ("" if embed else "-offentlig")


def last_pages(ws: Workspace, part: Part, offentlig: bool) -> int | None:
    """How many pages the part's statement had when it was last laid out (the cache's
    entry for its answer), if it is known."""
    import pikepdf

    checked = part.item.checked
    if checked is None:
        return None
    entry = ws.store.latest(_slot(checked, not offentlig))
    if entry is None:
        return None
    try:
        with pikepdf.open(entry) as pdf:
            return len(pdf.pages)
    except (OSError, pikepdf.PdfError):
        return None


def lay_out_early(ws: Workspace, checked: Checked, offentlig: bool) -> None:
    """An answer checked anew while the meeting is loaded, most often the one answer that
    changed: unless its statement is in the cache (or left out of the public version),
    it goes to the spare worker at once, prepared, not once every other answer is loaded.
    `_statements` takes it if it is the one statement to lay out; else the spare is ended
    and its work let go."""
    if ws.spare is None or ws.early is not None:
        return
    assert checked.answer is not None
    if offentlig and checked.answer.sekretess:
        return
    embed = not offentlig
    key = _statement_key(checked, ws.project, embed)
    if key is None or ws.store.holds(_slot(checked, embed), key):
        return
    ws.early = (checked.path.resolve(), key)
    with suppress(BrokenProcessPool):  # ended: laid out as if it had not been handed over
        ws.spare.submit(_render_one, checked.path, ws.project, embed, Sent.of(checked),
                        _prepared(checked))


def _render_statements(todo: dict[Path, tuple[Checked, Path]], project: Path,
                       embed: bool, spare: Spare | None = None, submitted: bool = False
                       ) -> Callable[[], list[Problem]]:
    """Lay out each statement into its file, on every core (the pool `build` uses: Ctrl-C
    stops the workers, and a worker that crashes costs only its statement); each PDF is
    written as it arrives, so they are never all held at once. The problems, once the
    returned function is called.

    A single statement is laid out by the `spare` worker, when there is one: it has
    imported WeasyPrint (and laid out a line) while this process checked the answers and
    prepared the statement's HTML, and lays it out while this process reads the other
    items' files (the function waits for it). Otherwise the spare is ended and the
    statements are laid out before this returns. `submitted`: the spare already has the
    one statement's call (lay_out_early)."""
    if spare is not None and len(todo) != 1:
        spare.end()  # its core is the pool's

    def crashed(key: Path, exc: BaseException) -> list[Problem]:
        return [internal_error(todo[key][0].path, exc)]

    if len(todo) == 1 and spare is not None:
        key, (c, _) = next(iter(todo.items()))
        try:
            if not submitted:
                spare.submit(_render_one, c.path, project, embed, Sent.of(c), _prepared(c))
        except BrokenProcessPool:
            spare = None

        def finish() -> list[Problem]:
            try:
                if spare is None:
                    raise BrokenProcessPool("the spare worker ended")
                results = [(key, spare.result())]
            except BrokenProcessPool:  # tried again alone, as the pool does
                results = list(in_workers([(key, (_render_one, c.path, project, embed,
                                                    Sent.of(c)))], 1,
                                          crashed))
            return _written(todo, results)

        return finish
    problems = _written(todo, _results(todo, project, embed, crashed))
    return lambda: problems


def _results(todo: dict[Path, tuple[Checked, Path]], project: Path, embed: bool,
             crashed: Callable[[Path, BaseException], list[Problem]]
             ) -> Iterable[tuple[Path, bytes | list[Problem]]]:
    jobs = min(os.cpu_count() or 1, len(todo))
    results: Iterable[tuple[Path, bytes | list[Problem]]]
    if jobs <= 1:
        results = ((key, pdf_or_problems(
            lambda c=c: pipeline.statement_pdf(c, project, embed), c.path))
            for key, (c, _) in todo.items())
    else:
        pipeline.warm_up()  # WeasyPrint imported once, before the fork
        calls = [(key, (_render_one, c.path, project, embed, Sent.of(c)))
                 for key, (c, _) in todo.items()]
        results = in_workers(calls, jobs, crashed)
    return results


def _written(todo: dict[Path, tuple[Checked, Path]],
             results: Iterable[tuple[Path, bytes | list[Problem]]]) -> list[Problem]:
    """Each PDF written to its file as it arrives; the problems."""
    problems: list[Problem] = []
    for key, result in results:
        if isinstance(result, list):
            problems.extend(result)
        else:
            todo[key][1].write_bytes(result)
    return problems


def _statements(agenda: Agenda, ws: Workspace
                ) -> tuple[dict[Path, Path], set[Path], Callable[[], None]]:
    """The PDF file of every shown statement, each answer once: from the cache while its
    inputs are unchanged, else laid out (and kept); the answers whose statements are still
    being laid out, and the function that waits for them (and raises their problems)."""
    files: dict[Path, Path] = {}
    todo: dict[Path, tuple[Checked, Path]] = {}
    keys: dict[Path, str | None] = {}
    embed = not agenda.offentlig  # a public agenda carries no answer file, nor its comments

    def slot(checked: Checked) -> str:
        return _slot(checked, embed)

    for item in agenda.items:
        checked = item.checked
        if not agenda.shown(item) or checked is None:
            continue
        answer = checked.path.resolve()
        if answer in files:
            continue
        files[answer] = target = ws.file(f"utlatande-{len(files):03d}.pdf")
        keys[answer] = key = _statement_key(checked, ws.project, embed)
        if key is None or not ws.store.take(slot(checked), key, target):
            todo[answer] = (checked, target)
    spare, submitted = ws.spare, False
    if ws.early is not None:
        answer, key = ws.early
        submitted = list(todo) == [answer] and keys[answer] == key
        if not submitted and spare is not None:
            spare.end()  # busy with a statement that is not (or no longer) the one to make
            spare = None
    if len(todo) > 1:
        ws.hyphenation_for_workers()
    render = _render_statements(todo, ws.project, embed, spare, submitted)

    def finish() -> None:
        problems = render()
        if problems:
            raise AnswerError(problems)
        for answer, (checked, target) in todo.items():
            ws.rendered.append(checked.path)
            # Kept only if nothing it was made from changed while it was laid out; else the
            # agenda is not recorded as up to date either.
            if keys[answer] is not None and \
                    _statement_key(checked, ws.project, embed) == keys[answer]:
                ws.keep(slot(checked), keys[answer], target)
            else:
                ws.unsettled = True

    return files, set(todo), finish


def _open_appendix(agenda: Agenda, item: Item, appendix: Appendix) -> tuple[int, bool]:
    """(pages, tagged) of an appendix file; one that cannot be read is the user's error."""
    import pikepdf

    assert appendix.fil is not None
    loaded = item.checked.loaded if item.checked is not None else agenda.loaded
    assert loaded is not None
    try:
        with pikepdf.open(appendix.fil) as pdf:
            if pdf.is_encrypted:
                reason = "den är krypterad"
            elif not len(pdf.pages):
                reason = "den har inga sidor"
            else:
                tree = pdf.Root.get("/StructTreeRoot")
                return len(pdf.pages), tree is not None and "/K" in tree
    except pikepdf.PasswordError:
        reason = "den är krypterad"
    except (pikepdf.PdfError, OSError, ValueError) as exc:
        reason = str(exc) or type(exc).__name__
    raise AnswerError([pipeline.unreadable_appendix(appendix, loaded, reason)])


def _statement_marks(item: Item, path: Path, lengths: list[int]) -> tuple[list[Mark], int]:
    """item → statement (its own headings) → Bilaga N, pages counted within the part;
    and the part's pages."""
    import pikepdf

    checked = item.checked
    assert checked is not None and checked.answer is not None and checked.theme is not None
    settings = pipeline.settings(checked)
    with pikepdf.open(path) as pdf:
        pages, outline = len(pdf.pages), outline_of(pdf)
    statement_pages = pages - sum(lengths)
    headings = [m for m in outline if m.page < statement_pages]
    if len(headings) == 1 and headings[0].title == " ".join(item.rubrik.split()):
        headings = headings[0].children
    label = settings["rubriker"].get("bilaga", "Bilaga")
    start, appendices = statement_pages, []
    for appendix, length in zip(item.files, lengths, strict=True):
        appendices.append(Mark(f"{label} {appendix.nummer}: {appendix.titel}", start))
        start += length
    statement = Mark(settings.get("dokumenttyp") or checked.answer.mall, 0,
                     headings + appendices)
    return [Mark(f"{item.nummer}. {item.rubrik}", 0, [statement])], pages


def _appendix_label(agenda: Agenda, item: Item, appendix: Appendix) -> str:
    if item.checked is not None and item.checked.answer is not None:
        label = pipeline.settings(item.checked)["rubriker"].get("bilaga", "Bilaga")
    else:
        label = agenda.label("bilaga")
    return f"{label} {appendix.nummer}: {appendix.titel}"


def render_parts(agenda: Agenda, ws: Workspace,
                 meanwhile: Callable[[list[Part], set[Path]], object] | None = None
                 ) -> list[Part]:
    """Every item's pages, rendered as `build` renders them; none for a hidden item. While
    a statement is still being laid out, `meanwhile` is given the parts and the files
    still being made (the packet reads the others then, compose.Ahead)."""
    # An answer named twice is rendered once; one being laid out is waited for last.
    statements, pending, finish = _statements(agenda, ws)
    parts: list[Part] = []
    later: list[tuple[Part, list[int]]] = []
    try:
        for item in agenda.items:
            part = Part(item)
            parts.append(part)
            if agenda.shown(item):
                later.extend(_fill(agenda, item, part, statements, pending))
    except AnswerError:
        finish()  # a statement's own problems come first, as when it was laid out first
        raise
    if meanwhile is not None and pending:
        try:
            meanwhile(parts, {statements[answer] for answer in pending})
        except Exception:
            finish()  # the statement's own problems first
            raise
    finish()
    for part, lengths in later:
        assert part.statement is not None
        part.marks, part.pages = _statement_marks(part.item, part.statement, lengths)
        if part.pages:
            part.filename = item_filename(part.item)
    return parts


def _fill(agenda: Agenda, item: Item, part: Part, statements: dict[Path, Path],
          pending: set[Path]) -> list[tuple[Part, list[int]]]:
    """A shown item's pages, or [(the part, its appendices' lengths)] when its statement
    is still being laid out."""
    opened = [_open_appendix(agenda, item, a) for a in item.files]
    part.untagged = [_appendix_label(agenda, item, a)
                     for a, (_, tagged) in zip(item.files, opened, strict=True) if not tagged]
    if item.checked is not None:
        answer = item.checked.path.resolve()
        part.statement = statements[answer]
        part.sources = [(part.statement, None)]
        if answer in pending:
            return [(part, [n for n, _ in opened])]
        part.marks, part.pages = _statement_marks(item, part.statement, [n for n, _ in opened])
    elif item.files:
        marks, start = [], 0
        for appendix, (length, _) in zip(item.files, opened, strict=True):
            label = _appendix_label(agenda, item, appendix)
            assert appendix.fil is not None
            part.sources.append((appendix.fil, label))
            marks.append(Mark(label, start))
            start += length
        part.marks = [Mark(f"{item.nummer}. {item.rubrik}", 0, marks)]
        part.pages = start
    if part.pages:
        part.filename = item_filename(item)
    return []


def item_filename(item: Item) -> str:
    """The item's own PDF beside index.html: 03-rubrik.pdf."""
    return f"{item.nummer:02d}-{slug(item.rubrik)}.pdf"


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
                        part.filename, part.pages, case_line(item.ärende, agenda.settings),
                        part.untagged, list(part.signed.names) if part.signed else []))
    return rows
