"""tema.yaml has a schema: every setting documented, and a misspelt or mistyped setting is an
error at tema.yaml:line:column instead of being ignored."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from utlatande.cli import main
from utlatande.load import load_yaml
from utlatande.theme_schema import SETTINGS, THEME_SCHEMA, validate_profile

from conftest import ROOT

BUILTIN = ROOT / "src" / "utlatande" / "themes" / "default"
ANSWER = """profil: egen
mall: tjänsteutlåtande
datum: 2024-03-19
rubrik: Ett litet utlåtande
sammanfattning: Kort text.
"""


@pytest.mark.parametrize("path", [BUILTIN / "tema.yaml",
                                  *sorted((ROOT / "templates").glob("*/tema.yaml"))],
                         ids=lambda p: p.parent.name)
def test_every_profile_in_the_repository_is_valid(path):
    assert validate_profile(load_yaml(path)) == []


def test_every_setting_is_described():
    def walk(schema: dict, where: str) -> None:
        for name, sub in schema.get("properties", {}).items():
            assert sub.get("description"), f"{where}{name} has no description"
            walk(sub, f"{where}{name}.")

    walk(THEME_SCHEMA, "")


def test_every_setting_the_templates_read_is_in_the_schema():
    read = set()
    for template in BUILTIN.rglob("*.j2"):
        read |= set(re.findall(r"\bs\.(\w+)", template.read_text(encoding="utf-8")))
    assert read and read <= set(SETTINGS)


def _check(tmp_path: Path, monkeypatch, profile: str) -> list[str]:
    (tmp_path / "templates" / "egen").mkdir(parents=True)
    (tmp_path / "templates" / "egen" / "tema.yaml").write_text(profile, encoding="utf-8")
    (tmp_path / "answers").mkdir()
    (tmp_path / "answers" / "x.yaml").write_text(ANSWER, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["check"])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    return result.output.strip().splitlines()


@pytest.mark.parametrize(("profile", "expected"), [
    ("namn: Egen\ndatumformt: iso\n",
     "templates/egen/tema.yaml:2:1: fel: okänd nyckel 'datumformt'; menade du "
     "'datumformat'? [schema.okänd_nyckel]"),
    ("namn: Egen\ndatumformat: iso8601\n",
     "templates/egen/tema.yaml:2:14: fel: 'datumformat': 'iso8601' går inte; välj bland "
     "iso, ord [tema.värde]"),
    ("namn: Egen\nbrevhuvud: ja\n",
     "templates/egen/tema.yaml:2:12: fel: 'brevhuvud' ska vara true eller false, inte "
     "texten 'ja' [schema.typ]"),
    ("namn: Egen\ntypsnitt: {storlek: 11}\n",
     "templates/egen/tema.yaml:2:21: fel: 'storlek' ska vara en text, inte talet 11; sätt "
     "värdet inom citattecken [schema.typ]"),
    ("namn: Egen\ntypsnitt: {storlek: 11 pt}\n",
     "templates/egen/tema.yaml:2:21: fel: 'storlek': '11 pt' ska vara en storlek i punkter, "
     "till exempel 11pt [tema.värde]"),
    ("namn: Egen\nmallar:\n  tjänsteutlåtande:\n    ordnng: [rubrik]\n",
     "templates/egen/tema.yaml:4:5: fel: okänd nyckel 'ordnng'; menade du 'ordning'? "
     "[schema.okänd_nyckel]"),
    ("namn: Egen\nrubriker: {sammanfatning: Kort}\n",
     "templates/egen/tema.yaml:2:12: fel: okänd nyckel 'sammanfatning'; menade du "
     "'sammanfattning'? [schema.okänd_nyckel]"),
    ("namn: Egen\nunderskrift_rader: [namn, tittel]\n",
     "templates/egen/tema.yaml:2:27: fel: 'underskrift_rader': 'tittel' går inte; välj bland "
     "namn, titel, organisation, telefon, epost, datum [tema.värde]"),
])
def test_a_wrong_setting_is_an_error_at_its_line(tmp_path, monkeypatch, profile, expected):
    assert _check(tmp_path, monkeypatch, profile) == [expected]


def test_the_schema_command_prints_the_profile_schema():
    result = CliRunner().invoke(main, ["schema", "--tema"])
    assert result.exit_code == 0
    assert json.loads(result.output) == THEME_SCHEMA
