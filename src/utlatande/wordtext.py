"""A DOCX body → the answer format's Markdown, block by block, with utlatande's markers.

The inverse of markdown.py and the DOCX writer: paragraphs, bold, italic, strikethrough,
links, nested lists, tables, footnotes and block quotes come back as Markdown; fonts,
colours and sizes carry no meaning and are not read. Bookmarks named ``_utl_N`` are the
markers the writer set (render/docx/marks.py); `group` turns the blocks into one value per
answer key. Used by the writer (a snapshot of what it wrote) and by `utlatande import`.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from typing import Any

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MARK = re.compile(r"^_utl_(\d+)$")
MD_FIELDS = {"sammanfattning", "text", "fråga", "svar"}
# Lists whose items are strings: a paragraph added after an item is a new item.
ITEM_LISTS = {"punkter", "förslag_till_beslut", "beslutsunderlag", "beslutet_skickas_till",
              "bilagor"}
_KEY_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def w(tag: str) -> str:
    return f"{{{W}}}{tag}"


def parse_key(key: str) -> tuple[str | int, ...]:
    """'avsnitt[2].text' → ('avsnitt', 2, 'text')."""
    return tuple(int(index) if index else name for name, index in _KEY_PART.findall(key))


def key_kind(key: str) -> str:
    """How a key's value comes back: 'md' (Markdown blocks), 'date' or 'plain' (one line)."""
    path = parse_key(key)
    last = path[-1]
    if isinstance(last, int):
        return "md" if len(path) > 1 and path[-2] in ("punkter", "förslag_till_beslut") \
            else "plain"
    if last in MD_FIELDS:
        return "md"
    return "date" if last == "datum" else "plain"


def is_list_item(key: str) -> bool:
    """A string in a list (a proposal, a line of beslutsunderlag): new paragraphs after it
    become new items rather than more text."""
    path = parse_key(key)
    return isinstance(path[-1], int) and len(path) > 1 and path[-2] in ITEM_LISTS


@dataclass
class Change:
    """A tracked change that was pending in the document."""

    kind: str  # 'infogning' or 'borttagning'
    author: str
    date: str
    text: str
    key: str | None = None


@dataclass
class Comment:
    id: str
    author: str
    text: str
    key: str | None = None


@dataclass
class Parts:
    """What the reader needs from a package: the body and the parts it refers to."""

    body: Any
    footnotes: dict[str, Any] = field(default_factory=dict)
    styles: dict[str, str] = field(default_factory=dict)  # styleId → lower-case name
    links: dict[str, str] = field(default_factory=dict)  # relationship id → URL
    bullets: dict[tuple[str, str], bool] = field(default_factory=dict)  # (numId, ilvl)
    restarts: set[str] = field(default_factory=set)  # numIds that count from a start anew
    comments: dict[str, Comment] = field(default_factory=dict)
    # The page furniture: each header and footer part's root element, by part name.
    stories: list[tuple[str, Any]] = field(default_factory=list)


@dataclass(frozen=True)
class Fmt:
    bold: bool = False
    italic: bool = False
    strike: bool = False
    link: str | None = None


@dataclass
class Item:
    """One body block: a paragraph or a table, as Markdown and as plain text."""

    kind: str  # p, h, li, quote, title, table
    md: str = ""
    plain: str = ""
    level: int = 0
    ordered: bool = False
    list_id: str = ""  # the w:numId a list item is numbered by, if any
    restart: bool = False  # that numbering starts counting anew (a list of its own)
    marks: list[int] = field(default_factory=list)
    ranges: dict[int, str] = field(default_factory=dict)  # mark → its text
    notes: list[str] = field(default_factory=list)  # footnotes, Markdown, in order
    changes: list[Change] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    cells: list[Item] = field(default_factory=list)
    pictures: int = 0  # images in it, which the reader cannot turn back into Markdown
    boxes: list[str] = field(default_factory=list)  # text boxes' text, which it cannot either
    unclosed: set[int] = field(default_factory=set)  # marks still open at its end
    home: dict[int, str] = field(default_factory=dict)  # mark → the paragraph it starts in


class Reader:
    """Reads one document's body; `changes` says how pending tracked changes are taken:
    'accept' (as if accepted), 'reject' (as if rejected)."""

    def __init__(self, parts: Parts, changes: str = "accept"):
        self.parts = parts
        self.mode = changes

    def items(self) -> list[Item]:
        """The body's blocks."""
        return self._items(self.parts.body)

    def stories(self) -> list[tuple[str, list[Item]]]:
        """Each header's and footer's blocks, by part name."""
        return [(name, self._items(root)) for name, root in self.parts.stories]

    def _items(self, root) -> list[Item]:
        result: list[Item] = []
        pending: list[int] = []  # marks standing between blocks
        for el in self._blocks(root):
            tag = el.tag
            if tag == w("bookmarkStart"):
                number = _mark_number(el)
                if number is not None:
                    pending.append(number)
                continue
            item = self.paragraph(el) if tag == w("p") else self.table(el)
            if pending:
                item.marks[:0] = pending
                pending = []
            result.append(item)
        return result

    def _blocks(self, parent):
        for el in parent:
            if el.tag in (w("p"), w("tbl"), w("bookmarkStart")):
                yield el
            elif self._opens(el.tag):
                yield from self._blocks(el)

    def _opens(self, tag: str) -> bool:
        """Whether blocks inside this element are read: content controls, and tracked
        insertions or deletions of whole paragraphs as the changes are taken."""
        if tag in (w("sdt"), w("customXml"), w("sdtContent")):
            return True
        if tag in (w("ins"), w("moveTo")):
            return self.mode != "reject"
        return tag in (w("del"), w("moveFrom")) and self.mode == "reject"

    # -- paragraphs --------------------------------------------------------------------
    def paragraph(self, p) -> Item:
        item = Item("p")
        self._classify(p, item)
        walk = _Walk(self, item)
        walk.children(p, Fmt())
        segments = walk.segments
        if item.kind in ("h", "title"):
            segments = [(text, Fmt(link=f.link)) for text, f in segments]
        item.plain = _SPACES.sub(" ", "".join(t for t, _ in segments)).strip()
        item.md = _segments_md(segments)
        for number, text in walk.closed.items():
            item.ranges[number] = _SPACES.sub(" ", text).strip()
        for number in walk.open:
            item.ranges.setdefault(number, _SPACES.sub(" ", walk.open[number]).strip())
            item.unclosed.add(number)
        for number in walk.ids.values() | walk.closed.keys():
            item.home[number] = item.plain
        return item

    def _classify(self, p, item: Item) -> None:
        ppr = p.find(w("pPr"))
        style = ""
        num = None
        if ppr is not None:
            pstyle = ppr.find(w("pStyle"))
            if pstyle is not None:
                style_id = pstyle.get(w("val")) or ""
                style = self.parts.styles.get(style_id, style_id.lower())
            num = ppr.find(w("numPr"))
        match = re.match(r"^(heading|rubrik) (\d)$", style)
        if style in ("title", "rubrik"):
            item.kind = "title"
        elif match:
            item.kind, item.level = "h", int(match.group(2))
        elif style.startswith(("list bullet", "list number", "punktlista", "numrerad lista")):
            item.kind = "li"
            item.ordered = style.startswith(("list number", "numrerad"))
            digits = re.findall(r"\d+$", style)
            item.level = int(digits[0]) - 1 if digits else 0
        elif style in ("quote", "intense quote", "citat"):
            item.kind = "quote"
        if num is not None:
            ilvl = num.find(w("ilvl"))
            num_id = num.find(w("numId"))
            level = int(ilvl.get(w("val")) or 0) if ilvl is not None else 0
            if num_id is not None and (num_id.get(w("val")) or "0") != "0":
                item.list_id = num_id.get(w("val")) or ""
                item.restart = item.list_id in self.parts.restarts
                if item.kind == "p":
                    item.kind = "li"
                    item.ordered = not self.parts.bullets.get((item.list_id, str(level)), True)
                if item.kind == "li":
                    item.level = max(item.level, level)

    def note(self, note_id: str) -> str:
        """A footnote's text as inline Markdown."""
        note = self.parts.footnotes.get(note_id)
        if note is None:
            return ""
        texts = []
        for p in note.iter(w("p")):
            item = Item("p")
            walk = _Walk(self, item)
            walk.children(p, Fmt())
            texts.append(_segments_md(walk.segments))
        return " ".join(t for t in texts if t).strip()

    # -- tables ------------------------------------------------------------------------
    def table(self, tbl) -> Item:
        item = Item("table")
        rows = []
        for tr in tbl.iter(w("tr")):
            if _nearest_table(tr) is not tbl:
                continue
            cells = []
            for tc in tr.findall(w("tc")):
                paragraphs = [self.paragraph(p) for p in tc.iter(w("p"))]
                item.cells.extend(paragraphs)
                cells.append(paragraphs)
            rows.append(cells)
        for cell in item.cells:
            item.pictures += cell.pictures
            item.marks.extend(cell.marks)
            item.ranges.update(cell.ranges)
            item.notes.extend(cell.notes)
            item.boxes.extend(cell.boxes)
            item.unclosed |= cell.unclosed
            item.home.update(cell.home)
            item.changes.extend(cell.changes)
            item.comments.extend(cell.comments)
        item.md = _table_md(rows)
        item.plain = " ".join(c.plain for c in item.cells if c.plain)
        return item


_SPACES = re.compile(r"[ \t\r\f\v]+")


def _ancestors(el, tag: str):
    parent = el.getparent()
    while parent is not None:
        if parent.tag == tag:
            yield parent
        parent = parent.getparent()


def _nearest_table(el):
    parent = el.getparent()
    while parent is not None and parent.tag != w("tbl"):
        parent = parent.getparent()
    return parent


MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
# Fields whose result the office suite computes when it lays the pages out: their text is
# not the document's (LibreOffice writes the real page count where the build wrote 1).
_COMPUTED = re.compile(r"\s*(PAGE|NUMPAGES|SECTIONPAGES|SECTION|DATE|TIME|SAVEDATE|PRINTDATE"
                       r"|CREATEDATE|EDITTIME|FILENAME|FILESIZE|NUMWORDS|NUMCHARS)\b",
                       re.IGNORECASE)


def _mark_number(el) -> int | None:
    match = MARK.match(el.get(w("name")) or "")
    return int(match.group(1)) if match else None


def _on(rpr, tag: str) -> bool:
    el = rpr.find(w(tag))
    return el is not None and (el.get(w("val")) or "true") not in ("0", "false", "off")


class _Walk:
    """The inline content of one paragraph, in document order."""

    def __init__(self, reader: Reader, item: Item):
        self.reader = reader
        self.item = item
        self.segments: list[tuple[str, Fmt]] = []
        self.open: dict[int, str] = {}  # mark → text so far
        self.ids: dict[str, int] = {}  # bookmark id → mark
        self.closed: dict[int, str] = {}
        self.fields: list[list] = []  # [instruction, separated?]

    def text(self, text: str, fmt: Fmt) -> None:
        if not text:
            return
        if self.fields and not self.fields[-1][1]:
            return  # a field's instruction, not its result
        if any(_COMPUTED.match(f[0]) for f in self.fields):
            return  # a page number: the office suite's, not the text's
        link = next((f[2] for f in reversed(self.fields) if len(f) > 2 and f[2]), None)
        if link and not fmt.link:
            fmt = Fmt(fmt.bold, fmt.italic, fmt.strike, link)
        self.segments.append((text, fmt))
        for number in self.open:
            self.open[number] += text

    def children(self, parent, fmt: Fmt) -> None:
        for el in parent:
            self.element(el, fmt)

    def element(self, el, fmt: Fmt) -> None:
        tag = el.tag
        if tag == w("r"):
            self.run(el, fmt)
        elif tag == w("hyperlink"):
            rel = el.get(f"{{{R}}}id")
            url = self.reader.parts.links.get(rel or "")
            self.children(el, Fmt(fmt.bold, fmt.italic, fmt.strike, url or fmt.link))
        elif tag == w("bookmarkStart"):
            number = _mark_number(el)
            if number is not None:
                self.item.marks.append(number)
                self.open[number] = ""
                self.ids[el.get(w("id")) or ""] = number
        elif tag == w("bookmarkEnd"):
            number = self.ids.pop(el.get(w("id")) or "", None)
            if number is not None and number in self.open:
                self.closed[number] = self.open.pop(number)
        elif tag in (w("ins"), w("moveTo")):
            self.tracked(el, fmt, "infogning", keep=self.reader.mode != "reject")
        elif tag in (w("del"), w("moveFrom")):
            self.tracked(el, fmt, "borttagning", keep=self.reader.mode == "reject")
        elif tag in (w("commentRangeStart"),):
            self.comment(el.get(w("id")))
        elif tag == w("fldSimple"):
            if not _COMPUTED.match(el.get(w("instr")) or ""):
                self.children(el, fmt)
            elif not any(_COMPUTED.match(f[0]) for f in self.fields):
                self.segments.append(("…", fmt))
                for number in self.open:
                    self.open[number] += "…"
        elif tag in (w("smartTag"), w("customXml"), w("sdt"), w("sdtContent"), w("dir"),
                     w("bdo")):
            self.children(el, fmt)
        elif tag == f"{{{MC}}}AlternateContent":
            self.alternate(el, fmt)

    def drawing(self, el) -> None:
        """An image, or a text box (or shape) with text: its text is kept apart."""
        boxes = list(el.iter(w("txbxContent")))
        if not boxes:
            self.item.pictures += 1
            return
        for box in boxes:
            if next(_ancestors(box, w("txbxContent")), None) is not None:
                continue  # a box in a box: read with the outer one
            texts = ["".join(t.text or "" for t in p.iter(w("t"))) for p in box.iter(w("p"))]
            text = _SPACES.sub(" ", " ".join(t for t in texts if t.strip())).strip()
            if text:
                self.item.boxes.append(text)

    def alternate(self, el, fmt: Fmt) -> None:
        """mc:AlternateContent (Word's drawings): its first choice is read, once."""
        choice = next(iter(el), None)
        if choice is None:
            return
        for child in choice:
            if child.tag in (w("drawing"), w("pict"), w("object")):
                self.drawing(child)
            elif child.tag == w("r"):
                self.run(child, fmt)
            else:
                self.element(child, fmt)

    def comment(self, comment_id: str | None) -> None:
        if comment_id is not None and comment_id not in self.item.comments:
            self.item.comments.append(comment_id)

    def tracked(self, el, fmt: Fmt, kind: str, keep: bool) -> None:
        before = len(self.segments)
        saved = self.reader.mode
        # Deleted text is in w:delText: read it as text while walking a kept deletion.
        self._deleted = kind == "borttagning"
        if keep:
            self.children(el, fmt)
            text = "".join(t for t, _ in self.segments[before:])
        else:
            probe = _Walk(self.reader, Item("p"))
            probe._deleted = self._deleted
            probe.children(el, fmt)
            text = "".join(t for t, _ in probe.segments)
        self._deleted = False
        self.reader.mode = saved
        if text.strip():
            self.item.changes.append(Change(kind, el.get(w("author")) or "okänd",
                                            (el.get(w("date")) or "")[:10], text.strip()))

    _deleted = False

    def run(self, r, fmt: Fmt) -> None:
        rpr = r.find(w("rPr"))
        if rpr is not None:
            style = rpr.find(w("rStyle"))
            style_name = self.reader.parts.styles.get(style.get(w("val")) or "", "") \
                if style is not None else ""
            fmt = Fmt(fmt.bold or _on(rpr, "b") or "strong" in style_name,
                      fmt.italic or _on(rpr, "i") or "emphasis" in style_name,
                      fmt.strike or _on(rpr, "strike") or _on(rpr, "dstrike"), fmt.link)
        for el in r:
            tag = el.tag
            if tag == w("t") or (tag == w("delText") and self._deleted):
                self.text(el.text or "", fmt)
            elif tag == w("tab"):
                self.text("\t", fmt)
            elif tag in (w("br"), w("cr")):
                if el.get(w("type")) not in ("page", "column"):
                    self.text("\n", fmt)
            elif tag in (w("drawing"), w("pict"), w("object")):
                self.drawing(el)
            elif tag == f"{{{MC}}}AlternateContent":
                self.alternate(el, fmt)
            elif tag == w("noBreakHyphen"):
                self.text("-", fmt)
            elif tag in (w("footnoteReference"), w("endnoteReference")):
                # An endnote comes back as a footnote: Markdown has no other kind.
                prefix = "" if tag == w("footnoteReference") else "e"
                self.item.notes.append(self.reader.note(prefix + (el.get(w("id")) or "")))
                self.segments.append((f"\x00{len(self.item.notes)}\x00", Fmt()))
            elif tag == w("commentReference"):
                self.comment(el.get(w("id")))
            elif tag == w("fldChar"):
                kind = el.get(w("fldCharType"))
                if kind == "begin":
                    self.fields.append(["", False])
                elif kind == "separate" and self.fields:
                    field_ = self.fields[-1]
                    if _COMPUTED.match(field_[0]) and not any(
                            _COMPUTED.match(f[0]) for f in self.fields[:-1]):
                        self.segments.append(("…", fmt))  # where the number stands
                        for number in self.open:
                            self.open[number] += "…"
                    field_[1] = True
                    match = re.match(r'\s*HYPERLINK\s+"([^"]+)"', field_[0])
                    field_.append(match.group(1) if match else None)
                elif kind == "end" and self.fields:
                    self.fields.pop()
            elif tag == w("instrText") and self.fields:
                self.fields[-1][0] += el.text or ""


# -- Markdown ---------------------------------------------------------------------------
# LibreOffice writes https://example.se as https://example.se/: the same address.
_bare_host = re.compile(r"^([a-z]+://[^/?#]+)/$", re.IGNORECASE)


def _address(url: str) -> str:
    return _bare_host.sub(r"\1", url)


_ESCAPE = re.compile(r"([\\`*_\[\]~<])")
_LINE_START = re.compile(r"^(\s*)([#>+=-]|\d+[.)])(?=\s|$)")


def _escape(text: str) -> str:
    return _ESCAPE.sub(r"\\\1", text)


def _segments_md(segments: list[tuple[str, Fmt]]) -> str:
    """Runs as inline Markdown: emphasis opened and closed around the text it covers."""
    merged: list[tuple[str, Fmt]] = []
    for text, fmt in segments:
        if merged and merged[-1][1] == fmt and not text.startswith("\x00") and \
                not merged[-1][0].startswith("\x00"):  # a footnote call stands alone
            merged[-1] = (merged[-1][0] + text, fmt)
        else:
            merged.append((text, fmt))
    out = []
    for text, fmt in merged:
        if text.startswith("\x00"):
            out.append(f"[^{text.strip(chr(0))}]")
            continue
        body = text.strip(" \t")
        if not body:
            out.append(text.replace("\n", "\\\n"))
            continue
        lead = text[: len(text) - len(text.lstrip(" \t"))]
        trail = text[len(text.rstrip(" \t")):]
        md = _escape(body).replace("\n", "\\\n")
        if fmt.italic:
            md = f"*{md}*"
        if fmt.bold:
            md = f"**{md}**"
        if fmt.strike:
            md = f"~~{md}~~"
        if fmt.link:
            md = f"[{md}]({_address(fmt.link)})"
        out.append(lead + md + trail)
    text = _SPACES.sub(" ", "".join(out)).strip()
    return _LINE_START.sub(_escape_marker, text)


def _escape_marker(match: re.Match) -> str:
    """'# x' → '\\# x', '1. x' → '1\\. x': text that would read as Markdown syntax."""
    marker = match.group(2)
    if marker[0].isdigit():
        return match.group(1) + marker[:-1] + "\\" + marker[-1]
    return match.group(1) + "\\" + marker


def _table_md(rows: list[list[list[Item]]]) -> str:
    if not rows:
        return ""
    width = max(len(r) for r in rows)

    def cell(paragraphs: list[Item], header: bool) -> str:
        text = " ".join(p.md for p in paragraphs if p.md)
        if header:
            text = _unbold(text)  # header cells are bold by the template, not by the text
        return text.replace("|", "\\|").replace("\n", " ")

    lines = []
    for r, row in enumerate(rows):
        cells = [cell(c, r == 0) for c in row] + [""] * (width - len(row))
        lines.append("| " + " | ".join(cells) + " |")
        if r == 0:
            lines.append("|" + "|".join([" --- "] * width) + "|")
    return "\n".join(lines)


_NOTE_CALL = re.compile(r"\[\^(\d+)\]")


def _renumber_notes(md: str, offset: int) -> str:
    """A block's footnote calls [^1], [^2] … counted on from the key's earlier blocks."""
    return _NOTE_CALL.sub(lambda m: f"[^{int(m.group(1)) + offset}]", md)


def join_md(items: list[Item]) -> str:
    """A key's blocks as one Markdown text: lists nested, footnotes numbered and defined last."""
    parts: list[str] = []
    notes: list[str] = []
    widths: list[int] = []  # marker width per open list level
    counters: list[int] = []
    lists: list[tuple[bool, str]] = []  # (ordered, numId) of the list open at each level
    delimiter = "."
    previous = None
    for item in items:
        md = _renumber_notes(item.md, len(notes))
        notes.extend(item.notes)
        if item.kind == "li":
            level = item.level
            sep = "\n" if previous is not None and previous.kind == "li" else "\n\n"
            if previous is None or previous.kind != "li":
                widths, counters, lists, delimiter = [], [], [], "."
            del widths[level + 1:]
            del counters[level + 1:]
            del lists[level + 1:]
            while len(counters) <= level:
                counters.append(0)
                widths.append(2)
                lists.append((item.ordered, item.list_id))
            if lists[level][0] != item.ordered or (lists[level][1] != item.list_id and
                                                   item.restart):
                # Another list (a numbered one after bullets, or one that counts anew),
                # not more of this one. (LibreOffice gives a list's first item a numbering
                # of its own, that restarts, and the rest another that goes on counting.)
                counters[level] = 0
                if level == 0:
                    sep = "\n\n"
                    # Two numbered lists in a row are two lists only with another delimiter.
                    delimiter = ")" if item.ordered and lists[0][0] and delimiter == "." \
                        else "."
            lists[level] = (item.ordered, item.list_id)
            counters[level] += 1
            marker = f"{counters[level]}{delimiter if level == 0 else '.'}" if item.ordered \
                else "-"
            widths[level] = len(marker) + 1
            indent = " " * sum(widths[:level])
            line = f"{indent}{marker} {md}"
        elif item.kind == "quote":
            line = "> " + md.replace("\n", "\n> ")
            sep = "\n>\n" if previous is not None and previous.kind == "quote" else "\n\n"
        elif item.kind == "h":
            line = "#" * min(item.level + 2, 6) + " " + md
            sep = "\n\n"
        else:
            line = md
            sep = "\n\n"
        if not line.strip():
            continue
        parts.append((sep if parts else "") + line)
        previous = item
    text = "".join(parts)
    if notes:
        text += "\n\n" + "\n".join(f"[^{i}]: {note}" for i, note in enumerate(notes, start=1))
    return text


# -- markers → values -------------------------------------------------------------------
@dataclass
class Extracted:
    """The values a document holds, by answer key, and what could not be placed."""

    values: dict[str, str] = field(default_factory=dict)
    template: dict[str, str] = field(default_factory=dict)  # mark → text the template wrote
    parts: dict[str, str] = field(default_factory=dict)  # a header's or footer's mark → part
    inserted: dict[str, list[str]] = field(default_factory=dict)  # list item key → new items
    # New sections a colleague wrote under a heading of their own: (the key of the section
    # they follow, heading, text); 'avsnitt[1].avsnitt[-1]' is before the first subsection.
    sections: list[tuple[str, str, str]] = field(default_factory=list)
    unplaced: list[str] = field(default_factory=list)
    stray: list[str] = field(default_factory=list)  # new paragraphs in a layout table
    # Text in a header or footer that no marker places: (part name, text).
    furniture: list[tuple[str, str]] = field(default_factory=list)
    boxes: list[tuple[str | None, str]] = field(default_factory=list)  # (key, text box's text)
    notes: list[tuple[str | None, str]] = field(default_factory=list)  # (key, a note's text)
    pictures: set[str] = field(default_factory=set)  # keys whose text holds an image
    changes: list[Change] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)


def group(items: list[Item], keys: list[str | None], parts: Parts | None = None,
          stories: list[tuple[str, list[Item]]] = ()) -> Extracted:
    """Each key's value from the blocks its marker stands on; blocks without a marker (a
    colleague's new paragraph) join the text they follow, or precede. In the headers and
    footers (`stories`) a block without a marker is listed, not joined to anything."""
    out = Extracted()
    for name, story in stories:
        for item in story:
            owner = _owner(item, keys, out)
            out.parts.update((str(n), name) for n in item.marks)
            text = " ".join(t for t in [item.plain, *item.notes] if t)
            out.furniture.extend((name, text) for text in _stray_cells(item, keys))
            if owner is False and (text or item.boxes):
                out.furniture.append((name, " ".join([text, *item.boxes]).strip()))
            elif owner is not None and item.boxes:
                out.boxes.extend((owner, box) for box in item.boxes)
            _collect(item, owner, parts, out, notes=owner is not False)  # False: listed
    owners: list[str | None | bool] = []  # key, None (template), or False (unmarked)
    blocks: dict[str, list[Item]] = {}
    for item in items:
        owners.append(_owner(item, keys, out))
    new: _NewSection | None = None
    sections: list[_NewSection] = []
    for i, item in enumerate(items):
        owner = owners[i]
        out.stray.extend(_stray_cells(item, keys))
        if owner is not False:
            new = None
        elif not item.plain and not item.notes and not item.boxes and item.kind != "table":
            continue  # an empty paragraph is layout
        elif item.kind == "h" and (after := _section_before(i, owners, item.level)):
            new = _NewSection(after, item.plain)
            sections.append(new)
            owner = after
        elif new is not None:
            new.items.append(item)
            owner = new.after
        else:
            owner = _adopt(i, owners, keys, item, out)
        if isinstance(owner, str) and key_kind(owner) == "md" and new is None:
            blocks.setdefault(owner, []).append(item)
            if item.pictures:
                out.pictures.add(owner)
        if item.boxes and owners[i] is not None:  # a template's own box is in its text
            if isinstance(owner, str):
                out.boxes.extend((owner, box) for box in item.boxes)
            else:
                out.unplaced.extend(item.boxes)
        _collect(item, owner, parts, out, notes=new is None)  # a new section keeps them
    for key, its in blocks.items():
        if is_list_item(key):  # one item of a list the template numbers: its text only
            its = [Item("p", md=it.md, notes=it.notes) for it in its]
        if parse_key(key)[-1] == "fråga":  # the template sets a question in bold
            its = [dataclasses.replace(it, md=_unbold(it.md)) for it in its]
        out.values[key] = join_md(its)
    out.sections = [(n.after, n.heading, join_md(n.items)) for n in sections]
    return out


def list_restarts(numbering) -> set[str]:
    """The numIds of a numbering part (w:numbering) that restart their count."""
    if numbering is None:
        return set()
    return {num.get(w("numId")) or "" for num in numbering.iter(w("num"))
            if num.find(f"{w('lvlOverride')}/{w('startOverride')}") is not None}


def _stray_cells(item: Item, keys: list[str | None]) -> list[str]:
    """Paragraphs a colleague added to a layout table (the letterhead, the header fields):
    no marker covers them. A table marked whole (a key's Markdown table, or the template's
    own) has none such: its marker covers every cell."""
    if item.kind != "table" or item.unclosed or not item.marks:
        return []
    if any(n < len(keys) and keys[n] is not None and key_kind(keys[n]) == "md"
           for n in item.marks):
        return []
    return [cell.plain for cell in item.cells if cell.plain and not cell.marks]


def _collect(item: Item, owner, parts: Parts | None, out: Extracted, *,
             notes: bool) -> None:
    """The block's tracked changes and comments, with the key they fall in; and its
    footnotes, where its key's value is one line (a title, a name) that cannot hold one."""
    if notes and item.notes and not (isinstance(owner, str) and key_kind(owner) == "md"):
        out.notes.extend((owner if isinstance(owner, str) else None, note)
                         for note in item.notes if note)
    for change in item.changes:
        change.key = owner if isinstance(owner, str) else None
        out.changes.append(change)
    for comment_id in item.comments:
        comment = (parts.comments.get(comment_id) if parts else None) or \
            Comment(comment_id, "okänd", "")
        comment.key = owner if isinstance(owner, str) else None
        out.comments.append(comment)


def _unbold(md: str) -> str:
    """'**text**' → 'text': bold the template gave a whole paragraph is not the text's."""
    if md.startswith("**") and md.endswith("**") and md.count("**") == 2 and len(md) > 4:
        return md[2:-2]
    return md


@dataclass
class _NewSection:
    after: str
    heading: str
    items: list[Item] = field(default_factory=list)


def _section_before(i: int, owners: list, level: int) -> str | None:
    """The key of the section a new heading of `level` (Heading 1 = a top-level avsnitt)
    follows, from the block before it; None when it follows no section."""
    before = next((o for o in reversed(owners[:i]) if isinstance(o, str)), None)
    if before is None or not before.startswith("avsnitt["):
        return None
    path = parse_key(before)
    steps = [(path[j], path[j + 1]) for j in range(0, len(path) - 1, 2)
             if path[j] == "avsnitt" and isinstance(path[j + 1], int)]
    if len(steps) >= level:
        steps = steps[:level]
        return ".".join(f"avsnitt[{n}]" for _, n in steps)
    if len(steps) == level - 1:
        return ".".join([*(f"avsnitt[{n}]" for _, n in steps), "avsnitt[-1]"])
    return None


def _owner(item: Item, keys: list[str | None], out: Extracted) -> str | None | bool:
    """The key a block belongs to by its own markers; ranges of one-line keys are read."""
    owner: str | None | bool = False
    keyed = [item.ranges.get(n) for n in item.marks
             if n < len(keys) and keys[n] is not None and key_kind(keys[n]) != "md"]
    for number in item.marks:
        if number >= len(keys):
            continue
        key = keys[number]
        if key is None:
            # The paragraph it starts in, not its range: LibreOffice moves a bookmark at
            # the start of a table that opens the document one character in. Not the
            # block either: an office suite may move an empty paragraph's bookmark to the
            # end of the paragraph before.
            whole = item.kind == "table" and number in item.unclosed
            text = item.plain if whole else item.home.get(number, item.ranges.get(
                number, item.plain))
            for value in keyed:  # a label around a value: the value is the key's
                if value and value in text:
                    text = text.replace(value, "…", 1)
            out.template[str(number)] = " ".join([text, *item.boxes]).strip()
            if owner is False:
                owner = None
        elif key_kind(key) == "md":
            if owner is False or owner is None:
                owner = key
        else:
            out.values[key] = item.ranges.get(number, item.plain)
            if owner is False or owner is None:
                owner = key
    return owner


def _adopt(i: int, owners: list, keys: list, item: Item, out: Extracted) -> str | None:
    """The key an unmarked block joins: the text before it, or a new item of the list item
    before it, or the text after it; else it is listed as not placed."""
    before = next((o for o in reversed(owners[:i]) if o is not False), False)
    after = next((o for o in owners[i + 1:] if o is not False), False)
    if isinstance(before, str) and is_list_item(before):
        out.inserted.setdefault(before, []).append(
            item.md if key_kind(before) == "md" else item.plain)
        return before
    if isinstance(before, str) and key_kind(before) == "md":
        return before
    if isinstance(after, str) and key_kind(after) == "md":
        return after
    out.unplaced.append(item.plain or item.md)
    return None
