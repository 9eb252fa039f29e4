"""The preview's HTTP server on 127.0.0.1: the page, the images, the PDF, the event
stream and its own assets; started and stopped by `serve`."""

from __future__ import annotations

import contextlib
import hmac
import html
import json
import secrets
import shutil
import signal
import string
import threading
import webbrowser
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..errors import UserError
from . import DEFAULT_PORT, HOST
from .state import Preview, PreviewServer, count

ASSETS = Path(__file__).parent / "assets"
STATIC = {"/resurs/preview.css": ("preview.css", "text/css; charset=utf-8"),
          "/resurs/preview.js": ("preview.js", "text/javascript; charset=utf-8")}
KEEP_ALIVE_SECONDS = 10
REQUEST_TIMEOUT = 20  # seconds; more than KEEP_ALIVE_SECONDS, so the event stream lives


class PreviewError(UserError):
    """The preview cannot start (port taken, poppler-utils missing); the message says why."""


# -- HTTP -----------------------------------------------------------------------------------


def _asset(name: str) -> str:
    return (ASSETS / name).read_text(encoding="utf-8")


def content_disposition(name: str) -> str:
    """The PDF shown inline, named for the browser's Save (RFC 6266): an ASCII name without
    quotes or line breaks, and the name itself percent-encoded as UTF-8."""
    from urllib.parse import quote

    fallback = "".join(char if char.isascii() and char.isprintable() and char not in '"\\'
                       else "_" for char in name)
    return f"inline; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


class Handler(BaseHTTPRequestHandler):
    """Serves only what the preview made: pages, images, PDFs, events and its own assets."""

    server: PreviewHTTPServer
    # A client that sends half a request and stops holds its thread this long, no longer.
    timeout = REQUEST_TIMEOUT

    def version_string(self) -> str:
        return "utlatande"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base's name
        pass  # the console shows renders, not requests

    def do_HEAD(self) -> None:  # noqa: N802 - http.server's name
        self.do_GET()

    def do_POST(self) -> None:  # noqa: N802
        if self._allowed():
            self._text(HTTPStatus.METHOD_NOT_ALLOWED, "Förhandsgranskningen tar bara emot GET.")

    def do_GET(self) -> None:  # noqa: N802
        if not self._allowed():
            return
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self._route(self._path_under_token())

    def end_headers(self) -> None:
        # No page of the preview tells another site where it came from.
        self.send_header("Referrer-Policy", "no-referrer")
        super().end_headers()

    def _allowed(self) -> bool:
        """The request names this server and its path starts with this run's token;
        otherwise it has been answered (403, saying nothing of what is here) and is not
        served."""
        if not self._host_allowed():
            self._text(HTTPStatus.FORBIDDEN, "Förhandsgranskningen svarar bara på "
                       f"http://{HOST}:{self.server.server_port}/.")
            return False
        path = urlsplit(self.path).path
        first = path[1:].split("/", 1)[0] if path.startswith("/") else ""
        if self.server.token_matches(first):
            return True
        self._text(HTTPStatus.FORBIDDEN, "Förhandsgranskningen visas bara på adressen som "
                   "utlatande serve skrev ut, med nyckeln i den.")
        return False

    def _path_under_token(self) -> str:
        """The request's path after /TOKEN: '/', '/svar/0', … (the token is checked)."""
        path = urlsplit(self.path).path
        return "/" + path[1:].partition("/")[2]

    def _host_allowed(self) -> bool:
        """The Host header names this server, so that no other site can read it (DNS
        rebinding)."""
        port = self.server.server_port
        return self.headers.get("Host", "") in {f"{HOST}:{port}", f"localhost:{port}"}

    def _route(self, path: str) -> None:
        """`path` is what follows /TOKEN; every address a page gets starts with /TOKEN."""
        previews = self.server.preview.previews
        root = self.server.root
        if path == "/":
            if len(previews) == 1:
                self._redirect(f"{root}/svar/0")
            else:
                self._html(self._list_page())
            return
        if path in STATIC:
            name, kind = STATIC[path]
            self._send(HTTPStatus.OK, _asset(name).encode("utf-8"), kind, "no-cache")
            return
        parts = path.strip("/").split("/")
        # ASCII digits only: '²' (a raw byte 0xB2 in the request) is a digit to isdigit().
        if len(parts) < 2 or parts[0] != "svar" or not parts[1].isascii() \
                or not parts[1].isdigit() \
                or int(parts[1]) >= len(previews):
            self._text(HTTPStatus.NOT_FOUND, "Sidan finns inte.")
            return
        preview = previews[int(parts[1])]
        rest = parts[2:]
        if not rest:
            self._html(self._preview_page(preview))
        elif rest == ["lage"]:
            self._send(HTTPStatus.OK, json.dumps(preview.state(root), ensure_ascii=False)
                       .encode("utf-8"), "application/json; charset=utf-8", "no-store")
        elif rest == ["handelser"]:
            self._events(preview)
        elif rest == ["pdf"] and preview.pdf is not None:
            self._send(HTTPStatus.OK, preview.pdf, "application/pdf", "no-store",
                       {"Content-Disposition": content_disposition(f"{preview.path.stem}.pdf")})
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
        self.send_header("Cache-Control", "no-store")
        self.end_headers()

    def _nav(self, current: Preview | None) -> str:
        previews = self.server.preview.previews
        if len(previews) < 2:
            return ""
        items = []
        for p in previews:
            mark = ' aria-current="page"' if p is current else ""
            title = html.escape(p.snapshot.title or p.shown)
            items.append(f'<li><a href="{self.server.root}/svar/{p.index}"{mark}>{title}'
                         f'<span class="fil">{html.escape(p.shown)}</span></a></li>')
        return ('<nav class="svarslista" aria-label="Svarsfiler"><h2>Svarsfiler</h2><ul>'
                + "".join(items) + "</ul></nav>")

    def _list_page(self) -> str:
        return string.Template(_asset("lista.html")).substitute(
            root=html.escape(self.server.root), nav=self._nav(None))

    def _preview_page(self, preview: Preview) -> str:
        root = self.server.root
        state = json.dumps(preview.state(root), ensure_ascii=False)
        return string.Template(_asset("sida.html")).substitute(
            title=html.escape(preview.snapshot.title or preview.shown),
            file=html.escape(preview.shown),
            root=html.escape(root),
            base=html.escape(f"{root}/svar/{preview.index}"),
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
                    data = json.dumps(preview.state(self.server.root), ensure_ascii=False)
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
    request_queue_size = 128  # the listen backlog: a page opens several connections at once

    def __init__(self, port: int, preview: PreviewServer):
        self.preview = preview
        # This run's token, the first part of every path: another user of the machine can
        # reach the port, not the pages. In the path, not in a cookie: browsers send a
        # host's cookies to each of its ports, so another user's server would get it.
        self.token = secrets.token_urlsafe(32)
        super().__init__((HOST, port), Handler)

    @property
    def root(self) -> str:
        """What every path the server serves starts with: /TOKEN."""
        return f"/{self.token}"

    def token_matches(self, given: str) -> bool:
        return bool(given) and hmac.compare_digest(
            given.encode("utf-8", "surrogateescape"), self.token.encode("ascii"))


# -- running --------------------------------------------------------------------------------


def _bind(port: int | None, preview: PreviewServer) -> PreviewHTTPServer:
    """The given port, or the default one, or (when that is taken) any free one."""
    try:
        return PreviewHTTPServer(DEFAULT_PORT if port is None else port, preview)
    except OSError as error:
        if port is not None:
            raise PreviewError(f"Fel: port {port} på {HOST} kan inte användas "
                               f"({error.strerror}); välj en annan med --port") from None
    return PreviewHTTPServer(0, preview)


def _require_tools() -> None:
    missing = [tool for tool in ("pdftoppm", "pdftotext") if shutil.which(tool) is None]
    if missing:
        raise PreviewError(
            f"Fel: {' och '.join(missing)} saknas; förhandsgranskningen ritar sidorna med "
            "poppler-utils. Installera paketet: apt-get install poppler-utils")


def start(paths: list[Path], project: Path, port: int | None,
          log: Callable[[str], None]) -> PreviewHTTPServer:
    """The bound server with its watcher and dispatcher running; the caller serves it."""
    _require_tools()
    from .. import pipeline

    pipeline.warm_up()  # WeasyPrint once, here, before any render thread

    preview = PreviewServer(paths, project, log)
    server = _bind(port, preview)
    preview.start()
    return server


def stop(server: PreviewHTTPServer) -> None:
    """Stop the threads and close the socket (after serve_forever has returned)."""
    server.preview.stop()
    server.server_close()


def announcement(server: PreviewHTTPServer, answers: int) -> str:
    """What `serve` says once the server listens."""
    return (f"Förhandsgranskning på {url(server)} "
            f"({count(answers, 'svarsfil', 'svarsfiler')}). Avsluta med Ctrl-C.")


def url(server: PreviewHTTPServer) -> str:
    """The address to open: the server, and this run's token as the path."""
    return f"http://{HOST}:{server.server_port}{server.root}/"


def open_in_browser(address: str, no_browser: Callable[[str], None]) -> None:
    """Open the page; tell `no_browser` when there is none to open it in (a server, ssh)."""
    try:
        opened = webbrowser.open(address)
    except webbrowser.Error:
        opened = False
    if not opened:
        no_browser(address)


def run(server: PreviewHTTPServer, open_browser: bool,
        no_browser: Callable[[str], None] = lambda address: None) -> None:
    """Serve until Ctrl-C (or SIGTERM); returns after a clean stop."""
    if open_browser:
        threading.Thread(target=open_in_browser, args=(url(server), no_browser),
                         daemon=True).start()
    restore = _stop_on_signals()
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        restore()
        stop(server)


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
