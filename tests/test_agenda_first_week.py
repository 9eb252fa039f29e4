"""The agenda for a new handläggare (issue 18): the case in the list, the time as typed, and a
warning for an appendix that has no PDF."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from utlatande.cli import main

MEETING = """möte:
  organ: Socialnämnden
  datum: 2024-03-19
  tid: {tid}
  plats: Rådhuset
ärenden:
  - ../answers/bankar.yaml
  - rubrik: Anmälan av delegationsbeslut
    förslag: Nämnden godkänner redovisningen.
    bilagor:
      - Delegationslista februari 2024
"""
ANSWER = """mall: tjänsteskrivelse
datum: 2024-05-20
rubrik: Bänkar i Stadsparken
ärende: {typ: medborgarförslag, från: "Karin Ek", datum: 2024-05-12}
förslag_till_beslut:
  - Medborgarförslaget bifalls.
"""


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    (tmp_path / "answers").mkdir()
    (tmp_path / "moten").mkdir()
    (tmp_path / "answers" / "bankar.yaml").write_text(ANSWER, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _agenda(project: Path, tid: str) -> tuple[int, str]:
    (project / "moten" / "m.yaml").write_text(MEETING.replace("{tid}", tid), encoding="utf-8")
    result = CliRunner().invoke(main, ["agenda", "moten/m.yaml", "-q"])
    return result.exit_code, result.output


def _words(pdf: Path, page: int) -> str:
    out = subprocess.run(["pdftotext", "-f", str(page), "-l", str(page), str(pdf), "-"],
                         check=True, capture_output=True, text=True).stdout
    return " ".join(out.split())


def test_the_list_shows_the_case_and_the_time_as_typed(project):
    code, output = _agenda(project, "18.30")
    assert code == 0, output
    pdf = project / "build" / "m" / "m.pdf"
    cover, listing = _words(pdf, 1), _words(pdf, 2)
    assert "kl. 18.30" in cover
    assert "Medborgarförslag från Karin Ek, inkommet 12 maj 2024" in listing
    index = (project / "build" / "m" / "index.html").read_text(encoding="utf-8")
    assert '<p class="liten">Medborgarförslag från Karin Ek, inkommet 12 maj 2024</p>' in index


def test_an_appendix_without_a_pdf_is_a_warning_at_its_line(project):
    code, output = _agenda(project, '"17.00"')
    assert code == 0
    assert output.splitlines() == [
        "moten/m.yaml:11:9: varning: bilagan 'Delegationslista februari 2024' har ingen fil "
        "och kommer inte med i kallelsen; skriv den som {titel: …, fil: sökväg till PDF:en} "
        "[möte.bilaga_utan_fil]"]
