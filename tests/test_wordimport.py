"""`utlatande import`: Word edits in a built DOCX come back into the answer file."""

from __future__ import annotations

import base64
import html
import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from ruamel.yaml import YAML

from test_brand import make_profile
from test_word_template import furnished_template
from utlatande.cli import main

from conftest import ROOT
from wordedit import (
    LETTERHEAD_WARNINGS,
    TABLE_ANSWER,
    add_row,
    assert_letterhead_imported,
    build_docx,
    colleague_edits,
    comment,
    edit,
    endnote,
    expected_after_edits,
    expected_after_markup_edits,
    footnote,
    furniture_paragraph,
    insert_after,
    letterhead_edits,
    markup_edits,
    paragraph,
    replace,
    replace_part,
    set_text,
    table_answer,
    text_after_edits,
    text_box,
    tracked,
)

ANSWERS = sorted(p.name for p in (ROOT / "answers").glob("*.yaml"))


@pytest.fixture
def copy(tmp_path, monkeypatch) -> Path:
    """The project's answers and profiles in a folder of the test's own, as working folder."""
    for folder in ("answers", "templates", "schema"):
        if (ROOT / folder).is_dir():
            shutil.copytree(ROOT / folder, tmp_path / folder)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _import(*args: str):
    return CliRunner().invoke(main, ["import", *args])


def _data(path: Path):
    return YAML().load(path.read_text(encoding="utf-8"))


# -- round trip ------------------------------------------------------------------------
def test_every_answer_comes_back_unchanged(copy):
    before = {n: (copy / "answers" / n).read_bytes() for n in ANSWERS}
    for docx_path in build_docx(copy, *ANSWERS):
        result = _import(str(docx_path))
        assert result.exit_code == 0, result.output
        assert "inga ändringar att hämta" in result.output
        assert "varning" not in result.output, result.output
    assert {n: (copy / "answers" / n).read_bytes() for n in ANSWERS} == before


def test_the_docx_carries_the_answer_and_a_marker_per_block(copy):
    (docx_path,) = build_docx(copy, "stockholm-nyckeltjanster.yaml")
    with zipfile.ZipFile(docx_path) as archive:
        document = archive.read("word/document.xml").decode()
        parts = [archive.read(n) for n in archive.namelist() if n.startswith("customXml/item")]
    embedded = next(p for p in parts if b"urn:utlatande:svar:1" in p and b"<svar>" in p)
    text = re.search(rb"<svar>([^<]*)</svar>", embedded).group(1)
    assert base64.b64decode(text) == (copy / "answers/stockholm-nyckeltjanster.yaml").read_bytes()
    assert b"<svarsfil>answers/stockholm-nyckeltjanster.yaml</svarsfil>" in embedded
    marks = re.findall(r'w:name="(_utl_\d+)"', document)
    assert len(marks) == len(set(marks)) > 40


# -- edits ---------------------------------------------------------------------------
def test_edits_in_word_come_back_and_nothing_else_changes(copy):
    answer = table_answer(copy)
    (docx_path,) = build_docx(copy, "prov.yaml")
    edit(docx_path, colleague_edits)
    result = _import(str(docx_path))
    assert result.exit_code == 0, result.output
    text = answer.read_text(encoding="utf-8")
    assert text.startswith("# Ett utlåtande med allt Markdown kan: kommentaren ska stå kvar.\n")
    assert "  - {namn: Eva Ström, titel: Enhetschef}\n" in text  # flow style kept
    expected = expected_after_edits(YAML().load(TABLE_ANSWER.replace(
        "Text med en fotnot.", "Text med en fotnot. Tabell tar slut.")))
    assert _data(answer) == expected
    assert text == text_after_edits()  # byte for byte: the rest as typed
    assert "4 ändrade värden" in result.output


def test_words_changed_inside_markup_come_back_and_only_they(copy):
    answer = copy / "answers" / "prov.yaml"
    answer.write_text(TABLE_ANSWER, encoding="utf-8")
    (docx_path,) = build_docx(copy, "prov.yaml")
    edit(docx_path, markup_edits)
    result = _import(str(docx_path))
    assert result.exit_code == 0, result.output
    assert "varning" not in result.output, result.output
    assert answer.read_text(encoding="utf-8") == expected_after_markup_edits(TABLE_ANSWER)


def test_a_real_answer_edited_keeps_its_comments_and_other_values(copy):
    answer = copy / "answers" / "stockholm-nyckeltjanster.yaml"
    before = answer.read_text(encoding="utf-8")
    (docx_path,) = build_docx(copy, answer.name)
    edit(docx_path, lambda d: replace(paragraph(d, "den 19 mars."), "den 19 mars",
                                      "den 26 mars"))
    result = _import(str(docx_path))
    assert result.exit_code == 0, result.output
    after = answer.read_text(encoding="utf-8")
    changed = [(a, b) for a, b in zip(before.splitlines(), after.splitlines(), strict=True)
               if a != b]
    assert len(changed) == 1 and "den 26 mars" in changed[0][1]


def test_a_new_heading_becomes_a_new_section_after_the_one_it_follows(copy):
    answer = copy / "answers" / "stockholm-nyckeltjanster.yaml"
    (docx_path,) = build_docx(copy, answer.name)

    def change(document):
        text = insert_after(paragraph(document, "den 19 mars."), "Ny text under ny rubrik.")
        heading = insert_after(paragraph(document, "den 19 mars."), "Ny rubrik")
        heading.insert(0, _heading_style())
        insert_after(text, "Ett andra stycke.")
    edit(docx_path, change)
    result = _import(str(docx_path))
    assert result.exit_code == 0, result.output
    sections = _data(answer)["avsnitt"]
    assert [s.get("rubrik") for s in sections[:3]] == ["Bakgrund", "Ny rubrik", "Ärendet"]
    assert sections[1]["text"] == "Ny text under ny rubrik.\n\nEtt andra stycke.\n"
    assert "den 19 mars." in sections[0]["text"] and "Ny" not in sections[0]["text"]


def _heading_style():
    """<w:pPr><w:pStyle w:val="Heading1"/></w:pPr>: the paragraph made Heading 1."""
    ppr = OxmlElement("w:pPr")
    style = OxmlElement("w:pStyle")
    style.set(qn("w:val"), "Heading1")
    ppr.append(style)
    return ppr


def test_visa_prints_the_diff_and_writes_nothing(copy):
    answer = copy / "answers" / "stockholm-nyckeltjanster.yaml"
    before = answer.read_bytes()
    (docx_path,) = build_docx(copy, answer.name)
    edit(docx_path, _new_receiver)
    result = _import(str(docx_path), "--visa")
    assert result.exit_code == 0, result.output
    assert "-till: Socialnämnden\n+till: Kommunstyrelsen\n" in result.output
    assert answer.read_bytes() == before


def _new_receiver(document) -> None:
    set_text(paragraph(document, "Socialnämnden", exact=True), "Kommunstyrelsen")


# -- three ways ----------------------------------------------------------------------
def test_an_edit_in_the_yaml_and_one_in_word_both_land(copy):
    answer = copy / "answers" / "stockholm-nyckeltjanster.yaml"
    (docx_path,) = build_docx(copy, answer.name)
    edit(docx_path, _new_receiver)
    answer.write_text(answer.read_text(encoding="utf-8").replace(
        "underrubrik: Svar på skrivelse från Moderaterna",
        "underrubrik: Svar på skrivelse från (M)"), encoding="utf-8")
    result = _import(str(docx_path))
    assert result.exit_code == 0, result.output
    data = _data(answer)
    assert data["till"] == "Kommunstyrelsen"
    assert data["underrubrik"] == "Svar på skrivelse från (M)"


def test_the_same_key_edited_on_both_sides_is_a_conflict(copy):
    answer = copy / "answers" / "stockholm-nyckeltjanster.yaml"
    (docx_path,) = build_docx(copy, answer.name)
    edit(docx_path, _new_receiver)
    answer.write_text(answer.read_text(encoding="utf-8").replace(
        "till: Socialnämnden", "till: Kommunfullmäktige"), encoding="utf-8")
    before = answer.read_bytes()
    result = _import(str(docx_path))
    assert result.exit_code == 1
    assert ("answers/stockholm-nyckeltjanster.yaml:8:7: konflikt: 'till' ändrades både i Word "
            "och i svarsfilen\n  i Word:\n    | Kommunstyrelsen\n  i svarsfilen:\n"
            "    | Kommunfullmäktige\n") in result.output
    assert answer.read_bytes() == before


# -- tracked changes and comments ----------------------------------------------------
def _with_tracked_changes(copy: Path) -> Path:
    (docx_path,) = build_docx(copy, "stockholm-nyckeltjanster.yaml")

    def change(document):
        p = paragraph(document, "den 19 mars.")
        tracked(p, "ins", " Tillägg.")
        tracked(p, "del", " Borttaget.")
    edit(docx_path, change)
    return docx_path


def test_pending_tracked_changes_are_listed_and_nothing_is_written(copy):
    answer = copy / "answers" / "stockholm-nyckeltjanster.yaml"
    before = answer.read_bytes()
    result = _import(str(_with_tracked_changes(copy)))
    assert result.exit_code == 1
    assert ("spårad ändring (infogning) av Eva Ström 2024-03-20 i 'avsnitt[0].text': "
            "'Tillägg.'") in result.output
    assert "spårad ändring (borttagning) av Eva Ström 2024-03-20 i 'avsnitt[0].text': " \
        "'Borttaget.'" in result.output
    assert answer.read_bytes() == before


def test_tracked_changes_accepted_or_rejected(copy):
    answer = copy / "answers" / "stockholm-nyckeltjanster.yaml"
    docx_path = _with_tracked_changes(copy)
    before = answer.read_bytes()
    result = _import(str(docx_path), "--avvisa-ändringar")
    assert result.exit_code == 0, result.output
    assert "19 mars. Borttaget." in _data(answer)["avsnitt"][0]["text"]
    answer.write_bytes(before)
    result = _import(str(docx_path), "--acceptera-ändringar")
    assert result.exit_code == 0, result.output
    text = _data(answer)["avsnitt"][0]["text"]
    assert "19 mars. Tillägg." in text and "Borttaget" not in text
    assert _import(str(docx_path), "--acceptera-ändringar", "--avvisa-ändringar").exit_code == 2


def test_comments_are_printed_as_warnings(copy):
    (docx_path,) = build_docx(copy, "stockholm-nyckeltjanster.yaml")
    edit(docx_path, lambda d: comment(d, paragraph(d, "den 19 mars."), "Stämmer datumet?"))
    result = _import(str(docx_path))
    assert result.exit_code == 0, result.output
    assert "varning: kommentar från Eva Ström i 'avsnitt[0].text': Stämmer datumet?" \
        in result.output


# -- bad input -----------------------------------------------------------------------
def _bad(copy: Path, name: str, data: bytes) -> Path:
    path = copy / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(("make", "message"), [
    (lambda c: _bad(c, "x.docx", b"inte en zip"), "är ingen DOCX-fil"),
    (lambda c: _bad(c, "x.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600),
     "lösenordsskyddad"),
    (lambda c: _bad(c, "saknas.docx", b"") and c / "finns-inte.docx", "filen finns inte"),
])
def test_a_file_that_is_no_docx_is_refused(copy, make, message):
    before = {n: (copy / "answers" / n).read_bytes() for n in ANSWERS}
    result = _import(str(make(copy)))
    assert result.exit_code == 1
    assert message in result.output and "Traceback" not in result.output
    assert {n: (copy / "answers" / n).read_bytes() for n in ANSWERS} == before


def test_a_docx_saved_with_a_password_is_refused(copy):
    """A real password-protected DOCX (ECMA-376 agile encryption, as Word writes it)."""
    from msoffcrypto.format.ooxml import OOXMLFile

    (docx_path,) = build_docx(copy, "stockholm-nyckeltjanster.yaml")
    locked = copy / "låst.docx"
    with docx_path.open("rb") as plain, locked.open("wb") as out:
        OOXMLFile(plain).encrypt("hemligt", out)
    before = {n: (copy / "answers" / n).read_bytes() for n in ANSWERS}
    result = _import(str(locked))
    assert result.exit_code == 1
    assert "lösenordsskyddad" in result.output and "Traceback" not in result.output
    assert {n: (copy / "answers" / n).read_bytes() for n in ANSWERS} == before


def _edited_docx(copy: Path) -> tuple[Path, Path, bytes]:
    """A built DOCX with an edit an import would take: (DOCX, answer, answer's bytes)."""
    answer = copy / "answers" / "stockholm-nyckeltjanster.yaml"
    (docx_path,) = build_docx(copy, answer.name)
    edit(docx_path, _new_receiver)
    return docx_path, answer, answer.read_bytes()


def _with_macros(docx_path: Path) -> None:
    with zipfile.ZipFile(docx_path, "a") as archive:
        archive.writestr("word/vbaProject.bin", b"\0" * 64)


def _as_docm(docx_path: Path) -> None:
    """Saved as .docm: the main part's content type says macros may be in it."""
    with zipfile.ZipFile(docx_path) as archive:
        types = archive.read("[Content_Types].xml")
    replace_part(docx_path, "[Content_Types].xml", types.replace(
        b"wordprocessingml.document.main+xml", b"ms-word.document.macroEnabled.main+xml"))


@pytest.mark.parametrize("make_macro_enabled", [_with_macros, _as_docm])
def test_a_macro_enabled_file_is_refused(copy, make_macro_enabled):
    docx_path, answer, before = _edited_docx(copy)
    make_macro_enabled(docx_path)
    result = _import(str(docx_path))
    assert result.exit_code == 1 and "innehåller makron" in result.output
    assert "Traceback" not in result.output
    assert answer.read_bytes() == before


@pytest.mark.parametrize(("parts", "size"), [(1, 12 * 1024 * 1024), (22, 9_800_000)])
def test_a_zip_bomb_is_refused(copy, parts, size):
    """A part that inflates a thousandfold, or parts that inflate past 200 MB together, in
    a DOCX that is otherwise a built one with an edit in it."""
    docx_path, answer, before = _edited_docx(copy)
    with zipfile.ZipFile(docx_path, "a", zipfile.ZIP_DEFLATED) as archive:
        for i in range(parts):
            archive.writestr(f"word/media/fyllnad{i}.bin", b"\0" * size)
    result = _import(str(docx_path))
    assert result.exit_code == 1 and "zip-bomb" in result.output, result.output
    assert answer.read_bytes() == before


def test_an_embedded_answer_that_is_not_yaml_is_refused(copy):
    answer = copy / "answers" / "stockholm-nyckeltjanster.yaml"
    before = answer.read_bytes()
    (docx_path,) = build_docx(copy, answer.name)
    edit(docx_path, _new_receiver)
    with zipfile.ZipFile(docx_path) as archive:
        name, data = next((n, archive.read(n)) for n in archive.namelist()
                          if b"<svar>" in archive.read(n))
    broken = re.sub(rb"<svar>[^<]*</svar>",
                    b"<svar>" + base64.b64encode(b"till: [oavslutad\n") + b"</svar>", data)
    replace_part(docx_path, name, broken)
    result = _import(str(docx_path))
    assert result.exit_code == 1
    assert "inte giltig YAML" in result.output and "Traceback" not in result.output
    assert answer.read_bytes() == before


# -- build never overwrites a colleague's edits ----------------------------------------
def _build_cli(*args: str):
    return CliRunner().invoke(main, ["build", "-j", "1", *args])


def test_build_leaves_an_edited_docx_and_its_pdf_alone(copy):
    answer = "answers/malmo-svar-namndinitiativ.yaml"
    assert _build_cli(answer, "-f", "docx,html").exit_code == 0
    docx_path = copy / "build" / "malmo-svar-namndinitiativ.docx"
    html_path = docx_path.with_suffix(".html")
    edit(docx_path, lambda d: insert_after(paragraph(d, "Fråga 1", exact=True), "Ny text."))
    edited, html = docx_path.read_bytes(), html_path.read_bytes()
    (copy / answer).write_text((copy / answer).read_text(encoding="utf-8") + "# ny rad\n",
                               encoding="utf-8")
    result = _build_cli(answer, "-f", "docx,html")
    assert result.exit_code == 1
    assert ("build/malmo-svar-namndinitiativ.docx har ändrats efter bygget; hämta ändringarna "
            "med 'utlatande import build/malmo-svar-namndinitiativ.docx' eller bygg om med "
            "--tvinga") in result.output
    assert docx_path.read_bytes() == edited and html_path.read_bytes() == html
    assert _build_cli(answer, "-f", "docx,html", "--allt").exit_code == 1  # --allt is not it
    assert docx_path.read_bytes() == edited
    result = _build_cli(answer, "-f", "docx,html", "--tvinga")
    assert result.exit_code == 0, result.output
    assert docx_path.read_bytes() != edited


MAKE = shutil.which("make")


def _make(project: Path) -> subprocess.CompletedProcess:
    """`make` in a project folder, with the repository's Makefile and this test's .venv (its
    set-up step taken as done)."""
    venv = Path(sys.executable).parent.parent
    return subprocess.run([MAKE, "-f", str(ROOT / "Makefile"), "-o", str(venv / ".installed"),
                           f"VENV={venv}", "build"], cwd=project, capture_output=True,
                          text=True, timeout=600)


@pytest.mark.skipif(MAKE is None, reason="make saknas")
def test_make_leaves_an_edited_docx_alone(copy):
    for extra in copy.glob("answers/*.yaml"):
        if extra.name != "stockholm-nyckeltjanster.yaml":
            extra.unlink()  # one answer is enough, and quicker
    answer = copy / "answers" / "stockholm-nyckeltjanster.yaml"
    first = _make(copy)
    assert first.returncode == 0, first.stdout + first.stderr
    docx_path = copy / "build" / "stockholm-nyckeltjanster.docx"
    pdf = docx_path.with_suffix(".pdf").read_bytes()
    edit(docx_path, _new_receiver)
    edited = docx_path.read_bytes()
    # A change the PDF would show, were it rebuilt.
    answer.write_text(answer.read_text(encoding="utf-8").replace(
        "till: Socialnämnden", "till: Kommunfullmäktige"), encoding="utf-8")
    again = _make(copy)
    assert again.returncode != 0
    assert ("build/stockholm-nyckeltjanster.docx har ändrats efter bygget; hämta ändringarna "
            "med 'utlatande import build/stockholm-nyckeltjanster.docx' eller bygg om med "
            "--tvinga") in again.stdout + again.stderr
    assert docx_path.read_bytes() == edited
    assert docx_path.with_suffix(".pdf").read_bytes() == pdf


def test_after_import_the_next_build_replaces_the_docx(copy):
    answer = copy / "answers" / "stockholm-nyckeltjanster.yaml"
    assert _build_cli(str(answer.relative_to(copy)), "-f", "docx").exit_code == 0
    docx_path = copy / "build" / "stockholm-nyckeltjanster.docx"
    edit(docx_path, _new_receiver)
    assert _build_cli("-f", "docx").exit_code == 1
    assert _import(str(docx_path.relative_to(copy))).exit_code == 0
    result = _build_cli("-f", "docx")
    assert result.exit_code == 0, result.output
    assert "1 byggda" in result.output
    assert _import(str(docx_path.relative_to(copy))).exit_code == 0
    assert _data(answer)["till"] == "Kommunstyrelsen"


def test_an_edit_beside_an_image_is_shown_not_taken(copy):
    from PIL import Image

    (copy / "answers" / "karta.png").parent.mkdir(exist_ok=True)
    Image.new("RGB", (200, 100), (30, 120, 200)).save(copy / "answers" / "karta.png")
    answer = copy / "answers" / "prov.yaml"
    answer.write_text(TABLE_ANSWER.replace("  - rubrik: Lista\n", "  - rubrik: Karta\n    text: |\n"
                                           "      Stycke före kartan.\n\n"
                                           "      ![Karta över stadsdelarna](karta.png)\n"
                                           "  - rubrik: Lista\n"), encoding="utf-8")
    before = answer.read_bytes()
    (docx_path,) = build_docx(copy, "prov.yaml")
    edit(docx_path, lambda d: replace(paragraph(d, "Stycke före kartan."), "före", "innan"))
    result = _import(str(docx_path))
    assert result.exit_code == 0, result.output
    assert "'avsnitt[1].text' har en bild och ändrades i Word" in result.output
    assert "Stycke innan kartan." in result.output
    assert answer.read_bytes() == before


def test_header_fields_come_back(copy):
    answer = copy / "answers" / "stockholm-nyckeltjanster.yaml"
    (docx_path,) = build_docx(copy, answer.name)

    def change(document):
        set_text(paragraph(document, "2024-03-19", exact=True), "2024-03-26")
        replace(paragraph(document, "Sofia Linder", exact=True), "Linder", "Lindér")
    edit(docx_path, change)
    result = _import(str(docx_path))
    assert result.exit_code == 0, result.output
    data = _data(answer)
    assert str(data["datum"]) == "2024-03-26"
    assert data["handläggare"][0]["namn"] == "Sofia Lindér"
    assert data["handläggare"][0]["telefon"] == "08-50825164"


def test_a_docx_whose_markers_are_gone_lists_what_it_could_not_place(copy):
    answer = copy / "answers" / "malmo-svar-namndinitiativ.yaml"
    before = answer.read_bytes()
    (docx_path,) = build_docx(copy, answer.name)

    def strip(document):
        for mark in list(document.element.body.iter(qn("w:bookmarkStart"),
                                                    qn("w:bookmarkEnd"))):
            mark.getparent().remove(mark)
        replace(paragraph(document, "Resursteam heder består"), "tre", "fyra")
    edit(docx_path, strip)
    result = _import(str(docx_path))
    assert result.exit_code == 0, result.output
    assert "hittades inte i Word-dokumentet (markeringen saknas)" in result.output
    assert "kunde inte placeras i någon nyckel och hämtas inte: 'Verksamheten Resursteam " \
        "heder består för närvarande av fyra medarbetare." in result.output
    assert answer.read_bytes() == before


def test_a_date_printed_in_words_comes_back_as_a_date(copy):
    answer = copy / "answers" / "prov.yaml"
    answer.write_text(TABLE_ANSWER.replace("profil: stockholm\n", ""), encoding="utf-8")
    (docx_path,) = build_docx(copy, "prov.yaml")
    edit(docx_path, lambda d: set_text(paragraph(d, "19 mars 2024", exact=True), "2 april 2024"))
    result = _import(str(docx_path))
    assert result.exit_code == 0, result.output
    assert "datum: 2024-04-02\n" in answer.read_text(encoding="utf-8")


# -- the page header and footer ------------------------------------------------------
def test_letterhead_edits_come_back_or_are_listed(copy):
    answer = copy / "answers" / "sekretess-exempel.yaml"
    before = answer.read_text(encoding="utf-8")
    (docx_path,) = build_docx(copy, answer.name)
    edit(docx_path, letterhead_edits)
    result = _import(str(docx_path))
    assert result.exit_code == 0, result.output
    assert_letterhead_imported(answer, before, result.output)
    for warning in LETTERHEAD_WARNINGS:
        assert f"varning: {warning}" in result.output, result.output
    assert "3 ändrade värden" in result.output


def test_the_docx_marks_the_letterhead_values(copy):
    (docx_path,) = build_docx(copy, "sekretess-exempel.yaml")
    with zipfile.ZipFile(docx_path) as archive:
        header = next(archive.read(n).decode() for n in archive.namelist()
                      if n.startswith("word/header") and b"SN 2024" in archive.read(n))
    # The value alone is in its bookmark; the label 'Dnr ' is outside it.
    assert re.search(r'Dnr </w:t></w:r><w:bookmarkStart w:id="\d+" w:name="_utl_\d+"/>'
                     r"<w:r>(<w:rPr>.*?</w:rPr>)?<w:t>SN 2024/311</w:t></w:r><w:bookmarkEnd",
                     header), header


def test_a_value_from_the_profile_edited_in_the_header_is_named_with_its_new_text(copy):
    answer = copy / "answers" / "stockholm-nyckeltjanster.yaml"
    answer.write_text(answer.read_text(encoding="utf-8").replace(
        "organisation: Stockholms stad\n", ""), encoding="utf-8")  # the profile's, then
    before = answer.read_bytes()
    (docx_path,) = build_docx(copy, answer.name)
    edit(docx_path, lambda d: set_text(furniture_paragraph(d, "Stockholms stad", exact=True),
                                       "Stockholms kommun"))
    result = _import(str(docx_path))
    assert result.exit_code == 0, result.output
    assert ("varning: 'organisation' ändrades i Word men står inte i svarsfilen (värdet "
            "kommer från profilen) och hämtas inte: 'Stockholms kommun'") in result.output
    assert answer.read_bytes() == before


def test_a_label_in_the_header_fields_edited_is_listed(copy):
    answer = copy / "answers" / "stockholm-nyckeltjanster.yaml"
    before = answer.read_bytes()
    (docx_path,) = build_docx(copy, answer.name)
    edit(docx_path, lambda d: replace(paragraph(d, "Handläggare", exact=True), "Handläggare",
                                      "Kontaktperson"))
    result = _import(str(docx_path))
    assert result.exit_code == 0, result.output
    assert "varning: texten 'Handläggare' kommer från mallen, inte från svarsfilen, och " \
        "ändringen till 'Kontaktperson' hämtas inte" in result.output
    assert answer.read_bytes() == before


def test_a_text_box_is_listed_with_its_key(copy):
    answer = copy / "answers" / "stockholm-nyckeltjanster.yaml"
    before = answer.read_bytes()
    (docx_path,) = build_docx(copy, answer.name)
    edit(docx_path, lambda d: text_box(paragraph(d, "den 19 mars."), "Kolla med juristen"))
    result = _import(str(docx_path))
    assert result.exit_code == 0, result.output
    assert "varning: en textruta i 'avsnitt[0].text' hämtas inte: 'Kolla med juristen'" \
        in result.output
    assert answer.read_bytes() == before


# -- only the changed words change -----------------------------------------------------
STYLED_ANSWER = """\
mall: tjänsteutlåtande
profil: stockholm
datum: 2024-03-19
rubrik: Stavning
sammanfattning: |
  Första stycket med _kursiv_ text och __fet__ text, radbrutet
  mitt i en mening. Här ändras ett ord.

  * en punkt
  * en punkt till

  1) ett
  2) två
avsnitt:
  - rubrik: Tabell
    text: |
      |Stadsdel|Antal|
      |:--|--:|
      |Norr|3|

      Text med en fotnot.[^a] Och <https://example.se> som adress.

      [^a]: Fotnotens _text_.
"""


def test_an_edit_keeps_the_answers_own_markdown_around_it(copy):
    answer = copy / "answers" / "stavning.yaml"
    answer.write_text(STYLED_ANSWER, encoding="utf-8")
    (docx_path,) = build_docx(copy, answer.name)

    def change(document):
        replace(paragraph(document, "Här ändras ett ord."), "ett ord", "två ord")
        insert_after(paragraph(document, "en punkt till", exact=True), "en ny punkt")
        insert_after(paragraph(document, "två", exact=True), "tre")
        add_row(document.tables[1]._tbl, ["Söder", "5"])
        replace(paragraph(document, "som adress."), "som adress", "som webbadress")
    edit(docx_path, change)
    result = _import(str(docx_path))
    assert result.exit_code == 0, result.output
    assert answer.read_text(encoding="utf-8") == STYLED_ANSWER.replace(
        "ändras ett ord.", "ändras två ord.").replace(
        "  * en punkt till\n", "  * en punkt till\n  * en ny punkt\n").replace(
        "  2) två\n", "  2) två\n  3) tre\n").replace(
        "      |Norr|3|\n", "      |Norr|3|\n      | Söder | 5 |\n").replace(
        "som adress.", "som webbadress."), result.output


def test_a_footnote_on_a_one_line_value_is_listed_and_an_endnote_becomes_a_footnote(copy):
    answer = copy / "answers" / "prov.yaml"
    answer.write_text(TABLE_ANSWER, encoding="utf-8")
    (docx_path,) = build_docx(copy, "prov.yaml")

    def change(document):
        footnote(document, paragraph(document, "Prov på allt", exact=True), "Arbetsnamn.")
        endnote(document, paragraph(document, "Ett citat."), "Citerat ur protokollet.")
    edit(docx_path, change)
    result = _import(str(docx_path))
    assert result.exit_code == 0, result.output
    assert "varning: en fotnot i 'rubrik' hämtas inte (där står bara en rad): 'Arbetsnamn.'" \
        in result.output
    assert answer.read_text(encoding="utf-8") == TABLE_ANSWER.replace(
        "  > Ett citat.\n", "  > Ett citat.[^1]\n\n  [^1]: Citerat ur protokollet.\n")


def test_a_docx_built_before_headers_were_marked_lists_no_header_text(copy):
    """A version 1 DOCX had no markers in its headers and footers: their text is the
    template's, not a colleague's, and is not listed. In a version 2 DOCX it would be."""
    (docx_path,) = build_docx(copy, "stockholm-nyckeltjanster.yaml")

    def unmark_furniture(document):
        for rel in document.part.rels.values():
            if rel.reltype.endswith(("/header", "/footer")):
                root = rel.target_part.element
                for mark in list(root.iter(qn("w:bookmarkStart"), qn("w:bookmarkEnd"))):
                    mark.getparent().remove(mark)
    edit(docx_path, unmark_furniture)
    result = _import(str(docx_path))
    assert re.search(r"varning: texten '[^'\n]*Socialförvaltningen[^'\n]*' i sidhuvudet",
                     result.output), result.output
    with zipfile.ZipFile(docx_path) as archive:
        name, data = next((n, archive.read(n)) for n in archive.namelist()
                          if b'version="2"' in archive.read(n) and b"<svar>" in archive.read(n))
    # Nor did its snapshot hold the letterhead's values.
    snapshot = re.search(rb"<varden>([^<]*)</varden>", data)
    values = json.loads(html.unescape(snapshot.group(1).decode()))
    for key in ("organisation", "förvaltning", "avdelning"):
        del values["värden"][key]
    data = data.replace(snapshot.group(1), html.escape(json.dumps(values), quote=False).encode())
    replace_part(docx_path, name, data.replace(b'version="2"', b'version="1"'))
    result = _import(str(docx_path))
    assert result.exit_code == 0, result.output
    assert "varning" not in result.output, result.output


def test_an_attestation_name_and_date_and_an_appendix_title_come_back(copy):
    answer = copy / "answers" / "rinkeby-kista-sociala-insatsgruppen.yaml"
    before = answer.read_text(encoding="utf-8")
    (docx_path,) = build_docx(copy, answer.name)

    def change(document):
        replace(paragraph(document, "Susanne Leinsköld, stadsdelsdirektör", exact=True),
                "Leinsköld", "Leinskjöld")
        set_text(paragraph(document, "2020-01-22", exact=True), "2020-01-23")
        replace(paragraph(document, "om att utöka sociala insatsgruppen"), "utöka", "förstärka")
    edit(docx_path, change)
    result = _import(str(docx_path))
    assert result.exit_code == 0, result.output
    after = answer.read_text(encoding="utf-8")
    changed = [(i, b) for i, (a, b) in enumerate(zip(before.splitlines(), after.splitlines(),
                                                     strict=True)) if a != b]
    lines = before.splitlines()
    assert changed == [
        (lines.index("  - Skrivelse från Niklas Thorén m.fl. (V) om att utöka sociala "
                     "insatsgruppen"),
         "  - Skrivelse från Niklas Thorén m.fl. (V) om att förstärka sociala insatsgruppen"),
        (lines.index("attestering:") + 1, "  - namn: Susanne Leinskjöld"),
        (lines.index("attestering:") + 3, "    datum: 2020-01-23"),
    ], result.output


def test_a_word_templates_own_header_and_footer_come_back_untouched_or_listed(tmp_path,
                                                                             monkeypatch):
    """A profile's word-mall.docx brings header text, a text box and a date field: an
    unchanged DOCX warns of none of them, a changed text box is listed."""
    monkeypatch.chdir(tmp_path)
    make_profile(tmp_path)
    furnished_template(tmp_path / "templates" / "prov" / "word-mall.docx")
    (docx_path,) = build_docx(tmp_path, "x.yaml")
    result = _import(str(docx_path))
    assert result.exit_code == 0, result.output
    assert "varning" not in result.output and "inga ändringar" in result.output

    def change(document):
        replace(furniture_paragraph(document, "Sekretess enligt mallen"), "Sekretess enligt "
                "mallen", "Ändrad ruta")
    edit(docx_path, change)
    result = _import(str(docx_path))
    assert result.exit_code == 0, result.output
    assert "varning: texten 'Mallens eget sidhuvud Sekretess enligt mallen' i sidhuvudet " \
        "(word/header1.xml) kommer från mallen, inte från svarsfilen, och ändringen till " \
        "'Mallens eget sidhuvud Ändrad ruta' hämtas inte" in result.output


def test_two_lists_in_a_question_stay_two_lists_as_in_an_answer():
    """A question's text loses the bold the template gives it, and nothing else: a second
    list that counts anew stays a list of its own, as it does in the answer."""
    from utlatande.wordtext import Item, group

    items = [Item("li", md="Första", ordered=True, list_id="1", marks=[0]),
             Item("li", md="Andra", ordered=True, list_id="1", marks=[0]),
             Item("li", md="Tredje", ordered=True, list_id="2", restart=True, marks=[0]),
             Item("li", md="Fjärde", ordered=True, list_id="2", marks=[0])]
    question = group(items, ["fragor[0].fråga"]).values["fragor[0].fråga"]
    assert question == group(items, ["fragor[0].svar"]).values["fragor[0].svar"]
    assert question == "1. Första\n2. Andra\n\n1) Tredje\n2) Fjärde"
    bold = [Item("p", md="**Hur många?**", marks=[0])]
    assert group(bold, ["fragor[0].fråga"]).values["fragor[0].fråga"] == "Hur många?"


def test_a_header_cell_loses_only_the_bold_the_template_gives_it():
    from utlatande.wordtext import Item, _table_md

    def row(*texts):
        return [[Item("p", md=text)] for text in texts]

    table = _table_md([row("**Nämnd**", "****", "**Ja** och **nej**"), row("**Ett**", "2", "3")])
    assert table.splitlines()[0] == "| Nämnd | **** | **Ja** och **nej** |"
    assert table.splitlines()[2] == "| **Ett** | 2 | 3 |"  # a body cell keeps its bold
