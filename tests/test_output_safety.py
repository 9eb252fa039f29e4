"""Nothing lost on a bad disk: an output folder that cannot take an answer's files fails that
answer alone, its formats are written all or none, an edit during a build is never taken
for up to date, and neither two answers nor two builds overwrite each other's records."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from utlatande import pipeline
from utlatande.cli import main
from utlatande.manifest import Manifest, record

SHORT = "mall: tjänsteutlåtande\ndatum: 2024-03-19\nrubrik: {rubrik}\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    (tmp_path / "answers").mkdir()
    for name in ("x", "y"):
        (tmp_path / "answers" / f"{name}.yaml").write_text(SHORT.format(rubrik=name.upper()),
                                                          encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_a_folder_where_an_output_goes_fails_that_answer_and_writes_none_of_its_files(
        project):
    (project / "build" / "x.docx").mkdir(parents=True)
    result = CliRunner().invoke(main, ["build", "-f", "pdf,docx,html", "-j", "1"])
    assert result.exit_code == 1
    assert ("answers/x.yaml:1:1: fel: build/x.docx kan inte skrivas (där står en mapp); ingen "
            "av svarsfilens filer skrevs [utdata.skrivfel]") in result.output.splitlines()
    assert "Traceback" not in result.output
    assert not (project / "build" / "x.pdf").exists()
    assert not (project / "build" / "x.html").exists()
    assert {p.name for p in (project / "build").iterdir() if p.name.startswith("y.")} == {
        "y.pdf", "y.docx", "y.html"}


def _limited(limit: int):
    """In the child: files may grow to `limit` bytes, as on a nearly full disk."""
    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a failed write, not a killed process
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


def test_a_full_disk_fails_the_answer_that_does_not_fit_and_builds_the_others(project):
    long_text = " ".join(f"Mening {n} i en lång sammanfattning." for n in range(2000))
    (project / "answers" / "y.yaml").write_text(
        SHORT.format(rubrik="Y") + f"sammanfattning: {long_text}\n", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "utlatande", "build", "-f", "docx,html",
                             "-j", "1"], cwd=project, capture_output=True, text=True,
                            preexec_fn=_limited(40_000), timeout=300)
    assert result.returncode == 1, result.stderr
    assert ("answers/y.yaml:1:1: fel: build/y.html kan inte skrivas (filen blir större än "
            "vad som får skrivas); ingen av svarsfilens filer skrevs [utdata.skrivfel]"
            ) in result.stderr.splitlines()
    assert "Traceback" not in result.stderr
    assert (project / "build" / "x.docx").is_file() and (project / "build" / "x.html").is_file()
    # Its DOCX alone would have fitted: an answer's formats are written all or none.
    assert not (project / "build" / "y.docx").exists()
    assert not [p for p in (project / "build").iterdir() if p.name.endswith(".tmp")]


def test_an_edit_during_a_build_is_built_again_next_time(project, monkeypatch):
    answer = project / "answers" / "x.yaml"
    original = pipeline.render

    def edited_meanwhile(checked, *args, **kwargs):
        if checked.path.name == "x.yaml" and "Ny" not in answer.read_text(encoding="utf-8"):
            answer.write_text(SHORT.format(rubrik="Ny rubrik"), encoding="utf-8")
        return original(checked, *args, **kwargs)

    monkeypatch.setattr(pipeline, "render", edited_meanwhile)
    runner = CliRunner()
    first = runner.invoke(main, ["build", "-f", "html", "-j", "1", "answers/x.yaml"])
    assert first.exit_code == 0, first.output
    assert ("answers/x.yaml:1:1: varning: filen (eller en fil den byggs av) ändrades under "
            "bygget; den byggs om nästa gång [bygg.ändrad]") in first.output.splitlines()
    assert ">X<" in (project / "build" / "x.html").read_text(encoding="utf-8")
    second = runner.invoke(main, ["build", "-f", "html", "-j", "1", "answers/x.yaml"])
    assert "1 byggda, 0 oförändrade" in second.output
    assert ">Ny rubrik<" in (project / "build" / "x.html").read_text(encoding="utf-8")
    third = runner.invoke(main, ["build", "-f", "html", "-j", "1", "answers/x.yaml"])
    assert "0 byggda, 1 oförändrade" in third.output


def test_x_yaml_and_x_yml_never_overwrite_each_other(project):
    (project / "answers" / "x.yml").write_text(SHORT.format(rubrik="Annan"), encoding="utf-8")
    result = CliRunner().invoke(main, ["build", "-f", "html", "-j", "1", "answers/x.yaml",
                                       "answers/x.yml", "answers/y.yaml"])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert ("answers/x.yaml:1:1: fel: answers/x.yml skriver också till build/x.*; byt namn på "
            "en av filerna [utdata.samma_namn]") in lines
    assert ("answers/x.yml:1:1: fel: answers/x.yaml skriver också till build/x.*; byt namn på "
            "en av filerna [utdata.samma_namn]") in lines
    assert not (project / "build" / "x.html").exists()
    assert (project / "build" / "y.html").is_file()


def test_two_builds_into_one_folder_keep_each_others_records(project):
    runner = CliRunner()
    assert runner.invoke(main, ["build", "-f", "html", "-j", "1"]).exit_code == 0
    out = project / "build"
    # Two builds that began at the same time, each of one answer.
    first, second = Manifest(out), Manifest(out)
    for manifest, name in ((first, "x"), (second, "y")):
        answer = project / "answers" / f"{name}.yaml"
        (answer).write_text(SHORT.format(rubrik=f"{name} igen"), encoding="utf-8")
        manifest.update(answer, record([out / f"{name}.html"], "nyckel", [answer], []))
        manifest.save()
    names = {Path(k).name for k in Manifest(out).records}
    assert names == {"x.yaml", "y.yaml"}
    assert Manifest(out).records[str(project / "answers" / "x.yaml")].key == "nyckel"


def test_a_killed_builds_temporary_files_are_removed(project):
    out = project / "build"
    out.mkdir()
    pid_max = int(Path("/proc/sys/kernel/pid_max").read_text())
    dead = out / f".x.pdf.{pid_max}.abc123.tmp"  # no process has a PID this high
    alive = out / f".x.pdf.{os.getpid()}.abc123.tmp"  # a build running now
    dead.write_bytes(b"%PDF-")
    alive.write_bytes(b"%PDF-")
    assert CliRunner().invoke(main, ["build", "-f", "html", "-j", "1"]).exit_code == 0
    assert not dead.exists() and alive.exists()


def test_an_agenda_folder_that_cannot_take_its_files_is_a_message(project):
    (project / "moten").mkdir()
    (project / "moten" / "m.yaml").write_text(
        "möte: {organ: Nämnden, datum: 2024-03-19, tid: '17.00', plats: Rådhuset}\n"
        "ärenden:\n  - rubrik: Anmälan\n", encoding="utf-8")
    (project / "build" / "m" / "index.html").mkdir(parents=True)
    result = CliRunner().invoke(main, ["agenda", "moten/m.yaml"])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "moten/m.yaml:1:1: fel: build/m/index.html kan inte skrivas (där står en mapp); ingen "
        "av kallelsens filer skrevs [utdata.skrivfel]"]
    assert not (project / "build" / "m" / "m.pdf").exists()


@pytest.fixture
def read_only_folder(tmp_path: Path):
    """An output folder nothing can be written to: a read-only tmpfs for root (whom file
    modes do not stop), a folder without write permission for anyone else."""
    folder = tmp_path / "skrivskyddad"
    folder.mkdir()
    if os.geteuid() != 0:
        folder.chmod(0o555)
        yield folder
        folder.chmod(0o755)
        return
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "ro,size=1m", "tmpfs", str(folder)],
                             capture_output=True)
    if mounted.returncode != 0:
        pytest.skip("root utan rätt att montera: ingen skrivskyddad mapp att pröva med")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=True)


def test_a_read_only_output_folder_fails_each_answer_with_a_message(project, read_only_folder):
    result = subprocess.run([sys.executable, "-m", "utlatande", "build", "-f", "pdf,docx",
                             "-o", read_only_folder.name], cwd=project, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    reason = "filsystemet är skrivskyddat" if os.geteuid() == 0 else "behörighet saknas"
    for name in ("x", "y"):  # each answer is tried, and fails on its own
        assert (f"answers/{name}.yaml:1:1: fel: skrivskyddad/{name}.pdf kan inte "
                f"skrivas ({reason}); ingen av svarsfilens filer skrevs [utdata.skrivfel]"
                ) in result.stderr.splitlines()
    assert result.stderr.splitlines()[-1].startswith("0 byggda, 0 oförändrade, 2 med fel, ")
    assert list(read_only_folder.iterdir()) == []
