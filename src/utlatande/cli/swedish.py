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
        except click.exceptions.NoArgsIsHelpError as error:
            # The bare command: its help, once, as --help shows it.
            click.echo(error.ctx.get_help())
            sys.exit(0)
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

    def resolve_command(self, ctx, args):  # noqa: D102 - a Swedish name gets its command
        name = args[0] if args else ""
        if name and not name.startswith("-") and self.get_command(ctx, name) is None:
            guess = command_guess(name, self.list_commands(ctx))
            if guess:
                ctx.fail(f"okänt kommando '{name}'; menade du '{guess}'?")
        return super().resolve_command(ctx, args)

    def format_commands(self, ctx, formatter) -> None:  # noqa: D102 - whole first sentences
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, first_sentence(command.short_help or command.help or "")))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


# What a Swedish speaker types for each command.
SWEDISH_COMMANDS = {"bygg": "build", "bygga": "build", "kontrollera": "check",
                    "granska": "verify", "ny": "new", "nytt": "new", "kallelse": "agenda",
                    "visa": "serve", "förhandsgranska": "serve"}


def command_guess(name: str, commands: list[str]) -> str | None:
    """The command a mistyped or Swedish name most likely means, if any."""
    import difflib

    if name.casefold() in SWEDISH_COMMANDS:
        return SWEDISH_COMMANDS[name.casefold()]
    close = difflib.get_close_matches(name, commands, n=1, cutoff=0.6)
    return close[0] if close else None


def first_sentence(text: str) -> str:
    """A command's help up to the end of its first sentence, never cut with '...'."""
    paragraph = " ".join(text.strip().split("\n\n")[0].split())
    end = paragraph.find(". ")
    return paragraph if end < 0 else paragraph[: end + 1]


def help_option(f):
    """-h and --help, in Swedish."""
    return click.help_option("-h", "--help", help="Visa den här hjälpen och avsluta.")(f)
