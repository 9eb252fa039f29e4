"""What a careful registrator would point out in a valid answer: warnings, not errors."""

from __future__ import annotations

from typing import Any

from .errors import WARNING, Problem
from .load import KeyPath, Loaded
from .model import Answer
from .personnummer import find_in_source, masked
from .text import CONTROL


def drop_control_characters(loaded: Loaded) -> list[Problem]:
    """Remove control characters from every text value, with a warning for each value."""
    problems: list[Problem] = []

    def clean(value: Any, path: KeyPath) -> Any:
        if isinstance(value, str):
            found = CONTROL.findall(value)
            if found:
                codes = ", ".join(sorted({f"U+{ord(c):04X}" for c in found}))
                problems.append(loaded.problem(path, f"styrtecken ({codes}) kan inte skrivas "
                                               "ut och tas bort", "text.styrtecken",
                                               level=WARNING))
                return CONTROL.sub("", value)
            return value
        if isinstance(value, dict):
            return {k: clean(v, (*path, k)) for k, v in value.items()}
        if isinstance(value, list):
            return [clean(v, (*path, i)) for i, v in enumerate(value)]
        return value

    loaded.data = clean(loaded.data, ())
    return problems


def review(answer: Answer, loaded: Loaded) -> list[Problem]:
    """Warnings for a valid answer: personnummer, approval dates, approvers."""
    return [*_personnummer(answer, loaded), *_approvals(answer, loaded)]


def _personnummer(answer: Answer, loaded: Loaded) -> list[Problem]:
    if answer.sekretess:
        return []
    return [Problem(loaded.shown, hit.line, hit.column,
                    f"personnummer {masked(hit.number)} i ett dokument utan 'sekretess'; ta "
                    "bort det, eller markera dokumentet med sekretess: {grund: …} om det inte "
                    "får publiceras", "sekretess.personnummer", WARNING)
            for hit in find_in_source(loaded.source)]


def _approvals(answer: Answer, loaded: Loaded) -> list[Problem]:
    problems = []
    officers = {p.namn.casefold().strip() for p in answer.handläggare}
    for i, person in enumerate(answer.attestering):
        if answer.datum and person.datum and person.datum > answer.datum:
            problems.append(loaded.problem(
                ("attestering", i, "datum"), f"attesteringen {person.datum.isoformat()} är "
                f"senare än utlåtandets datum {answer.datum.isoformat()}",
                "attestering.datum", level=WARNING))
        if person.namn.casefold().strip() in officers:
            problems.append(loaded.problem(
                ("attestering", i, "namn"), f"{person.namn} är både handläggare och "
                "attesterar; attesteringen bör göras av någon annan", "attestering.jäv",
                level=WARNING))
    return problems
