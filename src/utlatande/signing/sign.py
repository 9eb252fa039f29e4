"""Sign a statement's PDF as one of its approvers: PAdES B-B, or B-T with a time-stamp.

The signer's name comes from the certificate and must be an approver on the PDF's
attestation list whose field is still empty. The signature is an incremental update, so
earlier signatures stay intact, and the file is replaced atomically: a refused, failed or
interrupted signing leaves the file as it was.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path

from ..attestation import (
    Approver,
    approver_for,
    attestation_list,
    certificate_names,
    quiet_pyhanko,
    signed_fields,
)
from ..errors import UserError
from ..write import write_atomic


class AttestError(UserError):
    """The statement cannot be signed; the message says why, in Swedish."""


@dataclass
class Signed:
    """What signing did: whose field was signed, and any warnings."""

    approver: Approver
    warnings: list[str] = field(default_factory=list)


def attest(path: Path, signer, shown: str, timestamp_url: str | None = None,
           today: dt.date | None = None) -> Signed:
    """Sign the PDF at `path` with `signer` as the approver its certificate names.

    `shown` is the file name as the user gave it, for messages.
    """
    from pyhanko.pdf_utils.misc import PdfError

    quiet_pyhanko()
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise AttestError(f"{shown}: filen kan inte läsas ({exc.strerror})") from None
    try:
        signed, approver = _sign(data, signer, shown, timestamp_url)
    except PdfError as exc:
        raise AttestError(f"{shown}: filen är ingen läsbar PDF ({exc})") from None
    result = Signed(approver)
    today = today or dt.date.today()
    if approver.datum and today < approver.datum:
        result.warnings.append(
            f"{shown}: varning: {approver.namn} signerar {today.isoformat()}, före "
            f"godkännandedagen {approver.datum.isoformat()} i attesteringslistan")
    write_atomic(path, signed)
    return result


def _sign(data: bytes, signer, shown: str, timestamp_url: str | None) -> tuple[bytes, Approver]:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign import fields, signers

    # The list is read with a reader of its own: a writer whose /Metadata was first read as
    # a plain stream would replace the whole XMP packet, PDF/A identification and all.
    approver = _approver(PdfFileReader(io.BytesIO(data), strict=False), signer, shown)
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    _keep_producer_consistent(writer)
    meta = signers.PdfSignatureMetadata(
        field_name=approver.fält, subfilter=fields.SigSeedSubFilter.PADES,
        name=approver.namn, reason="Godkänt (attesterat)",
        # The time-stamp token itself is enough for B-T; the chain is checked by `verify`.
        use_pades_lta=False, embed_validation_info=False)
    timestamper = _timestamper(timestamp_url) if timestamp_url else None
    try:
        output = signers.PdfSigner(meta, signer, timestamper=timestamper).sign_pdf(writer)
    except Exception as exc:
        if timestamp_url and _is_timestamp_error(exc):
            raise AttestError(f"{shown}: tidsstämpeln kunde inte hämtas från {timestamp_url} "
                              f"({exc}); filen är oförändrad") from None
        raise
    signed = output.getvalue()
    if _pdfa_identification(signed) != _pdfa_identification(data):
        raise AttestError(f"{shown}: signeringen skulle ta bort PDF/A-identifieringen ur "
                          "XMP-metadatan; filen är oförändrad")
    return signed, approver


def _pdfa_identification(pdf: bytes) -> tuple[str | None, str | None]:
    """pdfaid:part and pdfaid:conformance of a PDF's XMP metadata."""
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as document:
        metadata = document.open_metadata()
        return metadata.get("pdfaid:part"), metadata.get("pdfaid:conformance")


def _approver(reader, signer, shown: str) -> Approver:
    """The approver the signer's certificate names, who has not yet signed; else refuse."""
    approvers = attestation_list(reader)
    if not approvers:
        raise AttestError(f"{shown}: PDF:en har ingen attesteringslista; bygg om den med "
                          "'utlatande build' från en svarsfil med 'attestering'")
    names = certificate_names(signer.signing_cert)
    approver = approver_for(names, approvers)
    listed = ", ".join(a.namn for a in approvers)
    if approver is None:
        shown_name = names[0] if names else "(namnlöst certifikat)"
        raise AttestError(f"{shown}: certifikatet är utfärdat till {shown_name}, som inte står "
                          f"på attesteringslistan ({listed}); filen är oförändrad")
    if approver.fält in signed_fields(reader):
        raise AttestError(f"{shown}: {approver.namn} har redan signerat dokumentet; filen är "
                          "oförändrad")
    return approver


def _keep_producer_consistent(writer) -> None:
    """Info /Producer as pyHanko writes into the XMP, so that PDF/A's two agree.

    pyHanko sets XMP pdf:Producer to its own name but appends that name to Info /Producer;
    PDF/A wants both to say the same (ISO 19005-2, 6.6.2.3).
    """
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.metadata.model import VENDOR

    try:
        info = writer.trailer["/Info"]
    except KeyError:
        return
    updated = generic.DictionaryObject(info)
    updated["/Producer"] = generic.TextStringObject(VENDOR)
    writer.set_info(updated)


def _timestamper(url: str):
    from pyhanko.sign.timestamps import HTTPTimeStamper

    return HTTPTimeStamper(url, timeout=30)


def _is_timestamp_error(exc: BaseException) -> bool:
    from pyhanko.sign.timestamps import TimestampRequestError

    while exc is not None:
        if isinstance(exc, (TimestampRequestError, OSError)) \
                or type(exc).__module__.startswith("aiohttp"):
            return True
        exc = exc.__cause__ or exc.__context__
    return False
