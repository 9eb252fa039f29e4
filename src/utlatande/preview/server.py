"""`utlatande serve`: a local preview that shows each answer as its PDF's pages, redrawn when
the answer, its theme, its profile or an appendix is saved.

Threads: the HTTP server's (one a request; an open page holds one for its event stream),
the watcher (polls the watched files' stamps), the dispatcher (renders one answer at a time)
and a short-lived render thread per render. A save while a render runs bumps the answer's
generation and interrupts the render thread with `Superseded` (an asynchronous exception,
so even WeasyPrint's layout stops at once); a result whose generation is no longer current
is dropped. WeasyPrint is imported once, before the threads start, so every render is warm.
"""

from __future__ import annotations

import contextlib
import ctypes
import datetime as dt
import hashlib
import html
import io
import json
import shutil
import signal
import string
import subprocess
import sys
import tempfile
import threading
import time
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import click

from .errors import AnswerError, Problem, display_path
from .serve_cli import DEFAULT_PORT, HOST

if TYPE_CHECKING:
    from .pipeline import Checked

POLL_SECONDS = 0.1
DPI = 120  # 993 px wide: sharp on a 1.25× screen, cheap enough to redraw on every save
CSS_DPI = 96  # the browser's pixel: an A4 page is shown 794 px wide
ASSETS = Path(__file__).parent / "preview"
STATIC = {"/resurs/preview.css": ("preview.css", "text/css; charset=utf-8"),
          "/resurs/preview.js": ("preview.js", "text/javascript; charset=utf-8")}
KEEP_ALIVE_SECONDS = 10

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


def _stamp(path: Path) -> Stamp:
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
    """The answer, its theme's files and folders, its profile and its appendices."""
    from .theme import load_theme

    paths = {checked.path}
    theme = checked.theme
    if theme is None and checked.loaded is None:
        # Unreadable YAML: the profile is unknown, keep watching what the last render read.
        return paths | previous
    if theme is None:
        templates = project / "templates"
        paths |= {templates, *templates.glob("*"), *templates.glob("*/tema.yaml")}
        theme = load_theme(None, project)
    for folder in theme.folders:
        paths |= {folder, *folder.rglob("*")}  # folders too: a new file changes its folder
    if checked.answer is not None:
        paths |= {a.fil for a in checked.answer.bilagor if a.fil is not None}
    return paths


def _template_problem(error: Exception) -> Problem:
    """A Jinja error in a theme's template, as file:line like the answer's own problems."""
    filename = getattr(error, "filename", None) or "mallen"
    line = getattr(error, "lineno", None) or 1
    return Problem(display_path(Path(filename)) if filename != "mallen" else filename,
                   line, 1, f"fel i mallen: {getattr(error, 'message', None) or error}",
                   "mall.fel")


def render_answer(path: Path, project: Path, previous: set[Path],
                  known: dict[str, bytes]) -> Rendered:
    """Check the answer and, when it is valid, its PDF's pages; never raises on bad input."""
    import jinja2

    from .pipeline import check, render

    started = time.perf_counter()
    checked = check(path, project)
    watched = _watched(checked, project, previous)
    title = checked.answer.rubrik if checked.answer else None
    problems = [str(p) for p in checked.problems if p.is_error]
    if not checked.ok:
        return Rendered(problems or [f"{display_path(path)}:1:1: fel: svarsfilen kan inte "
                                     "ritas [serve.ritning]"], title, watched)
    try:
        pdf = render(checked, ("pdf",), project)["pdf"]
    except AnswerError as error:
        return Rendered([str(p) for p in error.problems], title, watched)
    except jinja2.TemplateError as error:
        return Rendered([str(_template_problem(error))], title, watched)
    except Exception as error:  # noqa: BLE001 - a theme being edited must not stop the server
        return Rendered([f"{display_path(path)}:1:1: fel: dokumentet kunde inte ritas "
                         f"({type(error).__name__}: {error}) [serve.ritning]"], title, watched)
    pages, images = rasterize(pdf, known)
    return Rendered([], title, watched, pdf, pages, images, time.perf_counter() - started)


# -- one answer's state ---------------------------------------------------------------------


@dataclass(frozen=True)
class Snapshot:
    """What the page shows for one answer; `version` grows with every change."""

    version: int
    status: str  # väntar, ritar, klar, fel
    message: str
    title: str | None
    problems: tuple[str, ...] = ()
    pages: tuple[Page, ...] = ()
    page_version: int = 0
    seconds: float = 0.0


class Preview:
    """One served answer file: its watched files, its generation and its last good pages."""

    def __init__(self, index: int, path: Path, project: Path):
        self.index, self.path, self.project = index, path, project
        self.shown = display_path(path)
        self.generation = 1  # the answer must be rendered once to begin with
        self.rendered_generation = 0
        self.watched: dict[Path, Stamp] = {path: _stamp(path)}
        self.snapshot = Snapshot(0, "väntar", "Ritar sidorna …", _peek_title(path))
        self.images: dict[str, bytes] = {}
        self.pdf: bytes | None = None
        self.viewers = 0
        self.changed = threading.Condition()

    @property
    def dirty(self) -> bool:
        return self.rendered_generation < self.generation

    def _publish(self, **changes: Any) -> Snapshot:
        with self.changed:
            values = {**self.snapshot.__dict__, **changes,
                      "version": self.snapshot.version + 1}
            self.snapshot = Snapshot(**values)
            self.changed.notify_all()
            return self.snapshot

    def rendering(self) -> None:
        self._publish(status="ritar", message="Uppdaterar …")

    def publish(self, result: Rendered) -> Snapshot:
        """The result of a current render: new pages, or problems over the last good pages."""
        now = dt.datetime.now().strftime("%H:%M:%S")
        title = result.title or self.snapshot.title
        if result.problems:
            return self._publish(status="fel", title=title, problems=tuple(result.problems),
                                 message=f"{now}: {_count(len(result.problems), 'fel', 'fel')}"
                                 " i svarsfilen")
        old = set(self.images)
        self.images = {**{k: v for k, v in self.images.items()
                          if k in {p.key for p in self.snapshot.pages}}, **result.images}
        self.pdf = result.pdf
        seconds = f"{result.seconds:.2f}".replace(".", ",")
        pages_changed = (tuple(result.pages) != self.snapshot.pages) or not old
        return self._publish(
            status="klar", title=title, problems=(), pages=tuple(result.pages),
            page_version=self.snapshot.page_version + (1 if pages_changed else 0),
            seconds=result.seconds,
            message=f"Uppdaterad {now} ({_count(len(result.pages), 'sida', 'sidor')}, "
                    f"{seconds} s)")

    def wait_newer(self, version: int, timeout: float) -> Snapshot | None:
        with self.changed:
            self.changed.wait_for(lambda: self.snapshot.version > version, timeout)
            return self.snapshot if self.snapshot.version > version else None

    def wake(self) -> None:
        with self.changed:
            self.changed.notify_all()

    def state(self) -> dict[str, Any]:
        """The snapshot as the page's script reads it."""
        s = self.snapshot
        base = f"/svar/{self.index}"
        return {
            "version": s.version, "status": s.status, "message": s.message,
            "title": s.title, "file": self.shown, "problems": list(s.problems),
            "pageVersion": s.page_version, "seconds": s.seconds,
            "pdf": f"{base}/pdf?v={s.page_version}" if s.pages else None,
            "pages": [{"number": p.number, "url": f"{base}/bild/{p.key}.png",
                       "width": p.width, "height": p.height, "text": p.text}
                      for p in s.pages],
        }


def _peek_title(path: Path) -> str | None:
    """The answer's rubrik for the list of answers, before its first render."""
    from .load import load_yaml

    try:
        data = load_yaml(path).data
    except AnswerError:
        return None
    title = data.get("rubrik") if isinstance(data, dict) else None
    return title if isinstance(title, str) else None


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


# -- the render threads ---------------------------------------------------------------------


_set_async_exc = ctypes.pythonapi.PyThreadState_SetAsyncExc


class RenderThread(threading.Thread):
    """Runs one render; may be interrupted (once) while `active`, then has no result."""

    def __init__(self, job: Callable[[], Rendered], lock: threading.Lock):
        super().__init__(name="utlatande-render", daemon=True)
        self.job, self.lock = job, lock
        self.active = False
        self.interrupted = False
        self.result: Rendered | None = None
        self.error: BaseException | None = None

    def run(self) -> None:
        started = False
        while True:
            try:
                if not started:
                    started = True
                    with self.lock:
                        self.active = True
                    self.result = self.job()
                with self.lock:
                    # From here on no interrupt can be sent; one sent too late is cancelled.
                    self.active = False
                    _set_async_exc(ctypes.c_ulong(self.ident), None)
                return
            except Superseded:
                self.result = None
            except Exception as error:  # noqa: BLE001 - reported by the dispatcher
                self.error, self.result = error, None

    def interrupt(self) -> bool:
        """Stop the render at its next step; the caller holds `lock`."""
        if not self.active or self.interrupted or self.ident is None:
            return False
        self.interrupted = True
        _set_async_exc(ctypes.c_ulong(self.ident), ctypes.py_object(Superseded))
        return True


class PreviewServer:
    """The previews, the watcher and the dispatcher; the HTTP server reads from here."""

    def __init__(self, paths: list[Path], project: Path, log: Callable[[str], None]):
        self.project = project
        self.previews = [Preview(i, p, project) for i, p in enumerate(paths)]
        self.log = log
        self.lock = threading.Lock()
        self.work = threading.Condition(self.lock)
        self.stopping = threading.Event()
        self.current: tuple[Preview, RenderThread] | None = None
        self.clear_caches = False
        self.threads = [threading.Thread(target=self._watch, name="utlatande-watch",
                                         daemon=True),
                        threading.Thread(target=self._dispatch, name="utlatande-dispatch",
                                         daemon=True)]

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def stop(self) -> None:
        self.stopping.set()
        with self.lock:
            self.work.notify_all()
            if self.current:
                self.current[1].interrupt()
        for preview in self.previews:
            preview.wake()
        for thread in self.threads:
            thread.join(timeout=5)

    def _changed(self, preview: Preview, paths: list[Path]) -> None:
        """A watched file was saved: a new generation, and the render in progress stops.

        The caller holds `lock`."""
        preview.generation += 1
        if any(p != preview.path for p in paths):
            self.clear_caches = True  # a theme or profile file: read the theme anew
        if self.current and self.current[0] is preview:
            self.current[1].interrupt()
        self.work.notify_all()

    def _watch(self) -> None:
        while not self.stopping.wait(POLL_SECONDS):
            with self.lock:
                for preview in self.previews:
                    changed = []
                    for path, stamp in preview.watched.items():
                        now = _stamp(path)
                        if now != stamp:
                            preview.watched[path] = now
                            changed.append(path)
                    if changed:
                        self._changed(preview, changed)

    def _next(self) -> Preview | None:
        """The next answer to render: one someone is looking at first."""
        with self.lock:
            while not self.stopping.is_set():
                dirty = [p for p in self.previews if p.dirty]
                if dirty:
                    return max(dirty, key=lambda p: (p.viewers > 0, -p.index))
                self.work.wait(1)
        return None

    def _dispatch(self) -> None:
        while (preview := self._next()) is not None:
            self._render_once(preview)

    def _render_once(self, preview: Preview) -> None:
        with self.lock:
            generation = preview.generation
            clear, self.clear_caches = self.clear_caches, False
            previous = set(preview.watched)
            known = dict(preview.images)
        if clear:
            from .render.pdf import clear_caches
            from .theme import clear_cache

            clear_cache()
            clear_caches()
        preview.rendering()
        thread = RenderThread(lambda: render_answer(preview.path, self.project, previous,
                                                    known), self.lock)
        with self.lock:
            self.current = (preview, thread)
            thread.start()
        thread.join()
        with self.lock:
            self.current = None
            current = generation == preview.generation
            if current:
                preview.rendered_generation = generation
        result = thread.result
        if thread.error is not None:
            result = Rendered([f"{preview.shown}:1:1: fel: förhandsgranskningen kunde inte rita "
                               f"dokumentet ({type(thread.error).__name__}: {thread.error}) "
                               "[serve.ritning]"], None, previous)
        if result is None or not current:
            return  # superseded: the newer generation is rendered next
        with self.lock:
            self._watch_new(preview, result.watched)
        snapshot = preview.publish(result)
        self.log(f"{dt.datetime.now():%H:%M:%S} {preview.shown}: "
                 + ("; ".join(snapshot.problems) if snapshot.problems else snapshot.message))

    def _watch_new(self, preview: Preview, paths: set[Path]) -> None:
        """Watch what the render read; a file seen for the first time keeps its stamp.

        The caller holds `lock`."""
        stamps = {p: preview.watched[p] if p in preview.watched else _stamp(p) for p in paths}
        stamps[preview.path] = preview.watched.get(preview.path, _stamp(preview.path))
        preview.watched = stamps


# -- HTTP -----------------------------------------------------------------------------------


def _asset(name: str) -> str:
    return (ASSETS / name).read_text(encoding="utf-8")


class Handler(BaseHTTPRequestHandler):
    """Serves only what the preview made: pages, images, PDFs, events and its own assets."""

    server: PreviewHTTPServer

    def version_string(self) -> str:
        return "utlatande"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
        pass  # the console shows renders, not requests

    def do_HEAD(self) -> None:  # noqa: N802 - http.server's name
        self.do_GET()

    def do_POST(self) -> None:  # noqa: N802
        self._text(HTTPStatus.METHOD_NOT_ALLOWED, "Förhandsgranskningen tar bara emot GET.")

    def do_GET(self) -> None:  # noqa: N802
        if not self._host_allowed():
            self._text(HTTPStatus.FORBIDDEN, "Förhandsgranskningen svarar bara på "
                       f"http://{HOST}:{self.server.server_port}/.")
            return
        path = urlsplit(self.path).path
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._route(path)

    def _host_allowed(self) -> bool:
        """The Host header names this server, so that no other site can read it (DNS
        rebinding)."""
        port = self.server.server_port
        return self.headers.get("Host", "") in {f"{HOST}:{port}", f"localhost:{port}"}

    def _route(self, path: str) -> None:
        previews = self.server.preview.previews
        if path == "/":
            if len(previews) == 1:
                self._redirect("/svar/0")
            else:
                self._html(self._list_page())
            return
        if path in STATIC:
            name, kind = STATIC[path]
            self._send(HTTPStatus.OK, _asset(name).encode("utf-8"), kind, "no-cache")
            return
        parts = path.strip("/").split("/")
        if len(parts) < 2 or parts[0] != "svar" or not parts[1].isdigit() \
                or int(parts[1]) >= len(previews):
            self._text(HTTPStatus.NOT_FOUND, "Sidan finns inte.")
            return
        preview = previews[int(parts[1])]
        rest = parts[2:]
        if not rest:
            self._html(self._preview_page(preview))
        elif rest == ["lage"]:
            self._send(HTTPStatus.OK, json.dumps(preview.state(), ensure_ascii=False)
                       .encode("utf-8"), "application/json; charset=utf-8", "no-store")
        elif rest == ["handelser"]:
            self._events(preview)
        elif rest == ["pdf"] and preview.pdf is not None:
            self._send(HTTPStatus.OK, preview.pdf, "application/pdf", "no-store",
                       {"Content-Disposition": f'inline; filename="{preview.path.stem}.pdf"'})
        elif len(rest) == 2 and rest[0] == "bild" and rest[1].endswith(".png") \
                and rest[1][:-4] in preview.images:
            self._send(HTTPStatus.OK, preview.images[rest[1][:-4]], "image/png",
                       "max-age=31536000, immutable")  # named by its content
        else:
            self._text(HTTPStatus.NOT_FOUND, "Sidan finns inte.")

    def _send(self, status: HTTPStatus, body: bytes, kind: str, cache: str,
              headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", cache)
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Content-Security-Policy", "default-src 'self'; img-src 'self'; "
                         "frame-ancestors 'none'")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _text(self, status: HTTPStatus, text: str) -> None:
        self._send(status, (text + "\n").encode("utf-8"), "text/plain; charset=utf-8",
                   "no-store")

    def _html(self, page: str) -> None:
        self._send(HTTPStatus.OK, page.encode("utf-8"), "text/html; charset=utf-8", "no-store")

    def _redirect(self, target: str) -> None:
        self.send_response(HTTPStatus.FOUND)
        self.send_header("Location", target)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _nav(self, current: Preview | None) -> str:
        previews = self.server.preview.previews
        if len(previews) < 2:
            return ""
        items = []
        for p in previews:
            mark = ' aria-current="page"' if p is current else ""
            title = html.escape(p.snapshot.title or p.shown)
            items.append(f'<li><a href="/svar/{p.index}"{mark}>{title}'
                         f'<span class="fil">{html.escape(p.shown)}</span></a></li>')
        return ('<nav class="svarslista" aria-label="Svarsfiler"><h2>Svarsfiler</h2><ul>'
                + "".join(items) + "</ul></nav>")

    def _list_page(self) -> str:
        return string.Template(_asset("lista.html")).substitute(nav=self._nav(None))

    def _preview_page(self, preview: Preview) -> str:
        state = json.dumps(preview.state(), ensure_ascii=False)
        return string.Template(_asset("sida.html")).substitute(
            title=html.escape(preview.snapshot.title or preview.shown),
            file=html.escape(preview.shown),
            base=f"/svar/{preview.index}",
            nav=self._nav(preview),
            state=html.escape(state),
        )

    def _events(self, preview: Preview) -> None:
        """Server-sent events: the state now, then each newer state as it comes."""
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if self.command == "HEAD":
            return
        stopping = self.server.preview.stopping
        with self.server.preview.lock:
            preview.viewers += 1
        try:
            self.wfile.write(b"retry: 1000\n\n")
            version = -1
            while not stopping.is_set():
                snapshot = preview.wait_newer(version, KEEP_ALIVE_SECONDS)
                if stopping.is_set():
                    break
                if snapshot is None:
                    self.wfile.write(b": \n\n")  # keeps the connection open through proxies
                else:
                    version = snapshot.version
                    data = json.dumps(preview.state(), ensure_ascii=False)
                    self.wfile.write(f"event: state\nid: {version}\ndata: {data}\n\n"
                                     .encode())
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            with self.server.preview.lock:
                preview.viewers -= 1


class PreviewHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port: int, preview: PreviewServer):
        self.preview = preview
        super().__init__((HOST, port), Handler)


# -- running --------------------------------------------------------------------------------


def _bind(port: int | None, preview: PreviewServer) -> PreviewHTTPServer:
    """The given port, or the default one, or (when that is taken) any free one."""
    try:
        return PreviewHTTPServer(DEFAULT_PORT if port is None else port, preview)
    except OSError as error:
        if port is not None:
            raise click.ClickException(f"Fel: port {port} på {HOST} kan inte användas "
                                       f"({error.strerror}); välj en annan med --port") from None
    return PreviewHTTPServer(0, preview)


def _require_tools() -> None:
    missing = [tool for tool in ("pdftoppm", "pdftotext") if shutil.which(tool) is None]
    if missing:
        raise click.ClickException(
            f"Fel: {' och '.join(missing)} saknas; förhandsgranskningen ritar sidorna med "
            "poppler-utils. Installera paketet: apt-get install poppler-utils")


def start(paths: list[Path], project: Path, port: int | None,
          log: Callable[[str], None]) -> PreviewHTTPServer:
    """The bound server with its watcher and dispatcher running; the caller serves it."""
    _require_tools()
    from .render import pdf  # noqa: F401 - WeasyPrint once, here, before any render thread

    preview = PreviewServer(paths, project, log)
    server = _bind(port, preview)
    preview.start()
    return server


def stop(server: PreviewHTTPServer) -> None:
    """Stop the threads and close the socket (after serve_forever has returned)."""
    server.preview.stop()
    server.server_close()


def serve(paths: list[Path], project: Path, port: int | None, open_browser: bool) -> None:
    """Serve the previews until Ctrl-C (or SIGTERM); returns after a clean stop."""
    server = start(paths, project, port, lambda line: click.echo(line, err=True))
    url = f"http://{HOST}:{server.server_port}/"
    click.echo(f"Förhandsgranskning på {url} ({_count(len(paths), 'svarsfil', 'svarsfiler')})."
               " Avsluta med Ctrl-C.")
    sys.stdout.flush()
    if open_browser:
        threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()
    restore = _stop_on_signals()
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        restore()
        stop(server)
    click.echo("Förhandsgranskningen är stoppad.")


def _stop_on_signals() -> Callable[[], None]:
    """Ctrl-C (SIGINT) and SIGTERM stop the server; only the main thread may set handlers.

    SIGINT is set too because a shell starts background jobs with it ignored, and Python
    then never raises KeyboardInterrupt.
    """
    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def stop(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}

    def restore() -> None:
        for sig, handler in previous.items():
            signal.signal(sig, handler)

    return restore
