"""Plain exceptions and problems: each problem names the file, the line and the column.

Nothing here knows the command line: cli/ turns a UserError into its message and exit code.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ERROR = "fel"
WARNING = "varning"


@dataclass(frozen=True, order=True)
class Problem:
    """A problem in a user's file, printed as ``file:line:col: fel: message [code]``."""

    path: str
    line: int
    column: int
    message: str
    code: str
    level: str = ERROR

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.level}: {self.message} [{self.code}]"

    @property
    def is_error(self) -> bool:
        return self.level == ERROR


class UserError(Exception):
    """A mistake of the user's that stops a command: cli/ prints str(error) and exits 1."""

    exit_code = 1

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class AnswerError(UserError):
    """Raised when an answer (or meeting) file cannot be built; carries every problem."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=lambda p: (p.path, p.line, p.column))
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self) -> tuple[type, tuple[list[Problem]]]:
        # Raised in a fresh process (pool.fresh), it comes back pickled: by its problems.
        return type(self), (self.problems,)


def display_path(path: Path) -> str:
    """The path as the user typed it: relative to the working folder where possible."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return os.path.normpath(path)  # outside the working folder: as given, without "x/.."
    except (OSError, RuntimeError):  # a symlink loop (RuntimeError before Python 3.13)
        return os.path.relpath(os.path.abspath(path))


def internal_error(path: Path, exc: BaseException) -> Problem:
    """A bug in utlatande (or a crash in a library) while making one file: that file's
    problem, so that the others are still made."""
    return Problem(display_path(path), 1, 1, f"internt fel i utlatande: "
                   f"{type(exc).__name__}: {exc}", "internt")
