"""Each answer's check, kept beside the PDF cache: an agenda of forty statements checks only
the answers whose content (or that of anything they are made from) has changed; and each
theme's brand problems, so that an answer checked anew does not read the brand again.

A check that found no error is kept under a key of the same content hashes the statement's
PDF is kept under (the answer file, its theme chain, its appendices and images, utlatande's
own code) and of where it was read from; while the key holds, the kept result is the one
`pipeline.check` would give. It is read back with a restricted unpickler that builds the
answer's own data classes and nothing else.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .. import model, pipeline
from ..brand import brand_problems
from ..errors import AnswerError, Problem
from ..manifest import _hash_of, package_files
from ..store import Store, content_key, slot_of
from ..theme import Theme, load_theme

SUFFIX = ".kontroll"
BRAND_SUFFIX = ".varumarke"
# What a kept check is made of: the answer's data classes, paths and dates.
_ALLOWED = {("pathlib", "PosixPath"), ("pathlib", "WindowsPath"), ("pathlib", "Path"),
            ("datetime", "date"), ("datetime", "datetime"), ("datetime", "time"),
            ("utlatande.pipeline", "Checked"), ("utlatande.load", "Loaded"),
            ("utlatande.load", "InvalidDate"), ("utlatande.errors", "Problem"),
            *(("utlatande.model", name) for name, value in vars(model).items()
              if dataclasses.is_dataclass(value))}


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in _ALLOWED:
            raise pickle.UnpicklingError(f"{module}.{name}")
        return super().find_class(module, name)


def _entry(store: Store, path: Path) -> Path:
    return store.folder / f"{slot_of(path)}{SUFFIX}"


def _key(files: list[Path], folders: list[Path], path: Path, project: Path) -> str:
    return content_key([*files, *package_files()], folders, project, "kontroll", str(path),
                       str(Path.cwd()))


def _kept(store: Store, path: Path, project: Path) -> pipeline.Checked | None:
    try:
        with _entry(store, path).open("rb") as handle:
            record = _Unpickler(handle).load()
        files, folders, key, theme, checked = record
        if key != _key([Path(f) for f in files], [Path(f) for f in folders], path, project):
            return None
    except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError, KeyError,
            AttributeError, IndexError):
        return None  # not kept, changed, gone, or not a record: checked anew
    if not isinstance(checked, pipeline.Checked) or checked.path != path:
        return None
    try:
        checked.theme = load_theme(theme, project)
    except AnswerError:
        return None
    return checked


def checker(store: Store, keep: Callable[[Path, bytes], None]
            ) -> Callable[[Path, Path], pipeline.Checked]:
    """`pipeline.check`, taken from `store` while nothing an answer depends on changed; a
    new check without errors is handed to `keep` (path and bytes of its entry), which
    writes it once the agenda is built."""
    known: dict[Path, list[Problem]] = {}  # each theme's brand problems, once a build

    def check(path: Path, project: Path) -> pipeline.Checked:
        kept = _kept(store, path, project)
        if kept is not None:
            return kept
        checked = pipeline.check(path, project,
                                 lambda theme: _brand(theme, project, store, keep, known))
        if checked.ok:
            entry = _entry_of(store, checked, project)
            if entry is not None:
                keep(*entry)
        return checked

    return check


def _entry_of(store: Store, checked: pipeline.Checked, project: Path
              ) -> tuple[Path, bytes] | None:
    """A check's entry, unless the answer file no longer holds the text it read."""
    assert checked.loaded is not None and checked.theme is not None
    files, folders = pipeline.made_from(checked, project)
    try:
        key = _key(files, folders, checked.path, project)
        written = _hash_of(str(checked.path), checked.path.stat())
    except OSError:
        return None
    source = checked.loaded.source.encode()
    if written not in {hashlib.sha256(source).hexdigest(),
                       hashlib.sha256(b"\xef\xbb\xbf" + source).hexdigest()}:
        return None
    # The composed YAML nodes only serve the check's own warnings; the theme is loaded again.
    kept = dataclasses.replace(checked, theme=None,
                               loaded=dataclasses.replace(checked.loaded, text_nodes=[]))
    buffer = io.BytesIO()
    pickle.dump(([str(f) for f in files], [str(f) for f in folders], key,
                 checked.theme.name, kept), buffer, protocol=5)
    return _entry(store, checked.path), buffer.getvalue()


def _brand(theme: Theme, project: Path, store: Store, keep: Callable[[Path, bytes], None],
           known: dict[Path, list[Problem]]) -> list[Problem]:
    """A theme's brand problems (brand.py), kept under the content hashes of the theme's
    files: an answer checked anew does not read the brand again (nor load its reader)."""
    entry = store.folder / f"{slot_of(theme.folders[0])}{BRAND_SUFFIX}"
    if entry not in known:
        known[entry] = _brand_of(theme, entry, project, keep)
    return known[entry]


def _brand_of(theme: Theme, entry: Path, project: Path,
              keep: Callable[[Path, bytes], None]) -> list[Problem]:
    key = content_key([*theme.dependencies(), *package_files()], theme.folder_tree(),
                      project, "varumärke", theme.name, str(Path.cwd()))
    try:
        with entry.open("rb") as handle:
            kept_key, found = _Unpickler(handle).load()
        if kept_key == key and isinstance(found, list) \
                and all(isinstance(p, Problem) for p in found):
            return found
    except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError):
        pass
    found = brand_problems(theme)
    keep(entry, pickle.dumps((key, found), protocol=5))
    return found
