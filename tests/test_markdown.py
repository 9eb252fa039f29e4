"""Answer text is Markdown: every construct reaches both formats; nothing in it is markup."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

from utlatande.pipeline import build

from textmatch import pdf_text

RICH = """mall: frågesvar
rubrik: Allt som Markdown kan
sammanfattning: |
  Text med **fetstil**, *kursiv*, ~~struken~~ och en [länk](https://malmo.se/).

  - punkt ett
  - punkt två
    - underpunkt
      1. numrerad under
  - punkt tre

  1. första
  2. andra

  > Ett citat ur skrivelsen.

  | Stadsdel | Antal |
  |---|---|
  | Norr | 3 |
  | Söder | 5 |

  Rå <b>html</b> och {{ 7*7 }} och {% if x %} skrivs som de står.
"""


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("md")
    (root / "answers").mkdir()
    (root / "answers" / "rich.yaml").write_text(RICH, encoding="utf-8")
    result = build(root / "answers" / "rich.yaml", root / "build", ("pdf", "docx", "html"), root)
    assert result.ok, [str(p) for p in result.problems]
    return root / "build"


def test_html_keeps_answer_text_as_text(outputs):
    html = (outputs / "rich.html").read_text(encoding="utf-8")
    assert "Rå &lt;b&gt;html&lt;/b&gt; och {{ 7*7 }} och {% if x %} skrivs" in html
    assert "<s>struken</s>" in html and "<blockquote>" in html and "<table>" in html


def test_pdf_prints_raw_html_and_template_syntax_as_typed(outputs):
    text = " ".join(pdf_text(outputs / "rich.pdf").split())
    assert "Rå <b>html</b> och {{ 7*7 }} och {% if x %} skrivs som de står." in text
    assert "49" not in text


def test_docx_has_every_construct(outputs):
    document = docx.Document(outputs / "rich.docx")
    by_text = {p.text: p for p in document.paragraphs}
    assert by_text["punkt ett"].style.name == "List Bullet"
    assert by_text["underpunkt"].style.name == "List Bullet 2"
    assert by_text["numrerad under"].style.name == "List Number 3"
    assert by_text["första"].style.name == "List Number"
    assert by_text["Ett citat ur skrivelsen."].style.name == "Quote"
    first = by_text["Text med fetstil, kursiv, struken och en länk."]
    runs = {r.text: r for r in first.runs}
    assert runs["fetstil"].bold and runs["kursiv"].italic and runs["struken"].font.strike
    links = first._p.findall(qn("w:hyperlink"))
    assert len(links) == 1
    rel = document.part.rels[links[0].get(qn("r:id"))]
    assert rel.target_ref == "https://malmo.se/" and rel.is_external
    raw = "Rå <b>html</b> och {{ 7*7 }} och {% if x %} skrivs som de står."
    assert raw in by_text
    table = document.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["Stadsdel", "Antal"]
    assert table.style.name == "Table Grid"
    header = table.rows[0]._tr.trPr.find(qn("w:tblHeader"))
    assert header is not None


def test_dates_in_words_are_swedish(tmp_path):
    from datetime import date

    from utlatande.render.html import date_in_words

    assert date_in_words(date(2024, 3, 19)) == "19 mars 2024"
    assert date_in_words(date(2020, 12, 1)) == "1 december 2020"


def test_indented_and_fenced_text_reach_both_formats(tmp_path):
    """Indentation pasted from a word processor stays a paragraph; a fenced block is kept
    line by line, in both formats (the DOCX writer once refused it as a template error)."""
    (tmp_path / "answers").mkdir()
    answer = tmp_path / "answers" / "kod.yaml"
    answer.write_text('mall: tjänsteutlåtande\ndatum: 2024-03-19\nrubrik: Indrag\n'
                      'sammanfattning: "\\tIndragen rad."\navsnitt:\n  - rubrik: Kod\n'
                      '    text: |\n      ```\n      rad ett\n        rad två\n      ```\n',
                      encoding="utf-8")
    result = build(answer, tmp_path / "build", ("pdf", "docx", "html"), tmp_path)
    assert result.ok, [str(p) for p in result.problems]
    html = (tmp_path / "build" / "kod.html").read_text(encoding="utf-8")
    assert "<p>Indragen rad.</p>" in html
    assert "<pre><code>rad ett\n  rad två\n</code></pre>" in html
    paragraphs = [p.text for p in docx.Document(tmp_path / "build" / "kod.docx").paragraphs]
    assert "Indragen rad." in paragraphs
    assert "rad ett\n  rad två" in paragraphs
    text = pdf_text(tmp_path / "build" / "kod.pdf")
    assert "Indragen rad." in text and "rad två" in text
