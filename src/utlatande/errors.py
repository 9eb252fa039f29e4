"""One family of problems: each names the file, the line and the column, in Swedish."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import click

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


class AnswerError(click.ClickException):
    """Raised when an answer (or meeting) file cannot be built; carries every problem."""

    exit_code = 1

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=lambda p: (p.path, p.line, p.column))
        super().__init__("\n".join(str(p) for p in self.problems))

    def format_message(self) -> str:
        return self.message


def display_path(path: Path) -> str:
    """The path as the user typed it: relative to the working folder where possible."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return os.path.normpath(path)  # outside the working folder: as given, without "x/.."
