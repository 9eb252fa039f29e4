"""`utlatande serve`: the preview in a real browser (headless Chromium through Selenium and
Debian's chromedriver), and the server's pages, images, watching and safety over HTTP."""

from __future__ import annotations

import http.client
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from utlatande.cli import main

ROOT = Path(__file__).resolve().parents[1]
ARTEFACTS = ROOT / "build" / "test-artefakter"
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
WAIT = 60  # seconds before a wait gives up: a limit for a hung test, not a speed target


# -- helpers ----------------------------------------------------------------------------------


def _scaffold(project: Path, mall: str = "tjänsteutlåtande", *extra: str,
              name: str = "x.yaml") -> Path:
    """A new answer file in `project`, written by `utlatande new` as a user would."""
    cwd = os.getcwd()
    os.chdir(project)
    try:
        result = CliRunner().invoke(main, ["new", mall, f"answers/{name}", *extra])
    finally:
        os.chdir(cwd)
    assert result.exit_code == 0, result.output
    return project / "answers" / name


@contextmanager
def served(cwd: Path, *answers: str, args: tuple[str, ...] = (),
           env: dict[str, str] | None = None) -> Iterator[tuple[subprocess.Popen, str]]:
    """`utlatande serve` in a subprocess on a free port; stopped with Ctrl-C (SIGINT).
    Gives the address it printed: the server, and this run's token as the path."""
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8") as log:
        process = subprocess.Popen([sys.executable, "-m", "utlatande", "serve", *answers,
                                    "--port", "0", *args], cwd=cwd, stdout=subprocess.PIPE,
                                   stderr=log, text=True, encoding="utf-8",
                                   env=None if env is None else {**os.environ, **env})
        try:
            line = process.stdout.readline()
            match = re.search(r"http://127\.0\.0\.1:\d+/[A-Za-z0-9_-]{43}/(?=\s)", line)
            if not match:
                log.seek(0)
                pytest.fail(f"servern startade inte: {line!r} {log.read()}")
            yield process, match.group()
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGINT)
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            process.stdout.close()


def _token(url: str) -> str:
    return url.split("/")[3]


def _root(url: str) -> str:
    """The path every address of the server starts with: /TOKEN."""
    return f"/{_token(url)}"


def _get(url: str, path: str, host: str | None = None, method: str = "GET",
         headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """One request to the server of `url`, the path sent exactly as given (no
    normalisation of '..', no token added)."""
    address = re.match(r"http://([\d.]+):(\d+)/", url)
    assert address
    connection = http.client.HTTPConnection(address[1], int(address[2]), timeout=WAIT)
    try:
        connection.putrequest(method, path, skip_host=True)
        connection.putheader("Host", host or f"{address[1]}:{address[2]}")
        for name, value in (headers or {}).items():
            connection.putheader(name, value)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def _state(url: str, index: int = 0) -> dict[str, Any]:
    status, _, body = _get(url, f"{_root(url)}/svar/{index}/lage")
    assert status == 200
    return json.loads(body)


def _wait_state(url: str, ready: Callable[[dict[str, Any]], bool],
                index: int = 0) -> dict[str, Any]:
    """The first state that is `ready`; fails after WAIT seconds with the last state."""
    deadline = time.monotonic() + WAIT
    state = _state(url, index)
    while not ready(state):
        if time.monotonic() > deadline:
            pytest.fail(f"förhandsgranskningen nådde aldrig det väntade läget: {state}")
        time.sleep(0.05)
        state = _state(url, index)
    return state


def _text(state: dict[str, Any]) -> str:
    return " ".join(p["text"] for p in state["pages"])


def _save(path: Path, text: str, *, rename: bool = False) -> None:
    """Save as an editor does: in place, or (like vim and many others) by renaming a copy."""
    if rename:
        temp = path.with_name(f".{path.name}.swp")
        temp.write_text(text, encoding="utf-8")
        os.replace(temp, path)
    else:
        path.write_text(text, encoding="utf-8")


def _pdf_pages_text(pdf: Path) -> list[str]:
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], check=True,
                         capture_output=True).stdout.decode()
    return [" ".join(page.split()) for page in out.split("\f")][:-1]


# -- the browser ------------------------------------------------------------------------------


@pytest.fixture
def browser():
    """Headless Chromium from Debian, driven by Debian's chromedriver; never downloads one."""
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        pytest.fail("chromium och chromium-driver saknas; de installeras av "
                    "`bash scripts/setup-system.sh --test` (make test gör det)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="utlatande-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", f"--user-data-dir={profile}",
                 "--window-size=1100,800"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _until(driver, condition: Callable[[Any], Any], what: str) -> Any:
    from selenium.common.exceptions import TimeoutException
    from selenium.webdriver.support.ui import WebDriverWait

    try:
        return WebDriverWait(driver, WAIT, poll_frequency=0.05).until(condition)
    except TimeoutException:
        pytest.fail(f"sidan visade aldrig {what}: "
                    + driver.execute_script("return document.body.innerText"))


def _page_text(driver) -> str:
    return driver.execute_script(
        "return [...document.querySelectorAll('#pages .sidtext')]"
        ".map(e => e.textContent).join(' ')")


def _loaded(driver, url: str) -> list[str]:
    """Every address the page has loaded; each is under the token of `url`."""
    loaded = driver.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)")
    icon = url.rsplit("/", 2)[0] + "/favicon.ico"  # asked for by the browser itself
    assert all(address.startswith(url) or address == icon for address in loaded), loaded
    return loaded


def test_browser_shows_the_pages_follows_saves_and_shows_errors(browser, tmp_path):
    answer = _scaffold(tmp_path)
    original = answer.read_text(encoding="utf-8")
    with served(tmp_path, "answers/x.yaml") as (process, url):
        # Opened from a link on another site (here a file): the token is in the address
        # itself, so the page comes as it does when the address is typed.
        link = tmp_path / "länk.html"
        link.write_text(f'<!DOCTYPE html><a id="till" href="{url}">Förhandsgranskningen</a>',
                        encoding="utf-8")
        browser.get(link.as_uri())
        browser.find_element("id", "till").click()
        _until(browser, lambda d: "Ärendets rubrik" in _page_text(d), "de första sidorna")
        # The token stays in the path, no cookie is set, and every address the page loads
        # (its stylesheet, script and page images) starts with it; only the browser's own
        # request for an icon goes to the server's root (and is refused).
        assert browser.current_url == f"{url}svar/0"
        assert browser.get_cookies() == []
        loaded = _loaded(browser, url)
        assert {f"{url}resurs/preview.css", f"{url}resurs/preview.js"} <= set(loaded)
        assert any(address.startswith(f"{url}svar/0/bild/") for address in loaded), loaded
        assert browser.find_element("id", "pdf").get_attribute("href").startswith(
            f"{url}svar/0/pdf?v=")
        assert browser.title == "Ärendets rubrik – förhandsgranskning"
        image = browser.find_element("css selector", "#pages figure.sida img")
        assert image.get_attribute("alt") == "Sida 1 av 1"
        assert browser.execute_script("return arguments[0].naturalWidth", image) > 900
        first_src = image.get_attribute("src")

        # Scroll down, mark the page's element, and save a new title.
        browser.execute_script("window.scrollTo(0, 240);"
                               "document.querySelector('#pages figure').merke = 'samma';")
        _save(answer, original.replace("rubrik: Ärendets rubrik",
                                       "rubrik: Uppföljning av hemtjänsten"))
        _until(browser, lambda d: "Uppföljning av hemtjänsten" in _page_text(d),
               "den nya rubriken")
        assert "Ärendets rubrik" not in _page_text(browser)
        assert image.get_attribute("src") != first_src
        # Swapped in place: the same element, and the scroll position where it was.
        assert browser.execute_script(
            "return document.querySelector('#pages figure').merke") == "samma"
        assert browser.execute_script("return window.scrollY") == 240
        assert browser.title == "Uppföljning av hemtjänsten – förhandsgranskning"

        # A misspelt key: the check's message, with its line, over the last good pages.
        broken = original.replace("rubrik: Ärendets rubrik",
                                  "rubrik: Uppföljning av hemtjänsten") \
            .replace("\nsammanfattning: |", "\nsammanfatning: |")
        line = broken.splitlines().index("sammanfatning: |") + 1
        _save(answer, broken)
        problems = browser.find_element("id", "problems")
        _until(browser, lambda d: problems.is_displayed(), "felet")
        expected = (f"answers/x.yaml:{line}:1: fel: okänd nyckel 'sammanfatning'; menade du "
                    "'sammanfattning'? [schema.okänd_nyckel]")
        assert [li.text for li in problems.find_elements("tag name", "li")] == [expected]
        assert "Svarsfilen har fel" in problems.text
        assert "Uppföljning av hemtjänsten" in _page_text(browser)  # the last good pages
        assert browser.execute_script("return window.scrollY") == 240
        ARTEFACTS.mkdir(parents=True, exist_ok=True)
        browser.save_screenshot(str(ARTEFACTS / "serve-fel.png"))

        # The fix, saved the way vim saves (a new file renamed over the old one).
        fixed = broken.replace("\nsammanfatning: |", "\nsammanfattning: |") \
            .replace("Skriv en kort sammanfattning av ärendet här",
                     "Nämnden får en redovisning av hemtjänsten")
        _save(answer, fixed, rename=True)
        _until(browser, lambda d: not problems.is_displayed()
               and "Nämnden får en redovisning" in _page_text(d), "sidorna utan fel")
        assert "fel" not in browser.find_element("id", "status").get_attribute("class")
        browser.execute_script("window.scrollTo(0, 0)")
        browser.save_screenshot(str(ARTEFACTS / "serve.png"))
        # The images of each new state came from under the token too.
        _loaded(browser, url)
    assert process.returncode == 0


def test_ctrl_c_stops_the_server_cleanly(tmp_path):
    _scaffold(tmp_path)
    with served(tmp_path, "answers/x.yaml") as (process, url):
        _wait_state(url, lambda s: s["status"] == "klar")
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=WAIT) == 0
        assert process.stdout.read() == "Förhandsgranskningen är stoppad.\n"


# -- over HTTP --------------------------------------------------------------------------------


def test_the_pages_are_the_pdfs_own_pages(tmp_path, in_project):
    answer = tmp_path / "nyckeltjanster.yaml"
    shutil.copy(ROOT / "answers" / "stockholm-nyckeltjanster.yaml", answer)
    result = CliRunner().invoke(main, ["build", str(answer), "-o", str(tmp_path), "-f", "pdf"])
    assert result.exit_code == 0, result.output
    from pypdf import PdfReader

    reader = PdfReader(tmp_path / "nyckeltjanster.pdf")
    with served(ROOT, str(answer)) as (_, url):
        state = _wait_state(url, lambda s: s["status"] == "klar")
        assert len(state["pages"]) == len(reader.pages) > 1
        assert [p["text"] for p in state["pages"]] == _pdf_pages_text(
            tmp_path / "nyckeltjanster.pdf")
        from PIL import Image

        for page, pdf_page in zip(state["pages"], reader.pages, strict=True):
            status, headers, body = _get(url, page["url"])
            assert status == 200
            assert headers["Content-Type"] == "image/png"
            image = Image.open(io.BytesIO(body))
            points = (float(pdf_page.mediabox.width), float(pdf_page.mediabox.height))
            # 120 dpi from the page's size in points (1/72 inch); shown at 96 px an inch.
            assert image.size == pytest.approx((points[0] / 72 * 120, points[1] / 72 * 120),
                                               abs=1)
            assert (page["width"], page["height"]) == pytest.approx(
                (points[0] / 72 * 96, points[1] / 72 * 96), abs=1)
        status, headers, body = _get(url, state["pdf"])
        assert status == 200 and body.startswith(b"%PDF-")
        assert len(PdfReader(io.BytesIO(body)).pages) == len(reader.pages)


def _blank_pdf(path: Path, pages: int) -> None:
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    with path.open("wb") as handle:
        writer.write(handle)


def test_saving_the_profile_a_stylesheet_or_an_appendix_updates_the_pages(tmp_path):
    profile = tmp_path / "templates" / "egen"
    profile.mkdir(parents=True)
    tema = profile / "tema.yaml"
    tema.write_text("namn: Egen kommun\nstandardvärden: {organisation: Egna kommunen}\n",
                    encoding="utf-8")
    answer = _scaffold(tmp_path, "tjänsteutlåtande", "--profil", "egen")
    text = answer.read_text(encoding="utf-8").replace(
        "bilagor: []", "bilagor:\n  - {titel: Underlag, fil: underlag.pdf}")
    _blank_pdf(answer.parent / "underlag.pdf", 1)
    answer.write_text(text, encoding="utf-8")
    with served(tmp_path, "answers/x.yaml") as (_, url):
        state = _wait_state(url, lambda s: s["status"] == "klar")
        assert len(state["pages"]) == 2  # the statement and its appendix
        assert "Egna kommunen" in _text(state) and "Sammanfattning" in _text(state)

        tema.write_text(tema.read_text(encoding="utf-8")
                        + "rubriker: {sammanfattning: Kort om ärendet}\n", encoding="utf-8")
        state = _wait_state(url, lambda s: "Kort om ärendet" in _text(s))
        assert "Sammanfattning" not in _text(state)

        _blank_pdf(answer.parent / "underlag.pdf", 3)
        state = _wait_state(url, lambda s: len(s["pages"]) == 4)

        # A stylesheet new in the profile, then changed: the page looks different each time.
        before = state["pages"][0]["url"]
        (profile / "css").mkdir()
        (profile / "css" / "egen.css").write_text("h1.rubrik { font-size: 30pt; }\n")
        state = _wait_state(url, lambda s: s["pages"][0]["url"] != before)
        bigger = state["pages"][0]["url"]
        (profile / "css" / "egen.css").write_text("h1.rubrik { font-size: 8pt; }\n")
        state = _wait_state(url, lambda s: s["pages"][0]["url"] not in (before, bigger))
        assert state["problems"] == []

        # A template of the profile with a syntax error: its file and line, then fixed.
        (profile / "mallar").mkdir()
        template = profile / "mallar" / "tjänsteutlåtande.html.j2"
        template.write_text('{% extends "!default/mallar/tjänsteutlåtande.html.j2" %}\n'
                            "{% block innehall %}{% if %}{% endblock %}\n", encoding="utf-8")
        state = _wait_state(url, lambda s: s["status"] == "fel")
        assert state["problems"] == [
            "templates/egen/mallar/tjänsteutlåtande.html.j2:2:1: fel: fel i mallen: Expected "
            "an expression, got 'end of statement block' [mall.fel]"]
        assert len(state["pages"]) == 4  # the last good pages stay
        template.write_text('{% extends "!default/mallar/tjänsteutlåtande.html.j2" %}\n'
                            "{% block innehall %}<h1 class=\"rubrik\">Bara rubriken</h1>"
                            "{% endblock %}\n", encoding="utf-8")
        state = _wait_state(url, lambda s: s["status"] == "klar")
        assert state["pages"][0]["text"].endswith("Bara rubriken Sida 1 (1)")


def test_a_newer_save_wins_over_the_renders_before_it(tmp_path):
    answer = _scaffold(tmp_path)
    original = answer.read_text(encoding="utf-8")
    with served(tmp_path, "answers/x.yaml") as (_, url):
        _wait_state(url, lambda s: s["status"] == "klar")
        for n in range(1, 8):
            _save(answer, original.replace("rubrik: Ärendets rubrik", f"rubrik: Version {n}"))
            time.sleep(0.03)
        state = _wait_state(url, lambda s: s["status"] == "klar" and "Version 7" in _text(s))
        time.sleep(0.5)  # nothing stale may arrive after the newest
        assert "Version 7" in _text(_state(url))
        assert state["problems"] == []


def test_a_render_in_progress_is_interrupted(in_project):
    from utlatande.preview.pages import render_answer
    from utlatande.preview.state import RenderThread

    path = ROOT / "answers" / "stockholm-nyckeltjanster.yaml"
    import threading

    lock = threading.Lock()
    finished = RenderThread(lambda: render_answer(path, ROOT, set(), {}), lock)
    finished.start()
    finished.join(WAIT)
    assert finished.result is not None and len(finished.result.pages) > 1

    started = threading.Event()

    def job():
        started.set()
        return render_answer(path, ROOT, set(), {})

    stopped = RenderThread(job, lock)
    stopped.start()
    assert started.wait(WAIT)
    with lock:
        assert stopped.interrupt()
        assert not stopped.interrupt()  # once only
    stopped.join(WAIT)
    assert not stopped.is_alive()
    assert stopped.result is None and stopped.error is None
    # Nothing the interrupted render left half done spoils the next one.
    after = RenderThread(lambda: render_answer(path, ROOT, set(), {}), lock)
    after.start()
    after.join(WAIT)
    assert after.result is not None and after.result.problems == []
    assert [p.key for p in after.result.pages] == [p.key for p in finished.result.pages]


def test_several_answers_are_listed(tmp_path):
    _scaffold(tmp_path)
    _scaffold(tmp_path, "rapport", name="rapport.yaml")
    with served(tmp_path) as (_, url):  # no arguments: every answers/*.yaml
        root = _root(url)
        _wait_state(url, lambda s: s["status"] == "klar", 1)
        status, _, body = _get(url, f"{root}/")
        page = body.decode()
        assert status == 200
        assert '<nav class="svarslista" aria-label="Svarsfiler">' in page
        assert f'<a href="{root}/svar/0">Rapportens titel' in page
        assert '<span class="fil">answers/rapport.yaml</span>' in page
        assert '<span class="fil">answers/x.yaml</span>' in page
        assert f'<link rel="stylesheet" href="{root}/resurs/preview.css">' in page
        status, _, body = _get(url, f"{root}/svar/1")
        assert status == 200
        assert f'<a href="{root}/svar/1" aria-current="page">' in body.decode()


def test_the_server_answers_only_on_loopback_and_only_with_its_own_files(tmp_path):
    _scaffold(tmp_path)
    (tmp_path / "hemlig.txt").write_text("hemligt", encoding="utf-8")
    with served(tmp_path, "answers/x.yaml") as (_, url):
        assert url.startswith("http://127.0.0.1:")
        root = _root(url)
        state = _wait_state(url, lambda s: s["status"] == "klar")
        status, headers, body = _get(url, f"{root}/svar/0")
        assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
        assert '<html lang="sv">' in body.decode()
        for path in ("/hemlig.txt", "/../hemlig.txt", "/svar/0/../../hemlig.txt",
                     "/svar/0/bild/../../../hemlig.txt", "/resurs/../serve.py",
                     "/resurs/sida.html", "/svar/1", "/svar/-1", "/svar/0/bild/x.png",
                     "/svar/0/answers/x.yaml", "/%2e%2e/hemlig.txt"):
            status, _, body = _get(url, root + path)
            assert status == 404, path
            assert body.decode() == "Sidan finns inte.\n"
        status, _, body = _get(url, state["pages"][0]["url"], host="angripare.example:80")
        assert status == 403  # another site's page cannot read the preview (DNS rebinding)
        assert _get(url, f"{root}/svar/0", method="POST")[0] == 405


REFUSED = ("Förhandsgranskningen visas bara på adressen som utlatande serve skrev ut, med "
           "nyckeln i den.\n")


def test_without_this_runs_token_nothing_is_shown(tmp_path):
    _scaffold(tmp_path)
    with served(tmp_path, "answers/x.yaml") as (_, url):
        state = _wait_state(url, lambda s: s["status"] == "klar")
        token = _token(url)
        port = re.match(r"http://[\d.]+:(\d+)/", url)[1]
        # Every address the server has, as it follows the token.
        paths = ["", "/", "/svar/0", "/svar/0/lage", "/svar/0/handelser", "/svar/0/pdf",
                 state["pages"][0]["url"].removeprefix(f"/{token}"), "/resurs/preview.js",
                 "/resurs/preview.css", "/finns-inte"]
        wrong = "A" * len(token)
        for path in paths:
            for first in ("", wrong, token[:-1], f"{token}x", f"x{token}", token.swapcase(),
                          f"%{ord(token[0]):02X}{token[1:]}", f"svar/{token}", f"x/{token}",
                          f"{token};", f"?nyckel={token}", f"{token[:20]}/{token[20:]}"):
                status, headers, body = _get(url, f"/{first}{path}")
                assert (status, body.decode()) == (403, REFUSED), f"/{first}{path}"
                assert "Set-Cookie" not in headers
            # The old forms: the token in the query, or in the old design's cookie.
            for given in ({}, {"Cookie": f"utlatande-{port}={token}"}):
                status, _, body = _get(url, f"{path or '/'}?nyckel={token}", headers=given)
                assert (status, body.decode()) == (403, REFUSED), (path, given)
        assert _get(url, "/svar/0", method="POST")[0] == 403
        assert _get(url, f"/{token}/svar/0", method="POST")[0] == 405
        assert _get(url, f"/{wrong}/svar/0", method="HEAD")[0] == 403


def _first_event(url: str, path: str) -> tuple[dict[str, str], str]:
    """The headers of the event stream at `path`, and its first event."""
    address = re.match(r"http://([\d.]+):(\d+)/", url)
    connection = http.client.HTTPConnection(address[1], int(address[2]), timeout=WAIT)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        assert response.status == 200
        lines = []
        while not lines or lines[-1] != "":
            lines.append(response.readline().decode().rstrip("\n"))
            if lines == ["retry: 1000", ""]:
                lines = []
        return dict(response.getheaders()), "\n".join(lines)
    finally:
        connection.close()


def test_the_printed_address_leads_to_the_pages_and_everything_they_load(tmp_path):
    _scaffold(tmp_path)
    with served(tmp_path, "answers/x.yaml") as (_, url):
        root = _root(url)
        # The printed address, and the same without its last '/'.
        for path in (f"{root}/", root):
            status, headers, body = _get(url, path)
            assert (status, headers["Location"], body) == (302, f"{root}/svar/0", b"")
        status, headers, body = _get(url, f"{root}/svar/0")
        page = body.decode()
        assert status == 200 and "<h1>" in page
        # Every address in the page starts with the token: none loses it.
        addresses = re.findall(r'(?:href|src|data-base)="([^"]*)"', page)
        assert sorted(addresses) == [f"{root}/resurs/preview.css", f"{root}/resurs/preview.js",
                                     f"{root}/svar/0", f"{root}/svar/0/pdf"]
        for asset in sorted(addresses)[:2]:
            status, headers, body = _get(url, asset)
            assert status == 200 and headers["Content-Type"].startswith("text/")
        # And so does every address in the state the page's script reads.
        state = _wait_state(url, lambda s: s["status"] == "klar")
        assert state["pdf"].startswith(f"{root}/svar/0/pdf?v=")
        assert all(p["url"].startswith(f"{root}/svar/0/bild/") for p in state["pages"])
        status, headers, body = _get(url, state["pages"][0]["url"])
        assert (status, headers["Content-Type"]) == (200, "image/png")
        assert body.startswith(b"\x89PNG")
        status, _, body = _get(url, state["pdf"])
        assert status == 200 and body.startswith(b"%PDF-")
        headers, event = _first_event(url, f"{root}/svar/0/handelser")
        assert headers["Content-Type"] == "text/event-stream; charset=utf-8"
        assert event.startswith("event: state\nid: ")
        data = json.loads(event.split("\ndata: ", 1)[1])
        assert data["pages"] == state["pages"]
        # Nothing is kept in the browser: no cookie, and one given is not looked at.
        for path in (f"{root}/", f"{root}/svar/0", f"{root}/svar/0/lage", state["pdf"]):
            status, headers, _ = _get(url, path, headers={"Cookie": "annan=1"})
            assert status in (200, 302) and "Set-Cookie" not in headers, path


def test_the_token_never_reaches_another_site(tmp_path):
    _scaffold(tmp_path)
    _scaffold(tmp_path, "rapport", name="rapport.yaml")
    with served(tmp_path) as (_, url):
        state = _wait_state(url, lambda s: s["status"] == "klar")
        token = _token(url)
        root = _root(url)
        paths = [f"{root}/", f"{root}/svar/0", f"{root}/svar/1", f"{root}/svar/0/lage",
                 f"{root}/resurs/preview.js", f"{root}/resurs/preview.css",
                 state["pages"][0]["url"], state["pdf"], f"{root}/finns-inte", "/",
                 "/svar/0", f"/{'A' * len(token)}/svar/0", f"/svar/0?nyckel={token}"]
        for path in paths:
            status, headers, body = _get(url, path)
            # No page hands its address to a site it links to or loads from, and a page
            # loads nothing from another site.
            assert headers["Referrer-Policy"] == "no-referrer", path
            assert "Set-Cookie" not in headers, path
            if status == 200:
                assert "default-src 'self'" in headers["Content-Security-Policy"], path
            # The token is in a page only as the start of the page's own addresses (a path
            # on this server: '"/TOKEN/…', never '//host/TOKEN'), and in no refusal.
            text = body.decode("utf-8", "replace")
            own = re.findall(rf'(?:"|&quot;)/{re.escape(token)}/', text)
            assert text.count(token) == len(own), path
            if status >= 400:
                assert token not in text, path
            # A redirect goes to a path on this server, under the token.
            assert headers.get("Location", f"{root}/").startswith(f"{root}/"), path
        status, headers, _ = _get(url, f"{root}/svar/0/handelser", method="HEAD")
        assert (status, headers["Referrer-Policy"]) == (200, "no-referrer")
        status, headers, body = _get(url, f"{root}/", host="angripare.example:80")
        assert status == 403 and headers["Referrer-Policy"] == "no-referrer"
        assert token.encode() not in body


def test_oppna_opens_the_address_with_the_token(tmp_path):
    _scaffold(tmp_path)
    opened = tmp_path / "öppnad.txt"
    browser = tmp_path / "webblasare"
    # A browser as webbrowser runs one ($BROWSER): it is given the address to open.
    browser.write_text(f'#!/bin/sh\nprintf %s "$1" > "{opened}"\n', encoding="utf-8")
    browser.chmod(0o755)
    with served(tmp_path, "answers/x.yaml", args=("--öppna",),
                env={"BROWSER": f"{browser} %s"}) as (_, url):
        deadline = time.monotonic() + WAIT
        while not opened.exists() or not opened.read_text(encoding="utf-8"):
            assert time.monotonic() < deadline, "webbläsaren öppnades aldrig"
            time.sleep(0.05)
        assert opened.read_text(encoding="utf-8") == url
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/[A-Za-z0-9_-]{43}/", url)
        status, headers, _ = _get(url, f"{_root(url)}/")
        assert (status, headers["Location"]) == (302, f"{_root(url)}/svar/0")


def test_serve_has_swedish_help():
    result = CliRunner().invoke(main, ["serve", "--help"])
    assert result.exit_code == 0
    assert "serve [FLAGGOR] [SVARSFIL]..." in result.output
    assert "127.0.0.1" in result.output and "Ctrl-C" in result.output
    assert "http://127.0.0.1:PORT/NYCKEL/" in result.output
