"""One answer → its PDF's pages as PNG images with their text, made by the pipeline as
`build` makes the PDF; and the files the render read, to watch."""

from __future__ import annotations

import hashlib
import io
import os
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import AnswerError, display_path
from ..theme import template_problem

if TYPE_CHECKING:
    from ..pipeline import Checked

DPI = 120  # 993 px wide: sharp on a 1.25× screen, cheap enough to redraw on every save
CSS_DPI = 96  # the browser's pixel: an A4 page is shown 794 px wide

Stamp = tuple[int, int, int] | None


class Superseded(BaseException):  # noqa: N818 - not an error: a newer save took over
    """Raised inside a render thread when a newer save makes its result stale.

    A BaseException, so that the `except Exception` blocks inside the libraries that
    render cannot swallow it.
    """


# -- rendering ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """One page of the PDF as an image: its key (hash of the raster), CSS size and text."""

    number: int
    key: str
    width: int
    height: int
    text: str


@dataclass
class Rendered:
    """What one render produced: problems, or the PDF with its pages; and what it read."""

    problems: list[str]
    title: str | None
    watched: set[Path]
    pdf: bytes | None = None
    pages: list[Page] = field(default_factory=list)
    images: dict[str, bytes] = field(default_factory=dict)
    seconds: float = 0.0


def stamp(path: Path) -> Stamp:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size, stat.st_ino


def _page_number(path: Path) -> int:
    return int(path.stem.rsplit("-", 1)[1])


def rasterize(pdf: bytes, known: dict[str, bytes]) -> tuple[list[Page], dict[str, bytes]]:
    """Every page of the PDF as PNG (pdftoppm), with its text (pdftotext).

    A page whose raster is in `known` (the previous render's) keeps its PNG and its URL,
    so the browser reloads only the pages that changed.
    """

    with tempfile.TemporaryDirectory(prefix="utlatande-serve-") as folder:
        source = Path(folder, "dokument.pdf")
        source.write_bytes(pdf)
        # The text is extracted on the other core while the pages are drawn.
        text_file = Path(folder, "text.txt")
        extract = subprocess.Popen(["pdftotext", "-enc", "UTF-8", str(source), str(text_file)],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            subprocess.run(["pdftoppm", "-r", str(DPI), str(source), str(Path(folder, "sida"))],
                           check=True, capture_output=True)
            pages, images = _encode(folder, known)
            _, errors = extract.communicate()
        finally:
            if extract.poll() is None:  # superseded: the newer render needs the core
                extract.kill()
                extract.wait()
        if extract.returncode:
            raise subprocess.CalledProcessError(extract.returncode, extract.args, stderr=errors)
        texts = text_file.read_text(encoding="utf-8", errors="replace").split("\f")
    return [Page(p.number, p.key, p.width, p.height,
                 " ".join(texts[p.number - 1].split()) if p.number <= len(texts) else "")
            for p in pages], images


def _encode(folder: str, known: dict[str, bytes]) -> tuple[list[Page], dict[str, bytes]]:
    """The rasters pdftoppm wrote, as PNG; a raster seen before keeps its PNG."""
    from PIL import Image

    pages: list[Page] = []
    images: dict[str, bytes] = {}
    rasters = sorted(Path(folder).glob("sida-*.ppm"), key=_page_number)
    for number, raster in enumerate(rasters, start=1):
        data = raster.read_bytes()
        key = hashlib.sha256(data).hexdigest()[:24]
        with Image.open(io.BytesIO(data)) as image:
            width, height = image.size
            if key in known:
                images[key] = known[key]
            else:
                out = io.BytesIO()
                # Level 1: a fifth of the time of the default for 10 % more bytes.
                image.save(out, "PNG", compress_level=1)
                images[key] = out.getvalue()
        pages.append(Page(number, key, round(width * CSS_DPI / DPI),
                          round(height * CSS_DPI / DPI), ""))
    return pages, images


def _watched(checked: Checked, project: Path, previous: set[Path]) -> set[Path]:
    """What the answer's pages are made from (as build has it), or, for an answer that is
    not valid, what can be known: its profile's files and folders."""
    from .. import pipeline
    from ..theme import load_theme

    paths = {checked.path}
    theme = checked.theme
    if theme is not None and checked.answer is not None:
        files, folders = pipeline.made_from(checked, project)  # what build goes by
        return paths | set(files) | set(folders)
    if theme is None and checked.loaded is None:
        # Unreadable YAML: the profile is unknown, keep watching what the last render read.
        return paths | previous
    if theme is None:
        templates = project / "templates"
        paths |= {templates, *templates.glob("*"), *templates.glob("*/tema.yaml")}
        theme = load_theme(None, project)
    # A file added to a folder changes its listing.
    return paths | {*theme.dependencies(), *theme.folder_tree()}


def _points_out(path: Path, project: Path) -> bool:
    """A file in the project that is a link to one outside it (an answer named outside the
    project is the user's own choice)."""
    given = Path(os.path.abspath(path))
    try:
        root = project.resolve()
        in_project = given.is_relative_to(Path(os.path.abspath(project))) or \
            given.is_relative_to(root)
        return in_project and not path.resolve().is_relative_to(root)
    except (OSError, RuntimeError):  # a symlink loop: check() says so
        return False


def render_answer(path: Path, project: Path, previous: set[Path],
                  known: dict[str, bytes]) -> Rendered:
    """Check the answer and, when it is valid, its PDF's pages; never raises on bad input."""
    import jinja2

    from .. import pipeline

    started = time.perf_counter()
    if _points_out(path, project):
        # The preview shows only the project's files: never one a symlink points out to.
        return Rendered([f"{display_path(path)}:1:1: fel: svarsfilen är en länk till en fil "
                         "utanför projektet; förhandsgranskningen visar bara projektets filer "
                         "[serve.utanför]"], None, {path})
    checked = pipeline.check(path, project)
    watched = _watched(checked, project, previous)
    title = checked.answer.rubrik if checked.answer else None
    problems = [str(p) for p in checked.problems if p.is_error]
    if not checked.ok:
        return Rendered(problems or [f"{display_path(path)}:1:1: fel: svarsfilen kan inte "
                                     "ritas [serve.ritning]"], title, watched)
    try:
        pdf = pipeline.statement_pdf(checked, project)
    except AnswerError as error:
        return Rendered([str(p) for p in error.problems], title, watched)
    except jinja2.TemplateError as error:
        return Rendered([str(template_problem(error))], title, watched)
    except Exception as error:  # noqa: BLE001 - a theme being edited must not stop the server
        return Rendered([f"{display_path(path)}:1:1: fel: dokumentet kunde inte ritas "
                         f"({type(error).__name__}: {error}) [serve.ritning]"], title, watched)
    pages, images = rasterize(pdf, known)
    return Rendered([], title, watched, pdf, pages, images, time.perf_counter() - started)


