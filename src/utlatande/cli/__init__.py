"""The command line: one thin module a command, each parsing its options, calling the
Python API, printing, and choosing the exit code. Only cli/ imports click and prints.

A command's module is imported when `main` is, so each keeps its heavy imports inside
the function that runs the command.
"""

from __future__ import annotations

import atexit
import gc
import sys

import click

from .. import __version__
from . import agenda, attestera, build, check, new, new_profile, schema, serve, verify, word_import
from .swedish import Group, help_option


def _end_without_a_last_collection() -> None:
    """At exit (after the other exit handlers): the interpreter's last garbage collection
    would walk every object the process still holds (an agenda's rebuild: a thirtieth of
    a second) to find the few in reference cycles, and the process is ending anyway. Not
    in a process that imported WeasyPrint: it removes its copies of a theme's fonts only
    when its font configuration, which is in such a cycle, is collected."""
    if "weasyprint" not in sys.modules:
        gc.freeze()


atexit.register(_end_without_a_last_collection)


@click.group(cls=Group)
@click.version_option(__version__, "--version", message="utlatande %(version)s",
                      help="Visa versionen och avsluta.")
@help_option
def main() -> None:
    """utlatande gör tjänsteutlåtanden, tjänsteskrivelser, frågesvar och rapporter
    av svarsfiler (YAML) till PDF och DOCX."""


for _module in (build, check, schema, verify, attestera, new, new_profile, agenda, serve,
                word_import):
    main.add_command(_module.command)
