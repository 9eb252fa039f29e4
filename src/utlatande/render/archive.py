"""Which PDF standard a statement's PDF follows, and the options that make it so.

The profile chooses with `pdf_variant` in tema.yaml (for one mall under `mallar: {mall: …}`),
`build --pdf-variant` overrides it, and the built-in profile says pdf/a-2a: an archivable,
tagged PDF. Every variant is written tagged, and those that allow it carry the answer file.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import AnswerError, Problem, display_path
from ..load import load_yaml
from ..theme import PROFILE_FILE, Theme

DEFAULT_VARIANT = "pdf/a-2a"
KEY = "pdf_variant"


def unknown_variant(value: object, supported: list[str]) -> str:
    """The Swedish message for a variant the installed WeasyPrint does not write."""
    return f"okänd PDF-variant '{value}'; välj bland " + ", ".join(supported)


def normalised(value: object) -> str:
    return str(value).strip().lower()


def checked_variant(value: object) -> str:
    """The variant as WeasyPrint names it; ValueError (in Swedish) for one it does not write."""
    from .pdf import supported_variants  # imports WeasyPrint: only when writing a PDF

    supported = supported_variants()
    if not isinstance(value, str) or normalised(value) not in supported:
        raise ValueError(unknown_variant(value, supported))
    return normalised(value)


def chosen_variant(theme: Theme, mall: str, settings: dict[str, Any],
                   override: str | None) -> str:
    """The variant for this answer: the override, else the profile's, checked against WeasyPrint."""
    if override is not None:
        return checked_variant(override)
    value = settings.get(KEY, DEFAULT_VARIANT)
    try:
        return checked_variant(value)
    except ValueError as error:
        raise AnswerError([_profile_problem(theme, mall, str(error))]) from None


def _profile_problem(theme: Theme, mall: str, message: str) -> Problem:
    """The problem at the tema.yaml line that sets the variant in effect for `mall`."""
    # A mall's own setting wins over every general one (Theme.settings), so look there first.
    for key_path in (("mallar", mall, KEY), (KEY,)):
        for folder in theme.folders:
            path = folder / PROFILE_FILE
            if not path.is_file():
                continue
            loaded = load_yaml(path)
            if _has(loaded.data, key_path):
                return loaded.problem(key_path, message, "tema.pdf_variant")
    return Problem(display_path(theme.folders[0] / PROFILE_FILE), 1, 1, message,
                   "tema.pdf_variant")


def _has(data: Any, key_path: tuple[str, ...]) -> bool:
    for key in key_path:
        if not isinstance(data, dict) or key not in data:
            return False
        data = data[key]
    return True


def pdf_options(answer_file: Path, theme: Theme, mall: str, settings: dict[str, Any],
                override: str | None, created: Any = None,
                embed_source: bool = True) -> dict[str, Any]:
    """WeasyPrint options for this answer's PDF: its variant, tags and its own source
    (never for a public agenda: the source carries its comments)."""
    from .pdf import archive_options, embeds_source

    variant = chosen_variant(theme, mall, settings, override)
    embed = embed_source and embeds_source(variant)
    source = (answer_file.name, answer_file.read_bytes()) if embed else None
    return archive_options(variant, source, created)
