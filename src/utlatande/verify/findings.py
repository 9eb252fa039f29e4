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
        return f"{self.path}: {self.severity}: {self.message} [verify.{self.code}]"

    @property
    def severity(self) -> str:
        """'fel', or 'varning' for what the file cannot help (WARNINGS)."""
        return "varning" if self.code in WARNINGS else "fel"


# What a file cannot help: pages of a third party's untagged appendix, included as they are;
# form fields an appendix brings (a signature field of its own, a form).
WARNINGS = {"otaggad_bilaga", "formulärfält"}


Issue = tuple[str, str]  # (code, Swedish message) before the file is named
