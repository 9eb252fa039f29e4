"""Semantic HTML → PDF with WeasyPrint and the theme's print CSS."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..brand import brand_css
from ..theme import Theme, fill


@contextmanager
def _libraries_from_linker_cache() -> Iterator[None]:
    """Library lookups answered from one reading of the dynamic linker's cache.

    WeasyPrint tries six names for each of its seven libraries, and cffi asks
    ctypes.util.find_library about every name that does not load as written; on Linux
    each such question starts ldconfig, gcc and ld, 0.2 s of every PDF build's start.
    The same question is answered here the way ctypes asks ldconfig, from a single
    ``ldconfig -p``; a name the cache does not hold is not found, and WeasyPrint goes
    on to its next name, which dlopen loads as written (LD_LIBRARY_PATH included).
    """
    import ctypes.util

    if sys.platform != "linux":
        yield
        return
    try:
        listing = subprocess.run(["/sbin/ldconfig", "-p"], capture_output=True, check=True,
                                 env={"LC_ALL": "C", "LANG": "C"}, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        listing = b""
    if not listing:
        yield
        return
    abi = {"x86_64": "libc6,x86-64", "aarch64": "libc6,AArch64", "ppc64le": "libc6,64bit",
           "s390x": "libc6,64bit"}.get(os.uname().machine, "libc6")

    def find_library(name: str) -> str | None:
        found = re.search(rb"\s+(lib%s\.[^\s]+)\s+\(%s" % (re.escape(name).encode(),
                                                          abi.encode()), listing)
        return os.fsdecode(found.group(1)) if found else None

    original = ctypes.util.find_library
    ctypes.util.find_library = find_library
    try:
        yield
    finally:
        ctypes.util.find_library = original


def _load_when_used(name: str) -> None:
    """The module `name` imported now, and its code run when an attribute of it is first
    read (importlib's LazyLoader).

    WeasyPrint imports fontTools' subsetter at its start (0.015 s of every process that
    lays out a PDF, beyond what fontTools' other modules cost) and uses it only where
    HarfBuzz cannot subset a font."""
    import importlib.util

    if name in sys.modules:
        return
    try:
        spec = importlib.util.find_spec(name)
    except ImportError:
        return
    if spec is None or spec.loader is None:
        return
    spec.loader = importlib.util.LazyLoader(spec.loader)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    parent, _, child = name.rpartition(".")
    setattr(sys.modules[parent], child, module)


# WeasyPrint costs most of a second to import: it is imported here, and only this module
# imports it, so commands that write no PDF never pay for it.
_load_when_used("fontTools.subset")
with _libraries_from_linker_cache():
    import weasyprint  # noqa: E402  isort: skip
from weasyprint.text.fonts import FontConfiguration  # noqa: E402  isort: skip
from weasyprint.urls import URLFetcher, URLFetchingError  # noqa: E402  isort: skip


class LocalFetcher(URLFetcher):
    """Lets WeasyPrint read files inside the allowed folders only: no network, no other file."""

    def __init__(self, allowed: list[Path]):
        super().__init__(allowed_protocols=["file", "data"])
        self.allowed = [folder.resolve() for folder in allowed]

    def fetch(self, url: str, headers: Any = None):
        if url.startswith("file:"):
            from urllib.parse import unquote, urlparse

            path = Path(unquote(urlparse(url).path)).resolve()
            if not any(path.is_relative_to(folder) for folder in self.allowed):
                raise URLFetchingError(f"utanför projektet: {url}")
        elif not url.startswith("data:"):
            raise URLFetchingError(f"nätverksadresser hämtas inte: {url}")
        return super().fetch(url, headers)


@lru_cache(maxsize=16)
def _font_faces(font_files: tuple[Path, ...]) -> str:
    """@font-face rules for the theme's font files, named from their own name tables."""
    from fontTools.ttLib import TTFont

    rules = []
    for path in font_files:
        font = TTFont(path, lazy=True)
        family = font["name"].getBestFamilyName()
        weight = font["OS/2"].usWeightClass
        italic = bool(font["OS/2"].fsSelection & 1)
        font.close()
        rules.append(
            f'@font-face {{ font-family: "{family}"; src: url("{path.as_uri()}"); '
            f'font-weight: {weight}; font-style: {"italic" if italic else "normal"}; }}')
    return "\n".join(rules)


def _page_number_content(pattern: str) -> str:
    """'Sida {sida} ({sidor})' → the CSS content value with page counters."""
    parts = []
    for i, chunk in enumerate(pattern.replace("{sidor}", "\0sidor\0")
                              .replace("{sida}", "\0sida\0").split("\0")):
        if i % 2:
            parts.append("counter(pages)" if chunk == "sidor" else "counter(page)")
        elif chunk:
            parts.append('"' + chunk.replace("\\", "\\\\").replace('"', '\\"') + '"')
    return " ".join(parts) or '""'


def profile_css(theme: Theme, settings: dict[str, Any]) -> str:
    """The CSS a profile's settings stand for: fonts, font size, page numbers."""
    fonts = settings.get("typsnitt", {})
    numbering = fill(settings.get("sidnumrering", "Sida {sida} ({sidor})"), {})
    return "\n".join([
        _font_faces(tuple(theme.files("fonts", "*.[ot]tf"))),
        ":root {",
        f'  --brodfont: "{fonts.get("brödtext", "Liberation Serif")}", serif;',
        f'  --rubrikfont: "{fonts.get("rubriker", "Liberation Sans")}", sans-serif;',
        f'  --storlek: {fonts.get("storlek", "11pt")};',
        "}",
        f"@page {{ @bottom-right {{ content: {_page_number_content(numbering)}; }} }}",
        "@page omslag { @bottom-right { content: none; } }",
        brand_css(theme.brand),
    ])


_FONT_CONFIG: FontConfiguration | None = None
_STYLESHEETS: dict[tuple, list[weasyprint.CSS]] = {}


def _stylesheets(theme: Theme, settings: dict[str, Any]) -> list[weasyprint.CSS]:
    """Parsed once per theme and profile: CSS parsing is paid once a batch, not per document."""
    global _FONT_CONFIG
    if _FONT_CONFIG is None:
        _FONT_CONFIG = FontConfiguration()
    css_files = tuple(theme.files("css", "*.css"))
    key = (tuple(theme.folders), css_files, profile_css(theme, settings))
    if key not in _STYLESHEETS:
        fetcher = LocalFetcher([*theme.folders, *(f.path.parent for f in theme.brand.fonts)])
        sheets = [weasyprint.CSS(string=key[2], font_config=_FONT_CONFIG, url_fetcher=fetcher)]
        sheets += [weasyprint.CSS(filename=str(f), font_config=_FONT_CONFIG, url_fetcher=fetcher)
                   for f in css_files]
        _STYLESHEETS[key] = sheets
    return _STYLESHEETS[key]


# What a statement's first page has: Swedish text hyphenated in a narrow column, the
# built-in fonts in bold and italic, a flex header, a table and a vector logo.
_WARM_HTML = """<!DOCTYPE html><html lang="sv-SE"><head><meta charset="utf-8"><title>-</title>
<style>body { font: 11pt "Liberation Serif"; hyphens: auto } h1 { font-family:
"Liberation Sans" } header { display: flex; justify-content: space-between }
p { width: 25mm; text-align: justify }</style></head><body><header><img alt="logotyp"
src="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' width='40' height='20'%3E
%3Crect width='40' height='20' fill='%231f4e79'/%3E%3C/svg%3E"><div>Dnr 1.2</div></header>
<h1>Tjänsteutlåtande</h1><p>Socialförvaltningens verksamhetsuppföljning <b>föreslår</b>
att <i>socialnämnden</i> godkänner redovisningen.</p><table><thead><tr><th>År</th></tr>
</thead><tbody><tr><td>2024</td></tr></tbody></table></body></html>"""


def warm() -> None:
    """Lay out a tagged page once: fontconfig, the hyphenation dictionary and cffi's C
    types, which WeasyPrint reads at its first document, are read now (the output is
    not kept, and no state it leaves changes a later document's bytes)."""
    global _FONT_CONFIG
    if _FONT_CONFIG is None:
        _FONT_CONFIG = FontConfiguration()
    weasyprint.HTML(string=_WARM_HTML).write_pdf(font_config=_FONT_CONFIG,
                                                 **archive_options("pdf/a-2a", None))


def clear_caches() -> None:
    """Forget parsed stylesheets and fonts, so that edited theme files are read again."""
    global _FONT_CONFIG
    _STYLESHEETS.clear()
    _font_faces.cache_clear()
    _FONT_CONFIG = None


def write_pdf(html: str, theme: Theme, settings: dict[str, Any], project: Path,
              options: dict[str, Any] | None = None) -> bytes:
    """The PDF's bytes; the same HTML and theme always give the same bytes."""
    stylesheets = _stylesheets(theme, settings)
    document = weasyprint.HTML(string=html, base_url=str(project.resolve()) + "/",
                               url_fetcher=LocalFetcher([project, *theme.folders]))
    identifier = hashlib.sha256(html.encode()).hexdigest()[:32].encode()
    return document.write_pdf(stylesheets=stylesheets, font_config=_FONT_CONFIG,
                              pdf_identifier=identifier, **(options or {}))


def supported_variants() -> list[str]:
    """The PDF/A and PDF/UA variants the installed WeasyPrint writes (``pdf_variant``)."""
    from weasyprint.pdf import VARIANTS

    # Not PDF/X: it is for print production, and pdf/x-4 and pdf/x-5g put a random
    # DocumentID in the metadata, so the same input would not give the same bytes.
    return [name for name in VARIANTS if name.startswith(("pdf/a-", "pdf/ua-"))]


def embeds_source(variant: str) -> bool:
    """Whether a variant may carry the answer file: PDF/A-3 and later, and PDF/UA.

    PDF/A-1 forbids embedded files and PDF/A-2 allows only PDF/A files in them (WeasyPrint
    drops any other), so those variants are written without the source.
    """
    if variant.startswith("pdf/a-"):
        return int(variant.removeprefix("pdf/a-")[0]) >= 3
    return True


def archive_options(variant: str, source: tuple[str, bytes] | None,
                    created: Any = None) -> dict[str, Any]:
    """WeasyPrint options for a tagged PDF of `variant` with the answer file embedded.

    `source` is (file name, bytes) of the answer; `created` (a datetime) dates the
    attachment, so the same answer always gives the same bytes.
    """
    import base64
    import datetime as dt

    options: dict[str, Any] = {"pdf_variant": variant, "pdf_tags": True}
    if source is not None and embeds_source(variant):
        name, data = source
        stamp = created or dt.datetime(2000, 1, 1)
        # A data: URL fixes the media type; guessed from the name it would depend on the
        # machine's mime.types.
        url = "data:application/yaml;base64," + base64.b64encode(data).decode("ascii")
        options["attachments"] = [weasyprint.Attachment(
            url=url, url_fetcher=LocalFetcher([]), name=name, created=stamp, modified=stamp,
            description="Svarsfilen som dokumentet byggdes av", relationship="Source")]
    return options


def heading_pages(pdf: bytes) -> dict[str, int]:
    """Each bookmark's title → the 1-based page it points to (the first, if repeated)."""
    import io

    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    pages: dict[str, int] = {}

    def walk(items) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                pages.setdefault(" ".join(item.title.split()),
                                 reader.get_destination_page_number(item) + 1)

    walk(reader.outline)
    return pages


class UnreadableAppendix(Exception):
    """Appendix number `index` (0-based among those with files) is no readable PDF."""

    def __init__(self, index: int, reason: str):
        super().__init__(reason)
        self.index, self.reason = index, reason


def append_appendices(statement: bytes | None,
                      appendices: list[tuple[str | None, Path]]) -> bytes:
    """The statement (or nothing) followed by each appendix PDF, tags merged (pdfmerge).

    An appendix with a title gets a bookmark "Bilaga N: titel" at its first page, and its
    pages, if it has no tags, are marked with the title for `verify`.
    """
    import io

    import pikepdf

    from ..pdfmerge import Mark, TaggedMerge
    from ..pdfsafety import strip_active

    base = pikepdf.open(io.BytesIO(statement)) if statement else None
    with TaggedMerge(base) as merge:
        marks = []
        for index, (title, path) in enumerate(appendices):
            first = _append_appendix(merge, index, title, path, strip_active)
            if title is not None:
                marks.append((first, [Mark(title, 0)]))
        merge.add_outline(marks)
        out = io.BytesIO()
        try:
            merge.save(out)
        except pikepdf.PdfError as exc:  # an object that could not be read until now
            raise UnreadableAppendix(len(appendices) - 1, str(exc)) from None
    return out.getvalue()


def _append_appendix(merge: Any, index: int, title: str | None, path: Path,
                     prepare: Any) -> int:
    """Append one appendix (`prepare` strips its active content: check() warned about
    it); its first page in the merged document."""
    import pikepdf

    try:
        with pikepdf.open(path) as probe:
            if probe.is_encrypted:
                raise UnreadableAppendix(index, "den är krypterad")
            if not len(probe.pages):
                raise UnreadableAppendix(index, "den har inga sidor")
        return merge.append(path, title, prepare)[0]
    except pikepdf.PasswordError:
        raise UnreadableAppendix(index, "den är krypterad") from None
    except (pikepdf.PdfError, OSError, ValueError, KeyError) as exc:
        raise UnreadableAppendix(index, str(exc) or type(exc).__name__) from None
