"""An edited DOCX → its answer file: read, merge three ways, check, write atomically."""

from __future__ import annotations

import difflib
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import AnswerError, Problem, display_path
from ..load import load_yaml
from ..wordtext import Change, Comment, group, parse_key
from .docxfile import open_docx, refuse
from .merge import Conflict, NotYaml, merge

MODES = ("list", "accept", "reject")


@dataclass
class Imported:
    """What an import found and did."""

    answer: Path
    written: bool = False
    changed: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)  # formatted, with file:line:col
    changes: list[Change] = field(default_factory=list)  # pending tracked changes
    comments: list[Comment] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    diff: str = ""
    collected: bool = False  # the DOCX's edits are all in the answer file now

    @property
    def ok(self) -> bool:
        return not self.conflicts and not self.changes


def import_docx(docx: Path, project: Path, answer: Path | None = None, mode: str = "list",
                show: bool = False) -> Imported:
    """Merge the DOCX's edits into its answer file; with `show` only the diff is made.

    `mode` says what to do with pending tracked changes: 'list' them and write nothing,
    'accept' or 'reject' them. Errors in the input raise AnswerError; nothing is written.
    """
    opened = open_docx(docx)
    embedded = opened.embedded
    if embedded is None:
        raise refuse(docx, "dokumentet byggdes inte av utlatande (svarsfilen finns inte i "
                     "det); ett gammalt Word-utlåtande blir en ny svarsfil med "
                     "'utlatande import FIL.docx -o answers/ny.yaml'", "import.okänd")
    target = answer or (project / embedded.answer)
    result = Imported(target)
    reader = opened.reader("reject" if mode == "reject" else "accept")
    extracted = group(reader.items(), embedded.keys, opened.parts, reader.stories())
    result.comments = extracted.comments
    if mode == "list":
        result.changes = extracted.changes
    if embedded.version < 2:  # headers and layout tables were not marked then
        extracted.stray, extracted.furniture = [], []
    result.warnings += [f"texten kunde inte placeras i någon nyckel och hämtas inte: {t!r}"
                        for t in extracted.unplaced + extracted.stray]
    result.warnings += [f"texten {text!r} {_where(name)} står inte i någon nyckel och hämtas "
                        "inte" for name, text in extracted.furniture]
    result.warnings += [f"en textruta{f' i {key!r}' if key else ''} hämtas inte: {text!r}"
                        for key, text in extracted.boxes]
    result.warnings += [f"en fotnot{f' i {key!r}' if key else ''} hämtas inte (där står bara "
                        f"en rad): {text!r}" for key, text in extracted.notes]
    result.warnings += _template_edits(embedded.template, extracted.template,
                                       extracted.parts)
    try:
        base_text = embedded.text.decode("utf-8")
    except UnicodeDecodeError:
        raise refuse(docx, "svarsfilen som utlatande lade in i dokumentet är skadad",
                     "import.skadad") from None
    current = load_yaml(target)  # a missing or broken answer file is the user's error
    try:
        merged = merge(base_text, current.source, embedded.values, extracted.values,
                       extracted.inserted, extracted.sections,
                       frozenset(extracted.pictures))
    except NotYaml as exc:
        raise refuse(docx, f"svarsfilen som utlatande lade in i dokumentet är inte giltig "
                     f"YAML ({exc})", "import.yaml") from None
    result.warnings += merged.warnings
    result.conflicts = [_conflict(c, current) for c in merged.conflicts]
    result.changed = merged.changed
    if merged.reformatted and merged.changed:
        result.warnings.append(f"{display_path(target)}: filens indrag kunde inte behållas "
                               "exakt; kommentarer och värden är kvar")
    if merged.text != current.source:
        shown = display_path(target)
        result.diff = "".join(difflib.unified_diff(
            current.source.splitlines(True), merged.text.splitlines(True), shown, shown))
    if show or not result.ok:
        return result
    if merged.text != current.source:
        _write_checked(target, merged.text, project)
        result.written = True
    result.collected = True  # its edits are in the answer now: `build` may replace it
    return result


def _where(name: str) -> str:
    """'word/header1.xml' → 'i sidhuvudet (word/header1.xml)'."""
    kind = "sidfoten" if "footer" in name.rsplit("/", 1)[-1] else "sidhuvudet"
    return f"i {kind} ({name})"


def _template_edits(before: dict[str, str], after: dict[str, str],
                    parts: dict[str, str]) -> list[str]:
    return [f"texten {text!r}{' ' + _where(parts[mark]) if mark in parts else ''} kommer från "
            f"mallen, inte från svarsfilen, och ändringen till {after[mark]!r} hämtas inte"
            for mark, text in before.items()
            if mark in after and after[mark] != text and after[mark]]


def _conflict(conflict: Conflict, current) -> str:
    path = parse_key(conflict.key)
    line, column = current.where(path)
    return (f"{current.shown}:{line}:{column}: konflikt: '{conflict.key}' ändrades både i Word "
            f"och i svarsfilen\n  i Word:\n{_quoted(conflict.word)}\n  i svarsfilen:\n"
            f"{_quoted(conflict.file)}")


def _quoted(value) -> str:
    if isinstance(value, list):
        value = "\n".join(str(v) for v in value)
    lines = str(value).rstrip("\n").split("\n")
    return "\n".join(f"    | {line}" for line in lines)


def _write_checked(target: Path, text: str, project: Path) -> None:
    """Write the merged answer atomically, only if it still passes `check`."""
    from ..pipeline import check

    fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".yaml")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        checked = check(Path(temp), project)
        errors = [p for p in checked.problems if p.is_error]
        if errors:
            shown = display_path(target)
            raise AnswerError([Problem(shown, p.line, p.column, f"efter importen: {p.message}",
                                       p.code) for p in errors])
        os.chmod(temp, target.stat().st_mode & 0o777)
        os.replace(temp, target)
    finally:
        Path(temp).unlink(missing_ok=True)
