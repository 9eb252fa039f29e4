"""`utlatande verify`: the archival and accessibility properties a PDF or DOCX must have.

PDF (with pikepdf, that is qpdf): PDF/A (or PDF/UA) identification in the XMP metadata and,
for PDF/A, an output intent and Info entries that agree with the XMP; every font embedded;
no encryption, no JavaScript, no actions that open other files or programs; embedded files
only as the PDF/A part allows; a tag tree, marked content, a document language, a title
shown as the window title, headings, figures with alternative text, tables with header
cells, and every page in the tag tree. DOCX: title and language, heading styles, header
rows on tables, alternative text on images, no text boxes.

What no check here can tell: whether the tags match what a reader sees (reading order,
whether a table is really a layout table), whether alternative text is apt, colour
contrast, and full ISO 19005 / ISO 14289 conformance, which needs veraPDF.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import click

DEFAULT_FOLDER = Path("build")
# An OLE compound file: an encrypted Office document (or an old .doc), not a zip.
OLE = bytes.fromhex("d0cf11e0a1b11ae1")


@dataclass(frozen=True)
class Finding:
    """One failed property of one file, printed as ``file: fel: message [verify.code]``."""

    path: str
    message: str
    code: str

    def __str__(self) -> str:
        return f"{self.path}: fel: {self.message} [verify.{self.code}]"


Issue = tuple[str, str]  # (code, Swedish message) before the file is named


# -- PDF -----------------------------------------------------------------------------------

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
        issues: list[Issue] = []
        for check in (_syntax, _encryption, _identification, _metadata, _fonts, _actions,
                      _embedded_files, _tagged, _language, _title, _structure, _pages_tagged):
            try:
                issues.extend(check(pdf, claims))
            except Exception as exc:  # noqa: BLE001 - a malformed file: report, go on
                issues.append(("oläsbar", f"kontrollen {check.__name__.strip('_')} kunde "
                               f"inte göras: {type(exc).__name__}: {exc}"))
        return issues


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


def _syntax(pdf, claims: Claims) -> list[Issue]:
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
    """Every dictionary of the file: each object and the direct ones nested in it."""
    import pikepdf

    stack = list(pdf.objects)
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
                     if isinstance(child, (pikepdf.Dictionary, pikepdf.Array, pikepdf.Stream))
                     and not child.is_indirect)


def _actions(pdf, claims: Claims) -> list[Issue]:
    """No JavaScript, and no action that opens another file or program."""
    issues: list[Issue] = []
    names = pdf.Root.get("/Names", {})
    if "/JavaScript" in names:
        issues.append(("javascript", "filen innehåller JavaScript (/Names /JavaScript)"))
    kinds = {"/Launch": "startar ett program eller öppnar en fil (/Launch)",
             "/GoToR": "länkar till en annan PDF-fil (/GoToR)",
             "/GoToE": "länkar till en inbäddad eller annan fil (/GoToE)",
             "/ImportData": "läser in data från en annan fil (/ImportData)"}
    found: set[Issue] = set()
    for obj in _dictionaries(pdf):
        kind = str(obj.get("/S", ""))
        if kind == "/JavaScript" or "/JS" in obj:
            found.add(("javascript", "filen innehåller JavaScript"))
        elif kind in kinds:
            found.add(("extern_länk", f"en länk {kinds[kind]}"))
        elif kind == "/URI" and str(obj.get("/URI", "")).lower().startswith("file:"):
            found.add(("extern_länk", f"en länk pekar på en fil: {obj.URI}"))
    return issues + sorted(found)


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
    if not str(pdf.Root.get("/Lang", "")).strip():
        return [("språk", "dokumentets språk saknas (/Lang i katalogen)")]
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
    if not untagged:
        return []
    shown = ", ".join(str(n) for n in untagged[:10]) + (" …" if len(untagged) > 10 else "")
    return [("otaggad_sida", f"sidorna {shown} finns inte i taggträdet (/StructParents "
             "saknas), till exempel bilagor som lagts till efter utlåtandet")]


def _has_content(page) -> bool:
    import pikepdf

    contents = page.get("/Contents")
    if contents is None:
        return False
    streams = contents if isinstance(contents, pikepdf.Array) else [contents]
    return any(stream.read_bytes().strip() for stream in streams)


# -- DOCX ----------------------------------------------------------------------------------

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = {"w": W,
      "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
      "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
      "dc": "http://purl.org/dc/elements/1.1/",
      "v": "urn:schemas-microsoft-com:vml",
      "a": "http://schemas.openxmlformats.org/drawingml/2006/main"}
# Word's "Mark as decorative" on an image: it needs no alternative text.
DECORATIVE = "{C183D7F6-B498-43B3-948B-1728B52AA6E4}"
_PART = re.compile(r"word/(document|header\d*|footer\d*|footnotes|endnotes)\.xml")


def verify_docx(path: Path) -> list[Issue]:
    """Every failed property of one DOCX file."""
    from lxml import etree

    try:
        with zipfile.ZipFile(path) as archive:
            parts = {name: etree.fromstring(archive.read(name))
                     for name in archive.namelist()
                     if _PART.fullmatch(name) or name in ("docProps/core.xml", "word/styles.xml")}
    except (zipfile.BadZipFile, OSError, etree.XMLSyntaxError, KeyError) as exc:
        return [("oläsbar", f"filen är ingen läsbar DOCX ({exc})")]
    if "word/document.xml" not in parts:
        return [("oläsbar", "filen är ingen DOCX (word/document.xml saknas)")]
    issues: list[Issue] = []
    for check in (_docx_title_and_language, _docx_headings, _docx_tables, _docx_images,
                  _docx_text_boxes):
        issues.extend(check(parts))
    return issues


def _docx_title_and_language(parts: dict) -> list[Issue]:
    issues = []
    core = parts.get("docProps/core.xml")
    title = core.findtext("dc:title", default="", namespaces=NS) if core is not None else ""
    if not title.strip():
        issues.append(("titel", "dokumentet saknar titel (dc:title i docProps/core.xml)"))
    language = core.findtext("dc:language", default="", namespaces=NS) if core is not None \
        else ""
    if not language.strip():
        issues.append(("språk", "dokumentets språk saknas (dc:language i docProps/core.xml)"))
    styles = parts.get("word/styles.xml")
    default = styles.find("w:docDefaults/w:rPrDefault/w:rPr/w:lang", NS) \
        if styles is not None else None
    if default is None or not default.get(f"{{{W}}}val"):
        issues.append(("språk", "textens standardspråk saknas (w:lang i formatmallarnas "
                       "standardvärden, word/styles.xml)"))
    return issues


def _heading_styles(styles) -> set[str]:
    """Style ids of Word's title and heading styles (by built-in name or outline level)."""
    ids = set()
    if styles is None:
        return ids
    for style in styles.findall("w:style[@w:type='paragraph']", NS):
        name = (style.find("w:name", NS).get(f"{{{W}}}val", "")
                if style.find("w:name", NS) is not None else "").lower()
        if name == "title" or re.fullmatch(r"heading [1-9]", name) \
                or style.find("w:pPr/w:outlineLvl", NS) is not None:
            ids.add(style.get(f"{{{W}}}styleId"))
    return ids


def _docx_headings(parts: dict) -> list[Issue]:
    headings = _heading_styles(parts.get("word/styles.xml"))
    body = parts["word/document.xml"]
    used = {p.get(f"{{{W}}}val") for p in body.iterfind(".//w:pPr/w:pStyle", NS)}
    outlined = body.find(".//w:pPr/w:outlineLvl", NS) is not None
    if not (used & headings) and not outlined:
        return [("rubriker", "dokumentet har inga rubriker med Words rubrikformat "
                 "(Rubrik, Rubrik 1–9)")]
    return []


def _declares_header_row(table) -> bool:
    """Whether the table says it has a header row (Word's table style option 'Rubrikrad')."""
    look = table.find("w:tblPr/w:tblLook", NS)
    if look is None:
        return True  # nothing declared: a plain table, whose header row must be marked
    value = look.get(f"{{{W}}}firstRow")
    if value is not None:
        return value in ("1", "true", "on")
    return bool(int(look.get(f"{{{W}}}val", "0"), 16) & 0x0020)


def _docx_tables(parts: dict) -> list[Issue]:
    """A table that says it has a header row marks it (w:tblHeader: repeated, and read).

    A table that declares neither a header row nor a header column is a layout table.
    """
    issues = []
    body = parts["word/document.xml"].find("w:body", NS)
    tables = body.findall(".//w:tbl", NS) if body is not None else []
    for number, table in enumerate(tables, 1):
        first = table.find("w:tr", NS)
        marked = first is not None and first.find("w:trPr/w:tblHeader", NS) is not None \
            and first.find("w:trPr/w:tblHeader", NS).get(f"{{{W}}}val", "true") \
            not in ("0", "false", "off")
        # Without a declared header row the table has row headers (first column) or is a
        # layout table: neither has a row to mark.
        if _declares_header_row(table) and not marked:
            text = "".join(first.itertext()).strip()[:40] if first is not None else ""
            issues.append(("tabellrubrik", f"tabell {number} ('{text}') har ingen rubrikrad "
                           "markerad (w:tblHeader, 'Upprepa som rubrikrad')"))
    return issues


def _docx_images(parts: dict) -> list[Issue]:
    missing = []
    for name, part in sorted(parts.items()):
        if not name.startswith("word/"):
            continue
        for doc_pr in part.iterfind(".//wp:docPr", NS):
            decorative = any(ext.get("uri") == DECORATIVE
                             for ext in doc_pr.iterfind(".//a:ext", NS))
            if not (doc_pr.get("descr") or "").strip() and not decorative:
                missing.append(doc_pr.get("name") or name)
    if missing:
        return [("alt_text", f"{len(missing)} bilder saknar alternativtext (wp:docPr descr): "
                 + ", ".join(missing[:5]))]
    return []


def _docx_text_boxes(parts: dict) -> list[Issue]:
    found = [name for name, part in sorted(parts.items())
             if part.find(".//w:txbxContent", NS) is not None
             or part.find(".//v:textbox", NS) is not None]
    if found:
        return [("textruta", "text står i textrutor, som skärmläsare ofta hoppar över: "
                 + ", ".join(found))]
    return []


# -- files and the command -----------------------------------------------------------------

def kind_of(path: Path) -> str | None:
    """'pdf' or 'docx' by the file's first bytes; None for anything else."""
    try:
        with path.open("rb") as handle:
            head = handle.read(1024)
    except OSError:
        return None
    if b"%PDF-" in head:
        return "pdf"
    if head.startswith(b"PK"):
        return "docx"
    if head.startswith(OLE):
        return "ole"
    return None


def verify_file(path: Path) -> list[Finding]:
    """Every failed property of one PDF or DOCX file, naming the file."""
    from .errors import display_path

    shown = display_path(path)
    if not path.is_file():
        return [Finding(shown, "filen finns inte", "saknas")]
    kind = kind_of(path)
    if kind is None:
        return [Finding(shown, "filen är varken PDF eller DOCX", "okänd_typ")]
    if kind == "ole":
        return [Finding(shown, "filen är en krypterad DOCX eller en gammal Word-fil (.doc); "
                        "en arkiverbar DOCX är okrypterad", "kryptering")]
    checks: dict[str, Callable[[Path], list[Issue]]] = {"pdf": verify_pdf, "docx": verify_docx}
    return [Finding(shown, message, code) for code, message in checks[kind](path)]


def check_files(paths: list[Path], quiet: bool = False) -> int:
    """Verify each file, print what fails (stderr), what passes and a summary; the failures."""
    from .errors import display_path

    failed = 0
    for path in paths:
        findings = verify_file(path)
        for finding in findings:
            click.echo(str(finding), err=True)
        if findings:
            failed += 1
        elif not quiet:
            click.echo(f"{display_path(path)}: godkänd")
    if failed or not quiet:
        click.echo(f"kontroll: {len(paths) - failed} godkända, {failed} med fel",
                   err=bool(failed))
    return failed


class Outputs:
    """The PDF and DOCX files of a build (`build --verify`): those written and those that
    were already up to date. Passes each build's report on."""

    def __init__(self, out_dir: Path, formats: tuple[str, ...], report: Callable):
        self.out_dir, self.report = out_dir, report
        self.suffixes = [f".{f}" for f in formats if f in ("pdf", "docx")]
        self.paths: list[Path] = []

    def done(self, outcome, count: int, total: int) -> None:
        self.report(outcome, count, total)
        if outcome.built.ok:
            self.paths.extend(p for p in outcome.built.outputs if p.suffix in self.suffixes)

    def skipped(self, answer: Path) -> None:
        for suffix in self.suffixes:
            path = self.out_dir / f"{answer.stem}{suffix}"
            if path.is_file():
                self.paths.append(path)


def _default_files() -> list[Path]:
    return sorted(DEFAULT_FOLDER.glob("*.pdf")) + sorted(DEFAULT_FOLDER.glob("*.docx"))


class _Command(click.Command):
    """A command with the Swedish help of the others (cli.SwedishContext)."""

    @property
    def context_class(self):  # type: ignore[override]
        from .cli import SwedishContext  # cli imports this module: import when run

        return SwedishContext


@click.command("verify", cls=_Command)
@click.argument("filer", nargs=-1, type=click.Path(path_type=Path), metavar="[FIL]...")
@click.option("-q", "--tyst", is_flag=True, help="Skriv bara ut fel.")
@click.help_option("-h", "--help", help="Visa den här hjälpen och avsluta.")
def verify_command(filer: tuple[Path, ...], tyst: bool) -> None:
    """Kontrollera att PDF- och DOCX-filer går att arkivera och är tillgängliga
    (standard: alla filer i build/).

    PDF: PDF/A-identifiering och utdataavsikt, inbäddade typsnitt, ingen kryptering,
    inget JavaScript, inga länkar till filer eller program, taggträd, språk, titel som
    fönstertitel, rubriker, alternativtext på bilder och rubrikceller i tabeller. DOCX:
    titel, språk, rubrikformat, rubrikrader i tabeller, alternativtext och inga textrutor.

    Slutkod 0 när alla filer klarar kontrollen, 1 när någon inte gör det."""
    paths = list(filer) or _default_files()
    if not paths:
        raise click.UsageError(f"inga filer att kontrollera ({DEFAULT_FOLDER}/*.pdf, "
                               f"{DEFAULT_FOLDER}/*.docx)")
    sys.exit(1 if check_files(paths, quiet=tyst) else 0)
