"""Appendix PDFs are appended after the statement, each with its bookmark."""

from __future__ import annotations

from pathlib import Path

import docx
import pypdf

from utlatande.pipeline import build

ANSWER = """mall: tjänsteutlåtande
datum: 2024-03-19
rubrik: Utlåtande med bilagor
sammanfattning: Se bilagorna.
bilagor:
  - {titel: Skrivelsen, fil: bilagor/skrivelse.pdf}
  - Bilaga utan fil
  - {titel: Statistik, fil: bilagor/statistik.pdf}
"""


def _pdf(path: Path, pages: int) -> None:
    writer = pypdf.PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        writer.write(handle)


def _project(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "answers").mkdir()
    (tmp_path / "answers" / "x.yaml").write_text(ANSWER, encoding="utf-8")
    _pdf(tmp_path / "answers" / "bilagor" / "skrivelse.pdf", 2)
    _pdf(tmp_path / "answers" / "bilagor" / "statistik.pdf", 3)
    return tmp_path


def _statement_pages(tmp_path: Path) -> int:
    plain = ANSWER.split("bilagor:")[0]
    (tmp_path / "answers" / "plain.yaml").write_text(plain, encoding="utf-8")
    result = build(Path("answers/plain.yaml"), tmp_path / "plain", ("pdf",), tmp_path)
    assert result.ok
    return len(pypdf.PdfReader(tmp_path / "plain" / "plain.pdf").pages)


def test_appendices_follow_the_statement_with_bookmarks(tmp_path, monkeypatch):
    project = _project(tmp_path, monkeypatch)
    result = build(Path("answers/x.yaml"), project / "build", ("pdf", "docx"), project)
    assert result.ok, [str(p) for p in result.problems]
    reader = pypdf.PdfReader(project / "build" / "x.pdf")
    statement = _statement_pages(tmp_path)
    assert len(reader.pages) == statement + 2 + 3
    marks = {item.title: reader.get_destination_page_number(item) for item in reader.outline
             if not isinstance(item, list)}
    assert marks["Bilaga 1: Skrivelsen"] == statement
    assert marks["Bilaga 3: Statistik"] == statement + 2
    assert "Utlåtande med bilagor" in marks
    # the DOCX lists every appendix: it cannot hold the PDFs
    texts = [p.text for p in docx.Document(project / "build" / "x.docx").paragraphs]
    assert texts[-3:] == ["Skrivelsen", "Bilaga utan fil", "Statistik"]


def test_an_unreadable_appendix_is_an_error_at_its_line(tmp_path, monkeypatch):
    project = _project(tmp_path, monkeypatch)
    (project / "answers" / "bilagor" / "statistik.pdf").write_bytes(b"%PDF-1.7\ntrasig")
    result = build(Path("answers/x.yaml"), project / "build", ("pdf", "docx"), project)
    assert not result.ok
    assert [str(p).split(" (")[0] for p in result.problems] == [
        "answers/x.yaml:8:29: fel: bilagan 'bilagor/statistik.pdf' är ingen läsbar PDF"]
    assert not (project / "build").exists()


def test_appended_output_is_byte_identical(tmp_path, monkeypatch):
    project = _project(tmp_path, monkeypatch)
    build(Path("answers/x.yaml"), project / "a", ("pdf",), project)
    build(Path("answers/x.yaml"), project / "b", ("pdf",), project)
    assert (project / "a" / "x.pdf").read_bytes() == (project / "b" / "x.pdf").read_bytes()
