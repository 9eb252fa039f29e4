"""Swedish hyphenation patterns kept beside the PDF cache (hyphenation.py): read back they
hyphenate as pyphen's own parse does, a statement laid out with them is the same bytes,
and an entry that is not plain data is never unpickled into anything else."""

from __future__ import annotations

import pickle
import subprocess
import sys
from pathlib import Path

import pyphen
import pytest

from utlatande import hyphenation

from conftest import ROOT

WORDS = ["verksamhetsuppföljning", "socialnämnden", "förvaltningens", "kommunstyrelsen",
         "redovisningen", "tjänsteutlåtande"]


@pytest.fixture
def fresh_pyphen(monkeypatch):
    """pyphen with none of its dictionaries parsed yet (as in a new process)."""
    monkeypatch.setattr(pyphen, "hdcache", {})
    return pyphen


def _positions() -> list[list[int]]:
    dictionary = pyphen.Pyphen(lang="sv_SE")
    return [dictionary.positions(word) for word in WORDS]


def test_kept_patterns_hyphenate_as_pyphens_own(tmp_path, fresh_pyphen):
    path, data = hyphenation.to_keep(tmp_path)
    assert path.parent == tmp_path and path.name.startswith("avstavning-sv.")
    own = _positions()
    assert any(own)  # Swedish words do get hyphenated
    path.write_bytes(data)
    fresh_pyphen.hdcache.clear()
    assert hyphenation.use_kept(tmp_path)
    assert type(next(iter(fresh_pyphen.hdcache.values()))) is pyphen.HyphDict
    assert _positions() == own
    assert hyphenation.to_keep(tmp_path) is None  # kept: nothing more to keep


def test_nothing_kept_leaves_pyphen_to_parse(tmp_path, fresh_pyphen):
    assert not hyphenation.use_kept(tmp_path)
    assert fresh_pyphen.hdcache == {}


class _Planted:
    def __reduce__(self):
        return (print, ("körd",))


@pytest.mark.parametrize("content", [
    pickle.dumps(({"ab": (0, (1,))}, _Planted())),  # a class: refused, never called
    pickle.dumps(([1, 2], 3)),                      # not patterns
    pickle.dumps(({"ab": (0, ("1",))}, 2)),         # a value that is no number
    pickle.dumps(({"ab": 5, "cd": (0, (1,))}, 2)),  # a pattern without its values
    pickle.dumps(({}, 0)),                          # empty
    b"inte en pickle",
])
def test_an_entry_that_is_not_plain_patterns_is_not_used(tmp_path, fresh_pyphen, capsys,
                                                         content):
    path, _ = hyphenation.to_keep(tmp_path)
    fresh_pyphen.hdcache.clear()
    path.write_bytes(content)
    assert not hyphenation.use_kept(tmp_path)
    assert fresh_pyphen.hdcache == {}
    assert "körd" not in capsys.readouterr().out


def test_an_entry_of_another_dictionary_is_not_used(tmp_path, fresh_pyphen):
    path, data = hyphenation.to_keep(tmp_path)
    other = path.with_name("avstavning-sv.000000000000000000000000.pickle")
    other.write_bytes(data)
    fresh_pyphen.hdcache.clear()
    assert not hyphenation.use_kept(tmp_path)
    assert hyphenation.older_entries(tmp_path, path) == [other]


def test_a_statement_laid_out_with_kept_patterns_is_the_same_bytes(tmp_path):
    code = ("import hashlib, sys\nfrom pathlib import Path\nfrom utlatande import pipeline\n"
            "from utlatande import hyphenation\n"
            "cache = Path(sys.argv[2])\n"
            "if sys.argv[1] == 'kept':\n"
            "    path, data = hyphenation.to_keep(cache)\n"
            "    import pyphen; pyphen.hdcache.clear(); path.write_bytes(data)\n"
            "    assert hyphenation.use_kept(cache)\n"
            "pipeline.import_layout()\n"
            "checked = pipeline.check(Path('answers/rinkeby-kista-sociala-insatsgruppen.yaml'),"
            " Path.cwd())\n"
            "print(hashlib.sha256(pipeline.statement_pdf(checked, Path.cwd())).hexdigest())\n")
    digests = {}
    for how in ("own", "kept"):
        cache = tmp_path / how
        cache.mkdir()
        digests[how] = subprocess.run([sys.executable, "-c", code, how, str(cache)],
                                      capture_output=True, text=True, check=True,
                                      cwd=ROOT).stdout.strip()
    assert len(digests["own"]) == 64
    assert digests["own"] == digests["kept"]


def test_an_agenda_keeps_the_patterns_in_its_cache(tmp_path, monkeypatch):
    """The workers of the next build are given them (api.build_agenda's spare)."""
    import shutil

    from utlatande import api

    shutil.copytree(ROOT / "templates", tmp_path / "templates")
    shutil.copytree(ROOT / "answers", tmp_path / "answers")
    shutil.copytree(ROOT / "moten", tmp_path / "moten")
    monkeypatch.chdir(tmp_path)
    meeting = sorted(Path("moten").glob("*.yaml"))[0]
    api.build_agenda(meeting, Path("build"))
    kept = list((tmp_path / "build" / ".utlatande-cache").glob("avstavning-sv.*.pickle"))
    assert len(kept) == 1
    assert hyphenation._patterns(kept[0].read_bytes()) is not None
