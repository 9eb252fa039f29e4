"""The answer format v1 as a JSON Schema, and validation that reports every problem at once."""

from __future__ import annotations

import datetime as dt
import difflib
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError

from .errors import Problem
from .load import InvalidDate, KeyPath, Loaded

SCHEMA_ID = "https://utlatande.se/schema/answer-v1.json"

# Templates whose statement is dated; a frågesvar or a rapport may have no datum.
DATED_MALLAR = ["tjänsteutlåtande", "tjänsteskrivelse"]

HEADING_KEYS = [
    "förslag_till_beslut", "sammanfattning", "frågor", "fråga", "beslutsunderlag",
    "underskrifter", "bilaga", "bilagor", "attestering", "attestering_text",
    "beslutet_skickas_till", "handläggare", "till", "innehållsförteckning", "telefon",
    "namn", "datum", "diarienummer", "er_beteckning", "sekretess",
]


def _text(description: str, **extra: Any) -> dict[str, Any]:
    return {"type": "string", "description": description, **extra}


def _md(description: str) -> dict[str, Any]:
    return {"type": "string", "description": description + " (Markdown)"}


def _date(description: str) -> dict[str, Any]:
    return {"type": "string", "format": "date", "description": description + " (ÅÅÅÅ-MM-DD)"}


def _list(items: dict[str, Any], description: str) -> dict[str, Any]:
    return {"type": "array", "items": items, "description": description}


def _object(properties: dict[str, Any], description: str,
            required: list[str] | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "description": description,
                              "properties": properties, "additionalProperties": False}
    if required:
        schema["required"] = required
    return schema


PERSON = _object({
    "namn": _text("personens namn", minLength=1),
    "titel": _text("titel, t.ex. Socialdirektör"),
    "organisation": _text("personens egen enhet när den skiljer sig från förvaltningen"),
    "telefon": _text("telefonnummer, inom citattecken: \"08-508 251 64\""),
    "epost": _text("e-postadress"),
    "datum": _date("datum för attestering"),
}, "en person", ["namn"])

ATTESTANT = {**PERSON, "required": ["namn", "datum"]}

PROPOSAL_GROUP = _object({
    "rubrik": _text("rubriken över förslagen, t.ex. Förslag till kommunstyrelsens beslut"),
    "punkter": _list(_md("ett beslutsförslag"), "förslagen i gruppen"),
    "numrerad": {"type": "boolean", "description": "numrerad lista (standard) eller stycken"},
}, "en grupp av beslutsförslag", ["punkter"])

QUESTION = _object({
    "rubrik": _text("rubrik; standard är Fråga N"),
    "fråga": _md("frågan, skrivs i fetstil"),
    "svar": _md("svaret"),
}, "en fråga med svar", ["fråga", "svar"])

APPENDIX = {"anyOf": [
    _text("bilagans titel"),
    _object({"titel": _text("bilagans titel", minLength=1),
             "fil": _text("sökväg till en PDF, relativ till svarsfilen")},
            "en bilaga", ["titel"]),
]}


def _section(depth: int) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "rubrik": _text("avsnittets rubrik; utan rubrik fortsätter texten utan rubrik"),
        "text": _md("avsnittets text"),
        "frågor": _list(QUESTION, "frågor och svar i avsnittet"),
    }
    if depth < 3:
        properties["avsnitt"] = _list(_section(depth + 1), "underavsnitt")
    return _object(properties, f"ett avsnitt på nivå {depth}")


ANSWER_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": SCHEMA_ID,
    "title": "utlatande svarsfil, format v1",
    "description": "En svarsfil för ett tjänsteutlåtande, en tjänsteskrivelse, ett frågesvar "
                   "eller en rapport.",
    "type": "object",
    "additionalProperties": False,
    "required": ["mall", "rubrik"],
    "properties": {
        "mall": _text("dokumenttypen", examples=["tjänsteutlåtande", "tjänsteskrivelse",
                                                 "frågesvar", "rapport"]),
        "profil": _text("organisationens profil (tema)"),
        "organisation": _text("t.ex. Stockholms stad"),
        "förvaltning": _text("t.ex. Socialförvaltningen"),
        "avdelning": _text("t.ex. Avdelningen individ och familj"),
        "diarienummer": _text("ärendets diarienummer, t.ex. SN 2024/123"),
        "er_beteckning": _text("mottagarens beteckning"),
        "datum": _date("utlåtandets datum"),
        "till": _text("mottagande organ, t.ex. Socialnämnden"),
        "handläggare": _list(PERSON, "handläggare"),
        "rubrik": _text("dokumentets rubrik", minLength=1),
        "underrubrik": _text("t.ex. Svar på skrivelse från Moderaterna"),
        "ärende": _object({"typ": _text("t.ex. motion, skrivelse, nämndinitiativ"),
                           "från": _text("avsändaren"),
                           "datum": _date("ärendets datum")},
                          "vad som besvaras", ["typ"]),
        "förslag_till_beslut": _list({"anyOf": [_md("ett beslutsförslag"), PROPOSAL_GROUP]},
                                     "förslag till beslut"),
        "sammanfattning": _md("sammanfattningen"),
        "avsnitt": _list(_section(1), "dokumentets avsnitt"),
        "frågor": _list(QUESTION, "frågor och svar"),
        "beslutsunderlag": _list(_text("ett underlag"), "beslutsunderlag"),
        "underskrifter": _list(PERSON, "underskrifter"),
        "bilagor": _list(APPENDIX, "bilagor"),
        "attestering": _list(ATTESTANT, "digital attestering"),
        "beslutet_skickas_till": _list(_text("en mottagare"), "sändlista"),
        "sekretess": _object({"grund": _text("sekretessgrund, t.ex. OSL 26 kap. 1 §",
                                             minLength=1)},
                             "dokumentet innehåller sekretessuppgifter", ["grund"]),
        "metadata": {"type": "object", "description": "rapportens försättsblad: etikett → värde",
                     "additionalProperties": {"type": ["string", "number"]}},
        "innehållsförteckning": {"type": "boolean", "description": "innehållsförteckning"},
        "sidhuvud": _text("löpande sidhuvud"),
        "rubriker": {"type": "object", "description": "egna rubriker i stället för mallens",
                     "propertyNames": {"enum": HEADING_KEYS},
                     "additionalProperties": {"type": "string"}},
    },
    "allOf": [{"if": {"properties": {"mall": {"enum": DATED_MALLAR}}, "required": ["mall"]},
               "then": {"required": ["datum"]}}],
}


_TYPE_WORDS = {"string": "en text", "array": "en lista", "object": "en tabell (nyckel: värde)",
               "boolean": "true eller false", "number": "ett tal", "integer": "ett heltal",
               "null": "tomt"}


def _type_word(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, dict):
        return "en tabell"
    if isinstance(value, list):
        return "en lista"
    if isinstance(value, (int, float)):
        return f"talet {value}"
    if value is None:
        return "tomt"
    return f"texten '{value}'"


def _jsonable(value: Any) -> Any:
    """Dates as ISO text (what the schema's format: date checks), an invalid date as its text."""
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, InvalidDate):
        return value.text
    return value


def _name(path: KeyPath) -> str:
    named = [p for p in path if isinstance(p, str)]
    return f"'{named[-1]}'" if named else "filen"


def _expected(schema: dict[str, Any]) -> str:
    kind = schema.get("type")
    if schema.get("format") == "date":
        return "ett datum (ÅÅÅÅ-MM-DD)"
    if kind == "array" and isinstance(schema.get("items"), dict):
        item = schema["items"]
        if item.get("type") == "object" and "namn" in item.get("properties", {}):
            return "en lista av personer (- namn: …)"
    if isinstance(kind, list):
        return " eller ".join(_TYPE_WORDS.get(k, k) for k in kind)
    return _TYPE_WORDS.get(kind, str(kind))


def _translate(error: ValidationError, loaded: Loaded) -> list[Problem]:
    path: KeyPath = tuple(error.absolute_path)
    kind = error.validator
    if kind == "additionalProperties":
        known = list(error.schema.get("properties", {}))
        return [_unknown_key(loaded, (*path, key), key, known)
                for key in error.instance if key not in error.schema.get("properties", {})]
    if kind == "enum" and "propertyNames" in error.schema_path:
        key = error.instance
        return [_unknown_key(loaded, (*path, key), key, HEADING_KEYS)]
    if kind == "required":
        missing = error.message.split("'")[1]
        where = "i filen" if not path else f"under {_name(path)}"
        return [loaded.problem(path, f"nyckeln '{missing}' saknas {where}", "schema.saknas",
                               key=bool(path))]
    if kind == "format":
        return [loaded.problem(path, f"{_name(path)}: '{error.instance}' är inget giltigt "
                               "datum; skriv ÅÅÅÅ-MM-DD, till exempel 2024-03-19",
                               "schema.datum")]
    if kind == "type":
        hint = ""
        if error.schema.get("type") == "string" and isinstance(error.instance, (int, float)):
            hint = "; sätt värdet inom citattecken"
        return [loaded.problem(path, f"{_name(path)} ska vara {_expected(error.schema)}, inte "
                               f"{_type_word(error.instance)}{hint}", "schema.typ")]
    if kind == "minLength":
        return [loaded.problem(path, f"{_name(path)} får inte vara tom", "schema.tom")]
    if kind == "anyOf":
        return _translate_any_of(error, loaded, path)
    return [loaded.problem(path, f"{_name(path)}: ogiltigt värde", f"schema.{kind}")]


def _translate_any_of(error: ValidationError, loaded: Loaded, path: KeyPath) -> list[Problem]:
    """Report the branch that matches the value's kind (text or mapping), not all of them."""
    wanted = "object" if isinstance(error.instance, dict) else "string"
    for branch, sub in enumerate(error.schema["anyOf"]):
        if sub.get("type") == wanted:
            errors = [e for e in error.context if e.schema_path and e.schema_path[0] == branch]
            return [p for e in errors for p in _translate(e, loaded)]
    return [loaded.problem(path, f"{_name(path)} ska vara en text eller en tabell (nyckel: "
                           f"värde), inte {_type_word(error.instance)}", "schema.typ")]


def _unknown_key(loaded: Loaded, key_path: KeyPath, key: str, known: list[str]) -> Problem:
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    hint = f"; menade du '{close[0]}'?" if close else ""
    return loaded.problem(key_path, f"okänd nyckel '{key}'{hint}", "schema.okänd_nyckel", key=True)


_VALIDATOR = Draft202012Validator(ANSWER_SCHEMA, format_checker=FormatChecker())


def validate_answer(loaded: Loaded, known_mallar: list[str]) -> list[Problem]:
    """Every problem of an answer file, in file order."""
    data = loaded.data
    if not isinstance(data, dict):
        return [loaded.problem((), "en svarsfil ska vara en tabell med nycklar (mall:, "
                               f"rubrik: …), inte {_type_word(data)}", "fil.inte_tabell")]
    problems: list[Problem] = []
    for error in _VALIDATOR.iter_errors(_jsonable(data)):
        problems.extend(_translate(error, loaded))
    mall = data.get("mall")
    if isinstance(mall, str) and mall not in known_mallar:
        close = difflib.get_close_matches(mall, known_mallar, n=1, cutoff=0.6)
        hint = f"menade du '{close[0]}'? " if close else ""
        problems.append(loaded.problem(("mall",), f"okänd mall '{mall}'; {hint}kända mallar: "
                                       + ", ".join(known_mallar), "schema.mall"))
    return sorted(set(problems), key=lambda p: (p.line, p.column, p.message))
