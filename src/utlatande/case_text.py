"""The case a statement answers (ärende: typ, från, datum) as one line, worded by the profile."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from .model import Case

_NAME = re.compile(r"\{(\w+)\}")


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _participle(typ: str, neuter: list[str]) -> str:
    """'inkommet' for a type that takes 'ett' (ett medborgarförslag), else 'inkommen'."""
    last = typ.casefold().split()[-1] if typ.strip() else ""
    return "inkommet" if any(last.endswith(word.casefold()) for word in neuter) else "inkommen"


def _date_text(value: dt.date, settings: dict[str, Any]) -> str:
    """The date as the profile prints dates (datumformat): 12 maj 2024, or 2024-05-12."""
    if settings.get("datumformat", "iso") != "ord":
        return value.isoformat()
    from babel.dates import format_date

    return format_date(value, "d MMMM y", locale="sv_SE")


def case_line(case: Case | None, settings: dict[str, Any]) -> str:
    """The profile's `ärendetext` pieces for `case`; a piece with a value missing is left out."""
    if case is None:
        return ""
    values = {"typ": case.typ, "Typ": _capitalised(case.typ), "från": case.från,
              "datum": _date_text(case.datum, settings) if case.datum else None,
              "inkommen": _participle(case.typ, settings.get("ärende_neutrum") or [])}
    line = ""
    for piece in settings.get("ärendetext") or []:
        piece = str(piece)
        if all(values.get(name) for name in _NAME.findall(piece)):
            line += _NAME.sub(lambda m: str(values[m.group(1)]), piece)
    return line.strip()
