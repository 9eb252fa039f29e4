"""Swedish personnummer and samordningsnummer in text: found by form, date and check digit."""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .load import KeyPath, Loaded

# ÅÅMMDD-NNNN (or + for a person of 100 years or more), ÅÅÅÅMMDDNNNN and ÅÅÅÅMMDD-NNNN.
# Ten bare digits (ÅÅMMDDNNNN) are left out: telephone numbers look just like them.
_CANDIDATE = re.compile(
    r"(?<![\d+-])(?:(?P<century>18|19|20)(?P<yy12>\d\d)(?P<mm12>\d\d)(?P<dd12>\d\d)-?"
    r"(?P<tail12>\d{4})|(?P<yy>\d\d)(?P<mm>\d\d)(?P<dd>\d\d)[-+](?P<tail>\d{4}))(?!\d)")


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
    found = []
    for match in _CANDIDATE.finditer(text):
        if match.group("century"):
            year: int | None = int(match.group("century") + match.group("yy12"))
            yy, mm, dd, tail = (match.group(k) for k in ("yy12", "mm12", "dd12", "tail12"))
        else:
            year = None
            yy, mm, dd, tail = (match.group(k) for k in ("yy", "mm", "dd", "tail"))
        if _date_ok(year, int(mm), int(dd)) and luhn_ok(yy + mm + dd + tail):
            found.append((match.start(), match.group(0)))
    return found


def masked(number: str) -> str:
    """The number with its last four digits hidden, so an error message does not repeat it."""
    return number[:-4] + "****"


@dataclass(frozen=True)
class Hit:
    """A personnummer in a YAML file: the value it stands in and its line and column."""

    key_path: KeyPath
    line: int
    column: int
    number: str


def _strings(value: Any, path: KeyPath) -> Iterator[tuple[KeyPath, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _strings(item, (*path, i))


def _locate(lines: list[str], start: tuple[int, int], number: str) -> tuple[int, int]:
    """Where `number` is written at or after the value's start; block text spans lines."""
    line, column = start
    for index in range(line - 1, len(lines)):
        found = lines[index].find(number, column - 1 if index == line - 1 else 0)
        if found >= 0:
            return index + 1, found + 1
    return start


def find_in_loaded(loaded: Loaded, source: str) -> list[Hit]:
    """Every personnummer in the text values of a loaded YAML file, with its line and column."""
    lines = source.splitlines()
    hits = []
    for path, text in _strings(loaded.data, ()):
        for _, number in find_personnummer(text):
            line, column = _locate(lines, loaded.where(path), number)
            hits.append(Hit(path, line, column, number))
    return hits
