"""Golden comparisons: the built documents say what the seeds say, in the same order."""

from __future__ import annotations

import pytest

from conftest import SEED_ANSWERS
from textmatch import docx_text, in_order_ratio, pdf_text, seed_text, without_block, words

# Page furniture the seeds print once a page (see without_block); checked in test_structure.
FURNITURE = {
    "004": "Rinkeby-Kista stadsdelsförvaltning Avdelningen individ och familj "
           "Borgarfjordsgatan 14 Box 7049 164 07 Kista Växel 08-508 01 000 Fax "
           "rinkeby-kista@stockholm.se stockholm.se",
}
STATEMENTS = ["000", "002", "003", "004"]


def _ratio(seed: str, text: str) -> float:
    seed_words = seed_text(seed)
    if seed in FURNITURE:
        seed_words = without_block(seed_words, FURNITURE[seed])
        text = without_block(text, FURNITURE[seed])
    return in_order_ratio(words(seed_words), words(text))


@pytest.mark.parametrize("seed", STATEMENTS)
def test_pdf_says_what_the_seed_says(built, seed):
    ratio = _ratio(seed, pdf_text(built / f"{SEED_ANSWERS[seed]}.pdf"))
    assert ratio >= 0.97, f"seed {seed}: {ratio:.1%} of its words in order in the PDF"


@pytest.mark.parametrize("seed", STATEMENTS)
def test_docx_says_what_the_seed_says(built, seed):
    ratio = _ratio(seed, docx_text(built / f"{SEED_ANSWERS[seed]}.docx"))
    assert ratio >= 0.97, f"seed {seed}: {ratio:.1%} of its words in order in the DOCX"


def test_a_changed_word_is_noticed(built):
    """The comparison is not blind: a document that lost a paragraph falls below the bar."""
    text = pdf_text(built / f"{SEED_ANSWERS['002']}.pdf")
    cut = text.split("Samverkan mellan socialtjänsten och skolan")[0]
    assert _ratio("002", cut) < 0.97
