"""Where an agenda is put together: a private folder beside the PDF cache that `build` and
`agenda` share (store.py), and the kallelse's own PDFs taken from that cache or laid out."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from .. import hyphenation, pipeline
from ..compiled import folder_name, kept_in
from ..manifest import package_files
from ..pool import LAYOUT_GRACE, Spare, in_workers
from ..store import Store, agenda_slot, content_key
from ..theme import Theme, load_theme
from ..write import write_atomic


@dataclass
class Workspace:
    """A build's private folder, its cache, and the answers whose statements it laid out."""

    project: Path
    store: Store
    folder: Path
    slot: str  # the meeting's (and version's) name in the cache
    rendered: list[Path] = field(default_factory=list)
    kept: list[tuple[str, str, Path]] = field(default_factory=list)
    kept_bytes: list[tuple[Path, bytes]] = field(default_factory=list)
    replaced: list[Path] = field(default_factory=list)  # cache files removed on commit
    unsettled: bool = False  # something it is made from changed while it was made
    # A worker forked at the start, importing WeasyPrint meanwhile, for one statement.
    spare: Spare | None = None
    # The answer (resolved) and statement key the spare was handed while the meeting was
    # still being loaded (parts.lay_out_early).
    early: tuple[Path, str] | None = None

    def file(self, name: str) -> Path:
        return self.folder / name

    def keep(self, slot: str, key: str, path: Path) -> None:
        """Keep a file in the cache once the agenda is built (a failed build writes
        nothing, not even to the cache)."""
        self.kept.append((slot, key, path))

    def keep_bytes(self, path: Path, data: bytes) -> None:
        """Write a file of the cache (a kept check) once the agenda is built."""
        self.kept_bytes.append((path, data))

    def keep_hyphenation(self) -> None:
        """pyphen's Swedish patterns, if none are kept in the cache: parsed here and kept
        once the agenda is built, for the workers of later builds (hyphenation.py)."""
        found = hyphenation.to_keep(self.store.folder)
        if found is not None:
            self.keep_bytes(*found)
            self.replaced.extend(hyphenation.older_entries(self.store.folder, found[0]))

    def hyphenation_for_workers(self) -> None:
        """Before workers fork from this process: pyphen given the patterns kept in the
        cache, else parsed here (and kept)."""
        if not hyphenation.use_kept(self.store.folder):
            self.keep_hyphenation()

    def commit(self) -> None:
        from ..compiled import SHARED

        SHARED.save()  # the templates compiled for this build (none if it failed)
        for slot, key, path in self.kept:
            self.store.put(slot, key, path)
        for path, data in self.kept_bytes:
            with suppress(OSError):  # a cache that cannot be written costs time, not the build
                write_atomic(path, data)
        for path in self.replaced:
            path.unlink(missing_ok=True)

    def theme_key(self, theme: Theme, *settings: object) -> str:
        """A cache key of something made from the theme, utlatande and `settings`."""
        return content_key([*theme.dependencies(), *package_files()], theme.folders,
                           self.project, *settings)

    def html_pdf(self, html: str, name: str, theme: Theme, settings: dict[str, Any],
                 tagged: bool) -> Path:
        """The PDF of a kallelse template's HTML: from the cache while the HTML, the theme
        and utlatande are the same, else laid out (tagged PDF/A-2a, or plain) and kept."""
        return self.html_pdfs([(html, name)], theme, settings, tagged)[0]

    def _taken_pdf(self, html: str, name: str, theme: Theme, tagged: bool
                   ) -> tuple[Path, str, str, bool]:
        """The workspace file for a kallelse template's PDF, its slot and key in the cache,
        and whether the cache had it (then it is in the file)."""
        key = self.theme_key(theme, "html", hashlib.sha256(html.encode()).hexdigest(), tagged)
        target, slot = self.file(f"{name}.pdf"), f"{self.slot}-{name}"
        return target, slot, key, self.store.take(slot, key, target)

    def cached_pdf(self, html: str, name: str, theme: Theme, tagged: bool) -> Path | None:
        """The PDF `html_pdf` would give, if it is in the cache; None (nothing laid out)
        if it is not."""
        target, _, _, taken = self._taken_pdf(html, name, theme, tagged)
        return target if taken else None

    def html_pdfs(self, pages: list[tuple[str, str]], theme: Theme, settings: dict[str, Any],
                  tagged: bool) -> list[Path]:
        """The PDFs of several (HTML, name) as `html_pdf` makes them; those not in the cache
        are laid out in worker processes, so that what WeasyPrint holds while it lays out
        a document is given back when each one is done."""
        targets, todo = [], {}
        for html, name in pages:
            target, slot, key, taken = self._taken_pdf(html, name, theme, tagged)
            targets.append(target)
            if not taken:
                todo[target] = (html, slot, key)
        if len(todo) <= 1 or (os.cpu_count() or 1) < 2:
            made: Iterable[tuple[Path, bytes]] = (
                (target, pipeline.html_pdf(html, theme, settings, self.project, tagged))
                for target, (html, _, _) in todo.items())
        else:
            self.hyphenation_for_workers()
            pipeline.warm_up()  # WeasyPrint imported once, before the fork
            made = in_workers([(target, (_html_pdf, html, theme.name, settings, self.project,
                                         tagged)) for target, (html, _, _) in todo.items()],
                              os.cpu_count() or 1, _crashed)
        for target, data in made:
            target.write_bytes(data)
            _, slot, key = todo[target]
            self.keep(slot, key, target)
        return targets


def _html_pdf(html: str, theme: str, settings: dict[str, Any], project: Path,
              tagged: bool) -> bytes:
    """In a worker: the theme is the one the agenda loaded (load_theme keeps it)."""
    return pipeline.html_pdf(html, load_theme(theme, project), settings, project, tagged)


def _crashed(target: Path, error: BaseException) -> bytes:
    raise RuntimeError(f"{target.name} kunde inte göras: {error}")


@contextmanager
def workspace(meeting: Path, offentlig: bool, out_root: Path, project: Path,
              spare: Spare | None = None) -> Iterator[Workspace]:
    """A private folder beside the cache (the same file system: entries are linked, not
    copied), removed afterwards; a build that wrote nothing leaves no folder behind."""
    store = Store(out_root)
    created = [d for d in (out_root, store.folder) if not d.exists()]
    store.folder.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="arbete-", dir=store.folder))
    # Something has changed (or the command would have said so without building): most
    # often one answer, whose statement the spare worker lays out.
    if spare is None and (os.cpu_count() or 1) > 1:
        spare = Spare(partial(pipeline.import_layout, store.folder), pipeline.warm_layout,
                      grace=LAYOUT_GRACE)
    try:
        # The templates' compiled code is kept beside the PDFs (compiled.py).
        with kept_in(store.folder / folder_name()):
            yield Workspace(project, store, folder, agenda_slot(meeting, offentlig),
                            spare=spare)
    finally:
        if spare is not None:
            spare.end()
        shutil.rmtree(folder, ignore_errors=True)
        for made in reversed(created):
            with suppress(OSError):  # not empty: something else was written there
                made.rmdir()
