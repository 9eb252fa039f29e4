"""A profile's Word template (word-mall.docx/.dotx) as the DOCX's base, and the logo in Word."""

from __future__ import annotations

import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from docx.shared import Mm, RGBColor

from test_brand import LOGO_COLOUR, _colour_pixels, make_profile, page_png
from utlatande.pipeline import build, check

TEMPLATE_COLOUR = RGBColor(0x6B, 0x1E, 0x8C)


def make_template(path: Path, drop_style: str | None = None) -> None:
    """A Word template as a municipality makes one: own heading style, margins, header."""
    document = docx.Document()
    heading = document.styles["Heading 1"]
    heading.font.name = "Liberation Mono"
    heading.font.color.rgb = TEMPLATE_COLOUR
    section = document.sections[0]
    section.left_margin, section.right_margin = Mm(31), Mm(17)
    section.top_margin, section.bottom_margin = Mm(19), Mm(23)
    section.header.paragraphs[0].text = "Mallens eget sidhuvud"
    if drop_style:
        element = document.styles[drop_style].element
        element.getparent().remove(element)
    document.save(path)


def furnished_template(path: Path) -> None:
    """make_template's, with what a municipality's header and footer hold besides text: a
    text box in the header, a DATE field in the footer."""
    from docx.oxml import OxmlElement

    from wordedit import text_box

    make_template(path)
    document = docx.Document(str(path))
    section = document.sections[0]
    text_box(section.header.paragraphs[0]._p, "Sekretess enligt mallen")
    footer = section.footer.paragraphs[0]
    footer.text = "Utskrivet "
    for kind, text in (("begin", None), (None, ' DATE \\@ "yyyy-MM-dd" '),
                       ("separate", None), (None, None), ("end", None)):
        run = footer.add_run("2020-01-01" if kind is None and text is None else None)
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
        elif text:
            instruction = OxmlElement("w:instrText")
            instruction.text = text
            run._r.append(instruction)
    document.save(path)


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    make_profile(tmp_path)
    return tmp_path


def _build_docx(project: Path) -> Path:
    built = build(Path("answers/x.yaml"), project / "ut", ("docx",), project)
    assert built.ok, [str(p) for p in built.problems]
    return project / "ut" / "x.docx"


def test_the_docx_is_built_on_the_template_with_the_logo_in_the_first_page_header(project):
    from utlatande.verify import verify_file

    make_template(project / "templates" / "prov" / "word-mall.docx")
    path = _build_docx(project)
    document = docx.Document(str(path))
    heading = document.styles["Heading 1"]
    assert heading.font.color.rgb == TEMPLATE_COLOUR
    assert heading.font.name == "Liberation Mono"
    section = document.sections[0]
    margins = (section.left_margin, section.right_margin, section.top_margin,
               section.bottom_margin)
    assert [round(m.mm) for m in margins] == [31, 17, 19, 23]
    assert "Mallens eget sidhuvud" in [p.text for p in section.header.paragraphs]
    assert section.different_first_page_header_footer
    header = section.first_page_header._element
    [doc_pr] = header.iter(qn("wp:docPr"))
    assert doc_pr.get("descr") == "Provkommunens logotyp"
    [blip] = header.iter(qn("a:blip"))
    image = section.first_page_header.part.related_parts[blip.get(qn("r:embed"))]
    assert image.content_type == "image/png"
    import io

    from PIL import Image

    with Image.open(io.BytesIO(image.blob)) as png:
        assert png.size[1] == round(15 / 25.4 * 300)  # 15 mm at 300 dpi
    assert not verify_file(path)


def test_without_a_template_the_brand_colour_is_on_the_headings(project):
    document = docx.Document(str(_build_docx(project)))
    assert document.styles["Heading 1"].font.color.rgb == RGBColor(0x0A, 0x5C, 0x36)
    assert document.styles["Title"].font.color.rgb == RGBColor(0x0A, 0x5C, 0x36)


def test_a_dotx_template_is_read_as_the_document_it_starts(project):
    folder = project / "templates" / "prov"
    make_template(folder / "mall.docx")
    with zipfile.ZipFile(folder / "mall.docx") as source, \
            zipfile.ZipFile(folder / "word-mall.dotx", "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "[Content_Types].xml":
                data = data.replace(b"document.main+xml", b"template.main+xml")
            target.writestr(info, data)
    (folder / "mall.docx").unlink()
    assert docx.Document(str(_build_docx(project))).sections[0].left_margin.mm == \
        pytest.approx(31, abs=0.05)


def test_a_style_the_template_lacks_is_added_and_check_warns_at_the_template(project):
    make_template(project / "templates" / "prov" / "word-mall.docx", drop_style="Quote")
    problems = [str(p) for p in check(Path("answers/x.yaml"), project).problems]
    assert problems == ["templates/prov/word-mall.docx:1:1: varning: Word-mallen saknar "
                        "formatmallen 'Quote'; den läggs till med standardutseendet "
                        "[brand.formatmall_saknas]"]
    document = docx.Document(str(_build_docx(project)))
    assert document.styles["Quote"].type is not None


BAD_TEMPLATES = [
    ("word-mall.docx", b"inte en zip", "templates/prov/word-mall.docx:1:1: fel: Word-mallen är "
     "ingen DOCX-fil (File is not a zip file); spara den i Word som Word-dokument (.docx) "
     "eller Word-mall (.dotx) [brand.word]"),
    ("word-mall.docm", b"", "templates/prov/word-mall.docm:1:1: fel: Word-mallar med makron "
     "används inte; spara mallen som word-mall.docx eller word-mall.dotx utan makron "
     "[brand.makro]"),
]


@pytest.mark.parametrize(("name", "data", "expected"), BAD_TEMPLATES)
def test_a_template_that_is_no_docx_or_has_macros_is_refused(project, name, data, expected):
    (project / "templates" / "prov" / name).write_bytes(data)
    assert [str(p) for p in check(Path("answers/x.yaml"), project).problems] == [expected]
    built = build(Path("answers/x.yaml"), project / "ut", ("docx", "pdf"), project)
    assert not built.ok and not (project / "ut").exists()


def test_a_docx_with_a_macro_project_inside_is_refused(project):
    path = project / "templates" / "prov" / "word-mall.docx"
    make_template(path)
    with zipfile.ZipFile(path, "a") as package:
        package.writestr("word/vbaProject.bin", b"\0" * 16)
    assert [str(p) for p in check(Path("answers/x.yaml"), project).problems] == [
        "templates/prov/word-mall.docx:1:1: fel: Word-mallen innehåller makron; spara den som "
        ".docx eller .dotx utan makron [brand.makro]"]


def test_a_zip_that_is_no_word_document_is_refused(project):
    with zipfile.ZipFile(project / "templates" / "prov" / "word-mall.docx", "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
    assert [str(p) for p in check(Path("answers/x.yaml"), project).problems] == [
        "templates/prov/word-mall.docx:1:1: fel: Word-mallen är ingen DOCX-fil (den saknar ett "
        "Word-dokument); spara den i Word som Word-dokument (.docx) eller Word-mall (.dotx) "
        "[brand.word]"]


def test_libreoffice_shows_the_logo_at_the_top_of_page_1(project):
    make_template(project / "templates" / "prov" / "word-mall.docx")
    path = _build_docx(project)
    subprocess.run(["soffice", f"-env:UserInstallation=file://{project}/lo-profil",
                    "--headless", "--convert-to", "pdf", "--outdir", str(project / "lo"),
                    str(path)], check=True, capture_output=True, timeout=180)
    page, height = page_png(project / "lo" / "x.pdf", 1, project)
    assert _colour_pixels(page, LOGO_COLOUR, slice(0, height // 5)) > 300
    assert _colour_pixels(page, LOGO_COLOUR, slice(height // 5, height)) == 0


def test_the_templates_own_header_and_footer_stand_on_page_1_too(project):
    path = project / "templates" / "prov" / "word-mall.docx"
    make_template(path)
    template = docx.Document(str(path))
    template.sections[0].footer.paragraphs[0].text = "Mallens egen sidfot"
    template.save(str(path))
    section = docx.Document(str(_build_docx(project))).sections[0]
    first_header = [p.text for p in section.first_page_header.paragraphs]
    first_footer = [p.text for p in section.first_page_footer.paragraphs]
    assert "Mallens eget sidhuvud" in first_header
    assert "Mallens egen sidfot" in first_footer
    assert "Mallens egen sidfot" in [p.text for p in section.footer.paragraphs]
    # the logo stays first, above the template's own header text
    first = section.first_page_header._element[0]
    assert first.find(".//" + qn("wp:docPr")) is not None
