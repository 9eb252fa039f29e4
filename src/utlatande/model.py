"""Validated answer data → frozen dataclasses the templates read. No I/O here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Person:
    namn: str
    titel: str | None = None
    organisation: str | None = None
    telefon: str | None = None
    epost: str | None = None
    datum: dt.date | None = None


@dataclass(frozen=True)
class ProposalGroup:
    rubrik: str | None
    punkter: tuple[str, ...]
    numrerad: bool = True
    nyckel: str = ""  # the group's key path, '' for the shorthand list of strings
    nycklar: tuple[str, ...] = ()  # each punkt's key path (markers in the DOCX)


@dataclass(frozen=True)
class Question:
    nummer: int
    rubrik: str | None
    fråga: str
    svar: str
    nyckel: str = ""  # key path, e.g. 'avsnitt[1].frågor[0]'


@dataclass(frozen=True)
class Section:
    rubrik: str | None
    text: str | None
    frågor: tuple[Question, ...] = ()
    avsnitt: tuple[Section, ...] = ()
    nyckel: str = ""  # key path, e.g. 'avsnitt[2].avsnitt[0]'


@dataclass(frozen=True)
class Appendix:
    nummer: int
    titel: str
    fil: Path | None = None
    key_path: tuple[str | int, ...] = ()
    fil_angiven: str | None = None  # the path as written in the answer file
    titel_nyckel: str = ""  # the title's key path: 'bilagor[0]' or 'bilagor[0].titel'


@dataclass(frozen=True)
class Case:
    typ: str
    från: str | None = None
    datum: dt.date | None = None


@dataclass(frozen=True)
class Answer:
    """One statement, everything a template may print."""

    source: Path
    mall: str
    rubrik: str
    profil: str | None = None
    organisation: str | None = None
    förvaltning: str | None = None
    avdelning: str | None = None
    diarienummer: str | None = None
    er_beteckning: str | None = None
    datum: dt.date | None = None
    till: str | None = None
    handläggare: tuple[Person, ...] = ()
    underrubrik: str | None = None
    ärende: Case | None = None
    förslag_till_beslut: tuple[ProposalGroup, ...] = ()
    sammanfattning: str | None = None
    avsnitt: tuple[Section, ...] = ()
    frågor: tuple[Question, ...] = ()
    beslutsunderlag: tuple[str, ...] = ()
    underskrifter: tuple[Person, ...] = ()
    bilagor: tuple[Appendix, ...] = ()
    attestering: tuple[Person, ...] = ()
    beslutet_skickas_till: tuple[str, ...] = ()
    sekretess: str | None = None
    metadata: tuple[tuple[str, str], ...] = ()
    innehållsförteckning: bool = False
    sidhuvud: str | None = None
    rubriker: dict[str, str] = field(default_factory=dict)
    # The images in the text, checked (images.py): address as written → file.
    bilder: tuple[tuple[str, Path], ...] = ()


def _person(data: dict[str, Any]) -> Person:
    return Person(**{k: v for k, v in data.items() if k in Person.__dataclass_fields__})


def _persons(items: list[dict[str, Any]] | None) -> tuple[Person, ...]:
    return tuple(_person(item) for item in items or ())


def _questions(items: list[dict[str, Any]] | None, key: str) -> tuple[Question, ...]:
    return tuple(Question(i, q.get("rubrik"), q["fråga"], q["svar"], f"{key}[{i - 1}]")
                 for i, q in enumerate(items or (), start=1))


def _sections(items: list[dict[str, Any]] | None, key: str) -> tuple[Section, ...]:
    return tuple(Section(s.get("rubrik"), s.get("text"),
                         _questions(s.get("frågor"), f"{key}[{i}].frågor"),
                         _sections(s.get("avsnitt"), f"{key}[{i}].avsnitt"), f"{key}[{i}]")
                 for i, s in enumerate(items or ()))


def _proposals(items: list[Any] | None) -> tuple[ProposalGroup, ...]:
    """A plain list of strings is shorthand for one group with the template's heading."""
    if not items:
        return ()
    key = "förslag_till_beslut"
    if all(isinstance(item, str) for item in items):
        return (ProposalGroup(None, tuple(items),
                              nycklar=tuple(f"{key}[{i}]" for i in range(len(items)))),)
    groups = []
    for g, item in enumerate(items):
        if isinstance(item, str):
            groups.append(ProposalGroup(None, (item,), nycklar=(f"{key}[{g}]",)))
        else:
            groups.append(ProposalGroup(
                item.get("rubrik"), tuple(item["punkter"]), item.get("numrerad", True),
                f"{key}[{g}]", tuple(f"{key}[{g}].punkter[{i}]"
                                     for i in range(len(item["punkter"])))))
    return tuple(groups)


def appendices(items: list[Any] | None, base: Path,
               key_path: tuple[str | int, ...] = ()) -> tuple[Appendix, ...]:
    """`bilagor:` of an answer or a meeting item at `key_path`: titles, or {titel, fil} with
    the file relative to `base`."""
    result = []
    for i, item in enumerate(items or (), start=1):
        where = (*key_path, "bilagor", i - 1)
        if isinstance(item, str):
            result.append(Appendix(i, item, key_path=where, titel_nyckel=f"bilagor[{i - 1}]"))
        else:
            fil = (base / item["fil"]) if item.get("fil") else None
            result.append(Appendix(i, item["titel"], fil, where, item.get("fil"),
                                   f"bilagor[{i - 1}].titel"))
    return tuple(result)


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        return dt.date.fromisoformat(value)
    return None


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return f"{value:.1f}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def build_answer(data: dict[str, Any], source: Path, defaults: dict[str, Any]) -> Answer:
    """The model of a valid answer; `defaults` are the profile's values for absent keys."""
    merged = {**defaults, **data}
    ärende = merged.get("ärende")
    for key in ("handläggare", "underskrifter", "attestering"):
        for person in merged.get(key) or ():
            if "datum" in person:
                person["datum"] = _date(person["datum"])
    default_toc = merged["mall"] == "rapport"
    return Answer(
        source=source,
        mall=merged["mall"],
        rubrik=merged["rubrik"],
        profil=merged.get("profil"),
        organisation=merged.get("organisation"),
        förvaltning=merged.get("förvaltning"),
        avdelning=merged.get("avdelning"),
        diarienummer=merged.get("diarienummer"),
        er_beteckning=merged.get("er_beteckning"),
        datum=_date(merged.get("datum")),
        till=merged.get("till"),
        handläggare=_persons(merged.get("handläggare")),
        underrubrik=merged.get("underrubrik"),
        ärende=Case(ärende["typ"], ärende.get("från"), _date(ärende.get("datum")))
        if ärende else None,
        förslag_till_beslut=_proposals(merged.get("förslag_till_beslut")),
        sammanfattning=merged.get("sammanfattning"),
        avsnitt=_sections(merged.get("avsnitt"), "avsnitt"),
        frågor=_questions(merged.get("frågor"), "frågor"),
        beslutsunderlag=tuple(merged.get("beslutsunderlag") or ()),
        underskrifter=_persons(merged.get("underskrifter")),
        bilagor=appendices(merged.get("bilagor"), source.parent),
        attestering=_persons(merged.get("attestering")),
        beslutet_skickas_till=tuple(merged.get("beslutet_skickas_till") or ()),
        sekretess=(merged.get("sekretess") or {}).get("grund"),
        metadata=tuple((str(k), _text(v)) for k, v in (merged.get("metadata") or {}).items()),
        innehållsförteckning=bool(merged.get("innehållsförteckning", default_toc)),
        sidhuvud=merged.get("sidhuvud"),
        rubriker=dict(merged.get("rubriker") or {}),
    )
