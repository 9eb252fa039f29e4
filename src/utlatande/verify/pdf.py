"""The archival and accessibility properties a PDF must have, read with pikepdf (qpdf):
PDF/A (or PDF/UA) identification in the XMP metadata and, for PDF/A, an output intent and
Info entries that agree with the XMP; every font embedded; no encryption, no JavaScript,
no actions that open other files or programs; embedded files only as the PDF/A part
allows; a tag tree, marked content, a document language, a title shown as the window
title, headings, figures with alternative text, tables with header cells, and every page
in the tag tree."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable, Iterator
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..pool import Spare
from .findings import Issue

HEADINGS = {"/H", "/H1", "/H2", "/H3", "/H4", "/H5", "/H6"}
DATE_KEYS = {"/CreationDate": "xmp:CreateDate", "/ModDate": "xmp:ModifyDate"}
TEXT_KEYS = {"/Title": "dc:title", "/Author": "dc:creator", "/Subject": "dc:description",
             "/Keywords": "pdf:Keywords", "/Creator": "xmp:CreatorTool",
             "/Producer": "pdf:Producer"}


def verify_pdf(path: Path) -> list[Issue]:
    """Every failed property of one PDF file."""
    import pikepdf

    try:
        pdf = pikepdf.open(path)
    except pikepdf.PasswordError:
        return [("kryptering", "filen är krypterad med lösenord; PDF/A tillåter ingen "
                 "kryptering")]
    except (pikepdf.PdfError, OSError) as exc:
        return [("oläsbar", f"filen är ingen läsbar PDF ({exc})")]
    with pdf:
        claims = _claims(pdf)
        elsewhere = _BEGUN.pop(_stamp(path), None) or _syntax_elsewhere(path)
        issues: list[Issue] = []
        for check in (_syntax, _encryption, _identification, _metadata, _fonts, _actions,
                      _embedded_files, _form_fields, _tagged, _language, _title, _structure,
                      _pages_tagged):
            if check is _syntax and elsewhere is not None:
                continue
            issues.extend(_run(check, pdf, claims))
        if elsewhere is not None:
            try:
                issues[:0] = elsewhere.result()
            except BrokenProcessPool:
                issues[:0] = _run(_syntax, pdf, claims)
        return issues


def _run(check: Callable[[Any, Claims], list[Issue]], pdf: Any, claims: Claims | None
         ) -> list[Issue]:
    try:
        return check(pdf, claims)
    except Exception as exc:  # noqa: BLE001 - a malformed file: report, go on
        return [("oläsbar", f"kontrollen {check.__name__.strip('_')} kunde inte göras: "
                 f"{type(exc).__name__}: {exc}")]


# A file this large has its syntax checked by qpdf in a process of its own, while this one
# makes the other checks: on two cores, a council's packet is verified in half the time.
LARGE = 1 << 20


def _syntax_elsewhere(path: Path) -> Spare | None:
    """A worker checking the file's syntax, for a large file on more than one core."""
    try:
        large = path.stat().st_size >= LARGE
    except OSError:
        return None
    if not large or (os.cpu_count() or 1) < 2:
        return None
    try:
        worker = Spare()
        worker.submit(_syntax_of, path)
    except (OSError, BrokenProcessPool):
        return None
    return worker


# Syntax checks begun ahead of verify_pdf (syntax_ahead), by the file's stamp.
_BEGUN: dict[tuple[str, int, int, int] | None, Spare] = {}


def _stamp(path: Path) -> tuple[str, int, int, int] | None:
    try:
        status = path.stat()
    except OSError:
        return None
    return str(path.resolve()), status.st_size, status.st_mtime_ns, status.st_ino


@contextmanager
def syntax_ahead(path: Path) -> Iterator[None]:
    """Within: a large PDF's syntax check begun now, in a worker, for `verify_pdf` of the
    same file to take (while the caller does other work first); one not taken, or the
    file changed meanwhile, is ended on leaving."""
    stamp = _stamp(path)
    worker = _syntax_elsewhere(path) if stamp is not None else None
    if worker is not None:
        _BEGUN[stamp] = worker
    try:
        yield
    finally:
        if worker is not None:
            if _BEGUN.get(stamp) is worker:
                del _BEGUN[stamp]
            worker.end()


def _syntax_of(path: Path) -> list[Issue]:
    import pikepdf

    try:
        with pikepdf.open(path) as pdf:
            return _run(_syntax, pdf, None)
    except Exception as exc:  # noqa: BLE001 - replaced meanwhile: reported, no traceback
        return [("oläsbar", f"kontrollen syntax kunde inte göras: {type(exc).__name__}: "
                 f"{exc}")]


@dataclass
class Claims:
    """What the file says it is: its PDF/A part and conformance, its PDF/UA part, its XMP."""

    pdfa_part: int | None
    pdfa_conformance: str
    pdfua_part: int | None
    xmp: dict[str, object]


def _claims(pdf) -> Claims:
    xmp: dict[str, object] = {}
    try:
        meta = pdf.open_metadata()
        for key in ("pdfaid:part", "pdfaid:conformance", "pdfuaid:part", *TEXT_KEYS.values(),
                    *DATE_KEYS.values()):
            value = meta.get(key)
            if value not in (None, ""):
                xmp[key] = value
    except Exception:  # noqa: BLE001 - unreadable XMP: every claim below is then missing
        xmp = {}
    return Claims(_int(xmp.get("pdfaid:part")), str(xmp.get("pdfaid:conformance", "")),
                  _int(xmp.get("pdfuaid:part")), xmp)


def _int(value: object) -> int | None:
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return None


def _syntax(pdf, claims: Claims | None) -> list[Issue]:
    problems = pdf.check_pdf_syntax()
    if not problems:
        return []
    return [("struktur", f"qpdf hittar fel i filens struktur: {problems[0]}"
             + (f" (och {len(problems) - 1} till)" if len(problems) > 1 else ""))]


def _encryption(pdf, claims: Claims) -> list[Issue]:
    if pdf.is_encrypted:
        return [("kryptering", "filen är krypterad; PDF/A tillåter ingen kryptering")]
    return []


def _identification(pdf, claims: Claims) -> list[Issue]:
    if claims.pdfa_part is None and claims.pdfua_part is None:
        return [("pdfa", "XMP-metadatan saknar PDF/A-identifiering (pdfaid:part och "
                 "pdfaid:conformance)")]
    issues = []
    if claims.pdfa_part is not None:
        if claims.pdfa_part < 4 and not claims.pdfa_conformance:
            issues.append(("pdfa", f"XMP-metadatan anger PDF/A-{claims.pdfa_part} men ingen "
                           "nivå (pdfaid:conformance)"))
        issues.extend(_output_intent(pdf))
    return issues


def _output_intent(pdf) -> list[Issue]:
    import pikepdf

    for intent in pdf.Root.get("/OutputIntents", []):
        if intent.get("/S") == "/GTS_PDFA1" and isinstance(intent.get("/DestOutputProfile"),
                                                           pikepdf.Stream):
            return []
    return [("utdataavsikt", "PDF/A kräver en utdataavsikt (OutputIntent /GTS_PDFA1 med "
             "ICC-profil) i katalogen; den saknas")]


def _metadata(pdf, claims: Claims) -> list[Issue]:
    """PDF/A: each Info entry must say what the XMP says (ISO 19005-2, 6.6.2.3)."""
    if claims.pdfa_part is None or "/Info" not in pdf.trailer:
        return []
    issues = []
    info = pdf.trailer.Info
    for key, xmp_key in TEXT_KEYS.items():
        if key not in info:
            continue
        value = str(info[key])
        xmp = claims.xmp.get(xmp_key)
        shown = ", ".join(xmp) if isinstance(xmp, list) else xmp
        if shown != value:
            issues.append(("metadata", f"Info {key} ('{value}') stämmer inte med XMP "
                           f"{xmp_key} ('{shown or ''}')"))
    for key, xmp_key in DATE_KEYS.items():
        if key in info and _info_date(str(info[key])) != _xmp_date(claims.xmp.get(xmp_key)):
            issues.append(("metadata", f"Info {key} stämmer inte med XMP {xmp_key}"))
    return issues


def _info_date(value: str) -> dt.datetime | None:
    from pikepdf.models.metadata import decode_pdf_date

    try:
        return decode_pdf_date(value)
    except ValueError:
        return None


def _xmp_date(value: object) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None


def _fonts(pdf, claims: Claims) -> list[Issue]:
    issues, seen = [], set()
    for number, page in enumerate(pdf.pages, 1):
        for font in _page_fonts(page.obj, set()):
            key = font.objgen if font.is_indirect else id(font)
            if key in seen:
                continue
            seen.add(key)
            if not _embedded(font):
                name = str(font.get("/BaseFont", "(namnlöst)")).lstrip("/")
                issues.append(("typsnitt", f"typsnittet {name} är inte inbäddat (sida {number})"))
    return issues


def _resources(node):
    """A page's resources, inherited from the page tree where the page has none."""
    while node is not None:
        if "/Resources" in node:
            return node.Resources
        node = node.get("/Parent")
    return None


def _page_fonts(page, visited: set) -> Iterator:
    yield from _fonts_in(_resources(page), visited)
    for annotation in page.get("/Annots", []):
        appearance = annotation.get("/AP")
        if appearance is None:
            continue
        for state in appearance.values():
            streams = state.values() if not hasattr(state, "read_bytes") else [state]
            for stream in streams:
                if hasattr(stream, "read_bytes"):
                    yield from _fonts_in(stream.get("/Resources"), visited)


def _fonts_in(resources, visited: set) -> Iterator:
    """Fonts of a resource dictionary and of the forms and Type 3 glyphs it holds."""
    if resources is None:
        return
    if resources.is_indirect:
        if resources.objgen in visited:
            return
        visited.add(resources.objgen)
    for font in resources.get("/Font", {}).values():
        yield font
        if font.get("/Subtype") == "/Type3":
            yield from _fonts_in(font.get("/Resources"), visited)
    for xobject in resources.get("/XObject", {}).values():
        if xobject.get("/Subtype") == "/Form":
            yield from _fonts_in(xobject.get("/Resources"), visited)
    for pattern in resources.get("/Pattern", {}).values():
        if hasattr(pattern, "read_bytes"):
            yield from _fonts_in(pattern.get("/Resources"), visited)


def _embedded(font) -> bool:
    if font.get("/Subtype") == "/Type3":
        return True  # its glyphs are drawn by content streams inside the file
    if font.get("/Subtype") == "/Type0":
        descendants = font.get("/DescendantFonts", [])
        font = descendants[0] if len(descendants) else {}
    descriptor = font.get("/FontDescriptor") or {}
    return any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))


def _dictionaries(pdf) -> Iterator:
    """Every dictionary of the file that may be an action: each object and the direct ones
    nested in it, of the objects whose text names an active action type (or gives its
    type by reference). qpdf writes an object's text in C++, which passes over the tens of
    thousands of structure elements of a packet far faster than walking them here."""
    import pikepdf

    from ..pdfsafety import ACTIONS

    kinds = b"|".join(name[1:].encode() for name in [*ACTIONS, "/Named", "/URI"])
    maybe = re.compile(rb"/JS|/S\s*(?:/(?:" + kinds + rb")|\d+\s+\d+\s+R)")
    for top in pdf.objects:
        if isinstance(top, pikepdf.Stream):
            text = top.stream_dict.unparse(resolved=True)
        elif isinstance(top, (pikepdf.Dictionary, pikepdf.Array)):
            text = top.unparse(resolved=True)
        else:
            continue
        if maybe.search(text) is None:
            continue
        stack = [top]
        while stack:
            obj = stack.pop()
            if isinstance(obj, (pikepdf.Dictionary, pikepdf.Stream)):
                yield obj
                children = obj.values()
            elif isinstance(obj, pikepdf.Array):
                children = obj
            else:
                continue
            stack.extend(child for child in children
                         if isinstance(child, (pikepdf.Dictionary, pikepdf.Array,
                                               pikepdf.Stream))
                         and not child.is_indirect)


def _actions(pdf, claims: Claims) -> list[Issue]:
    """No JavaScript, no XFA form, no action that opens, sends, resets or plays something."""
    issues: list[Issue] = []
    names = pdf.Root.get("/Names", {})
    if "/JavaScript" in names:
        issues.append(("javascript", "filen innehåller JavaScript (/Names /JavaScript)"))
    if "/XFA" in pdf.Root.get("/AcroForm", {}):
        issues.append(("formulär", "filen innehåller ett XFA-formulär (/AcroForm /XFA)"))
    found: set[Issue] = set()
    for obj in _dictionaries(pdf):
        issue = _action_issue(obj)
        if issue is not None:
            found.add(issue)
    return issues + sorted(found)


def _action_issue(action) -> Issue | None:
    """The issue of one active action (pdfsafety.py), in the words verify uses."""
    from ..pdfsafety import action_issue

    issue = action_issue(action)
    if issue is None:
        return None
    code, description = issue
    if code == "javascript":
        return ("javascript", "filen innehåller JavaScript")
    if str(action.get("/S", "")) == "/URI":
        uri = str(action.get("/URI", ""))
        what = "en fil" if _is_file_link(uri) else "ett skript"
        return ("extern_länk", f"en länk pekar på {what}: {uri}")
    return (code, f"en länk {description}")


def _is_file_link(uri: str) -> bool:
    cleaned = "".join(char for char in uri if char > " ").lower()
    return cleaned.startswith(("file:", "\\\\", "//"))


def _form_fields(pdf, claims: Claims) -> list[Issue]:
    """Each form field once by its full name, and each field's widget on a page reachable
    from /AcroForm (ISO 32000-1, 12.7.3.2): a merged file's fields can break both. A
    warning: an appendix from outside brings fields of its own (a signature, a form)."""
    import pikepdf

    acroform = pdf.Root.get("/AcroForm")
    fields = acroform.get("/Fields") if isinstance(acroform, pikepdf.Dictionary) else None
    names: dict[str, int] = {}
    reachable: set = set()
    stack = [(field, "") for field in (fields if isinstance(fields, pikepdf.Array) else [])]
    while stack and len(reachable) < 100_000:
        field, prefix = stack.pop()
        if not isinstance(field, pikepdf.Dictionary) or not field.is_indirect \
                or field.objgen in reachable:
            continue
        reachable.add(field.objgen)
        name = prefix + (str(field.T) if "/T" in field else "")
        kids = [kid for kid in field.get("/Kids", []) if isinstance(kid, pikepdf.Dictionary)]
        if any("/T" in kid for kid in kids):
            stack.extend((kid, f"{name}.") for kid in kids)
            continue
        reachable.update(kid.objgen for kid in kids if kid.is_indirect)  # its widgets
        names[name] = names.get(name, 0) + 1
    issues: list[Issue] = [("formulärfält", f"formulärfältet '{name}' finns {count} gånger; "
                            "ett fältnamn får bara finnas en gång") for name, count in
                           sorted(names.items()) if count > 1]
    orphans = [number for number, page in enumerate(pdf.pages, 1)
               for annotation in page.obj.get("/Annots", [])
               if isinstance(annotation, pikepdf.Dictionary)
               and annotation.get("/Subtype") == "/Widget" and annotation.is_indirect
               and annotation.objgen not in reachable]
    if orphans:
        pages = ", ".join(str(n) for n in sorted(set(orphans))[:10])
        issues.append(("formulärfält", f"{len(orphans)} formulärfält på sidorna {pages} saknas i "
                       "/AcroForm"))
    return issues


def _embedded_files(pdf, claims: Claims) -> list[Issue]:
    """PDF/A-1 embeds no files, PDF/A-2 only PDF files, PDF/A-3 names each one's role."""
    part = claims.pdfa_part
    if part is None:
        return []
    associated = {f.objgen for f in pdf.Root.get("/AF", []) if f.is_indirect}
    issues = []
    for name, spec in pdf.attachments.items():
        if "/EF" not in spec.obj:
            continue  # a file specification without its file embeds nothing
        mime = spec.get_file().mime_type
        if part == 1:
            issues.append(("bifogad_fil", f"PDF/A-1 tillåter inga inbäddade filer: '{name}'"))
        elif part == 2 and mime != "application/pdf":
            issues.append(("bifogad_fil", f"PDF/A-2 tillåter bara inbäddade PDF/A-filer: "
                           f"'{name}' är {mime or 'av okänd typ'}"))
        elif part >= 3:
            if "/AFRelationship" not in spec.obj or spec.obj.objgen not in associated:
                issues.append(("bifogad_fil", f"den inbäddade filen '{name}' är ingen "
                               "associerad fil (/AF och /AFRelationship saknas)"))
            if not mime:
                issues.append(("bifogad_fil", f"den inbäddade filen '{name}' saknar "
                               "medietyp (/Subtype)"))
    return issues


def _tagged(pdf, claims: Claims) -> list[Issue]:
    issues = []
    root = pdf.Root.get("/StructTreeRoot")
    if root is None or not len(_kids(root)):
        issues.append(("taggar", "filen saknar taggträd (/StructTreeRoot); skärmläsare "
                       "kan inte läsa dess struktur"))
    if pdf.Root.get("/MarkInfo", {}).get("/Marked") is not True:
        issues.append(("taggar", "filen är inte markerad som taggad (/MarkInfo /Marked)"))
    return issues


def _language(pdf, claims: Claims) -> list[Issue]:
    language = str(pdf.Root.get("/Lang", "")).strip()
    if not language:
        return [("språk", "dokumentets språk saknas (/Lang i katalogen)")]
    if language.lower() != "sv-se":
        return [("språk", f"dokumentets språk är '{language}', inte sv-SE (/Lang i katalogen)")]
    return []


def _title(pdf, claims: Claims) -> list[Issue]:
    issues = []
    if not claims.xmp.get("dc:title"):
        issues.append(("titel", "dokumentet saknar titel (dc:title i XMP-metadatan)"))
    preferences = pdf.Root.get("/ViewerPreferences", {})
    if preferences.get("/DisplayDocTitle") is not True:
        issues.append(("fönstertitel", "titeln visas inte som fönstertitel "
                       "(/ViewerPreferences /DisplayDocTitle saknas)"))
    return issues


def _kids(element) -> list:
    import pikepdf

    kids = element.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, pikepdf.Array) else [kids]


def _structure_elements(pdf) -> Iterator[tuple[str, object, int | None]]:
    """(standard type, element, number of the table it is in) for each element of the tree."""
    import pikepdf

    root = pdf.Root.get("/StructTreeRoot")
    if root is None:
        return
    role_map = root.get("/RoleMap", {})
    seen: set = set()
    tables = 0
    stack: list[tuple[object, int | None]] = [(kid, None) for kid in reversed(_kids(root))]
    while stack:
        element, table = stack.pop()
        if not isinstance(element, pikepdf.Dictionary) or "/S" not in element:
            continue  # marked-content and object references are leaves
        if element.is_indirect:
            if element.objgen in seen:
                continue
            seen.add(element.objgen)
        kind = str(element.S)
        for _ in range(10):  # a role map may chain; a cycle must not hang the check
            if kind not in role_map:
                break
            kind = str(role_map[kind])
        if kind == "/Table":
            tables += 1
            table = tables
        yield kind, element, table
        stack.extend((kid, table) for kid in reversed(_kids(element)))


def _structure(pdf, claims: Claims) -> list[Issue]:
    if "/StructTreeRoot" not in pdf.Root:
        return []  # already reported: no tag tree at all
    issues = []
    figures = without_alt = headings = 0
    table_headers: dict[int, bool] = {}  # table (in tree order) → has a TH cell
    for kind, element, table in _structure_elements(pdf):
        if kind in HEADINGS:
            headings += 1
        elif kind == "/Figure":
            figures += 1
            if not str(element.get("/Alt", element.get("/ActualText", ""))).strip():
                without_alt += 1
        elif kind == "/Table":
            table_headers[table] = False
        elif kind == "/TH" and table is not None:
            table_headers[table] = True
    tables = len(table_headers)
    if not headings:
        issues.append(("rubriker", "taggträdet har inga rubriker (H1–H6)"))
    if without_alt:
        issues.append(("alt_text", f"{without_alt} av {figures} bilder (/Figure) saknar "
                       "alternativtext (/Alt)"))
    missing = sum(1 for has in table_headers.values() if not has)
    if missing:
        issues.append(("tabellrubrik", f"{missing} av {tables} tabeller saknar "
                       "rubrikceller (/TH)"))
    return issues


def _pages_tagged(pdf, claims: Claims) -> list[Issue]:
    """Every page with content belongs to the tag tree (/StructParents)."""
    if "/StructTreeRoot" not in pdf.Root:
        return []  # already reported: no tag tree at all
    untagged = [n for n, page in enumerate(pdf.pages, 1)
                if "/StructParents" not in page.obj and _has_content(page.obj)]
    appendices: dict[str, list[int]] = {}
    for number in untagged:
        title = untagged_appendix(pdf.pages[number - 1].obj)
        if title is not None:
            appendices.setdefault(title, []).append(number)
    unknown = [n for n in untagged if untagged_appendix(pdf.pages[n - 1].obj) is None]
    issues = [("otaggad_bilaga", f"{_page_ranges(pages)} kommer från bilagan '{title}', "
               "som saknar taggar. Bilagan tas med som den är och kan vara otillgänglig för "
               "skärmläsare") for title, pages in appendices.items()]
    if unknown:
        shown = ", ".join(str(n) for n in unknown[:10]) + (" …" if len(unknown) > 10 else "")
        issues.append(("otaggad_sida", f"sidorna {shown} finns inte i taggträdet "
                       "(/StructParents saknas), till exempel bilagor som lagts till efter "
                       "utlåtandet"))
    return issues


def untagged_appendix(page) -> str | None:
    """The title of the untagged appendix a page came from, as utlatande marked it."""
    from ..pdfmerge import PIECE, UNTAGGED

    try:
        return str(page.PieceInfo[PIECE].Private[UNTAGGED])
    except (AttributeError, KeyError, TypeError):
        return None


def _page_ranges(pages: list[int]) -> str:
    """'sidan 4', 'sidorna 4–9 och 12'."""
    ranges: list[list[int]] = []
    for page in pages:
        if ranges and ranges[-1][1] == page - 1:
            ranges[-1][1] = page
        else:
            ranges.append([page, page])
    words = [str(a) if a == b else f"{a}–{b}" for a, b in ranges]
    if len(pages) == 1:
        return f"sidan {words[0]}"
    return "sidorna " + (words[0] if len(words) == 1 else
                         ", ".join(words[:-1]) + " och " + words[-1])


def _has_content(page) -> bool:
    import pikepdf

    contents = page.get("/Contents")
    if contents is None:
        return False
    streams = contents if isinstance(contents, pikepdf.Array) else [contents]
    return any(stream.read_bytes().strip() for stream in streams)
