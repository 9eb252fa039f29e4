"""PDFs merged into one tagged PDF: every part keeps its tags, an untagged part is named."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pikepdf
import pytest

from utlatande.pdfmerge import Mark, Metadata, TaggedMerge, outline_of, read_ahead
from utlatande.verify import verify_file

from conftest import ROOT

UNTAGGED = ROOT / "moten" / "bilagor" / "delegationslista.pdf"
PARTS = ["malmo-svar-namndinitiativ", "malmo-nulagesrapport", "rinkeby-kista-sociala-insatsgruppen"]


def _kids(element) -> list:
    kids = element.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, pikepdf.Array) else [kids]


def _tree(pdf: pikepdf.Pdf) -> list:
    """Every structure element reachable from the root, in order."""
    found, stack = [], list(reversed(_kids(pdf.Root.StructTreeRoot)))
    while stack:
        element = stack.pop()
        if isinstance(element, pikepdf.Dictionary) and "/S" in element:
            found.append(element)
            stack.extend(reversed(_kids(element)))
    return found


def _roles(pdf: pikepdf.Pdf, elements: list) -> Counter:
    role_map = pdf.Root.StructTreeRoot.get("/RoleMap", {})
    return Counter(str(role_map.get(str(e.S), e.S)) for e in elements)


def _merge(sources: list[tuple[Path, str | None]], out: Path) -> list[int]:
    with TaggedMerge() as merge:
        starts = [merge.append(path, title)[0] for path, title in sources]
        merge.add_outline([(start, outline_of(merge.sources[i]))
                           for i, start in enumerate(starts)])
        merge.save(out, Metadata("Sammanfogad", "Socialnämnden", "Prov", "Kallelse",
                                 dt.datetime(2024, 3, 19)))
    return starts


@pytest.fixture(scope="module")
def merged(built, tmp_path_factory) -> tuple[Path, list[int]]:
    out = tmp_path_factory.mktemp("merge") / "paket.pdf"
    sources = [(built / f"{name}.pdf", None) for name in PARTS]
    starts = _merge([*sources, (UNTAGGED, "Bilaga 1: Delegationslista")], out)
    return out, starts


def test_every_part_keeps_its_structure_tree(built, merged):
    path, starts = merged
    with pikepdf.open(path) as pdf:
        assert pdf.Root.MarkInfo.Marked is True
        assert str(pdf.Root.Lang) == "sv-SE"
        tree = _tree(pdf)
        assert str(tree[0].S) == "/Document" and pdf.Root.StructTreeRoot == tree[0].P
        parts = [e for e in _kids(tree[0])]
        assert [str(p.S) for p in parts] == ["/Part"] * len(PARTS)
        merged_roles = _roles(pdf, tree)
        for name, part in zip(PARTS, parts, strict=True):
            with pikepdf.open(built / f"{name}.pdf") as source:
                own = _roles(source, _tree(source))
            own["/Part"], own["/Document"] = own.pop("/Document"), 0
            assert _roles(pdf, _tree_under(part)) == +own  # headings, lists, tables, links
        for kind in ("/H1", "/H2", "/H3", "/L", "/LI", "/Table", "/TH", "/TD", "/Link"):
            assert merged_roles[kind] > 0, kind


def _tree_under(element) -> list:
    found, stack = [], [element]
    while stack:
        e = stack.pop()
        if isinstance(e, pikepdf.Dictionary) and "/S" in e:
            found.append(e)
            stack.extend(_kids(e))
    return found


def test_parent_tree_points_every_page_to_its_own_elements(merged):
    path, starts = merged
    with pikepdf.open(path) as pdf:
        tree = pdf.Root.StructTreeRoot
        nums = pikepdf.NumberTree(tree.ParentTree)
        keys = []
        for number, page in enumerate(pdf.pages):
            if number >= starts[-1]:  # the untagged appendix
                assert "/StructParents" not in page.obj
                continue
            key = int(page.obj.StructParents)
            keys.append(key)
            elements = nums[key]
            assert len(elements) > 0
            for element in elements:
                assert element.Pg.objgen == page.obj.objgen
            for annotation in page.obj.get("/Annots", []):
                if "/StructParent" in annotation:
                    keys.append(int(annotation.StructParent))
                    owner = nums[int(annotation.StructParent)]
                    assert str(owner.S) in ("/Link", "/Form", "/Annot")  # links, signatures
                    assert any(isinstance(k, pikepdf.Dictionary) and k.get("/Obj") == annotation
                               for k in _kids(owner))
        assert len(keys) == len(set(keys))  # no key is used twice
        assert int(tree.ParentTreeNextKey) > max(keys)


def _structure_elements(pdf: pikepdf.Pdf) -> tuple[int, int]:
    """(elements the tree reaches, elements written but not reached: WeasyPrint leaves a
    page's running header out of the tree, and names it in the parent tree alone)."""
    written = {obj.objgen for obj in pdf.objects
               if isinstance(obj, pikepdf.Dictionary) and obj.get("/Type") == "/StructElem"}
    reached = {element.objgen for element in _tree(pdf)}
    return len(reached), len(written - reached)


def test_each_structure_element_is_copied_once(built, merged):
    """The tree and the parent tree name the same copy of each element: no element is
    copied twice, which would leave a copy outside the tree."""
    path, _ = merged
    reached = outside = 0
    for name in PARTS:
        with pikepdf.open(built / f"{name}.pdf") as source:
            own_reached, own_outside = _structure_elements(source)
        reached, outside = reached + own_reached, outside + own_outside
    with pikepdf.open(path) as pdf:
        merged_reached, merged_outside = _structure_elements(pdf)
    assert merged_reached == reached + 1  # and the merged document's own
    assert merged_outside <= outside  # those no page names are not copied at all


def test_verify_names_only_the_untagged_appendix(merged):
    path, starts = merged
    findings = verify_file(path)
    first = starts[-1] + 1
    assert [str(f).split(": ", 1)[1] for f in findings] == [
        f"varning: sidan {first} kommer från bilagan 'Bilaga 1: Delegationslista', som saknar "
        "taggar. Bilagan tas med som den är och kan vara otillgänglig för skärmläsare "
        "[verify.otaggad_bilaga]"]
    assert findings[0].severity == "varning"


def test_bookmarks_point_into_each_part(built, merged):
    path, starts = merged
    with pikepdf.open(path) as pdf:
        marks = outline_of(pdf)
        assert pdf.Root.PageMode == "/UseOutlines"
    for name, start, mark in zip(PARTS, starts, marks, strict=False):
        with pikepdf.open(built / f"{name}.pdf") as source:
            own = outline_of(source)[0]
        assert (mark.title, mark.page) == (own.title, start + own.page)


def test_metadata_says_pdf_a_2a_and_agrees_with_info(merged):
    path, _ = merged
    with pikepdf.open(path) as pdf:
        xmp = pdf.open_metadata()
        assert (xmp["pdfaid:part"], xmp["pdfaid:conformance"]) == ("2", "A")
        assert xmp["dc:title"] == "Sammanfogad" == str(pdf.docinfo.Title)
        assert pdf.Root.ViewerPreferences.DisplayDocTitle is True
        assert pdf.Root.OutputIntents[0].S == "/GTS_PDFA1"


def test_the_same_parts_give_the_same_bytes(built, merged, tmp_path):
    path, _ = merged
    sources = [(built / f"{name}.pdf", None) for name in PARTS]
    _merge([*sources, (UNTAGGED, "Bilaga 1: Delegationslista")], tmp_path / "igen.pdf")
    assert (tmp_path / "igen.pdf").read_bytes() == path.read_bytes()


def _with_role_and_id(source: Path, out: Path, role: str) -> None:
    """A copy of a tagged PDF whose first heading is a custom type, with an ID, that the
    role map makes `role`; a table cell names the heading as its header."""
    with pikepdf.open(source) as pdf:
        tree = pdf.Root.StructTreeRoot
        heading = next(e for e in _tree(pdf) if e.S == "/H1")
        heading.S = pikepdf.Name("/Rubrik")
        heading.ID = pikepdf.String(b"r1")
        tree.RoleMap = pikepdf.Dictionary({"/Rubrik": pikepdf.Name(role)})
        tree.IDTree = pikepdf.Dictionary(Names=pikepdf.Array([pikepdf.String(b"r1"), heading]))
        cell = next(e for e in _tree(pdf) if e.S == "/TD")
        cell.A = pikepdf.Dictionary(O=pikepdf.Name.Table, Headers=pikepdf.Array(
            [pikepdf.String(b"r1")]))
        pdf.save(out)


def test_clashing_role_names_and_ids_are_renamed(built, tmp_path):
    first, second = tmp_path / "a.pdf", tmp_path / "b.pdf"
    _with_role_and_id(built / "rinkeby-kista-sociala-insatsgruppen.pdf", first, "/H1")
    _with_role_and_id(built / "stockholm-nyckeltjanster.pdf", second, "/P")
    _merge([(first, None), (second, None)], tmp_path / "m.pdf")
    with pikepdf.open(tmp_path / "m.pdf") as pdf:
        tree = pdf.Root.StructTreeRoot
        assert dict(tree.RoleMap) == {"/Rubrik": "/H1", "/Rubrik_2": "/P"}
        ids = dict(pikepdf.NameTree(tree.IDTree).items())
        assert {"r1", "r1-2"} <= set(ids)
        assert ids["r1"].S == "/Rubrik" and ids["r1-2"].S == "/Rubrik_2"
        assert bytes(ids["r1-2"].ID) == b"r1-2"
        parts = _kids(_tree(pdf)[0])
        # Every header a cell names is an element of the cell's own part.
        for part in parts:
            own = {e.objgen for e in _tree_under(part)}
            cells = [e for e in _tree_under(part) if e.S in ("/TD", "/TH") and "/A" in e]
            named = [bytes(h).decode() for c in cells for h in c.A.get("/Headers", [])]
            assert named and all(ids[h].objgen in own for h in named)
        assert all(bytes(element.ID).decode() == key for key, element in ids.items())


def _merge_read_ahead(sources: list[Path], out: Path) -> None:
    """As _merge, each source opened and read by read_ahead before the merge starts."""
    reads = [read_ahead(path) for path in sources]
    with TaggedMerge() as merge:
        starts = [merge.append(path, None, None, read)[0]
                  for path, read in zip(sources, reads, strict=True)]
        merge.add_outline([(start, outline_of(merge.sources[i]))
                           for i, start in enumerate(starts)])
        merge.save(out, Metadata("Sammanfogad", "Socialnämnden", "Prov", "Kallelse",
                                 dt.datetime(2024, 3, 19)))


@pytest.mark.parametrize("roles", [("/H1", "/H1"), ("/H1", "/P")])
def test_sources_read_ahead_give_the_same_bytes(built, tmp_path, roles):
    """IDs that clash (and role names, which the merge then renames by walking) come out
    the same when the sources' IDs were found before the merge."""
    first, second = tmp_path / "a.pdf", tmp_path / "b.pdf"
    _with_role_and_id(built / "rinkeby-kista-sociala-insatsgruppen.pdf", first, roles[0])
    _with_role_and_id(built / "stockholm-nyckeltjanster.pdf", second, roles[1])
    sources = [first, second, built / f"{PARTS[0]}.pdf", first]
    _merge([(path, None) for path in sources], tmp_path / "walked.pdf")
    _merge_read_ahead(sources, tmp_path / "read.pdf")
    assert (tmp_path / "read.pdf").read_bytes() == (tmp_path / "walked.pdf").read_bytes()
    with pikepdf.open(tmp_path / "read.pdf") as pdf:
        ids = dict(pikepdf.NameTree(pdf.Root.StructTreeRoot.IDTree).items())
        assert {"r1", "r1-2", "r1-3"} <= set(ids)


def test_marks_nest(tmp_path, built):
    with TaggedMerge() as merge:
        start, tagged = merge.append(built / "malmo-svar-namndinitiativ.pdf")
        merge.add_outline([(start, [Mark("Ärende", 0, [Mark("Utlåtande", 1)])])])
        merge.save(tmp_path / "m.pdf", Metadata("M"))
    assert tagged
    with pikepdf.open(tmp_path / "m.pdf") as pdf:
        assert outline_of(pdf) == [Mark("Ärende", 0, [Mark("Utlåtande", 1)])]
        assert int(pdf.Root.Outlines.First.Count) == -1  # closed
