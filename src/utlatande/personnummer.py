"""Swedish personnummer and samordningsnummer in text: found by form, date and check digit."""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .load import KeyPath, Loaded

# ÅÅMMDD-NNNN (or + for a person of 100 years or more), ÅÅÅÅMMDDNNNN and ÅÅÅÅMMDD-NNNN, read
# in folded text (fold): a space may stand for the hyphen, and may stand beside it.
# Ten bare digits (ÅÅMMDDNNNN) are left out: telephone numbers look just like them.
_CANDIDATE = re.compile(
    r"(?<!\d)(?:(?P<century>18|19|20)(?P<yy12>\d\d)(?P<mm12>\d\d)(?P<dd12>\d\d)"
    r"(?: ?[-+]? ?)(?P<tail12>\d{4})"
    r"|(?P<yy>\d\d)(?P<mm>\d\d)(?P<dd>\d\d)(?: ?[-+] ?| )(?P<tail>\d{4}))(?!\d)")
# Dashes that are no Pd character (NFKC leaves the minus sign a minus sign).
_DASHES = "\u2212\ufe63\uff0d"


def _fold_char(char: str) -> str:
    """One character as a reader sees it: a dash '-', a space ' ', invisible ones nothing."""
    if char in _DASHES or unicodedata.category(char) == "Pd":
        return "-"
    if char.isspace() or unicodedata.category(char) == "Zs":
        return " "
    if unicodedata.category(char) == "Cf":  # zero-width space and joiners, direction marks
        return ""
    return unicodedata.normalize("NFKC", char)


def fold(text: str) -> tuple[str, Sequence[int]]:
    """The text as it reads (NFKC, every dash, space and invisible character folded), and for
    each character of it the offset in `text` it comes from."""
    table = {char: _fold_char(char) for char in set(text)}
    folded = text.translate({ord(char): value for char, value in table.items()})
    if len(folded) == len(text) and all(len(value) == 1 for value in table.values()):
        return folded, range(len(text))  # one character for one: the offsets are the same
    return folded, [offset for offset, char in enumerate(text) for _ in table[char]]


def luhn_ok(digits: str) -> bool:
    """The check digit of ÅÅMMDDNNN + C: weights 2, 1, 2, … over the first nine digits."""
    total = 0
    for i, char in enumerate(digits[:9]):
        product = int(char) * (2 if i % 2 == 0 else 1)
        total += product - 9 if product > 9 else product
    return (10 - total % 10) % 10 == int(digits[9])


def _date_ok(year: int | None, month: int, day: int) -> bool:
    """A real calendar day; a samordningsnummer adds 60 to the day."""
    if day > 60:
        day -= 60
    if not 1 <= month <= 12 or day < 1:
        return False
    if year is None:  # ÅÅ: the 29th of February is possible whenever ÅÅ is divisible by 4
        leap = True
        year = 2000
    else:
        leap = calendar.isleap(year)
    days = 29 if month == 2 and leap else calendar.monthrange(year, month)[1]
    return day <= days


def find_personnummer(text: str) -> list[tuple[int, str]]:
    """Every personnummer or samordningsnummer in `text`: (offset, the number as written)."""
    folded, offsets = fold(text)
    found = []
    for match in _CANDIDATE.finditer(folded):
        if match.group("century"):
            year: int | None = int(match.group("century") + match.group("yy12"))
            yy, mm, dd, tail = (match.group(k) for k in ("yy12", "mm12", "dd12", "tail12"))
        else:
            year = None
            yy, mm, dd, tail = (match.group(k) for k in ("yy", "mm", "dd", "tail"))
        if _date_ok(year, int(mm), int(dd)) and luhn_ok(yy + mm + dd + tail):
            start, end = offsets[match.start()], offsets[match.end() - 1] + 1
            found.append((start, text[start:end]))
    return found


def digits(number: str) -> str:
    """The digits of a number as written, whatever stands between them."""
    return "".join(char for char in fold(number)[0] if char.isdigit())


def masked(number: str) -> str:
    """The number with its last four digits hidden, so an error message does not repeat it."""
    folded = fold(number)[0]
    return folded[:-4] + "****"


@dataclass(frozen=True)
class Hit:
    """A personnummer in a YAML file, at its line and column."""

    line: int
    column: int
    number: str


def _line_column(source: str, offset: int) -> tuple[int, int]:
    line = source.count("\n", 0, offset) + 1
    return line, offset - (source.rfind("\n", 0, offset) + 1) + 1


def find_in_source(source: str) -> list[Hit]:
    """Every personnummer anywhere in a YAML file's text: values of every type, keys and
    comments, since an unquoted number or a comment reaches an embedded source file too."""
    return [Hit(*_line_column(source, offset), number)
            for offset, number in find_personnummer(source)]


def find_in_values(loaded: Loaded, key_paths: list[KeyPath]) -> list[Hit]:
    """Every personnummer in the values at `key_paths` (texts or numbers), where it is written."""
    lines = loaded.source.splitlines()
    hits = []
    for path in key_paths:
        value = _value_at(loaded.data, path)
        if value is None or isinstance(value, (dict, list)):
            continue
        for _, number in find_personnummer(str(value)):
            line, column = _locate(lines, loaded.where(path), number)
            hits.append(Hit(line, column, number))
    return hits


def _value_at(data: Any, path: KeyPath) -> Any:
    for key in path:
        found = (isinstance(data, dict) and key in data) or (
            isinstance(data, list) and isinstance(key, int) and key < len(data))
        if not found:
            return None
        data = data[key]
    return data


def _locate(lines: list[str], start: tuple[int, int], number: str) -> tuple[int, int]:
    """Where `number` is written at or after the value's start; block text spans lines."""
    line, column = start
    for index in range(line - 1, len(lines)):
        found = lines[index].find(number, column - 1 if index == line - 1 else 0)
        if found >= 0:
            return index + 1, found + 1
    return start


def locate_digits(source: str, number: str) -> tuple[int, int] | None:
    """Where a printed number's digits are typed in a source, whatever stands between them
    there (Markdown's emphasis or escapes, invisible characters); None when nowhere."""
    wanted = digits(number)
    pattern = r"(?<!\d)" + r"\D{0,12}".join(wanted) + r"(?!\d)"
    match = re.search(pattern, source)
    return _line_column(source, match.start()) if match else None
