"""Texts a scaffold (`utlatande new`) writes for the handläggare to replace: a warning for each
one still in the file, so that `check --strikt` refuses an unfinished statement."""

from __future__ import annotations

from .errors import WARNING, Problem
from .load import Loaded, text_values

# How much of a long placeholder the message quotes.
QUOTED = 40


def _normal(text: str) -> str:
    return " ".join(text.split()).casefold()


def left_placeholder(text: str, placeholders: list[str]) -> str | None:
    """The placeholder `text` still starts with, if any."""
    normal = _normal(text)
    for placeholder in placeholders:
        if normal and normal.startswith(_normal(placeholder)):
            return placeholder
    return None


def _quote(placeholder: str, text: str) -> str:
    """The placeholder as quoted in the message, with '…' when the text goes on after it."""
    short = placeholder[:QUOTED].rstrip()
    more = len(placeholder) > QUOTED or len(_normal(text)) > len(_normal(placeholder))
    return f"'{short} …'" if more else f"'{short}'"


def placeholder_warnings(loaded: Loaded, placeholders: list[str]) -> list[Problem]:
    """A warning at each value that still holds a scaffold's text."""
    problems = []
    for path, text in text_values(loaded.data):
        found = left_placeholder(text, placeholders)
        if found is None:
            continue
        name = next((p for p in reversed(path) if isinstance(p, str)), "värdet")
        message = (f"'{name}' har kvar förlagans text {_quote(found, text)}; skriv det som "
                   "ska stå i dokumentet")
        problems.append(loaded.problem(path, message, "text.platshållare", level=WARNING))
    return problems
