"""Images in answer text (![beskrivning](karta.png "Bildtext")): each checked where it is written.

An image is printed only when it lies inside the project, is a real PNG, JPEG or GIF file
under MAX_BYTES and has a description (the alt text a screen reader reads). Everything else
is an error at the image's line. Only paths checked here reach the writers.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

from .errors import Problem
from .load import KeyPath, Loaded, text_values

MAX_BYTES = 20 * 1024 * 1024

# The formats both writers print: WeasyPrint (through Pillow) and python-docx.
SIGNATURES = {b"\x89PNG\r\n\x1a\n": "PNG", b"\xff\xd8\xff": "JPEG", b"GIF87a": "GIF",
              b"GIF89a": "GIF"}


@dataclass(frozen=True)
class ImageRef:
    """One image as written in a text value: its address, description and where it stands."""

    src: str
    alt: str
    line: int
    column: int


# The values that are Markdown (schema.py: md_field); others print as typed, images too.
MARKDOWN_KEYS = {"sammanfattning", "text", "fråga", "svar", "förslag_till_beslut", "punkter"}


def _is_markdown(path: KeyPath) -> bool:
    named = [part for part in path if isinstance(part, str)]
    return bool(named) and named[-1] in MARKDOWN_KEYS


def _markdown_with_images(data: object) -> Iterator[tuple[KeyPath, str]]:
    """The Markdown text values that may hold an image."""
    for path, text in text_values(data):
        if "![" in text and _is_markdown(path):
            yield path, text


def _refs_in(text: str) -> Iterator[tuple[str, str, int]]:
    """(src, alt, line in the text) of every image the Markdown parser finds."""
    from .markdown import parser

    for token in parser().parse(text, {}):
        if token.type != "inline":
            continue
        first = token.map[0] if token.map else 0
        lines = token.content.split("\n")
        for child in token.children or []:
            if child.type == "image":
                alt = "".join(c.content for c in child.children or []) or child.content
                offset = next((i for i, line in enumerate(lines) if "![" in line
                               and alt in line), 0)
                yield str(child.attrGet("src") or ""), alt, first + offset


def image_refs(loaded: Loaded) -> list[ImageRef]:
    """Every image in the answer's text values, each at its line and column in the file."""
    refs = []
    source = loaded.source.splitlines()
    for path, text in _markdown_with_images(loaded.data):
        line, column = loaded.where(path)
        block = line - 1 < len(source) and source[line - 1].rstrip().endswith(("|", "|-", "|+"))
        for src, alt, offset in _refs_in(text):
            if block and line + offset < len(source):
                # A '|' text: its lines stand one below the other, after the '|' line.
                at = source[line + offset]
                refs.append(ImageRef(src, alt, line + 1 + offset, max(at.find("!["), 0) + 1))
            else:
                refs.append(ImageRef(src, alt, line, column))
    return refs


def _problem(loaded: Loaded, ref: ImageRef, message: str, code: str) -> Problem:
    return Problem(loaded.shown, ref.line, ref.column, message, code)


def image_problem(loaded: Loaded, ref: ImageRef, root: Path) -> tuple[Path | None, Problem | None]:
    """The checked file of one image, or what is wrong with it."""
    written = unquote(ref.src)
    if urlparse(ref.src).scheme:
        return None, _problem(loaded, ref, f"bilden '{written}' är en webbadress; spara bilden "
                              "i projektets mapp och skriv sökvägen dit", "bild.webb")
    path = (loaded.path.parent / written).resolve()
    if not path.is_relative_to(root):
        return None, _problem(loaded, ref, f"bilden '{written}' ligger utanför projektet; lägg "
                              "filen i projektets mapp", "bild.utanför")
    if not path.is_file():
        return None, _problem(loaded, ref, f"bilden '{written}' finns inte", "bild.saknas")
    if not ref.alt.strip():
        return None, _problem(loaded, ref, f"bilden '{written}' saknar beskrivning för den som "
                              f"inte ser den; skriv den inom hakparenteserna: ![Karta över "
                              f"området]({ref.src})", "bild.beskrivning")
    return _readable(loaded, ref, path, written)


def _readable(loaded: Loaded, ref: ImageRef, path: Path,
              written: str) -> tuple[Path | None, Problem | None]:
    """A real image file of a format both writers print, under the size limit."""
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        return None, _problem(loaded, ref, f"bilden '{written}' kan inte läsas ({exc.strerror})",
                              "bild.oläsbar")
    if size > MAX_BYTES:
        return None, _problem(loaded, ref, f"bilden '{written}' är {size / 2**20:.0f} MB; en "
                              "bild får vara högst 20 MB", "bild.för_stor")
    if not any(head.startswith(signature) for signature in SIGNATURES):
        return None, _problem(loaded, ref, f"bilden '{written}' är ingen PNG-, JPEG- eller "
                              "GIF-bild", "bild.inte_bild")
    try:
        from PIL import Image

        with Image.open(path) as image:
            image.verify()
    except Exception:  # noqa: BLE001 - any decoder failure is a broken file
        return None, _problem(loaded, ref, f"bilden '{written}' är skadad och kan inte visas; "
                              "spara om den som PNG eller JPEG", "bild.skadad")
    return path, None


def check_images(loaded: Loaded, project: Path) -> tuple[dict[str, Path], list[Problem]]:
    """Every image of the answer: the checked files by address as written, and the problems."""
    root = project.resolve()
    files: dict[str, Path] = {}
    problems: list[Problem] = []
    for ref in image_refs(loaded):
        path, problem = image_problem(loaded, ref, root)
        if problem is not None:
            problems.append(problem)
        elif path is not None:
            files[ref.src] = path
    return files, problems
