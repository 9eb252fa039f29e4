"""The Python API: every command as a function, and importing it costs nothing heavy."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from utlatande import api
from utlatande.scaffold import ScaffoldError

GOOD = """mall: tjänsteutlåtande
datum: 2024-03-19
rubrik: Ett litet utlåtande
sammanfattning: Kort text.
"""


def test_importing_the_api_imports_nothing_heavy():
    heavy = ("weasyprint", "jinja2", "ruamel", "docx", "jsonschema", "click", "pypdf",
             "pikepdf", "utlatande.pipeline")
    code = ("import sys, utlatande.api\n"
            f"print(sorted(m for m in sys.modules if m.startswith({heavy!r})))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "[]"


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    (tmp_path / "answers").mkdir()
    (tmp_path / "answers" / "liten.yaml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "answers" / "trasig.yaml").write_text(GOOD + "sammanfatning: x\n",
                                                      encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_check_returns_every_answers_problems(project):
    results = {r.path.name: r for r in api.check()}
    assert results["liten.yaml"].ok
    [problem] = results["trasig.yaml"].problems
    assert (problem.line, problem.code) == (5, "schema.okänd_nyckel")


def test_build_many_builds_what_changed_and_verify_checks_it(project):
    summary = api.build_many([Path("answers/liten.yaml")], formats=("pdf", "docx"), jobs=1)
    assert (summary.built, summary.failed) == (1, 0)
    assert api.build_many([Path("answers/liten.yaml")], jobs=1).unchanged == 1
    outputs = [project / "build" / "liten.pdf", project / "build" / "liten.docx"]
    assert api.verify(outputs) == {outputs[0]: [], outputs[1]: []}


def test_build_reports_problems_as_data(project):
    built = api.build(Path("answers/trasig.yaml"), formats=("html",))
    assert not built.ok and built.outputs == []
    assert [p.code for p in built.problems] == ["schema.okänd_nyckel"]


def test_new_answer_writes_once_and_raises_after(project):
    created = api.new_answer("rapport", Path("answers/ny.yaml"))
    assert created.path.read_text(encoding="utf-8").count("mall: rapport") == 1
    with pytest.raises(ScaffoldError, match="finns redan"):
        api.new_answer("rapport", Path("answers/ny.yaml"))
