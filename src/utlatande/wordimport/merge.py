"""Three-way merge, key by key: the answer at build time, the DOCX as edited, the file now.

The answer file is changed with ruamel.yaml's round trip: comments, key order, quoting and
every untouched value stay as they were; only the changed values change.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from ruamel.yaml.scalarstring import (
    DoubleQuotedScalarString,
    FoldedScalarString,
    LiteralScalarString,
    SingleQuotedScalarString,
)

from ..wordtext import key_kind, parse_key
from .spelling import respell

MONTHS = ["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti",
          "september", "oktober", "november", "december"]
_MISSING = object()
# The indentations tried, in turn, until one writes the unchanged file back byte for byte.
_INDENTS = [(2, 4, 2), (2, 2, 0), (4, 4, 2), (2, 4, 0), (4, 6, 4), (4, 4, 0), (4, 2, 0),
            (3, 3, 0)]


class NotYaml(Exception):
    """A text that should be YAML and is not."""


@dataclass
class Conflict:
    key: str
    word: Any
    file: Any


@dataclass
class Merged:
    text: str  # the answer file's new text (the old one when nothing changed)
    changed: list[str] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    reformatted: bool = False  # ruamel could not keep the file's layout exactly


def _yaml(indent: tuple[int, int, int]) -> YAML:
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 1_000_000  # never fold a long line that was one line
    yaml.indent(mapping=indent[0], sequence=indent[1], offset=indent[2])
    return yaml


def load(text: str) -> Any:
    try:
        return _yaml(_INDENTS[0]).load(text)
    except YAMLError as exc:
        raise NotYaml(str(exc)) from None


def dump(data: Any, indent: tuple[int, int, int]) -> str:
    out = io.StringIO()
    _yaml(indent).dump(data, out)
    return out.getvalue()


def layout_of(text: str) -> tuple[int, int, int] | None:
    """The indentation with which ruamel writes this file back unchanged, if any."""
    for indent in _INDENTS:
        try:
            if dump(load(text), indent) == text:
                return indent
        except (NotYaml, YAMLError):
            return None
    return None


def get(data: Any, path: tuple) -> Any:
    for step in path:
        try:
            data = data[step]
        except (KeyError, IndexError, TypeError):
            return _MISSING
    return data


def _set(data: Any, path: tuple, value: Any) -> None:
    parent = get(data, path[:-1])
    parent[path[-1]] = value


def _styled(new: str, old: Any) -> Any:
    """The new text in the old value's YAML style: a block stays a block, quotes stay."""
    if isinstance(old, LiteralScalarString) or "\n" in new:
        if isinstance(old, str) and old.endswith("\n") and not new.endswith("\n"):
            new += "\n"
        return LiteralScalarString(new)
    for kind in (DoubleQuotedScalarString, SingleQuotedScalarString, FoldedScalarString):
        if isinstance(old, kind):
            return kind(new)
    return new


def parse_date(text: str) -> dt.date | None:
    """2024-03-19 or 19 mars 2024."""
    text = text.strip()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        pass
    match = re.fullmatch(r"(\d{1,2})\s+(\w+)\s+(\d{4})", text)
    if match and match.group(2).lower() in MONTHS:
        try:
            return dt.date(int(match.group(3)), MONTHS.index(match.group(2).lower()) + 1,
                           int(match.group(1)))
        except ValueError:
            return None
    return None


def _value(key: str, text: str, old: Any) -> Any:
    kind = key_kind(key)
    if kind == "date":
        return parse_date(text)
    return _styled(text, old)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        return a.rstrip("\n") == b.rstrip("\n")
    return a == b


def merge(base_text: str, current_text: str, snapshot: dict[str, str],
          edited: dict[str, str], inserted: dict[str, list[str]],
          sections: list[tuple[str, str, str]] = (), pictures: frozenset[str] = frozenset()
          ) -> Merged:
    """The answer file with the DOCX's edits in it, or the conflicts that stop that."""
    base = load(base_text)
    current = load(current_text)
    layout = layout_of(current_text)
    result = Merged(current_text, reformatted=layout is None)
    for key in sorted(set(snapshot) | set(edited), key=_order):
        before, after = snapshot.get(key), edited.get(key)
        if after is None:
            if before is not None:
                result.warnings.append(f"'{key}' hittades inte i Word-dokumentet (markeringen "
                                       "saknas); värdet i svarsfilen lämnas som det är")
            continue
        if before == after:
            continue
        if key in pictures:  # its image would be lost: the edit is shown, not taken
            result.warnings.append(f"'{key}' har en bild och ändrades i Word; ändra texten i "
                                   f"svarsfilen i stället. Texten i Word: {after!r}")
            continue
        _merge_key(key, before, after, base, current, result)
    for key in sorted(inserted, key=_order, reverse=True):
        _insert_items(key, inserted[key], base, current, result)
    after: dict[str, list[tuple[str, str]]] = {}
    for key, heading, text in sections:
        after.setdefault(key, []).append((heading, text))
    for key in sorted(after, key=_order, reverse=True):
        _insert_sections(key, after[key], base, current, result)
    if result.changed and not result.conflicts:
        result.text = dump(current, layout or _INDENTS[0])
    return result


def _order(key: str) -> tuple:
    return tuple((0, p, "") if isinstance(p, int) else (1, 0, p) for p in parse_key(key))


def _merge_key(key: str, before: str | None, text: str, base: Any, current: Any,
               result: Merged) -> None:
    path = parse_key(key)
    old = get(base, path)
    now = get(current, path)
    if old is _MISSING:
        result.warnings.append(f"'{key}' ändrades i Word men står inte i svarsfilen (värdet "
                               f"kommer från profilen) och hämtas inte: {text!r}")
        return
    if key_kind(key) == "md" and isinstance(old, str) and before is not None:
        text = respell(old, before, text)  # only the changed words change
    new = _value(key, text, old)
    if new is None:
        result.warnings.append(f"'{key}' ändrades i Word till {text!r}, som inte är ett "
                               "datum (ÅÅÅÅ-MM-DD eller 19 mars 2024); värdet hämtas inte")
        return
    if _same(now, old):
        if now is _MISSING:
            return
        _set(current, path, new)
        result.changed.append(key)
    elif not _same(now, new):
        result.conflicts.append(Conflict(key, new, now))


def _insert_items(key: str, items: list[str], base: Any, current: Any, result: Merged) -> None:
    """New list items a colleague added after an item: inserted after it, if the list in
    the answer file is still the list the DOCX was built from."""
    path = parse_key(key)
    list_path, index = path[:-1], path[-1]
    old, now = get(base, list_path), get(current, list_path)
    if old is _MISSING or now is _MISSING or list(old) != list(now):
        result.conflicts.append(Conflict(key, items, now if now is not _MISSING else None))
        return
    assert isinstance(index, int)
    for offset, item in enumerate(items, start=1):
        now.insert(index + offset, _styled(item, old[index]))
    result.changed.append(key)


def _insert_sections(key: str, sections: list[tuple[str, str]], base: Any, current: Any,
                     result: Merged) -> None:
    """New sections (heading and text) after the section `key`, in a list that is still
    the one the DOCX was built from."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    path = parse_key(key)
    list_path, index = path[:-1], path[-1]
    old, now = get(base, list_path), get(current, list_path)
    if old is _MISSING and now is _MISSING and index == -1:
        parent = get(current, list_path[:-1])
        if not isinstance(parent, dict):
            return
        now = parent[list_path[-1]] = CommentedSeq()
    elif old is _MISSING or now is _MISSING or list(old) != list(now):
        result.conflicts.append(Conflict(key, [h for h, _ in sections],
                                         None if now is _MISSING else now))
        return
    assert isinstance(index, int)
    for offset, (heading, text) in enumerate(sections, start=1):
        section = CommentedMap(rubrik=heading)
        if text:
            section["text"] = LiteralScalarString(text + "\n")
        now.insert(index + offset, section)
    result.changed.append(f"nytt avsnitt efter '{key}'" if index >= 0 else
                          f"nytt avsnitt i '{'.'.join(map(str, list_path))}'")
