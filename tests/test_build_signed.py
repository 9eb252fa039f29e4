"""`build` never destroys a signature: a PDF the approvers signed (`utlatande attestera`)
is left as it is while its answer is unchanged (also with `--allt` and `make`), is not
overwritten when its answer changed (nor are its other formats built), and `--tvinga`
keeps the signed file beside the new one. A PDF edited in another way is not overwritten
by a rebuild either.

Every part is real: a throwaway CA and PKCS#12 files (pki.py), `utlatande attestera`,
`utlatande build` and `make` through the command line.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from utlatande.cli import main
from utlatande.pades import has_signatures, signer_names

from conftest import ROOT
from pki import issue, make_ca

PIN = "1234"
SIGNED = "stockholm-nyckeltjanster"  # approvers Veronica Wolgast Carstorp, Lina Blombergsson
OTHER = "malmo-svar-namndinitiativ"  # no approvers
NAMES = "Veronica Wolgast Carstorp, Lina Blombergsson"


def run(*args: str):
    return CliRunner().invoke(main, list(args), env={"UTLATANDE_PIN": PIN})


def build(*args: str):
    return run("build", "-j", "1", *args)


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    """Two answers (one with approvers) and the profiles, built, and the one signed by
    both its approvers."""
    for folder in ("templates", "schema"):
        if (ROOT / folder).is_dir():
            shutil.copytree(ROOT / folder, tmp_path / folder)
    (tmp_path / "answers").mkdir()
    for name in (SIGNED, OTHER):
        shutil.copy(ROOT / "answers" / f"{name}.yaml", tmp_path / "answers")
    monkeypatch.chdir(tmp_path)
    result = build()
    assert result.exit_code == 0, result.output
    ca = make_ca()
    for holder in (issue(ca, "Veronica Wolgast Carstorp"), issue(ca, "Lina Blombergsson")):
        p12 = holder.write_pkcs12(tmp_path / f"{holder.certificate.serial_number}.p12", PIN,
                                  [ca])
        result = run("attestera", f"build/{SIGNED}.pdf", "--certifikat", str(p12))
        assert result.exit_code == 0, result.output
    return tmp_path


def change(answer: Path) -> None:
    """A change the PDF would show, were it rebuilt."""
    text = answer.read_text(encoding="utf-8")
    assert "till: Socialnämnden" in text
    answer.write_text(text.replace("till: Socialnämnden", "till: Kommunfullmäktige"),
                      encoding="utf-8")


def test_a_signed_pdf_of_an_unchanged_answer_is_kept_and_counted_unchanged(project):
    pdf = project / "build" / f"{SIGNED}.pdf"
    signed = pdf.read_bytes()
    assert signer_names(signed) == ("Veronica Wolgast Carstorp", "Lina Blombergsson")
    for args in ((), ("--allt",), ("--allt",), ()):  # the signed bytes force no rebuild
        result = build(*args)
        assert result.exit_code == 0, result.output
        assert pdf.read_bytes() == signed, args
        if args:
            assert "1 byggda, 1 oförändrade, 0 med fel" in result.output  # the other answer
        else:
            assert "0 byggda, 2 oförändrade, 0 med fel" in result.output
    answer = project / "answers" / f"{SIGNED}.yaml"
    answer.write_bytes(answer.read_bytes())  # touched, not changed
    result = build("--allt")
    assert result.exit_code == 0 and pdf.read_bytes() == signed, result.output
    assert not list(project.glob("build/*.signerad*.pdf"))
    result = build("--allt", "--tvinga")  # as asked: rebuilt, the signed file kept beside it
    assert result.exit_code == 0, result.output
    assert f"den signerade filen finns kvar som build/{SIGNED}.signerad.pdf" in result.output
    assert (project / "build" / f"{SIGNED}.signerad.pdf").read_bytes() == signed
    assert not has_signatures(pdf.read_bytes())
    assert signed.startswith(pdf.read_bytes())  # the same first revision, as it was signed


def test_a_signed_pdf_whose_answer_changed_is_not_overwritten(project):
    pdf = project / "build" / f"{SIGNED}.pdf"
    docx = pdf.with_suffix(".docx")
    signed, docx_before = pdf.read_bytes(), docx.read_bytes()
    other = project / "answers" / f"{OTHER}.yaml"
    other.write_text(other.read_text(encoding="utf-8") + "# ny rad\n", encoding="utf-8")
    change(project / "answers" / f"{SIGNED}.yaml")
    for args in ((), ("--allt",)):
        result = build(*args)
        assert result.exit_code == 1
        assert (f"build/{SIGNED}.pdf är signerad av {NAMES}; svarsfilen har ändrats sedan "
                "dess. Bygg om med --tvinga (signaturerna måste då göras om; den signerade "
                f"filen sparas som build/{SIGNED}.signerad.pdf)") in result.output
        assert "1 byggda, 0 oförändrade, 1 med fel" in result.output  # the rest was built
        assert pdf.read_bytes() == signed and docx.read_bytes() == docx_before
    assert not list(project.glob("build/*.signerad*.pdf"))


def test_an_edited_docx_beside_a_signed_pdf_is_named_too(project):
    pdf = project / "build" / f"{SIGNED}.pdf"
    docx = pdf.with_suffix(".docx")
    with docx.open("ab") as handle:  # edited after the build
        handle.write(b"\0")
    signed, edited = pdf.read_bytes(), docx.read_bytes()
    change(project / "answers" / f"{SIGNED}.yaml")
    result = build()
    assert result.exit_code == 1
    assert f"build/{SIGNED}.docx har ändrats efter bygget" in result.output
    assert f"build/{SIGNED}.pdf är signerad av {NAMES}; svarsfilen har ändrats" in result.output
    assert "0 byggda, 1 oförändrade, 1 med fel" in result.output
    assert pdf.read_bytes() == signed and docx.read_bytes() == edited


def test_tvinga_rebuilds_a_signed_pdf_and_keeps_the_signed_file_beside_it(project):
    pdf = project / "build" / f"{SIGNED}.pdf"
    docx = pdf.with_suffix(".docx")
    signed, docx_before = pdf.read_bytes(), docx.read_bytes()
    change(project / "answers" / f"{SIGNED}.yaml")
    result = build("--tvinga")
    assert result.exit_code == 0, result.output
    assert (f"build/{SIGNED}.pdf var signerad av {NAMES}; den signerade filen finns kvar som "
            f"build/{SIGNED}.signerad.pdf") in result.output
    assert "1 byggda, 1 oförändrade, 0 med fel" in result.output
    assert (project / "build" / f"{SIGNED}.signerad.pdf").read_bytes() == signed
    assert not has_signatures(pdf.read_bytes()) and docx.read_bytes() != docx_before
    result = build()
    assert result.exit_code == 0 and "0 byggda, 2 oförändrade, 0 med fel" in result.output


def test_a_second_tvinga_never_overwrites_the_kept_file(project):
    pdf = project / "build" / f"{SIGNED}.pdf"
    kept = project / "build" / f"{SIGNED}.signerad.pdf"
    kept.write_bytes(b"en tidigare signerad fil")
    signed = pdf.read_bytes()
    change(project / "answers" / f"{SIGNED}.yaml")
    result = build("--tvinga")
    assert result.exit_code == 0, result.output
    assert f"finns kvar som build/{SIGNED}.signerad-2.pdf" in result.output
    assert kept.read_bytes() == b"en tidigare signerad fil"
    assert kept.with_name(f"{SIGNED}.signerad-2.pdf").read_bytes() == signed


def test_an_edited_unsigned_pdf_is_kept_until_a_rebuild_would_overwrite_it(project):
    pdf = project / "build" / f"{OTHER}.pdf"
    with pdf.open("ab") as handle:  # a reader's incremental update, say
        handle.write(b"\n% kommentar\n")
    edited = pdf.read_bytes()
    result = build()
    assert result.exit_code == 0 and "0 byggda, 2 oförändrade" in result.output  # as before
    message = (f"build/{OTHER}.pdf har ändrats efter bygget; bygg om med --tvinga "
               "(ändringarna i PDF:en går då förlorade)")
    result = build("--allt")
    assert result.exit_code == 1 and message in result.output, result.output
    assert pdf.read_bytes() == edited
    answer = project / "answers" / f"{OTHER}.yaml"
    answer.write_text(answer.read_text(encoding="utf-8") + "# ny rad\n", encoding="utf-8")
    result = build()
    assert result.exit_code == 1 and message in result.output, result.output
    assert pdf.read_bytes() == edited
    result = build("--tvinga")
    assert result.exit_code == 0, result.output
    assert pdf.read_bytes() != edited
    assert not list(project.glob("build/*.signerad*.pdf"))


MAKE = shutil.which("make")


@pytest.mark.skipif(MAKE is None, reason="make saknas")
def test_make_keeps_a_signed_pdf(project):
    venv = Path(sys.executable).parent.parent

    def make() -> subprocess.CompletedProcess:
        return subprocess.run([MAKE, "-f", str(ROOT / "Makefile"), "-o",
                               str(venv / ".installed"), f"VENV={venv}", "build"],
                              cwd=project, capture_output=True, text=True, timeout=600)

    pdf = project / "build" / f"{SIGNED}.pdf"
    signed = pdf.read_bytes()
    first = make()
    assert first.returncode == 0, first.stdout + first.stderr
    change(project / "answers" / f"{SIGNED}.yaml")
    again = make()
    assert again.returncode != 0
    assert f"build/{SIGNED}.pdf är signerad av {NAMES}; svarsfilen har ändrats" in again.stderr
    assert pdf.read_bytes() == signed
