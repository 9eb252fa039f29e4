"""Signatures that prove "Godkänts digitalt": the attestation list and empty fields a
statement is built with, `attestera` (PKCS#12, PKCS#11, time-stamps), and `verify`.

Every part is real: a throwaway CA and certificates made with `cryptography`, PKCS#12
files, a SoftHSM2 token, a time-stamp server on 127.0.0.1, pyHanko signing and validating.
"""

from __future__ import annotations

import io
import shutil
import warnings
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner

from utlatande.attestation import read_attestation_list
from utlatande.cli import main
from utlatande.pipeline import build
from utlatande.verify import verify_file

import tamper
from pki import Issued, issue, make_ca
from signing_fixtures import (
    USER_PIN,
    init_token,
    softhsm_module,
    store_certificate,
    time_stamp_server,
)

ROOT = Path(__file__).resolve().parents[1]
SEED = "stockholm-nyckeltjanster"  # two approvers: Veronica Wolgast Carstorp, Lina Blombergsson
PIN = "1234"


class Pki:
    """The test CA, the two approvers, an outsider and a time-stamping authority."""

    def __init__(self, folder: Path):
        self.ca = make_ca()
        self.veronica = issue(self.ca, "Veronica Wolgast Carstorp")
        # A SITHS-like subject: the common name is not the plain name, given + surname is.
        self.lina = issue(self.ca, "Lina Blombergsson (Socialförvaltningen)", given="Lina",
                          surname="Blombergsson")
        self.outsider = issue(self.ca, "Eva Ström")
        self.tsa = issue(self.ca, "Testkommunens tidsstämpeltjänst", time_stamping=True)
        self.root = self.ca.write_pem(folder / "rot.pem")
        self.other_root = make_ca("En annan kommuns rot-CA").write_pem(folder / "annan-rot.pem")

    def p12(self, holder: Issued, folder: Path) -> Path:
        return holder.write_pkcs12(folder / f"{holder.certificate.serial_number}.p12", PIN,
                                   [self.ca])


@pytest.fixture(scope="session")
def pki(tmp_path_factory) -> Pki:
    return Pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture
def statement(built, tmp_path, monkeypatch) -> Path:
    """A fresh copy of the Stockholm statement's PDF, as built, in the working folder."""
    monkeypatch.chdir(tmp_path)
    return Path(shutil.copy(built / f"{SEED}.pdf", tmp_path / "utlatande.pdf"))


def attestera(pdf: Path, p12: Path, *extra: str, pin: str = PIN):
    return CliRunner().invoke(main, ["attestera", str(pdf), "--certifikat", str(p12), *extra],
                              env={"UTLATANDE_PIN": pin})


def verify(*args: str):
    return CliRunner().invoke(main, ["verify", *args])


def signed_by_both(statement: Path, pki: Pki, tmp_path: Path) -> Path:
    for holder in (pki.veronica, pki.lina):
        result = attestera(statement, pki.p12(holder, tmp_path))
        assert result.exit_code == 0, result.output
    return statement


# -- what a statement is built with ----------------------------------------------------------

def test_the_pdf_carries_the_attestation_list_and_an_empty_field_per_approver(built):
    pdf_path = built / f"{SEED}.pdf"
    with pikepdf.open(pdf_path) as pdf:
        approvers = read_attestation_list(pdf.Root.Metadata.read_bytes())
        fields = [(str(f.T), str(f.FT), "/V" in f) for f in pdf.Root.AcroForm.Fields]
        assert "pdfaid:part" in str(pdf.open_metadata())
        # Each field is a /Form element of the tag tree, found through the parent tree.
        numbers = pdf.Root.StructTreeRoot.ParentTree.Nums
        tagged = {int(numbers[i]): numbers[i + 1] for i in range(0, len(numbers), 2)}
        forms = [tagged[int(f.StructParent)] for f in pdf.Root.AcroForm.Fields]
        assert [str(form.S) for form in forms] == ["/Form", "/Form"]
        assert [f.objgen for f in pdf.Root.AcroForm.Fields] == [form.K.Obj.objgen
                                                                for form in forms]
    assert [(a.namn, a.titel, str(a.datum), a.fält) for a in approvers] == [
        ("Veronica Wolgast Carstorp", "Socialdirektör", "2024-03-06", "attestering-1"),
        ("Lina Blombergsson", "Avdelningschef", "2024-03-06", "attestering-2")]
    assert fields == [("attestering-1", "/Sig", False), ("attestering-2", "/Sig", False)]
    assert verify_file(pdf_path) == []


def test_a_statement_without_approvers_gets_no_fields(built):
    with pikepdf.open(built / "malmo-svar-namndinitiativ.pdf") as pdf:
        assert "/AcroForm" not in pdf.Root
        assert read_attestation_list(pdf.Root.Metadata.read_bytes()) is None


def test_the_same_answer_still_gives_the_same_bytes(built, tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    result = build(ROOT / "answers" / f"{SEED}.yaml", tmp_path, ("pdf",), ROOT)
    assert result.ok
    assert (tmp_path / f"{SEED}.pdf").read_bytes() == (built / f"{SEED}.pdf").read_bytes()


# -- two approvers sign; verify with and without a trust root --------------------------------

def test_two_approvers_sign_and_verify_names_each(statement, pki, tmp_path):
    first = attestera(statement, pki.p12(pki.veronica, tmp_path))
    assert first.exit_code == 0, first.output
    assert "utlatande.pdf: signerad av Veronica Wolgast Carstorp" in first.output

    half = verify(str(statement), "--förtroende", str(pki.root))
    assert half.exit_code == 0, half.output
    assert "Veronica Wolgast Carstorp: signerad " in half.output
    assert "Lina Blombergsson: saknar signatur" in half.output
    required = verify(str(statement), "--förtroende", str(pki.root), "--kräv-attestering")
    assert required.exit_code == 1
    assert "Lina Blombergsson saknar signatur [verify.attestering]" in required.output

    second = attestera(statement, pki.p12(pki.lina, tmp_path))
    assert second.exit_code == 0, second.output
    assert "signerad av Lina Blombergsson" in second.output

    trusted = verify(str(statement), "--förtroende", str(pki.root), "--kräv-attestering")
    assert trusted.exit_code == 0, trusted.output
    lines = [line.removeprefix("utlatande.pdf: ") for line in trusted.output.splitlines()]
    assert [line.split(" signerad ")[0] for line in lines[:2]] == [
        "Veronica Wolgast Carstorp:", "Lina Blombergsson:"]
    assert all(line.endswith(", intakt, betrodd") for line in lines[:2]), lines
    assert "utlatande.pdf: godkänd" in trusted.output


def test_without_a_trust_root_no_signature_is_called_valid(statement, pki, tmp_path):
    signed_by_both(statement, pki, tmp_path)
    result = verify(str(statement))
    assert result.exit_code == 0, result.output
    assert result.output.count("intakt, kedjan kunde inte kontrolleras") == 2
    assert "betrodd" not in result.output
    required = verify(str(statement), "--kräv-attestering")
    assert required.exit_code == 1
    assert "ingen förtroenderot angiven" in required.output


def test_a_root_the_certificates_do_not_chain_to_is_not_trusted(statement, pki, tmp_path):
    signed_by_both(statement, pki, tmp_path)
    result = verify(str(statement), "--förtroende", str(pki.other_root), "--kräv-attestering")
    assert result.exit_code == 1
    assert result.output.count(", intakt, inte betrodd") == 2
    assert "Veronica Wolgast Carstorp har ingen giltig, betrodd signatur" in result.output


def test_the_profile_names_its_trust_roots_in_tema_yaml(statement, pki, tmp_path,
                                                        monkeypatch):
    signed_by_both(statement, pki, tmp_path)
    project = tmp_path / "projekt"
    profile = project / "templates" / "stockholm"
    profile.mkdir(parents=True)
    shutil.copy(pki.root, profile / "stockholms-rot.pem")
    (profile / "tema.yaml").write_text("förtroende: [stockholms-rot.pem]\n", encoding="utf-8")
    monkeypatch.chdir(project)
    result = verify(str(statement), "--kräv-attestering")
    assert result.exit_code == 0, result.output
    assert result.output.count(", intakt, betrodd") == 2


def test_the_signed_pdf_still_passes_the_pdf_a_and_tagging_checks(statement, pki, tmp_path):
    signed_by_both(statement, pki, tmp_path)
    assert verify_file(statement) == []
    with pikepdf.open(statement) as pdf:
        meta = pdf.open_metadata()
        assert (meta["pdfaid:part"], meta["pdfaid:conformance"]) == ("2", "A")
        assert pdf.Root.MarkInfo.Marked is True
        assert len(read_attestation_list(pdf.Root.Metadata.read_bytes())) == 2


def test_repeated_or_unlisted_signature_fields_fail_verify(built, tmp_path):
    """What merging statements without care gives: each one's attestering-1 and -2 in one
    file (the same names twice), or widgets on pages that /AcroForm does not list. A
    warning: an appendix from outside may bring such fields, and its file is not ours."""
    twice = tmp_path / "samma-namn.pdf"
    with pikepdf.open(built / f"{SEED}.pdf") as pdf:
        first = pdf.Root.AcroForm.Fields[0]
        copy = pdf.make_indirect(pikepdf.Dictionary(
            Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Widget, FT=pikepdf.Name.Sig,
            T=pikepdf.String(str(first.T)), Rect=pikepdf.Array([0, 0, 0, 0]), F=4,
            P=pdf.pages[0].obj))
        pdf.pages[0].obj.Annots = pdf.make_indirect(
            pikepdf.Array([*pdf.pages[0].obj.get("/Annots", []), copy]))
        pdf.Root.AcroForm.Fields.append(copy)
        pdf.save(twice)
    assert [(f.severity, f.code, f.message) for f in verify_file(twice)] == [
        ("varning", "formulärfält", "formulärfältet 'attestering-1' finns 2 gånger; ett "
         "fältnamn får bara finnas en gång")]
    unlisted = tmp_path / "utan-acroform.pdf"
    with pikepdf.open(built / f"{SEED}.pdf") as pdf:
        page = next(n for n, p in enumerate(pdf.pages, 1)
                    if any(a.get("/FT") == "/Sig" for a in p.obj.get("/Annots", [])))
        del pdf.Root["/AcroForm"]
        with warnings.catch_warnings():  # pikepdf says the same thing, as a warning
            warnings.simplefilter("ignore", pikepdf.PageCopyWarning)
            pdf.save(unlisted)
    assert [(f.severity, f.code, f.message) for f in verify_file(unlisted)] == [
        ("varning", "formulärfält", f"2 formulärfält på sidorna {page} saknas i /AcroForm")]


# -- refusals leave the file as it was -------------------------------------------------------

def test_an_outsider_is_refused_and_the_file_is_unchanged(statement, pki, tmp_path):
    before = statement.read_bytes()
    result = attestera(statement, pki.p12(pki.outsider, tmp_path))
    assert result.exit_code == 1
    assert ("utlatande.pdf: certifikatet är utfärdat till Eva Ström, som inte står på "
            "attesteringslistan (Veronica Wolgast Carstorp, Lina Blombergsson); filen är "
            "oförändrad") in result.output
    assert statement.read_bytes() == before
    assert [p.name for p in statement.parent.iterdir() if p.name.startswith(".")] == []


def test_an_approver_cannot_sign_twice(statement, pki, tmp_path):
    p12 = pki.p12(pki.veronica, tmp_path)
    assert attestera(statement, p12).exit_code == 0
    once = statement.read_bytes()
    again = attestera(statement, p12)
    assert again.exit_code == 1
    assert "Veronica Wolgast Carstorp har redan signerat dokumentet" in again.output
    assert statement.read_bytes() == once


def test_a_wrong_pin_is_a_clear_error(statement, pki, tmp_path):
    before = statement.read_bytes()
    result = attestera(statement, pki.p12(pki.veronica, tmp_path), pin="9999")
    assert result.exit_code == 1
    assert "certifikatfilen kunde inte öppnas: fel PIN-kod" in result.output
    assert "Traceback" not in result.output
    assert statement.read_bytes() == before


def test_the_pin_is_never_an_argument(statement, pki, tmp_path):
    p12 = pki.p12(pki.veronica, tmp_path)
    result = CliRunner().invoke(main, ["attestera", str(statement), "--certifikat", str(p12)],
                                env={"UTLATANDE_PIN": ""})
    assert result.exit_code == 2
    assert "sätt miljövariabeln UTLATANDE_PIN" in result.output
    assert "--pin" not in CliRunner().invoke(main, ["attestera", "--help"]).output


def test_a_pdf_without_an_attestation_list_is_refused(built, pki, tmp_path):
    pdf = Path(shutil.copy(built / "malmo-svar-namndinitiativ.pdf", tmp_path / "x.pdf"))
    result = attestera(pdf, pki.p12(pki.veronica, tmp_path))
    assert result.exit_code == 1
    assert "PDF:en har ingen attesteringslista" in result.output


def test_signing_before_the_approval_date_is_a_warning(pki, tmp_path, monkeypatch):
    answer = tmp_path / "framtid.yaml"
    answer.write_text((ROOT / "answers" / f"{SEED}.yaml").read_text(encoding="utf-8")
                      .replace("datum: 2024-03-06", "datum: 2099-03-06"), encoding="utf-8")
    monkeypatch.chdir(ROOT)
    assert build(answer, tmp_path, ("pdf",), ROOT).ok
    result = attestera(tmp_path / "framtid.pdf", pki.p12(pki.lina, tmp_path))
    assert result.exit_code == 0, result.output
    assert "varning: Lina Blombergsson signerar" in result.output
    assert "före godkännandedagen 2099-03-06 i attesteringslistan" in result.output


# -- changes after signing are caught --------------------------------------------------------

def test_a_byte_changed_after_signing_breaks_the_signatures(statement, pki, tmp_path):
    signed_by_both(statement, pki, tmp_path)
    tamper.change_byte(statement, b"Socialdirekt", b"Socialdirekd")
    result = verify(str(statement), "--förtroende", str(pki.root))
    assert result.exit_code == 1
    assert "Veronica Wolgast Carstorp: signerad " in result.output
    assert result.output.count(", bruten") == 2
    assert ("signaturen av Lina Blombergsson är bruten: de signerade byten har ändrats "
            "[verify.signatur]") in result.output


def test_a_page_added_after_signing_is_caught(statement, pki, tmp_path):
    signed_by_both(statement, pki, tmp_path)
    tamper.add_page(statement)
    result = verify(str(statement), "--förtroende", str(pki.root), "--kräv-attestering")
    assert result.exit_code == 1
    assert ("dokumentet har ändrats efter signaturen av Veronica Wolgast Carstorp: sidor har "
            "lagts till eller tagits bort: 5 sidor vid signeringen, 6 nu "
            "[verify.ändrad_efter_signatur]") in result.output


def test_an_annotation_added_after_signing_is_caught(statement, pki, tmp_path):
    signed_by_both(statement, pki, tmp_path)
    tamper.add_annotation(statement)
    result = verify(str(statement), "--förtroende", str(pki.root))
    assert result.exit_code == 1
    assert ("dokumentet har ändrats efter signaturen av Lina Blombergsson: annoteringar har "
            "lagts till eller ändrats på sida 1") in result.output


def test_a_later_update_that_rewrites_the_list_proves_nothing(statement, pki, tmp_path):
    """The list is read as built: an update that drops an approver from the XMP metadata
    (which pyHanko's difference analysis allows) does not make a half-signed PDF whole."""
    assert attestera(statement, pki.p12(pki.veronica, tmp_path)).exit_code == 0
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(statement.read_bytes()), strict=False)
    metadata = writer.root["/Metadata"]
    xmp = metadata.data.replace(b"Lina Blombergsson", b"Veronica Wolgast Carstorp")
    writer.root["/Metadata"] = writer.add_object(generic.StreamObject(
        {generic.pdf_name("/Type"): generic.pdf_name("/Metadata"),
         generic.pdf_name("/Subtype"): generic.pdf_name("/XML")}, stream_data=xmp))
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    statement.write_bytes(out.getvalue())
    result = verify(str(statement), "--förtroende", str(pki.root), "--kräv-attestering")
    assert result.exit_code == 1
    assert "Lina Blombergsson saknar signatur [verify.attestering]" in result.output


# -- PKCS#11 and time-stamps -----------------------------------------------------------------

@pytest.fixture(scope="session")
def token(pki, tmp_path_factory) -> Path:
    """A SoftHSM2 token holding Lina Blombergsson's key and certificate; the module's path."""
    module = softhsm_module()
    conf = init_token(tmp_path_factory.mktemp("softhsm"), pki.lina, "lina")
    patch = pytest.MonkeyPatch()
    # SoftHSM reads its configuration when the module is first loaded in this process.
    patch.setenv("SOFTHSM2_CONF", str(conf))
    store_certificate(module, pki.lina, "lina")
    yield module
    patch.undo()


def test_a_key_on_a_pkcs11_token_signs(statement, pki, token, tmp_path):
    result = CliRunner().invoke(main, [
        "attestera", str(statement), "--pkcs11", str(token), "--token", "utlatande-test",
        "--nyckel", "lina"], env={"UTLATANDE_PIN": USER_PIN})
    assert result.exit_code == 0, result.output
    assert "signerad av Lina Blombergsson" in result.output
    checked = verify(str(statement), "--förtroende", str(pki.root))
    assert checked.exit_code == 0, checked.output
    assert "Lina Blombergsson: signerad " in checked.output
    assert "intakt, betrodd" in checked.output
    assert "Veronica Wolgast Carstorp: saknar signatur" in checked.output


def test_a_wrong_token_pin_or_key_label_is_a_clear_error(statement, token):
    before = statement.read_bytes()
    wrong_pin = CliRunner().invoke(main, [
        "attestera", str(statement), "--pkcs11", str(token), "--token", "utlatande-test",
        "--nyckel", "lina"], env={"UTLATANDE_PIN": "000000"})
    assert wrong_pin.exit_code == 1
    assert "fel PIN-kod för token 'utlatande-test'" in wrong_pin.output
    wrong_key = CliRunner().invoke(main, [
        "attestera", str(statement), "--pkcs11", str(token), "--token", "utlatande-test",
        "--nyckel", "per"], env={"UTLATANDE_PIN": USER_PIN})
    assert wrong_key.exit_code == 1
    assert "nyckeln 'per' eller dess certifikat 'per' finns inte på token" in wrong_key.output
    assert statement.read_bytes() == before


def test_a_time_stamped_signature_is_pades_b_t(statement, pki, tmp_path):
    with time_stamp_server(pki.tsa, pki.ca) as (url, requests):
        result = attestera(statement, pki.p12(pki.veronica, tmp_path), "--tidsstämpel", url)
    assert result.exit_code == 0, result.output
    assert "signerad av Veronica Wolgast Carstorp med tidsstämpel" in result.output
    # pyHanko asks once for a token's size (over empty data), then for the real one.
    assert len(requests) == 2
    checked = verify(str(statement), "--förtroende", str(pki.root))
    assert checked.exit_code == 0, checked.output
    assert "Veronica Wolgast Carstorp: signerad " in checked.output
    assert "(tidsstämplad), intakt, betrodd" in checked.output
    assert verify_file(statement) == []


def test_an_unreachable_time_stamp_server_leaves_the_file(statement, pki, tmp_path):
    with time_stamp_server(pki.tsa, pki.ca) as (url, _):
        pass  # the server is stopped: nothing listens on its port any more
    before = statement.read_bytes()
    result = attestera(statement, pki.p12(pki.veronica, tmp_path), "--tidsstämpel", url)
    assert result.exit_code == 1
    assert f"tidsstämpeln kunde inte hämtas från {url}" in result.output
    assert "Traceback" not in result.output
    assert statement.read_bytes() == before
