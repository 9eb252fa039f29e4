"""Nothing in an answer file runs as code, reads a file or reaches the network."""

from __future__ import annotations

import string
from pathlib import Path

import docx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from utlatande.pipeline import build, check

BASE = {"mall": "tjänsteutlåtande", "datum": "2024-03-19", "rubrik": "Rubrik"}


def _write(tmp_path: Path, data: dict) -> Path:
    (tmp_path / "answers").mkdir(exist_ok=True)
    path = tmp_path / "answers" / "x.yaml"
    yaml = YAML()
    yaml.allow_unicode = True
    with path.open("w", encoding="utf-8") as handle:
        yaml.dump(data, handle)
    return path


def test_the_fetcher_reads_only_the_project_and_the_theme(tmp_path):
    from weasyprint.urls import URLFetchingError

    from utlatande.render.pdf import LocalFetcher

    (tmp_path / "bild.png").write_bytes(b"\x89PNG")
    fetcher = LocalFetcher([tmp_path])
    assert fetcher.fetch((tmp_path / "bild.png").as_uri()) is not None
    for url in ("file:///etc/passwd", (tmp_path / ".." / "x").resolve().as_uri(),
                "http://127.0.0.1:9/x.png", "https://example.com/x.css", "ftp://x/y"):
        with pytest.raises(URLFetchingError):
            fetcher.fetch(url)


def test_images_and_links_in_text_fetch_nothing(tmp_path):
    # A web image is an error before anything is fetched (test_images.py).
    data = {**BASE, "sammanfattning": "![hemlig fil](file:///etc/passwd) och "
            "[länk](file:///etc/passwd) och <img src='file:///etc/passwd'>"}
    result = build(_write(tmp_path, data), tmp_path / "build", ("pdf", "docx", "html"),
                   tmp_path)
    assert result.ok, [str(p) for p in result.problems]
    html = (tmp_path / "build" / "x.html").read_text(encoding="utf-8")
    assert "<img" not in html and 'src="' not in html and 'href="file:' not in html
    text = " ".join(p.text for p in docx.Document(tmp_path / "build" / "x.docx").paragraphs)
    # file: is no link or image address, so those print as typed
    assert ("![hemlig fil](file:///etc/passwd) och [länk](file:///etc/passwd) och "
            "<img src='file:///etc/passwd'>") in text


text_values = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)),
                      max_size=60)
swedish_and_more = st.sampled_from([
    "Åsa Öberg-Ärlig", "Sámi: Ávjovárgeaidnu čđŋšŧž", "العربية نص", "emoji 👩‍⚖️🇸🇪",
    "tab\tand\nnewline", "{{ 7*7 }} {% raw %}", "<script>alert(1)</script>", "\x00\x07\x1b",
    "\u200b\u200e\u202e", "**ofullständig *markdown", "| a | b |\n|--|\n| 1 |", "[^9]",
    string.punctuation])


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(title=st.one_of(text_values, swedish_and_more), body=st.one_of(text_values,
                                                                     swedish_and_more),
       name=st.one_of(text_values, swedish_and_more))
def test_any_text_builds_docx_and_html_or_fails_cleanly(tmp_path, title, body, name):
    data = {**BASE, "rubrik": title or "x", "sammanfattning": body,
            "underskrifter": [{"namn": name or "x"}], "bilagor": [body or "b"]}
    result = build(_write(tmp_path, data), tmp_path / "build", ("docx", "html"), tmp_path)
    assert all(str(p).startswith("answers/x.yaml:") or str(p).startswith(str(tmp_path))
               for p in result.problems)
    if result.ok:
        document = docx.Document(tmp_path / "build" / "x.docx")
        assert document.paragraphs


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.one_of(text_values, swedish_and_more))
def test_any_text_builds_a_pdf_or_fails_cleanly(tmp_path, body):
    data = {**BASE, "sammanfattning": body, "avsnitt": [{"rubrik": body or "r", "text": body}]}
    result = build(_write(tmp_path, data), tmp_path / "build", ("pdf",), tmp_path)
    if result.ok:
        assert (tmp_path / "build" / "x.pdf").read_bytes().startswith(b"%PDF-")
    else:
        assert all(p.code.startswith(("yaml.", "schema.", "text.")) for p in result.problems)


def test_yaml_cannot_build_objects(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text("mall: !!python/object/apply:os.system ['touch hacked']\nrubrik: x\n",
                    encoding="utf-8")
    result = check(path, tmp_path)
    assert [p.code for p in result.problems] == ["yaml.tagg"]
    assert not (tmp_path / "hacked").exists()
