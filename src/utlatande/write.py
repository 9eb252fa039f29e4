"""Atomic writes: an output file appears complete or not at all."""

from __future__ import annotations

import errno
import os
import re
import shutil
import tempfile
from pathlib import Path

FORMATS = ("pdf", "docx", "html")
DEFAULT_FORMATS = ("pdf", "docx")


def write_atomic(path: Path, data: bytes, *, overwrite: bool = True) -> None:
    """Write to a temporary file beside `path`, then rename it over `path`.

    With overwrite=False the file is linked into place instead, which fails with
    FileExistsError if `path` exists, even when it appeared a moment ago.
    """
    temp = _staged(path, data)
    try:
        if overwrite:
            os.replace(temp, path)
        else:
            os.link(temp, path)
    finally:
        temp.unlink(missing_ok=True)


def write_all(files: dict[Path, bytes | Path]) -> None:
    """Write several files all or none: every one is written to its temporary file first,
    so a full disk or a read-only folder stops the lot before any file is replaced. A
    value is the file's bytes, or a file to copy them from (a block at a time, never held
    in memory whole).

    A folder standing where a file should go is found before anything is written too.
    """
    for path in files:
        if path.is_dir():
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(path))
    staged: dict[Path, Path] = {}
    try:
        for path, data in files.items():
            staged[path] = _staged(path, data)
        for path, temp in staged.items():
            os.replace(temp, path)
    finally:
        for temp in staged.values():
            temp.unlink(missing_ok=True)


def _staged(path: Path, data: bytes | Path) -> Path:
    """`data` (or the content of the file `data`) in a temporary file beside `path`, named
    after this process, so that one a killed process left behind is known as such
    (remove_orphans)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.{os.getpid()}.",
                                    suffix=".tmp")
    except OSError as exc:
        exc.filename = str(path)
        raise
    try:
        with os.fdopen(fd, "wb") as handle:
            if isinstance(data, Path):
                with data.open("rb") as source:
                    shutil.copyfileobj(source, handle, 1 << 20)
            else:
                handle.write(data)
        os.chmod(temp, 0o644)
    except BaseException as exc:
        Path(temp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            exc.filename = str(path)  # not the temporary file's name: the one being written
        raise
    return Path(temp)


# Why a file could not be written, as a user reads it.
_REASONS = {errno.EACCES: "behörighet saknas", errno.EPERM: "behörighet saknas",
            errno.ENOSPC: "disken är full", errno.EDQUOT: "diskkvoten är slut",
            errno.EROFS: "filsystemet är skrivskyddat",
            errno.EFBIG: "filen blir större än vad som får skrivas",
            errno.EISDIR: "där står en mapp", errno.ENOTDIR: "där står en fil, inte en mapp"}


def write_reason(exc: OSError) -> str:
    """Why a file could not be written, in Swedish."""
    return _REASONS.get(exc.errno or 0, exc.strerror or str(exc))


_TEMP = re.compile(r"^\..+\.(\d+)\.[^.]+\.tmp$")


def remove_orphans(folder: Path) -> None:
    """Remove the temporary files a killed process left in `folder` (its PID is gone)."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        match = _TEMP.match(entry.name)
        if match and not _alive(int(match.group(1))):
            Path(entry.path).unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # someone else's process: alive
    return True
