"""Golden HTML: the semantic document of every answer in answers/, kept in tests/golden/.

`make golden` (python tests/golden.py --update) writes them anew after a deliberate change
to a template or a profile; test_golden.py fails when they differ from a fresh render.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = Path(__file__).resolve().parent / "golden"


def render_all() -> dict[str, str]:
    """Every answer's HTML, as `utlatande build -f html` writes it."""
    from utlatande.pipeline import check, render

    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        result = {}
        for answer in sorted((ROOT / "answers").glob("*.yaml")):
            checked = check(answer.relative_to(ROOT), ROOT)
            assert checked.ok, [str(p) for p in checked.problems]
            result[answer.stem] = render(checked, ("html",), ROOT)["html"].decode()
        return result
    finally:
        os.chdir(cwd)


def main() -> int:
    if "--update" not in sys.argv:
        print("python tests/golden.py --update skriver om tests/golden/*.html")
        return 2
    GOLDEN.mkdir(exist_ok=True)
    for old in GOLDEN.glob("*.html"):
        old.unlink()
    for name, html in render_all().items():
        (GOLDEN / f"{name}.html").write_text(html, encoding="utf-8")
        print(f"tests/golden/{name}.html")
    return 0


if __name__ == "__main__":
    sys.exit(main())
