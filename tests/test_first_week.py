"""What a new handläggare hit in the first week (issue 18): each case built as they wrote it."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner
from docx.enum.text import WD_ALIGN_PARAGRAPH

from utlatande.cli import main

HEAD = """mall: tjänsteutlåtande
datum: 2024-05-20
"""


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


def _build(tmp_path: Path, text: str, formats: str = "docx") -> tuple[int, str]:
    answers = tmp_path / "answers"
    answers.mkdir(exist_ok=True)
    (answers / "x.yaml").write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["build", "answers/x.yaml", "-f", formats, "-j", "1",
                                       "-q"])
    return result.exit_code, result.output


def test_a_long_title_builds_and_shortens_only_the_docx_property(tmp_path):
    title = ("Svar på motion från Socialdemokraterna, Moderaterna, Centerpartiet, "
             "Liberalerna och Vänsterpartiet om att utreda förutsättningarna för en "
             "gemensam samordnad och långsiktigt hållbar organisation för kommunens "
             "hemtjänst, särskilda boenden och korttidsboenden i samtliga kommundelar")
    assert len(title) > 255
    code, output = _build(tmp_path, HEAD + f"rubrik: {title}\n")
    assert code == 0, output
    document = docx.Document(tmp_path / "build" / "x.docx")
    assert document.paragraphs[0].text == title  # the document keeps the whole title
    shown = document.core_properties.title
    assert len(shown) == 255
    assert shown.endswith("…") and title.startswith(shown[:-1])


def test_a_right_aligned_markdown_column_is_right_aligned_in_the_docx(tmp_path):
    text = HEAD + """rubrik: Kostnader
sammanfattning: |
  | Post | Kronor |
  |:-----|-------:|
  | Hyra | 12 000 |
"""
    code, output = _build(tmp_path, text)
    assert code == 0, output
    table = docx.Document(tmp_path / "build" / "x.docx").tables[-1]
    cells = [[cell.paragraphs[0].alignment for cell in row.cells] for row in table.rows]
    assert cells == [[WD_ALIGN_PARAGRAPH.LEFT, WD_ALIGN_PARAGRAPH.RIGHT]] * 2


def test_the_bare_command_shows_its_help_once():
    result = CliRunner().invoke(main, [])
    assert result.output.count("Användning:") == 1
    assert "Fel:" not in result.output
    assert "Kommandon:" in result.output


def _settings_xml(tmp_path: Path) -> str:
    with zipfile.ZipFile(io.BytesIO((tmp_path / "build" / "x.docx").read_bytes())) as package:
        return package.read("word/settings.xml").decode()


def test_the_docx_does_not_claim_to_be_spell_checked(tmp_path):
    code, output = _build(tmp_path, HEAD + "rubrik: Stavning\n")
    assert code == 0, output
    assert "proofState" not in _settings_xml(tmp_path)


def test_a_swedish_command_name_gets_the_command_it_means():
    result = CliRunner().invoke(main, ["bygg"])
    assert result.exit_code == 2
    assert "Fel: okänt kommando 'bygg'; menade du 'build'?" in result.output


def test_the_command_list_is_not_cut_off():
    result = CliRunner().invoke(main, ["--help"])
    commands = result.output.split("Kommandon:")[1]
    assert "..." not in commands
    assert "Bygg svarsfiler till PDF och DOCX (standard: alla answers/*.yaml till build/)." \
        in " ".join(commands.split())


def _darkest_row(pdf: Path, tmp_path: Path) -> float:
    """The largest share of dark pixels in any pixel row of the PDF's first page."""
    import subprocess

    from PIL import Image

    subprocess.run(["pdftoppm", "-png", "-r", "50", "-gray", "-f", "1", "-l", "1", str(pdf),
                    str(tmp_path / "sida")], check=True)
    image = Image.open(next(tmp_path.glob("sida*.png"))).convert("L")
    width, height = image.size
    pixels = image.load()
    return max(sum(pixels[x, y] < 160 for x in range(width)) / width for y in range(height))


def test_a_footnote_is_not_painted_over(tmp_path):
    text = HEAD + """rubrik: Fotnoter
sammanfattning: |
  Enligt termbanken.[^1]

  [^1]: http://termbank.socialstyrelsen.se/?fterm=s (hämtad 160428)
"""
    code, output = _build(tmp_path, text, "pdf")
    assert code == 0, output
    # A bar across the footnote area makes whole rows dark; text and the short rule do not.
    assert _darkest_row(tmp_path / "build" / "x.pdf", tmp_path) < 0.5


def test_an_untouched_scaffold_is_refused_by_strict_check_at_each_placeholder(tmp_path):
    runner = CliRunner()
    assert runner.invoke(main, ["new", "tjänsteutlåtande", "answers/ny.yaml"]).exit_code == 0
    result = runner.invoke(main, ["check", "--strikt", "answers/ny.yaml"])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    text = (tmp_path / "answers" / "ny.yaml").read_text(encoding="utf-8").splitlines()
    rubrik = next(i for i, line in enumerate(text, 1) if line.startswith("rubrik:"))
    assert (f"answers/ny.yaml:{rubrik}:9: varning: 'rubrik' har kvar förlagans text "
            "'Ärendets rubrik'; skriv det som ska stå i dokumentet [text.platshållare]") in lines
    summary = next(i for i, line in enumerate(text, 1) if line.startswith("sammanfattning:"))
    assert (f"answers/ny.yaml:{summary}:17: varning: 'sammanfattning' har kvar förlagans text "
            "'Skriv en kort sammanfattning …'; skriv det som ska stå i dokumentet "
            "[text.platshållare]") in lines
    assert {line.split("'")[1] for line in lines} >= {
        "organisation", "förvaltning", "till", "namn", "rubrik", "sammanfattning", "text"}


def test_a_finished_statement_has_no_placeholder_warning(tmp_path):
    answers = tmp_path / "answers"
    answers.mkdir()
    (answers / "x.yaml").write_text(HEAD + "rubrik: Bänkar i parken\nsammanfattning: |\n"
                                    "  Förvaltningen föreslår tio nya bänkar. Skriv en kort "
                                    "sammanfattning står inte först.\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "--strikt", "answers/x.yaml"])
    assert (result.exit_code, result.output) == (0, "")


CASE = HEAD + """rubrik: Bänkar i parken
ärende: {typ: medborgarförslag, från: "Karin Ek", datum: 2024-05-12}
"""


def _pdf_words(pdf: Path) -> str:
    import subprocess

    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], check=True,
                         capture_output=True).stdout.decode()
    return " ".join(out.split())


def test_the_case_is_printed_under_the_title_in_both_formats(tmp_path):
    code, output = _build(tmp_path, CASE, "pdf,docx")
    assert code == 0, output
    line = "Medborgarförslag från Karin Ek, inkommet 12 maj 2024"
    assert f"Bänkar i parken {line}" in _pdf_words(tmp_path / "build" / "x.pdf")
    paragraphs = [p.text for p in docx.Document(tmp_path / "build" / "x.docx").paragraphs]
    assert paragraphs[paragraphs.index("Bänkar i parken") + 1] == line


@pytest.mark.parametrize(("case", "line"), [
    ("{typ: motion, från: Lotta Bäckman (S), datum: 2020-06-16}",
     "Motion från Lotta Bäckman (S), inkommen 16 juni 2020"),
    ("{typ: nämndinitiativ, från: Vänsterpartiet}", "Nämndinitiativ från Vänsterpartiet"),
    ("{typ: remiss, datum: 2024-01-02}", "Remiss, inkommen 2 januari 2024"),
])
def test_the_case_line_leaves_out_what_is_missing_and_agrees_with_the_type(tmp_path, case,
                                                                           line):
    code, output = _build(tmp_path, HEAD + f"rubrik: R\närende: {case}\n", "html")
    assert code == 0, output
    assert f'<p class="arende">{line}</p>' in (tmp_path / "build" / "x.html").read_text()


def test_the_profile_words_the_case_line(tmp_path):
    theme = tmp_path / "templates" / "egen"
    theme.mkdir(parents=True)
    (theme / "tema.yaml").write_text('namn: Egen\ndatumformat: iso\närendetext: ["Svar på '
                                     '{typ}", " ({datum})"]\n', encoding="utf-8")
    code, output = _build(tmp_path, CASE + "profil: egen\n", "html")
    assert code == 0, output
    html = (tmp_path / "build" / "x.html").read_text()
    assert '<p class="arende">Svar på medborgarförslag (2024-05-12)</p>' in html


def test_a_long_web_address_is_broken_without_an_inserted_hyphen(tmp_path):
    url = "http://malmo.se/social---familjefragor/nar-pengarna-interacker.html"
    lead = "One stop shops kan också finnas på nätet, ett exempel är Malmö stads hemsida"
    paragraphs = [f"  {lead}{' ord' * n}, {url}. På hemsidan finns länkar.\n\n"
                  for n in range(8)]
    code, output = _build(tmp_path, HEAD + "rubrik: Adresser\nsammanfattning: |\n"
                          + "".join(paragraphs), "pdf")
    assert code == 0, output
    import subprocess

    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(tmp_path / "build" / "x.pdf"),
                           "-"], check=True, capture_output=True).stdout.decode()
    assert any(url not in line for line in text.splitlines() if "http://" in line)  # broken
    assert text.replace("\n", "").count(url) == len(paragraphs)


def test_the_built_in_profile_is_called_neutral_everywhere(tmp_path):
    answers = tmp_path / "answers"
    answers.mkdir()
    (answers / "x.yaml").write_text(HEAD + "rubrik: R\nprofil: göteborg\n", encoding="utf-8")
    (answers / "y.yaml").write_text(HEAD + "rubrik: R\nprofil: neutral\n", encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(main, ["check", "answers/x.yaml"])
    assert result.output == ("answers/x.yaml:4:9: fel: okänd profil 'göteborg'; kända "
                             "profiler: neutral [schema.profil]\n")
    assert runner.invoke(main, ["check", "answers/y.yaml"]).exit_code == 0
    created = runner.invoke(main, ["new", "rapport", "answers/z.yaml"])
    assert "profil neutral" in created.output


@pytest.mark.parametrize("on_path", [False, True])
def test_new_names_the_command_as_it_runs_here(tmp_path, monkeypatch, on_path):
    import sys

    from utlatande.errors import display_path

    own = Path(sys.executable).parent / "utlatande"
    monkeypatch.setenv("PATH", (f"{own.parent}:" if on_path else "") + "/usr/bin:/bin")
    command = "utlatande" if on_path else display_path(own)
    result = CliRunner().invoke(main, ["new", "rapport", "answers/ny.yaml"])
    assert result.exit_code == 0, result.output
    assert f"Se sidorna medan du skriver: {command} serve answers/ny.yaml --öppna" \
        in result.output
    text = (tmp_path / "answers" / "ny.yaml").read_text(encoding="utf-8")
    assert f"#   {command} check answers/ny.yaml " in text


def test_serve_open_says_so_when_there_is_no_browser(monkeypatch, capsys):
    import webbrowser

    from utlatande.cli.serve import no_browser
    from utlatande.preview.server import open_in_browser

    monkeypatch.setattr(webbrowser, "_tryorder", [])  # a machine without any browser
    open_in_browser("http://127.0.0.1:8765/", no_browser)
    assert capsys.readouterr().err == ("Ingen webbläsare hittades; öppna "
                                       "http://127.0.0.1:8765/ i en webbläsare.\n")


def test_the_docx_letterhead_and_header_fields_look_as_in_the_pdf(tmp_path):
    text = HEAD.replace("datum:", "organisation: Kungsbacka kommun\nförvaltning: "
                        "Förvaltningen för Vård & Omsorg\ntill: Nämnden för Vård & Omsorg\n"
                        "datum:") + "rubrik: Bänkar\nhandläggare:\n  - {namn: Karl Berg}\n"
    code, output = _build(tmp_path, text)
    assert code == 0, output
    document = docx.Document(tmp_path / "build" / "x.docx")
    left, right = document.sections[0].first_page_header.tables[0].rows[0].cells
    organisation = left.paragraphs[-1].runs[0]
    assert (organisation.text, organisation.font.name) == ("Kungsbacka kommun", "Liberation Sans")
    assert {run.font.size.pt for p in right.paragraphs for run in p.runs} == {9}
    fields = document.tables[0].rows[0].cells
    runs = [run for cell in fields for p in cell.paragraphs for run in p.runs]
    assert "Karl Berg" in [run.text for run in runs]
    assert {(run.font.name, run.font.size.pt) for run in runs} == {("Liberation Sans", 9.5)}
    assert document.styles["Title"].paragraph_format.space_before.pt >= 12
