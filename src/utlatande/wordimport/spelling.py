"""A Word edit written in the answer's own Markdown: only the changed words change.

The reader gives a key's text back in one spelling of Markdown (`*kursiv*`, `- punkt`, a
paragraph on one line). The answer file may spell the same text otherwise (`_kursiv_`,
`* punkt`, lines wrapped inside a `|` block). So that an edited sentence does not rewrite
the rest of the value, the edit is found between what the DOCX said when it was built
(the snapshot, in the reader's spelling) and what it says now, and made to the answer's
own text at the place that corresponds. The result is kept only if it renders to the same
HTML as Word's text; otherwise Word's text is taken as it is.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from ..markdown import to_html

_TOKEN = re.compile(r"[^\W_]+|\s+|[\W_]")  # a word, a run of spaces, or one mark ('_' too)
_SPACE = re.compile(r"\s+")
_MARKER = re.compile(r"(^|\n[ \t]*)([-*+]|\d+[.)])([ \t])")
_STYLE = re.compile(r' style="[^"]*"')


def respell(source: str, snapshot: str, edited: str) -> str:
    """`edited` in the spelling of `source`, where `snapshot` is `source` as the reader
    spells it; `edited` itself when the edit cannot be placed."""
    if snapshot == edited:
        return source
    wanted = _rendered(edited)
    where, edits = _Alignment(snapshot, source), _edits(snapshot, edited)
    tried: list[str] = []
    # The source's document, and Word's change to the snapshot's: made once, if needed.
    source_html: str = ""
    word_change: list[tuple[list[str], list[str]]] | None = None
    for bullets in (False, True):
        patched = _patch(source, snapshot, where, edits, bullets)
        if patched is None:
            return edited  # the bullets do not decide whether an edit has a place
        if patched in tried:
            continue
        tried.append(patched)
        rendered = _rendered(patched)
        # The same document as Word's; or, where the DOCX could not say all the source
        # says (a link to nowhere is plain text in Word), the source's document with
        # exactly Word's change in it.
        if rendered == wanted:
            return patched
        if word_change is None:
            source_html, word_change = _rendered(source), _changes(_rendered(snapshot), wanted)
        if _changes(source_html, rendered) == word_change:
            return patched
    return edited


def _rendered(text: str) -> str:
    """The HTML a text renders to; a line break inside a paragraph is a space, as read,
    and a table column's alignment is the DOCX's layout (the reader does not write it)."""
    return _SPACE.sub(" ", _STYLE.sub("", str(to_html(text)))).strip()


def _changes(before: str, after: str) -> list[tuple[list[str], list[str]]]:
    """What changed from one HTML text to another: (tokens out, tokens in), in order."""
    a, b = _TOKEN.findall(before), _TOKEN.findall(after)
    return [(a[i1:i2], b[j1:j2]) for i1, i2, j1, j2 in _differences(a, b)]


def _matching(a: list[str], b: list[str]) -> list[tuple[int, int, int]]:
    """Matching runs (i, j, length) of two token lists, in order. The common start and end
    are taken first, so that a long text with an edit in it costs little; the rest is left
    to difflib, whose heuristic treats very common tokens (a space) as junk."""
    start = 0
    while start < min(len(a), len(b)) and a[start] == b[start]:
        start += 1
    end = 0
    while end < min(len(a), len(b)) - start and a[-1 - end] == b[-1 - end]:
        end += 1
    blocks = [(0, 0, start)] if start else []
    middle = SequenceMatcher(None, a[start:len(a) - end], b[start:len(b) - end])
    blocks += [(i + start, j + start, n) for i, j, n in middle.get_matching_blocks() if n]
    if end:
        blocks.append((len(a) - end, len(b) - end, end))
    return blocks


def _differences(a: list[str], b: list[str]) -> list[tuple[int, int, int, int]]:
    """The runs between the matching ones: (i1, i2, j1, j2), a[i1:i2] became b[j1:j2]."""
    result = []
    i = j = 0
    for bi, bj, n in [*_matching(a, b), (len(a), len(b), 0)]:
        if bi > i or bj > j:
            result.append((i, bi, j, bj))
        i, j = bi + n, bj + n
    return result


def _patch(source: str, snapshot: str, where: _Alignment, edits: list[tuple[int, int, str]],
           bullets: bool) -> str | None:
    """The snapshot→edited changes (`edits`, placed by `where`) made to `source`, or None
    where one has no place; with `bullets`, a new list item takes the bullet ('*', '+') of
    the source's list before it (another bullet would start another list)."""
    out: list[str] = []
    done = 0  # how far into `source` has been copied
    for i1, i2, new in edits:
        start, end = i1, i2
        # Widen the change to places the two spellings share: a changed '*x*' whose
        # source reads '_x_' is replaced whole, in the reader's spelling.
        while where.start(start, end == start) is None and start > 0:
            start -= 1
        while where.end(end, end == start) is None and end < len(snapshot):
            end += 1
        s1, s2 = where.start(start, end == start), where.end(end, end == start)
        if s1 is None or s2 is None or s1 < done or s2 < s1:
            return None
        out.append(source[done:s1])
        text = snapshot[start:i1] + new + snapshot[i2:end]
        if bullets:
            text = _MARKER.sub(_markers_like(source[:s1]), text)
        out.append(text)
        done = s2
    out.append(source[done:])
    return "".join(out)


def _markers_like(before: str):
    """A substitution giving a list marker the bullet or delimiter used last in `before`."""
    found = [m.group(2) for m in _MARKER.finditer(before)]
    bullet = next((f for f in reversed(found) if not f[0].isdigit()), "-")
    delimiter = next((f[-1] for f in reversed(found) if f[0].isdigit()), ".")

    def marker(match: re.Match) -> str:
        mark = match.group(2)
        mark = mark[:-1] + delimiter if mark[0].isdigit() else bullet
        return match.group(1) + mark + match.group(3)
    return marker


def _edits(before: str, after: str) -> list[tuple[int, int, str]]:
    """(start, end, new text) in `before`, word by word, in order."""
    a, b = _TOKEN.findall(before), _TOKEN.findall(after)
    offsets_a = _offsets(a)
    offsets_b = _offsets(b)
    edits = []
    for i1, i2, j1, j2 in _differences(a, b):
        if i1 == i2:
            edits.append(_whole_lines(before, offsets_a[i1], after[offsets_b[j1]:offsets_b[j2]]))
        else:
            edits.append((offsets_a[i1], offsets_a[i2], after[offsets_b[j1]:offsets_b[j2]]))
    return edits


def _whole_lines(before: str, at: int, new: str) -> tuple[int, int, str]:
    """An insertion moved, where the text allows, to stand as whole lines: a new table row
    or list item is '| x |\\n' at a line's start, not ' |\\n| x' before a line's end."""
    for shift in range(0, len(new) + 1):  # to the right: the text after it moves before
        if before[at:at + shift] != new[:shift]:
            break
        place, text = at + shift, new[shift:] + new[:shift]
        if text.endswith("\n") and (place == 0 or before[place - 1] == "\n"):
            return place, place, text
    for shift in range(1, len(new) + 1):  # to the left
        if at - shift < 0 or before[at - shift:at] != new[len(new) - shift:]:
            break
        place, text = at - shift, new[len(new) - shift:] + new[:len(new) - shift]
        if text.endswith("\n") and (place == 0 or before[place - 1] == "\n"):
            return place, place, text
    return at, at, new


def _offsets(tokens: list[str]) -> list[int]:
    result = [0]
    for token in tokens:
        result.append(result[-1] + len(token))
    return result


class _Alignment:
    """Where a position in the snapshot is in the source, where both have the same text."""

    def __init__(self, snapshot: str, source: str):
        # Token by token: runs of whole words, spaces and marks that the two spell alike.
        a, b = _TOKEN.findall(snapshot), _TOKEN.findall(source)
        offsets_a, offsets_b = _offsets(a), _offsets(b)
        self.blocks = [(offsets_a[i], offsets_b[j], offsets_a[i + n] - offsets_a[i])
                       for i, j, n in _matching(a, b)]
        self.lengths = (len(snapshot), len(source))

    def start(self, i: int, insert: bool) -> int | None:
        """The source position of a change that starts before snapshot[i]."""
        for a, b, size in self.blocks:
            if a <= i < a + size or (insert and i == a + size):
                return b + i - a
        return 0 if i == 0 else None

    def end(self, i: int, insert: bool) -> int | None:
        """The source position of a change that ends after snapshot[i - 1]."""
        for a, b, size in self.blocks:
            if a < i <= a + size or (insert and i == a):
                return b + i - a
        return self.lengths[1] if i == self.lengths[0] else None
