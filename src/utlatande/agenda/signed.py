"""Statements the approvers have signed (`utlatande attestera`): where the agenda finds
them and what it makes of them.

A signed statement is the statement's PDF as the agenda makes it, byte for byte, with the
signatures appended as incremental updates. The agenda looks for one in the item's own
PDF in its folder (signed where the agenda put it), in the full version's folder (for the
public version) and in the PDF `build` wrote (`<utmapp>/<svarsfil>.pdf`). A file there
counts when its first revision is the statement (pades.appended_to) and each of its
signatures is intact, with nothing but later signatures after it, and chains to the
profile's trust roots where the profile names any. Then the item's own PDF is that file,
the packet carries it unchanged as an associated file, and the list says who signed: the
names the signatures' certificates give, as the attestation list spells them.

The public version never carries a signed file with files of its own inside (a PDF/A-3
statement carries its answer file) or with a personnummer in it (a certificate may).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from ..errors import WARNING, Problem, display_path
from ..pades import Checked, has_signatures, profile_trust_roots, signed_copy
from .meeting import PUBLIC_SUFFIX, Agenda

CODE = "kallelse.signerad"


@dataclass(frozen=True)
class SignedStatement:
    """A statement's signed PDF: where it is, and who signed it, in signing order."""

    path: Path
    names: tuple[str, ...]
    signed: dt.datetime | None  # when it was signed last


def candidates(agenda: Agenda, answer: Path, filename: str | None, folder: Path,
               out_root: Path) -> list[Path]:
    """Where a signed copy of an answer's statement may be, the agenda's own folder first."""
    places = [folder / filename] if filename else []
    if agenda.offentlig and filename:
        places.append(out_root / folder.name.removesuffix(PUBLIC_SUFFIX) / filename)
    places.append(out_root / f"{answer.stem}.pdf")
    return places


def find_signed(agenda: Agenda, answer: Path, statement: Path, places: list[Path],
                project: Path) -> tuple[SignedStatement | None, list[Problem]]:
    """The signed copy of `statement` among `places` with the most valid signatures (the
    first of them on a tie), and warnings for signed files that cannot count."""
    original = statement.read_bytes()
    roots: list | None = None
    best: SignedStatement | None = None
    warnings: list[Problem] = []
    for place in dict.fromkeys(places):
        try:
            data = place.read_bytes()
        except OSError:
            continue
        if data == original:
            continue
        if roots is None:
            roots = _roots(agenda, answer, project)
        checked = signed_copy(data, original, roots or None)
        if checked is None:
            if not has_signatures(data):
                continue
            carried = _carries(place, data) if agenda.offentlig else None
            warnings.append(_warning(place, (
                f"är signerad men innehåller {carried}; den offentliga kallelsen tar inte med "
                "den signerade filen") if carried else (
                "är signerad men är inte det utlåtande som kallelsen tar med (svarsfilen, "
                "bilagorna eller profilen har ändrats sedan den byggdes); signaturerna "
                "följer inte med")))
            continue
        invalid = _invalid(checked)
        if invalid:
            warnings.append(_warning(place, f"{invalid}; den signerade filen tas inte med"))
            continue
        if agenda.offentlig:
            carried = _carries(place, data)
            if carried:
                warnings.append(_warning(place, f"innehåller {carried}; den offentliga "
                                         "kallelsen tar inte med den signerade filen"))
                continue
        found = SignedStatement(place, tuple(c.name for c in checked),
                                max((c.time for c in checked if c.time), default=None))
        if best is None or len(found.names) > len(best.names):
            best = found
    return best, warnings


def _roots(agenda: Agenda, answer: Path, project: Path) -> list:
    """The trust roots of the answer's profile ([] when it names none)."""
    item = next(i for i in agenda.items if i.checked is not None and i.checked.path == answer)
    theme = item.checked.theme if item.checked is not None else None
    return profile_trust_roots(theme.name, project)[0] if theme is not None else []


def _invalid(checked: list[Checked]) -> str | None:
    """Why the signatures of a signed copy cannot count, if they cannot."""
    if not checked:
        return "signaturerna kunde inte läsas"
    for signature in checked:
        if not signature.intact:
            return f"signaturen av {signature.name} är bruten"
        if not signature.unchanged:
            return f"filen har ändrats efter signaturen av {signature.name} ({signature.change})"
        if signature.trusted is False:
            return (f"signaturen av {signature.name} går inte att följa till profilens "
                    f"förtroenderötter ({signature.trust_problem})")
    return None


def _carries(place: Path, data: bytes) -> str | None:
    """What a signed file carries that a public agenda never publishes."""
    import io

    import pikepdf

    from ..personnummer import find_personnummer
    from .public import printed_texts

    with pikepdf.open(io.BytesIO(data)) as pdf:
        if len(pdf.attachments) or "/AF" in pdf.Root:
            return "bifogade filer (till exempel svarsfilen)"
    for _, text in printed_texts(place.name, data):
        if find_personnummer(text):
            return "ett personnummer"
    return None


def _warning(place: Path, message: str) -> Problem:
    return Problem(display_path(place), 1, 1, message, CODE, WARNING)
