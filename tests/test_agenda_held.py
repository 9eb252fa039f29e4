"""The packet's untagged appendix pages, held out of the merge and written after it as an
incremental update: every page is there with its content, size, rotation, crop box, links
and running number, the packet verifies, and the same inputs give the same bytes."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pikepdf
import pytest
from pikepdf import Array, Dictionary, Name, String

from test_agenda import STAMP, pdftotext
from utlatande import api
from utlatande.verify import verify_file

from conftest import MEETING_HEAD, ROOT

MEETING = MEETING_HEAD + """  - ../answers/malmo-svar-namndinitiativ.yaml
  - rubrik: Remiss om bilagor
    förslag: Remissen besvaras.
    bilagor:
      - {titel: Remisshandlingen, fil: bilagor/remiss.pdf}
"""
SIZES = {1: "A4", 2: "A4", 3: "A5 landscape", 4: "A3"}


def _appendix(path: Path) -> None:
    """Four untagged pages of different sizes: the second rotated, the third cropped, a
    link on the first to the fourth and a web link on the fourth."""
    from weasyprint import HTML

    styles = "".join(f"@page p{n} {{ size: {size}; margin: 20mm }} .p{n} {{ page: p{n} }}"
                     for n, size in SIZES.items())
    body = "".join(f'<p class="p{n}">Bilagesida {n} av remissen.</p>' for n in SIZES)
    HTML(string=f"<html><head><style>{styles}</style></head><body>{body}</body></html>"
         ).write_pdf(path)
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        pages = [page.obj for page in pdf.pages]
        pages[1].Rotate = 90
        x0, y0, x1, y1 = (float(v) for v in pages[2].MediaBox)
        pages[2].CropBox = Array([x0 + 20, y0 + 20, x1 - 20, y1 - 20])
        pages[0].Annots = pdf.make_indirect(Array([pdf.make_indirect(Dictionary(
            Type=Name.Annot, Subtype=Name.Link, Rect=Array([50, 50, 200, 80]),
            Border=Array([0, 0, 0]), Dest=Array([pages[3], Name.Fit])))]))
        pages[3].Annots = Array([pdf.make_indirect(Dictionary(
            Type=Name.Annot, Subtype=Name.Link, Rect=Array([50, 50, 200, 80]),
            Border=Array([0, 0, 0]), A=Dictionary(S=Name.URI,
                                                  URI=String("https://example.se/remiss"))))])
        pdf.save(path)


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    shutil.copytree(ROOT / "templates", tmp_path / "templates")
    (tmp_path / "answers").mkdir()
    shutil.copy(ROOT / "answers" / "malmo-svar-namndinitiativ.yaml", tmp_path / "answers")
    (tmp_path / "moten" / "bilagor").mkdir(parents=True)
    _appendix(tmp_path / "moten" / "bilagor" / "remiss.pdf")
    (tmp_path / "moten" / "m.yaml").write_text(MEETING, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _build(out: str) -> Path:
    built = api.build_agenda(Path("moten/m.yaml"), Path(out))
    return built.folder / "m.pdf"


def _appendix_pages(packet: pikepdf.Pdf) -> list[pikepdf.Page]:
    return [page for page in packet.pages if "/PieceInfo" in page.obj]


def test_an_untagged_appendix_is_written_after_the_merge_whole(project):
    path = _build("build")
    data = path.read_bytes()
    # The update: a second cross-reference section (a stream) pointing back to the first.
    assert data.count(b"%%EOF") == 2 and data.count(b"startxref") == 2
    assert re.search(rb"/Type/XRef[^>]*/Prev \d+", data.split(b"%%EOF")[1])
    with pikepdf.open(path) as packet:
        assert not packet.check_pdf_syntax()
        held = _appendix_pages(packet)
        assert len(held) == 4
        # Sizes as given (rotated upright, cropped as cropped).
        sizes = [tuple(round(float(v)) for v in page.mediabox) for page in held]
        with pikepdf.open(project / "moten" / "bilagor" / "remiss.pdf") as own:
            given = [tuple(round(float(v)) for v in page.mediabox) for page in own.pages]
        assert sizes[0] == given[0] and sizes[2] == given[2] and sizes[3] == given[3]
        assert (sizes[1][2] - sizes[1][0], sizes[1][3] - sizes[1][1]) == \
            (given[1][3] - given[1][1], given[1][2] - given[1][0])  # turned upright
        assert int(held[1].obj.get("/Rotate", 0)) % 360 == 0
        assert [round(float(v)) for v in held[2].obj.CropBox] != \
            [round(float(v)) for v in held[2].mediabox]
        # The link inside the appendix still goes to its fourth page, in the packet.
        link = held[0].obj.Annots[0]
        assert link.Dest[0].objgen == held[3].obj.objgen
        assert str(held[3].obj.Annots[0].A.URI) == "https://example.se/remiss"
        # Every other page is in the tag tree.
        for page in packet.pages:
            assert ("/StructParents" in page.obj) != (page in held)
        total = len(packet.pages)
        first = packet.pages.index(held[0]) + 1
    texts = pdftotext(path).split("\f")[:total]
    for n in range(1, 5):
        page = first + n - 1
        assert f"Bilagesida {n} av remissen." in texts[page - 1]
    for number, text in enumerate(texts, start=1):
        assert STAMP.findall(text) == [(str(number), str(total))]
    findings = verify_file(path)
    assert {finding.code for finding in findings} == {"otaggad_bilaga"}, findings
    assert f"sidorna {first}–{first + 3}" in findings[0].message


def test_the_packet_with_an_untagged_appendix_is_the_same_bytes_each_time(project):
    first = _build("a").read_bytes()
    assert _build("b").read_bytes() == first


def _every_packet_apart(monkeypatch) -> list[str]:
    """Every packet counts as large (compose.READ_APART); the names of the functions then
    called in a fresh process, as they are called."""
    import sys

    compose = sys.modules["utlatande.agenda.compose"]
    monkeypatch.setattr(compose, "READ_APART", 0)
    sent: list[str] = []
    real = compose.fresh

    def fresh(function, *args):
        sent.append(function.__name__)
        return real(function, *args)

    monkeypatch.setattr(compose, "fresh", fresh)
    return sent


def test_a_large_packet_is_read_back_in_a_fresh_process(project, monkeypatch):
    sent = _every_packet_apart(monkeypatch)
    built = api.build_agenda(Path("moten/m.yaml"), Path("build"), offentlig=True)
    assert sent == ["write_held", "verify_all", "numbers_printed"]
    packet = [f for f in built.findings if f.path.endswith("m-offentlig.pdf")]
    assert [f.code for f in packet] == ["otaggad_bilaga"], built.findings


def test_links_to_a_named_destination_in_an_appendix_still_lead_to_their_page(project):
    """An appendix's links by name (a name tree, an old /Dests dictionary, a GoTo action)
    lead to the same page in the packet, which does not take the file's names."""
    path = project / "moten" / "bilagor" / "remiss.pdf"
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        pages = [page.obj for page in pdf.pages]
        pdf.Root.Names = Dictionary(Dests=pdf.make_indirect(Dictionary(Names=Array([
            String("kapitel-3"), Array([pages[2], Name.Fit]),
            String("sista"), pdf.make_indirect(Dictionary(D=Array([pages[3], Name.Fit]))),
        ]))))
        pdf.Root.Dests = pdf.make_indirect(Dictionary(Forsta=Array([pages[0], Name.Fit])))

        def link(**target) -> Dictionary:
            return pdf.make_indirect(Dictionary(Type=Name.Annot, Subtype=Name.Link,
                                                Rect=Array([50, 50, 200, 80]), **target))

        pages[1].Annots = Array([
            link(Dest=String("kapitel-3")),
            link(A=Dictionary(S=Name.GoTo, D=String("sista"))),
            link(Dest=Name("/Forsta")),
            link(Dest=String("finns-inte")),
        ])
        pdf.save(path)
    with pikepdf.open(_build("build")) as packet:
        held = _appendix_pages(packet)
        annotations = list(held[1].obj.Annots)
        assert annotations[0].Dest[0].objgen == held[2].obj.objgen
        assert annotations[1].A.D[0].objgen == held[3].obj.objgen
        assert annotations[2].Dest[0].objgen == held[0].obj.objgen
        assert "/Dest" not in annotations[3] and "/A" not in annotations[3]
        assert not packet.check_pdf_syntax()


def test_held_pages_written_in_a_fresh_process_give_the_same_packet(project, monkeypatch):
    """A large packet's held pages are written in a fresh process; the packet is the
    same bytes as when they are written here."""
    here = _build("här").read_bytes()
    sent = _every_packet_apart(monkeypatch)
    assert _build("fri").read_bytes() == here
    assert "write_held" in sent


def test_a_fresh_process_that_dies_writing_held_pages_costs_only_time(project, monkeypatch):
    """It may have written part of its update: the packet is cut back to what the merge
    wrote, and the held pages are written here."""
    import sys
    from concurrent.futures.process import BrokenProcessPool

    here = _build("här").read_bytes()
    compose = sys.modules["utlatande.agenda.compose"]
    monkeypatch.setattr(compose, "READ_APART", 0)

    def dies(function, *args):
        if function.__name__ != "write_held":
            return function(*args)
        with open(args[0], "ab") as packet:
            packet.write(b"1000 0 obj\n<</Halv")
        raise BrokenProcessPool("the fresh worker ended with -9")

    monkeypatch.setattr(compose, "fresh", dies)
    assert _build("dog").read_bytes() == here


def test_an_answer_error_comes_back_from_a_fresh_process_whole():
    import pickle

    from utlatande.errors import AnswerError, Problem

    problems = [Problem("b.pdf", 1, 1, "filen ändrades", "kallelse.ändrad_bilaga"),
                Problem("a.yaml", 3, 7, "fel här", "schema.typ")]
    again = pickle.loads(pickle.dumps(AnswerError(problems)))
    assert again.problems == AnswerError(problems).problems
    assert str(again) == str(AnswerError(problems))


@pytest.mark.parametrize("apart", [False, True], ids=["här", "i en ny process"])
@pytest.mark.parametrize("change", ["sparad igen", "borttagen"])
def test_an_appendix_saved_again_during_the_build_is_named_and_nothing_is_written(
        project, monkeypatch, change, apart):
    """The file is read twice (for the merge, then for its pages): changed in between,
    the build stops with a message naming it, and writes nothing (also when the pages
    are written in a fresh process)."""
    import sys

    from click.testing import CliRunner

    from utlatande.agenda import held
    from utlatande.cli import main

    compose = sys.modules["utlatande.agenda.compose"]
    if apart:
        monkeypatch.setattr(compose, "READ_APART", 0)
    real = held.survey

    def survey(path, *args, **kwargs):
        found = real(path, *args, **kwargs)
        if path.name == "remiss.pdf":
            if change == "borttagen":
                path.unlink()
            else:
                with pikepdf.open(path, allow_overwriting_input=True) as pdf:
                    pdf.pages.append(pdf.pages[0])
                    pdf.save(path)
        return found

    monkeypatch.setattr(compose, "survey", survey)
    result = CliRunner().invoke(main, ["agenda", "moten/m.yaml"])
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1] == (
        "moten/bilagor/remiss.pdf:1:1: fel: filen ändrades medan kallelsen byggdes; ingen "
        "av kallelsens filer skrevs: bygg kallelsen igen [kallelse.ändrad_bilaga]")
    assert "Traceback" not in result.output
    assert not (project / "build" / "m").exists()


# -- what the held pages and the running numbers cost in memory ------------------------------

def test_the_stubs_of_a_file_share_their_boxes_and_resources():
    """A thousand stubs are a thousand page objects, not four thousand objects."""
    from utlatande.agenda.held import HeldPage, Shared

    pdf = pikepdf.new()
    shared = Shared(pdf)
    a4, a3 = (0.0, 0.0, 595.0, 842.0), (0.0, 0.0, 842.0, 1191.0)
    stubs = [HeldPage(n, (0, 0, 1, 1), "botten", box, None).stub(shared)
             for n, box in enumerate([a4, a3, a4])]
    assert stubs[0].MediaBox.objgen == stubs[2].MediaBox.objgen != stubs[1].MediaBox.objgen
    assert [float(v) for v in stubs[1].MediaBox] == list(a3)
    assert len({stub.Resources.objgen for stub in stubs}) == 1
    assert len(stubs[0].Resources.keys()) == 0
    alone = HeldPage(0, (0, 0, 1, 1), "botten", a4, a4).stub()
    assert not alone.MediaBox.is_indirect and [float(v) for v in alone.CropBox] == list(a4)


def _weasy_pdf(path: Path, texts: list[str]) -> None:
    from weasyprint import HTML

    HTML(string="".join(f'<p style="break-after: page">{t}</p>' for t in texts)
         ).write_pdf(path)


def test_numbers_stamped_from_a_closed_file_are_written_with_the_packet(tmp_path):
    """The numbers' file is closed as soon as its numbers are stamped: what the packet
    draws is copied, not read from that file when the packet is written."""
    from utlatande.agenda.packet import stamp

    _weasy_pdf(tmp_path / "paket.pdf", ["Första sidan", "Andra sidan", "Tredje sidan"])
    _weasy_pdf(tmp_path / "nummer.pdf", ["Nummerett", "Nummertvå", "Nummertre"])
    with pikepdf.open(tmp_path / "paket.pdf") as packet:
        with pikepdf.open(tmp_path / "nummer.pdf") as numbers:
            stamp(packet, numbers, 0, frozenset({1}))
        # Nothing may still read it: written over in place, its old bytes are gone.
        (tmp_path / "nummer.pdf").write_bytes(b"%PDF-1.7\n" + b" " * 100_000)
        packet.save(tmp_path / "ut.pdf")
    text = pdftotext(tmp_path / "ut.pdf")
    assert "Nummerett" in text and "Nummertre" in text
    assert "Nummertvå" not in text  # page 2 is stamped later, as it is written
    assert pikepdf.open(tmp_path / "ut.pdf").check_pdf_syntax() == []


def test_the_pages_of_a_nested_page_tree_are_found_as_in_a_flat_one(tmp_path):
    """The packet's page objects are read from its one /Kids array; a packet whose page
    tree has nodes between (not one the merge makes) is walked page by page instead."""
    from utlatande.agenda.held import Held, HeldPage, _flat_tree, _places

    _weasy_pdf(tmp_path / "platt.pdf", [f"Sida {n}" for n in range(1, 6)])
    held = Held(tmp_path / "bilaga.pdf", None, "Bilaga", False, 3,
                [HeldPage(n, (0, 0, 1, 1), "botten", (0, 0, 595, 842), None)
                 for n in (0, 2)], first=1)
    with pikepdf.open(tmp_path / "platt.pdf") as pdf:
        flat = _flat_tree(pdf)
        assert flat is not None
        assert _places(pdf, held, flat) == _places(pdf, held, None)
        # The same pages under two nodes of the tree.
        root = pdf.Root.Pages
        kids = list(root.Kids)
        nodes = [pdf.make_indirect(Dictionary(Type=Name.Pages, Parent=root,
                                              Kids=Array(part), Count=len(part)))
                 for part in (kids[:2], kids[2:])]
        for node in nodes:
            for kid in node.Kids:
                kid.Parent = node
        root.Kids = Array(nodes)
        pdf.save(tmp_path / "kapslad.pdf")
    with pikepdf.open(tmp_path / "kapslad.pdf") as pdf:
        assert _flat_tree(pdf) is None
        pages, parents = _places(pdf, held, None)
        assert len(pages) == 3 and len(set(parents.values())) == 2
