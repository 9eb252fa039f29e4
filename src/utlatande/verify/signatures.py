"""`utlatande verify` on a PDF's signatures: who signed, when, whether the signed bytes are
intact, whether anything but later signatures changed after each one (pyHanko's difference
analysis), whether the certificate chains to a trusted root, and whether the signer is on
the attestation list the PDF was built with.

Without a trust root no signature is called valid: its chain "kunde inte kontrolleras".
The checking itself is pades.py's (the agenda checks signed statements with it too);
here is what verify makes of it: a line per approver, failures, the trust policy. The
signed PDFs attached to a PDF (the agenda's packet carries its signed statements so) are
checked as well, each line under the attachment's name.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from ..attestation import Approver, first_revision_xmp, read_profile
from ..errors import display_path
from ..pades import (
    Checked,
    TrustRootError,
    has_signatures,
    load_trust_roots,
    profile_trust_roots,
    read_signatures,
)
from .findings import Finding, Issue

__all__ = ["Checked", "Policy", "Report", "TrustRootError", "check_signatures",
           "load_trust_roots", "profile_of", "profile_trust_roots"]


@dataclass
class Report:
    """What verify says about one PDF's signatures: a line per approver, and its failures."""

    lines: list[str] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    profile: str | None = None

    def findings(self, path: Path) -> list[Finding]:
        """The failures as verify's findings, naming the file."""
        return [Finding(display_path(path), message, code) for code, message in self.issues]


def _opened(source: Path | bytes) -> BinaryIO:
    """A PDF to read: a file, or the bytes of one (a file attached to another)."""
    return io.BytesIO(source) if isinstance(source, bytes) else source.open("rb")


def profile_of(source: Path | bytes) -> str | None:
    """The profile a PDF names as the one it was built with, if any."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        with _opened(source) as handle:
            return read_profile(first_revision_xmp(PdfFileReader(handle, strict=False)))
    except Exception:  # noqa: BLE001 - unreadable: the other checks say so
        return None


def attached_signed(path: Path) -> list[tuple[str, bytes]]:
    """(name, bytes) of each signed PDF attached to a PDF, as the agenda's packet carries
    its signed statements."""
    import pikepdf

    found = []
    try:
        with pikepdf.open(path) as pdf:
            for name, spec in pdf.attachments.items():
                if "/EF" not in spec.obj:
                    continue
                data = spec.get_file().read_bytes()
                if data.startswith(b"%PDF-") and has_signatures(data):
                    found.append((name, data))
    except (pikepdf.PdfError, OSError, ValueError):
        return []  # an unreadable file: the other checks say so
    return found


def check_signatures(source: Path | bytes, roots: list | None,
                     require: bool = False) -> Report:
    """Every signature of a PDF (a file, or its bytes), checked; `roots` None means no
    trust root.

    With `require`, each approver on the attestation list must have an intact, unchanged
    signature that chains to a trust root.
    """
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader

    report = Report()
    try:
        with _opened(source) as handle:
            approvers, signatures = read_signatures(PdfFileReader(handle, strict=False), roots)
    except (PdfError, OSError, ValueError) as exc:
        report.issues.append(("signatur", f"signaturerna kunde inte läsas ({exc})"))
        return report
    _report(report, approvers, signatures, roots is not None)
    if require:
        _require(report, approvers, signatures, roots is not None)
    return report


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
        """The signature report of one PDF, with the roots of the profile it names; and of
        each signed PDF attached to it, line by line under its name."""
        report = self._check(path, self.require)
        for name, data in attached_signed(path):
            inner = self._check(data, False)
            report.lines.extend(f"bifogad {name}: {line}" for line in inner.lines)
            report.issues.extend((code, f"bifogad {name}: {message}")
                                 for code, message in inner.issues)
        return report

    def _check(self, source: Path | bytes, require: bool) -> Report:
        profile = profile_of(source)
        profile_roots, issues = self._profile_roots(profile) if profile else ([], [])
        roots = [*self.roots, *profile_roots]
        report = check_signatures(source, roots or None, require)
        report.issues[:0] = issues
        report.profile = profile
        return report

    def _profile_roots(self, name: str) -> tuple[list, list[Issue]]:
        if name not in self._profiles:
            self._profiles[name] = profile_trust_roots(name, self.project)
        return self._profiles[name]
