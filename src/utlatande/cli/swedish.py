"""Click in Swedish: help headings, usage line, click's own messages, errors and exit codes."""

from __future__ import annotations

import sys

import click

from ..errors import UserError


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
        except UserError as error:  # the plain exceptions below cli/: a user's mistake
            click.echo(str(error), err=True)
            sys.exit(error.exit_code)
        except click.Abort:
            click.echo("Avbrutet.", err=True)
            sys.exit(1)


def help_option(f):
    """-h and --help, in Swedish."""
    return click.help_option("-h", "--help", help="Visa den här hjälpen och avsluta.")(f)
