"""Images in answer text: printed in both formats when inside the project, an error otherwise."""

from __future__ import annotations

from pathlib import Path

import docx
import pikepdf
import pytest
from click.testing import CliRunner
from docx.oxml.ns import qn
from PIL import Image

from utlatande.cli import main
from utlatande.pipeline import check

HEAD = """mall: tjänsteutlåtande
datum: 2024-05-20
rubrik: Bänkar i parken
sammanfattning: |
  Förvaltningen föreslår bänkar på platserna i kartan.

"""
ALT = "Karta över parken med tio nya bänkar"


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "answers").mkdir()
    (tmp_path / "bilder").mkdir()
    # 2000 px at 96 dpi is 529 mm: wider than any page, so it must be scaled down.
    Image.new("RGB", (2000, 1000), (30, 120, 200)).save(tmp_path / "bilder" / "karta.png")


def _answer(tmp_path: Path, image_line: str) -> Path:
    path = tmp_path / "answers" / "x.yaml"
    path.write_text(HEAD + f"  {image_line}\n", encoding="utf-8")
    return path


def _problems(tmp_path: Path, image_line: str) -> list[str]:
    return [str(p) for p in check(_answer(tmp_path, image_line), tmp_path).problems]


def _figures(pdf: Path) -> list[tuple[str, str | None]]:
    """(structure type, /Alt) of every /Figure in the PDF's tag tree."""
    found = []

    def walk(node) -> None:
        if isinstance(node, pikepdf.Array):
            for item in node:
                walk(item)
        elif isinstance(node, pikepdf.Dictionary):
            if node.get("/S") == "/Figure":
                alt = node.get("/Alt")
                found.append(("/Figure", str(alt) if alt is not None else None))
            if "/K" in node:
                walk(node["/K"])

    with pikepdf.open(pdf) as document:
        walk(document.Root.StructTreeRoot)
    return found


def test_an_image_in_the_project_is_printed_in_both_formats(tmp_path):
    _answer(tmp_path, f'![{ALT}](../bilder/karta.png "Figur 1. Föreslagna platser")')
    result = CliRunner().invoke(main, ["build", "answers/x.yaml", "-j", "1", "--verify"])
    assert result.exit_code == 0, result.output
    pdf, word = tmp_path / "build" / "x.pdf", tmp_path / "build" / "x.docx"
    assert _figures(pdf) == [("/Figure", ALT)]
    with pikepdf.open(pdf) as document:
        assert sum(len(page.get_images()) for page in document.pages) == 1
    document = docx.Document(word)
    shapes = document.inline_shapes
    assert len(shapes) == 1
    assert shapes[0]._inline.docPr.get("descr") == ALT
    section = document.sections[0]
    text_width = section.page_width - section.left_margin - section.right_margin
    assert shapes[0].width == text_width  # scaled down to the text, proportions kept
    assert abs(shapes[0].height * 2 - shapes[0].width) <= 2
    captions = [p.text for p in document.paragraphs if p.style.name == "Caption"]
    assert captions == ["Figur 1. Föreslagna platser"]
    body = document.element.body
    blips = body.findall(".//" + qn("a:blip"))
    assert len(blips) == 1


def test_the_pdf_caption_follows_the_image(tmp_path):
    _answer(tmp_path, f'![{ALT}](../bilder/karta.png "Figur 1. Föreslagna platser")')
    result = CliRunner().invoke(main, ["build", "answers/x.yaml", "-f", "html", "-j", "1"])
    assert result.exit_code == 0, result.output
    html = (tmp_path / "build" / "x.html").read_text(encoding="utf-8")
    uri = (tmp_path / "bilder" / "karta.png").resolve().as_uri()
    assert (f'<figure class="bild"><img src="{uri}" alt="{ALT}" class="bild" />'
            "<figcaption>Figur 1. Föreslagna platser</figcaption></figure>") in html


def test_an_edited_image_rebuilds_the_statement(tmp_path):
    _answer(tmp_path, f"![{ALT}](../bilder/karta.png)")
    runner = CliRunner()
    assert runner.invoke(main, ["build", "answers/x.yaml", "-f", "docx", "-j", "1"]).exit_code == 0
    Image.new("RGB", (200, 100), (200, 20, 20)).save(tmp_path / "bilder" / "karta.png")
    result = runner.invoke(main, ["build", "answers/x.yaml", "-f", "docx", "-j", "1"])
    assert "1 byggda, 0 oförändrade" in result.output


@pytest.mark.parametrize(("line", "make", "expected"), [
    ("![Karta](../../karta.png)", None,
     "answers/x.yaml:7:3: fel: bilden '../../karta.png' ligger utanför projektet; lägg filen i "
     "projektets mapp [bild.utanför]"),
    ("![Karta](../bilder/saknas.png)", None,
     "answers/x.yaml:7:3: fel: bilden '../bilder/saknas.png' finns inte [bild.saknas]"),
    ("![Karta](../bilder/karta.txt)", b"inte en bild",
     "answers/x.yaml:7:3: fel: bilden '../bilder/karta.txt' är ingen PNG-, JPEG- eller GIF-bild "
     "[bild.inte_bild]"),
    ("![Karta](../bilder/stor.png)", "stor",
     "answers/x.yaml:7:3: fel: bilden '../bilder/stor.png' är 21 MB; en bild får vara högst "
     "20 MB [bild.för_stor]"),
    ("![Karta](../bilder/trasig.png)", b"\x89PNG\r\n\x1a\n trasig",
     "answers/x.yaml:7:3: fel: bilden '../bilder/trasig.png' är skadad och kan inte visas; "
     "spara om den som PNG eller JPEG [bild.skadad]"),
    ("![](../bilder/karta.png)", None,
     "answers/x.yaml:7:3: fel: bilden '../bilder/karta.png' saknar beskrivning för den som inte "
     "ser den; skriv den inom hakparenteserna: ![Karta över området](../bilder/karta.png) "
     "[bild.beskrivning]"),
    ("Se ![Karta](https://example.org/karta.png).", None,
     "answers/x.yaml:7:6: fel: bilden 'https://example.org/karta.png' är en webbadress; spara "
     "bilden i projektets mapp och skriv sökvägen dit [bild.webb]"),
])
def test_an_image_that_cannot_be_printed_is_an_error_at_its_line(tmp_path, line, make, expected):
    target = tmp_path / "bilder" / line.split("../bilder/")[-1].rstrip(")") \
        if "../bilder/" in line else None
    if isinstance(make, bytes) and target is not None:
        target.write_bytes(make)
    elif make == "stor" and target is not None:
        with target.open("wb") as handle:
            handle.write(b"\x89PNG\r\n\x1a\n")
            handle.truncate(21 * 1024 * 1024)
    (tmp_path.parent / "karta.png").write_bytes((tmp_path / "bilder" / "karta.png").read_bytes())
    assert _problems(tmp_path, line) == [expected]


def test_a_failed_image_leaves_no_output(tmp_path):
    _answer(tmp_path, "![Karta](../bilder/saknas.png)")
    result = CliRunner().invoke(main, ["build", "answers/x.yaml", "-j", "1"])
    assert result.exit_code == 1
    assert "[bild.saknas]" in result.output
    assert not (tmp_path / "build" / "x.pdf").exists()


def test_an_image_in_a_table_is_printed_and_one_in_a_footnote_is_its_description(tmp_path):
    path = tmp_path / "answers" / "x.yaml"
    path.write_text(HEAD + f"""  Se kartan.[^1]

  | Plats | Bild |
  |---|---|
  | Norr | ![{ALT}](../bilder/karta.png) |

  [^1]: Se ![den lilla kartan](../bilder/karta.png) här.
""", encoding="utf-8")
    result = CliRunner().invoke(main, ["build", "answers/x.yaml", "-f", "html,docx", "-j", "1"])
    assert result.exit_code == 0, result.output
    html = (tmp_path / "build" / "x.html").read_text(encoding="utf-8")
    assert html.count("<img ") == 1
    assert '<span class="fotnot">Se den lilla kartan här.</span>' in html
    table = docx.Document(tmp_path / "build" / "x.docx").tables[-1]
    pictures = table.rows[1].cells[1]._tc.findall(".//" + qn("wp:docPr"))
    assert [p.get("descr") for p in pictures] == [ALT]


def _markdown_keys(schema: object, key: str | None = None) -> set[str]:
    """The keys whose value (or list item) the answer schema calls Markdown."""
    found: set[str] = set()
    if isinstance(schema, dict):
        if key and str(schema.get("description", "")).endswith("(Markdown)"):
            found.add(key)
        for name, sub in schema.items():
            if name == "properties":
                for prop, prop_schema in sub.items():
                    found |= _markdown_keys(prop_schema, prop)
            elif name in ("items", "anyOf", "allOf"):
                found |= _markdown_keys(sub, key)
    elif isinstance(schema, list):
        for sub in schema:
            found |= _markdown_keys(sub, key)
    return found


def test_images_are_looked_for_in_every_markdown_value_and_only_there(tmp_path):
    from utlatande.images import MARKDOWN_KEYS
    from utlatande.schema import ANSWER_SCHEMA

    assert _markdown_keys(ANSWER_SCHEMA) == MARKDOWN_KEYS
    path = tmp_path / "answers" / "x.yaml"
    path.write_text('mall: tjänsteutlåtande\ndatum: 2024-05-20\nrubrik: "Se ![x](saknas.png)"\n',
                    encoding="utf-8")
    assert check(path, tmp_path).problems == []
