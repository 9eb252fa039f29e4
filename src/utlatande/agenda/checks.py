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
from ..brand import Brand, brand_problems
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
            ("utlatande.brand", "Brand"), ("utlatande.brand", "Logo"),
            ("utlatande.brand", "FontFile"),
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


class Checker:
    """`pipeline.check`, taken from `store` while nothing an answer depends on changed; a
    new check without errors is handed to `keep` (path and bytes of its entry), which
    writes it once the agenda is built, and to `fresh`. Each theme it meets is given its
    kept brand."""

    def __init__(self, store: Store, keep: Callable[[Path, bytes], None],
                 fresh: Callable[[pipeline.Checked], None] | None = None) -> None:
        self.store, self.keep, self.fresh = store, keep, fresh
        self.known: dict[Path, list[Problem]] = {}  # each theme's brand problems, once a build

    def __call__(self, path: Path, project: Path) -> pipeline.Checked:
        kept = _kept(self.store, path, project)
        if kept is not None:
            assert kept.theme is not None
            self.give_brand(kept.theme, project)
            return kept
        checked = pipeline.check(path, project, lambda theme: self._brand(theme, project))
        if checked.ok:
            entry = _entry_of(self.store, checked, project)
            if entry is not None:
                self.keep(*entry)
            if self.fresh is not None:
                self.fresh(checked)
        return checked

    def give_brand(self, theme: Theme, project: Path) -> None:
        """The theme's brand as kept, given to it: what depends on the brand's files (a
        statement's key, the kallelse's) does not read it again."""
        self._brand(theme, project)

    def _brand(self, theme: Theme, project: Path) -> list[Problem]:
        return _brand(theme, project, self.store, self.keep, self.known)


def checker(store: Store, keep: Callable[[Path, bytes], None],
            fresh: Callable[[pipeline.Checked], None] | None = None) -> Checker:
    """The agenda's check (Checker), with its cache in `store`; `fresh` hears of each
    answer checked anew that has no error."""
    return Checker(store, keep, fresh)


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
    files: an answer checked anew does not read the brand again (nor load its reader).
    The brand itself is kept too, and given to the theme: a worker it is sent to lays out
    the statement without reading it either."""
    entry = store.folder / f"{slot_of(theme.folders[0])}{BRAND_SUFFIX}"
    if entry not in known:
        known[entry] = _brand_of(theme, entry, project, keep)
    return known[entry]


def _brand_of(theme: Theme, entry: Path, project: Path,
              keep: Callable[[Path, bytes], None]) -> list[Problem]:
    # The folders' files only: the brand's own are keyed with it (_files_key).
    key = content_key([*theme.folder_files(), *package_files()], theme.folder_tree(),
                      project, "varumärke", theme.name, str(Path.cwd()))
    kept = _kept_brand(entry, key, project)
    if kept is not None:
        found, brand = kept
        if brand is not None:
            theme.give_brand(brand)
        return found
    found = brand_problems(theme)
    brand = theme.known_brand()
    # A logo or font may lie outside the theme's folders: the brand is kept with theirs.
    files = _files_key(brand, project) if brand is not None else None
    keep(entry, pickle.dumps((key, found, brand, files), protocol=5))
    return found


def _kept_brand(entry: Path, key: str, project: Path
                ) -> tuple[list[Problem], Brand | None] | None:
    """The kept (problems, brand) of a theme while its key and its brand's files hold."""
    try:
        with entry.open("rb") as handle:
            kept_key, found, brand, files = _Unpickler(handle).load()
    except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError, KeyError,
            AttributeError, IndexError):
        return None
    if kept_key != key or not isinstance(found, list) \
            or not all(isinstance(p, Problem) for p in found):
        return None
    if not isinstance(brand, Brand) or files != _files_key(brand, project):
        brand = None  # the problems still hold; the brand is read where it is needed
    return found, brand


def _files_key(brand: Brand, project: Path) -> str | None:
    try:
        return content_key(list(brand.files), [], project, "varumärkets filer")
    except OSError:
        return None
