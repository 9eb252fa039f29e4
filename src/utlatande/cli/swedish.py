"""Click in Swedish: help headings, usage line, click's own messages, errors and exit codes."""

from __future__ import annotations

import sys
from typing import Any

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


_TYPED = "utlatande.typed"  # ctx.meta key: the arguments as the user typed them


class Command(click.Command):
    context_class = SwedishContext

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        ctx.meta[_TYPED] = list(args)  # so that an error names a flag as it was typed
        try:
            return super().parse_args(ctx, args)
        except click.NoSuchOption as error:
            # "Did you mean" names today's spelling, not an old one kept for scripts.
            today = {alias: option._shown()[-1] for option in self.params
                     if isinstance(option, Option) for alias in option.aliases}
            if error.possibilities:
                error.possibilities = list(dict.fromkeys(today.get(name, name)
                                                         for name in error.possibilities))
            raise


class Option(click.Option):
    """An option whose earlier spellings (`aliases`) still work, so that scripts that use
    them keep working; the help shows only today's, and an error names the one typed."""

    def __init__(self, *args: Any, aliases: tuple[str, ...] = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.aliases = list(aliases)
        self.opts = [*self.opts, *self.aliases]

    def _shown(self) -> list[str]:
        return [name for name in self.opts if name not in self.aliases]

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        every, self.opts = self.opts, self._shown()
        try:
            return super().get_help_record(ctx)
        finally:
            self.opts = every

    def get_error_hint(self, ctx: click.Context | None) -> str:
        typed = ctx.meta.get(_TYPED, []) if ctx is not None else []
        used = [alias for alias in self.aliases
                if any(arg == alias or arg.startswith(alias + "=") for arg in typed)]
        return f"'{used[0]}'" if used else " / ".join(f"'{name}'" for name in self._shown())


def hint(ctx: click.Context, name: str) -> str:
    """How an error names the option `name` (its parameter name), e.g. "'--del'"."""
    return next(p for p in ctx.command.params if p.name == name).get_error_hint(ctx)


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
                    "visa": "serve", "förhandsgranska": "serve", "ny-profil": "new-profile",
                    "nyprofil": "new-profile"}


def command_guess(name: str, commands: list[str]) -> str | None:
    """The command a mistyped or Swedish name most likely means, if any."""
    from ..text import did_you_mean

    if name.casefold() in SWEDISH_COMMANDS:
        return SWEDISH_COMMANDS[name.casefold()]
    return did_you_mean(name, commands)


def first_sentence(text: str) -> str:
    """A command's help up to the end of its first sentence, never cut with '...'."""
    paragraph = " ".join(text.strip().split("\n\n")[0].split())
    end = paragraph.find(". ")
    return paragraph if end < 0 else paragraph[: end + 1]


def help_option(f):
    """-h and --help, in Swedish."""
    return click.help_option("-h", "--help", help="Visa den här hjälpen och avsluta.")(f)
