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
    Gives the address it printed: the server and this run's token."""
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8") as log:
        process = subprocess.Popen([sys.executable, "-m", "utlatande", "serve", *answers,
                                    "--port", "0", *args], cwd=cwd, stdout=subprocess.PIPE,
                                   stderr=log, text=True, encoding="utf-8",
                                   env=None if env is None else {**os.environ, **env})
        try:
            line = process.stdout.readline()
            match = re.search(r"http://127\.0\.0\.1:\d+/\?nyckel=[A-Za-z0-9_-]{43}", line)
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
    return url.split("?nyckel=", 1)[1]


def _cookie(url: str) -> str:
    """The cookie the browser has after opening the printed address."""
    port = re.match(r"http://[\d.]+:(\d+)/", url)[1]
    return f"utlatande-{port}={_token(url)}"


BROWSER_COOKIE = "from the url"


def _get(url: str, path: str, host: str | None = None, method: str = "GET",
         cookie: str | None = BROWSER_COOKIE) -> tuple[int, dict[str, str], bytes]:
    """One request, the path sent exactly as given (no normalisation of '..'); with the
    cookie a browser has after opening `url`, unless `cookie` says otherwise (None: none)."""
    address = re.match(r"http://([\d.]+):(\d+)/", url)
    assert address
    connection = http.client.HTTPConnection(address[1], int(address[2]), timeout=WAIT)
    try:
        connection.putrequest(method, path, skip_host=True)
        connection.putheader("Host", host or f"{address[1]}:{address[2]}")
        if cookie is not None:
            connection.putheader("Cookie", _cookie(url) if cookie is BROWSER_COOKIE else cookie)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def _state(url: str, index: int = 0) -> dict[str, Any]:
    status, _, body = _get(url, f"/svar/{index}/lage")
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


def test_browser_shows_the_pages_follows_saves_and_shows_errors(browser, tmp_path):
    answer = _scaffold(tmp_path)
    original = answer.read_text(encoding="utf-8")
    with served(tmp_path, "answers/x.yaml") as (process, url):
        browser.get(url)
        _until(browser, lambda d: "Ärendets rubrik" in _page_text(d), "de första sidorna")
        # The token went into a cookie, out of the address bar; the page's own requests
        # (CSS, JS, the event stream, the images) carry the cookie.
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/svar/0", browser.current_url)
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
        _wait_state(url, lambda s: s["status"] == "klar", 1)
        status, _, body = _get(url, "/")
        page = body.decode()
        assert status == 200
        assert '<nav class="svarslista" aria-label="Svarsfiler">' in page
        assert '<a href="/svar/0">Rapportens titel' in page
        assert '<span class="fil">answers/rapport.yaml</span>' in page
        assert '<span class="fil">answers/x.yaml</span>' in page
        status, _, body = _get(url, "/svar/1")
        assert status == 200 and '<a href="/svar/1" aria-current="page">' in body.decode()


def test_the_server_answers_only_on_loopback_and_only_with_its_own_files(tmp_path):
    _scaffold(tmp_path)
    (tmp_path / "hemlig.txt").write_text("hemligt", encoding="utf-8")
    with served(tmp_path, "answers/x.yaml") as (_, url):
        assert url.startswith("http://127.0.0.1:")
        state = _wait_state(url, lambda s: s["status"] == "klar")
        status, headers, body = _get(url, "/svar/0")
        assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
        assert '<html lang="sv">' in body.decode()
        for path in ("/hemlig.txt", "/../hemlig.txt", "/svar/0/../../hemlig.txt",
                     "/svar/0/bild/../../../hemlig.txt", "/resurs/../serve.py",
                     "/resurs/sida.html", "/svar/1", "/svar/-1", "/svar/0/bild/x.png",
                     "/svar/0/answers/x.yaml", "/%2e%2e/hemlig.txt"):
            status, _, body = _get(url, path)
            assert status == 404, path
            assert body.decode() == "Sidan finns inte.\n"
        status, _, body = _get(url, state["pages"][0]["url"], host="angripare.example:80")
        assert status == 403  # another site's page cannot read the preview (DNS rebinding)
        assert _get(url, "/svar/0", method="POST")[0] == 405


REFUSED = ("Förhandsgranskningen visas bara för den som har adressen som utlatande serve "
           "skrev ut, med dess nyckel (?nyckel=…).\n")


def test_without_this_runs_token_nothing_is_shown(tmp_path):
    _scaffold(tmp_path)
    with served(tmp_path, "answers/x.yaml") as (_, url):
        state = _wait_state(url, lambda s: s["status"] == "klar")
        token = _token(url)
        port = re.match(r"http://[\d.]+:(\d+)/", url)[1]
        paths = ["/", "/svar/0", "/svar/0/lage", "/svar/0/handelser", "/svar/0/pdf",
                 state["pages"][0]["url"], "/resurs/preview.js", "/resurs/preview.css",
                 "/finns-inte"]
        wrong = "A" * len(token)
        for path in paths:
            for cookie in (None, f"utlatande-{port}={wrong}", f"utlatande-{port}=",
                           f"utlatande-1={token}", f"utlatande-{port}={token[:-1]}",
                           f"utlatande-{port}=\"{token}\"x"):
                status, _, body = _get(url, path, cookie=cookie)
                assert (status, body.decode()) == (403, REFUSED), (path, cookie)
            for query in (f"?nyckel={wrong}", "?nyckel=", f"?nyckel={token}x",
                          f"?nyckel=%C3%A5{token[1:]}", f"?Nyckel={token}"):
                status, _, body = _get(url, path + query, cookie=None)
                assert (status, body.decode()) == (403, REFUSED), path + query
        # A wrong token in the address is refused even with the right cookie.
        assert _get(url, f"/svar/0?nyckel={wrong}")[0] == 403
        assert _get(url, "/svar/0", method="POST", cookie=None)[0] == 403
        assert _get(url, "/svar/0", method="POST")[0] == 405


def test_the_printed_address_gives_the_cookie_that_the_pages_own_requests_use(tmp_path):
    _scaffold(tmp_path)
    with served(tmp_path, "answers/x.yaml") as (_, url):
        token = _token(url)
        port = re.match(r"http://[\d.]+:(\d+)/", url)[1]
        status, headers, body = _get(url, f"/?nyckel={token}", cookie=None)
        assert (status, headers["Location"], body) == (303, "/", b"")
        assert headers["Set-Cookie"] == (f"utlatande-{port}={token}; Path=/; HttpOnly; "
                                         "SameSite=Strict")
        jar = headers["Set-Cookie"].split(";")[0]
        status, headers, _ = _get(url, "/", cookie=jar)
        assert (status, headers["Location"]) == (302, "/svar/0")  # the only answer
        status, headers, body = _get(url, "/svar/0", cookie=jar)
        assert status == 200 and "<h1>" in body.decode()
        # The page's stylesheet and script, its state, the event stream, images and PDF.
        assets = re.findall(r'(?:href|src)="(/resurs/[^"]+)"', body.decode())
        assert sorted(assets) == ["/resurs/preview.css", "/resurs/preview.js"]
        for asset in assets:
            status, headers, body = _get(url, asset, cookie=jar)
            assert status == 200 and headers["Content-Type"].startswith("text/")
        state = _wait_state(url, lambda s: s["status"] == "klar")
        status, headers, body = _get(url, state["pages"][0]["url"], cookie=jar)
        assert (status, headers["Content-Type"]) == (200, "image/png")
        assert body.startswith(b"\x89PNG")
        status, _, body = _get(url, state["pdf"], cookie=jar)
        assert status == 200 and body.startswith(b"%PDF-")
        status, headers, _ = _get(url, "/svar/0/handelser", method="HEAD", cookie=jar)
        assert (status, headers["Content-Type"]) == (200, "text/event-stream; charset=utf-8")
        # Another cookie beside it (the browser sends all of the host's) changes nothing.
        assert _get(url, "/svar/0/lage", cookie=f"annan=1; {jar}; utlatande-1=x")[0] == 200

        # The address with the token on any page leads to that page, never to another host.
        status, headers, _ = _get(url, f"/svar/0/pdf?nyckel={token}", cookie=None)
        assert (status, headers["Location"]) == (303, "/svar/0/pdf")
        for path in (f"//angripare.example/?nyckel={token}",
                     f"/\\angripare.example/?nyckel={token}",
                     f"/svar/%0d%0aX-Ond:%201?nyckel={token}"):
            status, headers, _ = _get(url, path, cookie=None)
            assert status == 303 and "X-Ond" not in headers, path
            # A path on this server: not '//host' nor '/\\host', which browsers read as one.
            assert re.fullmatch(r"/(?:[a-z.]+/)?", headers["Location"]), path


def test_the_token_never_reaches_a_page_or_another_site(tmp_path):
    _scaffold(tmp_path)
    _scaffold(tmp_path, "rapport", name="rapport.yaml")
    with served(tmp_path) as (_, url):
        state = _wait_state(url, lambda s: s["status"] == "klar")
        token = _token(url)
        paths = [f"/?nyckel={token}", "/", "/svar/0", "/svar/1", "/svar/0/lage",
                 "/resurs/preview.js", "/resurs/preview.css", state["pages"][0]["url"],
                 state["pdf"], "/finns-inte"]
        for path in paths:
            for cookie in (BROWSER_COOKIE, None):
                status, headers, body = _get(url, path, cookie=cookie)
                # No page hands its address to a site it links to or loads from.
                assert headers["Referrer-Policy"] == "no-referrer", path
                assert token.encode() not in body, path
                shown = {k: v for k, v in headers.items() if k != "Set-Cookie"}
                assert token not in str(shown), path
        status, headers, _ = _get(url, "/svar/0/handelser", method="HEAD")
        assert headers["Referrer-Policy"] == "no-referrer"
        status, headers, _ = _get(url, "/", host="angripare.example:80")
        assert status == 403 and headers["Referrer-Policy"] == "no-referrer"


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
        status, headers, _ = _get(url, url.removeprefix(url.split("/?")[0]), cookie=None)
        assert status == 303 and headers["Set-Cookie"].startswith(_cookie(url) + ";")


def test_serve_has_swedish_help():
    result = CliRunner().invoke(main, ["serve", "--help"])
    assert result.exit_code == 0
    assert "serve [FLAGGOR] [SVARSFIL]..." in result.output
    assert "127.0.0.1" in result.output and "Ctrl-C" in result.output
