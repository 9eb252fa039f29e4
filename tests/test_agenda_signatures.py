"""Signed statements in the agenda: a statement signed where `build` wrote it (with an
appendix) and an agenda item's own PDF signed where the agenda wrote it are carried
unchanged in the packet, as PDF/A-3 associated files, and the list says who signed.

Every part is real: a throwaway CA and PKCS#12 files (pki.py), `utlatande attestera`,
`utlatande agenda` and `utlatande verify` through the command line.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner

from utlatande.cli import main
from utlatande.theme import clear_cache
from utlatande.verify import verify_file

from conftest import ROOT
from pki import issue, make_ca

PIN = "1234"
STOCKHOLM = "stockholm-nyckeltjanster"  # approvers Veronica Wolgast Carstorp, Lina Blombergsson
RINKEBY = "rinkeby-kista-sociala-insatsgruppen"  # approvers Susanne Leinsköld, Anna Mattsson
ITEM_1 = "01-skrivelse-angaende-nyckeltjanster.pdf"
ITEM_2 = "02-utoka-sociala-insatsgruppen.pdf"
MEETING = """möte:
  organ: Socialnämnden
  datum: 2024-03-19
  tid: "17.00"
  plats: Sammanträdesrummet
ärenden:
  - ../answers/stockholm-nyckeltjanster.yaml
  - ../answers/rinkeby-kista-sociala-insatsgruppen.yaml
"""


def run(*args: str):
    return CliRunner().invoke(main, list(args), env={"UTLATANDE_PIN": PIN})


def text(path: Path, last_page: int = 2) -> str:
    """The words of a PDF's first pages, on one line."""
    out = subprocess.run(["pdftotext", "-l", str(last_page), str(path), "-"], check=True,
                         capture_output=True, text=True).stdout
    return " ".join(out.split())


class Signed:
    """The project, its trust root, and the files as they were signed."""

    def __init__(self, project: Path):
        self.project = project
        self.build = project / "build"
        self.folder = self.build / "m"
        self.packet = self.folder / "m.pdf"
        self.ca = ca = make_ca()
        self.root = ca.write_pem(project / "rot.pem")
        self.p12 = {}
        # A SITHS-like subject for Lina: the list's name is given name + surname.
        for name, extra in (("Veronica Wolgast Carstorp", {}),
                            ("Lina Blombergsson (Socialförvaltningen)",
                             {"given": "Lina", "surname": "Blombergsson"}),
                            ("Susanne Leinsköld", {})):
            holder = issue(ca, name, **extra)
            self.p12[name.split()[0]] = holder.write_pkcs12(
                project / f"{name.split()[0].lower()}.p12", PIN, [ca])
        self.statement = self.build / f"{STOCKHOLM}.pdf"
        self.outputs: dict[str, str] = {}
        self.signed_statement = b""
        self.signed_item = b""


@pytest.fixture(scope="module")
def signed(tmp_path_factory) -> Signed:
    """A project of two answers (Stockholm's with an appendix file) and a meeting: the
    statements built, Stockholm's signed by both approvers in build/, the agenda built,
    Rinkeby's item PDF signed by one approver in the agenda's folder, the agenda built
    again, and then its public version."""
    project = tmp_path_factory.mktemp("signerat")
    (project / "answers" / "bilagor").mkdir(parents=True)
    (project / "moten").mkdir()
    shutil.copytree(ROOT / "templates", project / "templates")
    shutil.copy(ROOT / "moten" / "bilagor" / "delegationslista.pdf",
                project / "answers" / "bilagor")
    source = (ROOT / "answers" / f"{STOCKHOLM}.yaml").read_text(encoding="utf-8")
    with_appendix = source.replace(
        "bilagor:\n  - Skrivelse angående nyckeltjänster\n",
        "bilagor:\n  - titel: Skrivelse angående nyckeltjänster\n"
        "    fil: bilagor/delegationslista.pdf\n")
    assert with_appendix != source
    (project / "answers" / f"{STOCKHOLM}.yaml").write_text(with_appendix, encoding="utf-8")
    shutil.copy(ROOT / "answers" / f"{RINKEBY}.yaml", project / "answers")
    (project / "moten" / "m.yaml").write_text(MEETING, encoding="utf-8")
    cwd = os.getcwd()
    os.chdir(project)
    try:
        state = Signed(project)
        built = run("build")
        assert built.exit_code == 0, built.output
        for who in ("Veronica", "Lina"):
            result = run("attestera", str(state.statement), "--certifikat", str(state.p12[who]))
            assert result.exit_code == 0, result.output
        state.signed_statement = state.statement.read_bytes()
        first = run("agenda", "moten/m.yaml")
        assert first.exit_code == 0, first.output
        result = run("attestera", str(state.folder / ITEM_2), "--certifikat",
                     str(state.p12["Susanne"]))
        assert result.exit_code == 0, result.output
        state.signed_item = (state.folder / ITEM_2).read_bytes()
        for args in (["agenda", "moten/m.yaml"], ["agenda", "moten/m.yaml", "--offentlig"]):
            again = run(*args)
            assert again.exit_code == 0, again.output
            state.outputs[args[-1]] = again.output
    finally:
        os.chdir(cwd)
    return state


def verify(signed: Signed, path: Path, *extra: str):
    cwd = os.getcwd()
    os.chdir(signed.project)
    try:
        return run("verify", str(path), "--förtroende", str(signed.root), *extra)
    finally:
        os.chdir(cwd)


def test_a_statement_with_an_appendix_is_signed_by_both_approvers(signed):
    with pikepdf.open(signed.statement) as pdf:
        titles = [item.title for item in pdf.open_outline().root]
    assert "Bilaga 1: Skrivelse angående nyckeltjänster" in titles
    result = verify(signed, signed.statement, "--kräv-attestering")
    assert result.exit_code == 0, result.output
    assert re.search(r"Veronica Wolgast Carstorp: signerad [\d-]+ [\d:]+, intakt, betrodd",
                     result.output)
    assert re.search(r"Lina Blombergsson: signerad [\d-]+ [\d:]+, intakt, betrodd",
                     result.output)


def test_an_agenda_items_own_pdf_is_signed_and_kept_by_the_next_build(signed):
    item = signed.folder / ITEM_2
    # Signing it made the agenda out of date; the build after it kept the signed file.
    assert "oförändrad" not in signed.outputs["moten/m.yaml"]
    assert item.read_bytes() == signed.signed_item
    result = verify(signed, item)
    assert result.exit_code == 0, result.output
    assert re.search(r"Susanne Leinsköld: signerad [\d-]+ [\d:]+, intakt, betrodd",
                     result.output)
    assert "Anna Mattsson: saknar signatur" in result.output
    # The statement signed in build/ became the item's own PDF, byte for byte.
    assert (signed.folder / ITEM_1).read_bytes() == signed.signed_statement


@pytest.mark.parametrize("folder", ["m", "m-offentlig"])
def test_the_packet_carries_each_signed_statement_unchanged(signed, folder, tmp_path):
    packet = signed.build / folder / f"{folder}.pdf"
    with pikepdf.open(packet) as pdf:
        meta = pdf.open_metadata()
        assert (meta["pdfaid:part"], meta["pdfaid:conformance"]) == ("3", "A")
        assert sorted(pdf.attachments) == [ITEM_1, ITEM_2]
        associated = {spec.objgen for spec in pdf.Root.AF}
        for name, expected in ((ITEM_1, signed.signed_statement),
                               (ITEM_2, signed.signed_item)):
            spec = pdf.attachments[name]
            assert spec.obj.objgen in associated
            assert spec.obj.AFRelationship == pikepdf.Name.Source
            attached = spec.get_file()
            assert attached.mime_type == "application/pdf"
            assert "/ModDate" in attached.obj.Params
            assert attached.read_bytes() == expected
            (tmp_path / name).write_bytes(attached.read_bytes())
        assert "signerad av Veronica Wolgast Carstorp, Lina Blombergsson" in \
            pdf.attachments[ITEM_1].description
    # A reader of the packet checks a signature by taking the attachment out.
    result = verify(signed, tmp_path / ITEM_1, "--kräv-attestering")
    assert result.exit_code == 0, result.output
    assert result.output.count(", intakt, betrodd") == 2
    result = verify(signed, tmp_path / ITEM_2)
    assert result.exit_code == 0, result.output
    assert "Susanne Leinsköld: signerad" in result.output


@pytest.mark.parametrize("folder", ["m", "m-offentlig"])
def test_the_list_and_the_web_page_say_who_signed(signed, folder):
    packet = signed.build / folder / f"{folder}.pdf"
    listed = text(packet)
    assert "signerad av Veronica Wolgast Carstorp, Lina Blombergsson" in listed
    assert "signerad av Susanne Leinsköld" in listed
    assert "Anna Mattsson" not in listed  # on the list, but she has not signed
    page = (signed.build / folder / "index.html").read_text(encoding="utf-8")
    assert "signerad av Veronica Wolgast Carstorp, Lina Blombergsson" in page
    assert "signerad av Susanne Leinsköld" in page


@pytest.mark.parametrize("folder", ["m", "m-offentlig"])
def test_the_packet_still_passes_verify_without_signature_fields(signed, folder):
    packet = signed.build / folder / f"{folder}.pdf"
    assert [f for f in verify_file(packet) if f.severity == "fel"] == []
    with pikepdf.open(packet) as pdf:
        assert "/AcroForm" not in pdf.Root
        names = [str(a.get("/T")) for page in pdf.pages for a in page.obj.get("/Annots", [])
                 if a.get("/Subtype") == "/Widget"]
        assert names == []
        assert pdf.Root.MarkInfo.Marked is True


def _copy(signed: Signed, tmp_path: Path, monkeypatch) -> Path:
    project = tmp_path / "kopia"
    shutil.copytree(signed.project, project)
    monkeypatch.chdir(project)
    return project


def _attached(packet: Path) -> list[str]:
    with pikepdf.open(packet) as pdf:
        return sorted(pdf.attachments)


def test_a_statement_changed_since_it_was_signed_is_not_carried(signed, tmp_path,
                                                                monkeypatch):
    project = _copy(signed, tmp_path, monkeypatch)
    answer = project / "answers" / f"{STOCKHOLM}.yaml"
    source = answer.read_text(encoding="utf-8")
    assert "Avdelningschef" in source
    answer.write_text(source.replace("Avdelningschef", "Enhetschef"), encoding="utf-8")
    result = run("agenda", "moten/m.yaml")
    assert result.exit_code == 0, result.output
    assert ("build/stockholm-nyckeltjanster.pdf:1:1: varning: är signerad men är inte det "
            "utlåtande som kallelsen tar med") in result.output
    packet = project / "build" / "m" / "m.pdf"
    assert _attached(packet) == [ITEM_2]
    listed = text(packet)
    assert "signerad av Veronica" not in listed and "signerad av Susanne Leinsköld" in listed


def test_a_signature_broken_after_signing_is_not_carried(signed, tmp_path, monkeypatch):
    project = _copy(signed, tmp_path, monkeypatch)
    item = project / "build" / "m" / ITEM_2
    data = item.read_bytes()
    # The signer's name in the signature dictionary: bytes the signature covers.
    at = data.rindex(b"/Name (Susanne")
    broken = data[:at] + data[at:].replace(b"/Name (Susanne", b"/Name (Susanna", 1)
    item.write_bytes(broken)
    result = run("agenda", "moten/m.yaml")
    assert result.exit_code == 0, result.output
    assert ("build/m/02-utoka-sociala-insatsgruppen.pdf:1:1: varning: signaturen av Susanne "
            "Leinsköld är bruten; den signerade filen tas inte med i paketet; filen står "
            "kvar som ärendets PDF") in result.output
    packet = project / "build" / "m" / "m.pdf"
    assert _attached(packet) == [ITEM_1]
    assert "signerad av Susanne Leinsköld" not in text(packet)
    # The file stays as it is: its pages are the statement's, its signature is for a
    # reader's `verify` to call broken; the agenda destroys no signed file of its own.
    assert item.read_bytes() == broken


def test_copies_signed_side_by_side_are_named_and_a_new_build_file_is_noticed(
        signed, tmp_path, monkeypatch):
    """Susanne signed the agenda's copy; Anna signs the one `build` writes anew. Neither
    holds the other's signature: one is carried, the other is named in a warning."""
    project = _copy(signed, tmp_path, monkeypatch)
    statement = project / "build" / f"{RINKEBY}.pdf"
    statement.unlink()
    result = run("agenda", "moten/m.yaml", "--depfile", "build/.agenda/m.d")
    assert result.exit_code == 0, result.output
    rule = (project / "build" / ".agenda" / "m.d").read_text(encoding="utf-8")
    assert re.search(rf"^build/{RINKEBY}\.pdf:$", rule, re.M)  # missing: still looked for
    assert re.search(rf"^build/m/{ITEM_2}:$", rule, re.M)
    assert run("build").exit_code == 0
    anna = issue(signed.ca, "Anna Mattsson").write_pkcs12(tmp_path / "anna.p12", PIN,
                                                           [signed.ca])
    signing = run("attestera", str(statement), "--certifikat", str(anna))
    assert signing.exit_code == 0, signing.output
    result = run("agenda", "moten/m.yaml")
    assert result.exit_code == 0, result.output
    assert "oförändrad" not in result.output
    assert (f"build/{RINKEBY}.pdf:1:1: varning: är också signerad (av Anna Mattsson), men "
            f"det är build/m/{ITEM_2} som tas med, och dessa signaturer följer inte med; "
            "signera en och samma fil efter varandra [kallelse.signerad]") in result.output
    assert result.output.count("[kallelse.signerad]") == 1
    assert (project / "build" / "m" / ITEM_2).read_bytes() == signed.signed_item
    assert "signerad av Susanne Leinsköld" in text(project / "build" / "m" / "m.pdf")


def test_the_profiles_trust_roots_decide_whose_signatures_count(signed, tmp_path,
                                                                monkeypatch):
    project = _copy(signed, tmp_path, monkeypatch)
    profile = project / "templates" / "stockholm"
    make_ca("En annan kommuns rot-CA").write_pem(profile / "annan-rot.pem")
    shutil.copy(signed.root, profile / "rot.pem")
    settings = (profile / "tema.yaml").read_text(encoding="utf-8")
    assert "förtroende" not in settings
    (profile / "tema.yaml").write_text(settings + "\nförtroende: [annan-rot.pem]\n",
                                       encoding="utf-8")
    clear_cache()
    result = run("agenda", "moten/m.yaml")
    assert result.exit_code == 0, result.output
    assert ("build/stockholm-nyckeltjanster.pdf:1:1: varning: signaturen av Veronica Wolgast "
            "Carstorp går inte att följa till profilens förtroenderötter") in result.output
    # Rinkeby-Kista's profile inherits Stockholm's, trust roots and all.
    assert (f"build/m/{ITEM_2}:1:1: varning: signaturen av Susanne Leinsköld går inte att "
            "följa till profilens förtroenderötter") in result.output
    with pikepdf.open(project / "build" / "m" / "m.pdf") as pdf:
        assert len(pdf.attachments) == 0 and pdf.open_metadata()["pdfaid:part"] == "2"
    assert "signerad av" not in text(project / "build" / "m" / "m.pdf")
    (profile / "tema.yaml").write_text(settings + "\nförtroende: [rot.pem]\n",
                                       encoding="utf-8")
    clear_cache()  # a profile is read once a process; each command is a process of its own
    result = run("agenda", "moten/m.yaml")
    assert result.exit_code == 0, result.output
    assert "kallelse.signerad" not in result.output
    assert _attached(project / "build" / "m" / "m.pdf") == [ITEM_1, ITEM_2]


def test_a_public_agenda_never_carries_a_signed_statement_with_its_answer_file(
        signed, tmp_path, monkeypatch):
    """With pdf/a-3a the statement carries its answer file: the full agenda carries the
    signed file, the public one does not (its statement is made without the answer)."""
    project = _copy(signed, tmp_path, monkeypatch)
    profile = project / "templates" / "stockholm" / "tema.yaml"
    profile.write_text(profile.read_text(encoding="utf-8") + "\npdf_variant: pdf/a-3a\n",
                       encoding="utf-8")
    clear_cache()
    statement = project / "build" / f"{STOCKHOLM}.pdf"
    # --allt: the copied manifest names the first project's files, which did not change;
    # --tvinga: the statement is signed, and a signed PDF is otherwise kept as it is.
    rebuilt = run("build", "--allt", "--tvinga")
    assert rebuilt.exit_code == 0, rebuilt.output
    assert f"build/{STOCKHOLM}.signerad.pdf" in rebuilt.output
    with pikepdf.open(statement) as pdf:
        assert list(pdf.attachments) == [f"{STOCKHOLM}.yaml"]
    signing = run("attestera", str(statement), "--certifikat", str(signed.p12["Veronica"]))
    assert signing.exit_code == 0, signing.output
    full = run("agenda", "moten/m.yaml")
    assert full.exit_code == 0, full.output
    with pikepdf.open(project / "build" / "m" / "m.pdf") as pdf:
        assert pdf.attachments[ITEM_1].get_file().read_bytes() == statement.read_bytes()
    public = run("agenda", "moten/m.yaml", "--offentlig")
    assert public.exit_code == 0, public.output
    assert (f"build/{STOCKHOLM}.pdf:1:1: varning: är signerad men innehåller bifogade filer "
            "(till exempel svarsfilen); den offentliga kallelsen tar inte med den signerade "
            "filen") in public.output
    packet = project / "build" / "m-offentlig" / "m-offentlig.pdf"
    assert _attached(packet) == []  # Rinkeby-Kista's statement, inheriting, changed too
    assert "signerad av" not in text(packet)
    with pikepdf.open(project / "build" / "m-offentlig" / ITEM_1) as pdf:
        assert len(pdf.attachments) == 0


def test_verify_on_the_packet_checks_each_attached_signed_statement(signed, tmp_path):
    result = verify(signed, signed.packet)
    assert result.exit_code == 0, result.output
    for name, line in ((ITEM_1, "Veronica Wolgast Carstorp: signerad"),
                       (ITEM_1, "Lina Blombergsson: signerad"),
                       (ITEM_2, "Susanne Leinsköld: signerad")):
        assert re.search(rf"m\.pdf: bifogad {re.escape(name)}: {line} [\d-]+ [\d:]+, "
                         "intakt, betrodd", result.output), line
    assert f"m.pdf: bifogad {ITEM_2}: Anna Mattsson: saknar signatur" in result.output
    # A packet whose attached statement was changed: an error naming the attachment.
    at = signed.signed_item.rindex(b"/Name (Susanne")
    broken = signed.signed_item[:at] + b"/Name (Susanna" + signed.signed_item[at + 14:]
    tampered = tmp_path / "m.pdf"
    with pikepdf.open(signed.packet) as pdf:
        pdf.attachments[ITEM_2] = pikepdf.AttachedFileSpec(
            pdf, broken, mime_type="application/pdf", relationship=pikepdf.Name.Source)
        pdf.Root.AF = pikepdf.Array([pdf.attachments[n].obj for n in (ITEM_1, ITEM_2)])
        pdf.save(tampered)
    result = verify(signed, tampered)
    assert result.exit_code == 1, result.output
    assert (f"fel: bifogad {ITEM_2}: signaturen av Susanne Leinsköld är bruten: de "
            "signerade byten har ändrats [verify.signatur]") in result.output
