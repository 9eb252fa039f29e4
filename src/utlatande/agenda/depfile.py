"""The make rule of an agenda (`agenda --depfile`): every file it was made from."""

from __future__ import annotations

from pathlib import Path

from .. import pipeline
from ..errors import display_path
from .meeting import Agenda


def dependencies(agenda: Agenda) -> list[Path]:
    """Every file and folder the agenda was made from: the meeting file, the answers,
    appendices, and the theme chains (templates, CSS, fonts, profiles)."""
    themes = {agenda.theme.name: agenda.theme}
    files = [agenda.path]
    for item in agenda.items:
        if item.checked is not None:
            files.append(item.checked.path)
            if item.checked.theme is not None:
                themes[item.checked.theme.name] = item.checked.theme
        if agenda.shown(item) and item.checked is not None:
            files.extend(pipeline.inputs(item.checked)[1:])  # appendices, images
        elif agenda.shown(item):
            files.extend(a.fil for a in item.files if a.fil is not None)
    for theme in themes.values():
        files.extend(theme.dependencies())
        files.extend(theme.folder_tree())
    return list(dict.fromkeys(files))


# How make reads a file name in a rule: escaped where it can be, a one-character wildcard
# ('?') for what it cannot escape (';' ends the prerequisites, '=' makes a variable, '%'
# a pattern, '|' starts order-only prerequisites, '(' an archive member, and a backslash
# escapes whatever follows it, the line's end included).
_MAKE_ESCAPES = {"$": "$$", " ": "\\ ", "#": "\\#", ":": "\\:", "*": "\\*", "?": "\\?",
                 "[": "\\[", ";": "?", "=": "?", "%": "?", "|": "?", "(": "?", ")": "?",
                 "\\": "?", "\n": "?", "\t": "?", "\r": "?"}


def _make_path(path: Path) -> str:
    shown = display_path(path)
    if shown.startswith("~"):  # make reads ~user/ at a word's start as a home folder
        shown = str(path.absolute())
    return shown.translate(str.maketrans(_MAKE_ESCAPES))


def make_rule(target: Path, prerequisites: list[Path]) -> str:
    """A make rule `target: prerequisites`, each prerequisite also an empty target so that
    a deleted file is a change, not an error (as gcc -MP does)."""
    names = [_make_path(p) for p in prerequisites]
    lines = [f"{_make_path(target)}: \\"] + [f"  {name} \\" for name in names[:-1]]
    lines.append(f"  {names[-1]}")
    lines += [""] + [f"{name}:" for name in names]
    return "\n".join(lines) + "\n"
