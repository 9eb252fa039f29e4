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

from collections.abc import Callable
from pathlib import Path

from ..errors import display_path
from ..load import require_regular, unreadable
from .docx import verify_docx
from .findings import Finding, Issue
from .pdf import verify_pdf

DEFAULT_FOLDER = Path("build")
# An OLE compound file: an encrypted Office document (or an old .doc), not a zip.
OLE = bytes.fromhex("d0cf11e0a1b11ae1")



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
    shown = display_path(path)
    try:
        require_regular(path)  # a FIFO is never opened: open() would wait forever
    except OSError as exc:
        message, kind = unreadable(exc)
        return [Finding(shown, message, kind)]
    kind = kind_of(path)
    if kind is None:
        return [Finding(shown, "filen är varken PDF eller DOCX", "okänd_typ")]
    if kind == "ole":
        return [Finding(shown, "filen är en krypterad DOCX eller en gammal Word-fil (.doc); "
                        "en arkiverbar DOCX är okrypterad", "kryptering")]
    checks: dict[str, Callable[[Path], list[Issue]]] = {"pdf": verify_pdf, "docx": verify_docx}
    return [Finding(shown, message, code) for code, message in checks[kind](path)]


class Outputs:
    """The PDF and DOCX files of a build (`build --kontrollera`): those written and those that
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


def default_files() -> list[Path]:
    """What `verify` checks without arguments: every PDF and DOCX under build/, in its
    subfolders too (the agendas'), hidden ones (build/.agenda/, temporary files) left out."""
    def visible(path: Path) -> bool:
        return not any(part.startswith(".") for part in path.relative_to(DEFAULT_FOLDER).parts)

    return [path for pattern in ("*.pdf", "*.docx")
            for path in sorted(DEFAULT_FOLDER.rglob(pattern)) if visible(path)]
