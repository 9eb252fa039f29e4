"""The format reference a handläggare reads is in the repository and names every key."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

from utlatande.agenda.meeting import MEETING_SCHEMA
from utlatande.schema import ANSWER_SCHEMA

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "docs" / "svarsformat.md"


def _keys(schema: object) -> set[str]:
    """Every property name anywhere in a JSON schema."""
    found: set[str] = set()
    if isinstance(schema, dict):
        for key, value in schema.items():
            if key == "properties" and isinstance(value, dict):
                found |= set(value)
            found |= _keys(value)
    elif isinstance(schema, list):
        for item in schema:
            found |= _keys(item)
    return found


def test_every_link_in_the_readme_and_the_reference_stays_in_the_repository():
    for document in (ROOT / "README.md", REFERENCE):
        text = document.read_text(encoding="utf-8")
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
            if re.match(r"[a-z]+:", target):
                continue  # a web address
            path = (document.parent / unquote(target)).resolve()
            assert path.is_relative_to(ROOT), f"{document.name}: {target} ligger utanför"
            assert path.exists(), f"{document.name}: {target} finns inte"


def test_the_readme_links_the_reference():
    assert "](docs/svarsformat.md)" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_reference_names_every_key_of_both_files():
    text = REFERENCE.read_text(encoding="utf-8")
    missing = {key for key in _keys(ANSWER_SCHEMA) | _keys(MEETING_SCHEMA)
               if f"`{key}`" not in text}
    assert not missing, sorted(missing)
