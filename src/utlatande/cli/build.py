"""`utlatande build`: answer files to PDF, DOCX (and HTML), only what changed, on every core."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..write import DEFAULT_FORMATS, FORMATS
from .swedish import Command, Option, help_option, hint


def _formats(value: str) -> tuple[str, ...]:
    formats = tuple(dict.fromkeys(f.strip().lower() for f in value.split(",") if f.strip()))
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise click.BadParameter(f"okänt format {', '.join(unknown) or '(tomt)'}; välj bland "
                                 + ", ".join(FORMATS), param_hint="'-f'")
    return formats


@click.command("build", cls=Command)
@click.argument("svarsfiler", nargs=-1, type=click.Path(path_type=Path), metavar="[SVARSFIL]...")
@click.option("-o", "--utmapp", type=click.Path(file_okay=False, path_type=Path),
              default=Path("build"), metavar="MAPP",
              help="Mappen som filerna skrivs till (standard: build).")
@click.option("-f", "--format", "format_", default=",".join(DEFAULT_FORMATS), metavar="FORMAT",
              help="Kommaseparerade format: pdf, docx, html (standard: pdf,docx).")
@click.option("-j", "--jobb", "jobs", type=click.IntRange(min=1), default=None, metavar="N",
              help="Antal processer som gör PDF:er (standard: antalet kärnor); DOCX "
                   "görs samtidigt i huvudprocessen. -j 1 bygger allt i en process.")
@click.option("--allt", "force", is_flag=True, cls=Option, aliases=("--force",),
              help="Bygg allt, även det som inte har ändrats.")
@click.option("--tvinga", is_flag=True,
              help="Skriv över DOCX- och PDF-filer som har ändrats efter bygget (i Word, "
                   "till exempel); deras ändringar går förlorade. En signerad PDF sparas "
                   "först som x.signerad.pdf.")
@click.option("--del", "shard_", default=None, metavar="K/N", cls=Option, aliases=("--shard",),
              help="Bygg bara den K:te av N delar av svarsfilerna (för CI-matriser).")
@click.option("--pdf-variant", "pdf_variant", default=None, metavar="VARIANT",
              help="PDF-standard, till exempel pdf/a-3a (standard: profilens pdf_variant, "
                   "pdf/a-2a).")
@click.option("--kontrollera", "verify_", is_flag=True, cls=Option, aliases=("--verify",),
              help="Kontrollera varje PDF och DOCX efter bygget, som utlatande verify.")
@click.option("-q", "--tyst", is_flag=True, help="Skriv bara ut fel.")
@help_option
def command(svarsfiler: tuple[Path, ...], utmapp: Path, format_: str, jobs: int | None,
          force: bool, tvinga: bool, shard_: str | None, pdf_variant: str | None,
          verify_: bool, tyst: bool) -> None:
    """Bygg svarsfiler till PDF och DOCX (standard: alla answers/*.yaml till build/).

    Bara det som har ändrats sedan förra bygget byggs om: svarsfilen, mallar, CSS,
    typsnitt, profil, bilagor eller utlatande självt. En DOCX-fil som har ändrats efter
    bygget skrivs aldrig över (och dess PDF byggs inte om) utan --tvinga; hämta
    ändringarna med utlatande import. En signerad PDF (utlatande attestera) lämnas
    som den är, även med --allt, och skrivs inte över utan --tvinga när svarsfilen
    har ändrats.

    Slutkod 0 när allt byggdes, 1 när någon svarsfil hade fel (de andra byggs ändå),
    2 vid felaktiga argument."""
    from .. import api
    from ..batch import shard

    formats = _formats(format_)
    answers = api.answer_files(svarsfiler)
    if not answers:
        raise click.UsageError("inga svarsfiler hittades (answers/*.yaml)")
    if shard_:
        answers = shard(answers, *_shard(shard_))
    if pdf_variant is not None:
        pdf_variant = _pdf_variant(pdf_variant, formats)
    progress = _Progress(quiet=tyst)
    from ..verify import Outputs
    from .verify import report_files

    outputs = Outputs(utmapp, formats, progress.done)
    summary = api.build_many(answers, utmapp, formats, Path.cwd(), jobs=jobs, force=force,
                             report=outputs.done, skipped=outputs.skipped,
                             pdf_variant=pdf_variant, overwrite_edited=tvinga)
    progress.finish()
    from ..batch.edited import message, pdf_message
    from ..errors import display_path

    for docx in summary.edited:
        click.echo(message(docx, display_path(docx)), err=True)
    for pdf in summary.pdfs:
        click.echo(pdf_message(pdf), err=True)
    if not tyst or summary.failed:
        seconds = f"{summary.seconds:.1f}".replace(".", ",")
        click.echo(f"{summary.built} byggda, {summary.unchanged} oförändrade, "
                   f"{summary.failed} med fel, {seconds} s", err=bool(summary.failed))
    failed_checks = report_files(outputs.paths, quiet=tyst) if verify_ else 0
    sys.exit(1 if summary.failed or failed_checks else 0)


def _pdf_variant(value: str, formats: tuple[str, ...]) -> str:
    """The variant as WeasyPrint names it; one it does not write is an argument error."""
    if "pdf" not in formats:
        raise click.BadParameter("gäller bara PDF; lägg till pdf i -f",
                                 param_hint="'--pdf-variant'")
    from .. import api

    try:
        return api.pdf_variant(value)  # WeasyPrint: the build imports it anyway
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="'--pdf-variant'") from None


def _shard(value: str) -> tuple[int, int]:
    try:
        index, count = (int(part) for part in value.split("/"))
    except ValueError:
        index = count = 0
    if not 1 <= index <= count:
        raise click.BadParameter(f"'{value}' ska skrivas K/N, till exempel 2/4",
                                 param_hint=hint(click.get_current_context(), "shard_"))
    return index, count


class _Progress:
    """A bar on a terminal, one line an answer elsewhere (CI logs), nothing but errors with -q."""

    def __init__(self, quiet: bool):
        self.quiet = quiet
        self.bar = not quiet and sys.stderr.isatty()

    def done(self, outcome, count: int, total: int) -> None:
        from ..errors import display_path

        built = outcome.built
        if self.bar:
            click.echo("\r\033[K", nl=False, err=True)
        for problem in built.problems:
            click.echo(str(problem), err=True)
        if not built.ok:
            click.echo(f"{display_path(built.path)}: byggdes inte", err=True)
        elif not self.quiet and not self.bar:
            click.echo(f"{display_path(built.path)} → "
                       + ", ".join(display_path(p) for p in built.outputs))
        if self.bar:
            filled = round(30 * count / total)
            click.echo(f"[{'#' * filled}{'.' * (30 - filled)}] {count}/{total}", nl=False,
                       err=True)

    def finish(self) -> None:
        if self.bar:
            click.echo("\r\033[K", nl=False, err=True)
