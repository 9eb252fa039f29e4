"""`utlatande verify`: are the PDF and DOCX files archivable and accessible?"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .swedish import Command, help_option


def report_files(paths: list[Path], quiet: bool = False) -> int:
    """Verify each file, print what fails (stderr), what passes and a summary; the failures."""
    from .. import api
    from ..errors import display_path

    failed = 0
    for path, findings in api.verify(paths).items():
        for finding in findings:
            click.echo(str(finding), err=True)
        if findings:
            failed += 1
        elif not quiet:
            click.echo(f"{display_path(path)}: godkänd")
    if failed or not quiet:
        click.echo(f"kontroll: {len(paths) - failed} godkända, {failed} med fel",
                   err=bool(failed))
    return failed


@click.command("verify", cls=Command)
@click.argument("filer", nargs=-1, type=click.Path(path_type=Path), metavar="[FIL]...")
@click.option("-q", "--tyst", is_flag=True, help="Skriv bara ut fel.")
@help_option
def command(filer: tuple[Path, ...], tyst: bool) -> None:
    """Kontrollera att PDF- och DOCX-filer går att arkivera och är tillgängliga
    (standard: alla filer i build/ och dess undermappar).

    PDF: PDF/A-identifiering och utdataavsikt, inbäddade typsnitt, ingen kryptering,
    inget JavaScript, inga formulär eller länkar som skickar data eller öppnar filer eller
    program, taggträd, språket sv-SE, titel som
    fönstertitel, rubriker, alternativtext på bilder och rubrikceller i tabeller. DOCX:
    titel, språk, rubrikformat, rubrikrader i tabeller, alternativtext och inga textrutor.

    Slutkod 0 när alla filer klarar kontrollen, 1 när någon inte gör det."""
    from ..verify import DEFAULT_FOLDER, default_files

    paths = list(filer) or default_files()
    if not paths:
        raise click.UsageError(f"inga filer att kontrollera (*.pdf och *.docx i "
                               f"{DEFAULT_FOLDER}/)")
    sys.exit(1 if report_files(paths, quiet=tyst) else 0)
