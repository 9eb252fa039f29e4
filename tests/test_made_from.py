"""What an answer's outputs are made from is known in one place (pipeline.made_from): the
manifest, the agenda's depfile and the preview's watcher all see its image."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from utlatande import pipeline
from utlatande.agenda import build_agenda
from utlatande.preview.pages import _watched

from conftest import MEETING_HEAD

ANSWER = """mall: tjänsteutlåtande
datum: 2024-05-20
rubrik: Bänkar i parken
sammanfattning: |
  Förvaltningen föreslår bänkar på platserna i kartan.

  ![Karta över parken](../bilder/karta.png)
"""
MEETING = MEETING_HEAD + """  - ../answers/x.yaml
"""


def _project(tmp_path: Path) -> Path:
    for folder in ("answers", "bilder", "moten"):
        (tmp_path / folder).mkdir()
    Image.new("RGB", (40, 20), (30, 120, 200)).save(tmp_path / "bilder" / "karta.png")
    (tmp_path / "answers" / "x.yaml").write_text(ANSWER, encoding="utf-8")
    (tmp_path / "moten" / "m.yaml").write_text(MEETING, encoding="utf-8")
    return tmp_path


def test_the_image_of_an_answer_counts_everywhere(tmp_path, monkeypatch):
    project = _project(tmp_path)
    monkeypatch.chdir(project)
    image = (project / "bilder" / "karta.png").resolve()
    checked = pipeline.check(Path("answers/x.yaml"), project)
    assert checked.ok, checked.problems
    files, folders = pipeline.made_from(checked, project)
    assert image in {f.resolve() for f in files}
    assert image in {p.resolve() for p in _watched(checked, project, set())}
    build_agenda(Path("moten/m.yaml"), Path("build"), project, depfile=Path("m.d"))
    rule = (project / "m.d").read_text(encoding="utf-8")
    assert "bilder/karta.png:" in rule.splitlines()
