"""Edits a colleague makes in Word, made with python-docx on a built DOCX (for the tests)."""

from __future__ import annotations

import copy
import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

SOFFICE = shutil.which("soffice")


def paragraph(document, text: str, exact: bool = False):
    """The first body paragraph (tables included) holding `text`."""
    for p in document.element.body.iter(qn("w:p")):
        full = "".join(t.text or "" for t in p.iter(qn("w:t")))
        if (full == text) if exact else (text in full):
            return p
    raise AssertionError(f"no paragraph with {text!r}")


def furniture_paragraph(document, text: str, exact: bool = False):
    """The first paragraph in a header or footer part holding `text`."""
    for rel in sorted(document.part.rels.values(), key=lambda r: str(r.target_ref)):
        if rel.is_external or not rel.reltype.endswith(("/header", "/footer")):
            continue
        for p in rel.target_part.element.iter(qn("w:p")):
            full = "".join(t.text or "" for t in p.iter(qn("w:t")))
            if (full == text) if exact else (text in full):
                return p
    raise AssertionError(f"no header or footer paragraph with {text!r}")


TEXT_BOX = (
    '<w:r xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
    'xmlns:v="urn:schemas-microsoft-com:vml"><w:pict><v:shape style="width:120pt;height:40pt">'
    '<v:textbox><w:txbxContent><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:txbxContent>'
    '</v:textbox></v:shape></w:pict></w:r>')


def text_box(p, text: str) -> None:
    """A text box (a VML shape with text, as Word writes for older readers) at the end of `p`."""
    from lxml import etree

    p.append(etree.fromstring(TEXT_BOX.format(text=text)))


def set_text(p, text: str) -> None:
    """The paragraph's text replaced, keeping its first run's formatting (as typing does)."""
    runs = p.findall(qn("w:r"))
    for run in runs[1:]:
        p.remove(run)
    t = runs[0].find(qn("w:t"))
    t.text = text
    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")


def replace(p, old: str, new: str) -> None:
    for t in p.iter(qn("w:t")):
        if old in (t.text or ""):
            t.text = t.text.replace(old, new)
            return
    raise AssertionError(f"{old!r} is not in one run")


def without_marks(el):
    """A copy of an element as Word makes a new one like it: without the bookmarks."""
    new = copy.deepcopy(el)
    for mark in list(new.iter(qn("w:bookmarkStart"), qn("w:bookmarkEnd"))):
        mark.getparent().remove(mark)
    return new


def insert_after(p, text: str):
    """A new paragraph like `p` after it (Enter at its end, then typing)."""
    new = without_marks(p)
    set_text(new, text)
    p.addnext(new)
    return new


def add_row(table, texts: list[str]) -> None:
    rows = table.findall(qn("w:tr"))
    new = without_marks(rows[-1])
    for cell, text in zip(new.findall(qn("w:tc")), texts, strict=True):
        set_text(cell.find(qn("w:p")), text)
    table.append(new)


def tracked(p, kind: str, text: str, author: str = "Eva Ström") -> None:
    """A pending tracked insertion (w:ins) or deletion (w:del) at the end of `p`."""
    change = OxmlElement(f"w:{kind}")
    change.set(qn("w:id"), "901" if kind == "ins" else "902")
    change.set(qn("w:author"), author)
    change.set(qn("w:date"), "2024-03-20T10:00:00Z")
    run = OxmlElement("w:r")
    t = OxmlElement("w:t" if kind == "ins" else "w:delText")
    t.text = text
    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    run.append(t)
    change.append(run)
    p.append(change)


COMMENTS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:comments xmlns:w='
            '"http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:comment '
            'w:id="5" w:author="{author}" w:date="2024-03-20T10:00:00Z" w:initials="ES"><w:p>'
            '<w:r><w:t>{text}</w:t></w:r></w:p></w:comment></w:comments>')


def comment(document, p, text: str, author: str = "Eva Ström") -> None:
    """A comment on paragraph `p`, in word/comments.xml."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part

    start = OxmlElement("w:commentRangeStart")
    start.set(qn("w:id"), "5")
    end = OxmlElement("w:commentRangeEnd")
    end.set(qn("w:id"), "5")
    ppr = p.find(qn("w:pPr"))
    (ppr.addnext if ppr is not None else lambda e: p.insert(0, e))(start)
    p.append(end)
    run = OxmlElement("w:r")
    ref = OxmlElement("w:commentReference")
    ref.set(qn("w:id"), "5")
    run.append(ref)
    p.append(run)
    blob = COMMENTS.format(author=author, text=text).encode()
    ct = "application/vnd.openxmlformats-officedocument.wordprocessingml.comments+xml"
    part = Part(PackURI("/word/comments.xml"), ct, blob, document.part.package)
    document.part.relate_to(part, RT.COMMENTS)


def edit(path: Path, change) -> None:
    """Open the DOCX, let `change(document)` edit it, save it in place."""
    document = docx.Document(str(path))
    change(document)
    document.save(str(path))


def libreoffice_save(paths: list[Path], out: Path) -> list[Path]:
    """Each DOCX opened and saved again as DOCX by LibreOffice, into `out`."""
    out.mkdir(parents=True, exist_ok=True)
    profile = out / ".lo-profil"
    subprocess.run([SOFFICE, f"-env:UserInstallation=file://{profile}", "--headless",
                    "--convert-to", "docx", "--outdir", str(out), *map(str, paths)],
                   check=True, capture_output=True, timeout=300)
    return [out / (p.stem + ".docx") for p in paths]


def replace_part(path: Path, name: str, data: bytes) -> None:
    """The zip with one part's bytes replaced."""
    source = zipfile.ZipFile(path)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info, data if info.filename == name else source.read(info))
    source.close()
    path.write_bytes(buffer.getvalue())


TABLE_ANSWER = """\
# Ett utlåtande med allt Markdown kan: kommentaren ska stå kvar.
mall: tjänsteutlåtande
profil: stockholm
datum: 2024-03-19
till: Socialnämnden
rubrik: Prov på allt
sammanfattning: |
  Första stycket med **fetstil**, *kursiv*, ~~struken~~ och en [länk](https://example.se).

  - en punkt
    - en underpunkt
  - en punkt till

  > Ett citat.
avsnitt:
  - rubrik: Tabell
    text: |
      | Stadsdel | Antal |
      | --- | --- |
      | Norr | 3 |

      Text med en fotnot.[^1]

      [^1]: Fotnotens text.
  - rubrik: Lista
    text: |
      1. ett
      2. två
underskrifter:
  - {namn: Eva Ström, titel: Avdelningschef}
"""


def build_docx(project: Path, *names: str) -> list[Path]:
    """Each answer in `project`/answers built to a DOCX in `project`/build."""
    from utlatande.pipeline import build

    out = project / "build"
    for name in names:
        result = build(Path("answers") / name, out, ("docx",), project)
        assert result.ok, [str(p) for p in result.problems]
    return [out / (Path(n).stem + ".docx") for n in names]


def colleague_edits(document) -> None:
    """A changed sentence, a new list item, a new table row, the title, a signature's title."""
    replace(paragraph(document, "Tabell tar slut"), "Tabell tar slut", "Tabellen tar slut")
    insert_after(paragraph(document, "en punkt till", exact=True), "en ny punkt")
    add_row(document.tables[1]._tbl, ["Söder", "5"])
    set_text(paragraph(document, "Prov på allt", exact=True), "Prov på nästan allt")
    set_text(paragraph(document, "Avdelningschef", exact=True), "Enhetschef")


def expected_after_edits(original):
    original["avsnitt"][0]["text"] = original["avsnitt"][0]["text"].replace(
        "| Norr | 3 |\n", "| Norr | 3 |\n| Söder | 5 |\n").replace(
        "Tabell tar slut", "Tabellen tar slut")
    original["sammanfattning"] = original["sammanfattning"].replace(
        "- en punkt till\n", "- en punkt till\n- en ny punkt\n")
    original["rubrik"] = "Prov på nästan allt"
    original["underskrifter"][0]["titel"] = "Enhetschef"
    return original


def text_after_edits() -> str:
    """table_answer's file after colleague_edits: only the changed lines changed."""
    return TABLE_ANSWER.replace("Text med en fotnot.", "Text med en fotnot. Tabellen "
                                "tar slut.").replace(
        "rubrik: Prov på allt", "rubrik: Prov på nästan allt").replace(
        "  - en punkt till\n", "  - en punkt till\n  - en ny punkt\n").replace(
        "      | Norr | 3 |\n", "      | Norr | 3 |\n      | Söder | 5 |\n").replace(
        "titel: Avdelningschef}", "titel: Enhetschef}")


def table_answer(copy: Path) -> Path:
    answer = copy / "answers" / "prov.yaml"
    answer.write_text(TABLE_ANSWER.replace("Text med en fotnot.", "Text med en fotnot. "
                                           "Tabell tar slut."), encoding="utf-8")
    return answer


def letterhead_edits(document) -> None:
    """The letterhead's values, a label, the document type, a new line, and the footer."""
    replace(furniture_paragraph(document, "SN 2024/311"), "311", "312")
    replace(furniture_paragraph(document, "OSL 26 kap. 1 §"), "1 §", "2 §")
    set_text(furniture_paragraph(document, "Avdelningen för barn och unga", exact=True),
             "Avdelningen för barn, unga och familj")
    replace(furniture_paragraph(document, "Dnr SN"), "Dnr", "Diarienr")
    set_text(furniture_paragraph(document, "Tjänsteutlåtande", exact=True), "Tjänsteskrivelse")
    insert_after(furniture_paragraph(document, "Socialförvaltningen", exact=True),
                 "Enheten för familjehem")
    replace(furniture_paragraph(document, "Sida 1"), "Sida", "Blad")


LETTERHEAD_WARNINGS = [
    "texten 'Dnr …' i sidhuvudet (word/header1.xml) kommer från mallen, inte från svarsfilen, "
    "och ändringen till 'Diarienr …' hämtas inte",
    "texten 'Tjänsteutlåtande' i sidhuvudet (word/header1.xml) kommer från mallen, inte från "
    "svarsfilen, och ändringen till 'Tjänsteskrivelse' hämtas inte",
    "texten 'Enheten för familjehem' i sidhuvudet (word/header1.xml) står inte i någon "
    "nyckel och hämtas inte",
    "texten 'Sida … (…)' i sidfoten (word/footer1.xml) kommer från mallen, inte från "
    "svarsfilen, och ändringen till 'Blad … (…)' hämtas inte",
]


def assert_letterhead_imported(answer: Path, before: str, output: str) -> None:
    after = answer.read_text(encoding="utf-8")
    changed = [(a, b) for a, b in zip(before.splitlines(), after.splitlines(), strict=True)
               if a != b]
    assert changed == [
        ("avdelning: Avdelningen för barn och unga",
         "avdelning: Avdelningen för barn, unga och familj"),
        ("diarienummer: SN 2024/311", "diarienummer: SN 2024/312"),
        ('  grund: "OSL 26 kap. 1 §"', '  grund: "OSL 26 kap. 2 §"'),
    ], output
    for warning in LETTERHEAD_WARNINGS:  # (LibreOffice names the header parts its own way)
        for quoted in re.findall(r"'([^']*)'", warning):
            assert f"'{quoted}'" in output, output


def markup_edits(document) -> None:
    """Words changed inside bold, italic, a link, a nested item, a quote, a table cell, a
    numbered item, a signature's name, and a footnote (in word/footnotes.xml)."""
    first = paragraph(document, "Första stycket med")
    replace(first, "fetstil", "halvfet stil")
    replace(first, "kursiv", "lutande")
    replace(first, "länk", "webblänk")
    replace(paragraph(document, "en underpunkt", exact=True), "underpunkt", "underpunkt ändrad")
    replace(paragraph(document, "Ett citat.", exact=True), "citat", "citat ändrat")
    replace(paragraph(document, "Norr", exact=True), "Norr", "Nord")
    replace(paragraph(document, "två", exact=True), "två", "tre")
    set_text(paragraph(document, "Eva Ström", exact=True), "Eva Strömberg")
    notes = next(rel.target_part for rel in document.part.rels.values()
                 if rel.reltype.endswith("/footnotes"))
    notes._blob = notes.blob.replace(b"Fotnotens text", b"Fotnotens nya text")


def expected_after_markup_edits(text: str) -> str:
    """TABLE_ANSWER's text after markup_edits: those words, nothing else."""
    for old, new in [("**fetstil**, *kursiv*", "**halvfet stil**, *lutande*"),
                     ("[länk](", "[webblänk]("), ("en underpunkt", "en underpunkt ändrad"),
                     ("> Ett citat.", "> Ett citat ändrat."), ("| Norr |", "| Nord |"),
                     ("2. två", "2. tre"), ("Eva Ström,", "Eva Strömberg,"),
                     ("Fotnotens text", "Fotnotens nya text")]:
        assert old in text, old
        text = text.replace(old, new)
    return text


W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _note_call(p, kind: str, note_id: str) -> None:
    run = OxmlElement("w:r")
    ref = OxmlElement(f"w:{kind}Reference")
    ref.set(qn("w:id"), note_id)
    run.append(ref)
    p.append(run)


def footnote(document, p, text: str, note_id: str = "90") -> None:
    """A new footnote at the end of `p`, in the document's footnotes part."""
    notes = next(rel.target_part for rel in document.part.rels.values()
                 if rel.reltype.endswith("/footnotes"))
    note = (f'<w:footnote xmlns:w="{W_NS}" w:id="{note_id}"><w:p><w:r><w:t>{text}</w:t>'
            '</w:r></w:p></w:footnote>').encode()
    notes._blob = notes.blob.replace(b"</w:footnotes>", note + b"</w:footnotes>")
    _note_call(p, "footnote", note_id)


def endnote(document, p, text: str) -> None:
    """An endnote at the end of `p`, in a new endnotes part (as Word writes one)."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part

    blob = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:endnotes '
            f'xmlns:w="{W_NS}"><w:endnote w:id="1"><w:p><w:r><w:t>{text}</w:t></w:r></w:p>'
            '</w:endnote></w:endnotes>').encode()
    ct = "application/vnd.openxmlformats-officedocument.wordprocessingml.endnotes+xml"
    part = Part(PackURI("/word/endnotes.xml"), ct, blob, document.part.package)
    document.part.relate_to(part, RT.ENDNOTES)
    _note_call(p, "endnote", "1")
