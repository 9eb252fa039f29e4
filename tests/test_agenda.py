"""The board agenda: one meeting file in, kallelse med föredragningslista out."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import docx
import pikepdf
import pypdf
import pytest
from click.testing import CliRunner

from utlatande.agenda import build_agenda
from utlatande.cli import main
from utlatande.personnummer import find_personnummer, luhn_ok
from utlatande.verify import verify_file

from conftest import MEETING_HEAD as HEAD
from conftest import ROOT

MEETING = ROOT / "moten" / "2024-03-19-socialnamnden.yaml"
STAMP = re.compile(r"Kallelse Socialnämnden 2024-03-19 · sida (\d+) av (\d+)")
# The example meeting's answer items, in order (items 1 and 8 have no statement).
EXAMPLE_ANSWERS = {2: "stockholm-nyckeltjanster", 3: "rinkeby-kista-sociala-insatsgruppen",
                   4: "linkoping-omradesbaserat-socialt-arbete", 5: "malmo-svar-namndinitiativ",
                   6: "malmo-nulagesrapport", 7: "sekretess-exempel"}
SECRET = 7


def pdftotext(path: Path, *args: str) -> str:
    return subprocess.run(["pdftotext", *args, str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


def words(text: str) -> set[str]:
    """The words of a text, lower case; numbers are no words (page numbers are everywhere)."""
    return {w for w in re.findall(r"[\wåäöéü§]+", text.lower()) if not w.isdigit()}


def outline(path: Path) -> list[tuple[int, str, int]]:
    """(depth, title, 1-based page) of every bookmark, in order."""
    reader = pypdf.PdfReader(path)
    found: list[tuple[int, str, int]] = []

    def walk(items, depth: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                found.append((depth, item.title, reader.get_destination_page_number(item) + 1))

    walk(reader.outline, 0)
    return found


def item_pages(path: Path) -> dict[int, int]:
    """Item number → the page its top-level bookmark ("3. Rubrik") points to."""
    return {int(title.split(".")[0]): page for depth, title, page in outline(path)
            if depth == 0 and re.match(r"\d+\. ", title)}


def boxes(path: Path) -> list[list[tuple[float, float, float, float, str]]]:
    """Every page's words with their boxes (xMin, yMin, xMax, yMax, word), from pdftotext."""
    pages = pdftotext(path, "-bbox").split("<page ")[1:]
    pattern = r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<'
    return [[(float(a), float(b), float(c), float(d), w) for a, b, c, d, w in
             re.findall(pattern, page)] for page in pages]


def list_column(path: Path, pages: range) -> dict[int, str]:
    """Row number → what the föredragningslista's Sida column says on that row."""
    found = {}
    for page in (boxes(path)[i - 1] for i in pages):
        for x0, y0, _, _, word in page:
            if re.fullmatch(r"\d+\.", word) and x0 < 110:
                cell = [w for a, b, _, _, w in page if a > 480 and abs(b - y0) < 1.5]
                found[int(word[:-1])] = " ".join(cell)
    return found


@pytest.fixture(scope="module")
def example(tmp_path_factory) -> dict[str, Path]:
    """The example meeting built as `make agenda` builds it: full and public."""
    out = tmp_path_factory.mktemp("agenda")
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        full = build_agenda(MEETING.relative_to(ROOT), out, ROOT, depfile=out / "full.d")
        public = build_agenda(MEETING.relative_to(ROOT), out, ROOT, offentlig=True)
    finally:
        os.chdir(cwd)
    return {"full": full.folder, "public": public.folder, "depfile": out / "full.d"}


def packet(folder: Path) -> Path:
    return folder / f"{folder.name}.pdf"


def test_packet_is_cover_list_statements_and_appendices(example, built):
    path = packet(example["full"])
    marks = outline(path)
    assert [t for d, t, _ in marks if d == 0][:2] == ["Kallelse", "Föredragningslista"]
    assert marks[0][2] == 1 and marks[1][2] == 2  # the cover is one page, the list follows
    starts = item_pages(path)
    list_pages = min(starts.values()) - 2
    assert list_pages >= 1
    statements = {n: len(pypdf.PdfReader(built / f"{stem}.pdf").pages)
                  for n, stem in EXAMPLE_ANSWERS.items()}
    appendix = len(pypdf.PdfReader(ROOT / "moten" / "bilagor" / "delegationslista.pdf").pages)
    total = len(pypdf.PdfReader(path).pages)
    assert total == 1 + list_pages + sum(statements.values()) + appendix
    # Each item's pages are its statement's, in the order of the meeting file.
    order = sorted(starts)
    for here, after in zip(order, order[1:], strict=False):
        assert starts[after] - starts[here] == statements.get(here, appendix)
    assert total - starts[8] + 1 == appendix
    assert 1 not in starts  # "Val av justerare" has no documents


def test_list_page_numbers_are_where_the_bookmarks_point(example):
    path = packet(example["full"])
    starts = item_pages(path)
    column = list_column(path, range(2, min(starts.values())))
    assert sorted(column) == list(range(1, 9))
    assert column[1] == "–"
    assert {n: int(v) for n, v in column.items() if v != "–"} == starts
    # The title in each row links to the same page (a title of two lines, twice).
    reader = pypdf.PdfReader(path)
    targets = {reader.get_page_number(a.get_object()["/Dest"][0].get_object()) + 1
               for page in reader.pages[1:min(starts.values()) - 1]
               for a in page.get("/Annots") or () if "/Dest" in a.get_object()}
    assert targets == set(starts.values())


def test_bookmarks_nest_item_statement_and_appendix(example):
    marks = outline(packet(example["full"]))
    titles = [(d, t) for d, t, _ in marks]
    i = titles.index((0, "2. Skrivelse angående nyckeltjänster"))
    assert titles[i + 1] == (1, "Tjänsteutlåtande")
    assert (2, "Sammanfattning") in titles[i + 2:i + 12]
    j = titles.index((0, "8. Anmälan av delegationsbeslut"))
    assert titles[j + 1] == (1, "Bilaga 1: Delegationslista februari 2024")


def test_every_page_carries_the_packet_number_clear_of_other_text(example):
    path = packet(example["full"])
    pages = boxes(path)
    for number, page in enumerate(pages, start=1):
        line = " ".join(w for *_, w in page)
        assert STAMP.findall(line) == [(str(number), str(len(pages)))], number
        stamp_words = [b for b in page if b[1] > 780 and b[4] in ("Kallelse", "av", "sida")]
        top, bottom = min(b[1] for b in stamp_words), max(b[3] for b in stamp_words)
        stamp_line = {b for b in page if b[1] >= top - 0.5 and b[3] <= bottom + 0.5}
        for other in set(page) - stamp_line:
            assert other[3] <= top or other[1] >= bottom, (number, other)
    # Each statement keeps its own page numbers beside the packet's.
    start = item_pages(path)[2]
    assert "Sida 1 (5)" in " ".join(w for *_, w in pages[start - 1])
    assert "Sida 5 (5)" in " ".join(w for *_, w in pages[start + 3])


def test_public_version_has_no_word_of_the_secret_statement(example, built):
    secret = words(pdftotext(built / "sekretess-exempel.pdf"))
    others = set().union(*(words(pdftotext(built / f"{stem}.pdf"))
                           for n, stem in EXAMPLE_ANSWERS.items() if n != SECRET))
    others |= words(pdftotext(ROOT / "moten" / "bilagor" / "delegationslista.pdf"))
    others |= words(MEETING.read_text(encoding="utf-8"))
    kallelse = ROOT / "src" / "utlatande" / "themes" / "default"
    others |= words((kallelse / "tema.yaml").read_text(encoding="utf-8"))
    others |= words((kallelse / "kallelse" / "index.html.j2").read_text(encoding="utf-8"))
    own = secret - others
    assert len(own) >= 30 and {"tolvan", "tolvansson", "lingonstigen", "vårbergstorp"} <= own
    public = example["public"]
    public_text = pdftotext(packet(public))
    assert not own & words(public_text)
    assert "121212" not in public_text
    document = docx.Document(public / f"{public.name}.docx")
    text = " ".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    assert not own & words(text + " ".join(p.text for p in document.paragraphs))
    assert not own & words((public / "index.html").read_text(encoding="utf-8"))
    assert not any(p.name.startswith(f"{SECRET:02d}-") for p in public.iterdir())
    # The full version has them all: the test above would notice a leak.
    assert own <= words(pdftotext(packet(example["full"])))


def _pdf_strings(path: Path) -> str:
    """Every string a PDF holds outside its page content: bookmarks, tags (alternative and
    actual texts, titles), annotations, the Info dictionary, and its XMP metadata."""
    found = []
    with pikepdf.open(path) as pdf:
        for obj in pdf.objects:
            stack = [obj]
            while stack:
                item = stack.pop()
                if isinstance(item, pikepdf.String):
                    found.append(str(item))
                elif isinstance(item, (pikepdf.Dictionary, pikepdf.Array)):
                    values = item.values() if isinstance(item, pikepdf.Dictionary) else item
                    stack.extend(v for v in values
                                 if isinstance(v, pikepdf.Object) and not v.is_indirect)
                elif isinstance(item, pikepdf.Stream) and item.get("/Type") == "/Metadata":
                    found.append(item.read_bytes().decode("utf-8"))
                if isinstance(item, pikepdf.Stream):
                    stack.extend(v for v in item.stream_dict.values()
                                 if isinstance(v, pikepdf.Object) and not v.is_indirect)
    return "\n".join(found)


def test_public_packet_has_no_word_of_the_secret_item_in_tags_bookmarks_or_metadata(
        example, built):
    secret = words(pdftotext(built / "sekretess-exempel.pdf"))
    secret |= words(_pdf_strings(built / "sekretess-exempel.pdf"))
    others = set().union(*(words(pdftotext(built / f"{stem}.pdf")) | words(_pdf_strings(
        built / f"{stem}.pdf")) for n, stem in EXAMPLE_ANSWERS.items() if n != SECRET))
    others |= words(pdftotext(ROOT / "moten" / "bilagor" / "delegationslista.pdf"))
    others |= words(MEETING.read_text(encoding="utf-8"))
    kallelse = ROOT / "src" / "utlatande" / "themes" / "default"
    others |= words((kallelse / "tema.yaml").read_text(encoding="utf-8"))
    others |= words(_pdf_strings(ROOT / "moten" / "bilagor" / "delegationslista.pdf"))
    own = secret - others
    assert {"tolvan", "lingonstigen"} <= own
    public = packet(example["public"])
    assert not own & words(_pdf_strings(public))
    assert not own & words(pdftotext(public))
    # The full version's tags and bookmarks hold them: the walk above would see a leak.
    assert own & words(_pdf_strings(packet(example["full"])))


def _roles(pdf: pikepdf.Pdf, top) -> Counter:
    """How many structure elements of each standard type are under `top`."""
    role_map = pdf.Root.StructTreeRoot.get("/RoleMap", {})
    found: Counter = Counter()
    stack = [top]
    while stack:
        element = stack.pop()
        kids = element.get("/K")
        kids = list(kids) if isinstance(kids, pikepdf.Array) else [kids] if kids is not None \
            else []
        for kid in kids:
            if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                found[str(role_map.get(str(kid.S), kid.S))] += 1
                stack.append(kid)
    return found


@pytest.mark.parametrize("version", ["full", "public"])
def test_the_packet_is_tagged_end_to_end(example, built, version):
    path = packet(example[version])
    starts = item_pages(path)
    with pikepdf.open(path) as pdf:
        assert pdf.Root.MarkInfo.Marked is True and str(pdf.Root.Lang) == "sv-SE"
        xmp = pdf.open_metadata()
        assert (xmp["pdfaid:part"], xmp["pdfaid:conformance"]) == ("2", "A")
        assert xmp["dc:title"] == "Kallelse Socialnämnden 2024-03-19"
        assert pdf.Root.ViewerPreferences.DisplayDocTitle is True
        # Every page but the untagged appendix's (item 8) is in the tag tree.
        tagged = ["/StructParents" in page.obj for page in pdf.pages]
        assert tagged == [n < starts[8] for n in range(1, len(pdf.pages) + 1)]
        document = pdf.Root.StructTreeRoot.K[0]
        parts = list(document.K)
        # The kallelse, then each shown statement with all of its own structure.
        assert len(parts) == 1 + len(starts) - 1
        assert _roles(pdf, parts[0])["/Table"] == 2 and _roles(pdf, parts[0])["/H1"] == 1
        shown = [n for n in EXAMPLE_ANSWERS if n in starts]
        for n, part in zip(shown, parts[1:], strict=True):
            with pikepdf.open(built / f"{EXAMPLE_ANSWERS[n]}.pdf") as own:
                expected = _roles(own, own.Root.StructTreeRoot.K[0])
            # The statement's empty signature fields stay out of the packet, tags and all.
            expected.pop("/Form", None)
            assert _roles(pdf, part) == expected, n
            assert expected["/H1"] and expected["/P"]
    findings = verify_file(path)
    first = starts[8]
    assert [str(f).split(": ", 1)[1] for f in findings] == [
        f"varning: sidan {first} kommer från bilagan 'Bilaga 1: Delegationslista februari "
        "2024', som saknar taggar. Bilagan tas med som den är och kan vara otillgänglig för "
        "skärmläsare [verify.otaggad_bilaga]"]


@pytest.mark.parametrize("version", ["full", "public"])
def test_the_packet_carries_no_statements_signature_fields(example, built, version):
    """Each statement has fields attestering-1, -2 …: in one packet those names would
    repeat, and a field signed in the statement's file means nothing in the packet."""
    with pikepdf.open(built / f"{EXAMPLE_ANSWERS[2]}.pdf") as own:
        assert [str(f.T) for f in own.Root.AcroForm.Fields] == ["attestering-1",
                                                                 "attestering-2"]
    with pikepdf.open(packet(example[version])) as pdf:
        assert "/AcroForm" not in pdf.Root
        widgets = [a for page in pdf.pages for a in page.obj.get("/Annots", [])
                   if a.get("/Subtype") == "/Widget"]
        assert widgets == []
        assert _roles(pdf, pdf.Root.StructTreeRoot)["/Form"] == 0
        # Every key of the parent tree still leads to an element or a page's elements.
        tree = pikepdf.NumberTree(pdf.Root.StructTreeRoot.ParentTree)
        assert all(value is not None for _, value in tree.items())
    # The item's own PDF is the statement's file: its fields are there to be signed.
    with pikepdf.open(example["full"] / "02-skrivelse-angaende-nyckeltjanster.pdf") as item:
        assert len(item.Root.AcroForm.Fields) == 2


def test_a_plain_items_own_pdf_has_a_tagged_cover(example):
    path = example["public"] / "08-anmalan-av-delegationsbeslut.pdf"
    assert [f.code for f in verify_file(path)] == ["otaggad_bilaga"]
    with pikepdf.open(path) as pdf:
        assert pdf.open_metadata()["dc:title"] == "8. Anmälan av delegationsbeslut"
        assert "/StructParents" in pdf.pages[0].obj
    cover = pdftotext(path, "-l", "1")
    for text in ("8. Anmälan av delegationsbeslut", "Dnr SN 2024/7",
                 "Nämnden godkänner redovisningen", "Delegationslista februari 2024"):
        assert text in " ".join(cover.split())
    index = (example["public"] / "index.html").read_text(encoding="utf-8")
    assert ("Bilaga 1: Delegationslista februari 2024: bilagan saknar taggar och kan vara "
            "otillgänglig för skärmläsare.") in index


def test_public_version_keeps_the_secret_row(example):
    public = example["public"]
    path = packet(public)
    starts = item_pages(path)
    assert SECRET not in starts
    column = list_column(path, range(2, min(starts.values())))
    assert column[SECRET] == "–"
    listing = pdftotext(path, "-f", "2", "-l", str(min(starts.values()) - 1))
    row = listing[listing.index(f"{SECRET}.\n"):]
    for text in ("Sekretessärende", "Dnr SN 2024/311", "Sekretess enligt OSL 26 kap. 1 §"):
        assert text in row
    document = docx.Document(public / f"{public.name}.docx")
    rows = [[c.text for c in r.cells] for r in document.tables[-1].rows]
    assert rows[SECRET][0] == f"{SECRET}."
    assert rows[SECRET][1].startswith("Sekretessärende\nDnr SN 2024/311")
    assert rows[SECRET][2] == "Sekretessärende"
    # The web page links every item that has documents, and no other.
    index = (public / "index.html").read_text(encoding="utf-8")
    links = re.findall(r'href="(\d\d-[^"]+\.pdf)"', index)
    assert [int(link[:2]) for link in links] == [2, 3, 4, 5, 6, 8]
    assert all((public / link).is_file() for link in links)


def test_kallelse_docx_holds_the_cover_and_the_list(example):
    full = example["full"]
    document = docx.Document(full / f"{full.name}.docx")
    styles = [(p.style.name, p.text) for p in document.paragraphs if p.text.strip()]
    assert ("Title", "Kallelse till sammanträde") in styles
    assert ("Heading 1", "Föredragningslista") in styles
    assert document.core_properties.title == "Kallelse Socialnämnden 2024-03-19"
    details = {r.cells[0].text: r.cells[1].text for r in document.tables[0].rows}
    assert details["Datum"] == "tisdag 19 mars 2024"
    assert details["Tid"] == "kl. 17.00"
    table = document.tables[-1]
    assert [c.text for c in table.rows[0].cells] == ["Nr", "Ärende", "Förslag till beslut",
                                                     "Sida"]
    assert len(table.rows) == 1 + 8
    starts = item_pages(packet(full))
    assert table.rows[2].cells[3].text == str(starts[2])


def test_depfile_names_every_source(example):
    rule = example["depfile"].read_text(encoding="utf-8")
    target, _, rest = rule.partition(":")
    assert target.endswith("2024-03-19-socialnamnden/index.html")
    for needed in ("moten/2024-03-19-socialnamnden.yaml", "answers/sekretess-exempel.yaml",
                   "moten/bilagor/delegationslista.pdf", "templates/stockholm/tema.yaml",
                   "themes/default/kallelse/kallelse.html.j2", "themes/default/css/print.css"):
        assert needed in rest
        assert re.search(rf"^\S*{re.escape(needed)}:$", rule, re.M)


# -- projects of their own -------------------------------------------------------------

def _project(tmp_path: Path, monkeypatch, answers: list[str]) -> Path:
    """A project in tmp_path with some of the seed answers and every profile."""
    (tmp_path / "answers").mkdir()
    for name in answers:
        shutil.copy(ROOT / "answers" / f"{name}.yaml", tmp_path / "answers")
    shutil.copytree(ROOT / "templates", tmp_path / "templates")
    (tmp_path / "moten").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path




def test_a_meeting_of_thirty_items_builds(tmp_path, monkeypatch):
    short = ["stockholm-nyckeltjanster", "rinkeby-kista-sociala-insatsgruppen",
             "linkoping-omradesbaserat-socialt-arbete", "malmo-svar-namndinitiativ"]
    project = _project(tmp_path, monkeypatch, short)
    lines = [HEAD]
    for n in range(30):
        if n % 5 == 4:
            lines.append(f"  - rubrik: Informationsärende {n + 1}\n    förslag: Informationen "
                         "läggs till handlingarna.\n")
        else:
            lines.append(f"  - fil: ../answers/{short[n % 4]}.yaml\n"
                         f"    föredragande: Handläggare {n + 1}\n")
    (project / "moten" / "stort.yaml").write_text("".join(lines), encoding="utf-8")
    result = CliRunner().invoke(main, ["agenda", "moten/stort.yaml"])
    assert result.exit_code == 0, result.output
    folder = project / "build" / "stort"
    path = folder / "stort.pdf"
    starts = item_pages(path)
    assert len(starts) == 24  # every answer item; the six information items have no pages
    sizes = {int(f.name[:2]): len(pypdf.PdfReader(f).pages) for f in folder.glob("[0-9]*.pdf")}
    assert sorted(sizes) == sorted(starts)
    total = len(pypdf.PdfReader(path).pages)
    first = min(starts.values())
    assert total == first - 1 + sum(sizes.values())
    for n, page in starts.items():
        later = [p for p in starts.values() if p > page]
        assert (min(later) if later else total + 1) - page == sizes[n]
    column = list_column(path, range(2, first))
    assert sorted(column) == list(range(1, 31))
    assert {n: int(v) for n, v in column.items() if v != "–"} == starts
    pages = boxes(path)
    for number, page in enumerate(pages, start=1):  # one number a page, its own
        assert STAMP.findall(" ".join(w for *_, w in page)) == [(str(number), str(total))]
    assert f"stort: 30 ärenden, {total} sidor" in result.output


def _pdf_with_text_at(path: Path, edges: tuple[str, ...]) -> None:
    """A one-page appendix whose text runs to the very edge(s) of the page."""
    from weasyprint import HTML

    spans = "".join(f'<p style="position: absolute; {edge}: 1mm; left: 15mm; margin: 0">'
                    f"Text vid kanten {edge}</p>" for edge in edges)
    HTML(string=f"<html><head><style>@page {{ size: A4; margin: 0 }} body {{ margin: 0 }}"
                f'</style></head><body>{spans}<p style="margin: 120mm 15mm">Mitt på sidan</p>'
                "</body></html>").write_pdf(path)


def test_the_packet_number_makes_room_on_crowded_appendix_pages(tmp_path, monkeypatch):
    project = _project(tmp_path, monkeypatch, [])
    (project / "moten" / "bilagor").mkdir()
    _pdf_with_text_at(project / "moten" / "bilagor" / "botten.pdf", ("bottom",))
    _pdf_with_text_at(project / "moten" / "bilagor" / "båda.pdf", ("bottom", "top"))
    (project / "moten" / "m.yaml").write_text(HEAD + """  - rubrik: Två bilagor
    bilagor:
      - {titel: Text nertill, fil: bilagor/botten.pdf}
      - {titel: Text upptill och nertill, fil: bilagor/båda.pdf}
""", encoding="utf-8")
    result = CliRunner().invoke(main, ["agenda", "moten/m.yaml"])
    assert result.exit_code == 0, result.output
    pages = boxes(project / "build" / "m" / "m.pdf")
    for page in pages[-2:]:
        stamp = [b for b in page if b[4] in ("Kallelse", "sida", "av")]
        appendix = [b for b in page if b[4] in ("Text", "kanten", "Mitt")]
        assert len(stamp) == 3 and appendix
        top, bottom = min(b[1] for b in stamp), max(b[3] for b in stamp)
        for other in appendix:
            assert other[3] <= top or other[1] >= bottom, other
    # Text at the bottom only: the number goes to the top of the page.
    assert max(b[3] for b in pages[-2] if b[4] == "Kallelse") < 50
    # Text at both edges: the page is shrunk, the number stays at the bottom.
    assert min(b[1] for b in pages[-1] if b[4] == "Kallelse") > 800


def test_statement_appendices_nest_under_the_statement(tmp_path, monkeypatch):
    project = _project(tmp_path, monkeypatch, [])
    (project / "answers" / "bilagor").mkdir()
    _pdf_with_text_at(project / "answers" / "bilagor" / "a.pdf", ())
    (project / "answers" / "x.yaml").write_text("""mall: tjänsteutlåtande
datum: 2024-03-19
rubrik: Utlåtande med bilaga
sammanfattning: Se bilagan.
bilagor:
  - Bilaga utan fil
  - {titel: Skrivelsen, fil: bilagor/a.pdf}
""", encoding="utf-8")
    (project / "moten" / "m.yaml").write_text(HEAD + "  - ../answers/x.yaml\n",
                                              encoding="utf-8")
    result = CliRunner().invoke(main, ["agenda", "moten/m.yaml"])
    assert result.exit_code == 0, result.output
    path = project / "build" / "m" / "m.pdf"
    marks = outline(path)
    depth_title = [(d, t) for d, t, _ in marks]
    i = depth_title.index((0, "1. Utlåtande med bilaga"))
    assert depth_title[i + 1] == (1, "Tjänsteutlåtande")
    appendix = next(m for m in marks if m[1] == "Bilaga 2: Skrivelsen")
    assert appendix[0] == 2
    assert appendix[2] == len(pypdf.PdfReader(path).pages)
    assert "Mitt på sidan" in pdftotext(path, "-f", str(appendix[2]))


@pytest.mark.parametrize(("text", "expected"), [
    ("""möte:
  orgna: Socialnämnden
  datum: 2024-13-19
  tid: 17.00
  plats: Rådhuset
ärenden:
  - fil: ../answers/x.yaml
    rubrik: Båda
  - diarienummer: SN 1
  - 5
""", ["moten/m.yaml:1:1: fel: nyckeln 'organ' saknas under 'möte' [schema.saknas]",
      "moten/m.yaml:2:3: fel: okänd nyckel 'orgna'; menade du 'organ'? [schema.okänd_nyckel]",
      "moten/m.yaml:3:10: fel: 'datum': '2024-13-19' är inget giltigt datum; skriv ÅÅÅÅ-MM-DD, "
      "till exempel 2024-03-19 [schema.datum]",
      "moten/m.yaml:8:5: fel: 'rubrik' hämtas från svarsfilen när ärendet har 'fil'; ta bort "
      "'rubrik' här [möte.från_svarsfilen]",
      "moten/m.yaml:9:5: fel: ärende 2 saknar 'fil' (en svarsfil) eller 'rubrik' (ett ärende "
      "utan utlåtande) [möte.ärende]",
      "moten/m.yaml:10:5: fel: ärende 3 ska vara en svarsfil (answers/x.yaml) eller en tabell "
      "med 'fil:' eller 'rubrik:', inte talet 5 [möte.ärende]"]),
    (HEAD + """  - ../answers/finns-inte.yaml
  - rubrik: Med bilaga
    bilagor: [{titel: X, fil: bilagor/saknas.pdf}]
""", ["moten/m.yaml:7:5: fel: svarsfilen '../answers/finns-inte.yaml' finns inte "
      "[möte.svarsfil_saknas]",
      "moten/m.yaml:9:31: fel: bilagan 'bilagor/saknas.pdf' finns inte [bilaga.saknas]"]),
    (HEAD + "  - ../answers/x.yaml\n",
     ["answers/x.yaml:1:1: fel: nyckeln 'rubrik' saknas i filen [schema.saknas]",
      "answers/x.yaml:2:1: fel: okänd nyckel 'rubrk'; menade du 'rubrik'? "
      "[schema.okänd_nyckel]"]),
    (HEAD.replace("ärenden:\n", "ärenden: []\n"),
     ["moten/m.yaml:6:10: fel: 'ärenden' är tom; skriv mötets ärenden som en lista "
      "[möte.inga_ärenden]"]),
    ("möte: [\n", ["moten/m.yaml:2:1: fel: ogiltig YAML (expected the node content, but found "
                   "'<stream end>') [yaml.syntax]"]),
])
def test_a_bad_meeting_file_names_file_line_and_column(tmp_path, monkeypatch, text, expected):
    project = _project(tmp_path, monkeypatch, [])
    (project / "answers" / "x.yaml").write_text("mall: frågesvar\nrubrk: X\n", encoding="utf-8")
    (project / "moten" / "m.yaml").write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["agenda", "moten/m.yaml"])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == expected
    assert not (project / "build").exists()


def test_a_public_agenda_refuses_an_unmarked_personnummer(tmp_path, monkeypatch):
    project = _project(tmp_path, monkeypatch, [])
    (project / "answers" / "p.yaml").write_text("""mall: tjänsteutlåtande
datum: 2024-03-19
rubrik: Ett utlåtande
sammanfattning: |
  Första stycket.

  Den enskilde (19121212-1212) har ansökt.
""", encoding="utf-8")
    (project / "moten" / "m.yaml").write_text(HEAD + "  - ../answers/p.yaml\n",
                                              encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(main, ["agenda", "moten/m.yaml", "--offentlig"])
    assert result.exit_code == 1
    assert ("answers/p.yaml:7:17: fel: personnumret 19121212-**** står i en svarsfil utan "
            "'sekretess'; en offentlig kallelse får inte innehålla personnummer: ta bort numret, "
            "eller markera ärendet med sekretess: {grund: …} [offentlig.personnummer]"
            ) in result.output.splitlines()
    assert "1212-1212" not in result.output
    assert not (project / "build").exists()
    assert runner.invoke(main, ["agenda", "moten/m.yaml"]).exit_code == 0


def test_a_public_build_removes_item_pdfs_that_no_longer_belong(tmp_path, monkeypatch):
    project = _project(tmp_path, monkeypatch, ["malmo-svar-namndinitiativ"])
    (project / "moten" / "m.yaml").write_text(
        HEAD + "  - ../answers/malmo-svar-namndinitiativ.yaml\n", encoding="utf-8")
    folder = project / "build" / "m-offentlig"
    folder.mkdir(parents=True)
    (folder / "02-ett-aldre-arende.pdf").write_bytes(b"%PDF-1.7\n")
    (folder / "egen-fil.pdf").write_bytes(b"%PDF-1.7\n")
    result = CliRunner().invoke(main, ["agenda", "moten/m.yaml", "--offentlig", "-q"])
    assert result.exit_code == 0, result.output
    assert result.output == ""
    assert sorted(p.name for p in folder.iterdir()) == [
        ".utlatande-kallelse.json",
        "01-svar-till-vansterpartiet-enligt-ett-namndinitiativ.pdf", "egen-fil.pdf",
        "index.html", "m-offentlig.docx", "m-offentlig.pdf"]


def test_the_same_meeting_gives_the_same_bytes(tmp_path, monkeypatch):
    project = _project(tmp_path, monkeypatch, ["malmo-svar-namndinitiativ"])
    (project / "moten" / "m.yaml").write_text(
        HEAD + "  - ../answers/malmo-svar-namndinitiativ.yaml\n", encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(main, ["agenda", "moten/m.yaml", "-o", "a"]).exit_code == 0
    assert runner.invoke(main, ["agenda", "moten/m.yaml", "-o", "b"]).exit_code == 0
    for name in ("m.pdf", "m.docx", "index.html"):
        assert (project / "a" / "m" / name).read_bytes() == (project / "b" / "m" / name
                                                              ).read_bytes()


def test_agenda_help_is_swedish_and_a_missing_argument_is_a_usage_error():
    runner = CliRunner()
    result = runner.invoke(main, ["agenda", "--help"], prog_name="utlatande")
    assert result.exit_code == 0
    assert "Användning: utlatande agenda [FLAGGOR] MÖTE.yaml" in result.output
    assert "--offentlig" in result.output and "Flaggor:" in result.output
    result = runner.invoke(main, ["agenda"])
    assert result.exit_code == 2
    assert "Fel: argument saknas 'MÖTE.yaml'." in result.output


# -- personnummer ----------------------------------------------------------------------

def test_find_personnummer_finds_the_written_forms_with_their_offsets():
    text = ("Tolvan 121212-1212, 19121212-1212 och 191212121212; samordningsnummer "
            "701063-2391; över hundra 121212+1212.")
    found = find_personnummer(text)
    assert [number for _, number in found] == ["121212-1212", "19121212-1212", "191212121212",
                                               "701063-2391", "121212+1212"]
    assert all(text[offset:offset + len(number)] == number for offset, number in found)


@pytest.mark.parametrize("text", [
    "121212-1213",       # wrong check digit
    "121312-1212",       # month 13
    "120230-1219",       # 30 February
    "0850801682",        # a telephone number: ten bare digits
    "08-508 251 64",
    "SN 2024/1212",
    "1121212-12121",     # part of a longer number
])
def test_find_personnummer_ignores_what_is_no_personnummer(text):
    assert find_personnummer(text) == []


def test_luhn_check_digit():
    assert luhn_ok("8112189876")
    assert not luhn_ok("8112189875")


def test_a_statement_that_fails_to_render_is_an_error_and_writes_nothing(tmp_path,
                                                                         monkeypatch):
    """Statements render in worker processes; their problems still reach the user."""
    from utlatande.errors import AnswerError

    monkeypatch.chdir(tmp_path)
    (tmp_path / "answers").mkdir()
    good = "mall: tjänsteutlåtande\ndatum: 2024-03-19\nrubrik: Utlåtande {n}\n"
    (tmp_path / "answers" / "a.yaml").write_text(good.format(n=1), encoding="utf-8")
    (tmp_path / "answers" / "b.yaml").write_text(
        good.format(n=2) + "bilagor:\n  - {titel: Trasig, fil: trasig.pdf}\n", encoding="utf-8")
    (tmp_path / "answers" / "trasig.pdf").write_bytes(b"%PDF-1.7\ninte mer")
    (tmp_path / "moten").mkdir()
    meeting = tmp_path / "moten" / "m.yaml"
    meeting.write_text("möte:\n  organ: Socialnämnden\n  datum: 2024-03-19\n  tid: \"17.00\"\n"
                       "  plats: Stadshuset\närenden:\n  - ../answers/a.yaml\n"
                       "  - ../answers/b.yaml\n", encoding="utf-8")
    with pytest.raises(AnswerError) as caught:
        build_agenda(meeting, tmp_path / "build", tmp_path)
    assert [str(p).split(" (")[0] for p in caught.value.problems] == [
        "answers/b.yaml:5:26: fel: bilagan 'trasig.pdf' är ingen läsbar PDF"]
    assert not (tmp_path / "build").exists()
