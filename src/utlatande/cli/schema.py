"""`utlatande schema`: the answer format's JSON Schema, for editors with YAML support."""

from __future__ import annotations

import json

import click

from .swedish import Command, help_option


@click.command("schema", cls=Command)
@help_option
def command() -> None:
    """Skriv ut svarsformatets JSON Schema (för redigerare med YAML-stöd)."""
    from ..schema import ANSWER_SCHEMA

    click.echo(json.dumps(ANSWER_SCHEMA, ensure_ascii=False, indent=2))
