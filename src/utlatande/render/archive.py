"""Which PDF standard a statement's PDF follows, and the options that make it so.

The profile chooses with `pdf_variant` in tema.yaml (for one mall under `mallar: {mall: …}`),
`build --pdf-variant` overrides it, and the built-in profile says pdf/a-2a: an archivable,
tagged PDF. Every variant is written tagged, and those that allow it carry the answer file.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import AnswerError, Problem, display_path
from .load import load_yaml
from .theme import PROFILE_FILE, Theme

if TYPE_CHECKING:
    from .pipeline import Checked

DEFAULT_VARIANT = "pdf/a-2a"
KEY = "pdf_variant"


def unknown_variant(value: object, supported: list[str]) -> str:
    """The Swedish message for a variant the installed WeasyPrint does not write."""
    return f"okänd PDF-variant '{value}'; välj bland " + ", ".join(supported)


def normalised(value: object) -> str:
    return str(value).strip().lower()


def chosen_variant(checked: Checked, settings: dict[str, Any], override: str | None) -> str:
    """The variant for this answer: the override, else the profile's, checked against WeasyPrint."""
    from .render.pdf import supported_variants  # imports WeasyPrint: only when writing a PDF

    supported = supported_variants()
    if override is not None:
        if normalised(override) not in supported:
            raise ValueError(unknown_variant(override, supported))
        return normalised(override)
    value = settings.get(KEY, DEFAULT_VARIANT)
    if isinstance(value, str) and normalised(value) in supported:
        return normalised(value)
    assert checked.theme is not None and checked.answer is not None
    raise AnswerError([_profile_problem(checked.theme, checked.answer.mall,
                                        unknown_variant(value, supported))])


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


def pdf_options(checked: Checked, settings: dict[str, Any], override: str | None,
                created: Any = None) -> dict[str, Any]:
    """WeasyPrint options for this answer's PDF: its variant, tags and its own source."""
    from .render.pdf import archive_options, embeds_source

    variant = chosen_variant(checked, settings, override)
    source = (checked.path.name, checked.path.read_bytes()) if embeds_source(variant) else None
    return archive_options(variant, source, created)
