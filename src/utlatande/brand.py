"""A profile's own look: `_brand.yml` (logo, colours, fonts) and its Word template, checked.

`_brand.yml` is read with posit's `brand-yml` package (the format Quarto reads); the same
file is read with ruamel.yaml (load.py) so that every problem names its line and column.
A child profile's `_brand.yml` overrides its parent's, field by field. Nothing a brand
file names may lie outside the project or on the network.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from .errors import WARNING, AnswerError, Problem, display_path
from .fontname import family_name
from .load import KeyPath, Loaded, load_yaml

BRAND_FILE = "_brand.yml"
WORD_TEMPLATES = ("word-mall.docx", "word-mall.dotx")
MACRO_TEMPLATES = ("word-mall.docm", "word-mall.dotm")
# A logo, a font or a Word template larger than this is a mistake, not a letterhead.
MAX_FILE_BYTES = 20 * 1024 * 1024
IMAGE_FORMATS = {".svg": "svg", ".png": "png", ".jpg": "jpeg", ".jpeg": "jpeg"}
FONT_SUFFIXES = {".ttf", ".otf", ".woff", ".woff2"}
# The Word styles the DOCX writer uses; a template without one gets python-docx's own.
WORD_STYLES = ("Normal", "Title", "Subtitle", "Heading 1", "Heading 2", "Heading 3",
               "List Number", "List Bullet", "Header", "Footer", "Table Grid", "Quote")
_WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_WORD_TEMPLATE_MAIN = ("application/vnd.openxmlformats-officedocument.wordprocessingml"
                       ".template.main+xml")
_SIZE = re.compile(r"^\d+(\.\d+)?(pt|px|mm|cm|em|rem|%)$")
_LINE_HEIGHT = re.compile(r"^\d+(\.\d+)?(pt|px|mm|em|%)?$")
_WEIGHTS = {"thin": 100, "extra-light": 200, "ultra-light": 200, "light": 300, "normal": 400,
            "regular": 400, "medium": 500, "semi-bold": 600, "demi-bold": 600, "bold": 700,
            "extra-bold": 800, "ultra-bold": 800, "black": 900}
_SVG_NS = "http://www.w3.org/2000/svg"
_CSS_URL = re.compile(r"url\(\s*['\"]?\s*([^'\")\s]*)", re.IGNORECASE)


@dataclass(frozen=True)
class Logo:
    """A logo image file, checked: inside the project, readable, of a known format."""

    path: Path
    alt: str | None
    format: str  # svg, png or jpeg


@dataclass(frozen=True)
class FontFile:
    """One font file of a family the brand names."""

    family: str
    path: Path
    weight: int
    style: str  # normal or italic


@dataclass(frozen=True)
class Brand:
    """The look a profile chain gives its documents; every field is optional."""

    name: str | None = None
    logo: Logo | None = None  # page 1's letterhead: large, else medium, else small
    small_logo: Logo | None = None  # later pages' running header: small, else medium, large
    colors: dict[str, str] = field(default_factory=dict)  # role -> "#rrggbb"
    fonts: tuple[FontFile, ...] = ()
    base_family: str | None = None
    heading_family: str | None = None
    monospace_family: str | None = None
    base_size: str | None = None
    line_height: str | None = None
    heading_weight: int | None = None
    heading_role: str = "primary"  # the colour role headings take
    word_template: Path | None = None
    files: tuple[Path, ...] = ()  # every file read, for the build's dependencies
    warnings: tuple[Problem, ...] = ()

    @property
    def heading_color(self) -> str | None:
        return self.colors.get(self.heading_role)


@dataclass
class _Layer:
    """One `_brand.yml` as read, before the chain is merged."""

    values: dict[str, Any] = field(default_factory=dict)
    # family -> where a role names it, to report a family without a file
    families: list[tuple[str, Loaded, KeyPath]] = field(default_factory=list)


def read_brand(folders: list[Path], project: Path) -> Brand:
    """The brand of a theme chain (most specific folder first); AnswerError on any mistake."""
    problems: list[Problem] = []
    merged: dict[str, Any] = {}
    fonts: list[FontFile] = []
    families: list[tuple[str, Loaded, KeyPath]] = []
    files: list[Path] = []
    roots = _allowed_roots(folders, project)
    for folder in reversed(folders):  # the parent first, so the child's values win
        path = folder / BRAND_FILE
        if not path.is_file():
            continue
        files.append(path)
        try:
            layer = _read_layer(path, roots)
        except AnswerError as error:
            problems.extend(error.problems)
            continue
        layer_fonts = layer.values.pop("fonts", ())
        fonts.extend(layer_fonts)
        merged.update({k: v for k, v in layer.values.items() if k != "colors"})
        merged["colors"] = {**merged.get("colors", {}), **layer.values.get("colors", {})}
        families.extend(layer.families)
    problems.extend(_families_without_files(families, fonts, folders))
    template, warnings = None, []
    try:
        template, warnings = _word_template(folders)
    except AnswerError as error:
        problems.extend(error.problems)
    if problems:
        raise AnswerError(problems)
    files += [f.path for f in fonts]
    for key in ("logo", "small_logo"):
        if merged.get(key):
            files.append(merged[key].path)
    if template:
        files.append(template)
    return Brand(**merged, fonts=tuple(fonts), word_template=template,
                 files=tuple(dict.fromkeys(files)), warnings=tuple(warnings))


def _allowed_roots(folders: list[Path], project: Path) -> list[Path]:
    return [project.resolve(), *(f.resolve() for f in folders)]


def _read_layer(path: Path, roots: list[Path]) -> _Layer:
    """One `_brand.yml`: validated by brand-yml, then its files and values checked."""
    loaded = load_yaml(path)
    if not isinstance(loaded.data, dict):
        raise AnswerError([loaded.problem((), "_brand.yml ska vara en tabell med nycklar "
                                          "(meta, logo, color, typography)", "brand.inte_tabell")])
    model = _validated(loaded)
    layer = _Layer()
    problems: list[Problem] = []
    name = _meta_name(model)
    if name:
        layer.values["name"] = name
    problems += _read_logos(model, loaded, roots, layer)
    problems += _read_colors(model, loaded, layer)
    problems += _read_typography(model, loaded, roots, layer)
    if problems:
        raise AnswerError(problems)
    return layer


def _validated(loaded: Loaded) -> Any:
    """The brand-yml model of the file; its validation errors at their line and column."""
    import pydantic
    from brand_yml import Brand as BrandModel

    data = dict(loaded.data)
    data["path"] = loaded.path.resolve()
    try:
        return BrandModel.model_validate(data)
    except pydantic.ValidationError as exc:
        raise AnswerError([_validation_problem(loaded, error) for error in exc.errors()]) \
            from None
    except (ValueError, TypeError) as exc:
        raise AnswerError([loaded.problem((), f"_brand.yml kan inte läsas ({exc})",
                                          "brand.ogiltig")]) from None


def _validation_problem(loaded: Loaded, error: Any) -> Problem:
    location = tuple(part for part in error.get("loc", ()) if isinstance(part, str | int))
    shown = ".".join(str(part) for part in location if not str(part)[:1].isupper())
    message = str(error.get("msg", "")).removeprefix("Value error, ")
    return loaded.problem(location, f"ogiltigt värde för '{shown or 'filen'}' i _brand.yml "
                          f"({message})", "brand.ogiltig")


def _meta_name(model: Any) -> str | None:
    name = getattr(model.meta, "name", None) if model.meta else None
    if name is None or isinstance(name, str):
        return name
    return getattr(name, "full", None) or getattr(name, "short", None)


# -- logos ---------------------------------------------------------------------------------
def _read_logos(model: Any, loaded: Loaded, roots: list[Path], layer: _Layer) -> list[Problem]:
    """The letterhead logo (large > medium > small) and the running header's (small first)."""
    logo = model.logo
    if logo is None:
        return []
    problems: list[Problem] = []
    sizes: dict[str, Logo] = {}
    if not hasattr(logo, "images"):  # `logo: file.svg`, one resource for every size
        found = _logo(logo, loaded, ("logo",), roots, problems)
        if found:
            sizes = {"large": found}
    else:
        for size in ("small", "medium", "large"):
            resource = getattr(logo, size)
            if resource is not None:
                found = _logo(resource, loaded, ("logo", size), roots, problems)
                if found:
                    sizes[size] = found
    if sizes:
        layer.values["logo"] = next(sizes[s] for s in ("large", "medium", "small") if s in sizes)
        layer.values["small_logo"] = next(sizes[s] for s in ("small", "medium", "large")
                                          if s in sizes)
    return problems


def _logo(resource: Any, loaded: Loaded, where: KeyPath, roots: list[Path],
          problems: list[Problem]) -> Logo | None:
    if hasattr(resource, "light"):  # light and dark variants: paper is light
        resource = resource.light or resource.dark
    location = resource.path
    text = str(getattr(location, "root", location))
    path, problem = _local_file(text, loaded, (*where, "path") if _has(loaded, where, "path")
                                else where, roots, "logotypen")
    if problem:
        problems.append(problem)
        return None
    assert path is not None
    image_format = IMAGE_FORMATS.get(path.suffix.lower())
    at = (*where, "path") if _has(loaded, where, "path") else where
    if image_format is None:
        problems.append(loaded.problem(at, f"logotypen '{text}' ska vara en SVG-, PNG- eller "
                                       "JPEG-fil", "brand.bildformat"))
        return None
    reason = svg_problem(path) if image_format == "svg" else bitmap_problem(path, image_format)
    if reason:
        problems.append(loaded.problem(at, f"logotypen '{text}' {reason}", "brand.bild"))
        return None
    return Logo(path=path, alt=resource.alt, format=image_format)


def _has(loaded: Loaded, where: KeyPath, key: str) -> bool:
    return (*where, key) in loaded.values


def _local_file(text: str, loaded: Loaded, where: KeyPath, roots: list[Path],
                what: str) -> tuple[Path | None, Problem | None]:
    """A file a brand names: relative to the brand file, inside the project, not too large."""
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", text) or text.startswith("//"):
        return None, loaded.problem(where, f"{what} '{text}' är en nätadress; filer hämtas "
                                    "aldrig från nätet, lägg filen i profilens mapp",
                                    "brand.nätadress")
    path = (loaded.path.parent / text).resolve()
    if not any(path.is_relative_to(root) for root in roots):
        return None, loaded.problem(where, f"{what} '{text}' ligger utanför projektet; lägg "
                                    "filen i profilens mapp", "brand.utanför")
    if not path.is_file():
        return None, loaded.problem(where, f"{what} '{text}' finns inte (sökt i "
                                    f"{display_path(path)})", "brand.saknas")
    if path.stat().st_size > MAX_FILE_BYTES:
        megabytes = path.stat().st_size / 1024 / 1024
        return None, loaded.problem(where, f"{what} '{text}' är {megabytes:.0f} MB; största "
                                    "tillåtna storlek är 20 MB", "brand.för_stor")
    return path, None


def svg_problem(path: Path) -> str | None:
    """Why an SVG cannot be a logo: unreadable, or it names other files or the network."""
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        root = etree.parse(str(path), parser).getroot()
    except etree.XMLSyntaxError as exc:
        return f"kan inte läsas som SVG (XML-fel på rad {exc.lineno})"
    except OSError as exc:
        return f"kan inte läsas ({exc.strerror or exc})"
    if root.tag != f"{{{_SVG_NS}}}svg":
        return "är ingen SVG-bild (rotelementet är inte <svg>)"
    if root.getroottree().docinfo.internalDTD is not None:
        return "har en DOCTYPE med egna entiteter; ta bort den"
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        for name, value in element.attrib.items():
            local = name.rsplit("}", 1)[-1]
            if local in ("href", "src") and not value.strip().startswith(("#", "data:")):
                return f"hänvisar till en annan fil eller nätadress ('{value}'); en logotyp " \
                       "ska vara en enda fil"
            if local == "style" and _external_css(value):
                return f"hänvisar till en annan fil eller nätadress i en stil ('{value}')"
        if element.tag == f"{{{_SVG_NS}}}style" and _external_css(element.text or ""):
            return "hänvisar till en annan fil eller nätadress i <style>"
    return None


def _external_css(css: str) -> bool:
    if "@import" in css.lower():
        return True
    return any(not url.startswith(("#", "data:")) for url in _CSS_URL.findall(css))


def bitmap_problem(path: Path, image_format: str) -> str | None:
    import warnings

    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                found = (image.format or "").lower()
                image.verify()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombWarning,
            Image.DecompressionBombError) as exc:
        return f"kan inte läsas som bild ({exc})"
    if found != image_format:
        return f"är ingen {image_format.upper()}-bild (filen är {found.upper() or 'okänd'})"
    return None


# -- colours -------------------------------------------------------------------------------
_COLOR_ROLES = ("primary", "secondary", "tertiary", "foreground", "background")


def _read_colors(model: Any, loaded: Loaded, layer: _Layer) -> list[Problem]:
    """The semantic colours and the headings' colour, each as #rrggbb."""
    problems: list[Problem] = []
    colors: dict[str, str] = {}
    color = model.color
    if color is not None:
        for name, value in (color.palette or {}).items():
            _color(value, loaded, ("color", "palette", name), problems)
        for role in _COLOR_ROLES:
            value = getattr(color, role, None)
            if value is not None:
                found = _color(value, loaded, ("color", role), problems)
                if found:
                    colors[role] = found
    headings = model.typography.headings if model.typography else None
    written = _raw(loaded, ("typography", "headings", "color"))
    if written in _COLOR_ROLES:
        # "color: primary" follows the chain's primary colour, a child's too.
        layer.values["heading_role"] = written
    elif headings is not None and getattr(headings, "color", None):
        found = _color(headings.color, loaded, ("typography", "headings", "color"), problems)
        if found:
            colors["headings"] = found
            layer.values["heading_role"] = "headings"
    if colors:
        layer.values["colors"] = colors
    return problems


def _raw(loaded: Loaded, key_path: KeyPath) -> Any:
    """The value at `key_path` as written in the file, or None."""
    value = loaded.data
    for key in key_path:
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value


def _color(value: Any, loaded: Loaded, where: KeyPath, problems: list[Problem]) -> str | None:
    found = css_color(str(value))
    if found is None:
        problems.append(loaded.problem(where, f"'{value}' är ingen färg; skriv den som "
                                       "#1f4e79, rgb(31, 78, 121) eller ett namn i "
                                       "color.palette", "brand.färg"))
    return found


def css_color(text: str) -> str | None:
    """A CSS colour as #rrggbb (opaque), or None when it is no colour."""
    import tinycss2.color3

    parsed = tinycss2.color3.parse_color(text.strip())
    if parsed is None or parsed == "currentColor" or not hasattr(parsed, "red"):
        return None
    return "#" + "".join(f"{round(channel * 255):02x}"
                         for channel in (parsed.red, parsed.green, parsed.blue))


# -- typography ----------------------------------------------------------------------------
def _read_typography(model: Any, loaded: Loaded, roots: list[Path],
                     layer: _Layer) -> list[Problem]:
    typography = model.typography
    if typography is None:
        return []
    problems: list[Problem] = []
    fonts: list[FontFile] = []
    for index, source in enumerate(typography.fonts or ()):
        kind = getattr(source, "source", "system")
        where: KeyPath = ("typography", "fonts", index)
        if kind in ("google", "bunny"):
            problems.append(loaded.problem(where, f"typsnittet '{source.family}' ska hämtas "
                                           f"från nätet ({kind}); lägg typsnittsfilerna i "
                                           "profilens fonts/ och skriv source: file",
                                           "brand.nätadress"))
        elif kind == "file":
            fonts.extend(_font_files(source, loaded, where, roots, problems))
    layer.values["fonts"] = tuple(fonts)
    for role, key in (("base", "base_family"), ("headings", "heading_family"),
                      ("monospace", "monospace_family")):
        options = getattr(typography, role, None)
        family = getattr(options, "family", None) if options is not None else None
        if family:
            layer.values[key] = family
            at = ("typography", role, "family") if _has(loaded, ("typography", role),
                                                         "family") else ("typography", role)
            layer.families.append((family, loaded, at))
    base = typography.base
    if base is not None:
        problems += _lengths(base, loaded, layer)
    headings = typography.headings
    weight = getattr(headings, "weight", None) if headings is not None else None
    if weight is not None:
        layer.values["heading_weight"] = _weight(weight)
    return problems


def _lengths(base: Any, loaded: Loaded, layer: _Layer) -> list[Problem]:
    """The body's size and line height, only in forms that are safe to put into CSS."""
    problems = []
    size, line_height = getattr(base, "size", None), getattr(base, "line_height", None)
    if size is not None:
        if _SIZE.match(str(size).strip()):
            layer.values["base_size"] = str(size).strip()
        else:
            problems.append(loaded.problem(("typography", "base", "size"),
                                           f"'{size}' är ingen storlek; skriv till exempel "
                                           "11pt", "brand.storlek"))
    if line_height is not None:
        if _LINE_HEIGHT.match(str(line_height).strip()):
            layer.values["line_height"] = str(line_height).strip()
        else:
            problems.append(loaded.problem(("typography", "base", "line-height"),
                                           f"'{line_height}' är inget radavstånd; skriv till "
                                           "exempel 1.35", "brand.storlek"))
    return problems


def _weight(value: Any) -> int:
    value = getattr(value, "root", value)
    if isinstance(value, int):
        return value
    return _WEIGHTS.get(str(value).lower(), 400)


def _font_files(source: Any, loaded: Loaded, where: KeyPath, roots: list[Path],
                problems: list[Problem]) -> list[FontFile]:
    found = []
    for index, entry in enumerate(source.files or ()):
        text = str(getattr(entry.path, "root", entry.path))
        at = (*where, "files", index, "path")
        path, problem = _local_file(text, loaded, at, roots, "typsnittsfilen")
        if problem is None and path is not None and path.suffix.lower() not in FONT_SUFFIXES:
            problem = loaded.problem(at, f"typsnittsfilen '{text}' ska vara en .ttf-, .otf-, "
                                     ".woff- eller .woff2-fil", "brand.typsnitt")
        if problem is None and path is not None and font_family(path) is None:
            problem = loaded.problem(at, f"typsnittsfilen '{text}' kan inte läsas som "
                                     "typsnitt", "brand.typsnitt")
        if problem is not None:
            problems.append(problem)
            continue
        assert path is not None
        weight = getattr(entry.weight, "root", entry.weight)
        found.append(FontFile(family=source.family, path=path,
                              weight=_weight(weight) if weight != "auto" else 400,
                              style="italic" if entry.style == "italic" else "normal"))
    return found


@lru_cache(maxsize=256)
def font_family(path: Path) -> str | None:
    """The family name a font file gives itself, or None when it is no font."""
    return family_name(path)


def _families_without_files(families: list[tuple[str, Loaded, KeyPath]],
                            fonts: list[FontFile], folders: list[Path]) -> list[Problem]:
    """A family the brand uses must have a file: in the brand's fonts or a theme's fonts/."""
    known = {f.family.casefold() for f in fonts}
    for folder in folders:
        for path in sorted((folder / "fonts").glob("*")):
            if path.suffix.lower() in FONT_SUFFIXES:
                name = font_family(path)
                if name:
                    known.add(name.casefold())
    problems = []
    for family, loaded, where in families:
        if family.casefold() not in known:
            problems.append(loaded.problem(where, f"typsnittet '{family}' har ingen fil; lägg "
                                           "typsnittsfilen i profilens fonts/ och ange den "
                                           "under typography.fonts (source: file)",
                                           "brand.typsnitt_saknas"))
    return problems


# -- the Word template ---------------------------------------------------------------------
def _word_template(folders: list[Path]) -> tuple[Path | None, list[Problem]]:
    """The most specific folder's word-mall.docx/.dotx, checked; a macro template refused."""
    for folder in folders:
        for name in MACRO_TEMPLATES:
            if (folder / name).exists():
                raise AnswerError([Problem(display_path(folder / name), 1, 1,
                                           "Word-mallar med makron används inte; spara mallen "
                                           "som word-mall.docx eller word-mall.dotx utan makron",
                                           "brand.makro")])
        for name in WORD_TEMPLATES:
            path = folder / name
            if path.is_file():
                check_word_template(path)
                return path, missing_styles(path)
    return None, []


def check_word_template(path: Path) -> None:
    """A Word template must be a DOCX or DOTX package without macros, at most 20 MB."""
    shown = display_path(path)

    def fail(message: str, code: str) -> AnswerError:
        return AnswerError([Problem(shown, 1, 1, message, code)])

    if path.stat().st_size > MAX_FILE_BYTES:
        raise fail("Word-mallen är större än 20 MB", "brand.för_stor")
    try:
        with zipfile.ZipFile(path) as package:
            names = set(package.namelist())
            types = package.read("[Content_Types].xml").decode("utf-8", "replace") \
                if "[Content_Types].xml" in names else ""
    except (zipfile.BadZipFile, OSError) as exc:
        raise fail(f"Word-mallen är ingen DOCX-fil ({exc}); spara den i Word som "
                   "Word-dokument (.docx) eller Word-mall (.dotx)", "brand.word") from None
    if any(n.lower().endswith("vbaproject.bin") for n in names) or "macroEnabled" in types:
        raise fail("Word-mallen innehåller makron; spara den som .docx eller .dotx utan "
                   "makron", "brand.makro")
    if _WORD_MAIN not in types and _WORD_TEMPLATE_MAIN not in types:
        raise fail("Word-mallen är ingen DOCX-fil (den saknar ett Word-dokument); spara den "
                   "i Word som Word-dokument (.docx) eller Word-mall (.dotx)", "brand.word")


def open_word_template(path: Path) -> Any:
    """The template as a python-docx Document; a .dotx is read as the document it starts."""
    import io

    import docx

    data = path.read_bytes()
    if path.suffix.lower() == ".dotx":
        data = _as_document(data)
    return docx.Document(io.BytesIO(data))


def _as_document(data: bytes) -> bytes:
    """A .dotx package with the main part's content type of a .docx (python-docx opens no
    templates; the parts are the same)."""
    import io

    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info.filename)
            if info.filename == "[Content_Types].xml":
                content = content.replace(_WORD_TEMPLATE_MAIN.encode(), _WORD_MAIN.encode())
            target.writestr(info, content)
    return out.getvalue()


def missing_styles(path: Path) -> list[Problem]:
    """A warning at the template for each style we use that it lacks (added from defaults)."""
    try:
        document = open_word_template(path)
    except Exception as exc:  # noqa: BLE001  python-docx raises many kinds for a bad package
        raise AnswerError([Problem(display_path(path), 1, 1, f"Word-mallen kan inte läsas "
                                   f"({exc})", "brand.word")]) from None
    names = {style.name for style in document.styles}
    return [Problem(display_path(path), 1, 1, f"Word-mallen saknar formatmallen '{name}'; "
                    "den läggs till med standardutseendet", "brand.formatmall_saknas",
                    WARNING)
            for name in WORD_STYLES if name not in names]


def brand_problems(theme: Any) -> list[Problem]:
    """Everything wrong with a theme's brand as problems (errors, or the template's warnings)."""
    try:
        return list(theme.brand.warnings)
    except AnswerError as error:
        return list(error.problems)


# -- the brand as CSS (the PDF) ------------------------------------------------------------
def css_string(text: str) -> str:
    """A CSS string literal: quotes, backslashes and line ends escaped, so a name stays one."""
    escaped = "".join(ch if ch not in '"\\\n\r\f' else f"\\{ord(ch):x} " for ch in text)
    return f'"{escaped}"'


def brand_css(brand: Brand) -> str:
    """The CSS a brand stands for: its fonts, sizes and colours over the neutral theme's.

    Every value here was checked when the brand was read (colours re-written as #rrggbb,
    sizes by pattern, names quoted), so a brand file cannot add CSS of its own.
    """
    rules = [f"@font-face {{ font-family: {css_string(f.family)}; "
             f"src: url({css_string(f.path.as_uri())}); "
             f"font-weight: {f.weight}; font-style: {f.style}; }}" for f in brand.fonts]
    root = []
    if brand.base_family:
        root.append(f"--brodfont: {css_string(brand.base_family)}, serif;")
    if brand.heading_family:
        root.append(f"--rubrikfont: {css_string(brand.heading_family)}, sans-serif;")
    if brand.base_size:
        root.append(f"--storlek: {brand.base_size};")
    if root:
        rules.append(":root { " + " ".join(root) + " }")
    if brand.monospace_family:
        rules.append(f"pre, code {{ font-family: {css_string(brand.monospace_family)}, "
                     "monospace; }")
    if brand.line_height:
        rules.append(f"body {{ line-height: {brand.line_height}; }}")
    colors = brand.colors
    if colors.get("foreground"):
        rules.append(f"body {{ color: {colors['foreground']}; }}")
    if brand.heading_color:
        rules.append(f"h1, h2, h3, h4, .brevhuvud .organisation, .forsattsblad .organisation "
                     f"{{ color: {brand.heading_color}; }}")
    if brand.heading_weight:
        rules.append(f"h1, h2, h3 {{ font-weight: {brand.heading_weight}; }}")
    primary = colors.get("primary")
    if primary:
        tint = mix(primary, "#ffffff", 0.18)
        rules += [
            f".brevhuvud {{ border-bottom: 1pt solid {primary}; padding-bottom: 3mm; }}",
            f".lopande-sidhuvud {{ border-bottom-color: {primary}; }}",
            f"blockquote {{ border-left-color: {primary}; }}",
            f"thead th {{ background: {tint}; border-bottom: 1pt solid {primary}; }}",
            f"table.attestering thead th {{ background: none; border-bottom-color: {primary}; }}",
        ]
    return "\n".join(rules)


def mix(color: str, other: str, share: float) -> str:
    """`share` of `color` over `other`, both #rrggbb: a tint for a table's header row."""
    channels = []
    for i in (1, 3, 5):
        a, b = int(color[i:i + 2], 16), int(other[i:i + 2], 16)
        channels.append(round(a * share + b * (1 - share)))
    return "#" + "".join(f"{c:02x}" for c in channels)
