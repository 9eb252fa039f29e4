"""YAML mistakes a handläggare makes, found in the file's text: advice at the line that needs it.

Every suggestion shows the line as it should be written. This module reads only the source
text and positions; load.py and schema.py call it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from .errors import WARNING, Problem

# Quotes a word processor types; YAML knows only the straight " and '.
TYPOGRAPHIC_OPENING = "”“„»’‘"
TYPOGRAPHIC_CLOSING = "”“«»’‘"
TYPOGRAPHIC = set(TYPOGRAPHIC_OPENING + TYPOGRAPHIC_CLOSING)

# The start of a value on a line: indentation, an optional "- " and an optional "key: ".
_VALUE_START = re.compile(r"^(?P<lead>\s*(?:-\s+)*(?:[^\s\"'#\-][^:#]*?:\s+)?)(?P<value>.*)$")
_KEY_LINE = re.compile(r"^(?P<indent>\s*)(?:-\s+)*(?P<key>[^\s\"'#\-:][^:#]*?):(?:\s|$)")


def quoted(text: str) -> str:
    """`text` as a quoted YAML scalar: straight double quotes, or single when it has " or \\."""
    if '"' not in text and "\\" not in text:
        return f'"{text}"'
    return "'" + text.replace("'", "''") + "'"


def shown(line: str) -> str:
    """A line of YAML quoted in a message, without its indentation."""
    return f"'{line.strip()}'"


def _lines(source: str) -> list[str]:
    return source.splitlines() or [""]


def syntax_advice(path: str, source: str, exc: Any) -> Problem | None:
    """A better problem than the parser's for a known YAML mistake, or None."""
    lines = _lines(source)
    mark = exc.problem_mark or exc.context_mark
    last = min(mark.line if mark else len(lines) - 1, len(lines) - 1)
    mismatch = _typographic_closing(path, lines, last)
    if mismatch is not None:
        return mismatch
    context = exc.context or ""
    problem = exc.problem or ""
    if "quoted scalar" in context and exc.context_mark is not None:
        start = exc.context_mark
        return Problem(path, start.line + 1, start.column + 1, "citattecknet som börjar här "
                       "stängs aldrig; avsluta texten med samma citattecken som den började "
                       "med", "yaml.citat")
    if "mapping values are not allowed" in problem and mark is not None:
        return _colon_advice(path, lines, mark.line, mark.column)
    return None


def _typographic_closing(path: str, lines: list[str], last: int) -> Problem | None:
    """A value opened with a straight quote and closed with a typographic one (”)."""
    for number in range(0, last + 1):
        line = lines[number]
        match = _VALUE_START.match(line)
        if not match or match.group("value")[:1] not in ('"', "'"):
            continue
        straight = match.group("value")[0]
        rest = match.group("value")[1:].rstrip()
        if straight in rest.replace('\\"', "") or not rest or rest[-1] not in TYPOGRAPHIC:
            continue
        typographic = rest[-1]
        fixed = match.group("lead") + quoted(rest[:-1])
        column = len(match.group("lead")) + 1
        return Problem(path, number + 1, column, f"texten börjar med det raka citattecknet "
                       f"{straight} men slutar med det typografiska {typographic}, så YAML "
                       "letar efter slutet längre ned i filen; skriv raka citattecken i båda "
                       f"ändar: {shown(fixed)}", "yaml.citat")
    return None


def _colon_advice(path: str, lines: list[str], line: int, column: int) -> Problem:
    """': ' inside a value, or a key indented further than the key above it."""
    text = lines[line] if line < len(lines) else ""
    key = _KEY_LINE.match(text)
    above = _key_above(lines, line)
    # The parser stops at this line's own key colon: the line continues the value above.
    if key and above is not None and key.end("key") == column \
            and len(key.group("indent")) > above[1]:
        name, indent = above
        return Problem(path, line + 1, len(key.group("indent")) + 1, f"'{key.group('key')}' "
                       f"är indragen längre än '{name}' på raden ovanför; nycklar på samma nivå "
                       f"ska börja i samma kolumn som '{name}' (kolumn {indent + 1})",
                       "yaml.indrag")
    match = _VALUE_START.match(text)
    if match and match.group("lead"):
        value = match.group("value").rstrip()
        fixed = match.group("lead") + quoted(value)
        return Problem(path, line + 1, len(match.group("lead")) + 1, "texten innehåller kolon "
                       "följt av mellanslag, som YAML läser som en ny nyckel; sätt hela "
                       f"texten inom citattecken: {shown(fixed)}", "yaml.kolon")
    return Problem(path, line + 1, column + 1, "kolon följt av mellanslag mitt i ett värde; "
                   "sätt texten inom citattecken", "yaml.kolon")


def _key_above(lines: list[str], line: int) -> tuple[str, int] | None:
    """The key on the nearest line above that has one, and the column it starts in (0-based)."""
    for number in range(line - 1, -1, -1):
        text = lines[number]
        if not text.strip() or text.lstrip().startswith("#"):
            continue
        match = _KEY_LINE.match(text)
        if not match:
            return None
        return match.group("key"), match.start("key")
    return None


def duplicate_in_item(source: str, key: str, first_line: int, line: int, column: int,
                      listname: str | None) -> str:
    """The message for a key met twice in one list item: most likely a forgotten '- '."""
    text = _lines(source)[line - 1] if line - 1 < len(_lines(source)) else f"{key}: …"
    body = text[column - 1:].rstrip()
    fixed = (" " * max(column - 3, 0)) + "- " + body
    where = f"listan '{listname}'" if listname else "listan"
    return (f"nyckeln '{key}' finns redan i samma punkt (rad {first_line}); en ny punkt i "
            f"{where} börjar med '- ', så skriv raden så här: '{fixed}'")


def mapping_in_text(path: str, source: str, line: int, column: int) -> Problem:
    """A list item or value that became key: value because its text has ': ' in it."""
    text = _lines(source)[line - 1] if line - 1 < len(_lines(source)) else ""
    lead, value = text[: column - 1], text[column - 1:].rstrip()
    return Problem(path, line, column, "texten innehåller kolon följt av mellanslag, så YAML "
                   "läser den som nyckel: värde; sätt hela texten inom citattecken: "
                   f"{shown(lead + quoted(value))}", "yaml.kolon")


# Values that name something (a mall, a profile, a file) rather than text to print: a
# comment after them is a comment.
NAMES = {"mall", "profil", "fil"}


def value_warnings(path: str, source: str,
                   scalars: Iterable[tuple[tuple[str | int, ...], Any]]) -> list[Problem]:
    """Warnings for text values YAML reads differently than they look (composed nodes)."""
    lines = _lines(source)
    problems: list[Problem] = []
    for key_path, node in scalars:
        problems.extend(_typographic_quotes(path, lines, node))
        if not (key_path and key_path[-1] in NAMES):
            problems.extend(_comment_after_text(path, lines, node))
        problems.extend(_paragraphs_without_bar(path, node))
    return problems


def _as_written(lines: list[str], node: Any, value: str) -> str:
    """The node's line with `value`, quoted, in place of the node's text."""
    start = node.start_mark
    lead = lines[start.line][: start.column] if start.line < len(lines) else ""
    return shown(lead + quoted(value))


def _typographic_quotes(path: str, lines: list[str], node: Any) -> list[Problem]:
    value = str(node.value)
    if node.style is not None or len(value) < 2 or value[0] not in TYPOGRAPHIC_OPENING \
            or value[-1] not in TYPOGRAPHIC_CLOSING:
        return []
    return [Problem(path, node.start_mark.line + 1, node.start_mark.column + 1,
                    f"texten står inom typografiska citattecken ({value[0]}…{value[-1]}), "
                    "som skrivs ut som de står; använd raka citattecken: "
                    f"{_as_written(lines, node, value[1:-1])}", "yaml.typografiska_citattecken",
                    WARNING)]


def _comment_after_text(path: str, lines: list[str], node: Any) -> list[Problem]:
    end = node.end_mark
    if node.style is not None or end.line >= len(lines):
        return []
    rest = lines[end.line][end.column:]
    match = re.match(r"\s+#", rest)
    if not match:
        return []
    one_line = node.start_mark.line == end.line
    hint = f": {_as_written(lines, node, f'{node.value} {rest.strip()}')}" if one_line else ""
    return [Problem(path, end.line + 1, end.column + match.end(), "texten efter # räknas som "
                    "kommentar och kommer inte med; sätt hela texten inom citattecken" + hint,
                    "yaml.kommentar", WARNING)]


def _paragraphs_without_bar(path: str, node: Any) -> list[Problem]:
    if node.style not in (None, '"', "'") or "\n" not in str(node.value) \
            or node.start_mark.line == node.end_mark.line:
        return []
    return [Problem(path, node.start_mark.line + 1, node.start_mark.column + 1, "texten har "
                    "flera stycken men står utan |, så YAML slår ihop dem till ett; skriv | "
                    "efter kolonet och texten indragen på raderna under", "yaml.stycken",
                    WARNING)]
