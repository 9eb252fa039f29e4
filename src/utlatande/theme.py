"""Themes (organisation profiles): the search path, the profile data and the Jinja environment."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import jinja2

    from .brand import Brand

from .errors import AnswerError, Problem, display_path
from .load import load_yaml

BUILTIN_THEMES = Path(__file__).parent / "themes"
PROFILE_FILE = "tema.yaml"
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def fill(text: str, values: dict[str, Any]) -> str:
    """Replace {name} by a plain value; never str.format, so profile text cannot reach objects."""
    return _PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), m.group(0)) or ""), text)


@dataclass
class Theme:
    """A chain of theme folders, most specific first, with the profile merged along it."""

    name: str
    folders: list[Path]
    profile: dict[str, Any] = field(default_factory=dict)
    project: Path = Path(".")

    @cached_property
    def brand(self) -> Brand:
        """The chain's `_brand.yml` and Word template (brand.py); AnswerError when wrong."""
        from .brand import read_brand

        return read_brand(self.folders, self.project)

    def known_brand(self) -> Brand | None:
        """The brand if it has been read (or given), without reading it."""
        return self.__dict__.get("brand")

    def give_brand(self, brand: Brand) -> None:
        """The brand as read before (kept by the agenda, or sent to a worker): it is not
        read again, so brand-yml need not be loaded."""
        self.__dict__.setdefault("brand", brand)

    @cached_property
    def environment(self) -> jinja2.Environment:
        import jinja2  # only when rendering: `check` never needs it
        from jinja2.sandbox import SandboxedEnvironment

        from .compiled import SHARED

        loaders: list[jinja2.BaseLoader] = [jinja2.FileSystemLoader([str(f) for f in self.folders])]
        # "!default/mallar/x.html.j2" names the parent's own file, to extend what it overrides.
        loaders.append(jinja2.PrefixLoader(
            {f"!{folder.name}": jinja2.FileSystemLoader(str(folder)) for folder in self.folders}))
        # Sandboxed: a template, even a profile's own, cannot reach Python's internals.
        env = SandboxedEnvironment(
            loader=jinja2.ChoiceLoader(loaders),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            # Compiled templates kept in the build's cache, when the build keeps them.
            bytecode_cache=SHARED,
        )
        return env

    def settings(self, mall: str) -> dict[str, Any]:
        """The profile for one mall: its `mallar: {mall: …}` part over the general settings."""
        general = {k: v for k, v in self.profile.items() if k != "mallar"}
        return merge(general, self.profile.get("mallar", {}).get(mall, {}))

    @cached_property
    def mallar(self) -> list[str]:
        """Every mall (document type) some folder of the chain has a template for."""
        names = {p.name.removesuffix(".html.j2") for folder in self.folders
                 for p in (folder / "mallar").glob("*.html.j2")}
        return sorted(names)

    def files(self, subfolder: str, pattern: str) -> list[Path]:
        """Files of one kind along the chain, the parent's first so the child's rules win."""
        found: list[Path] = []
        for folder in reversed(self.folders):
            found.extend(sorted((folder / subfolder).glob(pattern)))
        return found

    def dependencies(self) -> list[Path]:
        """Every file a build with the theme depends on: the chain's own (templates, CSS,
        fonts, profiles) and the brand's elsewhere in the project."""
        return [*self.folder_files(), *self.brand_files()]

    def folder_files(self) -> list[Path]:
        """Every file of the chain's folders, read without reading the brand."""
        return sorted(p for folder in self.folders for p in folder.rglob("*") if p.is_file())

    def brand_files(self) -> list[Path]:
        """The brand's files outside the chain's folders (a logo or a font elsewhere in the
        project). None while the brand has errors."""
        from .errors import AnswerError

        try:
            files = self.brand.files
        except AnswerError:
            return []
        inside = [folder.resolve() for folder in self.folders]
        return [f for f in files if not any(f.resolve().is_relative_to(d) for d in inside)]

    def folder_tree(self) -> list[Path]:
        """Each folder of the chain and every folder in it: a file added to one changes
        its listing, so a profile's new template counts as a change."""
        return [d for folder in self.folders
                for d in (folder, *(p for p in folder.rglob("*") if p.is_dir()))]


def merge(parent: dict[str, Any], child: dict[str, Any]) -> dict[str, Any]:
    """The child's settings over the parent's; mappings merge key by key, lists are replaced."""
    merged = dict(parent)
    for key, value in child.items():
        if isinstance(value, dict) and isinstance(parent.get(key), dict):
            merged[key] = merge(parent[key], value)
        else:
            merged[key] = value
    return merged


def is_profile_name(name: object) -> bool:
    """A profile is named by one folder name: no path, no parent folder, no hidden folder."""
    return (isinstance(name, str) and name == Path(name).name and not name.startswith(".")
            and not any(char in name for char in "\\/\0:"))


def _find_folder(name: str, project: Path, below: Path | None) -> Path | None:
    """The project's templates/<name>/ first, then the built-in theme of that name.

    A project theme that extends a theme of its own name extends the built-in one.
    """
    project_folder = project / "templates" / name
    if project_folder.is_dir() and project_folder != below:
        return project_folder
    builtin = BUILTIN_THEMES / name
    return builtin if builtin.is_dir() else None


# What users call the built-in profile (its folder is themes/default), in every message.
NEUTRAL = "neutral"


def project_themes(project: Path) -> list[str]:
    """The project's own profiles: templates/<namn>/tema.yaml."""
    templates = project / "templates"
    if not templates.is_dir():
        return []
    return sorted(p.name for p in templates.iterdir() if (p / PROFILE_FILE).is_file())


def known_themes(project: Path) -> list[str]:
    """Every profile an answer may name: the built-in ones first, 'neutral' by that name."""
    builtin = sorted(NEUTRAL if p.name == "default" else p.name
                     for p in BUILTIN_THEMES.iterdir() if p.is_dir())
    return builtin + [name for name in project_themes(project) if name not in builtin]


_CACHE: dict[tuple[str, Path], Theme] = {}


def clear_cache() -> None:
    """Forget loaded themes, so that an edited profile or template folder is read again."""
    _CACHE.clear()


def adopt_theme(theme: Theme) -> Theme:
    """A theme loaded in another process (sent to a worker with a statement): the one this
    process has loaded under its name, else this one, kept as if loaded here."""
    return _CACHE.setdefault((theme.name, theme.project.resolve()), theme)


def load_theme(name: str | None, project: Path) -> Theme:
    """The theme `name` (default: the built-in neutral one), resolved with its parents."""
    name = "default" if not name or name == NEUTRAL else name
    key = (name, project.resolve())
    if key in _CACHE:
        return _CACHE[key]
    folders: list[Path] = []
    profiles: list[dict[str, Any]] = []
    current: str | None = name
    previous: Path | None = None
    while current:
        if not is_profile_name(current):
            raise _not_a_name(current, project, previous)
        folder = _find_folder(current, project, previous)
        if folder is None:
            raise _unknown_theme(current, project)
        if folder in folders:
            raise AnswerError([Problem(display_path(folder / PROFILE_FILE), 1, 1,
                                       f"temat '{current}' ärver av sig självt", "tema.cirkel")])
        folders.append(folder)
        data = _read_profile(folder)
        profiles.append(data)
        current = data.get("ärver", "default" if folder != BUILTIN_THEMES / "default" else None)
        previous = folder
    profile: dict[str, Any] = {}
    for data in reversed(profiles):
        profile = merge(profile, data)
    theme = Theme(name=name, folders=folders, profile=profile, project=project)
    _CACHE[key] = theme
    return theme


def _read_profile(folder: Path) -> dict[str, Any]:
    path = folder / PROFILE_FILE
    if not path.is_file():
        return {}
    from .theme_schema import validate_profile  # jsonschema: only when a profile is read

    loaded = load_yaml(path)
    problems = validate_profile(loaded)
    if problems:  # a misspelt setting would be ignored silently: it is an error at its line
        raise AnswerError(problems)
    return loaded.data


def _not_a_name(name: object, project: Path, inheritor: Path | None) -> AnswerError:
    """A profile given as a path (or anything but a folder's name) is refused, never looked up."""
    where = display_path(inheritor / PROFILE_FILE) if inheritor else display_path(
        project / "templates")
    return AnswerError([Problem(where, 1, 1, f"profilen '{name}' ska vara namnet på en mapp i "
                                "templates/ eller en inbyggd profil, inte en sökväg; kända "
                                "profiler: " + ", ".join(known_themes(project)), "tema.namn")])


def template_problem(error: Exception) -> Problem:
    """A template's mistake (a jinja2.TemplateError) as a problem at the template's own file
    and line."""
    import traceback

    from jinja2 import TemplateSyntaxError

    where, line = "mallen", 1
    if isinstance(error, TemplateSyntaxError) and error.filename:
        where, line = display_path(Path(error.filename)), error.lineno or 1
    else:
        frames = [f for f in traceback.extract_tb(error.__traceback__)
                  if f.filename.endswith(".j2")]
        if frames:
            where, line = display_path(Path(frames[-1].filename)), frames[-1].lineno or 1
    return Problem(where, line, 1, f"fel i mallen: {template_message(error)}", "mall.fel")


def template_message(error: Exception) -> str:
    """Jinja's message; the sandbox's refusal in Swedish, without Python's names."""
    from jinja2.sandbox import SecurityError

    if isinstance(error, SecurityError):
        return ("mallen försöker nå Pythons inre delar, och det får en mall inte; mallar körs "
                "i en sandlåda")
    return getattr(error, "message", None) or str(error)


def _unknown_theme(name: str, project: Path) -> AnswerError:
    return AnswerError([Problem(display_path(project / "templates"), 1, 1,
                                f"profilen '{name}' finns inte; kända profiler: "
                                + ", ".join(known_themes(project)), "tema.okänt")])
