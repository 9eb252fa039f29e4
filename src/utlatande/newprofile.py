"""A new municipality's profile folder: tema.yaml, _brand.yml, its logo and Word template.

Everything is checked before anything is written, and the folder appears whole (written
beside templates/ under another name, then renamed) or not at all.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path

from .brand import (
    IMAGE_FORMATS,
    MAX_FILE_BYTES,
    bitmap_problem,
    check_word_template,
    svg_problem,
)
from .errors import AnswerError, Problem, UserError, display_path

NAME = re.compile(r"^[a-z0-9][a-z0-9-]*$")


class ProfileError(UserError):
    """A profile cannot be made: the message (Swedish) says why; nothing was written."""

    def __str__(self) -> str:
        return f"Fel: {self.message}"


def new_profile(name: str, project: Path, word: Path | None = None,
                logo: Path | None = None, display_name: str | None = None) -> Path:
    """templates/<name>/ with tema.yaml, _brand.yml and copies of the logo and template."""
    if not NAME.match(name):
        raise ProfileError(f"profilnamnet '{name}' ska bestå av små bokstäver a–z, siffror "
                           "och bindestreck, till exempel 'vasteras' eller 'sodra-stadsdelen'")
    target = project / "templates" / name
    if target.exists():
        raise ProfileError(f"{display_path(target)} finns redan; välj ett annat namn eller "
                           "ändra filerna i mappen")
    logo_name = _checked_logo(logo) if logo is not None else None
    word_name = _checked_word(word) if word is not None else None
    shown = display_name or name.replace("-", " ").title()
    files = {"tema.yaml": tema_text(shown),
             "_brand.yml": brand_text(shown, logo_name)}
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=target.parent))
    try:
        for file_name, text in files.items():
            (staging / file_name).write_text(text, encoding="utf-8")
        if logo is not None and logo_name is not None:
            shutil.copyfile(logo, staging / logo_name)
        if word is not None and word_name is not None:
            shutil.copyfile(word, staging / word_name)
        staging.rename(target)
    except OSError as exc:
        shutil.rmtree(staging, ignore_errors=True)
        raise ProfileError(f"{display_path(target)} kunde inte skrivas ({exc.strerror or exc})") \
            from None
    return target


def _checked_logo(path: Path) -> str:
    """The logo's name in the profile (logga.svg, .png or .jpg) once it is known to be good."""
    image_format = IMAGE_FORMATS.get(path.suffix.lower())
    if image_format is None:
        raise ProfileError(f"{display_path(path)}: logotypen ska vara en SVG-, PNG- eller "
                           "JPEG-fil")
    if not path.is_file():
        raise ProfileError(f"{display_path(path)}: filen finns inte")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise ProfileError(f"{display_path(path)}: logotypen är större än 20 MB")
    reason = svg_problem(path) if image_format == "svg" else bitmap_problem(path,
                                                                             image_format)
    if reason:
        raise ProfileError(f"{display_path(path)}: logotypen {reason}")
    return "logga." + ("jpg" if image_format == "jpeg" else image_format)


def _checked_word(path: Path) -> str:
    """The template's name in the profile once it is known to be a Word file without macros."""
    suffix = path.suffix.lower()
    if suffix in (".docm", ".dotm"):
        raise ProfileError(f"{display_path(path)}: Word-mallar med makron används inte; spara "
                           "mallen som .docx eller .dotx utan makron")
    if suffix not in (".docx", ".dotx"):
        raise ProfileError(f"{display_path(path)}: Word-mallen ska vara en .docx- eller "
                           ".dotx-fil")
    if not path.is_file():
        raise ProfileError(f"{display_path(path)}: filen finns inte")
    try:
        check_word_template(path)
    except AnswerError as error:
        raise ProfileError("\n".join(_without_position(p) for p in error.problems)) from None
    return "word-mall" + suffix


def _without_position(problem: Problem) -> str:
    return f"{problem.path}: {problem.message}"


def tema_text(shown: str) -> str:
    """A one-screen tema.yaml: the name and the organisation; the rest is inherited."""
    return f"""# {shown}: profilens inställningar. Det som inte står här kommer från den inbyggda
# neutrala profilen: sidnumrering, rubriker, delarnas ordning. Utseendet (logotyp, färger,
# typsnitt) står i _brand.yml, och Word-filernas utseende i word-mall.docx.
namn: {_yaml_string(shown)}
standardvärden:
  organisation: {_yaml_string(shown)}
"""


def brand_text(shown: str, logo_name: str | None) -> str:
    """A _brand.yml with the logo (when given), a colour to change and the theme's fonts."""
    if logo_name:
        logo = f"""logo:
  large:
    path: {logo_name}
    alt: {_yaml_string(shown)}
"""
    else:
        logo = """# logo:
#   large:
#     path: logga.svg
#     alt: Kommunens namn
# Lägg kommunens logotyp (SVG, PNG eller JPEG) i mappen och ta bort # ovan.
"""
    return f"""# {shown}: dokumentens utseende i formatet brand.yml (som Quarto läser).
# Sökvägar är relativa till den här filen. Färger: #rrggbb eller ett namn i color.palette.
meta:
  name: {_yaml_string(shown)}
{logo}color:
  palette:
    profilfarg: "#1f4e79"
  primary: profilfarg
typography:
  # Ett typsnitt behöver sina filer: de inbyggda Liberation-typsnitten, eller filer i
  # fonts/ som räknas upp under typography.fonts (source: file).
  base:
    family: Liberation Serif
  headings:
    family: Liberation Sans
    color: primary
"""


def _yaml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
