"""Structure of the outputs: Word styles, fields, lists, PDF metadata, bookmarks, pages."""

from __future__ import annotations

import subprocess
import zipfile

import docx
import pypdf
import pytest
from docx.oxml.ns import qn

from conftest import SEED_ANSWERS
from textmatch import pdf_text

STOCKHOLM = SEED_ANSWERS["002"]
LINKOPING = SEED_ANSWERS["003"]
RINKEBY = SEED_ANSWERS["004"]
MALMO = SEED_ANSWERS["000"]


def _styles(document) -> list[tuple[str, str]]:
    return [(p.style.name, p.text) for p in document.paragraphs if p.text.strip()]


def test_docx_headings_are_word_heading_styles(built):
    styles = _styles(docx.Document(built / f"{STOCKHOLM}.docx"))
    assert ("Title", "Skrivelse angående nyckeltjänster") in styles
    assert ("Subtitle", "Svar på skrivelse från Moderaterna") in styles
    assert ("Heading 1", "Förvaltningens förslag till beslut") in styles
    assert ("Heading 1", "Sammanfattning") in styles
    assert ("Heading 2", "Samlokalisering av socialsekreterare hos polisen") in styles
    assert ("Heading 1", "Attesterat av") in styles


def test_docx_lists_are_real_word_lists(built):
    document = docx.Document(built / f"{STOCKHOLM}.docx")
    bullets = [p for p in document.paragraphs if p.style.name == "List Bullet"]
    numbered = [p for p in document.paragraphs if p.style.name == "List Number"]
    assert len(bullets) == 8  # the four questions, in Sammanfattning and in Ärendet
    assert [p.text for p in numbered] == [
        "Socialnämnden godkänner förvaltningens tjänsteutlåtande som svar på skrivelsen om "
        "att nyckeltjänster.", "Skrivelse angående nyckeltjänster"]
    # each numbered list counts from 1 on its own numbering instance
    num_ids = {p._p.pPr.numPr.numId.val for p in numbered}
    assert len(num_ids) == 2


def test_docx_numbered_groups_restart(built):
    document = docx.Document(built / f"{LINKOPING}.docx")
    numbered = [p for p in document.paragraphs if p.style.name == "List Number"]
    assert len(numbered) == 3
    numbering = document.part.numbering_part.element
    for paragraph in numbered:
        num = next(n for n in numbering.num_lst if n.numId == paragraph._p.pPr.numPr.numId.val)
        start = num.find(qn("w:lvlOverride")).find(qn("w:startOverride"))
        assert start.get(qn("w:val")) == "1"


def test_docx_footer_has_page_number_fields(built):
    document = docx.Document(built / f"{STOCKHOLM}.docx")
    for section in document.sections:
        instructions = [t.text.strip() for t in section.footer._element.iter(qn("w:instrText"))]
        assert instructions == ["PAGE", "NUMPAGES"]
        assert "Sida" in section.footer._element.xml


def test_docx_language_and_core_properties(built):
    document = docx.Document(built / f"{STOCKHOLM}.docx")
    props = document.core_properties
    assert props.title == "Skrivelse angående nyckeltjänster"
    assert props.author == "Socialförvaltningen"
    assert props.subject == "Svar på skrivelse från Moderaterna"
    assert props.language == "sv-SE"
    assert props.created.date().isoformat() == "2024-03-19"
    defaults = document.styles.element.find(qn("w:docDefaults"))
    assert defaults.find(f".//{qn('w:lang')}").get(qn("w:val")) == "sv-SE"


def test_docx_attestation_is_a_table_on_its_own_page(built):
    document = docx.Document(built / f"{STOCKHOLM}.docx")
    table = document.tables[-1]
    assert [c.text for c in table.rows[0].cells] == ["Namn", "Datum"]
    assert [c.text for c in table.rows[1].cells] == [
        "Veronica Wolgast Carstorp, Socialdirektör", "2024-03-06"]
    assert len(document.sections) == 2  # the approval block starts a section (a new page)


def test_docx_letterhead_in_first_page_header(built):
    document = docx.Document(built / f"{STOCKHOLM}.docx")
    section = document.sections[0]
    assert section.different_first_page_header_footer
    header = section.first_page_header._element.xml
    assert "Stockholms stad" in header and "Tjänsteutlåtande" in header


def test_docx_address_block_in_footer_but_not_on_approval_page(built):
    document = docx.Document(built / f"{RINKEBY}.docx")
    first, approval = document.sections
    assert "Borgarfjordsgatan 14" in first.footer._element.xml
    assert "Borgarfjordsgatan 14" in first.first_page_footer._element.xml
    assert "Borgarfjordsgatan 14" not in approval.footer._element.xml


def test_docx_zip_entries_have_fixed_dates(built):
    with zipfile.ZipFile(built / f"{STOCKHOLM}.docx") as archive:
        assert {info.date_time for info in archive.infolist()} == {(2000, 1, 1, 0, 0, 0)}
        assert "word/document.xml" in archive.namelist()


def test_docx_is_valid_for_libreoffice(built, tmp_path):
    soffice = subprocess.run(["which", "soffice"], capture_output=True, text=True).stdout.strip()
    if not soffice:
        pytest.skip("LibreOffice is not installed")
    subprocess.run([soffice, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path),
                    str(built / f"{STOCKHOLM}.docx")], check=True, capture_output=True,
                   timeout=180)
    text = pdf_text(tmp_path / f"{STOCKHOLM}.pdf")
    assert "Skrivelse angående nyckeltjänster" in text
    assert "Sida 1 (" in text
    assert "Attesterat av" in text


def test_pdf_metadata(built):
    reader = pypdf.PdfReader(built / f"{STOCKHOLM}.pdf")
    info = reader.metadata
    assert info.title == "Skrivelse angående nyckeltjänster"
    assert info.author == "Socialförvaltningen"
    assert info.subject == "Svar på skrivelse från Moderaterna"
    assert reader.trailer["/Root"]["/Lang"] == "sv-SE"
    assert info["/CreationDate"].startswith("D:20240319")
    page = reader.pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)


def test_pdf_bookmarks_follow_headings(built):
    reader = pypdf.PdfReader(built / f"{STOCKHOLM}.pdf")

    def titles(outline):
        for item in outline:
            if isinstance(item, list):
                yield from titles(item)
            else:
                yield item.title

    found = list(titles(reader.outline))
    assert found[:3] == ["Skrivelse angående nyckeltjänster", "Förvaltningens förslag till beslut",
                         "Sammanfattning"]
    assert "Samlokalisering av socialsekreterare hos polisen" in found
    assert found[-1] == "Attesterat av"


def test_pdf_fonts_are_embedded_from_the_theme(built):
    result = subprocess.run(["pdffonts", str(built / f"{STOCKHOLM}.pdf")], capture_output=True,
                            text=True, check=True)
    rows = result.stdout.splitlines()[2:]
    assert rows, result.stdout
    for row in rows:
        assert "Liberation" in row
        assert " yes " in row  # emb column


def test_pdf_page_numbers_and_footer_on_every_statement_page(built):
    reader = pypdf.PdfReader(built / f"{RINKEBY}.pdf")
    total = len(reader.pages)
    pages = [page.extract_text() for page in reader.pages]
    for number, text in enumerate(pages, start=1):
        assert f"Sida {number} ({total})" in text
    *statement, approval = pages
    assert all("Borgarfjordsgatan 14" in text for text in statement)
    assert "Attesterat av" in approval and "Borgarfjordsgatan 14" not in approval


def test_pdf_and_docx_have_the_same_words(built):
    """Both writers come from one HTML: the body text is the same, in the same order."""
    from textmatch import docx_text, in_order_ratio, words

    for name in (STOCKHOLM, LINKOPING, MALMO):
        pdf_words = [w for w in words(pdf_text(built / f"{name}.pdf")) if not w.startswith("sida")]
        docx_words = words(docx_text(built / f"{name}.docx"))
        assert in_order_ratio(docx_words, pdf_words) > 0.98


def test_html_is_the_semantic_document(built):
    html = (built / f"{LINKOPING}.html").read_text(encoding="utf-8")
    assert '<html lang="sv-SE">' in html
    assert html.count('<section class="forslag">') == 3
    assert "<h2>Beslutet skickas till:</h2>" in html
    assert '<div class="underskrifter bredvid">' in html


def test_pdf_keeps_the_recipients_list_on_one_page(built):
    """'Beslutet skickas till' and every name under it share a page, as the seed prints them."""
    reader = pypdf.PdfReader(built / "linkoping-omradesbaserat-socialt-arbete.pdf")
    [page] = [p.extract_text() for p in reader.pages if "Beslutet skickas till" in p.extract_text()]
    assert "Motionären" in page and "Kommunstyrelsen" in page
