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
from dataclasses import dataclass, field
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


@dataclass
class Found:
    """What the agenda found for one statement: the signed copy it carries, the file that
    is the item's own PDF (None: the statement as made now), and warnings."""

    signed: SignedStatement | None = None
    item_pdf: Path | None = None
    warnings: list[Problem] = field(default_factory=list)


def find_signed(agenda: Agenda, answer: Path, statement: Path, places: list[Path],
                project: Path, own: Path | None = None) -> Found:
    """The signed copy of `statement` among `places` with the most valid signatures (the
    first of them on a tie), and warnings for signed files that cannot count.

    `own` is the item's own PDF in the agenda's folder. It is replaced by what the agenda
    writes there, except a signed file whose first revision is the statement and that the
    agenda cannot carry (a broken signature, an untrusted one): that stays as it is.
    """
    original = statement.read_bytes()
    roots: list | None = None
    result = Found()
    copies: list[tuple[SignedStatement, bytes]] = []
    rejected: list[tuple[Path, str, bool]] = []  # (file, why, may stay as the item's PDF)
    for place in dict.fromkeys(places):
        try:
            data = place.read_bytes()
        except OSError:
            continue
        if data == original or not has_signatures(data):
            continue  # the statement itself, an older build's file, or someone's edit
        if roots is None:  # read where a file is signed: most agendas have none
            roots = _roots(agenda, answer, project)
        signed, why, keep = _judge(agenda, place, data, original, roots or None)
        if signed is not None:
            copies.append((signed, data))
        elif why is not None:
            rejected.append((place, why, keep))
    if copies:
        best, kept = max(copies, key=lambda entry: len(entry[0].names))  # first on a tie
        result.signed, result.item_pdf = best, best.path
        for other, data in copies:
            # A copy the chosen one grew out of loses nothing; a copy signed beside it does.
            if other is not best and not kept.startswith(data):
                rejected.append((other.path, (
                    f"är också signerad (av {', '.join(other.names)}), men det är "
                    f"{display_path(best.path)} som tas med, och dessa signaturer följer "
                    "inte med; signera en och samma fil efter varandra"), False))
    for place, why, keep in rejected:
        if place == own and result.item_pdf is None and keep:
            result.item_pdf = own
            why += "; filen står kvar som ärendets PDF"
        elif place == own:
            why += "; filen ersätts med " + (
                display_path(result.item_pdf) if result.item_pdf else "utlåtandet")
        result.warnings.append(_warning(place, why))
    return result


def _judge(agenda: Agenda, place: Path, data: bytes, original: bytes,
           roots: list | None) -> tuple[SignedStatement | None, str | None, bool]:
    """A file that differs from the statement: its signed statement if it counts as one,
    else why not (None when it is no signed file at all); and whether its first revision
    is the statement, so that it may stay as the item's own PDF."""
    checked = signed_copy(data, original, roots)
    carried = _carries(place, data) if agenda.offentlig and has_signatures(data) else None
    if checked is None:
        if not has_signatures(data):
            return None, None, False  # an older build's file, or someone's edit: replaced
        if carried:
            return None, (f"är signerad men innehåller {carried}; den offentliga kallelsen "
                          "tar inte med den signerade filen"), False
        return None, ("är signerad men är inte det utlåtande som kallelsen tar med "
                      "(svarsfilen, bilagorna eller profilen har ändrats sedan den "
                      "byggdes); signaturerna följer inte med"), False
    if carried:
        return None, (f"innehåller {carried}; den offentliga kallelsen tar inte med den "
                      "signerade filen"), False
    invalid = _invalid(checked)
    if invalid:
        return None, f"{invalid}; den signerade filen tas inte med i paketet", True
    return SignedStatement(place, tuple(c.name for c in checked),
                           max((c.time for c in checked if c.time), default=None)), None, True


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
