"""A profile's own look (_brand.yml): the logo, colours and fonts in the PDF, every bad input."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from utlatande.pipeline import build, check

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_FONTS = ROOT / "src" / "utlatande" / "themes" / "default" / "fonts"
LOGO_COLOUR = (0xC0, 0x1F, 0x7A)  # a colour no other part of a document has
LOGO = f"""<svg xmlns="http://www.w3.org/2000/svg" width="120" height="60" viewBox="0 0 120 60">
  <rect width="120" height="60" fill="#{''.join(f'{c:02x}' for c in LOGO_COLOUR)}"/>
</svg>
"""
BRAND = """meta:
  name: Provkommun
logo:
  large:
    path: logga.svg
    alt: Provkommunens logotyp
color:
  palette:
    kommunfarg: "#0a5c36"
  primary: kommunfarg
typography:
  base:
    family: Liberation Serif
    size: 11pt
  headings:
    family: Liberation Sans
    color: primary
"""
ANSWER = """mall: tjänsteutlåtande
profil: prov
organisation: Provkommun
förvaltning: Socialförvaltningen
datum: 2024-03-19
rubrik: Ett ärende om kommunens utseende
förslag_till_beslut:
  - Nämnden godkänner utlåtandet.
sammanfattning: |
  Texten i ärendet.

  | Kolumn | Värde |
  |---|---|
  | a | 1 |
"""


def make_profile(project: Path, brand: str = BRAND, logo: str | bytes = LOGO,
                 logo_name: str = "logga.svg") -> Path:
    """templates/prov/ with a one-line tema.yaml, a _brand.yml and a logo; one answer."""
    folder = project / "templates" / "prov"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "tema.yaml").write_text("namn: Provkommun\n", encoding="utf-8")
    (folder / "_brand.yml").write_text(brand, encoding="utf-8")
    if isinstance(logo, bytes):
        (folder / logo_name).write_bytes(logo)
    else:
        (folder / logo_name).write_text(logo, encoding="utf-8")
    (project / "answers").mkdir(exist_ok=True)
    (project / "answers" / "x.yaml").write_text(ANSWER, encoding="utf-8")
    return folder


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _problems(project: Path) -> list[str]:
    return [str(p) for p in check(Path("answers/x.yaml"), project).problems]


def page_png(pdf: Path, page: int, folder: Path) -> tuple[Path, int]:
    """Page `page` of `pdf` as a PNG at 40 dpi in `folder` (pdftoppm), and its height."""
    from PIL import Image

    subprocess.run(["pdftoppm", "-png", "-r", "40", "-f", str(page), "-l", str(page),
                    str(pdf), str(folder / "sida")], check=True)
    png = next(folder.glob("sida*.png"))
    with Image.open(png) as image:
        return png, image.size[1]


def _colour_pixels(png: Path, colour: tuple[int, int, int], rows: slice) -> int:
    from PIL import Image

    with Image.open(png) as image:
        rgb = image.convert("RGB")
        width, height = rgb.size
        top, bottom, _ = rows.indices(height)
        return sum(1 for y in range(top, bottom) for x in range(width)
                   if all(abs(a - b) <= 8 for a, b in zip(rgb.getpixel((x, y)), colour,
                                                          strict=True)))


def test_the_logo_stands_in_the_top_of_page_1_and_headings_take_the_brand_colour(project):
    make_profile(project)
    built = build(Path("answers/x.yaml"), project / "ut", ("pdf", "html"), project)
    assert built.ok, [str(p) for p in built.problems]
    pdf = project / "ut" / "x.pdf"
    page, height = page_png(pdf, 1, project)
    # The logo is 15 mm high at the top of the page: many of its pixels in the top fifth,
    # none below it.
    assert _colour_pixels(page, LOGO_COLOUR, slice(0, height // 5)) > 300
    assert _colour_pixels(page, LOGO_COLOUR, slice(height // 5, height)) == 0
    assert _colour_pixels(page, (0x0A, 0x5C, 0x36), slice(height // 5, height)) > 50
    html = (project / "ut" / "x.html").read_text(encoding="utf-8")
    assert '<img class="logga" src="templates/prov/logga.svg" alt="Provkommunens logotyp">' \
        in html


def test_the_logo_is_a_vector_figure_with_its_alt_text_and_verify_passes(project):
    import pikepdf

    from utlatande.verify import verify_file

    make_profile(project)
    assert build(Path("answers/x.yaml"), project / "ut", ("pdf",), project).ok
    pdf = project / "ut" / "x.pdf"
    with pikepdf.open(pdf) as document:
        figures = [e for e in _struct_elements(document.Root.StructTreeRoot)
                   if e.get("/S") == "/Figure"]
        assert [str(f.Alt) for f in figures] == ["Provkommunens logotyp"]
        assert _images(document) == []  # the SVG is drawn as vectors, not as a picture
    assert not verify_file(pdf)


def _images(document) -> list:
    """Every image XObject the pages draw, inside form XObjects too."""
    found = []

    def walk(resources) -> None:
        for xobject in (resources.get("/XObject") or {}).values():
            if xobject.get("/Subtype") == "/Image":
                found.append(xobject)
            elif "/Resources" in xobject:
                walk(xobject.Resources)

    for page in document.pages:
        walk(page.obj.get("/Resources") or {})
    return found


def _struct_elements(node, seen=None):
    import pikepdf

    seen = seen if seen is not None else set()
    if isinstance(node, pikepdf.Array):
        for item in node:
            yield from _struct_elements(item, seen)
    elif isinstance(node, pikepdf.Dictionary):
        if node.objgen in seen and node.objgen != (0, 0):
            return
        seen.add(node.objgen)
        if "/S" in node:
            yield node
        if "/K" in node:
            yield from _struct_elements(node.K, seen)


def test_a_png_logo_keeps_its_own_pixels(project):
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (300, 150), LOGO_COLOUR).save(buffer, "PNG")
    make_profile(project, BRAND.replace("logga.svg", "logga.png"), buffer.getvalue(),
                 "logga.png")
    built = build(Path("answers/x.yaml"), project / "ut", ("pdf",), project)
    assert built.ok, [str(p) for p in built.problems]
    import pikepdf

    with pikepdf.open(project / "ut" / "x.pdf") as document:
        sizes = [(int(x.Width), int(x.Height)) for x in _images(document)]
    assert sizes == [(300, 150)]


def test_a_child_brand_overrides_its_parents_field_by_field(project):
    make_profile(project)
    child = project / "templates" / "barn"
    child.mkdir()
    (child / "tema.yaml").write_text("ärver: prov\n", encoding="utf-8")
    (child / "_brand.yml").write_text('color:\n  primary: "#123456"\n', encoding="utf-8")
    from utlatande.theme import load_theme

    brand = load_theme("barn", project).brand
    assert brand.colors["primary"] == "#123456"
    assert brand.heading_color == "#123456"  # "color: primary" in the parent follows the child
    assert brand.logo is not None and brand.logo.path == \
        (project / "templates" / "prov" / "logga.svg").resolve()
    assert brand.name == "Provkommun"


FONT_BRAND = """typography:
  fonts:
    - family: Provsans
      source: file
      files:
        - path: fonts/LiberationSans-Bold.ttf
          weight: bold
  headings:
    family: Provsans
"""


def test_brand_fonts_are_embedded_under_the_brands_family_name(project):
    folder = make_profile(project, FONT_BRAND)
    (folder / "fonts").mkdir()
    shutil.copy(DEFAULT_FONTS / "LiberationSans-Bold.ttf", folder / "fonts")
    built = build(Path("answers/x.yaml"), project / "ut", ("pdf",), project)
    assert built.ok, [str(p) for p in built.problems]
    fonts = subprocess.run(["pdffonts", str(project / "ut" / "x.pdf")], capture_output=True,
                           text=True, check=True).stdout.splitlines()[2:]
    assert any("+Provsans-Bold " in line for line in fonts)  # the headings, in its file
    assert all(line.split()[-5] == "yes" for line in fonts)  # the "emb" column


BAD = [
    ("logo:\n  large:\n    path: saknas.svg\n", "templates/prov/_brand.yml:3:11: fel: "
     "logotypen 'saknas.svg' finns inte (sökt i templates/prov/saknas.svg) [brand.saknas]"),
    ("logo:\n  large: https://example.org/logga.svg\n", "templates/prov/_brand.yml:2:10: fel: "
     "logotypen 'https://example.org/logga.svg' är en nätadress; filer hämtas aldrig från "
     "nätet, lägg filen i profilens mapp [brand.nätadress]"),
    ("logo:\n  large: ../../../hemligt.svg\n", "templates/prov/_brand.yml:2:10: fel: "
     "logotypen '../../../hemligt.svg' ligger utanför projektet; lägg filen i profilens mapp "
     "[brand.utanför]"),
    ("logo:\n  large: tema.yaml\n", "templates/prov/_brand.yml:2:10: fel: logotypen "
     "'tema.yaml' ska vara en SVG-, PNG- eller JPEG-fil [brand.bildformat]"),
    ("color:\n  primary: grönaktig\n", "templates/prov/_brand.yml:2:12: fel: 'grönaktig' är "
     "ingen färg; skriv den som #1f4e79, rgb(31, 78, 121) eller ett namn i color.palette "
     "[brand.färg]"),
    ("color:\n  palette:\n    bla: \"#12345\"\n", "templates/prov/_brand.yml:3:10: fel: "
     "'#12345' är ingen färg; skriv den som #1f4e79, rgb(31, 78, 121) eller ett namn i "
     "color.palette [brand.färg]"),
    ("typography:\n  headings:\n    family: Comic Kommun\n", "templates/prov/_brand.yml:3:13: "
     "fel: typsnittet 'Comic Kommun' har ingen fil; lägg typsnittsfilen i profilens fonts/ och "
     "ange den under typography.fonts (source: file) [brand.typsnitt_saknas]"),
    ("typography:\n  fonts:\n    - family: Provsans\n      source: file\n      files:\n"
     "        - path: fonts/Provsans.ttf\n", "templates/prov/_brand.yml:6:17: fel: "
     "typsnittsfilen 'fonts/Provsans.ttf' finns inte (sökt i templates/prov/fonts/Provsans.ttf)"
     " [brand.saknas]"),
    ("typography:\n  fonts:\n    - family: Open Sans\n      source: google\n",
     "templates/prov/_brand.yml:3:7: fel: typsnittet 'Open Sans' ska hämtas från nätet "
     "(google); lägg typsnittsfilerna i profilens fonts/ och skriv source: file "
     "[brand.nätadress]"),
    ("typography:\n  base:\n    size: \"11pt; } @import url(http://x)\"\n",
     "templates/prov/_brand.yml:3:11: fel: '11pt; } @import url(http://x)' är ingen storlek; "
     "skriv till exempel 11pt [brand.storlek]"),
    ("- en lista\n", "templates/prov/_brand.yml:1:1: fel: _brand.yml ska vara en tabell med "
     "nycklar (meta, logo, color, typography) [brand.inte_tabell]"),
    ("color:\n  palette:\n    blå: \"#000000\"\n", "templates/prov/_brand.yml:3:5: fel: "
     "ogiltigt värde för 'color.palette' i _brand.yml (Palette color names should be valid "
     "Sass or CSS variable names. Invalid name: 'blå'. Consider using 'bl-' instead.) "
     "[brand.ogiltig]"),
]


@pytest.mark.parametrize(("brand", "expected"), BAD)
def test_a_bad_brand_file_is_one_clear_swedish_error_and_nothing_is_written(project, brand,
                                                                            expected):
    make_profile(project, brand)
    assert _problems(project) == [expected]
    built = build(Path("answers/x.yaml"), project / "ut", ("pdf", "docx"), project)
    assert not built.ok and not (project / "ut").exists()


BAD_LOGOS = [
    ('<svg xmlns="http://www.w3.org/2000/svg"><image href="bild.png"/></svg>',
     "hänvisar till en annan fil eller nätadress ('bild.png'); en logotyp ska vara en enda fil"),
    ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
     '<use xlink:href="http://example.org/a.svg#x"/></svg>',
     "hänvisar till en annan fil eller nätadress ('http://example.org/a.svg#x'); en logotyp "
     "ska vara en enda fil"),
    ('<svg xmlns="http://www.w3.org/2000/svg"><style>@import url(a.css);</style></svg>',
     "hänvisar till en annan fil eller nätadress i <style>"),
    ('<svg xmlns="http://www.w3.org/2000/svg"><rect style="fill: url(/etc/x.svg#p)"/></svg>',
     "hänvisar till en annan fil eller nätadress i en stil ('fill: url(/etc/x.svg#p)')"),
    ('<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
     '<svg xmlns="http://www.w3.org/2000/svg"><text>&x;</text></svg>',
     "har en DOCTYPE med egna entiteter; ta bort den"),
    ("<svg", "kan inte läsas som SVG (XML-fel på rad 1)"),
    ("<html/>", "är ingen SVG-bild (rotelementet är inte <svg>)"),
]


@pytest.mark.parametrize(("logo", "reason"), BAD_LOGOS)
def test_an_svg_logo_that_reads_other_files_or_the_network_is_refused(project, logo, reason):
    make_profile(project, logo=logo)
    assert _problems(project) == [f"templates/prov/_brand.yml:5:11: fel: logotypen "
                                  f"'logga.svg' {reason} [brand.bild]"]


def test_an_unreadable_png_and_a_png_that_is_a_jpeg_are_refused(project):
    make_profile(project, BRAND.replace("logga.svg", "logga.png"), b"\x89PNG trasig",
                 "logga.png")
    [problem] = _problems(project)
    assert problem.startswith("templates/prov/_brand.yml:5:11: fel: logotypen 'logga.png' "
                              "kan inte läsas som bild (")
    from PIL import Image

    Image.new("RGB", (4, 4)).save(project / "templates" / "prov" / "logga.png", "JPEG")
    assert _problems(project) == ["templates/prov/_brand.yml:5:11: fel: logotypen 'logga.png' "
                                  "är ingen PNG-bild (filen är JPEG) [brand.bild]"]


def test_an_image_over_20_mb_is_refused_without_being_read(project):
    folder = make_profile(project)
    with (folder / "logga.svg").open("r+b") as handle:
        handle.truncate(21 * 1024 * 1024)
    assert _problems(project) == ["templates/prov/_brand.yml:5:11: fel: logotypen 'logga.svg' "
                                  "är 21 MB; största tillåtna storlek är 20 MB [brand.för_stor]"]


def test_a_bad_brand_fails_its_own_answers_and_the_rest_of_the_batch_is_built(project):
    from click.testing import CliRunner

    from utlatande.cli import main

    make_profile(project, "color:\n  primary: inget\n")
    (project / "answers" / "annan.yaml").write_text(
        ANSWER.replace("profil: prov\n", ""), encoding="utf-8")
    result = CliRunner().invoke(main, ["build", "-f", "pdf", "-q", "-j", "1"])
    assert result.exit_code == 1
    assert "templates/prov/_brand.yml:2:12: fel: 'inget' är ingen färg" in result.output
    assert sorted(p.name for p in (project / "build").glob("*.pdf")) == ["annan.pdf"]


def test_no_brand_value_reaches_the_css_unchecked():
    import tinycss2

    from utlatande.brand import Brand, FontFile, brand_css, css_color

    brand = Brand(base_family='X", serif; } @import url(http://x); a { b: "',
                  fonts=(FontFile('Y"); } @import url(http://y); @font-face { a: ("',
                                  Path("/p/a.ttf"), 400, "normal"),))
    rules = tinycss2.parse_stylesheet(brand_css(brand), skip_whitespace=True)
    assert [(r.type, getattr(r, "lower_at_keyword", None)) for r in rules] == \
        [("at-rule", "font-face"), ("qualified-rule", None)]
    assert css_color("rgb(31, 78, 121)") == "#1f4e79"
    assert css_color("red; x") is None


def test_the_profile_may_put_the_small_logo_in_the_running_header_of_later_pages(project):
    import docx
    from docx.oxml.ns import qn

    from utlatande.verify import verify_file

    folder = make_profile(project)
    (folder / "tema.yaml").write_text("namn: Provkommun\nlogga_i_sidhuvud: true\n",
                                      encoding="utf-8")
    long = "\n\n".join(["Ett stycke text som fyller sidan och lite till. " * 12] * 12)
    answer = project / "answers" / "x.yaml"
    answer.write_text(answer.read_text(encoding="utf-8").replace(
        "  Texten i ärendet.\n", "  " + long.replace("\n", "\n  ") + "\n"), encoding="utf-8")
    built = build(Path("answers/x.yaml"), project / "ut", ("pdf", "docx"), project)
    assert built.ok, [str(p) for p in built.problems]
    page, height = page_png(project / "ut" / "x.pdf", 2, project)
    assert _colour_pixels(page, LOGO_COLOUR, slice(0, height // 10)) > 20
    assert _colour_pixels(page, LOGO_COLOUR, slice(height // 10, height)) == 0
    assert not verify_file(project / "ut" / "x.pdf")
    header = docx.Document(str(project / "ut" / "x.docx")).sections[0].header._element
    assert [d.get("descr") for d in header.iter(qn("wp:docPr"))] == ["Provkommunens logotyp"]


def test_a_font_files_family_is_read_as_fonttools_reads_it(tmp_path):
    from fontTools.ttLib import TTFont

    from utlatande.fontname import family_name

    for path in sorted(DEFAULT_FONTS.glob("*.ttf")):
        with TTFont(path, lazy=True) as font:
            assert family_name(path) == font["name"].getBestFamilyName()
    (tmp_path / "inget.ttf").write_bytes(b"\x00\x01\x00\x00\x00\x05trasig")
    assert family_name(tmp_path / "inget.ttf") is None
    (tmp_path / "text.ttf").write_text("ingen font", encoding="utf-8")
    assert family_name(tmp_path / "text.ttf") is None


def test_a_logo_outside_the_profile_is_a_file_the_build_depends_on(project):
    """A brand may take its logo from anywhere in the project: changing that file builds
    the answer again, with the new logo."""
    from click.testing import CliRunner

    from utlatande.cli import main

    make_profile(project, BRAND.replace("path: logga.svg", "path: ../../grafik/logga.svg"))
    (project / "grafik").mkdir()
    (project / "grafik" / "logga.svg").write_text(LOGO, encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(main, ["build", "-f", "pdf", "-j", "1"]).exit_code == 0
    pdf = project / "build" / "x.pdf"
    before = pdf.read_bytes()
    result = runner.invoke(main, ["build", "-f", "pdf", "-j", "1"])
    assert "0 byggda, 1 oförändrade" in result.output
    smaller = LOGO.replace('<rect width="120"', '<rect width="60"')
    assert smaller != LOGO
    (project / "grafik" / "logga.svg").write_text(smaller, encoding="utf-8")
    result = runner.invoke(main, ["build", "-f", "pdf", "-j", "1"])
    assert "1 byggda, 0 oförändrade" in result.output, result.output
    assert pdf.read_bytes() != before
