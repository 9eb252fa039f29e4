"""The cache of rendered PDFs that `build` and `agenda` share: each PDF is kept under a hash
of everything it was made from (the same SHA-256 content hashes as build's manifest), in
``<output folder>/.utlatande-cache/``.

A statement's key covers its answer file, every file of its theme chain, its appendices,
utlatande's own code, the PDF variant and SOURCE_DATE_EPOCH: while none of them changes,
its PDF is taken from here instead of being laid out again. A kallelse's key covers its HTML
and its theme. Each entry is named ``<slot>.<key>.pdf``: storing a new entry for a slot (an
answer, a meeting's kallelse) removes the slot's older ones, so the cache holds what was
built last and does not grow with every edit.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterable
from contextlib import suppress
from functools import lru_cache
from pathlib import Path

from . import __version__

FOLDER = ".utlatande-cache"


def digest(*parts: object) -> str:
    """A SHA-256 over JSON-able parts."""
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False, sort_keys=True,
                                     default=str).encode()).hexdigest()


@lru_cache(maxsize=4096)
def _name(path: str, root: str) -> str:
    """A file's name in a key: relative to the project, so the key does not depend on where
    the project is or how the path was written (every answer names the same code files)."""
    resolved = Path(path).resolve()
    return str(resolved.relative_to(root)) if resolved.is_relative_to(root) else str(resolved)


def key_of(hashes: dict[str, str], listings: dict[str, str], project: Path,
           *settings: object) -> str:
    """The key of an output made from files with these SHA-256 hashes and folders with
    these listings (as build's manifest records them) and these settings."""
    root = str(project.resolve())
    return digest(__version__, os.environ.get("SOURCE_DATE_EPOCH"), settings,
                  {_name(str(p), root): h for p, h in hashes.items()},
                  {_name(str(f), root): s for f, s in listings.items()})


def content_key(files: Iterable[Path], folders: Iterable[Path], project: Path,
                *settings: object) -> str:
    """The key of an output made from `files` (by content) and `folders` (by listing)."""
    from .manifest import _hash_of, listing

    hashes = {str(path): _hash_of(str(path), path.stat()) for path in dict.fromkeys(files)}
    listings = {str(folder): listing(folder) for folder in dict.fromkeys(folders)}
    return key_of(hashes, listings, project, *settings)


def place_of(path: Path) -> Path:
    """Where a file is: its resolved path, or for a symlink loop its absolute one (reading
    it fails later, with a message)."""
    try:
        return path.resolve()
    except (RuntimeError, OSError):
        return path.absolute()


def slot_of(path: Path) -> str:
    """A slot name for a file: its stem and a short hash of where it is."""
    where = hashlib.sha256(str(place_of(path)).encode()).hexdigest()[:10]
    safe = "".join(c if c.isascii() and (c.isalnum() or c in "-_") else "_" for c in path.stem)
    return f"{safe[:40]}-{where}"


class Store:
    """The PDF cache of one output folder."""

    def __init__(self, out_root: Path):
        self.folder = out_root / FOLDER

    def _entry(self, slot: str, key: str) -> Path:
        suffix = ".docx" if slot.endswith("-docx") else ".pdf"
        return self.folder / f"{slot}.{key}{suffix}"

    def _forget_older(self, slot: str, keep: Path) -> None:
        for old in self.folder.glob(f"{slot}.*"):
            if old.name != keep.name and old.suffix == keep.suffix:
                old.unlink(missing_ok=True)

    def read(self, slot: str, key: str) -> bytes | None:
        """The bytes of an entry, or None."""
        try:
            return self._entry(slot, key).read_bytes()
        except FileNotFoundError:
            return None

    def latest(self, slot: str) -> Path | None:
        """The slot's entry, whatever its key (the one last kept), if there is one."""
        found = []
        for entry in self.folder.glob(f"{slot}.*.pdf"):
            with suppress(OSError):  # replaced by another build meanwhile
                found.append((entry.stat().st_mtime_ns, entry))
        return max(found)[1] if found else None

    def holds(self, slot: str, key: str) -> bool:
        """Whether there is an entry for (slot, key)."""
        return self._entry(slot, key).is_file()

    def take(self, slot: str, key: str, into: Path) -> bool:
        """Link the entry for (slot, key) to `into`; False when there is none.

        A link of its own, so that another build that replaces the entry meanwhile
        cannot take the file away.
        """
        entry = self._entry(slot, key)
        try:
            os.link(entry, into)
        except FileNotFoundError:
            return False
        except OSError:  # a file system without hard links
            try:
                shutil.copyfile(entry, into)
            except FileNotFoundError:
                return False
        return True

    def put(self, slot: str, key: str, source: Path) -> None:
        """Keep `source` as the entry for (slot, key) and forget the slot's older entries."""
        entry = self._entry(slot, key)
        self.folder.mkdir(parents=True, exist_ok=True)
        temp = self.folder / f".{entry.name}.{os.getpid()}.tmp"
        try:
            # A copy, not a link: an output file edited in place must not change the entry.
            shutil.copyfile(source, temp)
            os.replace(temp, entry)
        finally:
            temp.unlink(missing_ok=True)
        self._forget_older(slot, entry)


# -- whole agendas -------------------------------------------------------------------------

def agenda_slot(meeting: Path, offentlig: bool) -> str:
    return slot_of(meeting) + ("-offentlig" if offentlig else "")


def agenda_settings(offentlig: bool) -> str:
    from .manifest import settings_key

    return settings_key(("agenda", "offentlig" if offentlig else "full"))


def agenda_outputs(meeting: Path, out_root: Path, offentlig: bool,
                   depfile: Path | None = None) -> list[Path] | None:
    """The files of the agenda when none of what it was made from has changed since it was
    built with these options; None when it must be built."""
    from .manifest import Manifest

    manifest = Manifest(out_root / FOLDER / agenda_slot(meeting, offentlig))
    if not manifest.is_current(meeting, agenda_settings(offentlig)):
        return None
    if depfile is not None and not depfile.is_file():
        return None
    record = manifest.records[str(meeting)]
    if manifest.dirty:
        manifest.save()
    return [Path(p) for p in record.outputs]


def record_agenda(meeting: Path, out_root: Path, offentlig: bool, outputs: list[Path],
                  files: list[Path], folders: list[Path]) -> None:
    """Remember what the agenda just built was made from."""
    from .manifest import Manifest, package_files, record

    manifest = Manifest(out_root / FOLDER / agenda_slot(meeting, offentlig))
    manifest.update(meeting, record(outputs, agenda_settings(offentlig),
                                    [*files, *package_files()], folders))
    manifest.save()
