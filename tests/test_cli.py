"""The command line through click's runner: help in Swedish, exit codes, outputs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from utlatande.cli import main

MINIMAL = """mall: tjänsteutlåtande
datum: 2024-03-19
rubrik: Ett litet utlåtande
sammanfattning: Kort text.
"""


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _project(tmp_path: Path, **answers: str) -> Path:
    (tmp_path / "answers").mkdir()
    for name, text in answers.items():
        (tmp_path / "answers" / f"{name}.yaml").write_text(text, encoding="utf-8")
    return tmp_path


def _outputs(folder: Path) -> list[str]:
    """The documents in an output folder (not the up-to-date manifest)."""
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))


@pytest.mark.parametrize("command", [[], ["build"], ["check"], ["schema"], ["new-profile"]])
def test_every_command_has_swedish_help(runner, command):
    result = runner.invoke(main, [*command, "--help"])
    assert result.exit_code == 0
    assert "Användning:" in result.output
    assert "Flaggor:" in result.output
    assert "Visa den här hjälpen och avsluta." in result.output
    for english in ("Usage:", "Show this message", "[default:", "DIRECTORY", "TEXT"):
        assert english not in result.output


def test_build_writes_pdf_and_docx_by_default(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(_project(tmp_path, liten=MINIMAL))
    result = runner.invoke(main, ["build"])
    assert result.exit_code == 0, result.output
    assert _outputs(tmp_path / "build") == ["liten.docx", "liten.pdf"]
    assert (tmp_path / "build" / "liten.pdf").read_bytes().startswith(b"%PDF-")
    assert "1 byggda, 0 oförändrade, 0 med fel" in result.output


def test_build_html_only_into_another_folder(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(_project(tmp_path, liten=MINIMAL))
    result = runner.invoke(main, ["build", "answers/liten.yaml", "-o", "ut", "-f", "html"])
    assert result.exit_code == 0, result.output
    assert _outputs(tmp_path / "ut") == ["liten.html"]
    html = (tmp_path / "ut" / "liten.html").read_text(encoding="utf-8")
    assert "<h1 class=\"rubrik\">Ett litet utlåtande</h1>" in html
    assert "19 mars 2024" in html  # the neutral profile writes its date in words


def test_one_bad_answer_fails_the_batch_but_the_others_build(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(_project(tmp_path, bra=MINIMAL, dålig="mall: tjänsteutlåtande\n"
                               "rubrik: Saknar datum\n"))
    result = runner.invoke(main, ["build", "-f", "docx"])
    assert result.exit_code == 1
    assert (tmp_path / "build" / "bra.docx").exists()
    assert not (tmp_path / "build" / "dålig.docx").exists()
    assert "answers/dålig.yaml:1:1: fel: nyckeln 'datum' saknas i filen [schema.saknas]" \
        in result.output
    assert "1 byggda, 0 oförändrade, 1 med fel" in result.output


def test_a_failed_answer_leaves_the_older_output_untouched(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(_project(tmp_path, liten=MINIMAL))
    assert runner.invoke(main, ["build", "-f", "docx"]).exit_code == 0
    before = (tmp_path / "build" / "liten.docx").read_bytes()
    (tmp_path / "answers" / "liten.yaml").write_text(MINIMAL + "okänd: 1\n", encoding="utf-8")
    assert runner.invoke(main, ["build", "-f", "docx"]).exit_code == 1
    assert (tmp_path / "build" / "liten.docx").read_bytes() == before
    assert _outputs(tmp_path / "build") == ["liten.docx"]


@pytest.mark.parametrize("args", [["build", "-f", "odt"], ["build", "--okänd"], ["bygg"]])
def test_usage_errors_exit_2_in_swedish(runner, tmp_path, monkeypatch, args):
    monkeypatch.chdir(_project(tmp_path, liten=MINIMAL))
    result = runner.invoke(main, args)
    assert result.exit_code == 2
    assert "Fel:" in result.output
    assert "Traceback" not in result.output


def test_no_answers_is_a_usage_error(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(main, ["build"])
    assert result.exit_code == 2
    assert "inga svarsfiler hittades" in result.output


def test_check_reports_and_exits(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(_project(tmp_path, bra=MINIMAL))
    assert runner.invoke(main, ["check"]).exit_code == 0
    (tmp_path / "answers" / "bra.yaml").write_text(MINIMAL + "sammanfatning: x\n",
                                                  encoding="utf-8")
    result = runner.invoke(main, ["check"])
    assert result.exit_code == 1
    assert result.output.strip() == ("answers/bra.yaml:5:1: fel: okänd nyckel 'sammanfatning'; "
                                     "menade du 'sammanfattning'? [schema.okänd_nyckel]")
    assert not (tmp_path / "build").exists()


def test_schema_is_json_and_the_committed_copy_is_current(runner, project):
    import json

    result = runner.invoke(main, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert schema["required"] == ["mall", "rubrik"]
    committed = (project / "schema" / "answer.schema.json").read_text(encoding="utf-8")
    assert json.loads(committed) == schema, "run: utlatande schema > schema/answer.schema.json"


def test_project_profile_is_used(runner, tmp_path, monkeypatch, project):
    shutil.copytree(project / "templates", tmp_path / "templates")
    monkeypatch.chdir(_project(tmp_path, rk=MINIMAL.replace("mall:", "profil: rinkeby-kista\n"
                                                           "avdelning: Avdelning X\nmall:")))
    result = runner.invoke(main, ["build", "-f", "html"])
    assert result.exit_code == 0, result.output
    html = (tmp_path / "build" / "rk.html").read_text(encoding="utf-8")
    assert "<p>Borgarfjordsgatan 14</p>" in html
    assert "<p>Rinkeby-Kista stadsdelsförvaltning</p>" in html  # from the profile's defaults
    assert "<p>Avdelning X</p>" in html


# Today's long flags are Swedish; the earlier spellings still work for scripts, unshown.
RENAMED = [("build", "--allt", "--force"), ("build", "--del", "--shard"),
           ("build", "--kontrollera", "--verify"), ("check", "--strikt", "--strict"),
           ("serve", "--öppna", "--open")]


@pytest.mark.parametrize(("command", "today", "earlier"), RENAMED)
def test_the_help_shows_todays_flag_and_not_the_earlier_spelling(runner, command, today,
                                                                 earlier):
    result = runner.invoke(main, [command, "--help"])
    assert result.exit_code == 0
    assert f"  {today}" in result.output
    assert earlier not in result.output


@pytest.mark.parametrize("flag", ["--allt", "--force"])
def test_an_earlier_spelling_does_what_todays_does(runner, tmp_path, monkeypatch, flag):
    monkeypatch.chdir(_project(tmp_path, liten=MINIMAL))
    assert runner.invoke(main, ["build", "-q"]).exit_code == 0
    assert "0 byggda, 1 oförändrade" in runner.invoke(main, ["build"]).output
    result = runner.invoke(main, ["build", flag])
    assert result.exit_code == 0, result.output
    assert "1 byggda, 0 oförändrade" in result.output


@pytest.mark.parametrize(("typed", "named", "not_named"), [
    (["--del", "0"], "'--del'", "--shard"),
    (["--shard", "0"], "'--shard'", "--del"),
    (["--shard=5/4"], "'--shard'", "--del"),
])
def test_an_error_names_the_flag_as_it_was_typed(runner, tmp_path, monkeypatch, typed,
                                                  named, not_named):
    monkeypatch.chdir(_project(tmp_path, liten=MINIMAL))
    result = runner.invoke(main, ["build", *typed])
    assert result.exit_code == 2
    [error] = [line for line in result.output.splitlines() if line.startswith("Fel:")]
    assert f"ogiltigt värde för {named}:" in error
    assert not_named not in error


def test_a_misspelt_flag_is_offered_todays_spelling(runner):
    result = runner.invoke(main, ["build", "--shar", "1/2"])
    assert result.exit_code == 2
    assert "Menade du '--del'?" in result.output
