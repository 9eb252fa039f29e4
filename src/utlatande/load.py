"""YAML text → plain data and a source map (key path → line and column)."""

from __future__ import annotations

import datetime as dt
import errno
import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.reader import ReaderError

from .errors import ERROR, AnswerError, Problem, display_path
from .yaml_advice import duplicate_in_item, syntax_advice

KeyPath = tuple[str | int, ...]

# Expanding aliases can blow a small file up exponentially ("billion laughs"); an answer
# file has a few thousand values at most, so anything far beyond that is refused.
MAX_NODES = 200_000

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_PLAIN_TAGS = {_STR, _INT, _FLOAT, _BOOL, _NULL, _TIMESTAMP,
               "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}
_DATE_RE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


@dataclass(frozen=True)
class InvalidDate:
    """A value that looks like a date but is none (2024-13-45); validation reports it."""

    text: str

    def __str__(self) -> str:
        return self.text


@dataclass
class Loaded:
    """A loaded YAML file: its data and where every value and key stands."""

    path: Path
    data: Any
    source: str = ""
    values: dict[KeyPath, tuple[int, int]] = field(default_factory=dict)
    keys: dict[KeyPath, tuple[int, int]] = field(default_factory=dict)
    # The text values as composed nodes, for warnings about how YAML read them.
    text_nodes: list[tuple[KeyPath, ScalarNode]] = field(default_factory=list)

    @property
    def shown(self) -> str:
        return display_path(self.path)

    def where(self, key_path: KeyPath, *, key: bool = False) -> tuple[int, int]:
        """Line and column (1-based) of a value or of its key; else of its nearest parent."""
        table = self.keys if key else self.values
        path = tuple(key_path)
        while path:
            if path in table:
                return table[path]
            if path in self.values:
                return self.values[path]
            path = path[:-1]
        return self.values.get((), (1, 1))

    def problem(self, key_path: KeyPath, message: str, code: str, *, level: str = ERROR,
                key: bool = False) -> Problem:
        line, col = self.where(key_path, key=key)
        return Problem(self.shown, line, col, message, code, level)


# An answer file of 2 MB is some 600 pages of text; beyond that the YAML parser (quadratic
# in the worst case) and the PDF's layout take minutes and gigabytes.
MAX_BYTES = 2_000_000


class NotRegular(OSError):
    """A FIFO, device, socket or folder where a file is read: refused without reading."""


class TooLarge(OSError):
    """A file over MAX_BYTES: refused before parsing."""


_REASONS = {errno.ELOOP: "en symbolisk länk som pekar på sig själv, i en cirkel",
            errno.EACCES: "behörighet saknas", errno.EPERM: "behörighet saknas",
            errno.ENAMETOOLONG: "namnet är för långt"}
_KINDS = ((stat.S_ISDIR, "en mapp"), (stat.S_ISFIFO, "en namngiven pipe (FIFO)"),
          (stat.S_ISSOCK, "en socket"), (stat.S_ISCHR, "en enhetsfil"),
          (stat.S_ISBLK, "en enhetsfil"))


def text_values(value: Any, path: KeyPath = ()) -> Iterator[tuple[KeyPath, str]]:
    """Every text value in loaded data, with its key path."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from text_values(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from text_values(item, (*path, i))


def read_regular(path: Path, limit: int = MAX_BYTES) -> bytes:
    """A regular file's bytes. Anything else is refused as it is opened, without blocking
    (a FIFO's open() would wait for a writer forever), and so is a file over `limit`."""
    _refuse(os.stat(path), limit)  # a device or FIFO is not even opened
    # Non-blocking, and looked at again once open: it may have been swapped in between.
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    with os.fdopen(descriptor, "rb") as handle:
        _refuse(os.fstat(descriptor), limit)
        data = handle.read(limit + 1)
        if len(data) > limit:  # it grew after fstat
            raise TooLarge(errno.EFBIG, f"filen är större än {limit / 1e6:.0f} MB; en svarsfil "
                           f"får vara högst {limit / 1e6:.0f} MB (omkring 600 sidor text)")
        return data


def require_regular(path: Path) -> None:
    """Raise NotRegular for a FIFO, folder, socket or device, without opening it (a FIFO's
    open() waits for a writer forever); OSError when it cannot be looked at."""
    _refuse(os.stat(path), None)


def read_reason(exc: OSError) -> str:
    """Why a file could not be read, in Swedish."""
    return _REASONS.get(exc.errno or 0, exc.strerror or str(exc))


def unreadable(exc: OSError) -> tuple[str, str]:
    """Why a file could not be read, in Swedish, and the kind of reason ('saknas',
    'inte_vanlig', 'för_stor', 'oläsbar') that ends the code the caller gives it."""
    if isinstance(exc, FileNotFoundError):
        return "filen finns inte", "saknas"
    if isinstance(exc, NotRegular):
        return str(exc.strerror), "inte_vanlig"
    if isinstance(exc, TooLarge):
        return str(exc.strerror), "för_stor"
    return f"filen kan inte läsas ({read_reason(exc)})", "oläsbar"


def _refuse(status: os.stat_result, limit: int | None) -> None:
    """Raise unless the file is a regular file (of at most `limit` bytes)."""
    if not stat.S_ISREG(status.st_mode):
        kind = next((word for test, word in _KINDS if test(status.st_mode)), "ingen fil")
        raise NotRegular(errno.EINVAL, f"filen är {kind}, ingen vanlig fil; den läses inte")
    if limit is not None and status.st_size > limit:
        size = f"{status.st_size / 1e6:.1f}".replace(".", ",")  # Swedish decimal comma
        raise TooLarge(errno.EFBIG, f"filen är {size} MB; en svarsfil "
                       f"får vara högst {limit / 1e6:.0f} MB (omkring 600 sidor text)")


_SYNTAX_MESSAGES = [
    ("found character '\\t'", "tabbtecken får inte användas för indrag i YAML; använd mellanslag",
     "yaml.tabb"),
    ("found unexpected end of stream", "citattecknet stängs aldrig; avsluta texten med samma "
     "citattecken som den började med", "yaml.citat"),
    ("mapping values are not allowed here", "kolon följt av mellanslag mitt i ett värde; sätt "
     "texten inom citattecken", "yaml.kolon"),
    ("could not find expected ':'", "raden saknar kolon efter nyckeln, eller så är en text "
     "med radbrytning inte inom citattecken", "yaml.kolon_saknas"),
    ("found duplicate anchor", "samma ankare (&namn) används två gånger", "yaml.ankare"),
    ("found undefined alias", "hänvisningen (*namn) pekar på ett ankare som inte finns",
     "yaml.alias"),
    ("expected <block end>, but found", "indraget stämmer inte med raderna ovanför; kontrollera "
     "mellanslagen i början av raden", "yaml.indrag"),
    ("did not find expected key", "indraget stämmer inte med raderna ovanför, eller en "
     "listpunkt (-) står där en nyckel väntas", "yaml.indrag"),
    ("did not find expected '-' indicator", "indraget i listan stämmer inte; alla punkter ska "
     "börja i samma kolumn", "yaml.indrag"),
]


def _syntax_problem(path: Path, exc: MarkedYAMLError, text: str = "") -> Problem:
    advice = syntax_advice(display_path(path), text, exc)
    if advice is not None:
        return advice
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    text = f"{exc.context or ''} {exc.problem or ''}"
    for needle, message, code in _SYNTAX_MESSAGES:
        if needle in text:
            return Problem(display_path(path), line, col, message, code)
    detail = (exc.problem or str(exc)).strip()
    return Problem(display_path(path), line, col, f"ogiltig YAML ({detail})", "yaml.syntax")


def read_text(path: Path) -> str:
    """The file's text; unreadable or non-UTF-8 files are user errors."""
    shown = display_path(path)
    try:
        raw = read_regular(path)
    except OSError as exc:
        message, kind = unreadable(exc)
        raise AnswerError([Problem(shown, 1, 1, message, f"fil.{kind}")]) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise AnswerError([Problem(shown, line, col, "filen är inte sparad som UTF-8; spara "
                                   "om den med teckenkodningen UTF-8", "fil.kodning")]) from None


def load_yaml(path: Path, text: str | None = None) -> Loaded:
    """Parse one YAML file into plain data (dict, list, str, int, float, bool, date, None)."""
    if text is None:
        text = read_text(path)
    yaml = YAML(typ="rt")
    try:
        node = yaml.compose(text)
    except MarkedYAMLError as exc:
        raise AnswerError([_syntax_problem(path, exc, text)]) from None
    except ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        col = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        raise AnswerError([Problem(display_path(path), line, col,
                                   f"otillåtet tecken U+{exc.character:04X} i filen; ta bort det",
                                   "yaml.tecken")]) from None
    except YAMLError as exc:
        raise AnswerError([Problem(display_path(path), 1, 1, f"ogiltig YAML ({exc})",
                                   "yaml.syntax")]) from None
    loaded = Loaded(path=path, data=None, source=text)
    if node is None:
        raise AnswerError([loaded.problem((), "filen är tom; en svarsfil börjar med "
                                          "'mall:' och 'rubrik:'", "fil.tom")])
    builder = _Builder(loaded)
    loaded.data = builder.build(node, ())
    if builder.problems:
        raise AnswerError(builder.problems)
    return loaded


class _Builder:
    """Turns composed YAML nodes into plain data, recording positions and refusing tags."""

    def __init__(self, loaded: Loaded):
        self.loaded = loaded
        self.problems: list[Problem] = []
        self.count = 0
        self.new_items: set[KeyPath] = set()

    def _at(self, node: Node) -> tuple[int, int]:
        return node.start_mark.line + 1, node.start_mark.column + 1

    def _fail(self, node: Node, message: str, code: str) -> None:
        line, col = self._at(node)
        self.problems.append(Problem(self.loaded.shown, line, col, message, code))

    def build(self, node: Node, path: KeyPath) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            if self.count == MAX_NODES + 1:
                self._fail(node, "filen expanderar till för många värden (hänvisningar med "
                           "*namn i flera led?)", "yaml.för_stor")
            return None
        self.loaded.values.setdefault(path, self._at(node))
        tag = str(node.tag)
        if tag not in _PLAIN_TAGS:
            self._fail(node, f"YAML-taggen {tag} är inte tillåten i en svarsfil; ta bort den",
                       "yaml.tagg")
            return None
        if isinstance(node, MappingNode):
            return self._mapping(node, path)
        if isinstance(node, SequenceNode):
            return [self.build(item, (*path, i)) for i, item in enumerate(node.value)]
        return self._scalar(node, path)

    def _mapping(self, node: MappingNode, path: KeyPath) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode) or str(key_node.tag) == _NULL:
                self._fail(key_node, "en nyckel måste vara ett ord, till exempel 'rubrik'",
                           "yaml.nyckel")
                continue
            key = str(key_node.value)
            if key == "<<":
                self._fail(key_node, "sammanslagning med '<<' stöds inte; skriv ut nycklarna",
                           "yaml.merge")
                continue
            if key in result:
                self._duplicate(key_node, key, path)
                continue
            self.loaded.keys[(*path, key)] = self._at(key_node)
            result[key] = self.build(value_node, (*path, key))
        return result

    def _duplicate(self, key_node: Node, key: str, path: KeyPath) -> None:
        first = self.loaded.keys[(*path, key)]
        if path and isinstance(path[-1], int):
            # In a list item, a second 'rubrik' most likely starts the next item; the keys
            # after it belong to that item, so it is said once.
            if path in self.new_items:
                return
            self.new_items.add(path)
            line, col = self._at(key_node)
            listname = path[-2] if len(path) > 1 and isinstance(path[-2], str) else None
            self._fail(key_node, duplicate_in_item(self.loaded.source, key, first[0], line, col,
                                                   listname), "yaml.ny_punkt")
            return
        self._fail(key_node, f"nyckeln '{key}' finns redan på rad {first[0]}; ta bort den ena",
                   "yaml.dubblett")

    def _scalar(self, node: ScalarNode, path: KeyPath) -> Any:
        tag, value = str(node.tag), node.value
        if tag == _STR:
            self.loaded.text_nodes.append((path, node))
            if node.style == ">":
                # ruamel's scanner marks where a folded text was folded with BEL (which the
                # file itself can never hold): the text is what stands without the marks.
                value = value.replace("\a", "")
            return value
        if tag == _NULL:
            return None
        if tag == _BOOL:
            return value.lower() == "true"
        if tag == _INT:
            try:
                return int(value.replace("_", ""), 0)
            except ValueError:
                return value
        if tag == _FLOAT:
            try:
                return float(value.replace("_", ""))
            except ValueError:
                return value
        if tag == _TIMESTAMP:
            return _timestamp(value)
        return value


def _timestamp(value: str) -> dt.date | dt.datetime | InvalidDate:
    match = _DATE_RE.match(value)
    try:
        if match:
            year, month, day = (int(g) for g in match.groups())
            return dt.date(year, month, day)
        return dt.datetime.fromisoformat(value.replace(" ", "T", 1))
    except ValueError:
        return InvalidDate(value)
