"""The packet: the kallelse med föredragningslista rendered from the theme's templates until
its page numbers settle, then every item's pages, bookmarks, links and the running number."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from contextlib import ExitStack, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import pipeline
from ..errors import AnswerError
from ..pdfmerge import Mark, Metadata, TaggedMerge, outline_of
from ..pdfsafety import strip_active
from ..pool import fresh
from ..theme import fill, template_problem
from .held import Held, Shared, survey, write_held
from .meeting import Agenda, Meeting
from .packet import BAND, EDGES, INSET, LINK_PREFIX, PageBand, place_numbers, stamp
from .parts import Part, Row, item_filename, item_starts, list_rows
from .workspace import Workspace


def _weekday_date(value: dt.date | None) -> str:
    """tisdag 19 mars 2024."""
    from babel.dates import format_date

    return format_date(value, "EEEE d MMMM y", locale="sv_SE") if value else ""


def _clock(time: str) -> str:
    """kl. 17.00, also when the meeting file says "kl. 17.00" itself."""
    return time if time.lower().startswith("kl") else f"kl. {time}"


def _iso(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def created_at(meeting: Meeting) -> dt.datetime:
    """The documents' date: SOURCE_DATE_EPOCH when set, else the day the kallelse was made."""
    date = pipeline.created(meeting.upprättad or meeting.datum)
    assert date is not None  # a meeting always has its datum
    return date


def _organisation(agenda: Agenda) -> str | None:
    """The meeting file's organisation, else the one the statements share (for the public
    version the statements without sekretess), else the profile's."""
    if agenda.meeting.organisation:
        return agenda.meeting.organisation
    names = {item.checked.answer.organisation for item in agenda.items
             if item.checked is not None and item.checked.answer is not None
             and agenda.shown(item)}
    if len(names) == 1 and None not in names:
        return names.pop()
    return (agenda.settings.get("standardvärden") or {}).get("organisation")


def _and_list(numbers: list[int]) -> str:
    """1, 4 och 7."""
    words = [str(n) for n in numbers]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " och " + words[-1]


def title(agenda: Agenda) -> str:
    """Kallelse Socialnämnden 2024-03-19."""
    return f"{agenda.label('kallelse')} {agenda.meeting.organ} {agenda.meeting.datum.isoformat()}"


def subject(agenda: Agenda) -> str:
    """Kallelse till sammanträde tisdag 19 mars 2024."""
    return f"{agenda.label('kallelse_till')} {_weekday_date(agenda.meeting.datum)}"


def render_template(agenda: Agenda, name: str, **context: Any) -> str:
    """One of the theme's kallelse templates, with what every one of them reads."""
    from .. import markdown

    env = agenda.theme.environment
    env.filters.update(md_inline=markdown.to_inline_html, iso=_iso, dag=_weekday_date,
                       klockan=_clock, sidlank=lambda page: f"{LINK_PREFIX}{page}")
    secret = [item.nummer for item in agenda.items if item.sekretess]
    values = {"m": agenda.meeting, "s": agenda.settings, "etikett": agenda.label,
              "titel": title(agenda), "organisation": _organisation(agenda),
              "offentlig": agenda.offentlig,
              "hemliga": _and_list(secret) if secret else "",
              "skapad": created_at(agenda.meeting).strftime("%Y-%m-%dT%H:%M:%SZ"), **context}
    from jinja2 import TemplateError

    try:
        return env.get_template(name).render(**values)
    except TemplateError as error:
        raise AnswerError([template_problem(error)]) from None


@dataclass
class Composed:
    path: Path
    rows: list[Row]
    pages: int
    front_pages: int
    list_page: int


def _list_page(agenda: Agenda, marks: list[Mark], pages: int) -> int:
    """The page (1-based) of the föredragningslista's heading in the kallelse."""
    wanted = agenda.label("föredragningslista")
    stack = list(marks)
    while stack:
        mark = stack.pop(0)
        if mark.title == wanted:
            return mark.page + 1
        stack.extend(mark.children)
    return min(2, pages)


# The kallelse's PDF, its rows, the packet's pages, the kallelse's pages and the page of
# the föredragningslista.
Kallelse = tuple[Path, list[Row], int, int, int]


def _kallelse(agenda: Agenda, parts: list[Part], ws: Workspace, cached_only: bool = False
              ) -> Kallelse | None:
    """The kallelse, laid out until its page numbers are stable (each attempt cached);
    `cached_only`: None rather than lay out one that is not in the cache."""
    import pikepdf

    # The kallelse carries no "Sida N (M)" of its own: the packet's number stands on it.
    settings = {**agenda.settings, "sidnumrering": ""}
    front_pages, list_page = 2, 2
    for attempt in range(6):  # more pages in the list move every item; it settles at once
        starts, total = item_starts(parts, front_pages)
        rows = list_rows(agenda, parts, starts)
        html = render_template(agenda, "kallelse/kallelse.html.j2", rader=rows, sidor=total,
                               lista_sida=list_page, lankar=True)
        name = f"kallelse-{attempt}"
        front = ws.cached_pdf(html, name, agenda.theme, tagged=True) if cached_only \
            else ws.html_pdf(html, name, agenda.theme, settings, tagged=True)
        if front is None:
            return None
        with pikepdf.open(front) as pdf:
            count = len(pdf.pages)
            found = _list_page(agenda, outline_of(pdf), count)
        if (count, found) == (front_pages, list_page):
            return front, rows, total, front_pages, list_page
        front_pages, list_page = count, found
    raise RuntimeError("kallelsens sidnummer blev aldrig stabila")


def warm_kallelse(agenda: Agenda, parts: list[Part]) -> None:
    """Render the kallelse's HTML once, not kept, while a statement is still being laid
    out: what its first rendering reads once a process (babel's Swedish calendar, the
    template's compiled code) is then read before the packet waits for it. A template
    error is reported when the kallelse is rendered."""
    starts, total = item_starts(parts, 2)
    with suppress(AnswerError):
        render_template(agenda, "kallelse/kallelse.html.j2",
                        rader=list_rows(agenda, parts, starts), sidor=total, lista_sida=2,
                        lankar=True)


class Ahead:
    """The parts' files surveyed for the merge (held.py), those the merge takes whole
    opened and read for it: while a statement is still being laid out, every other file
    is read meanwhile (`read`), the rest when the merge reaches them (`take`)."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        # Where each page's number goes, kept by the page's content: a page the last
        # build placed is not read again.
        self.kept = ws.store.folder / f"{ws.slot}{BANDS}"
        self.known: dict[str, str] = _placed(self.kept)
        self.found: dict[str, str] = {}
        self.surveyed: dict[tuple[Path, str | None], Held] = {}
        self.count = 0

    def _survey(self, source: Path, appendix: str | None) -> Held:
        # An appendix's active content is stripped as it is merged (check() warned); a
        # statement's signature fields too: each statement names its the same.
        prepare = strip_active if appendix else pipeline.strip_signature_fields
        self.count += 1
        return survey(source, prepare, appendix, self.known, self.found,
                      self.ws.file(f"utan-bilagesidor-{self.count}.pdf"), keep=True)

    def read(self, parts: list[Part], pending: set[Path]) -> None:
        """Survey every file of the parts but those still being made."""
        for part in parts:
            for source, appendix in part.sources:
                if source not in pending and (source, appendix) not in self.surveyed:
                    self.surveyed[source, appendix] = self._survey(source, appendix)

    def take(self, source: Path, appendix: str | None) -> Held:
        """The file surveyed, now or before; the merge owns what it holds open."""
        held = self.surveyed.pop((source, appendix), None)
        return held if held is not None else self._survey(source, appendix)

    def close(self) -> None:
        for held in self.surveyed.values():
            if held.read is not None:
                held.read.pdf.close()
        self.surveyed.clear()

    def __enter__(self) -> Ahead:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def compose(agenda: Agenda, parts: list[Part], ws: Workspace, ahead: Ahead | None = None,
            later: ExitStack | None = None,
            rows_known: Callable[[list[Row]], object] | None = None,
            begun: Begun | None = None) -> Composed:
    """The packet: the kallelse, every part with its tags, bookmarks, links and the running
    page number, written to the workspace. Untagged pages are held out of the merge and
    written after it, one file at a time (held.py); the files read `ahead` are taken from
    there. The merge is let go when `later` closes (a large packet's at once): freeing it
    takes a while, which the caller can spend waiting for something else. `rows_known` is
    given the föredragningslista's rows as soon as they are known, before the merge (what
    it makes then is not made while the merge is held). A merge `begun` ahead
    (merge_ahead) is carried on if its kallelse is this one, else let go."""
    with ExitStack() as stack:
        if ahead is None:
            ahead = stack.enter_context(Ahead(ws))
        return _compose(agenda, parts, ws, ahead, later if later is not None else stack,
                        rows_known, begun)


@dataclass
class Begun:
    """The packet's merge as far as it has come: the kallelse and the parts before
    `next_part`, appended in the order a whole build appends them."""

    kallelse: Kallelse
    merge: TaggedMerge
    stubs: Shared
    helds: list[Held]
    marks: list[tuple[int, list[Mark]]]
    next_part: int = 0


def _begin(agenda: Agenda, kallelse: Kallelse, later: ExitStack) -> Begun:
    """A merge with the kallelse's pages and bookmarks."""
    front, _, _, _, list_page = kallelse
    front_marks = [Mark(agenda.label("kallelse"), 0)]
    if list_page > 1:
        front_marks.append(Mark(agenda.label("föredragningslista"), list_page - 1))
    merge = later.enter_context(TaggedMerge())
    begun = Begun(kallelse, merge, Shared(merge.pdf), [], [(0, front_marks)])
    merge.append(front)
    return begun


def _append_parts(begun: Begun, parts: list[Part], ahead: Ahead, upto: int) -> None:
    """The parts from begun.next_part up to `upto` appended, with their bookmarks."""
    merge = begun.merge
    for part in parts[begun.next_part:upto]:
        start = merge.pages
        for source, appendix in part.sources:
            held = ahead.take(source, appendix)
            held.first = merge.pages
            if held.whole:  # an untagged file, as most appendices are: stubs alone
                merge.add_pages([page.stub(begun.stubs) for page in held.pages])
            else:  # its untagged pages are stubs, marked as they are written
                read, held.read = held.read, None
                merge.append(held.merged or source, None if held.merged else appendix,
                             held.prepare, read)
            begun.helds.append(held)
        begun.marks.append((start, part.marks))
    begun.next_part = max(begun.next_part, upto)


def merge_ahead(agenda: Agenda, parts: list[Part], ws: Workspace, ahead: Ahead,
                later: ExitStack, pending: int, last_pages: int) -> Begun | None:
    """While part `pending`'s statement is still being laid out: the kallelse as it is if
    the statement keeps `last_pages` pages (its last build's), and the parts before it,
    merged; `compose` takes it if the statement did keep them (and nothing else on the
    list changed meanwhile). None when the kallelse is not in the cache (nothing is laid
    out here while the statement is)."""
    guessed = list(parts)
    guessed[pending] = dataclasses.replace(parts[pending], pages=last_pages,
                                           filename=item_filename(parts[pending].item))
    begun = None
    try:
        kallelse = _kallelse(agenda, guessed, ws, cached_only=True)
        if kallelse is None:
            return None
        begun = _begin(agenda, kallelse, later)
        _append_parts(begun, parts, ahead, pending)
    except AnswerError:  # reported when the packet is put together
        if begun is not None:
            begun.merge.close()
        return None
    return begun


def _taken(agenda: Agenda, parts: list[Part], begun: Begun | None) -> bool:
    """Whether a merge begun ahead has the kallelse these parts give: the same rows on
    the list, the same pages."""
    if begun is None:
        return False
    _, rows, total, front_pages, _ = begun.kallelse
    starts, now_total = item_starts(parts, front_pages)
    return now_total == total and list_rows(agenda, parts, starts) == rows


def _compose(agenda: Agenda, parts: list[Part], ws: Workspace, ahead: Ahead,
             later: ExitStack, rows_known: Callable[[list[Row]], object] | None,
             ahead_begun: Begun | None = None) -> Composed:
    if _taken(agenda, parts, ahead_begun):
        assert ahead_begun is not None
        begun = ahead_begun
    else:
        if ahead_begun is not None:  # its parts are read again for this one
            ahead_begun.merge.close()
            for held in ahead_begun.helds:
                if held.read is not None:
                    held.read.pdf.close()
        kallelse = _kallelse(agenda, parts, ws)
        assert kallelse is not None
        begun = _begin(agenda, kallelse, later)
    _, rows, total, front_pages, list_page = begun.kallelse
    if rows_known is not None:
        rows_known(rows)
    path = ws.file("paket.pdf")
    _append_parts(begun, parts, ahead, len(parts))
    merge, helds, marks = begun.merge, begun.helds, begun.marks
    merge.add_outline(marks)
    merge.link_pages(0, front_pages, LINK_PREFIX)
    given = {page: band for held in helds for page, band in held.bands().items()}
    numbers = assemble_packet(agenda, merge, ws, path, parts,
                              (ahead.known, ahead.found, given))
    merge_pages = merge.pages
    if apart_for(merge_pages) is not None:
        merge.close()  # a council's merge is not held while its held pages are written
    _write_held(path, helds, numbers, merge_pages)
    ws.keep_bytes(ahead.kept, json.dumps(ahead.found, sort_keys=True).encode())
    return Composed(path, rows, total, front_pages, list_page)


# A packet of more pages than this has its held pages written, and is read back (verify,
# the public version's check), in a fresh process: that holds every object of the file
# (the packet's, the appendix's), and in this process, which holds WeasyPrint and had the
# merge, it would add to the largest process of the build: by the pages of the appendices.
READ_APART = 300


def apart_for(pages: int) -> Callable[..., Any] | None:
    """pool.fresh for a packet of more than READ_APART pages; None: in this process."""
    return fresh if pages > READ_APART else None


def _write_held(path: Path, helds: list[Held], numbers: list[Path], pages: int) -> None:
    """write_held, in a fresh process for a large packet. If that process dies, the
    packet is cut back to what the merge wrote and its held pages are written here."""
    apart = apart_for(pages)
    if apart is None:
        write_held(path, helds, numbers, NUMBERS_AT_A_TIME)
        return
    size = path.stat().st_size
    try:
        apart(write_held, path, helds, numbers, NUMBERS_AT_A_TIME)
    except BrokenProcessPool:
        os.truncate(path, size)
        write_held(path, helds, numbers, NUMBERS_AT_A_TIME)


# Where the running numbers go: the edges kept from the last build, those found in this
# one, and the bands of the pages held out of the merge (by page).
Placing = tuple[dict[str, str], dict[str, str], dict[int, PageBand]]


def assemble_packet(agenda: Agenda, merge: TaggedMerge, ws: Workspace, path: Path,
                    parts: list[Part], placing: Placing) -> list[Path]:
    """The merged pages made a packet: the running number on every page (but those held
    out of the merge), each signed statement attached unchanged (its signatures can still
    be checked), the packet's metadata, written to `path`. The running numbers' files."""
    for part in parts:
        if part.signed is not None and part.filename is not None:
            merge.attach(part.signed.path, part.filename, _attachment_text(agenda, part),
                         part.signed.signed)

    numbers = _numbered(agenda, merge, ws, placing)
    merge.save(path, Metadata(title(agenda), agenda.meeting.organ, subject(agenda),
                              agenda.label("kallelse"), created_at(agenda.meeting)))
    return numbers


def _attachment_text(agenda: Agenda, part: Part) -> str:
    """What an attached signed statement is: '2. Rubrik: signerad av Per Lind, Eva Ström'."""
    assert part.signed is not None
    names = ", ".join(part.signed.names)
    return f"{part.item.nummer}. {part.item.rubrik}: {agenda.label('signerad', namn=names)}"


# The running numbers are laid out this many pages at a time: WeasyPrint holds all pages of
# a document in memory, and a council's packet has more than a thousand.
NUMBERS_AT_A_TIME = 100


def _numbered(agenda: Agenda, merge: TaggedMerge, ws: Workspace,
              placing: Placing) -> list[Path]:
    """Every page of the merge stamped with its running number (but those held out of it);
    the numbers' PDFs (each from the cache while its pages' numbers are the same), each
    opened only while its numbers are stamped."""
    import pikepdf

    settings = {**agenda.settings, "sidnumrering": ""}
    known, found, given = placing
    bands = place_numbers(merge.pdf, known, found, given)
    starts = range(0, len(bands), NUMBERS_AT_A_TIME)
    numbers = ws.html_pdfs([(_numbers_html(agenda, bands[first:first + NUMBERS_AT_A_TIME],
                                           first, len(bands)),
                             f"sidnummer-{first // NUMBERS_AT_A_TIME + 1}") for first in starts],
                           agenda.theme, settings, tagged=False)
    held = frozenset(given)
    for first, path in zip(starts, numbers, strict=True):
        if all(page in held for page in range(first, first + len(bands[first:first
                                                                      + NUMBERS_AT_A_TIME]))):
            continue  # every page of these numbers is stamped as it is written (held.py)
        with pikepdf.open(path) as overlay:
            stamp(merge.pdf, overlay, first, held)
    return numbers


BANDS = ".sidnummerband.json"


def _placed(path: Path) -> dict[str, str]:
    """The edges a page's content had its number placed at, as last kept; {} if none."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {key: edge for key, edge in data.items()
            if isinstance(key, str) and edge in EDGES}


def _numbers_html(agenda: Agenda, bands: list[PageBand], first: int, total: int) -> str:
    """The running numbers of pages first+1 … first+len(bands) of `total`: one named page
    per page size and edge."""
    groups: dict[PageBand, dict[str, Any]] = {}
    pages = []
    pattern = agenda.settings.get("paketnumrering", "{sida} ({sidor})")
    low, high = BAND
    for number, band in enumerate(bands, start=first + 1):
        if band not in groups:
            top, bottom = (band.height - high, low) if band.edge == "botten" \
                else (low, band.height - high)
            groups[band] = {"namn": f"sida{len(groups)}", "bredd": band.width,
                            "hojd": band.height, "topp": round(top, 2),
                            "botten": round(bottom, 2), "vanster": round(INSET[0], 2),
                            "hoger": round(INSET[1], 2)}
        text = fill(pattern, {"organ": agenda.meeting.organ,
                              "datum": agenda.meeting.datum.isoformat(), "sida": number,
                              "sidor": total})
        pages.append({"grupp": groups[band]["namn"], "text": text})
    return render_template(agenda, "kallelse/sidnummer.html.j2", grupper=list(groups.values()),
                           sidor=pages)


