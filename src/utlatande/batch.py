"""Many answers at once: only what changed, on every core, WeasyPrint imported once."""

from __future__ import annotations

import multiprocessing
import os
import time
import zlib
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from .errors import Problem, display_path
from .pipeline import Built, build
from .uptodate import Manifest, Record, package_files, record, settings_key


@dataclass
class Summary:
    built: int = 0
    unchanged: int = 0
    failed: int = 0
    seconds: float = 0.0


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
    try:
        built = build(answer, out_dir, formats, project, pdf_variant)
    except Exception as exc:  # a bug in utlatande must not take the batch down
        problem = Problem(display_path(answer), 1, 1, f"internt fel i utlatande: "
                          f"{type(exc).__name__}: {exc}", "internt")
        return Outcome(Built(answer, problems=[problem]), None)
    if not built.ok:
        return Outcome(built, None)
    files = [*built.dependencies, *package_files()]
    return Outcome(built, record(built.outputs, key, files, built.folders))


def run(answers: list[Path], out_dir: Path, formats: tuple[str, ...], project: Path, *,
        jobs: int | None = None, force: bool = False,
        report: Callable[[Outcome, int, int], None] | None = None,
        skipped: Callable[[Path], None] | None = None,
        pdf_variant: str | None = None) -> Summary:
    """Build what is not up to date; every answer is tried, whatever the others do."""
    started = time.perf_counter()
    manifest = Manifest(out_dir)
    key = settings_key(formats, pdf_variant)
    todo = []
    for answer in answers:
        if not force and manifest.is_current(answer, key):
            if skipped:
                skipped(answer)
        else:
            todo.append(answer)
    summary = Summary(unchanged=len(answers) - len(todo))
    if todo and "pdf" in formats:
        # Import WeasyPrint once, before the workers fork: they share it, fonts included.
        from .render import pdf  # noqa: F401
    jobs = max(1, jobs or os.cpu_count() or 1)
    outcomes = _outcomes(todo, out_dir, formats, project, key, jobs, pdf_variant)
    for done, outcome in enumerate(outcomes, 1):
        manifest.update(outcome.built.path, outcome.record)
        if outcome.built.ok:
            summary.built += 1
        else:
            summary.failed += 1
        if report:
            report(outcome, done, len(todo))
    if todo or manifest.dirty or not manifest.path.exists():
        manifest.save()
    summary.seconds = time.perf_counter() - started
    return summary


def _outcomes(todo: list[Path], out_dir: Path, formats: tuple[str, ...], project: Path,
              key: str, jobs: int, pdf_variant: str | None = None):
    if jobs == 1 or len(todo) <= 1:
        for answer in todo:
            yield build_one(answer, out_dir, formats, project, key, pdf_variant)
        return
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=min(jobs, len(todo)), mp_context=context) as pool:
        futures = [pool.submit(build_one, a, out_dir, formats, project, key, pdf_variant)
                   for a in todo]
        for future in as_completed(futures):
            yield future.result()
