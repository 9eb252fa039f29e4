"""Active content in an appendix (JavaScript, actions, forms, embedded files) is stripped
as its pages are merged, with a warning naming the appendix."""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pypdf
from click.testing import CliRunner

from utlatande.cli import main
from utlatande.pipeline import build

ACTIVE = ("/Launch, /Named, /SubmitForm, JavaScript, XFA-formulär, automatiska åtgärder, "
          "bifogade filer, länk till ett skript eller en fil, åtgärd när filen öppnas")


def active_pdf(path: Path) -> Path:
    """A one-page PDF that carries every kind of active content a reader would run."""
    path.parent.mkdir(parents=True, exist_ok=True)
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.write(path)
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        js = pdf.make_indirect(pikepdf.Dictionary(S=pikepdf.Name.JavaScript,
                                                  JS=pikepdf.String("app.alert(1)")))
        pdf.Root.OpenAction = js
        pdf.Root.Names = pikepdf.Dictionary(JavaScript=pikepdf.Dictionary(
            Names=pikepdf.Array([pikepdf.String("x"), js])))
        pdf.Root.AcroForm = pikepdf.Dictionary(Fields=pikepdf.Array(),
                                               XFA=pikepdf.String("<xdp/>"))
        page = pdf.pages[0].obj
        page.AA = pikepdf.Dictionary(O=js)

        def link(action: pikepdf.Dictionary, subtype: str = "/Link") -> pikepdf.Dictionary:
            return pdf.make_indirect(pikepdf.Dictionary(
                Type=pikepdf.Name.Annot, Subtype=pikepdf.Name(subtype),
                Rect=pikepdf.Array([10, 10, 50, 50]), A=action))

        widget = link(pikepdf.Dictionary(S=pikepdf.Name.SubmitForm,
                                         F=pikepdf.String("https://example.com/")), "/Widget")
        widget.FT, widget.T = pikepdf.Name.Btn, pikepdf.String("skicka")
        pdf.Root.AcroForm.Fields.append(widget)
        page.Annots = pdf.make_indirect(pikepdf.Array([
            link(pikepdf.Dictionary(S=pikepdf.Name.Launch, F=pikepdf.String("calc.exe"))),
            widget,
            link(pikepdf.Dictionary(S=pikepdf.Name.URI,
                                    URI=pikepdf.String("  JavaScript:alert(1)"))),
            link(pikepdf.Dictionary(S=pikepdf.Name.Named, N=pikepdf.Name.Print)),
            link(pikepdf.Dictionary(S=pikepdf.Name.Named, N=pikepdf.Name.NextPage)),
            link(pikepdf.Dictionary(S=pikepdf.Name.URI,
                                    URI=pikepdf.String("https://www.example.se/"))),
            pdf.make_indirect(pikepdf.Dictionary(
                Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.FileAttachment,
                Rect=pikepdf.Array([0, 0, 5, 5]))),
        ]))
        pdf.save(path)
    return path


def assert_inert(path: Path) -> None:
    """No JavaScript, no action but page turns and web links, no embedded file."""
    with pikepdf.open(path) as pdf:
        assert "/OpenAction" not in pdf.Root and "/AA" not in pdf.Root
        assert "/JavaScript" not in pdf.Root.get("/Names", {})
        assert "/XFA" not in pdf.Root.get("/AcroForm", {})
        actions = []
        for page in pdf.pages:
            assert "/AA" not in page.obj
            for annotation in page.obj.get("/Annots", []):
                assert annotation.get("/Subtype") != "/FileAttachment"
                assert "/AA" not in annotation
                action = annotation.get("/A")
                if action is not None:
                    actions.append((str(action.S), str(action.get("/N", action.get("/URI")))))
        assert sorted(actions) == [("/Named", "/NextPage"), ("/URI", "https://www.example.se/")]


def test_an_answers_appendix_is_merged_without_its_active_content(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    active_pdf(tmp_path / "answers" / "aktiv.pdf")
    answer = tmp_path / "answers" / "x.yaml"
    answer.write_text("mall: tjänsteutlåtande\ndatum: 2024-03-19\nrubrik: R\nbilagor:\n"
                      "  - {titel: Ansökan, fil: aktiv.pdf}\n", encoding="utf-8")
    result = build(answer, tmp_path / "build", ("pdf",), tmp_path)
    assert [str(p) for p in result.problems] == [
        f"answers/x.yaml:5:27: varning: bilagan 'aktiv.pdf' har aktivt innehåll ({ACTIVE}); "
        "det tas bort när bilagan läggs in [bilaga.aktivt_innehåll]"]
    assert_inert(tmp_path / "build" / "x.pdf")


def test_a_plain_items_appendix_is_merged_without_its_active_content(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    active_pdf(tmp_path / "moten" / "aktiv.pdf")
    (tmp_path / "moten" / "m.yaml").write_text(
        "möte: {organ: Nämnden, datum: 2024-03-19, tid: '17.00', plats: Rådhuset}\n"
        "ärenden:\n  - rubrik: Anmälan\n    bilagor:\n      - {titel: Lista, fil: aktiv.pdf}\n",
        encoding="utf-8")
    for flags, folder in (([], "m"), (["--offentlig"], "m-offentlig")):
        result = CliRunner().invoke(main, ["agenda", "moten/m.yaml", *flags])
        assert result.exit_code == 0, result.output
        assert (f"moten/m.yaml:5:29: varning: bilagan 'aktiv.pdf' har aktivt innehåll "
                f"({ACTIVE}); det tas bort när bilagan läggs in [bilaga.aktivt_innehåll]"
                ) in result.output.splitlines()
        assert_inert(tmp_path / "build" / folder / f"{folder}.pdf")
        assert_inert(tmp_path / "build" / folder / "01-anmalan.pdf")
