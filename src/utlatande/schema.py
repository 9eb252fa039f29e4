"""The answer format v1 as a JSON Schema, and validation that reports every problem at once."""

from __future__ import annotations

import datetime as dt
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError

from .errors import Problem
from .load import InvalidDate, KeyPath, Loaded
from .text import did_you_mean
from .yaml_advice import mapping_in_text

SCHEMA_ID = "https://utlatande.se/schema/answer-v1.json"

# Templates whose statement is dated; a frågesvar or a rapport may have no datum.
DATED_MALLAR = ["tjänsteutlåtande", "tjänsteskrivelse"]

HEADING_KEYS = [
    "förslag_till_beslut", "sammanfattning", "frågor", "fråga", "beslutsunderlag",
    "underskrifter", "bilaga", "bilagor", "attestering", "attestering_text",
    "beslutet_skickas_till", "handläggare", "till", "innehållsförteckning", "telefon",
    "namn", "datum", "diarienummer", "er_beteckning", "sekretess",
]


def text_field(description: str, **extra: Any) -> dict[str, Any]:
    return {"type": "string", "description": description, **extra}


def md_field(description: str) -> dict[str, Any]:
    return {"type": "string", "description": description + " (Markdown)"}


def date_field(description: str) -> dict[str, Any]:
    return {"type": "string", "format": "date", "description": description + " (ÅÅÅÅ-MM-DD)"}


def list_field(items: dict[str, Any], description: str) -> dict[str, Any]:
    return {"type": "array", "items": items, "description": description}


def object_field(properties: dict[str, Any], description: str,
            required: list[str] | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "description": description,
                              "properties": properties, "additionalProperties": False}
    if required:
        schema["required"] = required
    return schema


PERSON = object_field({
    "namn": text_field("personens namn", minLength=1),
    "titel": text_field("titel, t.ex. Socialdirektör"),
    "organisation": text_field("personens egen enhet när den skiljer sig från förvaltningen"),
    "telefon": text_field("telefonnummer, inom citattecken: \"08-508 251 64\""),
    "epost": text_field("e-postadress"),
    "datum": date_field("datum för attestering"),
}, "en person", ["namn"])

ATTESTANT = {**PERSON, "required": ["namn", "datum"]}

PROPOSAL_GROUP = object_field({
    "rubrik": text_field("rubriken över förslagen, t.ex. Förslag till kommunstyrelsens beslut"),
    "punkter": list_field(md_field("ett beslutsförslag"), "förslagen i gruppen"),
    "numrerad": {"type": "boolean", "description": "numrerad lista (standard) eller stycken"},
}, "en grupp av beslutsförslag", ["punkter"])

QUESTION = object_field({
    "rubrik": text_field("rubrik; standard är Fråga N"),
    "fråga": md_field("frågan, skrivs i fetstil"),
    "svar": md_field("svaret"),
}, "en fråga med svar", ["fråga", "svar"])

APPENDIX = {"anyOf": [
    text_field("bilagans titel"),
    object_field({"titel": text_field("bilagans titel", minLength=1),
                  "fil": text_field("sökväg till en PDF, relativ till svarsfilen")},
                 "en bilaga", ["titel"]),
]}


def _section(depth: int) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "rubrik": text_field("avsnittets rubrik; utan rubrik fortsätter texten utan rubrik"),
        "text": md_field("avsnittets text"),
        "frågor": list_field(QUESTION, "frågor och svar i avsnittet"),
    }
    if depth < 3:
        properties["avsnitt"] = list_field(_section(depth + 1), "underavsnitt")
    return object_field(properties, f"ett avsnitt på nivå {depth}")


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
        "mall": text_field("dokumenttypen", examples=["tjänsteutlåtande", "tjänsteskrivelse",
                                                      "frågesvar", "rapport"]),
        "profil": text_field("organisationens profil (tema)"),
        "organisation": text_field("t.ex. Stockholms stad"),
        "förvaltning": text_field("t.ex. Socialförvaltningen"),
        "avdelning": text_field("t.ex. Avdelningen individ och familj"),
        "diarienummer": text_field("ärendets diarienummer, t.ex. SN 2024/123"),
        "er_beteckning": text_field("mottagarens beteckning"),
        "datum": date_field("utlåtandets datum"),
        "till": text_field("mottagande organ, t.ex. Socialnämnden"),
        "handläggare": list_field(PERSON, "handläggare"),
        "rubrik": text_field("dokumentets rubrik", minLength=1),
        "underrubrik": text_field("t.ex. Svar på skrivelse från Moderaterna"),
        "ärende": object_field({"typ": text_field("t.ex. motion, skrivelse, nämndinitiativ"),
                                "från": text_field("avsändaren"),
                                "datum": date_field("ärendets datum")},
                               "vad som besvaras", ["typ"]),
        "förslag_till_beslut": list_field(
            {"anyOf": [md_field("ett beslutsförslag"), PROPOSAL_GROUP]}, "förslag till beslut"),
        "sammanfattning": md_field("sammanfattningen"),
        "avsnitt": list_field(_section(1), "dokumentets avsnitt"),
        "frågor": list_field(QUESTION, "frågor och svar"),
        "beslutsunderlag": list_field(text_field("ett underlag"), "beslutsunderlag"),
        "underskrifter": list_field(PERSON, "underskrifter"),
        "bilagor": list_field(APPENDIX, "bilagor"),
        "attestering": list_field(ATTESTANT, "digital attestering"),
        "beslutet_skickas_till": list_field(text_field("en mottagare"), "sändlista"),
        "sekretess": object_field({"grund": text_field("sekretessgrund, t.ex. OSL 26 kap. 1 §",
                                                       minLength=1)},
                                  "dokumentet innehåller sekretessuppgifter", ["grund"]),
        "metadata": {"type": "object", "description": "rapportens försättsblad: etikett → värde",
                     "additionalProperties": {"type": ["string", "number"]}},
        "innehållsförteckning": {"type": "boolean", "description": "innehållsförteckning"},
        "sidhuvud": text_field("löpande sidhuvud"),
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


QUOTED = 40  # characters of a text value quoted in a message


def type_word(value: Any) -> str:
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
    text = " ".join(str(value).split())
    # Quoted in part: a whole file read by mistake (or through a symlink) is not repeated.
    return f"texten '{text[:QUOTED]}…'" if len(text) > QUOTED else f"texten '{text}'"


def jsonable(value: Any) -> Any:
    """Dates as ISO text (what the schema's format: date checks), an invalid date as its text."""
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, InvalidDate):
        return value.text
    return value


def key_name(path: KeyPath) -> str:
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


def _text_read_as_mapping(error: ValidationError) -> bool:
    """A text was expected, and a one-key mapping came: running text with ': ' in it."""
    instance = error.instance
    if not isinstance(instance, dict) or len(instance) != 1:
        return False
    if error.validator == "type":
        return error.schema.get("type") == "string"
    if error.validator != "anyOf":
        return False
    branches = error.schema["anyOf"]
    known = {key for b in branches for key in b.get("properties", {})}
    return any(b.get("type") == "string" for b in branches) and not set(instance) & known


def translate_error(error: ValidationError, loaded: Loaded) -> list[Problem]:
    path: KeyPath = tuple(error.absolute_path)
    kind = error.validator
    if _text_read_as_mapping(error):
        line, column = loaded.where((*path, next(iter(error.instance))), key=True)
        return [mapping_in_text(loaded.shown, loaded.source, line, column)]
    if kind == "additionalProperties":
        known = list(error.schema.get("properties", {}))
        return [_unknown_key(loaded, (*path, key), key, known)
                for key in error.instance if key not in error.schema.get("properties", {})]
    if kind == "enum" and "propertyNames" in error.schema_path:
        key = error.instance
        return [_unknown_key(loaded, (*path, key), key, HEADING_KEYS)]
    if kind == "required":
        missing = error.message.split("'")[1]
        where = "i filen" if not path else f"under {key_name(path)}"
        return [loaded.problem(path, f"nyckeln '{missing}' saknas {where}", "schema.saknas",
                               key=bool(path))]
    if kind == "format":
        return [loaded.problem(path, f"{key_name(path)}: '{error.instance}' är inget giltigt "
                               "datum; skriv ÅÅÅÅ-MM-DD, till exempel 2024-03-19",
                               "schema.datum")]
    if kind == "type":
        hint = ""
        if error.schema.get("type") == "string" and isinstance(error.instance, (int, float)):
            hint = "; sätt värdet inom citattecken"
        return [loaded.problem(path, f"{key_name(path)} ska vara {_expected(error.schema)}, inte "
                               f"{type_word(error.instance)}{hint}", "schema.typ")]
    if kind == "minLength":
        return [loaded.problem(path, f"{key_name(path)} får inte vara tom", "schema.tom")]
    if kind == "anyOf":
        return _translate_any_of(error, loaded, path)
    return [loaded.problem(path, f"{key_name(path)}: ogiltigt värde", f"schema.{kind}")]


def _translate_any_of(error: ValidationError, loaded: Loaded, path: KeyPath) -> list[Problem]:
    """Report the branch that matches the value's kind (text or mapping), not all of them."""
    wanted = "object" if isinstance(error.instance, dict) else "string"
    for branch, sub in enumerate(error.schema["anyOf"]):
        if sub.get("type") == wanted:
            errors = [e for e in error.context if e.schema_path and e.schema_path[0] == branch]
            return [p for e in errors for p in translate_error(e, loaded)]
    return [loaded.problem(path, f"{key_name(path)} ska vara en text eller en tabell (nyckel: "
                           f"värde), inte {type_word(error.instance)}", "schema.typ")]


def _unknown_key(loaded: Loaded, key_path: KeyPath, key: str, known: list[str]) -> Problem:
    close = did_you_mean(key, known)
    hint = f"; menade du '{close}'?" if close else ""
    return loaded.problem(key_path, f"okänd nyckel '{key}'{hint}", "schema.okänd_nyckel", key=True)


_VALIDATOR = Draft202012Validator(ANSWER_SCHEMA, format_checker=FormatChecker())


def validate_answer(loaded: Loaded, known_mallar: list[str]) -> list[Problem]:
    """Every problem of an answer file, in file order."""
    data = loaded.data
    if not isinstance(data, dict):
        return [loaded.problem((), "en svarsfil ska vara en tabell med nycklar (mall:, "
                               f"rubrik: …), inte {type_word(data)}", "fil.inte_tabell")]
    problems: list[Problem] = []
    for error in _VALIDATOR.iter_errors(jsonable(data)):
        problems.extend(translate_error(error, loaded))
    mall = data.get("mall")
    if isinstance(mall, str) and mall not in known_mallar:
        close = did_you_mean(mall, known_mallar)
        hint = f"menade du '{close}'? " if close else ""
        problems.append(loaded.problem(("mall",), f"okänd mall '{mall}'; {hint}kända mallar: "
                                       + ", ".join(known_mallar), "schema.mall"))
    return sorted(set(problems), key=lambda p: (p.line, p.column, p.message))
