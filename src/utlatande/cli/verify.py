"""`utlatande verify`: are the PDF and DOCX files archivable and accessible?"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .swedish import Command, help_option


def report_files(paths: list[Path], quiet: bool = False, trust: tuple[Path, ...] = (),
                 require: bool = False) -> int:
    """Verify each file, print what fails (stderr), what passes and a summary; the failures.

    Each PDF's signatures are checked too (against the roots in `trust` and its profile's),
    and each approver's line is printed.
    """
    from .. import api
    from ..errors import display_path

    signatures = api.verify_signatures(paths, trust, require)
    failed = 0
    for path, findings in api.verify(paths).items():
        if path in signatures:
            findings = [*findings, *signatures[path].findings(path)]
            for line in signatures[path].lines:
                click.echo(f"{display_path(path)}: {line}")
        for finding in findings:
            click.echo(str(finding), err=True)
        if any(f.severity == "fel" for f in findings):
            failed += 1
        elif not quiet:
            click.echo(f"{display_path(path)}: godkänd")
    if failed or not quiet:
        click.echo(f"kontroll: {len(paths) - failed} godkända, {failed} med fel",
                   err=bool(failed))
    return failed


@click.command("verify", cls=Command)
@click.argument("filer", nargs=-1, type=click.Path(path_type=Path), metavar="[FIL]...")
@click.option("--förtroende", "trust", multiple=True, metavar="CA.pem",
              type=click.Path(dir_okay=False, path_type=Path),
              help="Ett rotcertifikat (PEM eller DER) som signaturerna ska kedja till; kan "
                   "anges flera gånger. Profilens rötter ('förtroende' i tema.yaml) gäller "
                   "också.")
@click.option("--kräv-attestering", "require", is_flag=True,
              help="Varje attestant på PDF:ens attesteringslista måste ha en intakt, "
                   "betrodd signatur.")
@click.option("-q", "--tyst", is_flag=True, help="Skriv bara ut fel.")
@help_option
def command(filer: tuple[Path, ...], tyst: bool, trust: tuple[Path, ...],
            require: bool) -> None:
    """Kontrollera att PDF- och DOCX-filer går att arkivera och är tillgängliga
    (standard: alla filer i build/ och dess undermappar).

    PDF: PDF/A-identifiering och utdataavsikt, inbäddade typsnitt, ingen kryptering,
    inget JavaScript, inga formulär eller länkar som skickar data eller öppnar filer eller
    program, taggträd, språket sv-SE, titel som
    fönstertitel, rubriker, alternativtext på bilder och rubrikceller i tabeller. DOCX:
    titel, språk, rubrikformat, rubrikrader i tabeller, alternativtext och inga textrutor.

    Signaturer i en PDF: vem som signerade och när, att de signerade byten är intakta,
    att inget annat än senare signaturer har ändrats efteråt, att certifikatet kedjar
    till en betrodd rot och att namnet står på attesteringslistan. Utan förtroenderot
    kan kedjan inte kontrolleras, och ingen signatur räknas då som giltig. Signerade
    PDF:er som är bifogade i en PDF (kallelsens signerade utlåtanden) prövas också.

    Slutkod 0 när alla filer klarar kontrollen, 1 när någon inte gör det."""
    from ..verify import DEFAULT_FOLDER, default_files
    from ..verify.signatures import TrustRootError

    paths = list(filer) or default_files()
    if not paths:
        raise click.UsageError(f"inga filer att kontrollera (*.pdf och *.docx i "
                               f"{DEFAULT_FOLDER}/)")
    try:
        failed = report_files(paths, tyst, trust, require)
    except TrustRootError as error:
        raise click.UsageError(f"--förtroende: {error}") from None
    sys.exit(1 if failed else 0)
