"""Atomic writes: an output file appears complete or not at all."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

FORMATS = ("pdf", "docx", "html")
DEFAULT_FORMATS = ("pdf", "docx")


def write_atomic(path: Path, data: bytes, *, overwrite: bool = True) -> None:
    """Write to a temporary file beside `path`, then rename it over `path`.

    With overwrite=False the file is linked into place instead, which fails with
    FileExistsError if `path` exists, even when it appeared a moment ago.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(temp, 0o644)
        if overwrite:
            os.replace(temp, path)
        else:
            os.link(temp, path)
    finally:
        Path(temp).unlink(missing_ok=True)
