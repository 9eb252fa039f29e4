"""`utlatande new`: a new answer file for a mall, with a comment over every key."""

from __future__ import annotations

from pathlib import Path

import click

from .swedish import Command, help_option


@click.command("new", cls=Command)
@click.argument("mall", metavar="MALL")
@click.argument("fil", required=False, type=click.Path(dir_okay=False, path_type=Path),
                metavar="[FIL]")
@click.option("-p", "--profil", metavar="NAMN",
              help="Profilen vars standardvärden och adress filen får (standard: projektets "
                   "enda profil i templates/, annars den neutrala).")
@help_option
def command(mall: str, fil: Path | None, profil: str | None) -> None:
    """Påbörja en ny svarsfil för MALL: tjänsteutlåtande, tjänsteskrivelse, frågesvar
    eller rapport (standard för FIL: answers/<datum>-<mall>.yaml).

    Filen får alla nycklar mallen använder, var och en med en kommentar om vad som ska
    stå där, dagens datum, schemaraden för redigerare och profilens standardvärden. Den
    går att bygga som den är, och check visar var förlagans texter står kvar. En
    befintlig fil skrivs aldrig över."""
    from .. import api
    from ..errors import display_path

    created = api.new_answer(mall, fil, profil, Path.cwd())
    shown = display_path(created.path)
    click.echo(f"Skrev {shown} ({mall}, profil {created.profil or 'neutral'}).")
    if created.schema is not None:
        click.echo(f"Skrev {display_path(created.schema)} (svarsformatets schema för "
                   "redigerare).")
    click.echo(f"Se sidorna medan du skriver: {created.command} serve {shown} --öppna")
