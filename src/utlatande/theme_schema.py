"""The profile's settings (tema.yaml) as a JSON Schema: every setting, what it does, and its
Swedish problems at tema.yaml:line:column, so a misspelt setting is an error, not ignored.

A new profile setting is added here, with its description, and given its default in the
built-in profile (themes/default/tema.yaml).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import Problem
from .load import KeyPath, Loaded
from .schema import HEADING_KEYS, jsonable, key_name, translate_error

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError

SCHEMA_ID = "https://utlatande.se/schema/tema-v1.json"

# The kallelse's own labels (utlatande agenda), besides the statements' HEADING_KEYS.
AGENDA_HEADING_KEYS = [
    "kallelse", "kallelse_till", "föredragningslista", "tid", "plats", "ordförande",
    "sekreterare", "justerare", "upprättad", "nummer", "ärende", "förslag", "sida",
    "föredragande", "sekretessärende", "offentlig", "offentlig_version",
    "innehåller_sekretess", "sidor", "otaggad", "signerad",
]
# What a signature block can print, line by line: the fields of a person in an answer.
SIGNATURE_LINES = ["namn", "titel", "organisation", "telefon", "epost", "datum"]


def _text(description: str, **extra: Any) -> dict[str, Any]:
    return {"type": "string", "description": description, **extra}


def _flag(description: str) -> dict[str, Any]:
    return {"type": "boolean", "description": description}


SETTINGS: dict[str, dict[str, Any]] = {
    "standardvärden": {
        "type": "object", "additionalProperties": False,
        "description": "värden för svarsfilens nycklar när svarsfilen saknar dem",
        "properties": {key: _text(f"'{key}' när svarsfilen inte har den")
                       for key in ("organisation", "förvaltning", "avdelning")},
    },
    "typsnitt": {
        "type": "object", "additionalProperties": False,
        "description": "typsnitten (i temats fonts/) och textstorleken",
        "properties": {
            "brödtext": _text("brödtextens typsnitt, t.ex. Liberation Serif"),
            "rubriker": _text("rubrikernas typsnitt, t.ex. Liberation Sans"),
            "storlek": _text("brödtextens storlek i punkter, t.ex. 11pt",
                             pattern=r"^[0-9]+(\.[0-9]+)?pt$"),
        },
    },
    "sidnumrering": _text("sidnumret i sidfoten; {sida} och {sidor} blir sidan och antalet "
                          "sidor, t.ex. \"Sida {sida} ({sidor})\""),
    "datumformat": {"enum": ["iso", "ord"], "description": "hur dokumentets datum skrivs: "
                    "iso (2024-03-19) eller ord (19 mars 2024)"},
    "datum_med_etikett": _flag("om huvudfälten skriver etiketten Datum över datumet"),
    "brevhuvud": _flag("brevhuvudet på första sidan: organisation, förvaltning, avdelning, "
                       "dokumenttyp och Dnr"),
    "logga_i_sidhuvud": _flag("logotypen ur _brand.yml (logo.small, annars brevhuvudets) liten "
                              "i sidhuvudet på sidorna efter den första"),
    "adressblock": {"type": "array", "items": {"type": "string"},
                    "description": "adressraderna; {organisation}, {förvaltning} och "
                                   "{avdelning} fylls i, en tom rad börjar en ny spalt"},
    "adressblock_plats": {"enum": ["sidfot", "sist"], "description": "var adressblocket står: "
                          "sidfot (i varje sidas sidfot) eller sist (efter underskrifterna)"},
    "underskrift_rader": {"type": "array", "items": {"enum": SIGNATURE_LINES},
                          "description": "raderna i ett underskriftsblock, i ordning"},
    "underskrifter_layout": {"enum": ["under", "bredvid"], "description": "underskrifterna "
                             "under varandra eller bredvid varandra"},
    "pdf_variant": _text("PDF-standarden, t.ex. pdf/a-2a (arkivbeständig och taggad) eller "
                         "pdf/a-3a (bär även svarsfilen); build --pdf-variant går före"),
    "bilagor_numrerade": _flag("om bilagelistan numreras (Bilaga 1, Bilaga 2 …)"),
    "attestering_ny_sida": _flag("om attesteringen står på en egen sida, utan adressfoten"),
    "rubriker": {
        "type": "object", "additionalProperties": False,
        "description": "rubrikernas och etiketternas ordalydelse",
        "properties": {key: _text(f"ordalydelsen för '{key}'")
                       for key in [*HEADING_KEYS, *AGENDA_HEADING_KEYS]},
    },
    "dokumenttyp": _text("dokumenttypen i brevhuvudet och metadata, t.ex. Tjänsteutlåtande"),
    "ordning": {"type": "array", "items": {"type": "string"},
                "description": "delarnas ordning: namnen på makrona i delar.html.j2"},
    "paketnumrering": _text("kallelsens löpande sidnummer; {organ}, {datum}, {sida} och "
                            "{sidor} fylls i"),
    "förhinder": _text("kallelsens text om förhinder"),
    "ärendetext": {"type": "array", "items": {"type": "string"},
                   "description": "hur ärendet (ärende: {typ, från, datum}) skrivs under "
                                  "rubriken: delar som skrivs bara när varje {namn} i dem har "
                                  "ett värde; {Typ}, {från}, {inkommen}, {datum}"},
    "ärende_neutrum": {"type": "array", "items": {"type": "string"},
                       "description": "ärendetyper som tar 'ett' (ett medborgarförslag): de "
                                      "får 'inkommet' i stället för 'inkommen'"},
    "platshållare": {"type": "array", "items": {"type": "string"},
                     "description": "texterna som utlatande new skriver för handläggaren att "
                                    "byta ut; ett värde som börjar med en av dem är en varning"},
}

THEME_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": SCHEMA_ID,
    "title": "utlatande profil (tema.yaml)",
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "namn": _text("profilens namn, t.ex. Stockholms stad"),
        "ärver": _text("profilen som den här bygger på och bara ändrar i (standard: den "
                       "neutrala)"),
        "förtroende": {"type": "array", "items": {"type": "string", "minLength": 1},
                       "description": "rotcertifikaten (PEM eller DER, i profilens mapp eller "
                                      "en förälders) som signaturerna på profilens "
                                      "utlåtanden ska kedja till; utlatande verify prövar "
                                      "mot dem"},
        **SETTINGS,
        "mallar": {
            "type": "object",
            "description": "inställningar för en mall (dokumenttyp) eller kallelsen; de går "
                           "före de allmänna",
            "additionalProperties": {"type": "object", "additionalProperties": False,
                                     "properties": SETTINGS},
        },
    },
}

_VALIDATOR = None


def _validator():
    global _VALIDATOR
    if _VALIDATOR is None:
        from jsonschema import Draft202012Validator

        _VALIDATOR = Draft202012Validator(THEME_SCHEMA)
    return _VALIDATOR


def validate_profile(loaded: Loaded) -> list[Problem]:
    """Every problem of a profile's settings, in file order."""
    if not isinstance(loaded.data, dict):
        return [loaded.problem((), "en profil (tema.yaml) ska vara en tabell med nycklar",
                               "tema.inte_tabell")]
    problems = [p for error in _validator().iter_errors(jsonable(loaded.data))
                for p in _translate(error, loaded)]
    return sorted(set(problems), key=lambda p: (p.line, p.column, p.message))


def _translate(error: ValidationError, loaded: Loaded) -> list[Problem]:
    """A setting's value that is not among its choices, or not a size; the rest as for
    answer files (unknown keys with "did you mean", types)."""
    path: KeyPath = tuple(error.absolute_path)
    if error.validator == "enum":
        choices = ", ".join(str(c) for c in error.validator_value)
        return [loaded.problem(path, f"{key_name(path)}: '{error.instance}' går inte; välj "
                               f"bland {choices}", "tema.värde")]
    if error.validator == "pattern":
        return [loaded.problem(path, f"{key_name(path)}: '{error.instance}' ska vara en "
                               "storlek i punkter, till exempel 11pt", "tema.värde")]
    return translate_error(error, loaded)
