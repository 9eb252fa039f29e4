"""An answer file never chooses code, and every template runs in Jinja's sandbox."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from utlatande.cli import main
from utlatande.pipeline import build, check

from conftest import ROOT

# A template that would run a shell command through Python's internals.
PAYLOAD = "{{ cycler.__init__.__globals__.os.popen('touch hacked').read() }}"


def _evil_folder(where: Path) -> Path:
    """A folder that looks like a profile, with a template that runs a command."""
    (where / "mallar").mkdir(parents=True)
    (where / "tema.yaml").write_text("namn: Ond\n", encoding="utf-8")
    (where / "mallar" / "tjänsteutlåtande.html.j2").write_text(PAYLOAD, encoding="utf-8")
    return where


def _answer(project: Path, profil: str) -> Path:
    (project / "answers").mkdir(exist_ok=True)
    path = project / "answers" / "x.yaml"
    path.write_text(f"mall: tjänsteutlåtande\ndatum: 2024-03-19\nrubrik: R\nprofil: '{profil}'\n",
                    encoding="utf-8")
    return path


@pytest.mark.parametrize("profil", ["../ond", "ond/../ond", "/ABS", ".", "..", "/"])
def test_a_profile_is_a_folder_name_never_a_path(tmp_path, monkeypatch, profil):
    project = tmp_path / "projekt"
    project.mkdir()
    evil = _evil_folder(project / "ond")
    profil = profil.replace("/ABS", str(evil))
    monkeypatch.chdir(project)
    path = _answer(project, profil)
    result = build(path, project / "build", ("pdf", "html"), project)
    assert [str(p) for p in result.problems] == [
        f"answers/x.yaml:4:9: fel: profilen '{profil}' ska vara namnet på en mapp i templates/ "
        "eller en inbyggd profil, inte en sökväg; kända profiler: neutral [schema.profil]"]
    assert not (project / "hacked").exists() and not (project / "build").exists()


def test_inheriting_a_path_is_refused_in_the_profile(tmp_path, monkeypatch):
    project = tmp_path / "projekt"
    _evil_folder(project / "ond")
    (project / "templates" / "egen").mkdir(parents=True)
    (project / "templates" / "egen" / "tema.yaml").write_text("ärver: ../ond\n",
                                                              encoding="utf-8")
    monkeypatch.chdir(project)
    result = check(_answer(project, "egen"), project)
    assert [str(p) for p in result.problems] == [
        "templates/egen/tema.yaml:1:1: fel: profilen '../ond' ska vara namnet på en mapp i "
        "templates/ eller en inbyggd profil, inte en sökväg; kända profiler: neutral, egen "
        "[tema.namn]"]


def test_a_profiles_own_template_cannot_reach_python(tmp_path, monkeypatch):
    project = tmp_path / "projekt"
    _evil_folder(project / "templates" / "ond")
    monkeypatch.chdir(project)
    result = build(_answer(project, "ond"), project / "build", ("pdf", "docx"), project)
    assert [p.code for p in result.problems] == ["mall.fel"]
    assert str(result.problems[0]) == (
        "templates/ond/mallar/tjänsteutlåtande.html.j2:1:1: fel: fel i mallen: mallen "
        "försöker nå Pythons inre delar, och det får en mall inte; mallar körs i en sandlåda "
        "[mall.fel]")
    assert not (project / "hacked").exists() and not (project / "build").exists()


def test_a_kallelse_template_cannot_reach_python(tmp_path, monkeypatch):
    shutil.copytree(ROOT / "templates" / "malmo", tmp_path / "templates" / "malmo")
    kallelse = tmp_path / "templates" / "malmo" / "kallelse"
    kallelse.mkdir(exist_ok=True)
    base = ROOT / "src" / "utlatande" / "themes" / "default" / "kallelse" / "kallelse.html.j2"
    text = base.read_text(encoding="utf-8")
    (kallelse / "kallelse.html.j2").write_text(text + PAYLOAD, encoding="utf-8")
    (tmp_path / "answers").mkdir()
    shutil.copy(ROOT / "answers" / "malmo-svar-namndinitiativ.yaml", tmp_path / "answers")
    (tmp_path / "moten").mkdir()
    (tmp_path / "moten" / "m.yaml").write_text(
        "möte: {organ: Nämnden, datum: 2024-03-19, tid: '17.00', plats: Rådhuset}\n"
        "ärenden:\n  - ../answers/malmo-svar-namndinitiativ.yaml\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["agenda", "moten/m.yaml"])
    assert result.exit_code == 1
    line = len(text.splitlines()) + 1
    assert (f"templates/malmo/kallelse/kallelse.html.j2:{line}:1: fel: fel i mallen: mallen "
            "försöker nå Pythons inre delar, och det får en mall inte; mallar körs i en "
            "sandlåda [mall.fel]") in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "hacked").exists() and not (tmp_path / "build").exists()


def test_a_scaffold_template_cannot_reach_python(tmp_path, monkeypatch):
    scaffolds = tmp_path / "templates" / "ond" / "nya"
    scaffolds.mkdir(parents=True)
    (scaffolds.parent / "tema.yaml").write_text("namn: Ond\n", encoding="utf-8")
    (scaffolds / "tjänsteutlåtande.yaml.j2").write_text(PAYLOAD, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["new", "tjänsteutlåtande", "x.yaml", "--profil", "ond"])
    assert result.exit_code == 1
    assert ("fel i förlagan nya/tjänsteutlåtande.yaml.j2: mallen försöker nå Pythons inre "
            "delar, och det får en mall inte; mallar körs i en sandlåda") in result.output
    assert not (tmp_path / "hacked").exists() and not (tmp_path / "x.yaml").exists()
