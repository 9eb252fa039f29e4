"""Outputs changed after the build: `build` never overwrites them silently.

The manifest records the size, time and SHA-256 of each DOCX and PDF a build wrote. A DOCX
whose bytes differ from that was changed by someone (in Word, in LibreOffice); its answer
is not built again until the edits have been imported or `build --tvinga` says to.

A PDF the approvers signed (`utlatande attestera`: signatures appended to the PDF as
built) is kept as long as nothing it was built from has changed, even with `--allt`: a
rebuild would write the same first revision and lose the signatures. When its answer (or
profile, templates, …) changed, its answer is not built again without `--tvinga`, which
first keeps the signed file beside it (`x.signerad.pdf`). A PDF changed in another way
(comments added in a PDF reader) is not overwritten by a rebuild without `--tvinga` either.
"""

from __future__ import annotations

import dataclasses
import hashlib
import shutil
from dataclasses import dataclass
from pathlib import Path

from ..errors import display_path
from ..manifest import Manifest, Record, file_hash

EDITABLE = (".docx",)
TRACKED = (".docx", ".pdf")  # outputs whose bytes as written the manifest records
SIGNED_SUFFIX = ".signerad"


def output_facts(outputs: list[Path]) -> dict[str, list]:
    """[size, mtime_ns, sha256] of each tracked output just written."""
    facts = {}
    for path in outputs:
        if path.suffix in TRACKED and path.is_file():
            stat = path.stat()
            facts[str(path)] = [stat.st_size, stat.st_mtime_ns, file_hash(path)]
    return facts


def edited_outputs(entry: Record | None) -> list[Path]:
    """The editable outputs (DOCX) of a build whose bytes are no longer what it wrote."""
    if entry is None:
        return []
    edited = []
    for name, (size, mtime, digest) in entry.utdata.items():
        path = Path(name)
        if path.suffix not in EDITABLE:
            continue
        try:
            stat = path.stat()
        except OSError:
            continue  # gone: nothing to lose
        if (stat.st_size, stat.st_mtime_ns) != (size, mtime) and file_hash(path) != digest:
            edited.append(path)
    return edited


@dataclass(frozen=True)
class ChangedPdf:
    """A PDF that a rebuild would overwrite and that is no longer what the build wrote:
    signed (`names`, in signing order) or otherwise edited (no names)."""

    path: Path
    names: tuple[str, ...] = ()
    reason: str = ""  # why its answer would be built again (for a signed one)
    kept: Path | None = None  # where `--tvinga` kept the signed file
    unkept: str = ""  # why `--tvinga` could not keep it (then it is not overwritten)


def changed_pdf(pdf: Path, entry: Record | None) -> ChangedPdf | None:
    """The PDF `pdf` if it is signed, or edited since the build the manifest recorded;
    None when it is missing or what the build wrote (or, with no record, unsigned)."""
    facts = entry.utdata.get(str(pdf)) if entry is not None else None
    try:
        stat = pdf.stat()
    except OSError:
        return None
    if facts is not None and (stat.st_size, stat.st_mtime_ns) == tuple(facts[:2]):
        return None
    try:
        data = pdf.read_bytes()
    except OSError:
        return None
    if facts is not None and hashlib.sha256(data).hexdigest() == facts[2]:
        return None  # the bytes the build wrote (file_hash's digest), only touched
    from ..pades import has_signatures, signer_names

    if has_signatures(data):
        return ChangedPdf(pdf, signer_names(data) or ("(okänd)",))
    return ChangedPdf(pdf) if facts is not None else None


def why_rebuilt(answer: Path, entry: Record | None, key: str) -> str:
    """Why an answer's outputs are out of date, in a sentence's words."""
    if entry is None:
        return "bygget kan inte se vad den byggdes av (utmappen saknar en post för den)"
    facts = entry.files.get(str(answer))
    try:
        if facts is None or file_hash(answer) != facts[2]:
            return "svarsfilen har ändrats sedan dess"
    except OSError:
        return "svarsfilen finns inte längre"
    if entry.key != key:
        return ("bygginställningarna har ändrats sedan dess (format, --pdf-variant, "
                "SOURCE_DATE_EPOCH eller utlatandes version)")
    return ("något som den byggs av har ändrats sedan dess (profil, mallar, bilagor eller "
            "utlatande)")


def keep_signed(changed: ChangedPdf) -> ChangedPdf:
    """A copy of a signed PDF beside it (`x.signerad.pdf`, `x.signerad-2.pdf`, … never
    over another file), before `--tvinga` rebuilds it."""
    target = _aside(changed.path)
    shutil.copy2(changed.path, target)
    return dataclasses.replace(changed, kept=target)


def _aside(pdf: Path) -> Path:
    """The first free name of `x.signerad.pdf`, `x.signerad-2.pdf`, … beside `pdf`."""
    number = 1
    while True:
        suffix = SIGNED_SUFFIX if number == 1 else f"{SIGNED_SUFFIX}-{number}"
        target = pdf.with_name(f"{pdf.stem}{suffix}{pdf.suffix}")
        if not target.exists():
            return target
        number += 1


def message(docx: Path, shown: str) -> str:
    return (f"{shown} har ändrats efter bygget; hämta ändringarna med 'utlatande import "
            f"{shown}' eller bygg om med --tvinga")


def pdf_message(changed: ChangedPdf) -> str:
    """What `build` says of a PDF it did not overwrite, or kept aside before it did."""
    shown = display_path(changed.path)
    names = ", ".join(changed.names)
    if changed.unkept:
        return (f"{shown} är signerad av {names} och skrevs inte över: den signerade filen "
                f"kunde inte sparas som {display_path(_aside(changed.path))} "
                f"({changed.unkept})")
    if changed.kept is not None:
        return (f"{shown} var signerad av {names}; den signerade filen finns kvar som "
                f"{display_path(changed.kept)}")
    if changed.names:
        return (f"{shown} är signerad av {names}; {changed.reason}. Bygg om med --tvinga "
                "(signaturerna måste då göras om; den signerade filen sparas som "
                f"{display_path(_aside(changed.path))})")
    return (f"{shown} har ändrats efter bygget; bygg om med --tvinga (ändringarna i PDF:en "
            "går då förlorade)")


def mark_collected(docx: Path) -> None:
    """The DOCX's edits are in its answer file now: the next build may replace it."""
    manifest = Manifest(docx.parent)
    target = docx.resolve()
    changed = False
    for entry in manifest.records.values():
        for name in entry.utdata:
            if Path(name).resolve() == target:
                entry.utdata[name] = output_facts([Path(name)])[name]
                changed = True
    if changed:
        manifest.save()
