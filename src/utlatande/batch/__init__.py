"""Many answers at once: only what changed (manifest.py), on every core (pool.py), WeasyPrint
imported once."""

from __future__ import annotations

import dataclasses
import multiprocessing
import multiprocessing.connection
import os
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import internal_error
from ..manifest import Manifest, Record, package_files, record, settings_key
from ..pool import (
    die_with_parent,
    end_group,
    in_workers,
    interrupt_if_interrupted,
    own_group,
    sigterm_as_interrupt,
    without_sigint,
)
from ..store import Store, key_of, slot_of
from ..write import remove_orphans
from .edited import ChangedPdf, changed_pdf, edited_outputs, keep_signed, output_facts, why_rebuilt

if TYPE_CHECKING:
    from ..pipeline import Built

# The pipeline (YAML, schema, Jinja) is imported by the functions that build: a build with
# nothing to do only reads the manifest, and starts in half the time.


@dataclass
class Summary:
    built: int = 0
    unchanged: int = 0
    failed: int = 0
    seconds: float = 0.0
    edited: list[Path] = field(default_factory=list)  # DOCX files changed since the build
    # PDFs signed or edited since the build: not overwritten, or (signed, --tvinga) kept aside
    pdfs: list[ChangedPdf] = field(default_factory=list)


@dataclass
class Outcome:
    """One answer's build as the batch sees it: the result and its up-to-date record."""

    built: Built
    record: Record | None


def shard(answers: list[Path], index: int, count: int) -> list[Path]:
    """The index-th (1-based) of count stable slices, by file name: adding a file moves no other."""
    return [a for a in answers if zlib.crc32(a.name.encode()) % count == index - 1]


def build_one(answer: Path, out_dir: Path, formats: tuple[str, ...], project: Path,
              key: str, pdf_variant: str | None = None) -> Outcome:
    """Build one answer (in a worker process) and record what it depended on."""
    from .. import pipeline

    try:
        built = pipeline.build(answer, out_dir, formats, project, pdf_variant)
    except Exception as exc:  # a bug in utlatande must not take the batch down
        interrupt_if_interrupted(exc)
        return Outcome(_internal_error(answer, exc), None)
    if not built.ok or built.changed:
        return Outcome(built, None)
    return Outcome(built, _record(built, built.outputs, key))


def _keep_pdf(outcome: Outcome, out_dir: Path, project: Path,
              pdf_variant: str | None) -> None:
    """The PDF just written, kept in the PDF cache that `agenda` shares (store.py), under
    the content hashes the manifest recorded for it."""
    from .. import pipeline

    record = outcome.record
    assert record is not None
    key = key_of({path: facts[2] for path, facts in record.files.items()}, record.folders,
                 project, "statement", pdf_variant)
    pdf = pipeline.output_path(outcome.built.path, out_dir, "pdf")
    with suppress(OSError):  # the cache saves time; a build never fails for it
        Store(out_dir).put(slot_of(outcome.built.path), key, pdf)


def _record(built: Built, outputs: list[Path], key: str) -> Record:
    """What the outputs of a build depended on: its own files and utlatande's."""
    return record(outputs, key, [*built.dependencies, *package_files()], built.folders)


def _internal_error(answer: Path, exc: BaseException) -> Built:
    from .. import pipeline

    return pipeline.Built(answer, problems=[internal_error(answer, exc)])


@dataclass
class Part:
    """Some of one answer's formats, rendered but not written: the parts of an answer are
    written together, and only when none of them failed."""

    built: Built
    data: dict[str, bytes]
    record: Record | None
    deferred: bool = False  # the PDF side renders this answer's other formats too


def render_part(answer: Path, out_dir: Path, formats: tuple[str, ...], project: Path,
                key: str, pdf_variant: str | None, side: str) -> Part:
    """The PDF side renders the PDF, the other side everything else; a DOCX that takes
    the PDF's page numbers is left to the PDF side."""
    from .. import pipeline

    try:
        checked = pipeline.check(answer, project)
        if side == "pdf":
            mine = formats if pipeline.docx_needs_pdf(checked) else ("pdf",)
        elif pipeline.docx_needs_pdf(checked):
            return Part(pipeline.Built(answer), {}, None, deferred=True)
        else:
            mine = tuple(f for f in formats if f != "pdf")
        built, data = pipeline.render_checked(checked, mine, project, pdf_variant)
    except Exception as exc:  # a bug in utlatande must not take the batch down
        interrupt_if_interrupted(exc)
        return Part(_internal_error(answer, exc), {}, None)
    if not built.ok:
        return Part(built, {}, None)
    if built.changed:
        return Part(built, data, None)
    targets = [pipeline.output_path(answer, out_dir, fmt) for fmt in data]
    return Part(built, data, _record(built, targets, key))


def run(answers: list[Path], out_dir: Path, formats: tuple[str, ...], project: Path, *,
        jobs: int | None = None, force: bool = False,
        report: Callable[[Outcome, int, int], None] | None = None,
        skipped: Callable[[Path], None] | None = None,
        pdf_variant: str | None = None, overwrite_edited: bool = False) -> Summary:
    """Build what is not up to date; every answer is tried, whatever the others do.

    An answer whose DOCX was edited after its build is left alone, PDF and all, unless
    `overwrite_edited`: a colleague's edits are never overwritten silently. So is one
    whose PDF was signed or edited and would be built again; a signed PDF whose answer
    is up to date is kept (and counted unchanged) even with `force` (edited.py)."""
    started = time.perf_counter()
    answers = _each_once(answers)
    remove_orphans(out_dir)  # temporary files of a build that was killed
    manifest = Manifest(out_dir)
    key = settings_key(formats, pdf_variant)
    clashes = _same_outputs(answers, out_dir)
    todo = []
    summary = Summary()
    for answer in answers:
        if answer in clashes:
            continue
        entry = manifest.records.get(str(answer))
        changed = [] if overwrite_edited else edited_outputs(entry)
        current = manifest.is_current(answer, key)
        pdf = None
        if "pdf" in formats and (force or not current):
            pdf = changed_pdf(out_dir / f"{answer.stem}.pdf", entry)
        # Signed and up to date: a rebuild (--allt) would only write again the first
        # revision the approvers signed, and lose their signatures; unless --tvinga.
        keep = current and (not force or pdf is not None and bool(pdf.names)
                            and not overwrite_edited)
        # A signed or edited PDF a rebuild would overwrite: not overwritten.
        blocked = pdf is not None and not keep and not overwrite_edited
        if blocked:
            summary.pdfs.append(dataclasses.replace(pdf, reason=why_rebuilt(answer, entry, key)))
        if changed:
            summary.edited.extend(changed)
            summary.failed += 1  # an answer, however many of its outputs were edited
        elif keep:
            summary.unchanged += 1
            if skipped:
                skipped(answer)
        elif blocked:
            summary.failed += 1  # not overwritten, and its other formats not built either
        elif pdf is not None and pdf.names:
            try:
                summary.pdfs.append(keep_signed(pdf))
            except OSError as exc:  # nowhere to keep it: it is not overwritten
                summary.pdfs.append(dataclasses.replace(pdf, unkept=exc.strerror or str(exc)))
                summary.failed += 1
            else:
                todo.append(answer)
        else:
            todo.append(answer)
    for answer, outcome in clashes.items():
        manifest.update(answer, None)
        summary.failed += 1
        if report:
            report(outcome, 0, len(todo))
    jobs = max(1, jobs or os.cpu_count() or 1)
    # Closed explicitly: on Ctrl-C (or SIGTERM) the workers stop now, not when the generator
    # is collected.
    with sigterm_as_interrupt(), \
            closing(_outcomes(todo, out_dir, formats, project, key, jobs, pdf_variant)) as outcomes:
        try:
            for done, outcome in enumerate(outcomes, 1):
                interrupt_if_interrupted()  # a KeyboardInterrupt a library swallowed
                if outcome.record is not None:
                    outcome.record.utdata = output_facts(outcome.built.outputs)
                manifest.update(outcome.built.path, outcome.record)
                if outcome.record is not None and "pdf" in formats:
                    _keep_pdf(outcome, out_dir, project, pdf_variant)
                if outcome.built.ok:
                    summary.built += 1
                else:
                    summary.failed += 1
                if report:
                    report(outcome, done, len(todo))
        finally:
            # Also after an interrupt: what was built by then is written and up to date.
            if todo or manifest.dirty or not manifest.path.exists():
                manifest.save()
    summary.seconds = time.perf_counter() - started
    return summary


def _each_once(answers: list[Path]) -> list[Path]:
    """The answers, each file once however it was spelt (`x.yaml`, `./x.yaml`,
    `d/../x.yaml`), in the order given: a file is built once and counted once."""
    unique: dict[tuple[Path, str], Path] = {}
    for answer in answers:
        unique.setdefault((answer.absolute().parent.resolve(), answer.name), answer)
    return list(unique.values())


def _same_outputs(answers: list[Path], out_dir: Path) -> dict[Path, Outcome]:
    """Answers whose outputs would overwrite each other (x.yaml and x.yml): each fails,
    naming the other, instead of one silently taking the other's files."""
    by_stem: dict[str, list[Path]] = {}
    for answer in answers:  # each once (_each_once)
        by_stem.setdefault(answer.stem, []).append(answer)
    clashes = {}
    for stem, group in by_stem.items():
        if len(group) < 2:
            continue
        from .. import pipeline  # only now: a build with nothing to do never imports it
        from ..errors import Problem, display_path

        for answer in group:
            others = " och ".join(display_path(a) for a in group if a != answer)
            problem = Problem(display_path(answer), 1, 1, f"{others} skriver också till "
                              f"{display_path(out_dir / stem)}.*; byt namn på en av filerna",
                              "utdata.samma_namn")
            clashes[answer] = Outcome(pipeline.Built(answer, problems=[problem]), None)
    return clashes


def _outcomes(todo: list[Path], out_dir: Path, formats: tuple[str, ...], project: Path,
              key: str, jobs: int, pdf_variant: str | None = None) -> Iterator[Outcome]:
    if not todo:
        return
    if jobs > 1 and "pdf" in formats and len(formats) > 1:
        yield from _two_sided(todo, out_dir, formats, project, key, jobs, pdf_variant)
        return
    if "pdf" in formats:
        from .. import pipeline

        # Import WeasyPrint once, before the workers fork: they share it, fonts included.
        pipeline.warm_up()
    if jobs == 1 or len(todo) == 1:
        for answer in todo:
            yield build_one(answer, out_dir, formats, project, key, pdf_variant)
        return
    calls = [(a, (build_one, a, out_dir, formats, project, key, pdf_variant)) for a in todo]
    for _, outcome in in_workers(calls, jobs,
                                  lambda a, exc: Outcome(_internal_error(a, exc), None)):
        yield outcome


def _two_sided(todo: list[Path], out_dir: Path, formats: tuple[str, ...], project: Path,
               key: str, jobs: int, pdf_variant: str | None) -> Iterator[Outcome]:
    """PDF and DOCX at the same time, so that no core waits while WeasyPrint is imported.

    A child process imports WeasyPrint, renders the first PDF (which loads the fonts and
    fills WeasyPrint's caches) and then forks `jobs` workers for the other PDFs, so
    everything a PDF needs is paid once. Meanwhile this process, which never imports
    WeasyPrint, renders the other formats. An answer is written when all its parts are in.
    """
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    pdf_side = context.Process(target=_pdf_side, args=(
        os.getpid(), receiver, sender, todo, out_dir, formats, project, key, jobs,
        pdf_variant))
    with without_sigint():
        pdf_side.start()
    # Its own process group, with the workers it forks: one signal ends them all.
    own_group(pdf_side.pid)
    sender.close()
    others: dict[int, Part] = {}
    pdfs: dict[int, Part] = {}
    received: set[int] = set()

    def finished(index: int) -> Iterator[Outcome]:
        if index in pdfs and index in others:
            yield _join(todo[index], [others.pop(index), pdfs.pop(index)], out_dir, formats)

    def receive() -> Iterator[Outcome]:
        # Its workers hold the pipe open too, so the side's death is seen by its sentinel.
        ready = multiprocessing.connection.wait([receiver, pdf_side.sentinel])
        try:
            if receiver not in ready:
                raise EOFError
            parts: Iterable[tuple[int, Part]] = [receiver.recv()]
        except EOFError:  # the PDF side died (a crash in a library): make its PDFs here
            end_group(pdf_side)
            waiting = [i for i in range(len(todo)) if i not in received]
            parts = _pdf_parts(todo, waiting, out_dir, formats, project, key, jobs,
                               pdf_variant)
        for index, part in parts:
            received.add(index)
            pdfs[index] = part
            yield from finished(index)

    try:
        for index, answer in enumerate(todo):
            others[index] = render_part(answer, out_dir, formats, project, key, pdf_variant,
                                        "other")
            yield from finished(index)
            while len(received) < len(todo) and receiver.poll():
                yield from receive()
        while len(received) < len(todo):
            yield from receive()
    finally:
        receiver.close()
        if len(received) < len(todo):  # interrupted: the PDF side and its workers stop too
            end_group(pdf_side)
        pdf_side.join()


def _pdf_parts(todo: list[Path], indexes: list[int], out_dir: Path, formats: tuple[str, ...],
               project: Path, key: str, jobs: int,
               pdf_variant: str | None) -> Iterator[tuple[int, Part]]:
    """(index, PDF part) of the given answers, made by workers of this process; an answer
    whose worker crashes is an internal error, and only that answer."""
    if not indexes:
        return
    from .. import pipeline

    pipeline.warm_up()

    calls = [(i, (render_part, todo[i], out_dir, formats, project, key, pdf_variant, "pdf"))
             for i in indexes]
    yield from in_workers(calls, jobs,
                           lambda i, exc: Part(_internal_error(todo[i], exc), {}, None))


def _pdf_side(parent: int, receiver, sender, todo: list[Path], out_dir: Path,
              formats: tuple[str, ...], project: Path, key: str, jobs: int,
              pdf_variant: str | None) -> None:
    """The PDF half of a two-sided batch (in its own process): sends (index, Part).

    Ctrl-C is the parent's to handle: this process ignores SIGINT from its start, and the
    parent ends it and its workers by killing their process group. A parent that is
    killed takes it along (and it its workers).
    """
    die_with_parent(parent)
    own_group(0)
    receiver.close()  # the parent's end: with it closed here, a parent that dies breaks the pipe
    from .. import pipeline

    pipeline.warm_up()

    try:
        sender.send((0, render_part(todo[0], out_dir, formats, project, key, pdf_variant,
                                    "pdf")))
        rest = list(range(1, len(todo)))
        for index, part in _pdf_parts(todo, rest, out_dir, formats, project, key, jobs,
                                      pdf_variant):
            sender.send((index, part))
    except BrokenPipeError:  # the parent is gone
        pass


def _join(answer: Path, parts: list[Part], out_dir: Path, formats: tuple[str, ...]) -> Outcome:
    """One answer's outcome from its parts: written only when every part succeeded."""
    from .. import pipeline

    built = pipeline.Built(answer)
    for part in parts:
        built.problems += [p for p in part.built.problems if p not in built.problems]
        built.dependencies += [d for d in part.built.dependencies if d not in built.dependencies]
        built.folders += [f for f in part.built.folders if f not in built.folders]
    if not built.ok or any(p.record is None and not p.deferred and not p.built.changed
                           for p in parts):
        return Outcome(built, None)
    data = {fmt: blob for part in parts for fmt, blob in part.data.items()}
    pipeline.write_outputs(built, {fmt: data[fmt] for fmt in formats if fmt in data}, out_dir)
    if not built.ok or any(p.built.changed for p in parts):
        return Outcome(built, None)  # nothing written, or written from an older text
    records = [p.record for p in parts if p.record is not None]
    merged = Record([str(p) for p in built.outputs], records[0].key,
                    {k: v for r in records for k, v in r.files.items()},
                    {k: v for r in records for k, v in r.folders.items()})
    return Outcome(built, merged)
