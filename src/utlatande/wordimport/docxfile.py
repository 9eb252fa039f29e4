"""A DOCX file opened with care: its parts for the reader, and the answer it carries.

A file that is no DOCX, a password-protected or macro-enabled one, or a zip bomb is
refused with a Swedish message before anything is parsed.
"""

from __future__ import annotations

import base64
import binascii
import json
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from lxml import etree

from ..errors import AnswerError, Problem, display_path
from ..load import require_regular, unreadable
from ..wordtext import Comment, Parts, Reader, W, list_restarts

NAMESPACE = "urn:utlatande:svar:1"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # encrypted OOXML and old .doc files
MAX_TOTAL = 200 * 1024 * 1024  # uncompressed bytes of every part together
MAX_RATIO = 100  # a part that inflates more than this (and is large) is a bomb
MAX_ENTRIES = 5000
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_OFFICE_DOCUMENT = ("http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
                    "officeDocument")
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


@dataclass
class Embedded:
    """What utlatande put into the DOCX when it built it."""

    answer: str  # the answer file's path from the project
    text: bytes  # the answer file as it was
    keys: list[str | None]
    values: dict[str, str]
    template: dict[str, str]
    # 1: built before headers, footers and each paragraph of a layout table were marked,
    # so text there has no marker without anyone having added it.
    version: int = 1


@dataclass
class Opened:
    path: Path
    parts: Parts
    embedded: Embedded | None = None
    names: list[str] = field(default_factory=list)

    def reader(self, changes: str = "accept") -> Reader:
        return Reader(self.parts, changes)


def refuse(path: Path, message: str, code: str) -> AnswerError:
    return AnswerError([Problem(display_path(path), 1, 1, message, code)])


def open_docx(path: Path) -> Opened:
    """The DOCX's parts; every reason it cannot be read is an AnswerError."""
    try:
        require_regular(path)  # never open() a FIFO: it would wait forever
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        message, kind = unreadable(exc)
        raise refuse(path, message, f"import.{kind}") from None
    if head == OLE_MAGIC:
        raise refuse(path, "filen är lösenordsskyddad eller sparad i det gamla Word-formatet "
                     "(.doc); spara den som Word-dokument (.docx) utan lösenord",
                     "import.krypterad")
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        raise refuse(path, "filen är ingen DOCX-fil (inget Word-dokument)", "import.inte_docx") \
            from None
    with archive:
        files = _members(path, archive)
        return _opened(path, files)


def _members(path: Path, archive: zipfile.ZipFile) -> dict[str, bytes]:
    """Every part's bytes, after the sizes have been checked against a zip bomb."""
    infos = archive.infolist()
    if len(infos) > MAX_ENTRIES:
        raise refuse(path, "filen har orimligt många delar för ett Word-dokument",
                     "import.zipbomb")
    total = 0
    for info in infos:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if total > MAX_TOTAL or (ratio > MAX_RATIO and info.file_size > 10 * 1024 * 1024):
            raise refuse(path, "filen packas upp till orimligt mycket data och läses inte "
                         "(en zip-bomb?)", "import.zipbomb")
    names = {info.filename for info in infos}
    if any(n.lower().endswith("vbaproject.bin") for n in names):
        raise refuse(path, "filen innehåller makron (.docm); spara den som vanligt "
                     "Word-dokument (.docx) och importera det", "import.makro")
    files = {}
    for info in infos:
        # Read at most what the header promised: a lying header cannot inflate further.
        with archive.open(info) as handle:
            data = handle.read(info.file_size + 1)
        if len(data) > info.file_size:
            raise refuse(path, "filen är skadad (en del är större än den säger)",
                         "import.zipbomb")
        files[info.filename] = data
    content_types = files.get("[Content_Types].xml", b"")
    if b"macroEnabled" in content_types:
        raise refuse(path, "filen innehåller makron (.docm); spara den som vanligt "
                     "Word-dokument (.docx) och importera det", "import.makro")
    return files


def _xml(path: Path, files: dict[str, bytes], name: str):
    data = files.get(name)
    if data is None:
        return None
    try:
        return etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise refuse(path, f"filen är skadad: {name} är inte giltig XML ({exc.msg})",
                     "import.skadad") from None


def _rels(path: Path, files: dict[str, bytes], part: str) -> dict[str, tuple[str, str, str]]:
    """A part's relationships: id → (type, target, mode), targets resolved to part names."""
    folder = PurePosixPath(part).parent
    rels_name = str(folder / "_rels" / (PurePosixPath(part).name + ".rels")).lstrip("/")
    root = _xml(path, files, rels_name)
    result = {}
    for rel in root if root is not None else ():
        target = rel.get("Target") or ""
        mode = rel.get("TargetMode") or ""
        if mode != "External":
            target = _resolve(folder, target)
        result[rel.get("Id") or ""] = (rel.get("Type") or "", target, mode)
    return result


def _resolve(folder: PurePosixPath, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    parts: list[str] = []
    for piece in (folder / target).parts:
        if piece == "..":
            if parts:
                parts.pop()
        elif piece not in (".", "/"):
            parts.append(piece)
    return "/".join(parts)


def _opened(path: Path, files: dict[str, bytes]) -> Opened:
    package = _rels(path, files, "/")
    main = next((t for kind, t, _ in package.values() if kind == _OFFICE_DOCUMENT), None)
    document = _xml(path, files, main) if main else None
    body = document.find(f"{{{W}}}body") if document is not None else None
    if body is None:
        raise refuse(path, "filen är ingen DOCX-fil (den har inget Word-dokument i sig)",
                     "import.inte_docx")
    rels = _rels(path, files, "/" + main)
    by_type = {kind.rsplit("/", 1)[-1]: target for kind, target, _ in rels.values()}
    parts = Parts(body)
    parts.links = {rid: target for rid, (kind, target, mode) in rels.items()
                   if mode == "External" and kind.endswith("/hyperlink")}
    styles = _xml(path, files, by_type.get("styles", ""))
    for style in styles.iter(f"{{{W}}}style") if styles is not None else ():
        name = style.find(f"{{{W}}}name")
        parts.styles[style.get(f"{{{W}}}styleId") or ""] = \
            (name.get(f"{{{W}}}val") if name is not None else "").lower()
    footnotes = _xml(path, files, by_type.get("footnotes", ""))
    for note in footnotes.iter(f"{{{W}}}footnote") if footnotes is not None else ():
        parts.footnotes[note.get(f"{{{W}}}id") or ""] = note
    endnotes = _xml(path, files, by_type.get("endnotes", ""))
    for note in endnotes.iter(f"{{{W}}}endnote") if endnotes is not None else ():
        parts.footnotes["e" + (note.get(f"{{{W}}}id") or "")] = note
    numbering = _xml(path, files, by_type.get("numbering", ""))
    parts.bullets = _bullets(numbering)
    parts.restarts = list_restarts(numbering)
    furniture = sorted({target for kind, target, mode in rels.values()
                        if mode != "External" and kind.endswith(("/header", "/footer"))})
    for name in furniture:
        root = _xml(path, files, name)
        if root is not None:
            parts.stories.append((name, root))
    comments = _xml(path, files, by_type.get("comments", ""))
    for comment in comments.iter(f"{{{W}}}comment") if comments is not None else ():
        text = " ".join("".join(t.text or "" for t in p.iter(f"{{{W}}}t"))
                        for p in comment.iter(f"{{{W}}}p")).strip()
        cid = comment.get(f"{{{W}}}id") or ""
        parts.comments[cid] = Comment(cid, comment.get(f"{{{W}}}author") or "okänd", text)
    embedded = None
    for kind, target, _ in rels.values():
        if kind.endswith("/customXml"):
            embedded = embedded or _embedded(path, _xml(path, files, target))
    return Opened(path, parts, embedded, sorted(files))


def _bullets(numbering) -> dict[tuple[str, str], bool]:
    """(numId, level) → whether that list level is a bullet list."""
    if numbering is None:
        return {}
    abstract = {}
    for el in numbering.iter(f"{{{W}}}abstractNum"):
        levels = {}
        for lvl in el.iter(f"{{{W}}}lvl"):
            fmt = lvl.find(f"{{{W}}}numFmt")
            levels[lvl.get(f"{{{W}}}ilvl") or "0"] = \
                fmt is not None and fmt.get(f"{{{W}}}val") in ("bullet", "none")
        abstract[el.get(f"{{{W}}}abstractNumId")] = levels
    result = {}
    for num in numbering.iter(f"{{{W}}}num"):
        ref = num.find(f"{{{W}}}abstractNumId")
        levels = abstract.get(ref.get(f"{{{W}}}val") if ref is not None else None, {})
        for level, bullet in levels.items():
            result[(num.get(f"{{{W}}}numId") or "", level)] = bullet
    return result


def _embedded(path: Path, root) -> Embedded | None:
    if root is None or root.tag != f"{{{NAMESPACE}}}utlatande":
        return None

    def field_(name: str) -> str:
        return root.findtext(f"{{{NAMESPACE}}}{name}") or ""
    try:
        keys = json.loads(field_("nycklar"))
        values = json.loads(field_("varden"))
        text = base64.b64decode(field_("svar"), validate=True)
        return Embedded(field_("svarsfil"), text, keys, values["värden"], values["mall"],
                        int(root.get("version") or 1))
    except (ValueError, KeyError, TypeError, binascii.Error):
        raise refuse(path, "svarsfilen som utlatande lade in i dokumentet är skadad",
                     "import.skadad") from None
