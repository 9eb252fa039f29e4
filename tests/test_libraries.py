"""WeasyPrint's C libraries looked up ahead (render/libraries.py): the same answers as
ctypes gives, for the names the installed WeasyPrint asks."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from utlatande.render import libraries

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="the lookups run ahead on Linux only")

RECORD = """
import ctypes.util, json, sys
asked, original = [], ctypes.util.find_library
def find_library(name):
    asked.append(name)
    return original(name)
ctypes.util.find_library = find_library
import weasyprint
print(json.dumps(asked))
"""


def test_the_names_are_those_weasyprint_asks():
    done = subprocess.run([sys.executable, "-c", RECORD], capture_output=True, text=True,
                          check=True)
    asked = json.loads(done.stdout.splitlines()[-1])
    # A library that opens under an earlier name ends its list early: never a name more.
    assert set(asked) <= set(libraries.NAMES)
    assert asked == [name for name in libraries.NAMES if name in asked]


def test_the_answers_are_those_of_ctypes(monkeypatch):
    import ctypes.util

    monkeypatch.delitem(sys.modules, "weasyprint", raising=False)
    names = ("gobject-2.0", "libgobject-2.0-0", "c")
    original = ctypes.util.find_library
    expected = {name: original(name) for name in names}
    with libraries.looked_up_ahead(names[:2]):
        assert ctypes.util.find_library is not original
        assert {name: ctypes.util.find_library(name) for name in names} == expected
    assert ctypes.util.find_library is original
