"""`utlatande new-profile`: a new municipality's profile folder, its logo and Word template."""

from __future__ import annotations

from pathlib import Path

import click

from .swedish import Command, help_option


@click.command("new-profile", cls=Command)
@click.argument("namn")
@click.option("--från-word", "word", type=click.Path(dir_okay=False, path_type=Path),
              metavar="FIL.docx", help="Kommunens Word-mall (.docx eller .dotx); kopieras till "
              "profilen som word-mall.docx.")
@click.option("--logga", "logo", type=click.Path(dir_okay=False, path_type=Path),
              metavar="FIL.svg", help="Kommunens logotyp (SVG, PNG eller JPEG); kopieras till "
              "profilen som logga.svg.")
@click.option("--visningsnamn", "display_name", metavar="ORGANISATION",
              help="Organisationens namn i dokumenten (standard: NAMN med stor bokstav).")
@help_option
def command(namn: str, word: Path | None, logo: Path | None, display_name: str | None) -> None:
    """Skapa en ny profil templates/NAMN/ med tema.yaml och _brand.yml.

    Med --logga och --från-word kopieras kommunens logotyp och Word-mall in. Profilen går
    att bygga med en gång: skriv `profil: NAMN` i en svarsfil."""
    from .. import api
    from ..errors import display_path

    for path in api.new_profile(namn, Path.cwd(), word=word, logo=logo,
                                display_name=display_name):
        click.echo(f"skrev {display_path(path)}")
