"""Compiled templates kept in the build's cache (compiled.py): taken instead of compiling,
never when the template changed, and never from a folder that is not the user's own; a
folder that cannot be written costs nothing but the time."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from utlatande import compiled
from utlatande.theme import Theme

from conftest import MEETING_HEAD, ROOT


def _theme(folder: Path) -> Theme:
    """A fresh theme (a fresh Jinja environment, nothing compiled in memory) of `folder`."""
    return Theme("prov", [folder], {}, folder)


@pytest.fixture
def templates(tmp_path) -> Path:
    folder = tmp_path / "tema"
    folder.mkdir()
    (folder / "sida.html.j2").write_text("<p>{{ namn }} har {{ antal }} ärenden</p>",
                                         encoding="utf-8")
    return folder


def _render(folder: Path, **values: object) -> str:
    return _theme(folder).environment.get_template("sida.html.j2").render(**values)


def _compiles(monkeypatch) -> list[str]:
    """The names of the templates Jinja compiles from here on."""
    from jinja2 import Environment

    names: list[str] = []
    original = Environment.compile

    def compile(self, source, name=None, filename=None, *args, **kwargs):
        names.append(name)
        return original(self, source, name, filename, *args, **kwargs)

    monkeypatch.setattr(Environment, "compile", compile)
    return names


def test_a_kept_template_is_not_compiled_again_and_an_edited_one_is(templates, tmp_path,
                                                                     monkeypatch):
    cache = tmp_path / "cache" / compiled.folder_name()
    cache.parent.mkdir()
    with compiled.kept_in(cache) as kept:
        assert _render(templates, namn="Anna", antal=2) == "<p>Anna har 2 ärenden</p>"
        kept.save()
    assert [p.suffix for p in cache.iterdir()] == [".jinja"]
    assert cache.stat().st_mode & 0o777 == 0o700
    names = _compiles(monkeypatch)
    with compiled.kept_in(cache):
        assert _render(templates, namn="Per", antal=3) == "<p>Per har 3 ärenden</p>"
    assert names == []  # from the cache
    (templates / "sida.html.j2").write_text("<p>{{ namn }}: {{ antal }}</p>", encoding="utf-8")
    with compiled.kept_in(cache):
        assert _render(templates, namn="Per", antal=3) == "<p>Per: 3</p>"
    assert names == ["sida.html.j2"]  # the edit is seen


def test_nothing_is_kept_outside_a_build_nor_before_it_is_saved(templates, tmp_path):
    cache = tmp_path / compiled.folder_name()
    _render(templates, namn="Anna", antal=1)
    with compiled.kept_in(cache):
        _render(templates, namn="Anna", antal=1)
    assert not cache.exists()  # a failed build writes nothing


def test_a_damaged_entry_is_compiled_anew(templates, tmp_path, monkeypatch):
    cache = tmp_path / compiled.folder_name()
    with compiled.kept_in(cache) as kept:
        _render(templates, namn="A", antal=1)
        kept.save()
    for entry in cache.iterdir():
        entry.write_bytes(entry.read_bytes()[:20])
    names = _compiles(monkeypatch)
    with compiled.kept_in(cache):
        assert _render(templates, namn="B", antal=2) == "<p>B har 2 ärenden</p>"
    assert names == ["sida.html.j2"]


def test_a_folder_that_cannot_be_written_costs_only_the_time(templates, tmp_path):
    cache = tmp_path / compiled.folder_name()
    cache.write_text("en fil, ingen mapp", encoding="utf-8")
    with compiled.kept_in(cache) as kept:
        assert _render(templates, namn="A", antal=1) == "<p>A har 1 ärenden</p>"
        kept.save()
    assert cache.read_text(encoding="utf-8") == "en fil, ingen mapp"


def test_a_folder_others_may_write_is_not_read(templates, tmp_path, monkeypatch):
    cache = tmp_path / compiled.folder_name()
    with compiled.kept_in(cache) as kept:
        _render(templates, namn="A", antal=1)
        kept.save()
    os.chmod(cache, 0o777)
    names = _compiles(monkeypatch)
    with compiled.kept_in(cache) as kept:
        _render(templates, namn="B", antal=2)
        kept.save()
    assert names == ["sida.html.j2"]
    link = tmp_path / "länk"
    os.chmod(cache, 0o700)
    link.symlink_to(cache)
    with compiled.kept_in(link):
        _render(templates, namn="C", antal=3)
    assert names == ["sida.html.j2", "sida.html.j2"]  # a link is not the user's folder


def test_an_agenda_keeps_its_compiled_templates_in_its_cache(tmp_path, monkeypatch):
    from utlatande import api

    shutil.copytree(ROOT / "templates", tmp_path / "templates")
    (tmp_path / "moten").mkdir()
    (tmp_path / "moten" / "m.yaml").write_text(
        MEETING_HEAD + "  - rubrik: Information\n    förslag: Informationen noteras.\n",
        encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    api.build_agenda(Path("moten/m.yaml"), Path("build"))
    cache = tmp_path / "build" / ".utlatande-cache" / compiled.folder_name()
    assert sorted(p.suffix for p in cache.iterdir()) and all(
        p.suffix == ".jinja" for p in cache.iterdir())
    first = (tmp_path / "build" / "m" / "m.pdf").read_bytes()
    names = _compiles(monkeypatch)
    shutil.rmtree(tmp_path / "build" / "m")
    from utlatande.theme import clear_cache

    clear_cache()  # a new process's themes: nothing compiled in memory
    api.build_agenda(Path("moten/m.yaml"), Path("build"))
    assert names == []
    assert (tmp_path / "build" / "m" / "m.pdf").read_bytes() == first
