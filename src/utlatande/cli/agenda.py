"""`utlatande agenda`: a meeting file to its kallelse med föredragningslista."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from .swedish import Command, help_option


@click.command("agenda", cls=Command)
@click.argument("motesfil", type=click.Path(dir_okay=False, path_type=Path),
                metavar="MÖTE.yaml")
@click.option("-o", "--utmapp", type=click.Path(file_okay=False, path_type=Path),
              default=Path("build"), metavar="MAPP",
              help="Mappen som kallelsens mapp skrivs i (standard: build).")
@click.option("--offentlig", is_flag=True,
              help="Bygg den offentliga versionen: ärenden med sekretess utan text och "
                   "bilagor, och inga personnummer.")
@click.option("--depfile", type=click.Path(dir_okay=False, path_type=Path), metavar="FIL",
              help="Skriv en make-regel med filerna kallelsen byggdes av (för make agenda).")
@click.option("-q", "--tyst", is_flag=True, help="Skriv bara ut fel.")
@help_option
def command(motesfil: Path, utmapp: Path, offentlig: bool, depfile: Path | None,
            tyst: bool) -> None:
    """Bygg kallelse med föredragningslista av en mötesfil.

    Skriver MAPP/<möte>/ (med --offentlig MAPP/<möte>-offentlig/): hela kallelsen som en
    PDF med varje ärendes handlingar och bilagor, kallelsen och föredragningslistan som
    DOCX, en webbsida (index.html) och varje ärendes PDF.

    Bygger bara om det som har ändrats: varje utlåtande tas ur PDF-cachen som build
    också använder så länge det som det gjordes av är oförändrat. Varje PDF som skrivs
    kontrolleras med verify.

    Slutkod 0 när kallelsen byggdes, 1 när mötesfilen eller en svarsfil hade fel (då
    skrivs ingenting) eller när verify hittade ett fel i en skriven PDF, 2 vid felaktiga
    argument."""
    from .. import api
    from ..errors import display_path

    started = time.perf_counter()
    # Nothing changed since the last build: say so without loading anything.
    unchanged = api.agenda_unchanged(motesfil, utmapp, offentlig, depfile)
    if unchanged is not None:
        if not tyst:
            click.echo(f"{display_path(unchanged)}: oförändrad, {_seconds(started)} s")
        sys.exit(0)
    built = api.build_agenda(motesfil, utmapp, Path.cwd(), offentlig, depfile)
    for warning in built.warnings:
        click.echo(str(warning), err=True)
    for finding in built.findings:
        click.echo(str(finding), err=True)
    if not tyst:
        rendered = len(built.rendered)
        click.echo(f"{display_path(built.folder)}: {built.items} ärenden, {built.pages} sidor, "
                   f"{len(built.outputs)} filer, {rendered} "
                   f"{'utlåtande gjort' if rendered == 1 else 'utlåtanden gjorda'} på nytt, "
                   f"{_seconds(started)} s")
    sys.exit(1 if any(f.severity == "fel" for f in built.findings) else 0)


def _seconds(started: float) -> str:
    return f"{time.perf_counter() - started:.1f}".replace(".", ",")
