"""`utlatande new`: a new answer file for every mall, which checks and builds as it is."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from ruamel.yaml import YAML

from utlatande.cli import main
from utlatande.scaffold import yaml_scalar
from utlatande.schema import ANSWER_SCHEMA, DATED_MALLAR
from utlatande.theme import load_theme

ROOT = Path(__file__).resolve().parents[1]
MALLAR = ["tjänsteutlåtande", "tjänsteskrivelse", "frågesvar", "rapport"]
DELAR = ROOT / "src" / "utlatande" / "themes" / "default" / "delar.html.j2"
TODAY = dt.date.today()


def _macro_keys() -> dict[str, set[str]]:
    """The answer keys (a.<key>) each part of delar.html.j2 prints, with the parts it calls."""
    text = DELAR.read_text(encoding="utf-8")
    bodies = dict(re.findall(r"{% macro (\w+)\(.*?\) %}(.*?){% endmacro %}", text, re.S))
    keys = {name: set(re.findall(r"\ba\.(\w+)", body)) for name, body in bodies.items()}
    for name, body in bodies.items():
        for called in re.findall(r"{{ (\w+)\(", body):
            keys[name] |= keys.get(called, set())
    return keys


def keys_the_mall_uses(mall: str) -> set[str]:
    """Every answer key a mall's parts print, and the document keys every file has."""
    parts = _macro_keys()
    order = load_theme(None, ROOT).settings(mall)["ordning"]
    used = {"mall", "profil", "rubrik", "rubriker", "datum"} | parts["sidfot"]
    for part in order:
        used |= parts[part]
    return used


def _keys_in(text: str) -> set[str]:
    """Top-level keys, written or commented out (`# sekretess: …`)."""
    return set(re.findall(r"^(?:# )?([a-zåäö_]+):", text, re.M))


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _new(runner: CliRunner, *args: str) -> str:
    result = runner.invoke(main, ["new", *args])
    assert result.exit_code == 0, result.output
    return result.output


def _pdf_text(path: Path) -> str:
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True,
                         capture_output=True).stdout.decode()
    return " ".join(out.split())


@pytest.mark.parametrize("mall", MALLAR)
@pytest.mark.parametrize("profil", [None, "stockholm", "rinkeby-kista", "malmo"])
def test_new_file_checks_and_builds_as_it_is(runner, in_project, tmp_path, mall, profil):
    target = tmp_path / "answers" / "ny.yaml"
    output = _new(runner, mall, str(target), *(["--profil", profil] if profil else []))
    assert f"Skrev {target}" in output
    assert "utlatande serve" in output
    checked = runner.invoke(main, ["check", str(target)])
    assert checked.exit_code == 0, checked.output
    # Only the scaffold's own texts are pointed out, and --strikt refuses them.
    lines = checked.output.splitlines()
    assert lines and all(line.endswith("[text.platshållare]") for line in lines), lines
    assert runner.invoke(main, ["check", "--strikt", str(target)]).exit_code == 1
    built = runner.invoke(main, ["build", str(target), "-o", str(tmp_path / "ut"), "-f",
                                 "pdf,docx"])
    assert built.exit_code == 0, built.output
    text = _pdf_text(tmp_path / "ut" / "ny.pdf")
    assert (tmp_path / "ut" / "ny.docx").stat().st_size > 0
    assert YAML(typ="safe").load(target.read_text(encoding="utf-8"))["rubrik"] in text
    if profil in ("stockholm", "rinkeby-kista"):
        assert "Stockholms stad" in text
    if profil == "rinkeby-kista":
        assert "Borgarfjordsgatan 14" in text  # the profile's address block, in the footer
    if mall in DATED_MALLAR:
        # Today's date as the profile prints it: ISO for Stockholm, in words otherwise.
        from utlatande.render.html import date_in_words

        shown = TODAY.isoformat() if profil in ("stockholm", "rinkeby-kista") \
            else date_in_words(TODAY)
        assert shown in text


@pytest.mark.parametrize("mall", MALLAR)
def test_new_file_has_every_key_the_mall_uses_each_with_a_comment(runner, tmp_path, mall,
                                                                   in_project):
    target = tmp_path / f"{mall}.yaml"
    _new(runner, mall, str(target), "--profil", "stockholm")
    text = target.read_text(encoding="utf-8")
    missing = keys_the_mall_uses(mall) - _keys_in(text)
    assert not missing, f"{mall}: nycklar som saknas i den nya filen: {sorted(missing)}"
    assert _keys_in(text) <= set(ANSWER_SCHEMA["properties"])
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if re.match(r"^[a-zåäö_]+:", line):
            assert lines[i - 1].startswith("#"), f"{mall}: '{line}' har ingen kommentar"
    data = YAML(typ="safe").load(text)
    assert data["mall"] == mall
    assert data["datum"] == TODAY
    assert data["profil"] == "stockholm"
    assert data["organisation"] == "Stockholms stad"  # the profile's standardvärde


def test_schema_line_points_at_the_schema_file(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a project of its own: nothing is written in the repository
    target = tmp_path / "build" / "test-new" / "deep" / "ny.yaml"
    _new(runner, "tjänsteutlåtande", str(target))
    first = target.read_text(encoding="utf-8").splitlines()[0]
    match = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", first)
    assert match, first
    assert match.group(1) == "../../../schema/answer.schema.json"
    schema = (target.parent / match.group(1)).resolve()
    assert schema == (tmp_path / "schema" / "answer.schema.json").resolve()
    assert json.loads(schema.read_text()) == ANSWER_SCHEMA


def test_new_in_an_empty_project_writes_the_default_file_and_the_schema(runner, tmp_path,
                                                                         monkeypatch):
    monkeypatch.chdir(tmp_path)
    output = _new(runner, "tjänsteskrivelse")
    target = Path("answers") / f"{TODAY.isoformat()}-tjansteskrivelse.yaml"
    assert f"Skrev {target} (tjänsteskrivelse, profil neutral)." in output
    assert "Skrev schema/answer.schema.json" in output
    assert json.loads(Path("schema/answer.schema.json").read_text()) == ANSWER_SCHEMA
    text = target.read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=../schema/answer.schema.json\n")
    assert "\n# profil: " in text  # no profile: the key is there, commented out
    assert runner.invoke(main, ["check", str(target)]).exit_code == 0


def test_the_only_profile_of_a_project_is_the_default(runner, tmp_path, monkeypatch):
    (tmp_path / "templates" / "vara").mkdir(parents=True)
    (tmp_path / "templates" / "vara" / "tema.yaml").write_text(
        "namn: Vår kommun\nstandardvärden: {organisation: Vårby kommun, förvaltning: "
        "Socialförvaltningen}\nadressblock: [Storgatan 1, 123 45 Vårby]\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    output = _new(runner, "frågesvar", "answers/svar.yaml")
    assert "profil vara" in output
    text = Path("answers/svar.yaml").read_text(encoding="utf-8")
    assert "\nprofil: vara\n" in text
    assert "\norganisation: Vårby kommun\n" in text
    assert "\nförvaltning: Socialförvaltningen\n" in text
    assert "#   Storgatan 1 · 123 45 Vårby\n" in text
    assert runner.invoke(main, ["check", "answers/svar.yaml"]).exit_code == 0


def test_new_never_overwrites(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    target = tmp_path / "answers" / "x.yaml"
    target.parent.mkdir()
    target.write_text("mall: rapport\nrubrik: Mitt arbete\n", encoding="utf-8")
    result = runner.invoke(main, ["new", "rapport", "answers/x.yaml"])
    assert result.exit_code == 1
    assert result.output == ("Fel: answers/x.yaml finns redan; utlatande new skriver aldrig "
                             "över en fil. Välj ett annat filnamn eller ta bort filen först.\n")
    assert target.read_text(encoding="utf-8") == "mall: rapport\nrubrik: Mitt arbete\n"
    assert sorted(p.name for p in target.parent.iterdir()) == ["x.yaml"]  # no temporary left


@pytest.mark.parametrize(("name", "shown"), [
    ("a\nb.yaml", "a\\nb.yaml"), ("a\rb.yaml", "a\\rb.yaml"), ("a\tb.yaml", "a\\tb.yaml"),
    ("a\x1bb.yaml", "a\\u001bb.yaml"), ("a\u2028b.yaml", "a\\u2028b.yaml"),
    ("a\x85b.yaml", "a\\u0085b.yaml")])
def test_a_file_name_with_a_line_break_or_control_character_is_refused(runner, tmp_path,
                                                                       monkeypatch, name,
                                                                       shown):
    """The name stands in the new file's comments: a line break there would end the
    comment and leave YAML that cannot be read."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "answers").mkdir()
    result = runner.invoke(main, ["new", "rapport", f"answers/{name}"])
    assert result.exit_code == 1
    assert result.output == (f'Fel: filnamnet "answers/{shown}" har en radbrytning eller ett '
                             "annat styrtecken; välj ett namn utan sådana tecken\n")
    assert list((tmp_path / "answers").iterdir()) == []


def test_a_profiles_line_breaks_stay_out_of_the_comments(runner, tmp_path, monkeypatch):
    """A profile's name and address lines stand in comments: each is one line there; its
    default values are quoted and read back as they were."""
    (tmp_path / "templates" / "vara").mkdir(parents=True)
    (tmp_path / "templates" / "vara" / "tema.yaml").write_text(
        'namn: "Vår\\nkommun\\r: ja"\nstandardvärden: {organisation: "Vårby\\nkommun"}\n'
        'adressblock: ["Storgatan 1\\nmallar: x", "123 45\\u2028Vårby"]\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    _new(runner, "frågesvar", "answers/svar.yaml")
    text = Path("answers/svar.yaml").read_text(encoding="utf-8")
    assert "# Organisationens profil (brevhuvud, adress, typsnitt, rubriker): Vår kommun : ja.\n" \
        in text
    assert "#   Storgatan 1 mallar: x · 123 45 Vårby\n" in text
    assert '\norganisation: "Vårby\\nkommun"\n' in text
    from ruamel.yaml import YAML

    data = YAML(typ="safe", pure=True).load(text)
    assert (data["organisation"], data["profil"], data["mall"]) == ("Vårby\nkommun", "vara",
                                                                    "frågesvar")
    assert runner.invoke(main, ["check", "answers/svar.yaml"]).exit_code == 0


def test_a_scaffold_that_gives_no_yaml_writes_no_file(runner, tmp_path, monkeypatch):
    (tmp_path / "templates" / "vara" / "nya").mkdir(parents=True)
    (tmp_path / "templates" / "vara" / "tema.yaml").write_text("namn: Vår kommun\n",
                                                               encoding="utf-8")
    (tmp_path / "templates" / "vara" / "nya" / "rapport.yaml.j2").write_text(
        "mall: rapport\nrubrik: [inte stängd\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(main, ["new", "rapport", "answers/x.yaml"])
    assert result.exit_code == 1
    assert result.output.startswith("Fel: förlagan nya/rapport.yaml.j2 ger ingen giltig YAML (")
    assert result.output.endswith("); ingen fil skrevs\n")
    assert not (tmp_path / "answers" / "x.yaml").exists()


@pytest.mark.parametrize(("args", "message"), [
    (["tjänsteutlatande"], "Fel: okänd mall 'tjänsteutlatande'; menade du 'tjänsteutlåtande'? "
                           "kända mallar: frågesvar, rapport, tjänsteskrivelse, tjänsteutlåtande"),
    (["rapport", "x.yaml", "--profil", "stockholn"],
     "Fel: profilen 'stockholn' finns inte; menade du 'stockholm'? kända profiler: neutral, "
     "linkoping, malmo, rinkeby-kista, stockholm"),
])
def test_unknown_mall_or_profile_is_a_swedish_error(runner, in_project, args, message):
    result = runner.invoke(main, ["new", *args])
    assert result.exit_code == 1
    assert result.output == message + "\n"
    assert not (ROOT / "x.yaml").exists()


def test_new_has_swedish_help(runner):
    result = runner.invoke(main, ["new", "--help"])
    assert result.exit_code == 0
    assert "new [FLAGGOR] MALL [FIL]" in result.output
    assert "skrivs aldrig över" in result.output


@given(st.text(st.characters(blacklist_categories=["Cs"]), max_size=40))
def test_yaml_scalar_reads_back_as_the_same_text(text):
    loaded = YAML(typ="safe", pure=True).load(f"k: {yaml_scalar(text)}\n")
    assert loaded == {"k": text}
