"""Small text helpers that checks and writers share: control characters, ASCII names and
"did you mean"."""

from __future__ import annotations

import difflib
import re
import unicodedata

# Characters XML 1.0 cannot hold (or holds only as a discouraged control), so neither a
# DOCX nor a tagged PDF can: dropped from answers with a warning, and by the DOCX writer.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def ascii_letters(text: str) -> str:
    """The text in ASCII: å, ä, ö (and other accented letters) lose their marks, anything
    else outside ASCII is dropped. For file names and CSS classes."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def did_you_mean(name: str, known: list[str]) -> str | None:
    """The known name closest to a mistyped one, if one is close enough."""
    close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
    return close[0] if close else None
