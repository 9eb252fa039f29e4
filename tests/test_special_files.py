"""What is not a regular answer file (a FIFO, a folder, a symlink loop, a huge file) is
refused with a message, without being read, and the rest of the batch is built."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from utlatande.cli import main

GOOD = "mall: tjänsteutlåtande\ndatum: 2024-03-19\nrubrik: Ett utlåtande\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch) -> Path:
    (tmp_path / "answers").mkdir()
    (tmp_path / "answers" / "bra.yaml").write_text(GOOD, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


SPECIAL = {
    "fifo": "answers/fifo.yaml:1:1: fel: filen är en namngiven pipe (FIFO), ingen vanlig fil; "
            "den läses inte [fil.inte_vanlig]",
    "loop": "answers/loop.yaml:1:1: fel: filen kan inte läsas (en symbolisk länk som pekar på "
            "sig själv, i en cirkel) [fil.oläsbar]",
    "mapp": "answers/mapp.yaml:1:1: fel: filen är en mapp, ingen vanlig fil; den läses inte "
            "[fil.inte_vanlig]",
}


def _make(project: Path, kind: str) -> None:
    path = project / "answers" / f"{kind}.yaml"
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "loop":
        path.symlink_to(f"{kind}.yaml")
    else:
        path.mkdir()


@pytest.mark.parametrize("kind", sorted(SPECIAL))
@pytest.mark.parametrize("command", ["check", "build"])
def test_a_special_file_is_refused_and_the_rest_is_built(project, kind, command):
    _make(project, kind)
    args = [command] if command == "check" else [command, "-f", "html"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 1
    assert SPECIAL[kind] in result.output.splitlines()
    assert "Traceback" not in result.output
    if command == "build":
        assert (project / "build" / "bra.html").is_file()


def test_an_answer_over_two_megabytes_is_refused_before_parsing(project):
    body = "Ett stycke text som upprepas. " * 70_000
    (project / "answers" / "stor.yaml").write_text(GOOD + f"sammanfattning: {body}\n",
                                                   encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "answers/stor.yaml"])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "answers/stor.yaml:1:1: fel: filen är 2,1 MB; en svarsfil får vara högst 2 MB "
        "(omkring 600 sidor text) [fil.för_stor]"]


def test_a_personnummer_in_a_comment_or_a_number_is_a_warning_too(project):
    (project / "answers" / "bra.yaml").write_text(
        GOOD + "# Gäller 121212-1212.\nmetadata: {Nummer: 191212121212}\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "answers/bra.yaml"])
    lines = [line for line in result.output.splitlines() if "personnummer" in line]
    assert [line.split(": varning: ")[0] for line in lines] == ["answers/bra.yaml:4:10",
                                                                "answers/bra.yaml:5:20"]
    assert all(line.endswith("[sekretess.personnummer]") for line in lines)


def test_a_whole_file_read_by_mistake_is_quoted_only_in_part(project):
    lines = [f"konto{n}:x:{n}:{n}:Namn {n}:/home/konto{n}:/bin/bash" for n in range(50)]
    (project / "answers" / "fel.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "answers/fel.yaml"])
    assert result.exit_code == 1
    assert "konto1:" not in result.output
    assert "texten 'konto0:x:0:0:Namn 0:/home/konto0:/bin/ba…'" in result.output


def test_an_agenda_names_each_special_answer_file_and_a_special_meeting_file(project):
    for kind in SPECIAL:
        _make(project, kind)
    (project / "moten").mkdir()
    (project / "moten" / "m.yaml").write_text(
        "möte: {organ: Nämnden, datum: 2024-03-19, tid: '17.00', plats: Rådhuset}\n"
        "ärenden:\n" + "".join(f"  - ../answers/{kind}.yaml\n" for kind in SPECIAL)
        + "  - ../answers/bra.yaml\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["agenda", "moten/m.yaml"])
    assert result.exit_code == 1
    assert result.output.splitlines() == [SPECIAL[kind] for kind in SPECIAL]
    assert not (project / "build").exists()
    os.mkfifo(project / "moten" / "fifo.yaml")
    (project / "moten" / "loop.yaml").symlink_to("loop.yaml")
    for kind in ("fifo", "loop"):
        for flags in ([], ["--offentlig"]):
            result = CliRunner().invoke(main, ["agenda", f"moten/{kind}.yaml", *flags])
            assert result.exit_code == 1
            assert result.output.splitlines() == [
                SPECIAL[kind].replace("answers/", "moten/")]


def test_import_and_verify_refuse_a_fifo_a_folder_and_a_loop_without_waiting(project):
    """A FIFO's open() waits for a writer forever: import and verify never open one."""
    os.mkfifo(project / "fifo.docx")
    (project / "mapp.pdf").mkdir()
    (project / "loop.pdf").symlink_to("loop.pdf")
    # In a process of its own: a hang is a failed test (TimeoutExpired), not a stuck run.
    result = subprocess.run([sys.executable, "-m", "utlatande", "import", "fifo.docx"],
                            cwd=project, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "fifo.docx:1:1: fel: filen är en namngiven pipe (FIFO), ingen vanlig fil; den läses "
        "inte [import.inte_vanlig]"]
    result = CliRunner().invoke(main, ["verify", "fifo.docx", "mapp.pdf", "loop.pdf"])
    assert result.exit_code == 1
    assert result.output.splitlines()[:3] == [
        "fifo.docx: fel: filen är en namngiven pipe (FIFO), ingen vanlig fil; den läses inte "
        "[verify.inte_vanlig]",
        "mapp.pdf: fel: filen är en mapp, ingen vanlig fil; den läses inte [verify.inte_vanlig]",
        "loop.pdf: fel: filen kan inte läsas (en symbolisk länk som pekar på sig själv, i en "
        "cirkel) [verify.oläsbar]"]
