"""Malmö's nulägesrapport (seed 001): contents with right page numbers, footnotes, tables."""

from __future__ import annotations

import re
import subprocess

import docx
import pypdf
from docx.oxml.ns import qn

from conftest import SEED_ANSWERS
from textmatch import docx_text, in_order_ratio, pdf_text, seed_text, without_block, words

REPORT = SEED_ANSWERS["001"]
TITLE = ("Nulägesrapport om pågående samverkan och samlokalisering med relevanta aktörer för "
         "att fler Malmöbor ska bli självförsörjande")
SEED_PAGE_HEADER = re.compile(r"\d+ Stadskontoret Nulägesrapport om pågående samverkan och "
                              r"samlokalisering med relevanta")


def _ratio(text: str) -> float:
    seed = SEED_PAGE_HEADER.sub(" ", seed_text("001"))
    built = without_block(text, f"Stadskontoret {TITLE}")
    return in_order_ratio(words(seed), words(built))


def test_report_pdf_says_what_the_seed_says(built):
    ratio = _ratio(pdf_text(built / f"{REPORT}.pdf"))
    assert ratio >= 0.90, f"{ratio:.1%}"


def test_report_docx_says_what_the_seed_says(built):
    ratio = _ratio(docx_text(built / f"{REPORT}.docx"))
    assert ratio >= 0.90, f"{ratio:.1%}"


def _bookmark_pages(reader: pypdf.PdfReader) -> dict[str, int]:
    pages: dict[str, int] = {}

    def walk(items):
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                pages[" ".join(item.title.split())] = reader.get_destination_page_number(item) + 1
    walk(reader.outline)
    return pages


def _contents_entries(path) -> list[tuple[str, int]]:
    """(title, printed page) of every entry of the printed table of contents."""
    text = subprocess.run(["pdftotext", "-f", "2", "-l", "3", "-layout", str(path), "-"],
                          capture_output=True, text=True, check=True).stdout
    text = text.split("Innehållsförteckning", 1)[1]
    # Leave out the running header and the page number of the contents' second page.
    text = "\n".join(line for line in text.splitlines()
                     if "Stadskontoret" not in line and "självförsörjande" not in line
                     and not re.search(r"Sida \d+ \(\d+\)", line))
    text = re.sub(r"(\w)\u2010\n\s*(\w)", r"\1\2", text)
    entries = []
    for title, page in re.findall(r"(.+?)\s*\.{4,}\s*(\d+)\s", " ".join(text.split("\n"))):
        entries.append((" ".join(title.split()).rstrip("."), int(page)))
    return entries


def test_contents_page_numbers_are_where_the_headings_are(built):
    path = built / f"{REPORT}.pdf"
    bookmarks = _bookmark_pages(pypdf.PdfReader(path))
    entries = _contents_entries(path)
    assert len(entries) >= 30
    for title, page in entries:
        match = [t for t in bookmarks if t.rstrip(".") == title]
        assert match, f"no heading '{title}'"
        assert bookmarks[match[0]] == page, f"'{title}': contents say {page}"


def test_running_header_on_every_page_but_the_cover(built):
    reader = pypdf.PdfReader(built / f"{REPORT}.pdf")
    texts = [" ".join(page.extract_text().split()) for page in reader.pages]
    assert len(texts) >= 15
    assert not texts[0].startswith("Stadskontoret Nulägesrapport")
    for number, text in enumerate(texts[1:], start=2):
        assert "Stadskontoret Nulägesrapport om pågående" in text, number
        assert f"Sida {number} ({len(texts)})" in text


def _squeeze(text: str) -> str:
    return re.sub(r"[\s\u2010\d•]+", "", text)


def _calls_and_notes(html_path) -> list[tuple[str, str]]:
    """(the words just before each footnote call, the footnote's text) from the HTML."""
    from lxml import html as lxml_html

    tree = lxml_html.parse(str(html_path))
    pairs = []
    for note in tree.iter("span"):
        if note.get("class") != "fotnot":
            continue
        before = []
        node = note
        while node is not None and len(" ".join(before).split()) < 4:
            previous = node.getprevious()
            if previous is None:
                before.insert(0, node.getparent().text or "")
                node = node.getparent() if node.getparent().tag != "p" else None
                continue
            if previous.get("class") != "fotnot":
                before.insert(0, (previous.text_content() or "") + (previous.tail or ""))
            else:
                before.insert(0, previous.tail or "")
            node = previous
        words_before = " ".join(" ".join(before).split()[-2:])
        pairs.append((words_before, note.text_content()))
    return pairs


def test_footnotes_stand_on_the_page_of_their_call(built):
    reader = pypdf.PdfReader(built / f"{REPORT}.pdf")
    pages = [_squeeze(page.extract_text()) for page in reader.pages]
    pairs = _calls_and_notes(built / f"{REPORT}.html")
    assert len(pairs) == 11
    for before, note in pairs:
        call_pages = [i for i, text in enumerate(pages) if _squeeze(before) in text]
        note_pages = [i for i, text in enumerate(pages) if _squeeze(note)[:40] in text]
        assert call_pages and note_pages, (before, note)
        assert set(call_pages) & set(note_pages), (before, note, call_pages, note_pages)


def test_docx_has_contents_field_footnotes_and_repeating_header_rows(built):
    document = docx.Document(built / f"{REPORT}.docx")
    body = document.element.body
    instructions = [t.text for t in body.iter(qn("w:instrText"))]
    assert any(i.strip().startswith("TOC") for i in instructions)
    toc = [p for p in document.paragraphs if re.fullmatch(r"TOC \d", p.style.name)]
    assert toc[0].text == "Bakgrund\t4"  # written with the PDF's page numbers
    assert len(list(body.iter(qn("w:footnoteReference")))) == 11
    headers = list(body.iter(qn("w:tblHeader")))
    grids = [t for t in document.tables if t.style.name == "Table Grid"]  # not the cover's
    assert len(headers) == len(grids) == 4
    section = document.sections[0]
    assert "Nulägesrapport om pågående" in section.header._element.xml


def test_no_text_outside_the_page(built):
    for name in SEED_ANSWERS.values():
        xml = subprocess.run(["pdftotext", "-bbox", str(built / f"{name}.pdf"), "-"],
                             capture_output=True, text=True, check=True).stdout
        right = max(float(x) for x in re.findall(r'xMax="([0-9.]+)"', xml))
        bottom = max(float(y) for y in re.findall(r'yMax="([0-9.]+)"', xml))
        assert right <= 595.3 - 20 * 72 / 25.4, (name, right)  # inside a 20 mm margin
        assert bottom <= 841.9 - 5, (name, bottom)
