"""A new answer file for a mall: the theme's scaffold (nya/<mall>.yaml.j2) filled with today's
date, the editor's schema line and the profile's defaults. Never overwrites a file."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from .errors import UserError, display_path
from .text import ascii_letters, did_you_mean
from .theme import Theme, known_themes, load_theme, project_themes, template_message

if TYPE_CHECKING:
    import jinja2
from .write import write_atomic

SCAFFOLDS = "nya"
SCHEMA_FILE = Path("schema") / "answer.schema.json"


class ScaffoldError(UserError):
    """A new file cannot be written (it exists, the mall or profile is unknown); exit 1."""

    def __str__(self) -> str:
        return f"Fel: {self.message}"


# Line breaks and the other control characters: in a comment they would end it, and the
# rest of the line would be read as YAML.
_BREAKS_A_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _one_line(text: Any) -> str:
    """A value that stands in a comment of the new file: on one line, whatever it holds."""
    return _BREAKS_A_LINE.sub(" ", str(text))


def _hint(name: str, known: list[str]) -> str:
    close = did_you_mean(name, known)
    return f"menade du '{close}'? " if close else ""


@dataclass
class Created:
    """What `new` wrote: the answer file, and the schema file when it had to be written too."""

    path: Path
    schema: Path | None = None
    profil: str | None = None  # the profile whose defaults it has; None: the neutral one
    command: str = "utlatande"  # how to run utlatande from here (command_name)


def yaml_scalar(value: Any) -> str:
    """A value as YAML: plain where it reads back as the same text, quoted otherwise."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if value is None:
        return '""'
    if not isinstance(value, str):
        # Lists, mappings, numbers and booleans in flow style: JSON is valid YAML.
        return json.dumps(value, ensure_ascii=False, default=str)
    if value and "\n" not in value and value == value.strip() and not _ESCAPE.search(value) \
            and _reads_back(value):
        return value
    return _quoted(value)


# Characters YAML does not allow as they are, or reads as line breaks inside quotes.
_ESCAPE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")


def _quoted(text: str) -> str:
    """A double-quoted YAML scalar: JSON's escapes, and \\u escapes for what YAML forbids."""
    return _ESCAPE.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(text, ensure_ascii=False))


_SAFE = YAML(typ="safe", pure=True)


def _reads_back(text: str) -> bool:
    """True when `k: text` parses to the same text, so no quotes are needed."""
    try:
        return _SAFE.load(f"k: {text}\n") == {"k": text}
    except YAMLError:
        return False


def command_name() -> str:
    """How to run utlatande from here: 'utlatande' when PATH finds this one, else its path
    (.venv/bin/utlatande after `make`, which does not put it on PATH)."""
    import shutil
    import sys

    own = Path(sys.executable).parent / "utlatande"
    found = shutil.which("utlatande")
    if found is not None and (not own.exists() or Path(found).resolve() == own.resolve()):
        return "utlatande"
    return display_path(own) if own.exists() else "utlatande"


def default_target(mall: str, today: dt.date) -> Path:
    """answers/<date>-<mall>.yaml, the mall's name in ASCII."""
    return Path("answers") / f"{today.isoformat()}-{ascii_letters(mall).lower()}.yaml"


def project_profile(project: Path) -> str | None:
    """The project's profile when it has exactly one (templates/<profil>/tema.yaml)."""
    names = project_themes(project)
    return names[0] if len(names) == 1 else None


def _environment(theme: Theme) -> jinja2.Environment:
    """The scaffolds are YAML, not HTML: no autoescaping, the theme chain as search path."""
    import jinja2
    from jinja2.sandbox import SandboxedEnvironment

    # Sandboxed like the documents' templates: a scaffold cannot reach Python's internals.
    env = SandboxedEnvironment(
        loader=jinja2.FileSystemLoader([str(f) for f in theme.folders]),
        autoescape=False,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["yaml"] = yaml_scalar
    return env


def _theme(profil: str | None, project: Path) -> Theme:
    known = known_themes(project)
    if profil is not None and profil not in known:
        raise ScaffoldError(f"profilen '{profil}' finns inte; {_hint(profil, known)}"
                            "kända profiler: " + ", ".join(known))
    return load_theme(profil, project)


def _schema_reference(target: Path, project: Path) -> str:
    """The schema file's path as seen from the answer file's folder, with forward slashes."""
    schema = (project / SCHEMA_FILE).resolve()
    return Path(os.path.relpath(schema, target.resolve().parent)).as_posix()


def scaffold_text(mall: str, target: Path, project: Path, profil: str | None,
                  today: dt.date) -> str:
    """The text of a new answer file for `mall`, as the theme's scaffold template writes it."""
    import jinja2

    from .render.html import address_groups

    theme = _theme(profil, project)
    if mall not in theme.mallar:
        raise ScaffoldError(f"okänd mall '{mall}'; {_hint(mall, theme.mallar)}kända mallar: "
                            + ", ".join(theme.mallar))
    env = _environment(theme)
    try:
        template = env.get_template(f"{SCAFFOLDS}/{mall}.yaml.j2")
    except jinja2.TemplateNotFound:
        raise ScaffoldError(f"mallen '{mall}' har ingen förlaga för nya filer "
                            f"({SCAFFOLDS}/{mall}.yaml.j2 i profilen)") from None
    settings = theme.settings(mall)
    defaults: dict[str, Any] = settings.get("standardvärden") or {}

    def värde(key: str, fallback: str) -> str:
        return yaml_scalar(defaults.get(key, fallback))

    def standard(key: str) -> str:
        return " (profilens standardvärde)" if key in defaults else ""

    address = address_groups(settings.get("adressblock") or (),
                             {k: defaults.get(k) for k in ("organisation", "förvaltning",
                                                           "avdelning")})
    address = [[line for line in group if line.strip()] for group in address]
    try:
        text = template.render(
            mall=mall,
            idag=today.isoformat(),
            schema=_one_line(_schema_reference(target, project)),
            fil=_one_line(display_path(target)),
            kommando=_one_line(command_name()),
            profil=profil,
            profil_namn=_one_line(theme.profile.get("namn", profil)),
            kända=[_one_line(name) for name in project_themes(project)],
            adress=[[_one_line(line) for line in group] for group in address],
            adress_plats=settings.get("adressblock_plats", "sidfot"),
            värde=värde,
            standard=standard,
        )
    except jinja2.TemplateError as error:
        raise ScaffoldError(f"fel i förlagan {SCAFFOLDS}/{mall}.yaml.j2: "
                            f"{template_message(error)}") from None
    # The parts end in a newline of their own; at most one empty line between them.
    text = re.sub(r"\n{3,}", "\n\n", text)
    try:
        _SAFE.load(text)
    except YAMLError as error:  # a profile's own scaffold: never a file that cannot be read
        reason = " ".join(str(getattr(error, "problem", None) or error).split())
        raise ScaffoldError(f"förlagan {SCAFFOLDS}/{mall}.yaml.j2 ger ingen giltig YAML "
                            f"({reason}); ingen fil skrevs") from None
    return text


def create(mall: str, target: Path, project: Path, profil: str | None,
           today: dt.date | None = None) -> Created:
    """Write a new answer file; an existing file is never touched."""
    today = today or dt.date.today()
    if _BREAKS_A_LINE.search(str(target)):
        shown = _quoted(display_path(target))  # the characters escaped, as in YAML
        raise ScaffoldError(f"filnamnet {shown} har en radbrytning eller ett annat "
                            "styrtecken; välj ett namn utan sådana tecken")
    if target.exists():
        raise ScaffoldError(f"{display_path(target)} finns redan; utlatande new skriver aldrig "
                            "över en fil. Välj ett annat filnamn eller ta bort filen först.")
    text = scaffold_text(mall, target, project, profil, today)
    _write_new(target, text.encode("utf-8"))
    created = Created(target, profil=profil, command=command_name())
    schema = project / SCHEMA_FILE
    if not schema.exists():
        from .schema import ANSWER_SCHEMA

        write_atomic(schema, (json.dumps(ANSWER_SCHEMA, ensure_ascii=False, indent=2) + "\n")
                     .encode("utf-8"))
        created.schema = schema
    return created


def _write_new(target: Path, data: bytes) -> None:
    """Write `target` complete, and only if no such file exists."""
    try:
        write_atomic(target, data, overwrite=False)
    except FileExistsError:
        raise ScaffoldError(f"{display_path(target)} finns redan; utlatande new skriver "
                            "aldrig över en fil.") from None
