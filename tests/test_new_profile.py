"""`utlatande new-profile`: a profile folder that checks and builds every mall at once."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
from click.testing import CliRunner

from test_brand import LOGO
from test_word_template import TEMPLATE_COLOUR, make_template
from utlatande.cli import main


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "kommun").mkdir()
    (tmp_path / "kommun" / "logga.svg").write_text(LOGO, encoding="utf-8")
    make_template(tmp_path / "kommun" / "mall.docx")
    return tmp_path


def test_a_new_profile_checks_and_builds_every_mall_in_both_formats(project):
    runner = CliRunner()
    result = runner.invoke(main, ["new-profile", "vasteby", "--logga", "kommun/logga.svg",
                                  "--från-word", "kommun/mall.docx"])
    assert result.exit_code == 0, result.output
    folder = project / "templates" / "vasteby"
    assert sorted(p.name for p in folder.iterdir()) == [
        "_brand.yml", "logga.svg", "tema.yaml", "word-mall.docx"]
    assert (folder / "logga.svg").read_text(encoding="utf-8") == LOGO
    mallar = ["frågesvar", "rapport", "tjänsteskrivelse", "tjänsteutlåtande"]
    for mall in mallar:
        made = runner.invoke(main, ["new", mall, f"answers/{mall}.yaml", "--profil", "vasteby"])
        assert made.exit_code == 0, made.output
    checked = runner.invoke(main, ["check"])
    # The scaffolds' own texts are warned about (text.platshållare); the profile is clean.
    assert checked.exit_code == 0, checked.output
    assert "fel:" not in checked.output and "templates/" not in checked.output
    built = runner.invoke(main, ["build", "-q", "-j", "1"])
    assert built.exit_code == 0, built.output
    for mall in mallar:
        word = docx.Document(str(project / "build" / f"{mall}.docx"))
        assert word.styles["Heading 1"].font.color.rgb == TEMPLATE_COLOUR
        assert (project / "build" / f"{mall}.pdf").read_bytes().startswith(b"%PDF-")
    html = runner.invoke(main, ["build", "answers/tjänsteutlåtande.yaml", "-f", "html",
                                "-o", "html"])
    assert html.exit_code == 0
    page = (project / "html" / "tjänsteutlåtande.html").read_text(encoding="utf-8")
    assert '<img class="logga" src="templates/vasteby/logga.svg" alt="Vasteby">' in page


@pytest.mark.parametrize(("args", "message"), [
    (["Västerås"], "Fel: profilnamnet 'Västerås' ska bestå av små bokstäver a–z, siffror och "
     "bindestreck, till exempel 'vasteras' eller 'sodra-stadsdelen'\n"),
    (["ny", "--logga", "kommun/mall.docx"], "Fel: kommun/mall.docx: logotypen ska vara en "
     "SVG-, PNG- eller JPEG-fil\n"),
    (["ny", "--logga", "kommun/saknas.svg"], "Fel: kommun/saknas.svg: filen finns inte\n"),
    (["ny", "--från-word", "kommun/mall.docm"], "Fel: kommun/mall.docm: Word-mallar med makron "
     "används inte; spara mallen som .docx eller .dotx utan makron\n"),
    (["ny", "--från-word", "kommun/logga.svg"], "Fel: kommun/logga.svg: Word-mallen ska vara "
     "en .docx- eller .dotx-fil\n"),
])
def test_a_bad_name_logo_or_template_writes_nothing(project, args, message):
    result = CliRunner().invoke(main, ["new-profile", *args])
    assert result.exit_code == 1
    assert result.output == message
    assert not (project / "templates").exists() or not any((project / "templates").iterdir())


def test_an_existing_profile_is_never_overwritten(project):
    folder = project / "templates" / "vasteby"
    folder.mkdir(parents=True)
    (folder / "tema.yaml").write_text("namn: Min egen\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["new-profile", "vasteby"])
    assert result.exit_code == 1
    assert "templates/vasteby finns redan" in result.output
    assert (folder / "tema.yaml").read_text(encoding="utf-8") == "namn: Min egen\n"
    assert sorted(p.name for p in folder.iterdir()) == ["tema.yaml"]


def test_the_swedish_name_gets_the_command():
    result = CliRunner().invoke(main, ["ny-profil", "vasteby"])
    assert result.exit_code == 2
    assert "Fel: okänt kommando 'ny-profil'; menade du 'new-profile'?" in result.output
