"""`utlatande schema`: the answer format's JSON Schema (or the profile's), for editors with
YAML support."""

from __future__ import annotations

import json

import click

from .swedish import Command, help_option


@click.command("schema", cls=Command)
@click.option("--tema", is_flag=True,
              help="Skriv ut profilens (tema.yaml) schema i stället, med varje inställning "
                   "beskriven.")
@help_option
def command(tema: bool) -> None:
    """Skriv ut svarsformatets JSON Schema (för redigerare med YAML-stöd)."""
    if tema:
        from ..theme_schema import THEME_SCHEMA as schema
    else:
        from ..schema import ANSWER_SCHEMA as schema

    click.echo(json.dumps(schema, ensure_ascii=False, indent=2))
