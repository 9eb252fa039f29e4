"""`utlatande import -o`: an old Word statement, made without utlatande, to a new answer file."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner
from ruamel.yaml import YAML

from utlatande.cli import main

from conftest import ROOT
from textmatch import docx_text, in_order_ratio, seed_text, words
from wordedit import SOFFICE, libreoffice_save

PANDOC = shutil.which("pandoc")


@pytest.fixture
def copy(tmp_path, monkeypatch) -> Path:
    for folder in ("templates", "schema"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    (tmp_path / "answers").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _import(*args: str):
    return CliRunner().invoke(main, ["import", *args])


def _built_words(project: Path, answer: str) -> list[str]:
    result = CliRunner().invoke(main, ["build", "-j", "1", "-f", "docx", answer])
    assert result.exit_code == 0, result.output
    return words(docx_text(project / "build" / (Path(answer).stem + ".docx")))


@pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) saknas: bash "
                    "scripts/setup-system.sh --test installerar det")
def test_a_seed_typed_into_libreoffice_becomes_an_answer_that_says_the_same(copy):
    text = copy / "stockholm.txt"
    text.write_text(seed_text("002"), encoding="utf-8")
    (docx_path,) = libreoffice_save([text], copy / "word")
    result = _import(str(docx_path), "-o", "answers/ny.yaml", "--profil", "stockholm")
    assert result.exit_code == 0, result.output
    data = YAML().load((copy / "answers/ny.yaml").read_text(encoding="utf-8"))
    assert data["rubrik"] == "Skrivelse angående nyckeltjänster"
    assert data["till"] == "Socialnämnden"
    assert [p["namn"] for p in data["handläggare"]] == ["Sofia Linder", "Erik Sundqvist"]
    assert data["förslag_till_beslut"][0].startswith("Socialnämnden godkänner")
    assert "Skrivelsen efterfrågar svar på frågorna" in data["sammanfattning"]
    assert [s.get("rubrik") for s in data["avsnitt"]][:2] == ["Bakgrund", "Ärendet"]
    ratio = in_order_ratio(words(seed_text("002")), _built_words(copy, "answers/ny.yaml"))
    assert ratio >= 0.95, f"{ratio:.1%} of the seed's words in order"


@pytest.mark.skipif(PANDOC is None, reason="pandoc saknas: bash scripts/setup-system.sh --test "
                    "installerar det")
def test_a_statement_made_by_pandoc_becomes_an_answer_that_says_the_same(copy):
    markdown = copy / "malmo.md"
    markdown.write_text(seed_text("000"), encoding="utf-8")
    subprocess.run([PANDOC, str(markdown), "-o", str(copy / "malmo.docx")], check=True,
                   timeout=120)
    result = _import("malmo.docx", "-o", "answers/ny.yaml", "--mall", "frågesvar",
                     "--profil", "malmo")
    assert result.exit_code == 0, result.output
    text = (copy / "answers/ny.yaml").read_text(encoding="utf-8")
    assert "rubrik: Svar till Vänsterpartiet" in text
    ratio = in_order_ratio(words(seed_text("000")), _built_words(copy, "answers/ny.yaml"))
    assert ratio >= 0.95, f"{ratio:.1%} of the seed's words in order"


def _plain_docx(path: Path, paragraphs: list[tuple[str | None, str]]) -> Path:
    import docx

    document = docx.Document()
    for style, text in paragraphs:
        document.add_paragraph(text, style=style)
    document.save(str(path))
    return path


def test_missing_title_and_date_get_todo_comments_and_the_file_checks(copy):
    path = _plain_docx(copy / "gammal.docx", [
        ("Heading 1", "Bakgrund"), (None, "Nämnden har fått en fråga."),
        ("Heading 1", "Beslutsunderlag"), (None, "Tjänsteutlåtande 2024-03-01")])
    result = _import(str(path), "-o", "answers/gammal.yaml")
    assert result.exit_code == 0, result.output
    text = (copy / "answers/gammal.yaml").read_text(encoding="utf-8")
    assert "rubrik: gammal # TODO: rubriken hittades inte i dokumentet\n" in text
    assert "# TODO: datumet hittades inte i dokumentet" in text
    assert "varning: rubriken hittades inte" in result.output
    data = YAML().load(text)
    assert data["beslutsunderlag"] == ["Tjänsteutlåtande 2024-03-01"]
    assert data["avsnitt"] == [{"rubrik": "Bakgrund", "text": "Nämnden har fått en fråga.\n"}]
    assert CliRunner().invoke(main, ["check", "answers/gammal.yaml"]).exit_code == 0


def test_fields_at_the_top_and_the_profiles_headings_are_read(copy):
    path = _plain_docx(copy / "gammal.docx", [
        ("Title", "Svar på motion om parker"), (None, "Dnr: SN 2024/77"),
        (None, "Datum: 19 mars 2024"), ("Heading 1", "Förslag till beslut"),
        ("List Number", "Motionen besvaras."), ("Heading 1", "Sammanfattning"),
        (None, "Kort."), ("Heading 1", "Bedömning"), (None, "Bra."),
        ("Heading 2", "Detaljer"), (None, "Små.")])
    result = _import(str(path), "-o", "answers/ny.yaml")
    assert result.exit_code == 0, result.output
    data = YAML().load((copy / "answers/ny.yaml").read_text(encoding="utf-8"))
    assert data["rubrik"] == "Svar på motion om parker"
    assert data["diarienummer"] == "SN 2024/77"
    assert str(data["datum"]) == "2024-03-19"
    assert data["förslag_till_beslut"] == ["Motionen besvaras."]
    assert data["sammanfattning"] == "Kort."
    assert data["avsnitt"] == [{"rubrik": "Bedömning", "text": "Bra.\n", "avsnitt": [
        {"rubrik": "Detaljer", "text": "Små.\n"}]}]


def test_an_existing_answer_file_is_never_overwritten(copy):
    path = _plain_docx(copy / "gammal.docx", [("Title", "Rubrik"), (None, "Text.")])
    (copy / "answers/finns.yaml").write_text("# min fil\n", encoding="utf-8")
    result = _import(str(path), "-o", "answers/finns.yaml")
    assert result.exit_code == 1
    assert "finns redan" in result.output
    assert (copy / "answers/finns.yaml").read_text(encoding="utf-8") == "# min fil\n"
