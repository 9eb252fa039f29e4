"""`utlatande verify` on a PDF's signatures: who signed, when, whether the signed bytes are
intact, whether anything but later signatures changed after each one (pyHanko's difference
analysis), whether the certificate chains to a trusted root, and whether the signer is on
the attestation list the PDF was built with.

Without a trust root no signature is called valid: its chain "kunde inte kontrolleras".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from ..attestation import (
    FIELD_PREFIX,
    Approver,
    approver_for,
    certificate_names,
    first_revision_xmp,
    quiet_pyhanko,
    read_attestation_list,
    read_profile,
)
from ..errors import UserError, display_path
from .findings import Finding, Issue


class TrustRootError(UserError):
    """A trust root file cannot be read; the message names the file."""


@dataclass(frozen=True)
class Checked:
    """One signature as verify found it."""

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


@dataclass
class Report:
    """What verify says about one PDF's signatures: a line per approver, and its failures."""

    lines: list[str] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    profile: str | None = None

    def findings(self, path: Path) -> list[Finding]:
        """The failures as verify's findings, naming the file."""
        return [Finding(display_path(path), message, code) for code, message in self.issues]


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


def profile_of(path: Path) -> str | None:
    """The profile a PDF names as the one it was built with, if any."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        with path.open("rb") as handle:
            return read_profile(first_revision_xmp(PdfFileReader(handle, strict=False)))
    except Exception:  # noqa: BLE001 - unreadable: the other checks say so
        return None


def check_signatures(path: Path, roots: list | None, require: bool = False) -> Report:
    """Every signature of the PDF at `path`, checked; `roots` None means no trust root.

    With `require`, each approver on the attestation list must have an intact, unchanged
    signature that chains to a trust root.
    """
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader

    quiet_pyhanko()
    report = Report()
    try:
        with path.open("rb") as handle:
            reader = PdfFileReader(handle, strict=False)
            approvers = read_attestation_list(first_revision_xmp(reader)) or []
            signatures = [_check(reader, s, roots, approvers)
                          for s in reader.embedded_regular_signatures]
    except (PdfError, OSError, ValueError) as exc:
        report.issues.append(("signatur", f"signaturerna kunde inte läsas ({exc})"))
        return report
    _report(report, approvers, signatures, roots is not None)
    if require:
        _require(report, approvers, signatures, roots is not None)
    return report


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
        name=approver.namn if approver else (names[0] if names else "(namnlöst certifikat)"),
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


def _when(time: dt.datetime | None) -> str:
    """A signing time as Swedish local time, 'YYYY-MM-DD HH:MM'."""
    if time is None:
        return "okänd tid"
    try:
        from zoneinfo import ZoneInfo

        local = time.astimezone(ZoneInfo("Europe/Stockholm"))
        return local.strftime("%Y-%m-%d %H:%M")
    except Exception:  # noqa: BLE001 - no time zone data: show UTC and say so
        return time.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def _line(signature: Checked) -> str:
    """`Per Lind: signerad 2024-06-01 10:14, intakt, betrodd` and the like."""
    parts = [f"signerad {_when(signature.time)}" + (" (tidsstämplad)"
                                                     if signature.timestamped else "")]
    if not signature.intact:
        return f"{signature.name}: " + ", ".join([*parts, "bruten"])
    if not signature.unchanged:
        parts.append(f"intakt men ändrad efteråt ({signature.change})")
    else:
        parts.append("intakt")
    if signature.trusted is None:
        parts.append("kedjan kunde inte kontrolleras")
    elif signature.trusted:
        parts.append("betrodd")
    else:
        parts.append(f"inte betrodd ({signature.trust_problem})")
    if signature.approver is None:
        parts.append("står inte på attesteringslistan")
    return f"{signature.name}: " + ", ".join(parts)


def _report(report: Report, approvers: list[Approver], signatures: list[Checked],
            have_roots: bool) -> None:
    for approver in approvers:
        own = [s for s in signatures if s.approver == approver]
        if not own:
            report.lines.append(f"{approver.namn}: saknar signatur")
        report.lines.extend(_line(s) for s in own)
    report.lines.extend(_line(s) for s in signatures if s.approver is None)
    for signature in signatures:
        if not signature.intact:
            report.issues.append(("signatur", f"signaturen av {signature.name} är bruten: "
                                  "de signerade byten har ändrats"))
        elif not signature.unchanged:
            report.issues.append(("ändrad_efter_signatur", f"dokumentet har ändrats efter "
                                  f"signaturen av {signature.name}: {signature.change}"))


def _require(report: Report, approvers: list[Approver], signatures: list[Checked],
             have_roots: bool) -> None:
    """--kräv-attestering: every approver has an intact, unchanged, trusted signature."""
    if not approvers:
        report.issues.append(("attestering", "PDF:en har ingen attesteringslista att kräva"))
        return
    if not have_roots:
        report.issues.append(("attestering", "ingen förtroenderot angiven (--förtroende eller "
                              "'förtroende' i profilens tema.yaml), så ingen signatur kan "
                              "godtas"))
        return
    for approver in approvers:
        own = [s for s in signatures if s.approver == approver]
        if any(s.intact and s.unchanged and s.trusted for s in own):
            continue
        why = "saknar signatur" if not own else "har ingen giltig, betrodd signatur"
        report.issues.append(("attestering", f"{approver.namn} {why}"))


@dataclass
class Policy:
    """How verify checks signatures: the trust roots given on the command line, whether
    every approver must have signed, and the project whose profiles may name more roots."""

    roots: list = field(default_factory=list)
    require: bool = False
    project: Path = field(default_factory=Path.cwd)
    _profiles: dict[str, tuple[list, list[Issue]]] = field(default_factory=dict)

    def check(self, path: Path) -> Report:
        """The signature report of one PDF, with the roots of the profile it names."""
        profile = profile_of(path)
        profile_roots, issues = self._profile_roots(profile) if profile else ([], [])
        roots = [*self.roots, *profile_roots]
        report = check_signatures(path, roots or None, self.require)
        report.issues[:0] = issues
        report.profile = profile
        return report

    def _profile_roots(self, name: str) -> tuple[list, list[Issue]]:
        if name not in self._profiles:
            self._profiles[name] = profile_trust_roots(name, self.project)
        return self._profiles[name]


def profile_trust_roots(name: str, project: Path) -> tuple[list, list[Issue]]:
    """The trust roots a profile names under `förtroende` in tema.yaml, each a file found
    along the profile's chain of folders (its own first); a profile the project does not
    have names none."""
    from ..theme import PROFILE_FILE, load_theme

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
