"""Which outputs are up to date: a content-hash manifest in the output folder.

An output is up to date when its answer file, every file of the theme chain it used
(templates, CSS, fonts, profiles), its appendix files, utlatande's own code and the
build settings are unchanged. Files are compared by size and mtime first and by their
SHA-256 only when those differ, so a no-op build reads almost nothing.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .write import write_atomic

MANIFEST = ".utlatande-manifest.json"
PACKAGE = Path(__file__).resolve().parent


def file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# (path, size, mtime_ns) -> sha256. Every answer of a batch depends on the same fonts and
# code (3.5 MB); hashed once a process, and forked workers inherit what the parent hashed.
_HASHES: dict[tuple[str, int, int], str] = {}


def _hash_of(path: str, stat: os.stat_result) -> str:
    """A file's sha256, hashed only if this process has not seen it at this size and time."""
    key = (path, stat.st_size, stat.st_mtime_ns)
    if key not in _HASHES:
        _HASHES[key] = file_hash(Path(path))
    return _HASHES[key]


def _stat_and_hash(path: Path) -> list:
    """[size, mtime_ns, sha256] of a file."""
    stat = path.stat()
    return [stat.st_size, stat.st_mtime_ns, _hash_of(str(path), stat)]


def listing(folder: Path) -> str:
    """A signature of which files a folder holds (a new template or font is a change)."""
    try:
        names = sorted(entry.name for entry in os.scandir(folder))
    except FileNotFoundError:
        names = ["<saknas>"]
    return hashlib.sha256("\n".join(names).encode()).hexdigest()


def package_files() -> list[Path]:
    """utlatande's own code and built-in theme: a new version of either rebuilds."""
    return list(_package_files())


@functools.lru_cache(maxsize=1)
def _package_files() -> tuple[Path, ...]:
    # Listed once a process: an agenda asks for every statement it keys.
    return tuple(sorted(p for p in PACKAGE.rglob("*")
                        if p.is_file() and "__pycache__" not in p.parts))


def settings_key(formats: tuple[str, ...], pdf_variant: str | None = None) -> str:
    """What else decides the bytes: the version, the formats, SOURCE_DATE_EPOCH, and
    `build --pdf-variant`."""
    key = [__version__, sorted(formats), os.environ.get("SOURCE_DATE_EPOCH")]
    if pdf_variant:
        key.append(pdf_variant)
    return json.dumps(key)


@dataclass
class Record:
    """What one build of an answer depended on."""

    outputs: list[str]
    key: str
    files: dict[str, list] = field(default_factory=dict)  # path -> [size, mtime_ns, sha256]
    folders: dict[str, str] = field(default_factory=dict)  # path -> listing signature
    # DOCX and PDF outputs as written -> [size, mtime_ns, sha256]: edited.py
    utdata: dict[str, list] = field(default_factory=dict)


def record(outputs: list[Path], key: str, files: list[Path], folders: list[Path]) -> Record:
    """A record of a finished build (called in the worker that built it)."""
    entries = {str(path): _stat_and_hash(path) for path in dict.fromkeys(files)}
    return Record([str(p) for p in outputs], key, entries,
                  {str(f): listing(f) for f in dict.fromkeys(folders)})


def _dump(entry: Record) -> str:
    return json.dumps(vars(entry), sort_keys=True, ensure_ascii=False)


class Manifest:
    """The records of an output folder, read once and written once a batch."""

    def __init__(self, out_dir: Path):
        self.path = out_dir / MANIFEST
        self.records: dict[str, Record] = {}
        self._stats: dict[str, os.stat_result | None] = {}
        self._listings: dict[str, str] = {}
        self.dirty = False
        self._changed: dict[str, Record | None] = {}  # this batch's updates, for save()
        self.records = self._read()
        self._as_read = {name: _dump(entry) for name, entry in self.records.items()}

    def _read(self) -> dict[str, Record]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            return {name: Record(**value) for name, value in data["poster"].items()}
        except (OSError, ValueError, KeyError, TypeError):
            return {}

    def is_current(self, answer: Path, key: str) -> bool:
        """True when the answer's outputs exist and nothing they came from has changed."""
        entry = self.records.get(str(answer))
        if entry is None or entry.key != key:
            return False
        if not all(Path(p).is_file() for p in entry.outputs):
            return False
        return all(self._same_file(path, facts) for path, facts in entry.files.items()) and \
            all(self._same_listing(path, sig) for path, sig in entry.folders.items())

    def _same_file(self, path: str, facts: list) -> bool:
        size, mtime, digest = facts
        # Every answer of a profile names the same fonts and code: each is looked at once.
        if path not in self._stats:
            try:
                self._stats[path] = os.stat(path)
            except OSError:
                self._stats[path] = None
        stat = self._stats[path]
        if stat is None:
            return False
        if stat.st_size == size and stat.st_mtime_ns == mtime:
            return True
        if _hash_of(path, stat) != digest:
            return False
        facts[1] = stat.st_mtime_ns  # touched, not changed: remember the new mtime
        self.dirty = True
        return True

    def _same_listing(self, path: str, signature: str) -> bool:
        if path not in self._listings:
            self._listings[path] = listing(Path(path))
        return self._listings[path] == signature

    def update(self, answer: Path, entry: Record | None) -> None:
        self._changed[str(answer)] = entry
        if entry is None:
            self.records.pop(str(answer), None)
        else:
            self.records[str(answer)] = entry

    def save(self) -> None:
        """Write this batch's records over the file as it is now: another build into the
        same folder since this one began (other answers) keeps its records."""
        records = dict(self.records)
        if self.path.exists():
            records = {}
            for name, entry in self._read().items():
                mine = self.records.get(name)
                # Ours (with the mtimes it refreshed) unless someone rewrote it meanwhile.
                unchanged = mine is not None and self._as_read.get(name) == _dump(entry)
                records[name] = mine if unchanged else entry
        for name, entry in self._changed.items():
            if entry is None:
                records.pop(name, None)
            else:
                records[name] = entry
        data = {"version": 1, "poster": {k: vars(v) for k, v in sorted(records.items())}}
        # On a full disk the older manifest stays, and what it does not know is rebuilt.
        with contextlib.suppress(OSError):
            write_atomic(self.path, json.dumps(data, ensure_ascii=False, indent=1).encode())
