"""A PDF's PAdES signatures checked with pyHanko, for `verify` and the agenda: who signed
(the name in the certificate), when, whether the signed bytes are intact, whether anything
but later signatures changed after each one (pyHanko's difference analysis), whether the
certificate chains to a given trust root, and whether the signer is on the attestation
list the PDF was built with; who signed, only named (for `build`, which never overwrites a
signed PDF without being told to). And whether a signed PDF is a given PDF with signatures
appended, its first revision byte for byte (how the agenda knows a signed statement).

Only the trust roots given count (files, or those a profile names under `förtroende` in
tema.yaml), never the operating system's.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

from .attestation import (
    FIELD_PREFIX,
    Approver,
    approver_for,
    certificate_names,
    first_revision_xmp,
    quiet_pyhanko,
    read_attestation_list,
)
from .errors import UserError, display_path

# (code, message): what a profile's trust roots are missing, as verify reports it.
Issue = tuple[str, str]


class TrustRootError(UserError):
    """A trust root file cannot be read; the message names the file."""


@dataclass(frozen=True)
class Checked:
    """One signature as pyHanko found it."""

    name: str
    field: str
    time: dt.datetime | None
    timestamped: bool
    intact: bool
    unchanged: bool
    change: str | None
    trusted: bool | None  # None: no trust root to check the chain against
    trust_problem: str | None
    approver: Approver | None

    @property
    def valid(self) -> bool:
        """Intact, nothing but later signatures after it, and (given roots) trusted."""
        return self.intact and self.unchanged and self.trusted is not False


def load_trust_roots(paths: list[Path]) -> list:
    """The certificates in PEM or DER files, as asn1crypto certificates."""
    from pyhanko.keys import load_certs_from_pemder

    roots = []
    for path in paths:
        try:
            found = list(load_certs_from_pemder([str(path)]))
        except OSError as exc:
            raise TrustRootError(f"{display_path(path)}: förtroenderoten kan inte läsas "
                                 f"({exc.strerror or exc})") from None
        except Exception:  # noqa: BLE001 - asn1crypto's many parse errors
            found = []
        if not found:
            raise TrustRootError(f"{display_path(path)}: ingen certifikatfil (PEM eller DER) med "
                                 "något certifikat")
        roots.extend(found)
    return roots


def profile_trust_roots(name: str, project: Path) -> tuple[list, list[Issue]]:
    """The trust roots a profile names under `förtroende` in tema.yaml, each a file found
    along the profile's chain of folders (its own first); a profile the project does not
    have names none."""
    from .theme import PROFILE_FILE, load_theme

    try:
        theme = load_theme(name, project)
    except Exception:  # noqa: BLE001 - not this project's profile: it names no roots
        return [], []
    names = theme.profile.get("förtroende") or []
    if isinstance(names, str):
        names = [names]
    shown = display_path(theme.folders[0] / PROFILE_FILE)
    paths, issues = [], []
    for entry in names:
        found = next((folder / str(entry) for folder in theme.folders
                      if (folder / str(entry)).is_file()), None)
        if found is None:
            issues.append(("förtroende", f"{shown}: förtroenderoten '{entry}' finns inte"))
        else:
            paths.append(found)
    try:
        return load_trust_roots(paths), issues
    except TrustRootError as error:
        return [], [*issues, ("förtroende", str(error))]


def read_signatures(reader, roots: list | None) -> tuple[list[Approver], list[Checked]]:
    """The attestation list a PDF (a pyHanko PdfFileReader) was built with, and each of
    its signatures checked; `roots` None: no trust root to check chains against."""
    quiet_pyhanko()
    approvers = read_attestation_list(first_revision_xmp(reader)) or []
    return approvers, [_check(reader, s, roots, approvers)
                       for s in reader.embedded_regular_signatures]


def _check(reader, signature, roots: list | None, approvers: list[Approver]) -> Checked:
    """Validate one embedded signature with pyHanko."""
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    # Never the operating system's trust store: only the roots given count.
    context = ValidationContext(trust_roots=roots or [], allow_fetching=False,
                                revocation_mode="soft-fail")
    status = validate_pdf_signature(signature, signer_validation_context=context)
    names = certificate_names(status.signing_cert)
    approver = approver_for(names, approvers)
    unchanged, change = _unchanged(status, reader, signature)
    timestamp = status.timestamp_validity
    timestamped = bool(timestamp and timestamp.intact and timestamp.valid)
    trust_problem = None
    if roots is not None and not status.trusted:
        trust_problem = str(status.trust_problem_indic.name).lower().replace("_", " ") \
            if status.trust_problem_indic else "ingen kedja till en betrodd rot"
    return Checked(
        name=_shown_name(approver, names),
        field=signature.field_name, time=timestamp.timestamp if timestamped else
        (status.signer_reported_dt or signature.self_reported_timestamp),
        timestamped=timestamped, intact=bool(status.intact and status.valid),
        unchanged=unchanged, change=change,
        trusted=None if roots is None else bool(status.trusted),
        trust_problem=trust_problem, approver=approver)


def _unchanged(status, reader, signature) -> tuple[bool, str | None]:
    """Whether only later signatures changed the document after this signature, and if
    not, what did (pyHanko's difference analysis)."""
    from pyhanko.sign.diff_analysis import DiffResult, ModificationLevel

    result = status.diff_result
    level = status.modification_level
    if level is not None and level <= ModificationLevel.FORM_FILLING:
        # Form filling is allowed only as signing: the statement has no other fields.
        others = sorted(name for name in result.changed_form_fields
                        if not name.startswith(FIELD_PREFIX)) \
            if isinstance(result, DiffResult) else []
        if not others:
            return True, None
        return False, "formulärfält har fyllts i: " + ", ".join(others)
    return False, _what_changed(reader, signature.signed_revision)


def _what_changed(reader, revision: int) -> str:
    """What a later revision changed, in a reader's words: pages, annotations or content."""
    try:
        before = reader.get_historical_resolver(revision)
        pages_before = int(before.root["/Pages"]["/Count"])
        pages_now = int(reader.root["/Pages"]["/Count"])
        if pages_before != pages_now:
            return f"sidor har lagts till eller tagits bort: {pages_before} sidor vid " \
                   f"signeringen, {pages_now} nu"
        for index in range(pages_now):
            if _annotations(before, index) != _annotations(reader, index):
                return f"annoteringar har lagts till eller ändrats på sida {index + 1}"
    except Exception:  # noqa: BLE001 - a file too broken to compare: say so plainly
        pass
    return "innehållet har ändrats i en senare revision"


def _annotations(handler, index: int) -> int:
    """How many annotations page `index` has in one revision."""
    page_ref, _ = handler.find_page_for_modification(index)
    annotations = page_ref.get_object().get("/Annots")
    return len(annotations.get_object()) if annotations is not None else 0


def appended_to(signed: bytes, original: bytes) -> bool:
    """Whether `signed` is `original` with incremental updates appended: its bytes begin
    with every byte of `original`, a file of one revision, and pyHanko reads `original`'s
    cross-reference section as the first of `signed`'s revisions."""
    if len(signed) <= len(original) or not signed.startswith(original):
        return False
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        before = PdfFileReader(io.BytesIO(original), strict=False).xrefs
        after = PdfFileReader(io.BytesIO(signed), strict=False).xrefs
        return before.total_revisions == 1 and after.total_revisions > 1 \
            and after.get_startxref_for_revision(0) == before.get_startxref_for_revision(0)
    except Exception:  # noqa: BLE001 - a file pyHanko cannot read is no signed copy
        return False


def signed_copy(signed: bytes, original: bytes, roots: list | None) -> list[Checked] | None:
    """The signatures of `signed`, checked, when it is `original` with signatures appended;
    None when it is not (another file, or no signature); [] when they cannot be read."""
    if not appended_to(signed, original) or not has_signatures(signed):
        return None
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        return read_signatures(PdfFileReader(io.BytesIO(signed), strict=False), roots)[1]
    except Exception:  # noqa: BLE001 - pyHanko's parse errors: no readable signature
        return []


def has_signatures(data: bytes) -> bool:
    """Whether a PDF holds any signature (checked or not)."""
    # A signature dictionary is never in an object stream (its /Contents must stand in the
    # file's own bytes for /ByteRange to leave it out), so a file without the name holds
    # none: most PDFs are answered without importing pyHanko or parsing the file.
    if b"/ByteRange" not in data:
        return False
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        return bool(PdfFileReader(io.BytesIO(data), strict=False).embedded_signatures)
    except Exception:  # noqa: BLE001 - unreadable: no signature to speak of
        return False


def _shown_name(approver: Approver | None, names: list[str]) -> str:
    """A signer's name: as the attestation list spells it, else the certificate's first."""
    return approver.namn if approver else (names[0] if names else "(namnlöst certifikat)")


def signer_names(data: bytes) -> tuple[str, ...]:
    """Who signed a PDF, in signing order, as its attestation list spells them (else as
    the certificate does); nothing is validated: this only names them. () when the file
    holds no signature pyHanko can read."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    quiet_pyhanko()
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        approvers = read_attestation_list(first_revision_xmp(reader)) or []
        names = []
        for signature in reader.embedded_regular_signatures:
            found = certificate_names(signature.signer_cert)
            names.append(_shown_name(approver_for(found, approvers), found))
        return tuple(names)
    except Exception:  # noqa: BLE001 - pyHanko's parse errors: no signature to name
        return ()
