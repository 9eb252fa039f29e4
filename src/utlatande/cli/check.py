"""`utlatande check`: every problem of the answer files, with line and column, nothing built."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .swedish import Command, Option, help_option


@click.command("check", cls=Command)
@click.argument("svarsfiler", nargs=-1, type=click.Path(path_type=Path), metavar="[SVARSFIL]...")
@click.option("--strikt", "strict", is_flag=True, cls=Option, aliases=("--strict",),
              help="Behandla varningar som fel.")
@help_option
def command(svarsfiler: tuple[Path, ...], strict: bool) -> None:
    """Kontrollera svarsfiler utan att bygga dem; skriv ut varje problem med rad och kolumn."""
    from .. import api

    answers = api.answer_files(svarsfiler)
    if not answers:
        raise click.UsageError("inga svarsfiler hittades (answers/*.yaml)")
    failed = 0
    for result in api.check(answers, Path.cwd()):
        for problem in result.problems:
            click.echo(str(problem), err=True)
        errors = [p for p in result.problems if p.is_error or strict]
        if errors or not result.ok:
            failed += 1
    sys.exit(1 if failed else 0)
