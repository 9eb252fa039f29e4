"""The forked worker pool: Ctrl-C and SIGTERM handled by the parent alone, a worker that
crashes costs only the call it was making, and no worker outlives its parent."""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import shutil
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager, suppress
from typing import Any

PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _workers(count: int) -> ProcessPoolExecutor:
    """Forked worker processes; they start (at the first submit) inside `without_sigint`,
    and each dies with this process."""
    return ProcessPoolExecutor(max_workers=count, mp_context=multiprocessing.get_context("fork"),
                               initializer=die_with_parent, initargs=(os.getpid(),))


def die_with_parent(parent: int) -> None:
    """In a forked child, first thing: the kernel kills it when `parent` ends, however
    that ends (a timeout's SIGTERM, SIGKILL, a crash), so that no worker is left running
    on its own. SIGTERM is the default again: the parent's handler is not the child's.
    And it gets a temporary folder of its own, removed when it ends (`_own_temp_folder`)."""
    _own_temp_folder()
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})  # held while it forked
    if sys.platform.startswith("linux"):
        with suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    if os.getppid() != parent:  # the parent ended before the line above took effect
        os._exit(1)


# The folder this process's forked children make their temporary folders in (one a
# process, made before its first fork), and the process it belongs to.
_CHILDREN_TEMP: tuple[int, str] | None = None


def _children_temp() -> str | None:
    """This process's folder for its children's temporary folders, made now if need be;
    removed when this process ends, also of children that were killed."""
    global _CHILDREN_TEMP
    import tempfile

    if _CHILDREN_TEMP is None or _CHILDREN_TEMP[0] != os.getpid():
        try:
            folder = tempfile.mkdtemp(prefix="utlatande-")
        except OSError:
            return None
        _CHILDREN_TEMP = (os.getpid(), folder)
        _remove_at_end(folder)
    return _CHILDREN_TEMP[1]


def _remove_at_end(folder: str) -> None:
    """`folder` removed when this process ends: at exit, or, in a child, as multiprocessing
    ends it (with os._exit, which runs no atexit)."""
    import atexit
    import multiprocessing.util

    def remove(owner: int = os.getpid()) -> None:
        if os.getpid() == owner:  # not in a child that inherited the handler
            shutil.rmtree(folder, ignore_errors=True)

    atexit.register(remove)
    multiprocessing.util.Finalize(None, remove, exitpriority=0)


def _own_temp_folder() -> None:
    """Temporary files made in this child go in a folder of its own, inside its parent's
    folder for them, and removed as it ends. A forked child ends without running what
    would remove them otherwise: WeasyPrint copies a theme's fonts to a folder it removes
    only when its font configuration is collected, and a worker's never was (2-3 MB left
    in /tmp a worker and build)."""
    import tempfile

    inherited = _CHILDREN_TEMP[1] if _CHILDREN_TEMP is not None else None
    try:
        folder = tempfile.mkdtemp(prefix="arbetare-", dir=inherited)
    except OSError:
        return
    tempfile.tempdir = folder
    _remove_at_end(folder)


# Set by `_interrupt`: Ctrl-C or SIGTERM came during `sigterm_as_interrupt`, also when the
# KeyboardInterrupt it raised was swallowed: raised inside a C library's callback (cairo's
# write function, through cffi) it is only printed, and the library reports a write error.
_interrupted = False


def interrupt_if_interrupted(error: BaseException | None = None) -> None:
    """Raise KeyboardInterrupt (from `error`) when the work was interrupted, so that the
    error an interrupt caused is not taken for a bug, and the work stops."""
    if _interrupted:
        raise KeyboardInterrupt from error


def _interrupt(signum: int, frame: Any) -> None:
    global _interrupted
    _interrupted = True
    raise KeyboardInterrupt


@contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM (a timeout, a CI runner, `kill`) stops the work as Ctrl-C does: the workers
    and the PDF side are ended, and what was finished by then is kept. Both signals are
    remembered too (`interrupt_if_interrupted`), for when a library swallows the
    KeyboardInterrupt."""
    global _interrupted
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _interrupted = False
    previous_term = signal.signal(signal.SIGTERM, _interrupt)
    # Ctrl-C's default handler is replaced only where it is in force: an ignored SIGINT
    # (a worker, a caller's choice) stays ignored.
    own_int = signal.getsignal(signal.SIGINT) is signal.default_int_handler
    if own_int:
        signal.signal(signal.SIGINT, _interrupt)
    previous_hook = sys.unraisablehook
    sys.unraisablehook = _quiet_about_interrupts(previous_hook)
    try:
        yield
    finally:
        sys.unraisablehook = previous_hook
        signal.signal(signal.SIGTERM, previous_term)
        if own_int:
            signal.signal(signal.SIGINT, signal.default_int_handler)


def _quiet_about_interrupts(previous: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """An unraisable-exception hook that says nothing of an interrupt: raised inside a C
    library's callback (cairo's write function, when cairosvg draws a logo for a DOCX),
    it cannot reach the caller, and Python would print its traceback. It is remembered
    (`_interrupt`) and stops the work as soon as the library returns."""
    def hook(unraisable: Any) -> None:
        if unraisable.exc_type is not None and issubclass(unraisable.exc_type,
                                                          KeyboardInterrupt):
            return
        previous(unraisable)

    return hook


@contextmanager
def signals_held() -> Iterator[None]:
    """Ctrl-C and SIGTERM wait (blocked, not lost) until the block is done, and then stop
    the work as ever: for imports of C extensions, whose initialisation an exception
    raised inside aborts Python (pikepdf's, through nanobind: exit -6)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    with _blocked({signal.SIGINT, signal.SIGTERM}):
        yield


@contextmanager
def _blocked(signals: set[signal.Signals]) -> Iterator[None]:
    """`signals` blocked in this thread: pending, never lost, delivered when unblocked."""
    signal.pthread_sigmask(signal.SIG_BLOCK, signals)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, signals)


@contextmanager
def without_sigint(hold_sigterm: bool = True) -> Iterator[None]:
    """Processes forked inside ignore Ctrl-C from their first instruction: the parent
    alone handles it, and stops them. SIGTERM, which stops the parent as Ctrl-C does
    (`sigterm_as_interrupt`), waits too, unless `hold_sigterm` is false: raised while a
    pool of workers starts, between its thread's making and its start, it left the pool
    unable to shut down ("cannot join thread before it is started"). The children make
    their temporary folders in this process's folder for them, made first."""
    _children_temp()
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    # Blocked as well as ignored: a Ctrl-C that comes while the workers fork stays pending
    # (Linux never drops a blocked signal) and reaches this process once its handler is
    # back, instead of being lost, which let the build run on to its end.
    with _blocked({signal.SIGINT, signal.SIGTERM} if hold_sigterm else {signal.SIGINT}):
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, previous)


def in_workers(calls: list[tuple[Any, tuple]], jobs: int,
                crashed: Callable[[Any, BrokenProcessPool], Any]) -> Iterator[tuple[Any, Any]]:
    """(key, result) of each (key, (function, *args)) call, made in worker processes, as
    they finish; a call whose worker dies gives ``crashed(key, error)``.

    Only two calls a worker are handed out at a time, so that Ctrl-C (which ends the
    pool) waits for the few that are running, not for the whole batch. A worker that
    dies (a crash in a library) breaks the pool and every call in it: those calls are
    made again one at a time, each in a process of its own, so that only the answer
    that crashes fails.
    """
    count = min(jobs, len(calls))
    pending = iter(calls)
    running: dict[Future, tuple[Any, tuple]] = {}
    broken: list[tuple[Any, tuple]] = []

    def hand_out(pool: ProcessPoolExecutor) -> None:
        for key, call in pending:
            try:
                running[pool.submit(*call)] = (key, call)
            except BrokenProcessPool:
                broken.append((key, call))
                continue
            if len(running) >= 2 * count:
                return

    def result(key: Any, future: Future) -> Any:
        try:
            return future.result()
        except BrokenProcessPool as exc:
            return crashed(key, exc)

    with _workers(count) as pool:
        with without_sigint():  # the first submit forks the workers
            hand_out(pool)
        while running:
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                key, call = running.pop(future)
                if isinstance(future.exception(), BrokenProcessPool):
                    broken.append((key, call))
                else:
                    yield key, result(key, future)
            hand_out(pool)
    for key, call in broken:
        with _workers(1) as alone:
            with without_sigint():
                future = alone.submit(*call)
            wait([future])
        yield key, result(key, future)


def own_group(pid: int) -> None:
    """Put a child in a process group of its own (set by parent and child alike, so that
    it holds whichever runs first)."""
    with suppress(OSError):  # the child has already set it, or has already exited
        os.setpgid(pid, pid)


def end_group(process: multiprocessing.process.BaseProcess) -> None:
    """Kill the PDF side and its workers; they hold no file half-written (this process
    writes every output), so nothing is lost but unfinished work."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except OSError:
        process.kill()


# A spare that is to lay out a statement waits this long after its import for the call
# before it warms up: the changed answer most often reaches it as the import ends (the
# agenda hands it over as soon as it is checked), and a warm-up begun just before would
# hold the call up by more than it saves.
LAYOUT_GRACE = 0.05


class Spare:
    """One worker forked now, running the `warm` steps (an import that takes a while)
    while this process goes on with its own work; it makes one call later, or is ended
    unused. A step is skipped once the call has come: the call would wait for it. With
    `grace`, a step after the first is begun only if the call has not come within that
    many seconds either: for a call that most often comes as the first step ends."""

    def __init__(self, *warm: Callable[[], Any], grace: float = 0.0) -> None:
        context = multiprocessing.get_context("fork")
        self._connection, child = context.Pipe()
        self._process = context.Process(target=_serve_one,
                                        args=(child, warm, os.getpid(), grace), daemon=True)
        with without_sigint():
            self._process.start()
        child.close()

    def submit(self, function: Callable[..., Any], *args: Any) -> None:
        """Hand the worker its call; `result` waits for it."""
        try:
            self._connection.send((function, args))
        except OSError as exc:
            self.end()
            raise BrokenProcessPool(f"the spare worker ended: {exc}") from None

    def result(self) -> Any:
        """What the call gave, once the worker has made it (it then ends); BrokenProcessPool
        if it died first."""
        try:
            return self._connection.recv()
        except (EOFError, OSError) as exc:
            raise BrokenProcessPool(f"the spare worker ended: {exc}") from None
        finally:
            self.end()

    def end(self) -> None:
        """Stop the worker (at once, if it has not made its call) and reap it."""
        if self._process.is_alive():
            self._process.kill()
        self._process.join()
        self._connection.close()


def _serve_one(connection: Any, warm: tuple[Callable[[], Any], ...], parent: int,
               grace: float = 0.0) -> None:
    die_with_parent(parent)
    for number, step in enumerate(warm):
        # Skipped once the call has come (or the parent has gone); after the first step,
        # also if it comes within the grace.
        if connection.poll(grace if number else 0):
            break
        step()
    function, args = connection.recv()
    connection.send(function(*args))
    connection.close()


def fresh(function: Callable[..., Any], *args: Any) -> Any:
    """function(*args) made in a new Python process, started rather than forked: its
    memory is its own, not a copy of this process's as well (a fork of a process that
    holds WeasyPrint and a merged packet starts that large). It ignores Ctrl-C, which this
    process handles, and dies with it; an exception it raises is raised here. The function
    and its arguments must pickle.

    Not multiprocessing's spawn: that imports the caller's main module again, and
    `python -m utlatande` would run its command once more."""
    import pickle
    import subprocess

    code = (f"import sys; sys.path[:] = {sys.path!r}; "
            "from utlatande.pool import serve_fresh; serve_fresh()")
    # The process starts with Ctrl-C ignored; a SIGTERM is not held for the whole call.
    with without_sigint(hold_sigterm=False):
        done = subprocess.run([sys.executable, "-c", code],
                              input=pickle.dumps((os.getpid(), function, args)),
                              capture_output=True, check=False)
    if done.returncode != 0 or not done.stdout:
        raise BrokenProcessPool(f"the fresh worker ended with {done.returncode}: "
                                f"{done.stderr.decode('utf-8', 'replace')[-2000:]}")
    failed, value = pickle.loads(done.stdout)
    if failed:
        raise value
    return value


def serve_fresh() -> None:
    """The fresh process's side of `fresh`: the call from stdin, (failed, value) to
    stdout."""
    import pickle

    parent, function, args = pickle.loads(sys.stdin.buffer.read())
    die_with_parent(parent)
    # The result alone goes to the pipe: what the call or a library prints (from Python or
    # from C) goes to stderr, so it cannot break the result.
    result_fd = os.dup(1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    try:
        result = (False, function(*args))
    except Exception as exc:  # noqa: BLE001 - raised again in the parent
        result = (True, exc)
    with os.fdopen(result_fd, "wb") as out:
        out.write(pickle.dumps(result))
