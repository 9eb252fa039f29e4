"""The agenda renders its statements on the pool `build` uses: a worker that crashes fails
the agenda with that statement named, and Ctrl-C stops every process and writes nothing."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from utlatande.cli import main

from conftest import MEETING_HEAD as HEAD
from conftest import ROOT, processes_in_session

SEED = "malmo-svar-namndinitiativ"


def _project(tmp_path: Path, count: int) -> Path:
    """A project with `count` copies of one seed answer (u1.yaml …) on one meeting's agenda."""
    (tmp_path / "answers").mkdir()
    (tmp_path / "moten").mkdir()
    shutil.copytree(ROOT / "templates", tmp_path / "templates")
    for n in range(1, count + 1):
        shutil.copy(ROOT / "answers" / f"{SEED}.yaml", tmp_path / "answers" / f"u{n}.yaml")
    items = "".join(f"  - ../answers/u{n}.yaml\n" for n in range(1, count + 1))
    (tmp_path / "moten" / "m.yaml").write_text(HEAD + items, encoding="utf-8")
    return tmp_path


_REAL_WORK: list = []  # the function a crashing worker stands in for


def _crash_on_u2(path: Path, project: Path, *rest):
    """A worker that dies on u2, as one would in a crash inside Pango or HarfBuzz."""
    if path.name == "u2.yaml":
        os._exit(3)
    return _REAL_WORK[0](path, project, *rest)


def test_a_crashed_worker_fails_the_agenda_naming_its_statement_only(tmp_path, monkeypatch):
    from utlatande.agenda import parts

    project = _project(tmp_path, 3)
    monkeypatch.chdir(project)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)  # workers, also on a one-core machine
    monkeypatch.setattr(sys.modules[__name__], "_REAL_WORK", [parts._render_one])
    monkeypatch.setattr(parts, "_render_one", _crash_on_u2)
    result = CliRunner().invoke(main, ["agenda", "moten/m.yaml"])
    assert result.exit_code == 1
    [line] = result.output.strip().splitlines()  # u1 and u3 were rendered, u2 alone failed
    assert line.startswith("answers/u2.yaml:1:1: fel: internt fel i utlatande: "
                           "BrokenProcessPool: ")
    assert line.endswith("[internt]")
    assert not (project / "build").exists()  # nothing written


def test_a_crashed_spare_worker_fails_the_agenda_naming_its_statement(tmp_path, monkeypatch):
    """One changed answer is laid out by the spare worker forked at the start: when it dies,
    the statement is tried again in a process of its own, and then named."""
    from utlatande.agenda import parts

    project = _project(tmp_path, 2)
    monkeypatch.chdir(project)
    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    runner = CliRunner()
    assert runner.invoke(main, ["agenda", "moten/m.yaml", "-q"]).exit_code == 0
    folder = project / "build" / "m"
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    with (project / "answers" / "u2.yaml").open("a", encoding="utf-8") as handle:
        handle.write("# ändrad\n")
    monkeypatch.setattr(sys.modules[__name__], "_REAL_WORK", [parts._render_one])
    monkeypatch.setattr(parts, "_render_one", _crash_on_u2)
    result = runner.invoke(main, ["agenda", "moten/m.yaml"])
    assert result.exit_code == 1
    [line] = result.output.strip().splitlines()
    assert line.startswith("answers/u2.yaml:1:1: fel: internt fel i utlatande: "
                           "BrokenProcessPool: ")
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before  # nothing written
    # Without the crash, the spare worker lays it out.
    monkeypatch.setattr(parts, "_render_one", _REAL_WORK[0])
    result = runner.invoke(main, ["agenda", "moten/m.yaml"])
    assert result.exit_code == 0, result.output
    assert "1 utlåtande gjort på nytt" in result.output


def _ignores_sigint(pid: int) -> bool:
    """Whether the process ignores SIGINT now (SigIgn in /proc/<pid>/status)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("SigIgn:"):
            return bool(int(line.split()[1], 16) & (1 << (signal.SIGINT - 1)))
    return False


def _wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: the agenda forks no workers")
def test_ctrl_c_stops_the_agenda_and_its_workers_and_writes_nothing(tmp_path):
    project = _project(tmp_path, 8)
    agenda = subprocess.Popen(
        [sys.executable, "-m", "utlatande", "agenda", "moten/m.yaml"], cwd=project,
        start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    # The workers are forked when the statements are rendered: interrupt then, once the
    # agenda listens for Ctrl-C again (it ignores it while it forks them).
    assert _wait_for(lambda: len(processes_in_session(agenda.pid)) >= 3
                     and not _ignores_sigint(agenda.pid), 120)
    os.killpg(agenda.pid, signal.SIGINT)
    out, err = agenda.communicate(timeout=120)
    assert agenda.returncode == 1
    assert err.strip().splitlines()[-1] == "Avbrutet."
    assert "Traceback" not in err
    assert _wait_for(lambda: processes_in_session(agenda.pid) == [], 10)
    assert not (project / "build" / "m").exists()


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: the agenda forks no workers")
@pytest.mark.parametrize("how", ["SIGTERM", "SIGKILL"])
def test_an_agenda_ended_by_a_signal_leaves_no_worker_behind(tmp_path, how):
    """A timeout's SIGTERM or SIGKILL, sent to the agenda alone: its workers end too."""
    project = _project(tmp_path, 8)
    agenda = subprocess.Popen(
        [sys.executable, "-m", "utlatande", "agenda", "moten/m.yaml"], cwd=project,
        start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert _wait_for(lambda: len(processes_in_session(agenda.pid)) >= 3, 120)
    os.kill(agenda.pid, getattr(signal, how))
    out, err = agenda.communicate(timeout=120)
    ended = _wait_for(lambda: processes_in_session(agenda.pid) == [], 30)
    for pid in processes_in_session(agenda.pid):  # not left running after the test either
        os.kill(pid, signal.SIGKILL)
    assert ended
    if how == "SIGTERM":
        assert agenda.returncode == 1
        assert err.strip().splitlines()[-1] == "Avbrutet."
        assert "Traceback" not in err
    else:
        assert agenda.returncode == -signal.SIGKILL
    assert not (project / "build" / "m").exists()


def test_a_fresh_process_makes_the_call_and_raises_its_error():
    from utlatande.pool import fresh

    assert fresh(os.getpid) != os.getpid()
    assert fresh(sorted, [3, 1, 2]) == [1, 2, 3]
    with pytest.raises(ValueError):
        fresh(int, "inget tal")


def test_what_a_fresh_call_prints_does_not_break_its_result():
    """A call (or a library under it, from C) that prints to stdout: the result is intact,
    and the print goes to stderr."""
    from utlatande.pool import fresh

    assert fresh(print, "ett meddelande") is None
    assert fresh(os.system, "echo från C") == 0


def _blocked_signals() -> int:
    """This process's blocked signals, as /proc shows them (a bit a signal)."""
    status = Path("/proc/self/status").read_text()
    return int(next(line for line in status.splitlines() if line.startswith("SigBlk:")
                    ).split()[1], 16)


def _holds_sigterm(blocked: int) -> bool:
    return bool(blocked & (1 << (signal.SIGTERM - 1)))


def _sigterm_waits_for(held) -> None:
    """A SIGTERM sent inside `held()` stops the work (as Ctrl-C) only once it is left."""
    from utlatande.pool import sigterm_as_interrupt

    reached = False
    with sigterm_as_interrupt(), pytest.raises(KeyboardInterrupt), held():
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(0.05)
        reached = True
    assert reached


def test_a_sigterm_while_workers_fork_waits_until_they_have_started():
    """SIGTERM stops the work as Ctrl-C does, but not in the middle of starting workers:
    a pool stopped there could not shut down ("cannot join thread before it is
    started"). It comes once they have started."""
    from utlatande.pool import Spare, without_sigint

    _sigterm_waits_for(without_sigint)
    # What forked meanwhile takes SIGTERM again, as it did before.
    spare = Spare()
    spare.submit(_blocked_signals)
    assert not _holds_sigterm(spare.result())


def test_an_interrupt_inside_a_c_callback_prints_no_traceback(monkeypatch):
    """Raised inside a C library's callback (cairo's, as cairosvg draws a logo), the
    interrupt cannot reach the caller: it is remembered, and nothing is printed of it.
    Any other exception there is still reported as before."""
    import ctypes

    from utlatande.pool import interrupt_if_interrupted, sigterm_as_interrupt

    reported = []  # what reaches the hook that prints (Python's, or pytest's)
    monkeypatch.setattr(sys, "unraisablehook", lambda u: reported.append(u.exc_type))

    def interrupted() -> None:
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(1)  # the handler raises here, inside the callback

    def failing() -> None:
        raise ValueError("ett fel i en återanropsfunktion")

    callback = ctypes.CFUNCTYPE(None)
    with sigterm_as_interrupt():
        callback(interrupted)()
        with pytest.raises(KeyboardInterrupt):
            interrupt_if_interrupted()
        callback(failing)()
    assert reported == [ValueError]


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: nothing is forked")
def test_builds_with_workers_leave_nothing_in_the_temporary_folder(tmp_path):
    """WeasyPrint copies a theme's fonts to a temporary folder that it removes only when
    its font configuration is collected; a forked worker never got so far, and every
    build left a few megabytes in /tmp. Each child's temporary files are now removed as it
    ends, and with its parent if it was killed."""
    (tmp_path / "projekt").mkdir()
    project = _project(tmp_path / "projekt", 3)
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = {**os.environ, "TMPDIR": str(temp)}

    def run(*args: str) -> None:
        done = subprocess.run([sys.executable, "-m", "utlatande", *args], cwd=project,
                              env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        assert sorted(p.name for p in temp.iterdir()) == [], args

    run("build", "answers/u1.yaml", "answers/u2.yaml", "answers/u3.yaml", "-j", "2")
    run("agenda", "moten/m.yaml")  # three statements laid out by two workers
    (project / "answers" / "u2.yaml").write_text(
        (project / "answers" / "u2.yaml").read_text(encoding="utf-8") + "\n",
        encoding="utf-8")
    run("agenda", "moten/m.yaml")  # one, by the spare worker


def test_a_signal_during_the_agendas_imports_waits_until_they_are_done():
    """A C extension whose initialisation is interrupted aborts Python (pikepdf's, through
    nanobind: exit -6 where the agenda said "Avbrutet."): the agenda's modules are
    imported with Ctrl-C and SIGTERM held, and the interrupt comes right after."""
    from utlatande.pool import signals_held

    _sigterm_waits_for(signals_held)
    assert not _holds_sigterm(_blocked_signals())
