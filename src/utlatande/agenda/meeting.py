"""A meeting file → the board agenda: the kallelse med föredragningslista followed by every
item's statement and appendices in one PDF, the kallelse alone as DOCX, and a web page
with each item's PDF beside it."""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from .errors import AnswerError, Problem, display_path
from .load import KeyPath, Loaded, load_yaml, read_text
from .model import Appendix, ProposalGroup
from .packet import (
    BAND,
    INSET,
    LINK_PREFIX,
    Document,
    Mark,
    PageBand,
    combine,
    finish,
    link_pages,
    page_count,
    place_numbers,
    stamp,
)
from .pipeline import Checked, appendix_problem, check, unreadable_appendix
from .schema import (
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
from .theme import Theme, load_theme
from .write import write_atomic

SCHEMA_ID = "https://utlatande.se/schema/meeting-v1.json"
# Keys an answer file gives its item; with `fil` they may not stand in the meeting file.
FROM_ANSWER = ["rubrik", "diarienummer", "förslag", "bilagor"]
PUBLIC_SUFFIX = "-offentlig"
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
        from .render.html import fill

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


def _appendices(items: list[Any], base: Path, key_path: KeyPath) -> tuple[Appendix, ...]:
    result = []
    for i, item in enumerate(items, start=1):
        where = (*key_path, "bilagor", i - 1)
        if isinstance(item, str):
            result.append(Appendix(i, item, key_path=where))
        else:
            fil = base / item["fil"] if item.get("fil") else None
            result.append(Appendix(i, item["titel"], fil, where, item.get("fil")))
    return tuple(result)


def _answer_item(nummer: int, key_path: KeyPath, entry: str | dict[str, Any], agenda_dir: Path,
                 loaded: Loaded, project: Path) -> tuple[Item | None, list[Problem]]:
    """The item of an answer file, checked as `build` checks it."""
    written = entry if isinstance(entry, str) else entry["fil"]
    where = key_path if isinstance(entry, str) else (*key_path, "fil")
    path = agenda_dir / written
    if not path.resolve().is_relative_to(project.resolve()):
        return None, [loaded.problem(where, f"svarsfilen '{written}' ligger utanför projektet",
                                     "möte.utanför")]
    if not path.is_file():
        return None, [loaded.problem(where, f"svarsfilen '{written}' finns inte",
                                     "möte.svarsfil_saknas")]
    checked = check(path, project)
    if not checked.ok:
        return None, checked.problems
    answer = checked.answer
    assert answer is not None
    item = Item(nummer, key_path, answer.rubrik, answer.underrubrik, answer.diarienummer,
                None if isinstance(entry, str) else entry.get("föredragande"),
                answer.förslag_till_beslut, answer.bilagor, answer.sekretess, checked)
    return item, checked.problems


def _plain_item(nummer: int, key_path: KeyPath, entry: dict[str, Any], agenda_dir: Path,
                loaded: Loaded, project: Path) -> tuple[Item, list[Problem]]:
    bilagor = _appendices(entry.get("bilagor") or [], agenda_dir, key_path)
    root = project.resolve()
    found = (appendix_problem(a, loaded, root) for a in bilagor if a.fil is not None)
    item = Item(nummer, key_path, entry["rubrik"], None, entry.get("diarienummer"),
                entry.get("föredragande"), _proposals(entry.get("förslag")), bilagor)
    return item, [p for p in found if p is not None]


def _kallelse_theme(items: list[Item], project: Path) -> Theme:
    """The profile the statements share, else the built-in one."""
    themes = {item.checked.theme.name: item.checked.theme for item in items
              if item.checked is not None and item.checked.theme is not None}
    if len(themes) == 1:
        return next(iter(themes.values()))
    return load_theme(None, project)


def load_agenda(path: Path, project: Path, offentlig: bool = False) -> Agenda:
    """Load and check the meeting file and every answer it names; raise with every problem."""
    loaded = load_yaml(path)
    problems = validate_meeting(loaded)
    if problems:
        raise AnswerError(problems)
    data = loaded.data
    items: list[Item] = []
    for index, entry in enumerate(data["ärenden"]):
        key_path = ("ärenden", index)
        if isinstance(entry, str) or "fil" in entry:
            item, found = _answer_item(index + 1, key_path, entry, path.parent, loaded, project)
        else:
            item, found = _plain_item(index + 1, key_path, entry, path.parent, loaded, project)
        problems.extend(found)
        if item is not None:
            items.append(item)
    agenda = Agenda(path, loaded, _meeting(data["möte"]), items,
                    _kallelse_theme(items, project), offentlig)
    if offentlig:
        problems = _without_repeats([*problems, *_personnummer_problems(agenda)])
    if any(p.is_error for p in problems):
        raise AnswerError(problems)
    agenda.warnings = problems
    return agenda


def _personnummer_problems(agenda: Agenda) -> list[Problem]:
    """A public agenda takes no personnummer: not from a statement without sekretess, and
    not from the meeting file itself."""
    from .personnummer import find_in_loaded, masked

    remedy = {"mötesfilen": "ta bort numret ur mötesfilen",
              "en svarsfil utan 'sekretess'": "ta bort numret, eller markera ärendet med "
                                              "sekretess: {grund: …}"}
    sources = [(agenda.loaded, agenda.path, "mötesfilen")]
    sources += [(item.checked.loaded, item.checked.path, "en svarsfil utan 'sekretess'")
                for item in agenda.items
                if item.checked is not None and item.checked.loaded is not None
                and not item.sekretess]
    problems = []
    for loaded, path, what in sources:
        for hit in find_in_loaded(loaded, read_text(path)):
            problems.append(Problem(
                display_path(path), hit.line, hit.column,
                f"personnumret {masked(hit.number)} står i {what}; en offentlig kallelse får "
                f"inte innehålla personnummer: {remedy[what]}", "offentlig.personnummer"))
    return problems


def _without_repeats(problems: list[Problem]) -> list[Problem]:
    """A warning at the very place of an error says the same thing less firmly: drop it."""
    errors = {(p.path, p.line, p.column) for p in problems if p.is_error}
    return [p for p in problems if p.is_error or (p.path, p.line, p.column) not in errors]


# -- rendering -------------------------------------------------------------------------

@dataclass
class Part:
    """An item's pages in the packet: its statement and appendices, with their bookmarks."""

    item: Item
    document: Document | None = None
    marks: list[Mark] = field(default_factory=list)
    filename: str | None = None

    @property
    def pages(self) -> int:
        return self.document.pages if self.document is not None else 0

    @property
    def pdf(self) -> bytes:
        return self.document.pdf if self.document is not None else b""


@dataclass
class Row:
    """One row of the föredragningslista, as the templates read it."""

    nummer: int
    rubrik: str
    underrubrik: str | None
    föredragande: str | None
    diarienummer: str | None
    förslag: tuple[ProposalGroup, ...]
    sekretess: str | None
    dold: bool
    bilagor: list[str]
    sida: int | None
    fil: str | None
    sidor: int


def slug(text: str) -> str:
    """A file name from a title: lower case ASCII words joined by '-', at most 50 characters."""
    import unicodedata

    ascii_text = unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode()
    result = ""
    for word in re.findall(r"[a-z0-9]+", ascii_text):
        if len(result) + len(word) + 1 > 50:
            break
        result = f"{result}-{word}" if result else word
    return result or "arende"


def _appendix_pdf(agenda: Agenda, item: Item) -> bytes:
    """A plain item's appendix files, one after the other (its bookmarks are the agenda's)."""
    from .render.pdf import UnreadableAppendix, append_appendices

    try:
        return append_appendices(None, [(None, appendix.fil) for appendix in item.files])
    except UnreadableAppendix as error:
        raise AnswerError([unreadable_appendix(item.files[error.index], agenda.loaded,
                                               error.reason)]) from None


def _statement_marks(item: Item, document: Document) -> list[Mark]:
    """item → statement (its own headings) → Bilaga N, pages counted within the part."""
    from .render.html import settings_for

    checked = item.checked
    assert checked is not None and checked.answer is not None and checked.theme is not None
    settings = settings_for(checked.answer, checked.theme)
    lengths = [page_count(a.fil) for a in item.files if a.fil is not None]
    statement_pages = document.pages - sum(lengths)
    headings = [m for m in document.outline if m.page < statement_pages]
    if len(headings) == 1 and headings[0].title == " ".join(item.rubrik.split()):
        headings = headings[0].children
    label = settings["rubriker"].get("bilaga", "Bilaga")
    start, appendices = statement_pages, []
    for appendix, length in zip(item.files, lengths, strict=True):
        appendices.append(Mark(f"{label} {appendix.nummer}: {appendix.titel}", start))
        start += length
    statement = Mark(settings.get("dokumenttyp") or checked.answer.mall, 0,
                     headings + appendices)
    return [Mark(f"{item.nummer}. {item.rubrik}", 0, [statement])]


def _plain_marks(agenda: Agenda, item: Item) -> list[Mark]:
    start, marks = 0, []
    for appendix in item.files:
        assert appendix.fil is not None
        marks.append(Mark(f"{agenda.label('bilaga')} {appendix.nummer}: {appendix.titel}",
                          start))
        start += page_count(appendix.fil)
    return [Mark(f"{item.nummer}. {item.rubrik}", 0, marks)]


def _render_one(path: Path, project: Path) -> bytes | list[Problem]:
    """One statement's PDF, in a worker process: problems come back as data, not raised."""
    from .pipeline import check, render

    try:
        return render(check(path, project), ("pdf",), project)["pdf"]
    except AnswerError as error:
        return error.problems


def _render_statements(agenda: Agenda, project: Path) -> dict[Path, bytes]:
    """The PDF of every shown statement, each answer once, on every core."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from .pipeline import render

    checked = {}
    for item in agenda.items:
        if agenda.shown(item) and item.checked is not None:
            checked.setdefault(item.checked.path.resolve(), item.checked)
    jobs = min(os.cpu_count() or 1, len(checked))
    if jobs <= 1:
        return {key: render(c, ("pdf",), project)["pdf"] for key, c in checked.items()}
    from .render import pdf  # noqa: F401  WeasyPrint imported once, before the fork

    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        results = dict(zip(checked, pool.map(_render_one, [c.path for c in checked.values()],
                                             [project] * len(checked)), strict=True))
    problems = [p for r in results.values() if isinstance(r, list) for p in r]
    if problems:
        raise AnswerError(problems)
    return results  # type: ignore[return-value]


def render_parts(agenda: Agenda, project: Path) -> list[Part]:
    """Every item's pages, rendered as `build` renders them; none for a hidden item."""
    rendered = _render_statements(agenda, project)  # an answer named twice is rendered once
    parts = []
    for item in agenda.items:
        part = Part(item)
        if not agenda.shown(item):
            parts.append(part)
            continue
        if item.checked is not None:
            key = item.checked.path.resolve()
            # A reader of its own: pages appended twice from one reader would share their
            # content, and each would get the other's page number too.
            part.document = Document(rendered[key])
            part.marks = _statement_marks(item, part.document)
        elif item.files:
            part.document = Document(_appendix_pdf(agenda, item))
            part.marks = _plain_marks(agenda, item)
        if part.pages:
            part.filename = f"{item.nummer:02d}-{slug(item.rubrik)}.pdf"
        parts.append(part)
    return parts


def _starts(parts: list[Part], front_pages: int) -> tuple[dict[int, int], int]:
    """The packet page (1-based) each item with pages starts on, and the packet's length."""
    starts, page = {}, front_pages + 1
    for part in parts:
        if part.pages:
            starts[part.item.nummer] = page
        page += part.pages
    return starts, page - 1


def _rows(agenda: Agenda, parts: list[Part], starts: dict[int, int]) -> list[Row]:
    rows = []
    for part in parts:
        item = part.item
        plain_titles = [a.titel for a in item.bilagor] if item.checked is None else []
        rows.append(Row(item.nummer, item.rubrik, item.underrubrik, item.föredragande,
                        item.diarienummer, item.förslag, item.sekretess,
                        not agenda.shown(item), plain_titles, starts.get(item.nummer),
                        part.filename, part.pages))
    return rows


def _weekday_date(value: dt.date | None) -> str:
    """tisdag 19 mars 2024."""
    from babel.dates import format_date

    return format_date(value, "EEEE d MMMM y", locale="sv_SE") if value else ""


def _clock(time: str) -> str:
    """kl. 17.00, also when the meeting file says "kl. 17.00" itself."""
    return time if time.lower().startswith("kl") else f"kl. {time}"


def _iso(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def _created(meeting: Meeting) -> dt.datetime:
    """The documents' date: SOURCE_DATE_EPOCH when set, else the day the kallelse was made."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).replace(tzinfo=None)
    return dt.datetime.combine(meeting.upprättad or meeting.datum, dt.time())


def _organisation(agenda: Agenda) -> str | None:
    """The organisation the statements share, else the profile's."""
    names = {item.checked.answer.organisation for item in agenda.items
             if item.checked is not None and item.checked.answer is not None}
    if len(names) == 1 and None not in names:
        return names.pop()
    return (agenda.settings.get("standardvärden") or {}).get("organisation")


def _and_list(numbers: list[int]) -> str:
    """1, 4 och 7."""
    words = [str(n) for n in numbers]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " och " + words[-1]


def title(agenda: Agenda) -> str:
    """Kallelse Socialnämnden 2024-03-19."""
    return f"{agenda.label('kallelse')} {agenda.meeting.organ} {agenda.meeting.datum.isoformat()}"


def subject(agenda: Agenda) -> str:
    """Kallelse till sammanträde tisdag 19 mars 2024."""
    return f"{agenda.label('kallelse_till')} {_weekday_date(agenda.meeting.datum)}"


def render_template(agenda: Agenda, name: str, **context: Any) -> str:
    """One of the theme's kallelse templates, with what every one of them reads."""
    from . import markdown

    env = agenda.theme.environment
    env.filters.update(md_inline=markdown.to_inline_html, iso=_iso, dag=_weekday_date,
                       klockan=_clock, sidlank=lambda page: f"{LINK_PREFIX}{page}")
    secret = [item.nummer for item in agenda.items if item.sekretess]
    values = {"m": agenda.meeting, "s": agenda.settings, "etikett": agenda.label,
              "titel": title(agenda), "organisation": _organisation(agenda),
              "offentlig": agenda.offentlig,
              "hemliga": _and_list(secret) if secret else "",
              "skapad": _created(agenda.meeting).strftime("%Y-%m-%dT%H:%M:%SZ"), **context}
    return env.get_template(name).render(**values)


@dataclass
class Composed:
    pdf: bytes
    rows: list[Row]
    pages: int
    front_pages: int
    list_page: int


def _list_page(agenda: Agenda, marks: list[Mark], pages: int) -> int:
    """The page (1-based) of the föredragningslista's heading in the kallelse."""
    wanted = agenda.label("föredragningslista")
    stack = list(marks)
    while stack:
        mark = stack.pop(0)
        if mark.title == wanted:
            return mark.page + 1
        stack.extend(mark.children)
    return min(2, pages)


def compose(agenda: Agenda, parts: list[Part], project: Path) -> Composed:
    """The packet: the kallelse (rendered until its page numbers are stable), every part,
    bookmarks, links and the running page number."""
    from .render.pdf import write_pdf

    # The kallelse carries no "Sida N (M)" of its own: the packet's number stands on it.
    settings = {**agenda.settings, "sidnumrering": ""}
    front_pages, list_page = 2, 2
    for _ in range(6):  # more pages in the list move every item; it settles at once
        starts, total = _starts(parts, front_pages)
        rows = _rows(agenda, parts, starts)
        html = render_template(agenda, "kallelse/kallelse.html.j2", rader=rows, sidor=total,
                               lista_sida=list_page, lankar=True)
        front = Document(write_pdf(html, agenda.theme, settings, project))
        count = front.pages
        found = _list_page(agenda, front.outline, count)
        if (count, found) == (front_pages, list_page):
            break
        front_pages, list_page = count, found
    else:
        raise RuntimeError("kallelsens sidnummer blev aldrig stabila")
    front_marks = [Mark(agenda.label("kallelse"), 0)]
    if list_page > 1:
        front_marks.append(Mark(agenda.label("föredragningslista"), list_page - 1))
    writer = combine([(front, front_marks)] + [(p.document, p.marks) for p in parts])
    link_pages(writer, 0, front_pages)
    bands = place_numbers(writer)
    numbers = write_pdf(_numbers_html(agenda, bands), agenda.theme, settings, project)
    stamp(writer, numbers)
    metadata = {"/Title": title(agenda), "/Author": agenda.meeting.organ,
                "/Subject": subject(agenda), "/Keywords": agenda.label("kallelse"),
                "/Creator": "utlatande",
                "/CreationDate": _created(agenda.meeting).strftime("D:%Y%m%d%H%M%SZ")}
    pdf = finish(writer, metadata, [front.pdf, numbers, *(p.pdf for p in parts)])
    return Composed(pdf, rows, total, front_pages, list_page)


def _numbers_html(agenda: Agenda, bands: list[PageBand]) -> str:
    """The running numbers' pages: one named page per page size and edge."""
    from .render.html import fill

    groups: dict[PageBand, dict[str, Any]] = {}
    pages = []
    pattern = agenda.settings.get("paketnumrering", "{sida} ({sidor})")
    low, high = BAND
    for number, band in enumerate(bands, start=1):
        if band not in groups:
            top, bottom = (band.height - high, low) if band.edge == "botten" \
                else (low, band.height - high)
            groups[band] = {"namn": f"sida{len(groups)}", "bredd": band.width,
                            "hojd": band.height, "topp": round(top, 2),
                            "botten": round(bottom, 2), "vanster": round(INSET[0], 2),
                            "hoger": round(INSET[1], 2)}
        text = fill(pattern, {"organ": agenda.meeting.organ,
                              "datum": agenda.meeting.datum.isoformat(), "sida": number,
                              "sidor": len(bands)})
        pages.append({"grupp": groups[band]["namn"], "text": text})
    return render_template(agenda, "kallelse/sidnummer.html.j2", grupper=list(groups.values()),
                           sidor=pages)


# -- writing ---------------------------------------------------------------------------

@dataclass
class AgendaBuilt:
    """What building an agenda gave: the files written, its warnings and its size."""

    folder: Path
    outputs: list[Path]
    warnings: list[Problem]
    pages: int
    items: int


def output_folder(path: Path, out_root: Path, offentlig: bool) -> Path:
    """build/<möte>/, or build/<möte>-offentlig/ for the public version."""
    return out_root / (path.stem + (PUBLIC_SUFFIX if offentlig else ""))


def _docx(agenda: Agenda, rows: list[Row], composed: Composed) -> bytes:
    """The kallelse and föredragningslista alone, editable, from the same template."""
    from .render.docx import write_docx

    html = render_template(agenda, "kallelse/kallelse.html.j2", rader=rows,
                           sidor=composed.pages, lista_sida=composed.list_page, lankar=False)
    meta = {"title": title(agenda), "author": agenda.meeting.organ, "subject": subject(agenda),
            "keywords": agenda.label("kallelse"), "created": _created(agenda.meeting)}
    return write_docx(html, agenda.settings, meta)


def build_agenda(path: Path, out_root: Path, project: Path, offentlig: bool = False,
                 depfile: Path | None = None) -> AgendaBuilt:
    """Build one meeting's agenda; nothing is written unless every part could be made."""
    agenda = load_agenda(path, project, offentlig)
    parts = render_parts(agenda, project)
    composed = compose(agenda, parts, project)
    folder = output_folder(path, out_root, offentlig)
    packet_pdf, packet_docx = f"{folder.name}.pdf", f"{folder.name}.docx"
    files: dict[str, bytes] = {p.filename: p.pdf for p in parts if p.filename}
    files[packet_pdf] = composed.pdf
    files[packet_docx] = _docx(agenda, composed.rows, composed)
    # Written last: make takes it as the agenda's target, so it is the newest file.
    files["index.html"] = render_template(
        agenda, "kallelse/index.html.j2", rader=composed.rows, sidor=composed.pages,
        paket_pdf=packet_pdf, paket_docx=packet_docx).encode()
    outputs = []
    for name, data in files.items():
        write_atomic(folder / name, data)
        outputs.append(folder / name)
    _remove_stale(folder, set(files))
    if depfile is not None:
        write_atomic(depfile, make_rule(folder / "index.html", dependencies(agenda)).encode())
    return AgendaBuilt(folder, outputs, agenda.warnings, composed.pages,
                       sum(1 for p in parts if agenda.shown(p.item)))


def _remove_stale(folder: Path, written: set[str]) -> None:
    """Item PDFs of an earlier build that are not part of this one."""
    for old in folder.iterdir():
        if ITEM_FILE.match(old.name) and old.name not in written:
            old.unlink()


def dependencies(agenda: Agenda) -> list[Path]:
    """Every file and folder the agenda was made from: the meeting file, the answers,
    appendices, and the theme chains (templates, CSS, fonts, profiles)."""
    themes = {agenda.theme.name: agenda.theme}
    files = [agenda.path]
    for item in agenda.items:
        if item.checked is not None:
            files.append(item.checked.path)
            if item.checked.theme is not None:
                themes[item.checked.theme.name] = item.checked.theme
        if agenda.shown(item):
            files.extend(a.fil for a in item.files if a.fil is not None)
    for theme in themes.values():
        files.extend(theme.dependencies())
        # A folder changes when a file is added to it: a profile's new template counts.
        files.extend(d for folder in theme.folders
                     for d in (folder, *(p for p in folder.rglob("*") if p.is_dir())))
    return list(dict.fromkeys(files))


def _make_path(path: Path) -> str:
    return display_path(path).replace("$", "$$").replace(" ", "\\ ").replace("#", "\\#")


def make_rule(target: Path, prerequisites: list[Path]) -> str:
    """A make rule `target: prerequisites`, each prerequisite also an empty target so that
    a deleted file is a change, not an error (as gcc -MP does)."""
    names = [_make_path(p) for p in prerequisites]
    lines = [f"{_make_path(target)}: \\"] + [f"  {name} \\" for name in names[:-1]]
    lines.append(f"  {names[-1]}")
    lines += [""] + [f"{name}:" for name in names]
    return "\n".join(lines) + "\n"
