"""Shared fixtures: the project, and every answer in answers/ built once per test session."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).parent))

# seed number → answer file (without .yaml) that transcribes it
SEED_ANSWERS = {
    "000": "malmo-svar-namndinitiativ",
    "001": "malmo-nulagesrapport",
    "002": "stockholm-nyckeltjanster",
    "003": "linkoping-omradesbaserat-socialt-arbete",
    "004": "rinkeby-kista-sociala-insatsgruppen",
}

# The head of a meeting file: Socialnämnden on 19 March 2024; the items follow, one a line.
MEETING_HEAD = """möte:
  organ: Socialnämnden
  datum: 2024-03-19
  tid: "17.00"
  plats: Rådhuset
ärenden:
"""


def processes_in_session(session: int, patience: float = 0.0) -> list[int]:
    """The live processes of a session (a command and all it started), waiting up to
    `patience` seconds for them to end."""
    deadline = time.monotonic() + patience
    while True:
        alive = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[3]) == session and fields[0] != "Z":
                alive.append(int(stat.parent.name))
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.1)


def own_profile(project: Path, body: str) -> None:
    """A profile 'egen' whose tjänsteutlåtande template has `body` as its content (line 3)."""
    theme = project / "templates" / "egen"
    (theme / "mallar").mkdir(parents=True, exist_ok=True)
    (theme / "tema.yaml").write_text("namn: Egen\n", encoding="utf-8")
    (theme / "mallar" / "tjänsteutlåtande.html.j2").write_text(
        '{% extends "bas.html.j2" %}\n{% block innehall %}\n' + body + "\n{% endblock %}\n",
        encoding="utf-8")


@pytest.fixture(scope="session")
def project() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def built(tmp_path_factory) -> Path:
    """build/ of a fresh build of every answer, in all three formats."""
    from utlatande.pipeline import build

    out = tmp_path_factory.mktemp("build")
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        for answer in sorted((ROOT / "answers").glob("*.yaml")):
            result = build(answer, out, ("pdf", "docx", "html"), ROOT)
            assert result.ok, [str(p) for p in result.problems]
    finally:
        os.chdir(cwd)
    return out


@pytest.fixture
def in_project(monkeypatch) -> Path:
    """Run with the project as the working folder, as `make` does."""
    monkeypatch.chdir(ROOT)
    return ROOT
