"""Compiled templates kept between runs: Jinja's bytecode of each template a build renders,
in a folder of the PDF cache (store.py), so that the statement and kallelse templates are
not compiled again by every process.

An entry is keyed by the template's name and file and the environment's options, and holds
a checksum of the template's source: an edited template is compiled anew (Jinja compares
the checksum). Its files are loaded as code, so the folder must be this user's own and
closed to others (created 0700; any other folder is not used). What a build compiles is
written only once the build is done (`save`), and a folder that cannot be written costs
the time, never the build.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import jinja2
from jinja2.bccache import Bucket, BytecodeCache

from .write import write_atomic


def folder_name() -> str:
    """The cache's folder in the PDF cache: one for each user."""
    return f"jinja-{os.getuid()}" if hasattr(os, "getuid") else "jinja"


def _options(environment: jinja2.Environment) -> str:
    """What else than the source decides the compiled code: Jinja's version and the
    environment's kind and syntax options."""
    return repr((jinja2.__version__, type(environment).__qualname__,
                 environment.block_start_string, environment.block_end_string,
                 environment.variable_start_string, environment.variable_end_string,
                 environment.comment_start_string, environment.comment_end_string,
                 environment.line_statement_prefix, environment.line_comment_prefix,
                 environment.trim_blocks, environment.lstrip_blocks,
                 environment.newline_sequence, environment.keep_trailing_newline,
                 bool(environment.autoescape), environment.optimized,
                 environment.is_async, sorted(environment.extensions)))


def _own(folder: Path) -> bool:
    """Whether `folder` is a folder (not a link to one) of this user that no one else may
    write to or read."""
    try:
        status = os.lstat(folder)
    except OSError:
        return False
    if not stat.S_ISDIR(status.st_mode) or stat.S_IMODE(status.st_mode) & 0o077:
        return False
    return not hasattr(os, "getuid") or status.st_uid == os.getuid()


class CompiledTemplates(BytecodeCache):
    """Jinja's bytecode cache, in the folder given by `kept_in` (none outside it)."""

    def __init__(self) -> None:
        self.folder: Path | None = None
        self.usable = False
        self.pending: dict[str, bytes] = {}

    def get_bucket(self, environment: jinja2.Environment, name: str, filename: str | None,
                   source: str) -> Bucket:
        key = self.get_cache_key(f"{_options(environment)}\0{name}", filename)
        bucket = Bucket(environment, key, self.get_source_checksum(source))
        self.load_bytecode(bucket)
        return bucket

    def _file(self, key: str) -> Path:
        assert self.folder is not None
        return self.folder / f"{key}.jinja"

    def load_bytecode(self, bucket: Bucket) -> None:
        if self.folder is None or not self.usable:
            return
        try:
            with self._file(bucket.key).open("rb") as handle:
                bucket.load_bytecode(handle)
        except Exception:  # noqa: BLE001 - missing, unreadable or damaged: compiled anew
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        if self.folder is not None and bucket.code is not None:
            self.pending[bucket.key] = bucket.bytecode_to_string()

    def save(self) -> None:
        """Write what was compiled since `kept_in`; nothing if the folder is not usable."""
        if self.folder is None or not self.pending:
            return
        with suppress(OSError):
            self.folder.mkdir(mode=0o700, exist_ok=True)
        if not _own(self.folder):
            return
        for key, data in self.pending.items():
            with suppress(OSError):
                write_atomic(self._file(key), data)
        self.pending = {}


# The one cache every theme's environment uses (theme.py); it has a folder while a build
# that keeps compiled templates runs.
SHARED = CompiledTemplates()


@contextmanager
def kept_in(folder: Path) -> Iterator[CompiledTemplates]:
    """Templates compiled meanwhile are taken from `folder`, and kept there on `save`."""
    SHARED.folder, SHARED.usable, SHARED.pending = folder, _own(folder), {}
    try:
        yield SHARED
    finally:
        SHARED.folder, SHARED.usable, SHARED.pending = None, False, {}

