"""The semantic HTML of every answer equals its golden copy (make golden writes them anew)."""

from __future__ import annotations

import difflib

from golden import GOLDEN, render_all


def test_html_matches_golden_files():
    rendered = render_all()
    assert sorted(p.stem for p in GOLDEN.glob("*.html")) == sorted(rendered), \
        "answers and golden files differ: run make golden"
    for name, html in rendered.items():
        expected = (GOLDEN / f"{name}.html").read_text(encoding="utf-8")
        if html != expected:
            diff = "".join(difflib.unified_diff(expected.splitlines(True), html.splitlines(True),
                                                f"golden/{name}.html", "rendered", n=2))
            raise AssertionError(f"{name}: HTML differs from its golden file (make golden):\n"
                                 + diff[:4000])
