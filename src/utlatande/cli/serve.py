"""`utlatande serve`: the preview in the browser. The server (preview/server.py) is imported
when the command runs, so that other commands do not pay for http.server at start-up."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..preview import DEFAULT_PORT, HOST
from .swedish import Command, Option, help_option


def no_browser(address: str) -> None:
    """--öppna found no browser (a server, an ssh session): say where the page is."""
    click.echo(f"Ingen webbläsare hittades; öppna {address} i en webbläsare.", err=True)


@click.command("serve", cls=Command)
@click.argument("svarsfiler", nargs=-1, type=click.Path(dir_okay=False, path_type=Path),
                metavar="[SVARSFIL]...")
@click.option("--port", type=click.IntRange(0, 65535), metavar="N",
              help=f"Porten på {HOST} (standard: {DEFAULT_PORT}, eller en ledig port om den "
                   "är upptagen; 0: en ledig port).")
@click.option("--öppna", "open_browser", is_flag=True, cls=Option, aliases=("--open",),
              help="Öppna adressen, med nyckeln, i webbläsaren.")
@help_option
def command(svarsfiler: tuple[Path, ...], port: int | None, open_browser: bool) -> None:
    """Visa svarsfilernas sidor i webbläsaren medan du skriver (standard: alla
    answers/*.yaml).

    Sidorna är PDF:ens egna sidor. De ritas om av sig själva när svarsfilen, mallarna,
    profilen eller en bilaga sparas. Har svarsfilen fel visas felen med rad och kolumn
    över de senaste sidorna som gick att rita. Servern lyssnar bara på 127.0.0.1 och
    stoppas med Ctrl-C. Den visar sidorna bara på adressen den skriver ut,
    http://127.0.0.1:PORT/NYCKEL/, där nyckeln är ny för varje körning; utan den
    svarar servern inte."""
    from .. import api

    if not api.answer_files(svarsfiler):
        raise click.UsageError("inga svarsfiler hittades (answers/*.yaml)")
    from ..preview.server import announcement, run

    server = api.preview(svarsfiler, port, Path.cwd(), lambda line: click.echo(line, err=True))
    click.echo(announcement(server, len(server.preview.previews)))
    sys.stdout.flush()
    run(server, open_browser, no_browser)
    click.echo("Förhandsgranskningen är stoppad.")
