"""A meeting file → the board agenda: the kallelse med föredragningslista followed by every
item's statement and appendices in one PDF, the kallelse alone as DOCX, and a web page
with each item's PDF beside it.

meeting.py reads and checks the meeting file, parts.py makes each item's pages through the
pipeline, compose.py and packet.py put the packet together, depfile.py writes the make
rule, and build_agenda here writes the folder.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .. import pipeline
from ..errors import AnswerError, Problem, display_path
from ..write import remove_orphans, write_all, write_atomic, write_reason
from .compose import Composed, compose, created_at, render_template, subject, title
from .depfile import dependencies, make_rule
from .meeting import ITEM_FILE, PUBLIC_SUFFIX, Agenda, load_agenda
from .outfolder import collision, mark, withdraw_public
from .parts import Row, render_parts

# -- writing ---------------------------------------------------------------------------

@dataclass
class AgendaBuilt:
    """What building an agenda gave: the files written, its warnings and its size."""

    folder: Path
    outputs: list[Path]
    warnings: list[Problem]
    pages: int
    items: int


def output_folder(path: Path, out_root: Path, offentlig: bool) -> Path:
    """build/<möte>/, or build/<möte>-offentlig/ for the public version."""
    return out_root / (path.stem + (PUBLIC_SUFFIX if offentlig else ""))


def _docx(agenda: Agenda, rows: list[Row], composed: Composed) -> bytes:
    """The kallelse and föredragningslista alone, editable, from the same template."""
    html = render_template(agenda, "kallelse/kallelse.html.j2", rader=rows,
                           sidor=composed.pages, lista_sida=composed.list_page, lankar=False)
    meta = {"title": title(agenda), "author": agenda.meeting.organ, "subject": subject(agenda),
            "keywords": agenda.label("kallelse"), "created": created_at(agenda.meeting)}
    return pipeline.html_docx(html, agenda.settings, meta)


def build_agenda(path: Path, out_root: Path, project: Path, offentlig: bool = False,
                 depfile: Path | None = None) -> AgendaBuilt:
    """Build one meeting's agenda; nothing is written unless every part could be made, and a
    failed public build leaves no older public files behind."""
    folder = output_folder(path, out_root, offentlig)
    taken = collision(folder, path, offentlig)
    if taken is not None:
        raise AnswerError([taken])
    try:
        return _build_agenda(path, folder, project, offentlig, depfile)
    except AnswerError as error:
        withdrawn = withdraw_public(folder, path) if offentlig else None
        if withdrawn is None:
            raise
        raise AnswerError([*error.problems, withdrawn]) from None
    except Exception:
        if offentlig:
            withdraw_public(folder, path)
        raise


def _build_agenda(path: Path, folder: Path, project: Path, offentlig: bool,
                  depfile: Path | None) -> AgendaBuilt:
    agenda = load_agenda(path, project, offentlig)
    parts = render_parts(agenda, project)
    composed = compose(agenda, parts, project)
    packet_pdf, packet_docx = f"{folder.name}.pdf", f"{folder.name}.docx"
    files: dict[str, bytes] = {p.filename: p.pdf for p in parts if p.filename}
    files[packet_pdf] = composed.pdf
    files[packet_docx] = _docx(agenda, composed.rows, composed)
    # Written last: make takes it as the agenda's target, so it is the newest file.
    files["index.html"] = render_template(
        agenda, "kallelse/index.html.j2", rader=composed.rows, sidor=composed.pages,
        paket_pdf=packet_pdf, paket_docx=packet_docx).encode()
    if offentlig:
        _printed_personnummer(agenda, folder, files)
    remove_orphans(folder)  # temporary files of a build that was killed
    try:
        mark(folder, path, offentlig)
        write_all({folder / name: data for name, data in files.items()})
    except OSError as exc:
        where = display_path(Path(exc.filename)) if exc.filename else display_path(folder)
        raise AnswerError([Problem(display_path(path), 1, 1, f"{where} kan inte skrivas "
                                   f"({write_reason(exc)}); ingen av kallelsens filer skrevs",
                                   "utdata.skrivfel")]) from None
    outputs = [folder / name for name in files]
    _remove_stale(folder, set(files))
    if depfile is not None:
        write_atomic(depfile, make_rule(folder / "index.html", dependencies(agenda)).encode())
    return AgendaBuilt(folder, outputs, agenda.warnings, composed.pages,
                       sum(1 for p in parts if agenda.shown(p.item)))


def _printed_personnummer(agenda: Agenda, folder: Path, files: dict[str, bytes]) -> None:
    """Read back what a public agenda is about to write; raise if it prints a personnummer."""
    from .public import printed_problems

    answers = [item.checked.loaded for item in agenda.items if agenda.shown(item)
               and item.checked is not None and item.checked.loaded is not None]
    items = frozenset(name for name in files if ITEM_FILE.match(name))
    problems = printed_problems(files, folder, agenda.loaded, answers, items)
    if problems:
        raise AnswerError([*agenda.warnings, *problems])


def _remove_stale(folder: Path, written: set[str]) -> None:
    """Item PDFs of an earlier build that are not part of this one."""
    for old in folder.iterdir():
        if ITEM_FILE.match(old.name) and old.name not in written:
            old.unlink()

