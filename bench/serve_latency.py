"""Save-to-update time of `utlatande serve`: not a test, a measurement.

Starts the preview server (a subprocess, as a user runs it) on a copy of a statement, listens
to its event stream as the page does, then saves the answer file again and again and times
each save until the new state has arrived and every page image that changed has been
fetched: what the browser needs before it swaps the images. Two kinds of edit: a new title
(page 1 changes) and a sentence added to the summary (the text reflows, every page changes).

    .venv/bin/python bench/serve_latency.py [--saves N] [ANSWER ...]
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from queue import Empty, Queue
from urllib.request import urlopen

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ["answers/linkoping-omradesbaserat-socialt-arbete.yaml",
           "answers/stockholm-nyckeltjanster.yaml"]


def _get(url: str):
    return urlopen(url, timeout=60)  # noqa: S310 - the local server


def _events(url: str, out: Queue, stop: threading.Event) -> None:
    """Every state of the event stream, put on `out` with the time it arrived."""
    with _get(url) as response:
        data: list[str] = []
        for raw in response:
            if stop.is_set():
                return
            line = raw.decode("utf-8").rstrip("\n")
            if line.startswith("data: "):
                data.append(line[6:])
            elif not line and data:
                out.put((time.perf_counter(), json.loads("\n".join(data))))
                data = []


def _fetch(origin: str, state: dict, seen: set[str]) -> None:
    """The page images the browser does not have yet (their addresses start with the
    token: a path on the server at `origin`)."""
    for page in state["pages"]:
        if page["url"] not in seen:
            with _get(origin + page["url"]) as response:
                response.read()
            seen.add(page["url"])


def _wait(events: Queue, ready) -> tuple[float, dict]:
    while True:
        try:
            arrived, state = events.get(timeout=60)
        except Empty:
            sys.exit("serve_latency: ingen uppdatering på 60 s")
        if ready(state):
            return arrived, state


def measure(answer: Path, saves: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix="bench-serve-", dir=ROOT / "build"))
    try:
        copy = folder / answer.name
        shutil.copy(ROOT / answer, copy)
        original = copy.read_text(encoding="utf-8")
        server = subprocess.Popen([sys.executable, "-m", "utlatande", "serve", str(copy),
                                   "--port", "0"], cwd=ROOT, stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, text=True)
        try:
            # The printed address: the server, and this run's token as the path.
            address = re.search(r"(http://127\.0\.0\.1:\d+)(/[\w-]+/)",
                                server.stdout.readline())
            origin, root = address[1], address[2]
            events: Queue = Queue()
            stop = threading.Event()
            threading.Thread(target=_events, args=(f"{origin}{root}svar/0/handelser", events,
                                                   stop), daemon=True).start()
            _, state = _wait(events, lambda s: s["status"] == "klar")
            seen: set[str] = set()
            _fetch(origin, state, seen)
            pages = len(state["pages"])
            print(f"{answer.name}: {pages} sidor, {saves} sparningar per slag")
            edits = {
                "ny rubrik (sidan 1 ritas om)":
                    lambda n: re.sub(r"^rubrik: (.*)$", rf"rubrik: \1 (mätning {n})", original,
                                     count=1, flags=re.M),
                "en mening till i sammanfattningen (texten flyttas, alla sidor)":
                    lambda n: original.replace(
                        "sammanfattning: |\n", "sammanfattning: |\n  "
                        + f"Mätning {n}: en mening till som flyttar resten av texten nedåt. " * 3
                        + "\n\n", 1),
            }
            n = 0
            for label, edit in edits.items():
                times, renders = [], []
                for _ in range(saves):
                    n += 1
                    text = edit(n)
                    marker = f"mätning {n}" if "rubrik" in label else f"Mätning {n}:"
                    time.sleep(0.3)  # let the previous update settle, as a typist pauses
                    saved = time.perf_counter()
                    copy.write_text(text, encoding="utf-8")
                    _, state = _wait(events, lambda s, m=marker: s["status"] == "klar" and any(
                        m in p["text"] for p in s["pages"]))
                    _fetch(origin, state, seen)
                    times.append(time.perf_counter() - saved)
                    renders.append(state["seconds"])
                print(f"  {label}: median {_s(statistics.median(times))}, "
                      f"90 % {_s(_quantile(times, 0.9))}, max {_s(max(times))} "
                      f"(varav ritning i servern, median {_s(statistics.median(renders))})")
            stop.set()
        finally:
            server.terminate()
            server.wait(timeout=20)
            server.stdout.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _s(seconds: float) -> str:
    return f"{seconds:.2f} s".replace(".", ",")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("answers", nargs="*", default=DEFAULT)
    parser.add_argument("--saves", type=int, default=10)
    args = parser.parse_args()
    (ROOT / "build").mkdir(exist_ok=True)
    print("utlatande serve: tid från sparad fil till uppdaterad sida (nytt läge via "
          "händelseströmmen och de ändrade sidbilderna hämtade)")
    for answer in args.answers:
        measure(Path(answer), args.saves)


if __name__ == "__main__":
    main()
