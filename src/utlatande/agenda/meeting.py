"""The meeting file: its schema, its model, and loading it with every answer it names,
checked as `build` checks them (and, for the public version, for personnummer)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from ..errors import WARNING, AnswerError, Problem
from ..load import KeyPath, Loaded, load_yaml
from ..model import Appendix, Case, ProposalGroup, appendices
from ..pipeline import Checked, active_content_warning, appendix_problem, check
from ..schema import (
    date_field,
    jsonable,
    key_name,
    list_field,
    md_field,
    object_field,
    text_field,
    translate_error,
    type_word,
)
from ..theme import Theme, fill, is_profile_name, known_themes, load_theme

SCHEMA_ID = "https://utlatande.se/schema/meeting-v1.json"
# Keys an answer file gives its item; with `fil` they may not stand in the meeting file.
FROM_ANSWER = ["rubrik", "diarienummer", "förslag", "bilagor"]
PUBLIC_SUFFIX = "-offentlig"
# How an answer file is checked: pipeline.check, or a cached check of the same (checks.py).
Checker = Callable[[Path, Path], Checked]
# Item PDFs in the output folder: "01-rubrik.pdf". Older ones that no longer belong to the
# agenda are removed, so that a public folder never keeps a statement since made secret.
ITEM_FILE = re.compile(r"^\d{2,}-[a-z0-9-]*\.pdf$")

_APPENDIX = {"anyOf": [
    text_field("bilagans titel"),
    object_field({"titel": text_field("bilagans titel", minLength=1),
                  "fil": text_field("sökväg till en PDF, relativ till mötesfilen")},
                 "en bilaga", ["titel"]),
]}

_ITEM = {
    "type": "object",
    "description": "ett ärende: en svarsfil (fil) eller ett ärende utan utlåtande (rubrik)",
    "additionalProperties": False,
    "properties": {
        "fil": text_field("svarsfilen, relativ till mötesfilen", minLength=1),
        "föredragande": text_field("föredragande, t.ex. Yasmine Ekman-Munir, handläggare"),
        "rubrik": text_field("ärendets rubrik", minLength=1),
        "diarienummer": text_field("ärendets diarienummer, t.ex. SN 2024/7"),
        "förslag": {"anyOf": [md_field("förslaget till beslut"),
                              list_field(md_field("ett beslutsförslag"), "förslagen till beslut")]},
        "bilagor": list_field(_APPENDIX, "bilagor; PDF-filerna läggs efter ärendet i kallelsen"),
    },
    # Both 'fil' and 'rubrik' is reported by _from_answer_problems, key by key.
    "oneOf": [{"required": ["fil"]}, {"required": ["rubrik"]}],
}

MEETING_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": SCHEMA_ID,
    "title": "utlatande mötesfil (kallelse med föredragningslista)",
    "type": "object",
    "additionalProperties": False,
    "required": ["möte", "ärenden"],
    "properties": {
        "möte": object_field({
            "organ": text_field("nämnden eller styrelsen, t.ex. Socialnämnden", minLength=1),
            "datum": date_field("sammanträdets datum"),
            "tid": text_field('när sammanträdet börjar, inom citattecken: "17.00"', minLength=1),
            "plats": text_field("var sammanträdet hålls", minLength=1),
            "upprättad": date_field("dagen kallelsen upprättades"),
            "ordförande": text_field("ordförande"),
            "sekreterare": text_field("sekreterare"),
            "justerare": text_field("justerare"),
            "organisation": text_field("organisationen i kallelsens brevhuvud, t.ex. "
                                       "Stockholms stad", minLength=1),
            "profil": text_field("kallelsens profil (en mapp i templates/)", minLength=1),
        }, "sammanträdet", ["organ", "datum", "tid", "plats"]),
        "ärenden": {"type": "array", "minItems": 1, "description": "ärendena i ordning",
                    "items": {"anyOf": [text_field("en svarsfil, relativ till mötesfilen",
                                              minLength=1), _ITEM]}},
    },
}


# -- the model -------------------------------------------------------------------------

@dataclass(frozen=True)
class Meeting:
    organ: str
    datum: dt.date
    tid: str
    plats: str
    upprättad: dt.date | None = None
    ordförande: str | None = None
    sekreterare: str | None = None
    justerare: str | None = None
    organisation: str | None = None
    profil: str | None = None


@dataclass
class Item:
    """One item of the agenda: an answer file's statement, or an item with only a title."""

    nummer: int
    key_path: KeyPath
    rubrik: str
    underrubrik: str | None = None
    diarienummer: str | None = None
    föredragande: str | None = None
    förslag: tuple[ProposalGroup, ...] = ()
    bilagor: tuple[Appendix, ...] = ()
    sekretess: str | None = None
    checked: Checked | None = None
    ärende: Case | None = None  # what the statement answers (the answer's 'ärende')

    @property
    def files(self) -> list[Appendix]:
        return [a for a in self.bilagor if a.fil is not None]


@dataclass
class Agenda:
    path: Path
    loaded: Loaded
    meeting: Meeting
    items: list[Item]
    theme: Theme
    offentlig: bool
    warnings: list[Problem] = field(default_factory=list)

    @cached_property
    def settings(self) -> dict[str, Any]:
        return self.theme.settings("kallelse")

    def label(self, key: str, **values: Any) -> str:
        return fill(self.settings.get("rubriker", {}).get(key, key), values)

    def shown(self, item: Item) -> bool:
        """Whether the item's text and documents go into this version of the agenda."""
        return not (self.offentlig and item.sekretess)


# -- loading and checking --------------------------------------------------------------

_VALIDATOR = None


def _validator():
    global _VALIDATOR
    if _VALIDATOR is None:
        from jsonschema import Draft202012Validator, FormatChecker

        _VALIDATOR = Draft202012Validator(MEETING_SCHEMA, format_checker=FormatChecker())
    return _VALIDATOR


_JSON_TYPES = ((bool, "boolean"), (str, "string"), (list, "array"), (dict, "object"),
               ((int, float), "number"))


def _json_type(value: Any) -> str | None:
    return next((name for kind, name in _JSON_TYPES if isinstance(value, kind)), None)


def _translate_meeting(error, loaded: Loaded) -> list[Problem]:
    """The meeting file's own cases in Swedish; the rest as for answer files."""
    path: KeyPath = tuple(error.absolute_path)
    is_item = len(path) == 2 and path[0] == "ärenden"
    if error.validator == "anyOf":
        kind = _json_type(error.instance)
        for branch, sub in enumerate(error.schema["anyOf"]):
            if sub.get("type") == kind:
                return [p for e in error.context if e.schema_path and e.schema_path[0] == branch
                        for p in _translate_meeting(e, loaded)]
        if is_item:
            return [loaded.problem(path, f"ärende {path[1] + 1} ska vara en svarsfil "
                                   "(answers/x.yaml) eller en tabell med 'fil:' eller "
                                   f"'rubrik:', inte {type_word(error.instance)}",
                                   "möte.ärende")]
        return [loaded.problem(path, f"{key_name(path)} ska vara en text eller en lista, inte "
                               f"{type_word(error.instance)}", "schema.typ")]
    if error.validator == "oneOf" and is_item:
        if isinstance(error.instance, dict) and {"fil", "rubrik"} <= error.instance.keys():
            return []  # reported at 'rubrik' by _from_answer_problems
        return [loaded.problem(path, f"ärende {path[1] + 1} saknar 'fil' (en svarsfil) eller "
                               "'rubrik' (ett ärende utan utlåtande)", "möte.ärende")]
    if error.validator == "minItems":
        return [loaded.problem(path, "'ärenden' är tom; skriv mötets ärenden som en lista",
                               "möte.inga_ärenden")]
    return translate_error(error, loaded)


def validate_meeting(loaded: Loaded) -> list[Problem]:
    """Every problem of a meeting file's structure, in file order."""
    if not isinstance(loaded.data, dict):
        return [loaded.problem((), "en mötesfil ska vara en tabell med nycklarna 'möte:' och "
                               f"'ärenden:', inte {type_word(loaded.data)}",
                               "fil.inte_tabell")]
    problems = _from_answer_problems(loaded)
    for error in _validator().iter_errors(jsonable(loaded.data)):
        problems.extend(_translate_meeting(error, loaded))
    return sorted(set(problems), key=lambda p: (p.line, p.column, p.message))


def _from_answer_problems(loaded: Loaded) -> list[Problem]:
    """An item with 'fil' takes its title, number, proposal and appendices from the answer."""
    items = loaded.data.get("ärenden")
    problems = []
    for index, item in enumerate(items if isinstance(items, list) else []):
        if isinstance(item, dict) and "fil" in item:
            problems += [loaded.problem(("ärenden", index, key), f"'{key}' hämtas från "
                                        f"svarsfilen när ärendet har 'fil'; ta bort '{key}' här",
                                        "möte.från_svarsfilen", key=True)
                         for key in FROM_ANSWER if key in item]
    return problems


def _meeting(data: dict[str, Any]) -> Meeting:
    return Meeting(**{key: value for key, value in data.items()
                      if key in Meeting.__dataclass_fields__})


def _proposals(value: str | list[str] | None) -> tuple[ProposalGroup, ...]:
    if not value:
        return ()
    return (ProposalGroup(None, (value,) if isinstance(value, str) else tuple(value)),)


def _answer_item(nummer: int, key_path: KeyPath, entry: str | dict[str, Any], agenda_dir: Path,
                 loaded: Loaded, project: Path, checker: Checker
                 ) -> tuple[Item | None, list[Problem]]:
    """The item of an answer file, checked as `build` checks it."""
    written = entry if isinstance(entry, str) else entry["fil"]
    where = key_path if isinstance(entry, str) else (*key_path, "fil")
    path = agenda_dir / written
    try:
        inside = path.resolve().is_relative_to(project.resolve())
    except (RuntimeError, OSError):  # a symlink loop: check() names it at the file
        return None, checker(path, project).problems
    if not inside:
        return None, [loaded.problem(where, f"svarsfilen '{written}' ligger utanför projektet",
                                     "möte.utanför")]
    if not path.exists():  # a FIFO or a folder exists: check() says what it is
        return None, [loaded.problem(where, f"svarsfilen '{written}' finns inte",
                                     "möte.svarsfil_saknas")]
    checked = checker(path, project)
    if not checked.ok:
        return None, checked.problems
    answer = checked.answer
    assert answer is not None
    item = Item(nummer, key_path, answer.rubrik, answer.underrubrik, answer.diarienummer,
                None if isinstance(entry, str) else entry.get("föredragande"),
                answer.förslag_till_beslut, answer.bilagor, answer.sekretess, checked,
                answer.ärende)
    return item, checked.problems


def _plain_item(nummer: int, key_path: KeyPath, entry: dict[str, Any], agenda_dir: Path,
                loaded: Loaded, project: Path) -> tuple[Item, list[Problem]]:
    bilagor = appendices(entry.get("bilagor"), agenda_dir, key_path)
    root = project.resolve()
    found = (appendix_problem(a, loaded, root) or active_content_warning(a, loaded)
             for a in bilagor if a.fil is not None)
    item = Item(nummer, key_path, entry["rubrik"], None, entry.get("diarienummer"),
                entry.get("föredragande"), _proposals(entry.get("förslag")), bilagor)
    return item, [p for p in found if p is not None]


def _kallelse_theme(items: list[Item], project: Path, loaded: Loaded,
                    offentlig: bool) -> Theme:
    """The meeting file's profile, else the one the statements share (for the public
    version the statements without sekretess), else the built-in one."""
    name = loaded.data["möte"].get("profil")
    if name is not None:
        if not is_profile_name(name) or name not in known_themes(project):
            raise AnswerError([loaded.problem(("möte", "profil"), f"okänd profil '{name}'; "
                                              "ange namnet på en mapp i templates/; kända "
                                              "profiler: " + ", ".join(known_themes(project)),
                                              "möte.profil")])
        return load_theme(name, project)
    themes = {item.checked.theme.name: item.checked.theme for item in items
              if item.checked is not None and item.checked.theme is not None
              and not (offentlig and item.sekretess)}
    if len(themes) == 1:
        return next(iter(themes.values()))
    return load_theme(None, project)


def load_agenda(path: Path, project: Path, offentlig: bool = False,
                checker: Checker = check) -> Agenda:
    """Load and check the meeting file and every answer it names (with `checker`, which
    may take a check from the cache: checks.py); raise with every problem."""
    loaded = load_yaml(path)
    _time_as_typed(loaded)
    problems = validate_meeting(loaded)
    if problems:
        raise AnswerError(problems)
    data = loaded.data
    items: list[Item] = []
    for index, entry in enumerate(data["ärenden"]):
        key_path = ("ärenden", index)
        if isinstance(entry, str) or "fil" in entry:
            item, found = _answer_item(index + 1, key_path, entry, path.parent, loaded, project,
                                       checker)
        else:
            item, found = _plain_item(index + 1, key_path, entry, path.parent, loaded, project)
        problems.extend(found)
        if item is not None:
            items.append(item)
    agenda = Agenda(path, loaded, _meeting(data["möte"]), items,
                    _kallelse_theme(items, project, loaded, offentlig), offentlig)
    problems.extend(_appendices_without_file(agenda))
    if offentlig:
        problems = _without_repeats([*problems, *_personnummer_problems(agenda)])
    if any(p.is_error for p in problems):
        raise AnswerError(problems)
    agenda.warnings = problems
    return agenda


def _time_as_typed(loaded: Loaded) -> None:
    """YAML reads `tid: 18.30` as the number 18.3; the meeting file means the time as typed."""
    meeting = loaded.data.get("möte") if isinstance(loaded.data, dict) else None
    if not isinstance(meeting, dict):
        return
    value = meeting.get("tid")
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return
    line, column = loaded.where(("möte", "tid"))
    typed = loaded.source.splitlines()[line - 1][column - 1:]
    meeting["tid"] = re.split(r"\s#", typed, maxsplit=1)[0].strip()


def _appendices_without_file(agenda: Agenda) -> list[Problem]:
    """An appendix listed without a PDF is named in the list, but its pages are not there."""
    problems = []
    for item in agenda.items:
        if not agenda.shown(item):
            continue
        where = item.checked.loaded if item.checked is not None else agenda.loaded
        if where is None:
            continue
        for appendix in item.bilagor:
            if appendix.fil is None:
                problems.append(where.problem(
                    appendix.key_path, f"bilagan '{appendix.titel}' har ingen fil och kommer "
                    "inte med i kallelsen; skriv den som {titel: …, fil: sökväg till PDF:en}",
                    "möte.bilaga_utan_fil", level=WARNING))
    return problems


def _personnummer_problems(agenda: Agenda) -> list[Problem]:
    """A public agenda takes no personnummer from its sources (public.py)."""
    from .public import source_problems

    answers = [(item.checked.loaded, bool(item.sekretess)) for item in agenda.items
               if item.checked is not None and item.checked.loaded is not None]
    appendices = [(appendix, _appendix_source(agenda, item)) for item in agenda.items
                  if agenda.shown(item) for appendix in item.files]
    return source_problems(agenda.loaded, answers, appendices)


def _appendix_source(agenda: Agenda, item: Item) -> Loaded:
    """The file an item's appendices are named in: its answer file, or the meeting file."""
    if item.checked is not None and item.checked.loaded is not None:
        return item.checked.loaded
    return agenda.loaded


def _without_repeats(problems: list[Problem]) -> list[Problem]:
    """A warning at the very place of an error says the same thing less firmly: drop it."""
    errors = {(p.path, p.line, p.column) for p in problems if p.is_error}
    return [p for p in problems if p.is_error or (p.path, p.line, p.column) not in errors]

