"""`utlatande import` of DOCX files that LibreOffice has opened and saved again.

LibreOffice rewrites the whole package when it saves: bookmarks, headers, tracked changes
(w:ins, w:del) and comments come back in its own spelling. Every DOCX here is made once,
and all are saved by one LibreOffice run (it is slow); each test imports into a project of
its own.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from ruamel.yaml import YAML

from test_brand import make_profile
from test_word_template import furnished_template
from utlatande.cli import main

from conftest import ROOT
from wordedit import (
    SOFFICE,
    TABLE_ANSWER,
    assert_letterhead_imported,
    build_docx,
    colleague_edits,
    comment,
    edit,
    expected_after_edits,
    expected_after_markup_edits,
    letterhead_edits,
    libreoffice_save,
    markup_edits,
    paragraph,
    table_answer,
    text_after_edits,
    tracked,
)

pytestmark = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) saknas: bash "
                                "scripts/setup-system.sh --test installerar det")

ANSWERS = sorted(p.name for p in (ROOT / "answers").glob("*.yaml"))
FOLDERS = ("answers", "templates", "schema")


def _project(folder: Path) -> Path:
    for name in FOLDERS:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, folder / name)
    return folder


def _tracked_and_commented(document) -> None:
    p = paragraph(document, "den 19 mars.")
    tracked(p, "ins", " Tillägg.")
    tracked(p, "del", " Borttaget.")
    comment(document, paragraph(document, "Skrivelsen efterfrågar"), "Stämmer detta?")


@pytest.fixture(scope="module")
def saved(tmp_path_factory) -> dict[str, Path]:
    """Every answer built, a few of them edited as a colleague would, all saved by
    LibreOffice in one run: the saved file by name."""
    project = _project(tmp_path_factory.mktemp("byggt"))
    table_answer(project)
    (project / "answers" / "markup.yaml").write_text(TABLE_ANSWER, encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(project)  # the DOCX carries the answer's path from the project
        made = build_docx(project, *ANSWERS, "prov.yaml", "markup.yaml")
    variants = {"ändrad": ("prov", colleague_edits), "märkt": ("markup", markup_edits),
                "spårad": ("stockholm-nyckeltjanster", _tracked_and_commented),
                "brevhuvud": ("sekretess-exempel", letterhead_edits)}
    built = {p.stem: p for p in made}
    for name, (stem, change) in variants.items():
        path = project / "build" / f"{name}.docx"
        shutil.copyfile(built[stem], path)
        edit(path, change)
        made.append(path)
    made.remove(built["prov"])
    made.remove(built["markup"])
    # And one on a profile's Word template, with its own header, text box and date field.
    profile = tmp_path_factory.mktemp("mall")
    make_profile(profile)
    furnished_template(profile / "templates" / "prov" / "word-mall.docx")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(profile)
        made += build_docx(profile, "x.yaml")
    return {p.stem: p for p in libreoffice_save(made, project / "sparat")}


@pytest.fixture
def copy(tmp_path, monkeypatch) -> Path:
    """A project of the test's own, as working folder."""
    monkeypatch.chdir(_project(tmp_path))
    return tmp_path


def _import(*args: str):
    return CliRunner().invoke(main, ["import", *args])


def test_every_answer_comes_back_unchanged_after_a_libreoffice_save(copy, saved):
    before = {n: (copy / "answers" / n).read_bytes() for n in ANSWERS}
    for name in ANSWERS:
        result = _import(str(saved[Path(name).stem]))
        assert result.exit_code == 0, result.output
        assert "varning" not in result.output, result.output
        assert "inga ändringar att hämta" in result.output
    assert {n: (copy / "answers" / n).read_bytes() for n in ANSWERS} == before


def test_edits_saved_by_libreoffice_come_back(copy, saved):
    answer = table_answer(copy)
    result = _import(str(saved["ändrad"]))
    assert result.exit_code == 0, result.output
    assert "varning" not in result.output, result.output
    expected = expected_after_edits(YAML().load(TABLE_ANSWER.replace(
        "Text med en fotnot.", "Text med en fotnot. Tabell tar slut.")))
    assert YAML().load(answer.read_text(encoding="utf-8")) == expected
    assert answer.read_text(encoding="utf-8") == text_after_edits()


def test_tracked_changes_saved_by_libreoffice_are_listed_and_nothing_is_written(copy, saved):
    answer = copy / "answers" / "stockholm-nyckeltjanster.yaml"
    before = answer.read_bytes()
    result = _import(str(saved["spårad"]))
    assert result.exit_code == 1, result.output
    assert ("spårad ändring (infogning) av Eva Ström 2024-03-20 i 'avsnitt[0].text': "
            "'Tillägg.'") in result.output
    assert ("spårad ändring (borttagning) av Eva Ström 2024-03-20 i 'avsnitt[0].text': "
            "'Borttaget.'") in result.output
    assert "ingenting skrevs" in result.output
    assert answer.read_bytes() == before


def test_tracked_changes_saved_by_libreoffice_accepted_or_rejected(copy, saved):
    answer = copy / "answers" / "stockholm-nyckeltjanster.yaml"
    before = answer.read_bytes()
    result = _import(str(saved["spårad"]), "--avvisa-ändringar")
    assert result.exit_code == 0, result.output
    text = YAML().load(answer.read_text(encoding="utf-8"))["avsnitt"][0]["text"]
    assert "19 mars. Borttaget." in text and "Tillägg" not in text
    answer.write_bytes(before)
    result = _import(str(saved["spårad"]), "--acceptera-ändringar")
    assert result.exit_code == 0, result.output
    text = YAML().load(answer.read_text(encoding="utf-8"))["avsnitt"][0]["text"]
    assert "19 mars. Tillägg." in text and "Borttaget" not in text


def test_comments_saved_by_libreoffice_are_printed(copy, saved):
    result = _import(str(saved["spårad"]), "--acceptera-ändringar")
    assert result.exit_code == 0, result.output
    assert ("varning: kommentar från Eva Ström i 'sammanfattning': Stämmer detta?"
            in result.output), result.output


def test_letterhead_edits_saved_by_libreoffice_come_back_or_are_listed(copy, saved):
    answer = copy / "answers" / "sekretess-exempel.yaml"
    before = answer.read_text(encoding="utf-8")
    result = _import(str(saved["brevhuvud"]))
    assert result.exit_code == 0, result.output
    assert_letterhead_imported(answer, before, result.output)


def test_words_changed_inside_markup_saved_by_libreoffice_come_back_and_only_they(copy, saved):
    answer = copy / "answers" / "markup.yaml"
    answer.write_text(TABLE_ANSWER, encoding="utf-8")
    result = _import(str(saved["märkt"]))
    assert result.exit_code == 0, result.output
    assert "varning" not in result.output, result.output
    assert answer.read_text(encoding="utf-8") == expected_after_markup_edits(TABLE_ANSWER)


def test_a_word_templates_own_header_and_footer_saved_by_libreoffice_warn_of_nothing(
        tmp_path, monkeypatch, saved):
    monkeypatch.chdir(tmp_path)
    make_profile(tmp_path)
    before = (tmp_path / "answers" / "x.yaml").read_bytes()
    result = _import(str(saved["x"]))
    assert result.exit_code == 0, result.output
    assert "varning" not in result.output and "inga ändringar" in result.output
    assert (tmp_path / "answers" / "x.yaml").read_bytes() == before
