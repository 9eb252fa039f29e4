"""The agenda's depfile names every file so that make reads it, whatever the file's name."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from utlatande.agenda import make_rule

NAMES = ["a:b.yaml", "c;d.yaml", "e%f.yaml", "g*h.yaml", "i[j].yaml", "k l.yaml", "m=n.yaml",
         "o#p.yaml", "q$r.yaml", "s?t.yaml", "vanlig.yaml", "slut\\", "u\\ v.yaml",
         "w\\:x.yaml", "y\\#z.yaml", "a|b.yaml", "c(d).yaml", "e\nf.yaml", "~root/g.yaml"]


def _make(folder: Path, *args: str) -> int:
    return subprocess.run(["make", "-s", *args], cwd=folder, capture_output=True).returncode


@pytest.mark.parametrize("name", NAMES)
def test_a_file_name_make_cannot_take_as_typed_still_works(tmp_path, monkeypatch, name):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "Makefile").write_text("ut:\n\ttouch ut\n-include dep.d\n", encoding="utf-8")
    source = tmp_path / name
    source.parent.mkdir(exist_ok=True)
    source.write_text("x", encoding="utf-8")
    (tmp_path / "dep.d").write_text(make_rule(tmp_path / "ut", [source, tmp_path / "vanlig.yaml"]),
                                    encoding="utf-8")
    (tmp_path / "vanlig.yaml").touch()
    assert _make(tmp_path, "ut") == 0
    assert _make(tmp_path, "-q", "ut") == 0  # up to date
    later = (tmp_path / "ut").stat().st_mtime_ns + 10**9
    os.utime(source, ns=(later, later))
    assert _make(tmp_path, "-q", "ut") == 1  # the edit is seen
    assert _make(tmp_path, "ut") == 0
    source.unlink()
    assert _make(tmp_path, "ut") == 0  # a deleted file is no error
