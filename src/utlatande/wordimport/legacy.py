"""An old Word statement (written without utlatande) → a new answer file.

The headings a Swedish statement uses (Förslag till beslut, Sammanfattning,
Beslutsunderlag, Bilagor, Beslutet skickas till, and the profile's own wording) map to
their keys; every other heading starts an `avsnitt`. Labelled fields at the top (Dnr,
Datum, Handläggare, Till) fill the header keys. A document without heading styles (text
pasted into Word) has its short lines without a full stop taken as headings.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import LiteralScalarString

from ..errors import AnswerError, Problem, display_path
from ..wordtext import Item, join_md
from .docxfile import open_docx, refuse
from .merge import parse_date

KNOWN = {
    "förslag till beslut": "förslag_till_beslut",
    "sammanfattning": "sammanfattning",
    "sammanfattning av ärendet": "sammanfattning",
    "beslutsunderlag": "beslutsunderlag",
    "bilaga": "bilagor",
    "bilagor": "bilagor",
    "beslutet skickas till": "beslutet_skickas_till",
    "beslut skickas till": "beslutet_skickas_till",
    "beslutet ska skickas till": "beslutet_skickas_till",
    "beslut sänds till": "beslutet_skickas_till",
    "beslutet sänds till": "beslutet_skickas_till",
    "expediering": "beslutet_skickas_till",
    "sändlista": "beslutet_skickas_till",
}
# Headings of a statement's body: never its title, even when they come first.
SECTIONS = {"bakgrund", "ärendet", "ärende", "beskrivning av ärendet", "bedömning",
            "förvaltningens bedömning", "ärendets beredning", "förvaltningens synpunkter",
            "inledning", "yttrande", "konsekvenser", "ekonomiska konsekvenser", "motivering"}
FIELDS = {"dnr": "diarienummer", "diarienummer": "diarienummer", "datum": "datum",
          "handläggare": "handläggare", "till": "till", "er beteckning": "er_beteckning",
          "telefon": "telefon", "tel": "telefon", "e-post": "epost"}
LISTS = ("beslutsunderlag", "bilagor", "beslutet_skickas_till")
NEEDS_DATE = ("tjänsteutlåtande", "tjänsteskrivelse")
_FIELD = re.compile(r"^(?P<label>[\wåäöÅÄÖ -]{2,20}?)\s*[:.]?\s+(?P<value>\S.*)$")
_BULLET = re.compile(r"^(?:\\?[-•–*]|\d+\\?[.)])\s+")
_ORDERED = re.compile(r"^\d+[.)]\s+")


@dataclass
class Section:
    rubrik: str | None
    level: int
    items: list[Item] = field(default_factory=list)
    children: list[Section] = field(default_factory=list)


@dataclass
class Statement:
    """What was found in the document, before it is written as YAML."""

    fields: dict[str, Any] = field(default_factory=dict)
    persons: list[dict[str, str]] = field(default_factory=list)
    rubrik: str | None = None
    underrubrik: str | None = None
    proposals: list[tuple[str | None, list[str]]] = field(default_factory=list)
    summary: list[Item] = field(default_factory=list)
    lists: dict[str, list[str]] = field(default_factory=dict)
    sections: list[Section] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def headings_of(settings: dict[str, Any]) -> dict[str, str]:
    """The known headings, with the profile's own wording of them."""
    known = dict(KNOWN)
    wording = settings.get("rubriker") or {}
    for key, target in (("förslag_till_beslut", "förslag_till_beslut"),
                        ("sammanfattning", "sammanfattning"),
                        ("beslutsunderlag", "beslutsunderlag"), ("bilaga", "bilagor"),
                        ("bilagor", "bilagor"), ("beslutet_skickas_till", "beslutet_skickas_till")):
        text = wording.get(key)
        if isinstance(text, str) and "{" not in text:
            known[_norm(text)] = target
    return known


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().rstrip(":").strip().lower()


def _flatten(items: list[Item]) -> list[Item]:
    """Tables whose rows are label and value (a header table) as their cells' paragraphs;
    lines typed as '- ' or '1. ' as list items."""
    result = []
    for item in items:
        if item.kind == "table" and _is_field_table(item):
            result.extend(item.cells)
            continue
        if item.kind == "p" and _BULLET.match(item.plain):
            item.kind = "li"
            item.ordered = bool(_ORDERED.match(item.plain))
            item.md = _BULLET.sub("", item.md, count=1)
            item.plain = _BULLET.sub("", item.plain, count=1)
        result.append(item)
    return result


def _is_field_table(item: Item) -> bool:
    return any(_norm(c.plain) in FIELDS or _field(c.plain) for c in item.cells)


def _field(text: str) -> tuple[str, str] | None:
    """('datum', '2024-03-19') for 'Datum: 2024-03-19' or 'Dnr SN 2024/12'."""
    match = _FIELD.match(text.strip())
    if match and _norm(match.group("label")) in FIELDS:
        return FIELDS[_norm(match.group("label"))], match.group("value").strip()
    return None


def read_statement(items: list[Item], known: dict[str, str]) -> Statement:
    """Walk the document's blocks once: preamble fields and title, then the parts."""
    items = [i for i in _flatten(items) if i.plain or i.kind == "table"]
    styled = any(i.kind in ("h", "title") for i in items)
    found = Statement()
    target: Any = None  # the part the text goes into
    pending_label: str | None = None
    for index, item in enumerate(items):
        heading = _heading(item, styled, items[index + 1:index + 2])
        name = _norm(item.plain)
        key = known.get(name) or ("förslag_till_beslut" if name.startswith("förslag till")
                                  and name.endswith("beslut") else None)
        if heading and key:
            target = _start_part(found, key, item.plain)
            pending_label = None
            continue
        if target is None:  # the preamble: fields, the title, the subtitle
            following = items[index + 1] if index + 1 < len(items) else None
            pending_label = _preamble(found, item, heading, pending_label, following)
            if pending_label != "__text__":
                continue
            pending_label = None
            if not heading:
                target = _section(found, None, 1)
        if heading and item.kind != "title":
            target = _section(found, item.plain, item.level if styled else 1)
            continue
        _add(found, target, item)
    return found


def _heading(item: Item, styled: bool, following: list[Item]) -> bool:
    """A heading: a heading style, or (in a document without them) a short line of its own."""
    if item.kind in ("h", "title"):
        return True
    if styled or item.kind != "p" or not following:
        return False
    text = item.plain
    return (len(text.split()) <= 10 and not re.search(r"[.!?:;,]$", text)
            and text[:1].isupper() and not _field(text))


def _preamble(found: Statement, item: Item, heading: bool, label: str | None,
              following: Item | None) -> str | None:
    """Read one preamble block; returns the label waiting for its value, or '__text__'
    when the block is body text (the body has begun)."""
    text = item.plain
    pair = _field(text)
    contact = _field(following.plain) if following is not None else None
    if contact and contact[0] in ("telefon", "epost") and _is_name(text):
        found.persons.append({"namn": text})  # a name over its telephone number
        return None
    if _norm(text) in FIELDS:
        return FIELDS[_norm(text)]
    if pair:
        _set_field(found, *pair)
        return None
    if label:
        _set_field(found, label, text)
        return None
    if "datum" not in found.fields and parse_date(text):
        _set_field(found, "datum", text)
        return None
    if found.rubrik is None and (heading or item.kind == "title") and \
            _norm(text) not in SECTIONS:
        found.rubrik = text
        return None
    if found.rubrik is not None and found.underrubrik is None and \
            (item.kind == "title" or heading or re.match(r"^(Svar på|Angående)\b", text)):
        found.underrubrik = text
        return None
    return "__text__"


def _is_name(text: str) -> bool:
    words = text.split()
    return 2 <= len(words) <= 4 and all(w[:1].isupper() and w.isalpha() or "-" in w
                                        for w in words)


def _set_field(found: Statement, key: str, value: str) -> None:
    if key == "handläggare":
        found.persons.append({"namn": value})
    elif key in ("telefon", "epost"):
        if found.persons and key not in found.persons[-1]:
            found.persons[-1][key] = value
        else:
            found.warnings.append(f"'{value}' ({key}) hörde inte till någon handläggare och "
                                  "kom inte med")
    elif key == "datum":
        date = parse_date(value)
        if date is None:
            found.warnings.append(f"datumet '{value}' kunde inte läsas")
        else:
            found.fields.setdefault("datum", date)
    else:
        found.fields.setdefault(key, value)


def _start_part(found: Statement, key: str, heading: str) -> Any:
    if key == "förslag_till_beslut":
        default = _norm(heading) in ("förslag till beslut", "förvaltningens förslag till beslut")
        found.proposals.append((None if default else heading.strip().rstrip(":"), []))
        return ("förslag", len(found.proposals) - 1)
    if key == "sammanfattning":
        return ("sammanfattning", None)
    found.lists.setdefault(key, [])
    return ("lista", key)


def _section(found: Statement, heading: str | None, level: int) -> Section:
    section = Section(heading.strip() if heading else None, min(max(level, 1), 3))
    siblings = found.sections
    while siblings and siblings[-1].level < section.level and section.level > 1:
        parent = siblings[-1]
        if parent.level == section.level - 1:
            parent.children.append(section)
            return section
        siblings = parent.children
    found.sections.append(section)
    section.level = 1 if siblings is found.sections else section.level
    return section


def _add(found: Statement, target: Any, item: Item) -> None:
    if isinstance(target, Section):
        target.items.append(item)
    elif target[0] == "förslag":
        found.proposals[target[1]][1].append(item.md)
    elif target[0] == "sammanfattning":
        found.summary.append(item)
    else:
        found.lists[target[1]].append(item.plain)


# -- writing ----------------------------------------------------------------------------
def to_yaml(found: Statement, mall: str, profil: str | None, schema: str, stem: str) -> str:
    """The answer file's text, with TODO comments where a required value was not found."""
    data = CommentedMap()
    data["mall"] = mall
    if profil:
        data["profil"] = profil
    for key in ("diarienummer", "er_beteckning", "datum", "till"):
        if key in found.fields:
            data[key] = found.fields[key]
    if "datum" not in data and mall in NEEDS_DATE:
        data["datum"] = dt.date.today()
        data.yaml_add_eol_comment("TODO: datumet hittades inte i dokumentet", "datum")
    if found.persons:
        data["handläggare"] = CommentedSeq(CommentedMap(p) for p in found.persons)
    data["rubrik"] = found.rubrik or stem
    if not found.rubrik:
        data.yaml_add_eol_comment("TODO: rubriken hittades inte i dokumentet", "rubrik")
    if found.underrubrik:
        data["underrubrik"] = found.underrubrik
    proposals = [(r, p) for r, p in found.proposals if p]
    if proposals:
        if len(proposals) == 1 and proposals[0][0] is None:
            data["förslag_till_beslut"] = [_text(p) for p in proposals[0][1]]
        else:
            data["förslag_till_beslut"] = [
                CommentedMap([*([("rubrik", r)] if r else []), ("punkter", [_text(p)
                                                                             for p in ps])])
                for r, ps in proposals]
    if found.summary:
        data["sammanfattning"] = _text(join_md(found.summary))
    if found.sections:
        data["avsnitt"] = [_section_yaml(s) for s in found.sections]
    for key in LISTS:
        if found.lists.get(key):
            data[key] = list(found.lists[key])
    out = io.StringIO()
    yaml = YAML()
    yaml.width = 1_000_000
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.dump(data, out)
    return f"# yaml-language-server: $schema={schema}\n" + out.getvalue()


def _text(md: str) -> Any:
    return LiteralScalarString(md + "\n") if "\n" in md else md


def _section_yaml(section: Section) -> CommentedMap:
    result = CommentedMap()
    if section.rubrik:
        result["rubrik"] = section.rubrik
    text = join_md(section.items)
    if text:
        result["text"] = LiteralScalarString(text + "\n")
    if section.children:
        result["avsnitt"] = [_section_yaml(c) for c in section.children]
    if not result:
        result["text"] = ""
    return result


@dataclass
class Converted:
    target: Path
    warnings: list[str]


def convert(docx: Path, target: Path, project: Path, mall: str | None, profil: str | None,
            schema_file: Path) -> Converted:
    """Write a new answer file from an old Word statement; never over an existing file.
    `schema_file` is the answer format's JSON Schema, named in the file's first line."""
    from ..pipeline import check
    from ..theme import known_themes, load_theme

    if target.exists():
        raise refuse(target, "filen finns redan; import skriver aldrig över en befintlig "
                     "svarsfil", "import.finns")
    mall = mall or "tjänsteutlåtande"
    if profil is not None and profil not in known_themes(project):
        raise refuse(docx, f"profilen '{profil}' finns inte; kända profiler: "
                     + ", ".join(known_themes(project)), "import.profil")
    theme = load_theme(profil, project)
    if mall not in theme.mallar:
        raise refuse(docx, f"mallen '{mall}' finns inte; välj bland "
                     + ", ".join(sorted(theme.mallar)), "import.mall")
    opened = open_docx(docx)
    found = read_statement(opened.reader("accept").items(),
                           headings_of(theme.settings(mall)))
    schema = Path(os.path.relpath(schema_file.resolve(), target.resolve().parent)).as_posix()
    text = to_yaml(found, mall, profil, schema, docx.stem)
    warnings = list(found.warnings)
    if not found.rubrik:
        warnings.append("rubriken hittades inte; rubrik är filens namn (se TODO)")
    if "datum" not in found.fields and mall in NEEDS_DATE:
        warnings.append("datumet hittades inte; datum är dagens datum (se TODO)")
    if not found.sections and not found.summary:
        warnings.append("dokumentet har ingen text under någon rubrik")
    _write_new_checked(target, text, project, check)
    return Converted(target, warnings)


def _write_new_checked(target: Path, text: str, project: Path, check) -> None:
    """Write the new file complete, only if it passes `check` and no file is there."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".yaml")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        errors = [p for p in check(Path(temp), project).problems if p.is_error]
        if errors:
            shown = display_path(target)
            raise AnswerError([Problem(shown, p.line, p.column, p.message, p.code)
                               for p in errors])
        os.chmod(temp, 0o644)
        try:
            os.link(temp, target)
        except FileExistsError:
            raise refuse(target, "filen finns redan; import skriver aldrig över en "
                         "befintlig svarsfil", "import.finns") from None
    finally:
        Path(temp).unlink(missing_ok=True)
