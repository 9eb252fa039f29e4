"""Batch builds: only what changed, every core, the same bytes every time."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from utlatande.batch import shard
from utlatande.cli import main

from conftest import ROOT, own_profile, processes_in_session

STATEMENT = """mall: tjänsteutlåtande
profil: stockholm
datum: 2024-03-19
rubrik: Utlåtande {n}
sammanfattning: Text nummer {n}.
"""


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    shutil.copytree(ROOT / "templates", tmp_path / "templates")
    (tmp_path / "answers").mkdir()
    for n in range(1, 4):
        (tmp_path / "answers" / f"u{n}.yaml").write_text(STATEMENT.format(n=n),
                                                          encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _build(*args: str) -> str:
    result = CliRunner().invoke(main, ["build", "-f", "docx,html", *args])
    assert result.exit_code in (0, 1), result.output
    return result.output.strip().splitlines()[-1]


def test_only_what_changed_is_rebuilt(project):
    assert _build().startswith("3 byggda, 0 oförändrade, 0 med fel")
    assert _build().startswith("0 byggda, 3 oförändrade, 0 med fel")
    answer = project / "answers" / "u2.yaml"
    os.utime(answer, None)  # touched, not changed
    assert _build().startswith("0 byggda, 3 oförändrade")
    answer.write_text(STATEMENT.format(n=22), encoding="utf-8")
    assert _build().startswith("1 byggda, 2 oförändrade")
    assert _build("--force").startswith("3 byggda, 0 oförändrade")


def test_a_profile_or_template_change_rebuilds_its_users(project):
    _build()
    (project / "answers" / "u3.yaml").write_text(
        STATEMENT.format(n=3).replace("profil: stockholm", "profil: malmo"), encoding="utf-8")
    assert _build().startswith("1 byggda, 2 oförändrade")
    profile = project / "templates" / "stockholm" / "tema.yaml"
    profile.write_text(profile.read_text(encoding="utf-8").replace("datumformat: iso",
                                                                   "datumformat: ord"),
                       encoding="utf-8")
    assert _build().startswith("2 byggda, 1 oförändrade")
    (project / "templates" / "malmo" / "css").mkdir()
    (project / "templates" / "malmo" / "css" / "extra.css").write_text("h1 { color: red }")
    assert _build().startswith("1 byggda, 2 oförändrade")


def test_a_failed_answer_is_tried_again(project):
    (project / "answers" / "u1.yaml").write_text("mall: tjänsteutlåtande\n", encoding="utf-8")
    assert _build().startswith("2 byggda, 0 oförändrade, 1 med fel")
    assert _build().startswith("0 byggda, 2 oförändrade, 1 med fel")


def test_other_formats_are_another_build(project):
    _build()
    result = CliRunner().invoke(main, ["build", "-f", "html"])
    assert "3 byggda" in result.output


def test_parallel_and_serial_builds_give_the_same_bytes(project):
    # u3's DOCX takes its contents' page numbers from the PDF: the PDF side writes both.
    (project / "answers" / "u3.yaml").write_text(
        STATEMENT.format(n=3) + "innehållsförteckning: true\navsnitt:\n"
        "  - {rubrik: Bakgrund, text: Text.}\n", encoding="utf-8")
    CliRunner().invoke(main, ["build", "-j", "1", "-o", "serial"])
    CliRunner().invoke(main, ["build", "-j", "2", "-o", "parallel"])
    names = sorted(p.name for p in (project / "serial").glob("u*"))
    assert names == ["u1.docx", "u1.pdf", "u2.docx", "u2.pdf", "u3.docx", "u3.pdf"]
    for name in names:
        assert (project / "serial" / name).read_bytes() == \
            (project / "parallel" / name).read_bytes(), name


def test_shards_split_the_answers_without_overlap():
    answers = [Path(f"answers/a{i}.yaml") for i in range(40)]
    parts = [shard(answers, k, 4) for k in range(1, 5)]
    assert sorted(a for part in parts for a in part) == sorted(answers)
    assert all(parts)
    # adding a file moves no other file to another shard
    more = shard([*answers, Path("answers/ny.yaml")], 2, 4)
    assert [a for a in more if a.name != "ny.yaml"] == parts[1]


@pytest.mark.parametrize("value", ["0/4", "5/4", "2", "a/b"])
def test_bad_shard_is_a_usage_error(project, value):
    result = CliRunner().invoke(main, ["build", "--shard", value])
    assert result.exit_code == 2
    assert "--shard" in result.output


def _imported(*args: str, cwd: Path, module: str = "weasyprint") -> bool:
    code = (f"import sys\nfrom utlatande.cli import main\ntry:\n    main({list(args)!r})\n"
            f"except SystemExit:\n    pass\nprint({module!r} in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], cwd=cwd, capture_output=True,
                            text=True, check=True)
    return result.stdout.strip().splitlines()[-1] == "True"


def test_commands_without_pdf_never_import_weasyprint(project):
    assert not _imported("--help", cwd=project)
    assert not _imported("check", cwd=project)
    assert not _imported("schema", cwd=project)
    assert not _imported("build", "-f", "docx", cwd=project)
    assert _imported("build", "-f", "pdf", "answers/u1.yaml", cwd=project)


def test_a_build_with_nothing_to_do_only_reads_the_manifest(project):
    _build()
    assert not _imported("build", "-f", "docx,html", cwd=project,
                                   module="utlatande.pipeline")
    assert _imported("build", "-f", "docx,html", "--force", cwd=project,
                               module="utlatande.pipeline")


def test_two_builds_in_separate_processes_are_byte_identical(project):
    for folder in ("a", "b"):
        subprocess.run([sys.executable, "-m", "utlatande", "build", "-q", "-o", folder],
                       cwd=project, check=True)
    for path in sorted((project / "a").glob("u*")):
        assert path.read_bytes() == (project / "b" / path.name).read_bytes(), path.name


def test_source_date_epoch_sets_the_dates(project):
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}
    subprocess.run([sys.executable, "-m", "utlatande", "build", "-q", "answers/u1.yaml"],
                   cwd=project, check=True, env=env)
    import docx
    import pypdf

    info = pypdf.PdfReader(project / "build" / "u1.pdf").metadata
    assert info["/CreationDate"].startswith("D:20231114")
    assert docx.Document(project / "build" / "u1.docx").core_properties.created.year == 2023


def test_an_answer_whose_docx_fails_gets_no_pdf_either(project):
    """PDF and DOCX are rendered in different processes, and written only together."""
    own_profile(project, "<video>x</video>")  # an element the DOCX writer does not know
    (project / "answers" / "u4.yaml").write_text(
        STATEMENT.format(n=4).replace("profil: stockholm", "profil: egen"), encoding="utf-8")
    (project / "answers" / "u5.yaml").write_text(
        STATEMENT.format(n=5).replace("Text nummer 5.", "Gäller 811218-9876."),
        encoding="utf-8")
    result = CliRunner().invoke(main, ["build", "-j", "2"])
    assert result.exit_code == 1
    assert result.output.count("[mall.element]") == 1
    assert result.output.count("[sekretess.personnummer]") == 1
    assert "4 byggda, 0 oförändrade, 1 med fel" in result.output
    built = sorted(p.name for p in (project / "build").glob("u*"))
    assert built == [f"u{n}.{fmt}" for n in (1, 2, 3, 5) for fmt in ("docx", "pdf")]


def test_a_lost_pdf_process_costs_no_answer(project, monkeypatch):
    from utlatande import batch

    monkeypatch.setattr(batch, "_pdf_side", lambda *args: os._exit(3))
    summary = batch.run(sorted(Path("answers").glob("*.yaml")), Path("build"), ("pdf", "docx"),
                        project, jobs=2)
    assert (summary.built, summary.failed) == (3, 0)
    assert len(list(Path("build").glob("u*"))) == 6


def test_the_counts_add_up_to_the_answers_each_counted_once(project):
    """'N byggda, M oförändrade, K med fel': every answer once, however often and however
    spelt it was given, whether it was built, up to date, edited in Word or clashing."""
    (project / "answers" / "u3.yml").write_text(STATEMENT.format(n=33), encoding="utf-8")
    given = ["answers/u1.yaml", "answers/u1.yaml", "./answers/u1.yaml",
             "answers/../answers/u1.yaml", "answers/u2.yaml", "answers/u3.yaml",
             "answers/u3.yml"]
    # u1 and u2 are built; u3.yaml and u3.yml would write the same files: both fail.
    assert _build(*given).startswith("2 byggda, 0 oförändrade, 2 med fel, ")
    assert sorted(p.name for p in Path("build").glob("u*")) == [
        "u1.docx", "u1.html", "u2.docx", "u2.html"]
    assert _build(*given).startswith("0 byggda, 2 oförändrade, 2 med fel, ")
    with Path("build/u1.docx").open("ab") as docx:  # edited after the build
        docx.write(b"\0")
    result = CliRunner().invoke(main, ["build", "-f", "docx,html", *given])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert lines.count("build/u1.docx har ändrats efter bygget; hämta ändringarna med "
                       "'utlatande import build/u1.docx' eller bygg om med --tvinga") == 1
    assert lines[-1].startswith("0 byggda, 1 oförändrade, 3 med fel, ")


def _start_build(project: Path, formats: str, *args: str) -> subprocess.Popen:
    """A 40-answer build in a session of its own, started like one from a terminal."""
    import signal

    for n in range(4, 41):
        (project / "answers" / f"u{n}.yaml").write_text(STATEMENT.format(n=n),
                                                          encoding="utf-8")
    return subprocess.Popen(
        [sys.executable, "-m", "utlatande", "build", "-f", formats, *args], cwd=project,
        start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


@pytest.mark.parametrize("formats", ["pdf", "pdf,docx"])
@pytest.mark.parametrize("how", ["SIGTERM", "SIGKILL"])
def test_a_build_ended_by_a_signal_leaves_no_process_behind(project, formats, how):
    """A timeout's SIGTERM, or SIGKILL (`timeout -s KILL`), sent to the build alone, not to
    its process group: its workers and its PDF side (and the PDF side's workers) end too."""
    import signal
    import time

    build = _start_build(project, formats, "-j", "2")
    # The build and its workers (with pdf,docx: the PDF side first, then its workers).
    deadline = time.monotonic() + 120
    while len(processes_in_session(build.pid)) < 3:
        assert time.monotonic() < deadline, "bygget startade aldrig sina arbetsprocesser"
        time.sleep(0.05)
    os.kill(build.pid, getattr(signal, how))
    out, err = build.communicate(timeout=60)
    left = processes_in_session(build.pid, patience=30)
    for pid in left:  # not left running after the test either
        os.kill(pid, signal.SIGKILL)
    assert left == []
    if how == "SIGTERM":  # as Ctrl-C: stopped, what was built is kept
        assert build.returncode == 1
        assert err.strip().splitlines()[-1] == "Avbrutet."
        assert "Traceback" not in err
    else:  # no cleanup runs in the build: the kernel ends its children
        assert build.returncode == -signal.SIGKILL


@pytest.mark.parametrize("formats", ["pdf", "pdf,docx"])
def test_ctrl_c_stops_the_batch_and_keeps_what_was_built(project, formats):
    """Ctrl-C reaches every process of the build; none is left, and nothing is lost."""
    import json
    import signal

    build = _start_build(project, formats)
    first = build.stdout.readline()  # the first answer is built: interrupt the rest
    assert " → " in first
    os.killpg(build.pid, signal.SIGINT)
    out, err = build.communicate(timeout=60)
    assert build.returncode == 1
    assert err.strip().splitlines()[-1] == "Avbrutet."
    assert "Traceback" not in err
    assert processes_in_session(build.pid, patience=10) == []  # no worker was left behind
    recorded = json.loads((project / "build" / ".utlatande-manifest.json").read_text())
    assert 1 <= len(recorded["poster"]) < 40
    for record in recorded["poster"].values():
        assert all(Path(p).is_file() for p in record["outputs"])


_REAL_WORK: list = []  # the function a crashing worker stands in for


def _crash_on_u2(answer, *args):
    """A worker that dies on u2, as one would in a crash inside Pango or HarfBuzz (the
    parent's own DOCX half of a two-sided build does not crash)."""
    if answer.name == "u2.yaml" and args[-1] != "other":
        os._exit(3)
    return _REAL_WORK[0](answer, *args)


@pytest.mark.parametrize("formats", [("pdf",), ("pdf", "docx")])
def test_a_crashed_worker_fails_its_answer_only(project, monkeypatch, formats):
    from utlatande import batch

    name = "build_one" if formats == ("pdf",) else "render_part"  # u2: in a worker
    monkeypatch.setattr(sys.modules[__name__], "_REAL_WORK", [getattr(batch, name)])
    monkeypatch.setattr(batch, name, _crash_on_u2)
    outcomes = []
    summary = batch.run(sorted(Path("answers").glob("*.yaml")), Path("build"), formats,
                        project, jobs=2, report=lambda outcome, *_: outcomes.append(outcome))
    assert (summary.built, summary.failed) == (2, 1)
    [failed] = [o for o in outcomes if not o.built.ok]
    assert failed.built.path.name == "u2.yaml"
    assert [p.code for p in failed.built.problems] == ["internt"]
    assert sorted(p.name for p in Path("build").glob("u*")) == sorted(
        f"u{n}.{fmt}" for n in (1, 3) for fmt in formats)


def test_a_crash_in_the_pdf_process_itself_fails_that_answer_only(project, monkeypatch):
    """The PDF side renders the first answer itself: a crash there ends the side, and the
    parent makes the PDFs it was waiting for."""
    from utlatande import batch

    monkeypatch.setattr(sys.modules[__name__], "_REAL_WORK", [batch.render_part])
    monkeypatch.setattr(batch, "render_part", _crash_on_u2)
    # u2 first: the PDF side renders the first answer itself, before it has workers
    answers = sorted(Path("answers").glob("*.yaml"), key=lambda a: a.name != "u2.yaml")
    outcomes = []
    summary = batch.run(answers, Path("build"), ("pdf", "docx"), project, jobs=2,
                        report=lambda outcome, *_: outcomes.append(outcome))
    assert (summary.built, summary.failed) == (2, 1)
    [failed] = [o for o in outcomes if not o.built.ok]
    assert failed.built.path.name == "u2.yaml"
    assert [p.code for p in failed.built.problems] == ["internt"]


def test_an_interrupt_a_library_swallows_still_stops_the_batch(project, monkeypatch):
    """SIGTERM (or Ctrl-C) raised inside a C library's callback is only printed by cffi,
    and cairo reports a write error instead: the build still stops, and that answer is
    not reported as a bug in utlatande."""
    import contextlib
    import signal

    from utlatande import batch, pipeline

    real_build = pipeline.build

    def swallowing_build(answer, *args):
        if answer.name == "u2.yaml":
            # What cffi does with an exception in a callback: print it, go on.
            with contextlib.suppress(KeyboardInterrupt):
                os.kill(os.getpid(), signal.SIGTERM)
            raise OSError("cairo returned CAIRO_STATUS_WRITE_ERROR")
        return real_build(answer, *args)

    monkeypatch.setattr(pipeline, "build", swallowing_build)
    outcomes = []
    with pytest.raises(KeyboardInterrupt):
        batch.run(sorted(Path("answers").glob("*.yaml")), Path("build"), ("pdf",), project,
                  jobs=1, report=lambda outcome, *_: outcomes.append(outcome))
    assert [o.built.path.name for o in outcomes] == ["u1.yaml"]  # no 'internt fel' for u2
    assert sorted(p.name for p in Path("build").glob("u*")) == ["u1.pdf"]
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # the handler is given back
