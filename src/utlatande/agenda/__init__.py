"""A meeting file → the board agenda: the kallelse med föredragningslista followed by every
item's statement and appendices in one tagged PDF, the kallelse alone as DOCX, and a web
page with each item's PDF beside it.

meeting.py reads and checks the meeting file, parts.py makes each item's pages through the
pipeline (or takes them from the PDF cache that `build` shares, store.py), compose.py puts
the packet together with pdfmerge.py and packet.py (the running number), workspace.py is
the build's private folder, depfile.py writes the make rule, and build_agenda here writes
the folder.
"""

from __future__ import annotations

import filecmp
import hashlib
import os
import pickle
from collections.abc import Callable
from contextlib import AbstractContextManager, ExitStack, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pikepdf

from .. import pipeline
from ..errors import WARNING, AnswerError, Problem, display_path
from ..manifest import package_files
from ..pdfmerge import Mark, Metadata, TaggedMerge
from ..pdfsafety import strip_active
from ..pool import Spare, sigterm_as_interrupt
from ..store import content_key, record_agenda
from ..write import remove_orphans, write_all, write_atomic, write_reason
from .checks import checker
from .compose import (
    Ahead,
    Begun,
    Composed,
    apart_for,
    compose,
    created_at,
    merge_ahead,
    render_template,
    subject,
    title,
    warm_kallelse,
)
from .depfile import dependencies, make_rule
from .held import changed_during_build
from .meeting import ITEM_FILE, PUBLIC_SUFFIX, Agenda, load_agenda
from .outfolder import collision, mark, withdraw_public
from .parts import Part, Row, last_pages, lay_out_early, render_parts
from .signed import candidates, find_signed
from .workspace import Workspace, workspace

# What `verify` finds in a PDF: (path of the file, name it is shown by) → findings.
Verifier = Callable[[Path, str], list[Any]]
# Within: the verification of a PDF about to be verified begun ahead (verify/pdf.py).
BeginVerify = Callable[[Path], AbstractContextManager[Any]]

# -- writing ---------------------------------------------------------------------------

@dataclass
class AgendaBuilt:
    """What building an agenda gave: the files written, its warnings, its size, the
    statements laid out anew, and what `verify` found in the PDFs it wrote."""

    folder: Path
    outputs: list[Path]
    warnings: list[Problem]
    pages: int
    items: int
    rendered: list[Path] = field(default_factory=list)
    findings: list[Any] = field(default_factory=list)


def output_folder(path: Path, out_root: Path, offentlig: bool) -> Path:
    """build/<möte>/, or build/<möte>-offentlig/ for the public version."""
    return out_root / (path.stem + (PUBLIC_SUFFIX if offentlig else ""))


def _docx(agenda: Agenda, rows: list[Row], composed: Composed, ws: Workspace) -> bytes:
    """The kallelse and föredragningslista alone, editable, from the same template (from
    the cache while the HTML, the theme and utlatande are the same)."""
    html = render_template(agenda, "kallelse/kallelse.html.j2", rader=rows,
                           sidor=composed.pages, lista_sida=composed.list_page, lankar=False)
    key = ws.theme_key(agenda.theme, "docx", hashlib.sha256(html.encode()).hexdigest())
    slot = f"{ws.slot}-docx"
    cached = ws.store.read(slot, key)
    if cached is not None:
        return cached
    meta = {"title": title(agenda), "author": agenda.meeting.organ, "subject": subject(agenda),
            "keywords": agenda.label("kallelse"), "created": created_at(agenda.meeting)}
    data = pipeline.html_docx(html, agenda.settings, meta)
    path = ws.file("kallelse.docx")
    path.write_bytes(data)
    ws.keep(slot, key, path)
    return data


def _plain_item_pdf(agenda: Agenda, part: Part, row: Row, ws: Workspace) -> Path:
    """A plain item's own PDF: a tagged cover that says what the item is (its title, number,
    proposal and appendices), then its appendices; from the cache while the cover, the
    appendix files, what the item says and utlatande are the same."""
    html = render_template(agenda, "kallelse/arende.html.j2", r=row)
    cover = ws.html_pdf(html, f"arende-{part.item.nummer}", agenda.theme, agenda.settings,
                        tagged=True)
    path = ws.file(f"arende-{part.item.nummer}-med-bilagor.pdf")
    heading = f"{part.item.nummer}. {part.item.rubrik}"
    meta = Metadata(heading, agenda.meeting.organ, title(agenda), agenda.label("kallelse"),
                    created_at(agenda.meeting))

    def key() -> str:  # the cover by its bytes: its file is named after the workspace
        return content_key([*(source for source, _ in part.sources), *package_files()],
                           [], ws.project, "plain item",
                           hashlib.sha256(cover.read_bytes()).hexdigest(),
                           [name for _, name in part.sources], repr(meta))

    slot = f"{ws.slot}-arende-{part.item.nummer}-med-bilagor"
    before = _or_changed(key, part)
    if ws.store.take(slot, before, path):
        return path
    with TaggedMerge() as merge:
        merge.append(cover)
        marks = [(0, [Mark(heading, 0)])]
        for source, appendix in part.sources:
            marks.append((merge.pages, [Mark(appendix or heading, 0)]))
            try:
                merge.append(source, appendix, strip_active if appendix else None)
            except (OSError, pikepdf.PdfError):  # it was read when the meeting was loaded
                raise changed_during_build(source) from None
        merge.add_outline(marks)
        merge.save(path, meta)
    if _or_changed(key, part) == before:  # saved meanwhile: not kept (the build says so)
        ws.keep(slot, before, path)
    return path


def _or_changed(key: Callable[[], str], part: Part) -> str:
    """key(), or the error of an appendix removed since the meeting was loaded."""
    try:
        return key()
    except OSError as exc:
        gone = Path(exc.filename) if exc.filename else part.sources[0][0]
        raise changed_during_build(gone) from None


def _changed(pdfs: dict[str, Path], folder: Path) -> dict[str, Path]:
    """The PDFs whose bytes differ from the file of the same name in the folder."""
    return {name: source for name, source in pdfs.items()
            if not ((folder / name).is_file()
                    and filecmp.cmp(source, folder / name, shallow=False))}


def build_agenda(path: Path, out_root: Path, project: Path, offentlig: bool = False,
                 depfile: Path | None = None, verify: Verifier | None = None,
                 spare: Spare | None = None, begin_verify: BeginVerify | None = None
                 ) -> AgendaBuilt:
    """Build one meeting's agenda; nothing is written unless every part could be made, and a
    failed public build leaves no older public files behind.

    Statements, the kallelse, the running numbers and the DOCX come from the PDF cache
    while what they are made from is unchanged, and a PDF the same as the one in the folder
    is not written again. `verify` is run on every PDF that is written. `spare` is a
    worker forked by the caller to lay out one statement (else the build forks its own).
    `begin_verify(packet)` begins the packet's verification while other work is done.
    """
    folder = output_folder(path, out_root, offentlig)
    taken = collision(folder, path, offentlig)
    if taken is not None:
        raise AnswerError([taken])
    try:
        with sigterm_as_interrupt():  # a timeout's SIGTERM stops it as Ctrl-C does
            return _build_agenda(path, folder, out_root, project, offentlig, depfile, verify,
                                 spare, begin_verify)
    except AnswerError as error:
        withdrawn = withdraw_public(folder, path) if offentlig else None
        if withdrawn is None:
            raise
        raise AnswerError([*error.problems, withdrawn]) from None
    except Exception:
        if offentlig:
            withdraw_public(folder, path)
        raise


def _build_agenda(path: Path, folder: Path, out_root: Path, project: Path, offentlig: bool,
                  depfile: Path | None, verify: Verifier | None,
                  spare: Spare | None, begin_verify: BeginVerify | None) -> AgendaBuilt:
    with workspace(path, offentlig, out_root, project, spare) as ws, Ahead(ws) as ahead, \
            ExitStack() as merged:
        # The one answer that changed goes to the spare worker as soon as it is checked.
        check = checker(ws.store, ws.keep_bytes,
                        lambda checked: lay_out_early(ws, checked, offentlig))
        agenda = load_agenda(path, project, offentlig, check)
        check.give_brand(agenda.theme, project)  # the kallelse's, kept as the statements' are
        read = pipeline.stamps(dependencies(agenda))  # before any appendix is read

        begun: list[Begun] = []

        def meanwhile(parts: list[Part], pending: set[Path]) -> None:
            """While the changed statement is laid out: read the other files, and what
            the kallelse's rendering reads once; keep the hyphenation patterns for the
            next build's spare, if none are kept; and merge the kallelse and the parts
            before the statement, as they are if it keeps its last page count."""
            ahead.read(parts, pending)
            warm_kallelse(agenda, parts)
            ws.keep_hyphenation()
            at = next((i for i, part in enumerate(parts)
                       if any(source in pending for source, _ in part.sources)), None)
            pages = last_pages(ws, parts[at], offentlig) if at is not None else None
            if at is not None and pages:
                found = merge_ahead(agenda, parts, ws, ahead, merged, at, pages)
                begun.extend([found] if found is not None else [])

        parts = render_parts(agenda, ws, meanwhile)
        looked_at = _signed_statements(agenda, parts, folder, out_root, project)
        pdfs: dict[str, Path] = {}

        def item_pdfs(rows: list[Row]) -> None:
            """Each item's own PDF: made before the packet is merged, so that a plain
            item's cover and appendices are not laid out and merged while it is held."""
            for part, row in zip(parts, rows, strict=True):
                if part.filename:
                    # A signed statement is the item's own PDF (one signed there stays).
                    pdfs[part.filename] = part.item_pdf or part.statement \
                        or _plain_item_pdf(agenda, part, row, ws)

        composed = compose(agenda, parts, ws, ahead, merged, item_pdfs,
                           begun[0] if begun else None)
        packet_pdf, packet_docx = f"{folder.name}.pdf", f"{folder.name}.docx"
        pdfs[packet_pdf] = composed.path
        to_write = _changed(pdfs, folder)
        with ExitStack() as begun:
            if verify is not None and begin_verify is not None and packet_pdf in to_write \
                    and apart_for(composed.pages) is None:
                # The packet's syntax check runs while the merge is let go, and the DOCX,
                # the web page and the other PDFs are made and checked here (verify/pdf.py).
                begun.enter_context(begin_verify(composed.path))
            merged.close()
            blobs = {packet_docx: _docx(agenda, composed.rows, composed, ws),
                     # Written last: make takes it as the agenda's target, so it is the
                     # newest.
                     "index.html": render_template(
                         agenda, "kallelse/index.html.j2", rader=composed.rows,
                         sidor=composed.pages, paket_pdf=packet_pdf,
                         paket_docx=packet_docx).encode()}
            findings = _verified(verify, [(source, display_path(folder / name))
                                          for name, source in to_write.items()],
                                 composed.pages)
        if offentlig:
            _printed_personnummer(agenda, folder, {**pdfs, **blobs}, composed.pages)
        remove_orphans(folder)  # temporary files of a build that was killed
        try:
            mark(folder, path, offentlig)
            write_all({**{folder / name: source for name, source in to_write.items()},
                       **{folder / name: data for name, data in blobs.items()}})
        except OSError as exc:
            where = display_path(Path(exc.filename)) if exc.filename else display_path(folder)
            raise AnswerError([Problem(display_path(path), 1, 1, f"{where} kan inte skrivas "
                                       f"({write_reason(exc)}); ingen av kallelsens filer "
                                       "skrevs", "utdata.skrivfel")]) from None
        ws.commit()
    outputs = [folder / name for name in [*pdfs, *blobs]]
    _remove_stale(folder, {*pdfs, *blobs})
    sources = [*read, *looked_at]  # read: what the agenda is made from (depfile.py)
    if depfile is not None:
        write_atomic(depfile, make_rule(folder / "index.html", sources).encode())
    now = pipeline.stamps(list(read))
    saved = [path for path, stamp in read.items() if now[path] != stamp]
    agenda.warnings.extend(_saved_during_build(path) for path in saved)
    _older_than(folder / "index.html", [now[path] for path in saved])
    if not ws.unsettled and not saved:  # a file edited during the build: built again next time
        # Where a signed statement may appear later counts as well: while one is missing,
        # by the listing of the folder it would appear in.
        missing = [p.parent for p in looked_at if not p.exists()]
        record_agenda(path, out_root, offentlig, outputs, [p for p in sources if p.is_file()],
                      list(dict.fromkeys([*(p for p in sources if p.is_dir()), *missing])))
    return AgendaBuilt(folder, outputs, agenda.warnings, composed.pages,
                       sum(1 for p in parts if agenda.shown(p.item)), ws.rendered, findings)


def _saved_during_build(path: Path) -> Problem:
    """The warning for a file the agenda is made from that was saved while it was built:
    what was written may hold the older version, so the agenda is not recorded as up to
    date (the next run builds it again)."""
    return Problem(display_path(path), 1, 1, "filen ändrades medan kallelsen byggdes; "
                   "kallelsen byggs om nästa gång", "kallelse.ändrad", WARNING)


def _older_than(target: Path, saved: list[tuple[int, int] | None]) -> None:
    """make's target dated before the files saved during the build (their stamps now), so
    that `make agenda` builds the agenda again too."""
    times = [stamp[1] for stamp in saved if stamp is not None]
    if not times:  # none, or removed: make has no file to compare with
        return
    earliest = min(times) - 1_000_000_000
    with suppress(OSError):
        os.utime(target, ns=(earliest, earliest))


def _signed_statements(agenda: Agenda, parts: list[Part], folder: Path, out_root: Path,
                       project: Path) -> list[Path]:
    """Each answer item's signed statement, where one is found (signed.py), set on its part;
    its warnings added to the agenda's. Every place looked at, for the make rule."""
    looked_at: list[Path] = []
    for part in parts:
        if part.statement is None or part.item.checked is None:
            continue
        places = candidates(agenda, part.item.checked.path, part.filename, folder, out_root)
        looked_at.extend(places)
        own = folder / part.filename if part.filename else None
        found = find_signed(agenda, part.item.checked.path, part.statement, places, project,
                            own)
        part.signed, part.item_pdf = found.signed, found.item_pdf
        agenda.warnings.extend(w for w in found.warnings if w not in agenda.warnings)
    return list(dict.fromkeys(looked_at))


def _verified(verify: Verifier | None, files: list[tuple[Path, str]], pages: int
              ) -> list[Any]:
    """What `verify` finds in each (file, name shown); in a fresh process for a large
    packet, when `verify` can be sent there."""
    if verify is None:
        return []
    apart = apart_for(pages)
    if apart is not None and files:
        try:
            pickle.dumps(verify)
        except (pickle.PicklingError, AttributeError, TypeError):
            apart = None
    return apart(verify_all, verify, files) if apart is not None else verify_all(verify, files)


def verify_all(verify: Verifier, files: list[tuple[Path, str]]) -> list[Any]:
    """What `verify` finds in each (file, name shown), in order."""
    return [finding for path, shown in files for finding in verify(path, shown)]


def _printed_personnummer(agenda: Agenda, folder: Path, files: dict[str, bytes | Path],
                          pages: int) -> None:
    """Read back what a public agenda is about to write; raise if it prints a personnummer."""
    from .public import printed_problems

    answers = [item.checked.loaded for item in agenda.items if agenda.shown(item)
               and item.checked is not None and item.checked.loaded is not None]
    items = frozenset(name for name in files if ITEM_FILE.match(name))
    problems = printed_problems(files, folder, agenda.loaded, answers, items, apart_for(pages))
    if problems:
        raise AnswerError([*agenda.warnings, *problems])


def _remove_stale(folder: Path, written: set[str]) -> None:
    """Item PDFs of an earlier build that are not part of this one."""
    for old in folder.iterdir():
        if ITEM_FILE.match(old.name) and old.name not in written:
            old.unlink()
