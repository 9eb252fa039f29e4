"""Words of seeds and built documents, and how many of a seed's words a document has in order."""

from __future__ import annotations

import re
import subprocess
from difflib import SequenceMatcher
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

# The seeds' texts travel with the tests: a clone has nothing beside it.
REFERENCE = Path(__file__).resolve().parent / "reference"

# Markdown markers and list bullets or numbers: layout, not words.
_MARKUP = re.compile(r"\*\*|~~|(?<!\w)\*|\*(?!\w)|^#+\s|^\s*[-•]\s|^\s*\d+\.\s|\]\(#\)|\[")


def words(text: str) -> list[str]:
    """Words without punctuation around them, lower-cased: what a reader compares."""
    text = "\n".join(_MARKUP.sub(" ", line) for line in text.splitlines())
    text = text.replace("\u00ad", "")
    result = []
    for token in text.split():
        token = token.strip(".,:;!?()[]\"'”“’*–-").lower()
        if token:
            result.append(token)
    return result


def without_block(text: str, block: str) -> str:
    """`text` with every occurrence of `block` (words in order, any spacing) removed.

    Page furniture (an address footer, a running header) is printed once a page, so where
    it appears depends on where pages break; the seeds say it is not content. Tests check
    it where it belongs, in the page footers.
    """
    pattern = r"\s+".join(re.escape(w) for w in block.split())
    return re.sub(pattern, " ", text)


def in_order_ratio(seed: list[str], built: list[str]) -> float:
    """Share of the seed's words found in the built text in the same order."""
    matcher = SequenceMatcher(None, seed, built, autojunk=False)
    found = sum(block.size for block in matcher.get_matching_blocks())
    return found / len(seed) if seed else 1.0


def reference_path(name: str) -> Path:
    """The reference text of seed `name` (`000` …) in tests/reference/; a clear failure if none."""
    found = sorted(REFERENCE.glob(f"{name}_*.txt"))
    if not found:
        pytest.fail(f"referenstexten för seed {name} saknas: {REFERENCE}/{name}_*.txt",
                    pytrace=False)
    return found[0]


def seed_text(name: str) -> str:
    """A seed's extracted text, without the reference file's first line (its source)."""
    text = reference_path(name).read_text(encoding="utf-8")
    first, _, rest = text.partition("\n")
    if not first.startswith("# Källa:"):
        pytest.fail(f"{reference_path(name)}: första raden ska ange källan ('# Källa: …')",
                    pytrace=False)
    return rest


def pdf_text(path: Path) -> str:
    result = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"],
                            capture_output=True, text=True, check=True)
    # A word hyphenated at a line end (WeasyPrint writes U+2010) is one word.
    return re.sub(r"(\w)[\u2010\u00ad]\n(\w)", r"\1\2", result.stdout)


def _part_text(part) -> list[str]:
    lines = []
    for block in part._element.iter(qn("w:p")):
        text = "".join(t.text or "" for t in block.iter(qn("w:t")))
        if text.strip():
            lines.append(text)
    return lines


def docx_text(path: Path) -> str:
    """Text in reading order: first header, body, and each section's footer after its pages."""
    document = docx.Document(str(path))
    sections = list(document.sections)
    lines: list[str] = []
    first = sections[0]
    header = first.first_page_header if first.different_first_page_header_footer else first.header
    lines += _part_text(header)
    index = 0
    body = document.element.body
    for block in body.iterchildren():
        if block.tag == qn("w:p"):
            text = "".join(t.text or "" for t in block.iter(qn("w:t")))
            if text.strip():
                lines.append(text)
            if block.find(qn("w:pPr")) is not None and \
                    block.find(qn("w:pPr")).find(qn("w:sectPr")) is not None:
                lines += _part_text(sections[index].footer)
                index += 1
        elif block.tag == qn("w:tbl"):
            for row in block.iter(qn("w:tr")):
                for cell in row.iter(qn("w:tc")):
                    for paragraph in cell.iter(qn("w:p")):
                        lines.append("".join(t.text or "" for t in paragraph.iter(qn("w:t"))))
    lines += _part_text(sections[index].footer)
    notes = document.part.rels.values()
    for rel in notes:
        if rel.reltype.endswith("/footnotes"):
            from lxml import etree

            tree = etree.fromstring(rel.target_part.blob)
            for note in tree.iter(qn("w:footnote")):
                text = "".join(t.text or "" for t in note.iter(qn("w:t")))
                if text.strip():
                    lines.append(text)
    return "\n".join(lines)
