"""`utlatande import`: Word edits in a built DOCX come back into its answer file."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .swedish import Command, help_option


@click.command("import", cls=Command)
@click.argument("docx", type=click.Path(dir_okay=False, path_type=Path), metavar="FIL.docx")
@click.option("--svarsfil", type=click.Path(dir_okay=False, path_type=Path), default=None,
              metavar="SVARSFIL",
              help="Svarsfilen som ändringarna ska in i (standard: den som dokumentet "
                   "byggdes av).")
@click.option("-o", "--ut", type=click.Path(dir_okay=False, path_type=Path), default=None,
              metavar="SVARSFIL",
              help="Gör en ny svarsfil av ett Word-utlåtande som inte byggdes av utlatande "
                   "(skriver aldrig över en befintlig fil).")
@click.option("--mall", default=None, metavar="MALL",
              help="Mallen för den nya svarsfilen (med -o; standard: tjänsteutlåtande).")
@click.option("--profil", default=None, metavar="NAMN",
              help="Profilen för den nya svarsfilen (med -o; standard: projektets enda "
                   "profil).")
@click.option("--visa", is_flag=True,
              help="Visa ändringarna i svarsfilen som en diff, och skriv ingenting.")
@click.option("--acceptera-ändringar", "accept", is_flag=True,
              help="Ta spårade ändringar som om de vore godkända.")
@click.option("--avvisa-ändringar", "reject", is_flag=True,
              help="Ta spårade ändringar som om de vore avvisade.")
@help_option
def command(docx: Path, svarsfil: Path | None, ut: Path | None, mall: str | None,
            profil: str | None, visa: bool, accept: bool, reject: bool) -> None:
    """Hämta ändringar som har gjorts i Word (eller LibreOffice) i en byggd DOCX-fil
    tillbaka till svarsfilen.

    Varje nyckel jämförs tre vägar: svarsfilen när dokumentet byggdes, dokumentet som
    det är nu och svarsfilen som den är nu. En nyckel som har ändrats på båda hållen
    är en konflikt: då skrivs ingenting. Spårade ändringar som inte är godkända räknas
    upp, och ingenting skrivs, om inte --acceptera-ändringar eller --avvisa-ändringar
    anges. Kommentarer skrivs ut som varningar.

    Med -o blir ett gammalt Word-utlåtande en ny svarsfil: rubrikerna (Förslag till
    beslut, Sammanfattning, Beslutsunderlag …) blir svarsfilens nycklar, övriga rubriker
    avsnitt, och fälten överst (Dnr, Datum, Handläggare, Till) fylls i. Det som inte
    hittades får en TODO-kommentar.

    Slutkod 0 när svarsfilen är uppdaterad (eller redan stämde), 1 vid konflikter,
    spårade ändringar eller fel i filerna, 2 vid felaktiga argument."""
    if accept and reject:
        raise click.UsageError("välj antingen --acceptera-ändringar eller --avvisa-ändringar")
    from .. import api
    from ..errors import display_path

    if ut is not None:
        converted = api.import_statement(docx, ut, mall, profil)
        for warning in converted.warnings:
            click.echo(f"{display_path(docx)}: varning: {warning}", err=True)
        click.echo(f"Skrev {display_path(converted.target)} av {display_path(docx)}.")
        return
    if mall is not None or profil is not None:
        raise click.UsageError("--mall och --profil gäller bara med -o")

    mode = "accept" if accept else "reject" if reject else "list"
    result = api.import_docx(docx, svarsfil, mode, show=visa)
    for comment in result.comments:
        where = f" i '{comment.key}'" if comment.key else ""
        click.echo(f"{display_path(docx)}: varning: kommentar från {comment.author}{where}: "
                   f"{comment.text}", err=True)
    for warning in result.warnings:
        click.echo(f"{display_path(docx)}: varning: {warning}", err=True)
    for change in result.changes:
        where = f" i '{change.key}'" if change.key else ""
        click.echo(f"{display_path(docx)}: spårad ändring ({change.kind}) av {change.author}"
                   f"{' ' + change.date if change.date else ''}{where}: {change.text!r}",
                   err=True)
    if result.changes:
        click.echo("Spårade ändringar är inte godkända; ingenting skrevs. Godkänn eller avvisa "
                   "dem i Word, eller importera med --acceptera-ändringar eller "
                   "--avvisa-ändringar.", err=True)
    for conflict in result.conflicts:
        click.echo(conflict, err=True)
    if result.conflicts:
        click.echo(f"{len(result.conflicts)} konflikter; ingenting skrevs.", err=True)
    if visa and result.diff:
        click.echo(result.diff, nl=False)
    shown = display_path(result.answer)
    if result.written:
        click.echo(f"{shown}: {len(result.changed)} ändrade värden från {display_path(docx)}: "
                   + ", ".join(result.changed))
    elif result.ok and not result.diff:
        click.echo(f"{shown}: inga ändringar att hämta från {display_path(docx)}")
    sys.exit(0 if result.ok else 1)
