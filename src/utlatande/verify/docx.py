"""The archival and accessibility properties a DOCX must have: title and language, heading
styles, header rows on tables, alternative text on images, no text boxes."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from .findings import Issue

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
