"""PDF/A, tagged PDF, accessible DOCX: the seeds pass `verify`; each lost property fails it."""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner

from utlatande.cli import main
from utlatande.pipeline import build
from utlatande.theme import BUILTIN_THEMES
from utlatande.verify import verify_file

ROOT = Path(__file__).resolve().parents[1]
SEED = "stockholm-nyckeltjanster"  # letterhead, header fields, lists, the approval table

ANSWER = """mall: tjänsteutlåtande
profil: prov
datum: 2024-03-19
rubrik: Ett prov på tillgänglighet
sammanfattning: |
  Kort text.

  | Stadsdel | Antal |
  |---|---|
  | Norr | 3 |
attestering:
  - {namn: Anna Andersson, titel: Direktör, datum: 2024-03-18}
"""


def _codes(path: Path) -> list[str]:
    return [f.code for f in verify_file(path)]


def _messages(path: Path) -> str:
    return "\n".join(str(f) for f in verify_file(path))


@pytest.fixture
def seed_pdf(built, tmp_path) -> Path:
    """A copy of a seed's PDF to break."""
    return Path(shutil.copy(built / f"{SEED}.pdf", tmp_path / "trasig.pdf"))


def _edit(path: Path, change) -> Path:
    """Open the PDF with pikepdf, let `change` alter it, save it over itself."""
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        change(pdf)
        pdf.save(path)
    return path


# -- the seeds pass --------------------------------------------------------------------------

def test_every_built_seed_pdf_and_docx_passes(built):
    files = sorted(built.glob("*.pdf")) + sorted(built.glob("*.docx"))
    assert len(files) >= 10
    for path in files:
        assert verify_file(path) == [], _messages(path)


def test_the_seed_pdf_is_tagged_pdf_a_2a_in_swedish(built):
    with pikepdf.open(built / f"{SEED}.pdf") as pdf:
        meta = pdf.open_metadata()
        assert (meta["pdfaid:part"], meta["pdfaid:conformance"]) == ("2", "A")
        # The dates come from the answer's datum, so the bytes do not change from day to day.
        assert meta["xmp:CreateDate"] == meta["xmp:ModifyDate"] == "2024-03-19T00:00:00Z"
        assert meta["dc:title"] == str(pdf.docinfo.Title) == "Skrivelse angående nyckeltjänster"
        assert str(pdf.Root.Lang) == "sv-SE"
        assert pdf.Root.ViewerPreferences.DisplayDocTitle is True
        assert pdf.Root.OutputIntents[0].S == "/GTS_PDFA1"
        assert pdf.pdf_version == "1.7"
        kinds = _tag_kinds(pdf)
        assert {"/H1", "/H2", "/H3", "/L", "/LI", "/Table", "/TH", "/TD", "/P"} <= kinds
        # PDF/A-2 may embed only PDF/A files: the answer is not attached (PDF/A-3 does that).
        assert not pdf.attachments


def _tag_kinds(pdf) -> set[str]:
    kinds, stack = set(), [pdf.Root.StructTreeRoot]
    while stack:
        node = stack.pop()
        if isinstance(node, pikepdf.Dictionary):
            if "/S" in node:
                kinds.add(str(node.S))
            kids = node.get("/K")
            if isinstance(kids, pikepdf.Array):
                stack.extend(kids)
            elif kids is not None:
                stack.append(kids)
    return kinds


def test_header_fields_are_not_a_table_and_header_cells_head_columns(built):
    html = (built / f"{SEED}.html").read_text(encoding="utf-8")
    assert '<div class="huvudfalt">' in html and 'class="huvudfalt"' not in html.split(
        "<table")[1]
    assert '<th scope="col">Namn</th><th scope="col">Datum</th>' in html
    with pikepdf.open(built / f"{SEED}.pdf") as pdf:
        # Only the approval table is a table; the header fields are two columns of text.
        tables = [n for n in _walk(pdf) if str(n.get("/S")) == "/Table"]
        assert len(tables) == 1


def _walk(pdf):
    stack = [pdf.Root.StructTreeRoot]
    while stack:
        node = stack.pop()
        if isinstance(node, pikepdf.Dictionary) and "/S" in node:
            yield node
        kids = node.get("/K") if isinstance(node, pikepdf.Dictionary) else None
        if isinstance(kids, pikepdf.Array):
            stack.extend(kids)
        elif kids is not None:
            stack.append(kids)


# -- broken PDFs fail --------------------------------------------------------------------------

def test_a_pdf_without_tags_fails(seed_pdf):
    def strip(pdf):
        del pdf.Root["/StructTreeRoot"]
        del pdf.Root["/MarkInfo"]
    _edit(seed_pdf, strip)
    assert _codes(seed_pdf) == ["taggar", "taggar"]
    assert "trasig.pdf: fel: filen saknar taggträd (/StructTreeRoot)" in _messages(seed_pdf)


def test_a_pdf_without_language_or_window_title_fails(seed_pdf):
    def strip(pdf):
        del pdf.Root["/Lang"]
        del pdf.Root["/ViewerPreferences"]
    _edit(seed_pdf, strip)
    assert _codes(seed_pdf) == ["språk", "fönstertitel"]
    assert "dokumentets språk saknas (/Lang i katalogen) [verify.språk]" in _messages(seed_pdf)


def test_a_pdf_without_pdf_a_identification_or_output_intent_fails(seed_pdf):
    _edit(seed_pdf, lambda pdf: pdf.Root.__delitem__("/OutputIntents"))
    assert _codes(seed_pdf) == ["utdataavsikt"]

    def unclaim(pdf):
        with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
            del meta["pdfaid:part"]
            del meta["pdfaid:conformance"]
    _edit(seed_pdf, unclaim)
    assert _codes(seed_pdf) == ["pdfa"]
    assert "saknar PDF/A-identifiering (pdfaid:part" in _messages(seed_pdf)


def test_info_that_disagrees_with_the_xmp_fails(seed_pdf):
    _edit(seed_pdf, lambda pdf: setattr(pdf.docinfo, "Title", "En annan titel"))
    assert "Info /Title ('En annan titel') stämmer inte med XMP dc:title" in _messages(seed_pdf)


def test_a_font_whose_file_is_removed_is_not_embedded(seed_pdf):
    def unembed(pdf):
        font = next(iter(pdf.pages[0].Resources.Font.values()))
        del font.DescendantFonts[0].FontDescriptor["/FontFile2"]
    _edit(seed_pdf, unembed)
    messages = _messages(seed_pdf)
    assert _codes(seed_pdf) == ["typsnitt"]
    assert "Liberation" in messages and "är inte inbäddat (sida 1)" in messages


def test_a_pdf_with_a_standard_type1_font_fails(tmp_path):
    """A font referred to by name (Helvetica, one of the standard 14) is not in the file."""
    pdf = pikepdf.new()
    font = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font,
                                                Subtype=pikepdf.Name.Type1,
                                                BaseFont=pikepdf.Name.Helvetica))
    page = pdf.add_blank_page(page_size=(595, 842))
    page.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
    page.Contents = pdf.make_stream(b"BT /F1 12 Tf 72 720 Td (Hej) Tj ET")
    pdf.save(tmp_path / "helvetica.pdf")
    messages = _messages(tmp_path / "helvetica.pdf")
    assert "helvetica.pdf: fel: typsnittet Helvetica är inte inbäddat (sida 1) " \
        "[verify.typsnitt]" in messages
    assert "saknar PDF/A-identifiering" in messages and "saknar taggträd" in messages


def test_an_encrypted_pdf_fails(seed_pdf, tmp_path):
    with pikepdf.open(seed_pdf) as pdf:
        pdf.save(tmp_path / "utan-lösen.pdf", encryption=pikepdf.Encryption(owner="ägare",
                                                                             user=""))
        pdf.save(tmp_path / "med-lösen.pdf", encryption=pikepdf.Encryption(owner="ägare",
                                                                            user="hemligt"))
    assert "kryptering" in _codes(tmp_path / "utan-lösen.pdf")
    assert _codes(tmp_path / "med-lösen.pdf") == ["kryptering"]
    assert "med-lösen.pdf: fel: filen är krypterad med lösenord" in _messages(
        tmp_path / "med-lösen.pdf")


def test_javascript_and_links_to_files_or_programs_fail(seed_pdf):
    def add(pdf):
        pdf.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.JavaScript,
                                                 JS=pikepdf.String("app.alert(1)"))
        page = pdf.pages[0]
        links = [("/Launch", pikepdf.Dictionary(S=pikepdf.Name.Launch, F="calc.exe")),
                 ("/URI", pikepdf.Dictionary(S=pikepdf.Name.URI,
                                             URI=pikepdf.String("file:///etc/passwd")))]
        page.Annots = pdf.make_indirect(pikepdf.Array([
            pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link,
                               Rect=[0, 0, 10, 10], A=action) for _, action in links]))
    _edit(seed_pdf, add)
    messages = _messages(seed_pdf)
    assert sorted(set(_codes(seed_pdf))) == ["extern_länk", "javascript"]
    assert "en länk startar ett program eller öppnar en fil (/Launch)" in messages
    assert "en länk pekar på en fil: file:///etc/passwd" in messages


@pytest.mark.parametrize("written", ["nested", "indirect type", "indirect action"])
def test_an_action_is_found_however_it_is_written(seed_pdf, written):
    """Actions are looked for in qpdf's text of each object first: one deep inside a
    direct dictionary, or whose type is an indirect name, is found all the same."""
    def add(pdf):
        kind = pdf.make_indirect(pikepdf.Name.Launch) if written == "indirect type" \
            else pikepdf.Name.Launch
        action = pikepdf.Dictionary(S=kind, F="calc.exe")
        if written == "indirect action":
            action = pdf.make_indirect(action)
        outer = pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link,
                                   Rect=[0, 0, 10, 10],
                                   AA=pikepdf.Dictionary(D=pikepdf.Dictionary(
                                       Next=pikepdf.Array([action]))))
        pdf.pages[0].Annots = pdf.make_indirect(pikepdf.Array([outer]))

    _edit(seed_pdf, add)
    assert "en länk startar ett program eller öppnar en fil (/Launch)" in _messages(seed_pdf)


def test_web_links_pass_but_a_link_to_nothing_is_printed_as_text(tmp_path, monkeypatch):
    project = _project(tmp_path, monkeypatch, ANSWER.replace(
        "  Kort text.", "  Se [stadens webb](https://stockholm.se), [mål](#) och "
        "[filen](bilagor/x.pdf)."))
    result = build(Path("answers/x.yaml"), project / "build", ("pdf", "html"), project)
    assert result.ok, [str(p) for p in result.problems]
    html = (project / "build" / "x.html").read_text(encoding="utf-8")
    assert '<a href="https://stockholm.se">stadens webb</a>' in html
    assert "<span>mål</span> och <span>filen</span>" in html
    assert verify_file(project / "build" / "x.pdf") == []
    with pikepdf.open(project / "build" / "x.pdf") as pdf:
        uris = [str(a.A.URI) for page in pdf.pages for a in page.get("/Annots", [])
                if "/A" in a and a.A.get("/S") == "/URI"]
    assert uris == ["https://stockholm.se"]


def test_an_image_needs_alternative_text(tmp_path, monkeypatch):
    """A profile's own template with a logo: one with alt text, one without."""
    from PIL import Image

    logo = '<img src="templates/prov/logo.png" alt="Provkommunens logotyp">'
    base = _builtin("bas").replace(
        "{% block sidfot %}", logo + '<img src="templates/prov/logo.png">{% block sidfot %}')
    project = _project(tmp_path, monkeypatch, bas=base)
    Image.new("RGB", (8, 8), (200, 0, 0)).save(project / "templates" / "prov" / "logo.png")
    result = build(Path("answers/x.yaml"), project / "build", ("pdf",), project)
    assert result.ok, [str(p) for p in result.problems]
    messages = _messages(project / "build" / "x.pdf")
    assert "1 av 2 bilder (/Figure) saknar alternativtext (/Alt) [verify.alt_text]" in messages


def test_pdf_a_2_may_not_carry_a_yaml_file(seed_pdf):
    def attach(pdf):
        pdf.attachments["x.yaml"] = pikepdf.AttachedFileSpec(pdf, b"rubrik: x\n",
                                                             mime_type="application/yaml")
    _edit(seed_pdf, attach)
    assert "PDF/A-2 tillåter bara inbäddade PDF/A-filer: 'x.yaml' är application/yaml" \
        in _messages(seed_pdf)


def test_a_garbled_or_foreign_file_is_reported_not_raised(tmp_path):
    (tmp_path / "trasig.pdf").write_bytes(b"%PDF-1.7\nhelt fel")
    (tmp_path / "text.pdf").write_text("inte en pdf", encoding="utf-8")
    assert _codes(tmp_path / "trasig.pdf")  # qpdf repairs what it can and reports the rest
    assert _codes(tmp_path / "text.pdf") == ["okänd_typ"]
    assert _codes(tmp_path / "saknas.pdf") == ["saknas"]


# -- appendices ----------------------------------------------------------------------------------

def test_appended_appendices_keep_their_tags_and_an_untagged_one_is_named(built, tmp_path,
                                                                          monkeypatch):
    project = _project(tmp_path, monkeypatch, ANSWER + "bilagor:\n"
                       "  - {titel: Skrivelsen, fil: bilagor/skrivelse.pdf}\n"
                       "  - {titel: Listan, fil: bilagor/lista.pdf}\n")
    (project / "answers" / "bilagor").mkdir()
    shutil.copy(built / "malmo-svar-namndinitiativ.pdf",
                project / "answers" / "bilagor" / "skrivelse.pdf")
    shutil.copy(ROOT / "moten" / "bilagor" / "delegationslista.pdf",
                project / "answers" / "bilagor" / "lista.pdf")
    result = build(Path("answers/x.yaml"), project / "build", ("pdf",), project)
    assert result.ok, [str(p) for p in result.problems]
    pdf_path = project / "build" / "x.pdf"
    # Identification, metadata, output intent, language, the statement's own tags and the
    # tagged appendix's are kept; the untagged appendix's page is named, as a warning.
    findings = verify_file(pdf_path)
    assert [(f.severity, f.code) for f in findings] == [("varning", "otaggad_bilaga")]
    with pikepdf.open(pdf_path) as pdf:
        assert pdf.open_metadata()["pdfaid:part"] == "2"
        last = len(pdf.pages)
        assert f"sidan {last} kommer från bilagan 'Bilaga 2: Listan'" in findings[0].message
        tagged = [p.obj.StructParents for p in pdf.pages if "/StructParents" in p.obj]
        assert tagged == list(range(last - 1))
        headings = [str(e.S) for e in _elements(pdf) if str(e.S) == "/H1"]
        assert len(headings) == 2  # the statement's and the tagged appendix's


def _elements(pdf) -> list:
    found, stack = [], [pdf.Root.StructTreeRoot]
    while stack:
        element = stack.pop()
        kids = element.get("/K")
        kids = list(kids) if isinstance(kids, pikepdf.Array) else [kids] if kids else []
        for kid in kids:
            if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                found.append(kid)
                stack.append(kid)
    return found


# -- the profile and the command line -------------------------------------------------------

def _project(tmp_path: Path, monkeypatch, answer: str = ANSWER, profile: str = "namn: Prov\n",
             **templates: str) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "answers").mkdir()
    (tmp_path / "answers" / "x.yaml").write_text(answer, encoding="utf-8")
    theme = tmp_path / "templates" / "prov"
    theme.mkdir(parents=True)
    (theme / "tema.yaml").write_text(profile, encoding="utf-8")
    for name, text in templates.items():
        (theme / f"{name}.html.j2").write_text(text, encoding="utf-8")
    return tmp_path


def _builtin(name: str) -> str:
    return (BUILTIN_THEMES / "default" / f"{name}.html.j2").read_text(encoding="utf-8")


def test_a_template_that_drops_the_language_is_caught(tmp_path, monkeypatch):
    base = _builtin("bas").replace('<html lang="sv-SE">', "<html>")
    project = _project(tmp_path, monkeypatch, bas=base)
    result = build(Path("answers/x.yaml"), project / "build", ("pdf",), project)
    assert result.ok
    assert _codes(project / "build" / "x.pdf") == ["språk"]


def test_a_template_that_drops_the_table_headers_is_caught(tmp_path, monkeypatch):
    parts = _builtin("delar").replace('<th scope="col">', "<td>").replace("</th>", "</td>") \
        .replace("<thead>", "").replace("</thead>", "")
    assert parts != _builtin("delar")
    project = _project(tmp_path, monkeypatch, delar=parts)
    result = build(Path("answers/x.yaml"), project / "build", ("pdf", "docx"), project)
    assert result.ok
    # The Markdown table keeps its header; the approval table has lost its.
    assert "1 av 2 tabeller saknar rubrikceller (/TH)" in _messages(project / "build" / "x.pdf")
    docx_messages = _messages(project / "build" / "x.docx")
    assert _codes(project / "build" / "x.docx") == ["tabellrubrik"]
    # Table 1 is the header fields' layout table, 2 the Markdown table.
    assert "tabell 3 ('NamnDatum') har ingen rubrikrad markerad (w:tblHeader" in docx_messages


def test_a_profile_with_an_unknown_variant_is_an_error_at_its_line(tmp_path, monkeypatch):
    project = _project(tmp_path, monkeypatch, profile="namn: Prov\npdf_variant: pdf/a-9z\n")
    result = build(Path("answers/x.yaml"), project / "build", ("pdf",), project)
    assert not result.ok
    [problem] = result.problems
    assert str(problem).startswith("templates/prov/tema.yaml:2:14: fel: okänd PDF-variant "
                                   "'pdf/a-9z'; välj bland ")
    assert "pdf/a-2a" in problem.message and problem.code == "tema.pdf_variant"
    assert not (project / "build").exists()


def test_a_mall_may_choose_pdf_a_3a_which_carries_the_answer(tmp_path, monkeypatch):
    project = _project(tmp_path, monkeypatch, profile="namn: Prov\nmallar:\n"
                       "  tjänsteutlåtande:\n    pdf_variant: PDF/A-3a\n")
    for folder in ("a", "b"):
        assert build(Path("answers/x.yaml"), project / folder, ("pdf",), project).ok
    pdf_path = project / "a" / "x.pdf"
    assert pdf_path.read_bytes() == (project / "b" / "x.pdf").read_bytes()
    assert verify_file(pdf_path) == []
    with pikepdf.open(pdf_path) as pdf:
        assert pdf.open_metadata()["pdfaid:part"] == "3"
        spec = pdf.attachments["x.yaml"]
        assert spec.obj.AFRelationship == "/Source"
        assert spec.get_file().mime_type == "application/yaml"
        assert spec.get_file().read_bytes() == (project / "answers" / "x.yaml").read_bytes()


def test_build_with_variant_and_verify(tmp_path, monkeypatch):
    _project(tmp_path, monkeypatch)
    runner = CliRunner()
    result = runner.invoke(main, ["build", "--pdf-variant", "pdf/ua-1", "--verify"])
    assert result.exit_code == 0, result.output
    assert "build/x.pdf: godkänd" in result.output and "build/x.docx: godkänd" in result.output
    assert "kontroll: 2 godkända, 0 med fel" in result.output
    with pikepdf.open(tmp_path / "build" / "x.pdf") as pdf:
        assert pdf.open_metadata()["pdfuaid:part"] == "1"
    # Up to date: nothing is rebuilt, and what is there is checked all the same.
    result = runner.invoke(main, ["build", "--pdf-variant", "pdf/ua-1", "--verify"])
    assert "0 byggda, 1 oförändrade" in result.output
    assert "kontroll: 2 godkända, 0 med fel" in result.output


def test_build_verify_fails_when_a_property_is_lost(tmp_path, monkeypatch):
    base = _builtin("bas").replace('<html lang="sv-SE">', "<html>")
    _project(tmp_path, monkeypatch, bas=base)
    result = CliRunner().invoke(main, ["build", "-f", "pdf", "--verify"])
    assert result.exit_code == 1
    assert "build/x.pdf: fel: dokumentets språk saknas (/Lang i katalogen) [verify.språk]" \
        in result.output
    assert "kontroll: 0 godkända, 1 med fel" in result.output


def test_an_unknown_variant_on_the_command_line_lists_the_supported(tmp_path, monkeypatch):
    _project(tmp_path, monkeypatch)
    result = CliRunner().invoke(main, ["build", "--pdf-variant", "pdf/x-4"])
    assert result.exit_code == 2
    assert "Fel: ogiltigt värde för '--pdf-variant': okänd PDF-variant 'pdf/x-4'; välj " \
        "bland pdf/a-1b" in result.output
    assert "pdf/a-2a" in result.output and "Traceback" not in result.output
    result = CliRunner().invoke(main, ["build", "-f", "docx", "--pdf-variant", "pdf/a-3a"])
    assert result.exit_code == 2 and "gäller bara PDF" in result.output


def test_verify_command_names_each_failing_file(seed_pdf, built, tmp_path):
    _edit(seed_pdf, lambda pdf: pdf.Root.__delitem__("/Lang"))
    runner = CliRunner()
    result = runner.invoke(main, ["verify", str(built / f"{SEED}.pdf"), str(seed_pdf)])
    assert result.exit_code == 1
    assert f"{seed_pdf}: fel: dokumentets språk saknas" in result.output
    assert f"{built / SEED}.pdf: godkänd" in result.output
    assert "kontroll: 1 godkända, 1 med fel" in result.output
    result = runner.invoke(main, ["verify", "--help"])
    assert result.exit_code == 0 and "Användning:" in result.output
    assert "Flaggor:" in result.output and "Usage:" not in result.output


# -- broken DOCX files fail ------------------------------------------------------------------

def _rewrite_docx(source: Path, target: Path, **changes) -> Path:
    """A copy of a DOCX with parts changed: name → function(xml bytes) → bytes."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            data = old.read(info.filename)
            change = changes.get(info.filename.replace("/", "__").replace(".", "_"))
            new.writestr(info, change(data) if change else data)
    return target


def test_docx_without_title_or_language_fails(built, tmp_path):
    broken = _rewrite_docx(
        built / f"{SEED}.docx", tmp_path / "x.docx",
        docProps__core_xml=lambda d: re.sub(rb"<dc:title>[^<]*</dc:title>", b"",
                                            d.replace(b"<dc:language>sv-SE</dc:language>", b"")),
        word__styles_xml=lambda d: d.replace(b'<w:lang w:val="sv-SE"', b'<w:lang w:x="sv-SE"'))
    assert _codes(broken) == ["titel", "språk", "språk"]
    assert "x.docx: fel: dokumentet saknar titel (dc:title i docProps/core.xml)" \
        in _messages(broken)


def test_docx_without_heading_styles_fails(built, tmp_path):
    def plain(data: bytes) -> bytes:
        for style in (b"Title", b"Heading1", b"Heading2", b"Heading3", b"Subtitle"):
            data = data.replace(b'<w:pStyle w:val="' + style + b'"/>', b"")
        return data
    broken = _rewrite_docx(built / f"{SEED}.docx", tmp_path / "x.docx",
                           word__document_xml=plain)
    assert _codes(broken) == ["rubriker"]


def test_docx_table_without_marked_header_row_fails(built, tmp_path):
    broken = _rewrite_docx(built / f"{SEED}.docx", tmp_path / "x.docx",
                           word__document_xml=lambda d: d.replace(b'<w:tblHeader w:val="true"/>',
                                                                  b""))
    assert _codes(broken) == ["tabellrubrik"]
    assert "tabell 2 ('NamnDatum') har ingen rubrikrad markerad" in _messages(broken)


def test_docx_image_without_alt_text_and_text_box_fail(built, tmp_path):
    drawing = (b'<w:r><w:drawing><wp:inline xmlns:wp="http://schemas.openxmlformats.org/'
               b'drawingml/2006/wordprocessingDrawing"><wp:docPr id="9" name="Bild 9"/>'
               b'</wp:inline></w:drawing></w:r>')
    box = (b'<w:r><w:pict><v:shape xmlns:v="urn:schemas-microsoft-com:vml"><v:textbox>'
           b'<w:txbxContent><w:p><w:r><w:t>i en ruta</w:t></w:r></w:p></w:txbxContent>'
           b'</v:textbox></v:shape></w:pict></w:r>')

    def add(data: bytes) -> bytes:
        return data.replace(b"</w:p>", drawing + box + b"</w:p>", 1)
    broken = _rewrite_docx(built / f"{SEED}.docx", tmp_path / "x.docx",
                           word__document_xml=add)
    assert _codes(broken) == ["alt_text", "textruta"]
    messages = _messages(broken)
    assert "1 bilder saknar alternativtext (wp:docPr descr): Bild 9" in messages
    assert "text står i textrutor" in messages and "word/document.xml" in messages


def test_docx_layout_and_row_header_tables_declare_it(built):
    import docx
    from docx.oxml.ns import qn

    document = docx.Document(built / "malmo-nulagesrapport.docx")
    looks = [t._tbl.tblPr.find(qn("w:tblLook")) for t in document.tables]
    first = [(look.get(qn("w:firstRow")), look.get(qn("w:firstColumn"))) for look in looks]
    assert first[0] == ("0", "1")  # the cover's label → value table: row headers
    assert set(first[1:]) == {("1", "1")}  # Markdown tables: a header row
    document = docx.Document(built / f"{SEED}.docx")
    look = document.tables[0]._tbl.tblPr.find(qn("w:tblLook"))
    assert (look.get(qn("w:firstRow")), look.get(qn("w:firstColumn"))) == ("0", "0")


def test_a_large_file_is_verified_alike_with_its_syntax_checked_by_another_process(
        seed_pdf, monkeypatch):
    """qpdf's syntax check of a large file runs in a process of its own; what it finds, and
    the order of the findings, are the same."""
    from utlatande.verify import pdf as verify_pdf

    with seed_pdf.open("r+b") as handle:  # a broken cross-reference table: qpdf notes it
        data = handle.read()
        handle.seek(data.rindex(b"startxref"))
        handle.write(b"startxref\n999999\n%%EOF\n")
    alone = verify_file(seed_pdf)
    assert alone and alone[0].code == "struktur"
    monkeypatch.setattr(verify_pdf, "LARGE", 0)
    monkeypatch.setattr(verify_pdf.os, "cpu_count", lambda: 2)
    assert verify_file(seed_pdf) == alone


def test_a_syntax_check_begun_ahead_is_taken_by_verify_and_ended_when_not(
        seed_pdf, monkeypatch):
    import os

    from utlatande.verify import pdf as verify_pdf_module

    if (os.cpu_count() or 1) < 2:
        pytest.skip("the syntax check runs apart on two cores only")
    monkeypatch.setattr(verify_pdf_module, "LARGE", 0)  # every file is large
    expected = verify_pdf_module.verify_pdf(seed_pdf)
    with verify_pdf_module.syntax_ahead(seed_pdf):
        [worker] = verify_pdf_module._BEGUN.values()
        assert verify_pdf_module.verify_pdf(seed_pdf) == expected
        assert not verify_pdf_module._BEGUN  # taken
    with verify_pdf_module.syntax_ahead(seed_pdf):
        [worker] = verify_pdf_module._BEGUN.values()
        os.utime(seed_pdf, ns=(1, 1))  # changed meanwhile: checked anew
        assert verify_pdf_module.verify_pdf(seed_pdf) == expected
        assert list(verify_pdf_module._BEGUN.values()) == [worker]
    assert not verify_pdf_module._BEGUN
    assert not worker._process.is_alive()
