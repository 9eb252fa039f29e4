"""Each served answer's state (its generation, its last good pages), the watcher that
notices a save, and the render threads a newer save interrupts."""

from __future__ import annotations

import ctypes
import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import AnswerError, display_path
from .pages import Page, Rendered, Stamp, Superseded, render_answer, stamp

POLL_SECONDS = 0.1


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
        self.watched: dict[Path, Stamp] = {path: stamp(path)}
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
                                 message=f"{now}: {count(len(result.problems), 'fel', 'fel')}"
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
            message=f"Uppdaterad {now} ({count(len(result.pages), 'sida', 'sidor')}, "
                    f"{seconds} s)")

    def wait_newer(self, version: int, timeout: float) -> Snapshot | None:
        with self.changed:
            self.changed.wait_for(lambda: self.snapshot.version > version, timeout)
            return self.snapshot if self.snapshot.version > version else None

    def wake(self) -> None:
        with self.changed:
            self.changed.notify_all()

    def state(self, root: str) -> dict[str, Any]:
        """The snapshot as the page's script reads it; its addresses start with `root`
        (the server's /TOKEN)."""
        s = self.snapshot
        base = f"{root}/svar/{self.index}"
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
    from ..load import load_yaml

    try:
        data = load_yaml(path).data
    except AnswerError:
        return None
    title = data.get("rubrik") if isinstance(data, dict) else None
    return title if isinstance(title, str) else None


def count(n: int, one: str, many: str) -> str:
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
                    for path, seen in preview.watched.items():
                        now = stamp(path)
                        if now != seen:
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
            from .. import pipeline
            from ..theme import clear_cache

            clear_cache()
            pipeline.clear_caches()
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
        stamps = {p: preview.watched[p] if p in preview.watched else stamp(p) for p in paths}
        stamps[preview.path] = preview.watched.get(preview.path, stamp(preview.path))
        preview.watched = stamps


