"""The public agenda prints no personnummer: not as typed, not as rendered, not in an
appendix or an embedded file, and not through a secret item's shown fields."""

from __future__ import annotations

import shutil
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner

from utlatande.cli import main
from utlatande.personnummer import find_personnummer, masked

from conftest import MEETING_HEAD as HEAD
from conftest import ROOT

ANSWER = """mall: tjänsteutlåtande
datum: 2024-03-19
rubrik: Ett utlåtande
"""
NOT_SECRET = ("står i en svarsfil utan 'sekretess'; en offentlig kallelse får inte innehålla "
              "personnummer: ta bort numret, eller markera ärendet med sekretess: {grund: …} "
              "[offentlig.personnummer]")
PRINTED = ("står i den offentliga kallelsen (build/m-offentlig/m-offentlig.pdf, sida 3) och "
           "är skrivet här; en offentlig kallelse får inte innehålla personnummer: ta bort "
           "numret, eller markera ärendet med sekretess: {grund: …} [offentlig.personnummer]")


def _project(tmp_path: Path, monkeypatch, answer: str, items: str = "  - ../answers/p.yaml\n",
             profiles: tuple[str, ...] = ()) -> Path:
    (tmp_path / "answers").mkdir()
    (tmp_path / "answers" / "p.yaml").write_text(answer, encoding="utf-8")
    (tmp_path / "moten").mkdir()
    (tmp_path / "moten" / "m.yaml").write_text(HEAD + items, encoding="utf-8")
    for name in profiles:
        shutil.copytree(ROOT / "templates" / name, tmp_path / "templates" / name)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _public(project: Path) -> list[str]:
    result = CliRunner().invoke(main, ["agenda", "moten/m.yaml", "--offentlig"])
    assert result.exit_code == 1, result.output
    assert "1212-1212" not in result.output and "Traceback" not in result.output
    assert not (project / "build").exists()
    return result.output.strip().splitlines()


@pytest.mark.parametrize("written", [
    "Personen 121212\u20131212 bor här.",      # en dash
    "Personen 121212\u20111212 bor här.",      # non-breaking hyphen
    "Personen 121212 1212 bor här.",           # a space for the hyphen
    "Personen 1212\u200b12-1212 bor här.",     # a zero-width space inside
    "Personen 121212\u00ad-1212 bor här.",     # a soft hyphen inside
    "Personen 1212\u00ad12-1212 bor här.",
    "Ärende SN-121212-1212 gäller.",           # a letter and a hyphen before it
    "Personen １２１２１２-１２１２ bor här.",     # full-width digits
])
def test_a_personnummer_in_any_written_form_is_refused(tmp_path, monkeypatch, written):
    project = _project(tmp_path, monkeypatch, ANSWER + f"sammanfattning: {written}\n")
    column = written.index(next(c for c in written if c in "1１")) + 17
    shown = "121212 ****" if "12 12" in written else "121212-****"
    assert _public(project) == [f"answers/p.yaml:4:{column}: fel: personnumret {shown} "
                                + NOT_SECRET]


def test_a_date_and_four_digits_are_a_personnummer_only_with_its_check_digit(tmp_path,
                                                                           monkeypatch):
    """20240319 1234 is a date and a number: its last digit is no check digit, so the
    public agenda is built. With the check digit right (…1238) it reads as the
    personnummer of someone born that day, however it is written."""
    project = _project(tmp_path, monkeypatch, ANSWER + "sammanfattning: Mötet 20240319 1234, "
                       "ärende 240319-1234 och 20240319-1234, klockan 2024-03-19 12.34.\n")
    result = CliRunner().invoke(main, ["agenda", "moten/m.yaml", "--offentlig", "-q"])
    assert result.exit_code == 0, result.output
    assert (project / "build" / "m-offentlig" / "m-offentlig.pdf").is_file()
    for written in ("20240319 1238", "20240319\u20131238", "240319\u00a0-\u00a01238",
                    "2024\u200b0319-1238"):
        (project / "answers" / "p.yaml").write_text(
            ANSWER + f"sammanfattning: Mötet {written}.\n", encoding="utf-8")
        result = CliRunner().invoke(main, ["agenda", "moten/m.yaml", "--offentlig"])
        assert result.exit_code == 1, written
        number = masked(written)
        assert result.output.splitlines()[0] == (
            f"answers/p.yaml:4:23: fel: personnumret {number} " + NOT_SECRET), written
        assert list((project / "build" / "m-offentlig").iterdir()) == []


@pytest.mark.parametrize(("written", "column"), [
    ("121212\\\\-1212", 27),      # a Markdown escape: 121212-1212 once rendered
    ("121212-**1212**", 27),      # emphasis splits the number in the source
    ("1212**12**-1212", 27),
])
def test_a_personnummer_that_markdown_puts_together_is_refused(tmp_path, monkeypatch, written,
                                                               column):
    project = _project(tmp_path, monkeypatch, ANSWER + f'sammanfattning: "Personen {written}."\n')
    assert _public(project) == [f"answers/p.yaml:4:{column}: fel: personnumret 121212-**** "
                                + PRINTED]


def test_a_packet_read_back_a_page_at_a_time_names_the_same_page(tmp_path, monkeypatch):
    """The packet is read back from its file a few pages at a time (never whole): with one
    page at a time, the number is found on the same page 3."""
    from utlatande.agenda import public

    monkeypatch.setattr(public, "PAGES_AT_A_TIME", 1)
    project = _project(tmp_path, monkeypatch,
                       ANSWER + 'sammanfattning: "Personen 121212\\\\-1212."\n')
    assert _public(project) == ["answers/p.yaml:4:27: fel: personnumret 121212-**** "
                                + PRINTED]


@pytest.mark.parametrize(("text", "where"), [
    ("typ: rapport\nmetadata: {Personnummer: 191212121212}\n", "5:27"),   # a number, unquoted
    ("metadata:\n  121212-1212: ja\n", "5:3"),                              # a key
    ("# Gäller 121212-1212, se akten.\n", "4:10"),                          # a comment
])
def test_keys_numbers_and_comments_are_scanned(tmp_path, monkeypatch, text, where):
    answer = ANSWER + text
    if "typ: rapport" in text:
        answer = answer.replace("mall: tjänsteutlåtande", "mall: rapport").replace(
            "typ: rapport\n", "")
        where = "4:26"
    project = _project(tmp_path, monkeypatch, answer)
    number = "19121212" if "191212121212" in text else "121212-"
    output = _public(project)
    assert output == [f"answers/p.yaml:{where}: fel: personnumret {number}**** " + NOT_SECRET]


def test_a_comment_never_travels_in_an_embedded_answer_file(tmp_path, monkeypatch):
    """pdf/a-3a embeds the answer file in its PDF: a public agenda embeds none."""
    project = _project(tmp_path, monkeypatch, ANSWER + "sammanfattning: Text.\n")
    (project / "templates" / "arkiv").mkdir(parents=True)
    (project / "templates" / "arkiv" / "tema.yaml").write_text("pdf_variant: pdf/a-3a\n",
                                                               encoding="utf-8")
    answer = project / "answers" / "p.yaml"
    answer.write_text("profil: arkiv\n" + answer.read_text(encoding="utf-8"), encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(main, ["agenda", "moten/m.yaml"]).exit_code == 0
    with pikepdf.open(project / "build" / "m" / "01-ett-utlatande.pdf") as pdf:
        assert list(pdf.attachments) == ["p.yaml"]  # the full version keeps its source
    result = runner.invoke(main, ["agenda", "moten/m.yaml", "--offentlig", "-q"])
    assert result.exit_code == 0, result.output
    for name in ("01-ett-utlatande.pdf", "m-offentlig.pdf"):
        with pikepdf.open(project / "build" / "m-offentlig" / name) as pdf:
            assert list(pdf.attachments) == []


def _pdf_with_text(path: Path, text: str) -> Path:
    import weasyprint

    weasyprint.HTML(string=f"<p>{text}</p>").write_pdf(path)
    return path


def test_a_personnummer_in_a_plain_items_appendix_is_refused(tmp_path, monkeypatch):
    items = ("  - rubrik: Anmälan av delegationsbeslut\n"
             "    bilagor:\n"
             "      - titel: Beslutslista\n"
             "        fil: beslut.pdf\n")
    project = _project(tmp_path, monkeypatch, ANSWER, items)
    _pdf_with_text(project / "moten" / "beslut.pdf", "Beslut om bistånd för 121212-1212.")
    assert _public(project) == [
        "moten/m.yaml:10:14: fel: personnumret 121212-**** står i bilagan 'beslut.pdf' "
        "(sida 1); en offentlig kallelse får inte innehålla personnummer: ta bort numret ur "
        "bilagan, eller lämna bilagan utanför den offentliga kallelsen [offentlig.personnummer]"]
    assert CliRunner().invoke(main, ["agenda", "moten/m.yaml", "-q"]).exit_code == 0


def test_a_personnummer_embedded_in_an_appendix_is_refused(tmp_path, monkeypatch):
    project = _project(tmp_path, monkeypatch, ANSWER + "bilagor:\n  - titel: Akt\n"
                       "    fil: akt.pdf\n")
    path = _pdf_with_text(project / "answers" / "akt.pdf", "Inget nummer här.")
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        pdf.attachments["akt.txt"] = pikepdf.AttachedFileSpec(
            pdf, "Gäller 121212-1212.\n".encode())
        pdf.save(path)
    assert _public(project) == [
        "answers/p.yaml:6:10: fel: personnumret 121212-**** står i bilagan 'akt.pdf' (den "
        "bifogade filen akt.txt, texten); en offentlig kallelse får inte innehålla "
        "personnummer: ta bort numret ur bilagan, eller lämna bilagan utanför den offentliga "
        "kallelsen [offentlig.personnummer]"]


SECRET = ANSWER + "sekretess:\n  grund: OSL 26 kap. 1 §\nsammanfattning: Tolvan 121212-1212.\n"


@pytest.mark.parametrize(("field", "line", "column", "name"), [
    ("diarienummer: SN 2024/311 (121212-1212)\n", 7, 28, "diarienumret"),
    ("", 5, 30, "sekretessgrunden"),
])
def test_a_secret_items_shown_fields_are_scanned(tmp_path, monkeypatch, field, line, column,
                                                 name):
    answer = SECRET + field
    if not field:
        answer = answer.replace("OSL 26 kap. 1 §", "OSL 26 kap. 1 § för 121212-1212")
    project = _project(tmp_path, monkeypatch, answer)
    assert _public(project) == [
        f"answers/p.yaml:{line}:{column}: fel: personnumret 121212-**** står i {name} för ett "
        f"ärende med sekretess, och {name} står också i den offentliga kallelsen; en offentlig "
        "kallelse får inte innehålla personnummer: ta bort numret därifrån "
        "[offentlig.personnummer]"]


def test_a_secret_items_text_stays_out_and_is_not_scanned(tmp_path, monkeypatch):
    project = _project(tmp_path, monkeypatch, SECRET)
    result = CliRunner().invoke(main, ["agenda", "moten/m.yaml", "--offentlig", "-q"])
    assert result.exit_code == 0, result.output
    assert (project / "build" / "m-offentlig" / "m-offentlig.pdf").is_file()


def test_masked_numbers_are_folded():
    assert masked("1212\u200b12\u20111212") == "121212-****"
    assert find_personnummer("a 121212\u00a01212 b") == [(2, "121212\u00a01212")]


SECRET_OWN = SECRET.replace("mall: tjänsteutlåtande\n", "mall: tjänsteutlåtande\n"
                            "profil: egen\norganisation: Hemliga staden\n")


def _own_profile(project: Path) -> None:
    """A profile 'egen' whose kallelse has a heading of its own."""
    (project / "templates" / "egen").mkdir(parents=True)
    (project / "templates" / "egen" / "tema.yaml").write_text(
        "mallar:\n  kallelse:\n    rubriker:\n      kallelse_till: Egen kallelse\n",
        encoding="utf-8")


def _first_page(path: Path) -> str:
    import subprocess

    return subprocess.run(["pdftotext", "-l", "1", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


def test_a_secret_statement_decides_neither_letterhead_nor_look_of_the_public_version(
        tmp_path, monkeypatch):
    project = _project(tmp_path, monkeypatch, SECRET_OWN)
    _own_profile(project)
    runner = CliRunner()
    assert runner.invoke(main, ["agenda", "moten/m.yaml", "--offentlig", "-q"]).exit_code == 0
    public = project / "build" / "m-offentlig"
    shown = (public / "index.html").read_text(encoding="utf-8") + _first_page(
        public / "m-offentlig.pdf")
    assert "Hemliga staden" not in shown and "Egen kallelse" not in shown
    assert runner.invoke(main, ["agenda", "moten/m.yaml", "-q"]).exit_code == 0
    full = _first_page(project / "build" / "m" / "m.pdf")
    assert "Hemliga staden" in full and "Egen kallelse" in full


def test_the_meeting_file_chooses_letterhead_and_profile(tmp_path, monkeypatch):
    project = _project(tmp_path, monkeypatch, SECRET_OWN)
    _own_profile(project)
    meeting = project / "moten" / "m.yaml"
    meeting.write_text(meeting.read_text(encoding="utf-8").replace(
        "  plats: Rådhuset\n", "  plats: Rådhuset\n  organisation: Öppna staden\n"
        "  profil: egen\n"), encoding="utf-8")
    assert CliRunner().invoke(main, ["agenda", "moten/m.yaml", "--offentlig", "-q"]
                              ).exit_code == 0
    shown = _first_page(project / "build" / "m-offentlig" / "m-offentlig.pdf")
    assert "Öppna staden" in shown and "Egen kallelse" in shown


@pytest.mark.parametrize("profil", ["../templates/egen", "saknas"])
def test_the_meeting_files_profile_is_a_known_name(tmp_path, monkeypatch, profil):
    project = _project(tmp_path, monkeypatch, SECRET_OWN)
    _own_profile(project)
    meeting = project / "moten" / "m.yaml"
    meeting.write_text(meeting.read_text(encoding="utf-8").replace(
        "  plats: Rådhuset\n", f"  plats: Rådhuset\n  profil: {profil}\n"), encoding="utf-8")
    result = CliRunner().invoke(main, ["agenda", "moten/m.yaml"])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"moten/m.yaml:6:11: fel: okänd profil '{profil}'; ange namnet på en mapp i "
        "templates/; kända profiler: neutral, egen [möte.profil]"]


# -- the output folder -------------------------------------------------------------------

def test_a_meeting_named_like_a_public_folder_never_writes_into_it(tmp_path, monkeypatch):
    project = _project(tmp_path, monkeypatch, SECRET)
    shutil.copy(project / "moten" / "m.yaml", project / "moten" / "m-offentlig.yaml")
    runner = CliRunner()
    assert runner.invoke(main, ["agenda", "moten/m.yaml", "--offentlig", "-q"]).exit_code == 0
    public = project / "build" / "m-offentlig"
    before = {p.name: p.read_bytes() for p in public.iterdir()}
    result = runner.invoke(main, ["agenda", "moten/m-offentlig.yaml"])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "moten/m-offentlig.yaml:1:1: fel: build/m-offentlig/ innehåller den offentliga "
        "kallelsen till moten/m.yaml; den fullständiga kallelsen till moten/m-offentlig.yaml "
        "skrivs inte dit: byt namn på mötesfilen eller välj en annan utmapp med -o "
        "[möte.utmapp]"]
    assert {p.name: p.read_bytes() for p in public.iterdir()} == before
    assert "Tolvan" not in " ".join(p.name for p in public.iterdir())


def test_a_failed_public_build_leaves_no_older_public_files(tmp_path, monkeypatch):
    project = _project(tmp_path, monkeypatch, ANSWER + "sammanfattning: Text.\n")
    runner = CliRunner()
    assert runner.invoke(main, ["agenda", "moten/m.yaml", "--offentlig", "-q"]).exit_code == 0
    public = project / "build" / "m-offentlig"
    (public / "egen-fil.txt").write_text("min", encoding="utf-8")
    assert (public / "01-ett-utlatande.pdf").is_file()
    answer = project / "answers" / "p.yaml"
    answer.write_text(ANSWER + "sammanfattning: Tolvan 121212-1212.\n", encoding="utf-8")
    result = runner.invoke(main, ["agenda", "moten/m.yaml", "--offentlig"])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "answers/p.yaml:4:24: fel: personnumret 121212-**** " + NOT_SECRET,
        "moten/m.yaml:1:1: varning: den tidigare offentliga kallelsen i build/m-offentlig/ är "
        "borttagen, så att ingen äldre version ligger kvar som offentlig [offentlig.borttagen]"]
    assert sorted(p.name for p in public.iterdir()) == ["egen-fil.txt"]
