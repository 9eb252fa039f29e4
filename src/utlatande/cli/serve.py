"""`utlatande serve`, the command: arguments only. The server itself (serve.py) is imported
when the command runs, so that other commands do not pay for http.server at start-up."""

from __future__ import annotations

from pathlib import Path

import click

from .scaffold import SwedishCommand

HOST = "127.0.0.1"
DEFAULT_PORT = 8765


def _answers(paths: tuple[Path, ...]) -> list[Path]:
    """The given answer files once each, or every answers/*.yaml."""
    answers = list(paths) or sorted(Path("answers").glob("*.yaml")) \
        + sorted(Path("answers").glob("*.yml"))
    unique: dict[Path, Path] = {}
    for path in answers:
        unique.setdefault(path.resolve(), path)
    return list(unique.values())


@click.command("serve", cls=SwedishCommand)
@click.argument("svarsfiler", nargs=-1, type=click.Path(dir_okay=False, path_type=Path),
                metavar="[SVARSFIL]...")
@click.option("--port", type=click.IntRange(0, 65535), metavar="N",
              help=f"Porten på {HOST} (standard: {DEFAULT_PORT}, eller en ledig port om den "
                   "är upptagen; 0: en ledig port).")
@click.option("--open", "open_browser", is_flag=True, help="Öppna sidan i webbläsaren.")
@click.help_option("-h", "--help", help="Visa den här hjälpen och avsluta.")
def serve_command(svarsfiler: tuple[Path, ...], port: int | None, open_browser: bool) -> None:
    """Visa svarsfilernas sidor i webbläsaren medan du skriver (standard: alla
    answers/*.yaml).

    Sidorna är PDF:ens egna sidor. De ritas om av sig själva när svarsfilen, mallarna,
    profilen eller en bilaga sparas. Har svarsfilen fel visas felen med rad och kolumn
    över de senaste sidorna som gick att rita. Servern lyssnar bara på 127.0.0.1 och
    stoppas med Ctrl-C."""
    answers = _answers(svarsfiler)
    if not answers:
        raise click.UsageError("inga svarsfiler hittades (answers/*.yaml)")
    from .serve import serve

    serve(answers, Path.cwd(), port, open_browser)
