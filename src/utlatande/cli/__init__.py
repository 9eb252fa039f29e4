"""The command line: parses arguments and calls the pipeline, nothing else."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from . import __version__
from .write import DEFAULT_FORMATS, FORMATS

ANSWERS = Path("answers")


class SwedishFormatter(click.HelpFormatter):
    HEADINGS = {"Options": "Flaggor", "Commands": "Kommandon", "Arguments": "Argument"}

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args.replace("[OPTIONS]", "[FLAGGOR]")
                            .replace("COMMAND [ARGS]...", "KOMMANDO [ARGUMENT]..."),
                            prefix="Användning: ")

    def write_heading(self, heading: str) -> None:
        super().write_heading(self.HEADINGS.get(heading, heading))


class SwedishContext(click.Context):
    formatter_class = SwedishFormatter


_CLICK_MESSAGES = [
    ("No such option", "okänd flagga"),
    ("No such command", "okänt kommando"),
    ("Missing argument", "argument saknas"),
    ("Missing option", "flagga saknas"),
    ("requires an argument", "kräver ett värde"),
    ("Got unexpected extra argument", "oväntat extra argument"),
    ("Invalid value for", "ogiltigt värde för"),
    ("Try", "Prova"),
    ("for help", "för hjälp"),
    ("Did you mean", "Menade du"),
]


def _swedish(text: str) -> str:
    for english, swedish in _CLICK_MESSAGES:
        text = text.replace(english, swedish)
    return text


class Command(click.Command):
    context_class = SwedishContext


class Group(click.Group):
    context_class = SwedishContext
    command_class = Command

    def main(self, *args, **kwargs):  # noqa: D102 - click's entry point, Swedish errors
        try:
            return super().main(*args, standalone_mode=False, **kwargs)
        except click.UsageError as error:
            if error.ctx is not None:
                click.echo(_swedish(error.ctx.get_usage()), err=True)
                click.echo(_swedish(f"Prova '{error.ctx.command_path} --help' för hjälp."),
                           err=True)
            click.echo(f"Fel: {_swedish(error.format_message())}", err=True)
            sys.exit(2)
        except click.ClickException as error:
            click.echo(error.format_message(), err=True)
            sys.exit(error.exit_code)
        except click.Abort:
            click.echo("Avbrutet.", err=True)
            sys.exit(1)


def _help(f):
    return click.help_option("-h", "--help", help="Visa den här hjälpen och avsluta.")(f)


@click.group(cls=Group)
@click.version_option(__version__, "--version", message="utlatande %(version)s",
                      help="Visa versionen och avsluta.")
@_help
def main() -> None:
    """utlatande gör tjänsteutlåtanden, tjänsteskrivelser, frågesvar och rapporter
    av svarsfiler (YAML) till PDF och DOCX."""


def _answers(paths: tuple[Path, ...]) -> list[Path]:
    if paths:
        return list(paths)
    return sorted(ANSWERS.glob("*.yaml")) + sorted(ANSWERS.glob("*.yml"))


def _formats(value: str) -> tuple[str, ...]:
    formats = tuple(dict.fromkeys(f.strip().lower() for f in value.split(",") if f.strip()))
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise click.BadParameter(f"okänt format {', '.join(unknown) or '(tomt)'}; välj bland "
                                 + ", ".join(FORMATS), param_hint="'-f'")
    return formats


@main.command()
@click.argument("svarsfiler", nargs=-1, type=click.Path(path_type=Path), metavar="[SVARSFIL]...")
@click.option("-o", "--utmapp", type=click.Path(file_okay=False, path_type=Path),
              default=Path("build"), metavar="MAPP",
              help="Mappen som filerna skrivs till (standard: build).")
@click.option("-f", "--format", "format_", default=",".join(DEFAULT_FORMATS), metavar="FORMAT",
              help="Kommaseparerade format: pdf, docx, html (standard: pdf,docx).")
@click.option("-j", "--jobb", "jobs", type=click.IntRange(min=1), default=None, metavar="N",
              help="Antal processer som gör PDF:er (standard: antalet kärnor); DOCX "
                   "görs samtidigt i huvudprocessen. -j 1 bygger allt i en process.")
@click.option("--force", is_flag=True, help="Bygg allt, även det som inte har ändrats.")
@click.option("--shard", "shard_", default=None, metavar="K/N",
              help="Bygg bara den K:te av N delar av svarsfilerna (för CI-matriser).")
@click.option("--pdf-variant", "pdf_variant", default=None, metavar="VARIANT",
              help="PDF-standard, till exempel pdf/a-3a (standard: profilens pdf_variant, "
                   "pdf/a-2a).")
@click.option("--verify", "verify_", is_flag=True,
              help="Kontrollera varje PDF och DOCX efter bygget, som utlatande verify.")
@click.option("-q", "--tyst", is_flag=True, help="Skriv bara ut fel.")
@_help
def build(svarsfiler: tuple[Path, ...], utmapp: Path, format_: str, jobs: int | None,
          force: bool, shard_: str | None, pdf_variant: str | None, verify_: bool,
          tyst: bool) -> None:
    """Bygg svarsfiler till PDF och DOCX (standard: alla answers/*.yaml till build/).

    Bara det som har ändrats sedan förra bygget byggs om: svarsfilen, mallar, CSS,
    typsnitt, profil, bilagor eller utlatande självt.

    Slutkod 0 när allt byggdes, 1 när någon svarsfil hade fel (de andra byggs ändå),
    2 vid felaktiga argument."""
    from .batch import run, shard

    formats = _formats(format_)
    answers = _answers(svarsfiler)
    if not answers:
        raise click.UsageError("inga svarsfiler hittades (answers/*.yaml)")
    if shard_:
        answers = shard(answers, *_shard(shard_))
    if pdf_variant is not None:
        pdf_variant = _pdf_variant(pdf_variant, formats)
    progress = _Progress(quiet=tyst)
    from .verify import Outputs, check_files

    outputs = Outputs(utmapp, formats, progress.done)
    summary = run(answers, utmapp, formats, Path.cwd(), jobs=jobs, force=force,
                  report=outputs.done, skipped=outputs.skipped, pdf_variant=pdf_variant)
    progress.finish()
    if not tyst or summary.failed:
        seconds = f"{summary.seconds:.1f}".replace(".", ",")
        click.echo(f"{summary.built} byggda, {summary.unchanged} oförändrade, "
                   f"{summary.failed} med fel, {seconds} s", err=bool(summary.failed))
    failed_checks = check_files(outputs.paths, quiet=tyst) if verify_ else 0
    sys.exit(1 if summary.failed or failed_checks else 0)


def _pdf_variant(value: str, formats: tuple[str, ...]) -> str:
    """The variant as WeasyPrint names it; one it does not write is an argument error."""
    if "pdf" not in formats:
        raise click.BadParameter("gäller bara PDF; lägg till pdf i -f",
                                 param_hint="'--pdf-variant'")
    from .archive import normalised, unknown_variant
    from .render.pdf import supported_variants  # WeasyPrint: the build imports it anyway

    supported = supported_variants()
    if normalised(value) not in supported:
        raise click.BadParameter(unknown_variant(value, supported), param_hint="'--pdf-variant'")
    return normalised(value)


def _shard(value: str) -> tuple[int, int]:
    try:
        index, count = (int(part) for part in value.split("/"))
    except ValueError:
        index = count = 0
    if not 1 <= index <= count:
        raise click.BadParameter(f"'{value}' ska skrivas K/N, till exempel 2/4",
                                 param_hint="'--shard'")
    return index, count


class _Progress:
    """A bar on a terminal, one line an answer elsewhere (CI logs), nothing but errors with -q."""

    def __init__(self, quiet: bool):
        self.quiet = quiet
        self.bar = not quiet and sys.stderr.isatty()

    def done(self, outcome, count: int, total: int) -> None:
        from .errors import display_path

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


@main.command()
@click.argument("svarsfiler", nargs=-1, type=click.Path(path_type=Path), metavar="[SVARSFIL]...")
@click.option("--strikt", "--strict", "strict", is_flag=True,
              help="Behandla varningar som fel.")
@_help
def check(svarsfiler: tuple[Path, ...], strict: bool) -> None:
    """Kontrollera svarsfiler utan att bygga dem; skriv ut varje problem med rad och kolumn."""
    from .pipeline import check as check_one

    answers = _answers(svarsfiler)
    if not answers:
        raise click.UsageError("inga svarsfiler hittades (answers/*.yaml)")
    failed = 0
    project = Path.cwd()
    for path in answers:
        result = check_one(path, project)
        for problem in result.problems:
            click.echo(str(problem), err=True)
        errors = [p for p in result.problems if p.is_error or strict]
        if errors or not result.ok:
            failed += 1
    sys.exit(1 if failed else 0)


@main.command()
@_help
def schema() -> None:
    """Skriv ut svarsformatets JSON Schema (för redigerare med YAML-stöd)."""
    from .schema import ANSWER_SCHEMA

    click.echo(json.dumps(ANSWER_SCHEMA, ensure_ascii=False, indent=2))


from . import verify  # noqa: E402  isort: skip

main.add_command(verify.verify_command)

from . import scaffold  # noqa: E402  isort: skip

main.add_command(scaffold.new_command)

from . import agenda_cli  # noqa: E402  isort: skip

main.add_command(agenda_cli.agenda_command)

from . import serve_cli  # noqa: E402  isort: skip

main.add_command(serve_cli.serve_command)
