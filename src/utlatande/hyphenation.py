"""Swedish hyphenation patterns kept beside the PDF cache.

WeasyPrint hyphenates with pyphen, which parses its Swedish dictionary (fifteen thousand
patterns) at the first document a process lays out: a twentieth of a second, paid by the
agenda's spare worker on the critical path of a build with one changed statement, and by
every worker of a build. The parsed patterns are kept as plain data (dictionaries, tuples,
strings and numbers: no class is unpickled), under the dictionary's path, size and time
and pyphen's version, and given to pyphen before a process lays anything out. Anything
unexpected, and pyphen parses its dictionary as it always does.
"""

from __future__ import annotations

import hashlib
import io
import pickle
from pathlib import Path
from typing import Any

# The language of every document utlatande writes (<html lang="sv-SE">).
LANGUAGE = "sv"
PREFIX = "avstavning-"


def _dictionary() -> tuple[Any, Path] | None:
    """pyphen and the path of its Swedish dictionary; None if it has none, or is not the
    pyphen whose parsed dictionaries this module knows how to fill in."""
    try:
        import pyphen
    except ImportError:
        return None
    if not all(hasattr(pyphen, name) for name in ("hdcache", "HyphDict", "LANGUAGES",
                                                 "language_fallback")):
        return None
    path = pyphen.LANGUAGES.get(pyphen.language_fallback(LANGUAGE) or "")
    return (pyphen, Path(path)) if path is not None else None


def _entry(folder: Path, pyphen: Any, dictionary: Path) -> Path | None:
    try:
        status = dictionary.stat()
    except OSError:
        return None
    key = hashlib.sha256(repr((getattr(pyphen, "__version__", ""), str(dictionary),
                               status.st_size, status.st_mtime_ns)).encode()).hexdigest()
    return folder / f"{PREFIX}{LANGUAGE}.{key[:24]}.pickle"


class _PlainData(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"{module}.{name}")


def _plain(patterns: object, maxlen: object) -> bool:
    """Whether (patterns, maxlen) are pyphen's parsed patterns as plain data: pattern →
    (offset, values), all numbers plain integers."""
    if not isinstance(patterns, dict) or not patterns or type(maxlen) is not int:
        return False
    try:
        shapes = {(type(pattern), type(value), len(value), type(value[0]), type(value[1]))
                  for pattern, value in patterns.items()}
        numbers = {type(number) for _, values in patterns.values() for number in values}
    except TypeError:
        return False
    return shapes == {(str, tuple, 2, int, tuple)} and numbers == {int}


def _patterns(data: bytes) -> tuple[dict[str, tuple[int, tuple[int, ...]]], int] | None:
    """The (patterns, longest pattern) kept in `data`, if that is what it holds."""
    try:
        patterns, maxlen = _PlainData(io.BytesIO(data)).load()
    except Exception:  # noqa: BLE001 - any unreadable entry: pyphen parses its own
        return None
    return (patterns, maxlen) if _plain(patterns, maxlen) else None


def use_kept(folder: Path) -> bool:
    """Give pyphen the Swedish patterns kept in `folder`; False if none are kept there for
    this dictionary (pyphen then parses it at the first document)."""
    found = _dictionary()
    if found is None:
        return False
    pyphen, dictionary = found
    if dictionary in pyphen.hdcache:
        return True
    entry = _entry(folder, pyphen, dictionary)
    try:
        data = entry.read_bytes() if entry is not None else None
    except OSError:
        return False
    parsed = _patterns(data) if data is not None else None
    if parsed is None:
        return False
    hyph = pyphen.HyphDict.__new__(pyphen.HyphDict)
    hyph.patterns, hyph.maxlen, hyph.cache = parsed[0], parsed[1], {}
    pyphen.hdcache[dictionary] = hyph
    return True


def to_keep(folder: Path) -> tuple[Path, bytes] | None:
    """The entry to keep in `folder` (path and bytes) when none is kept for this
    dictionary: pyphen parses it here (and holds it, for the processes forked from this
    one). None when one is kept, or the patterns are not plain data."""
    found = _dictionary()
    if found is None:
        return None
    pyphen, dictionary = found
    entry = _entry(folder, pyphen, dictionary)
    if entry is None or entry.is_file():
        return None
    hyph = pyphen.hdcache.get(dictionary)
    if hyph is None:
        try:
            hyph = pyphen.hdcache[dictionary] = pyphen.HyphDict(dictionary)
        except (OSError, ValueError):
            return None
    patterns, maxlen = getattr(hyph, "patterns", None), getattr(hyph, "maxlen", None)
    if not _plain(patterns, maxlen):
        return None
    return entry, pickle.dumps((patterns, maxlen), protocol=5)


def older_entries(folder: Path, keep: Path) -> list[Path]:
    """Kept patterns of another dictionary or pyphen than `keep`'s."""
    return [path for path in folder.glob(f"{PREFIX}{LANGUAGE}.*.pickle") if path != keep]
