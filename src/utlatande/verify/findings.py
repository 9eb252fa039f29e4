"""What a check finds: a failed property of one file, named in Swedish."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Finding:
    """One failed property of one file, printed as ``file: fel: message [verify.code]``."""

    path: str
    message: str
    code: str

    def __str__(self) -> str:
        return f"{self.path}: fel: {self.message} [verify.{self.code}]"


Issue = tuple[str, str]  # (code, Swedish message) before the file is named
