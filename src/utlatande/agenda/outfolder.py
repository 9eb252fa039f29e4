"""Which agenda an output folder holds: a marker file names the meeting file and the version.

The full packet never lands where the public one was (`s.yaml --offentlig` and a meeting
file named `s-offentlig.yaml` both give `build/s-offentlig/`), two meeting files never
share a folder, and a public build that fails takes the older public files with it, so
that no statement since made secret stays published.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..errors import WARNING, Problem, display_path
from ..write import write_atomic
from .meeting import ITEM_FILE

MARKER = ".utlatande-kallelse.json"
FULL, PUBLIC = "fullständig", "offentlig"


def _version(offentlig: bool) -> str:
    return PUBLIC if offentlig else FULL


def _claim(folder: Path) -> dict[str, str] | None:
    """What the folder's marker says, or None for a folder without one (or a broken one)."""
    try:
        data = json.loads((folder / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict):
        return None
    return {key: str(value) for key, value in data.items()}


def collision(folder: Path, meeting: Path, offentlig: bool) -> Problem | None:
    """The problem when `folder` holds another meeting's agenda or the other version."""
    claim = _claim(folder)
    wanted = {"möte": display_path(meeting), "version": _version(offentlig)}
    if claim is None or claim == wanted:
        return None
    held = "den offentliga" if claim.get("version") == PUBLIC else "den fullständiga"
    mine = "den offentliga" if offentlig else "den fullständiga"
    return Problem(display_path(meeting), 1, 1,
                   f"{display_path(folder)}/ innehåller {held} kallelsen till "
                   f"{claim.get('möte', 'ett annat möte')}; {mine} kallelsen till "
                   f"{wanted['möte']} skrivs inte dit: byt namn på mötesfilen eller välj en "
                   "annan utmapp med -o", "möte.utmapp")


def mark(folder: Path, meeting: Path, offentlig: bool) -> None:
    """Say in the folder which meeting and version it holds."""
    data = {"möte": display_path(meeting), "version": _version(offentlig)}
    write_atomic(folder / MARKER, (json.dumps(data, ensure_ascii=False) + "\n").encode())


def withdraw_public(folder: Path, meeting: Path) -> Problem | None:
    """Remove the files of an earlier public build of this meeting, after a failed one; a
    warning saying so, or None when there was nothing to remove."""
    claim = _claim(folder)
    if claim is not None and claim != {"möte": display_path(meeting), "version": PUBLIC}:
        return None  # someone else's folder: collision() has said so
    if not folder.is_dir():
        return None
    # What an agenda build writes: item PDFs, the packet's PDF and DOCX named after the
    # folder, index.html and the marker.
    generated = {f"{folder.name}.pdf", f"{folder.name}.docx", "index.html", MARKER}
    removed = [path for path in folder.iterdir()
               if path.name in generated or ITEM_FILE.match(path.name)]
    for path in removed:
        path.unlink(missing_ok=True)
    if not any(path.name != MARKER for path in removed):
        return None
    return Problem(display_path(meeting), 1, 1, f"den tidigare offentliga kallelsen i "
                   f"{display_path(folder)}/ är borttagen, så att ingen äldre version ligger "
                   "kvar som offentlig", "offentlig.borttagen", WARNING)
