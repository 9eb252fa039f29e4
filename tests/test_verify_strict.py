"""`verify` fails every active content an appendix could bring, a language other than
sv-SE, and without arguments looks at every file under build/."""

from __future__ import annotations

import shutil
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner

from test_active_content import active_pdf
from utlatande.cli import main
from utlatande.verify import verify_file

SEED = "stockholm-nyckeltjanster"


@pytest.fixture
def seed_pdf(built, tmp_path) -> Path:
    return Path(shutil.copy(built / f"{SEED}.pdf", tmp_path / "trasig.pdf"))


def _with_link(path: Path, action: pikepdf.Dictionary) -> Path:
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        pdf.pages[0].obj.Annots = pdf.make_indirect(pikepdf.Array([pikepdf.Dictionary(
            Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=[0, 0, 10, 10],
            A=action)]))
        pdf.save(path)
    return path


@pytest.mark.parametrize(("action", "message"), [
    ({"S": "/URI", "URI": "JavaScript:alert(1)"},
     "extern_länk: en länk pekar på ett skript: JavaScript:alert(1)"),
    ({"S": "/URI", "URI": "  javascript:alert(1)"},
     "extern_länk: en länk pekar på ett skript:   javascript:alert(1)"),
    ({"S": "/URI", "URI": "\\\\server\\share\\x.exe"},
     "extern_länk: en länk pekar på en fil: \\\\server\\share\\x.exe"),
    ({"S": "/SubmitForm", "F": "https://example.com/"},
     "formulär: en länk skickar formulärdata (/SubmitForm)"),
    ({"S": "/ResetForm"}, "formulär: en länk tömmer formulärfält (/ResetForm)"),
    ({"S": "/Named", "N": "/Print"}, "namngiven_åtgärd: en länk gör en namngiven åtgärd (/Print)"),
    ({"S": "/Rendition"}, "media: en länk spelar upp media (/Rendition)"),
])
def test_active_links_fail(seed_pdf, action, message):
    values = {f"/{key}": pikepdf.Name(value) if value.startswith("/") else pikepdf.String(value)
              for key, value in action.items()}
    _with_link(seed_pdf, pikepdf.Dictionary(values))
    assert [f"{f.code}: {f.message}" for f in verify_file(seed_pdf)] == [message]


def test_page_turns_and_web_links_pass(seed_pdf):
    _with_link(seed_pdf, pikepdf.Dictionary(S=pikepdf.Name.Named, N=pikepdf.Name.NextPage))
    assert verify_file(seed_pdf) == []
    _with_link(seed_pdf, pikepdf.Dictionary(S=pikepdf.Name.URI,
                                            URI=pikepdf.String("https://stockholm.se/")))
    assert verify_file(seed_pdf) == []


def test_an_xfa_form_fails(seed_pdf):
    with pikepdf.open(seed_pdf, allow_overwriting_input=True) as pdf:
        # The seed's own form (its empty signature fields) is kept; XFA is added to it.
        fields = pdf.Root.AcroForm.Fields if "/AcroForm" in pdf.Root else pikepdf.Array()
        pdf.Root.AcroForm = pikepdf.Dictionary(Fields=fields, XFA=pikepdf.String("<xdp/>"))
        pdf.save(seed_pdf)
    assert [str(f) for f in verify_file(seed_pdf)] == [
        f"{seed_pdf}: fel: filen innehåller ett XFA-formulär (/AcroForm /XFA) "
        "[verify.formulär]"]


def test_every_active_content_of_the_appendix_fixture_fails(tmp_path):
    codes = {f.code for f in verify_file(active_pdf(tmp_path / "aktiv.pdf"))}
    assert {"javascript", "formulär", "extern_länk", "namngiven_åtgärd"} <= codes


@pytest.mark.parametrize("language", ["en-US", "xx-NOTALANG", "sv"])
def test_a_language_other_than_swedish_fails(seed_pdf, language):
    with pikepdf.open(seed_pdf, allow_overwriting_input=True) as pdf:
        pdf.Root.Lang = pikepdf.String(language)
        pdf.save(seed_pdf)
    assert [str(f) for f in verify_file(seed_pdf)] == [
        f"{seed_pdf}: fel: dokumentets språk är '{language}', inte sv-SE (/Lang i katalogen) "
        "[verify.språk]"]


def test_plain_verify_walks_build_and_its_subfolders(built, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    agenda = tmp_path / "build" / "m"
    agenda.mkdir(parents=True)
    shutil.copy(built / f"{SEED}.pdf", tmp_path / "build" / "a.pdf")
    shutil.copy(built / f"{SEED}.pdf", agenda / "01-arende.pdf")
    (tmp_path / "build" / ".agenda").mkdir()
    (tmp_path / "build" / ".agenda" / "dold.pdf").write_bytes(b"inte en pdf")
    with pikepdf.open(agenda / "01-arende.pdf", allow_overwriting_input=True) as pdf:
        pdf.Root.Lang = pikepdf.String("en-US")
        pdf.save(agenda / "01-arende.pdf")
    result = CliRunner().invoke(main, ["verify"])
    assert result.exit_code == 1
    assert "build/a.pdf: godkänd" in result.output
    assert ("build/m/01-arende.pdf: fel: dokumentets språk är 'en-US', inte sv-SE (/Lang i "
            "katalogen) [verify.språk]") in result.output
    assert "dold.pdf" not in result.output


def test_agenda_runs_verify_on_every_pdf_it_writes(tmp_path, monkeypatch):
    """The item's own PDF and the packet are checked as they are written; an untagged
    appendix is what verify names here."""
    import re

    import weasyprint

    monkeypatch.chdir(tmp_path)
    (tmp_path / "moten").mkdir()
    weasyprint.HTML(string="<p>Beslut 1–12</p>").write_pdf(tmp_path / "moten" / "lista.pdf")
    (tmp_path / "moten" / "m.yaml").write_text(
        "möte: {organ: Nämnden, datum: 2024-03-19, tid: '17.00', plats: Rådhuset}\n"
        "ärenden:\n  - rubrik: Anmälan\n    bilagor:\n      - {titel: Lista, fil: lista.pdf}\n",
        encoding="utf-8")
    finding = ("varning: sidan {page} kommer från bilagan 'Bilaga 1: Lista', som saknar taggar. "
               "Bilagan "
               "tas med som den är och kan vara otillgänglig för skärmläsare "
               "[verify.otaggad_bilaga]")
    for flags, folder in (([], "m"), (["--offentlig"], "m-offentlig")):
        result = CliRunner().invoke(main, ["agenda", "moten/m.yaml", *flags])
        assert result.exit_code == 0, result.output
        lines = result.output.splitlines()
        assert f"build/{folder}/01-anmalan.pdf: " + finding.format(page=2) in lines
        packet = [line for line in lines if line.startswith(f"build/{folder}/{folder}.pdf: ")]
        assert len(packet) == 1
        assert re.fullmatch(re.escape(f"build/{folder}/{folder}.pdf: ")
                            + re.escape(finding).replace(r"\{page\}", r"\d+"), packet[0])
