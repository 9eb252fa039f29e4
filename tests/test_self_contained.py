"""The repository stands alone: tests, bench, scripts, Makefile and CI read nothing above it.

A user's clone, a fork or another CI has no shared folder beside it; what the tests compare against
lives in `tests/reference/`. The check is static: Python files are walked with `ast`
and every path built from `__file__` is followed up and down the tree; shell, make and
CI files are searched for `..` path segments that climb out of the folder they stand in.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from textmatch import REFERENCE, seed_text

ROOT = Path(__file__).resolve().parents[1]
CHECKED = ["tests", "bench", "scripts", ".ci", "Makefile"]
SEEDS = ["000", "001", "002", "003", "004"]


def checked_files() -> list[Path]:
    files: list[Path] = []
    for name in CHECKED:
        path = ROOT / name
        if path.is_file():
            files.append(path)
        elif path.is_dir():
            files += [p for p in sorted(path.rglob("*")) if p.is_file()
                      and "__pycache__" not in p.parts and p.suffix not in {".txt", ".html"}]
    return files


class _Climb(ast.NodeVisitor):
    """Finds expressions that build a path above the repository root from `__file__`.

    A path's level is its depth below the root: `Path(__file__)` of tests/x.py is 2,
    `.parent` takes one off, `.parents[n]` n + 1, `/ "a/b"` adds a segment each and `..`
    takes one off. Names bound at module level to such a path keep their level.
    """

    def __init__(self, depth: int) -> None:
        self.depth = depth
        self.names: dict[str, int] = {}
        self.found: list[tuple[int, str]] = []

    def level(self, node: ast.AST) -> int | None:
        if isinstance(node, ast.Name):
            return self.names.get(node.id)
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in {"Path", "PurePath"} and node.args:
                first = node.args[0]
                if isinstance(first, ast.Name) and first.id == "__file__":
                    return self.depth
                return self.level(first)
            if isinstance(func, ast.Attribute) and func.attr in {"resolve", "absolute"}:
                return self.level(func.value)
            return None
        if isinstance(node, ast.Attribute) and node.attr == "parent":
            inner = self.level(node.value)
            return None if inner is None else inner - 1
        if isinstance(node, ast.Subscript) and isinstance(node.value, ast.Attribute) \
                and node.value.attr == "parents" and isinstance(node.slice, ast.Constant):
            inner = self.level(node.value.value)
            return None if inner is None else inner - 1 - int(node.slice.value)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            inner = self.level(node.left)
            if inner is None:
                return None
            if isinstance(node.right, ast.Constant) and isinstance(node.right.value, str):
                for part in node.right.value.split("/"):
                    inner += -1 if part == ".." else (0 if part in {"", "."} else 1)
                    if inner < 0:
                        return inner
            else:
                inner += 1
            return inner
        return None

    def visit_Assign(self, node: ast.Assign) -> None:
        value = self.level(node.value)
        if value is not None:
            for target in node.targets:
                if isinstance(target, ast.Name):
                    self.names[target.id] = value
        self.generic_visit(node)

    def generic_visit(self, node: ast.AST) -> None:
        if isinstance(node, ast.expr):
            value = self.level(node)
            if value is not None and value < 0:
                self.found.append((node.lineno, ast.unparse(node)))
                return
        super().generic_visit(node)


def climbing_paths(path: Path, relative: Path | None = None) -> list[str]:
    """Places in one file that reach above the repository root, as 'file:line: text'.

    `relative` is where the file stands in the repository (default: where it is).
    """
    relative = relative or path.relative_to(ROOT)
    text = path.read_text(encoding="utf-8", errors="replace")
    found: list[str] = []
    if path.suffix == ".py":
        visitor = _Climb(len(relative.parts))
        visitor.visit(ast.parse(text))
        found += [f"{relative}:{line}: {code}" for line, code in visitor.found]
    for number, line in enumerate(text.splitlines(), 1):
        names_shared = re.search(r"(?<![\w.])shared/(seeds|spec)\b", line)
        climbs = path.suffix != ".py" and re.search(r"(^|[\s\"'=(:])\.\./", line)
        if names_shared or climbs:
            found.append(f"{relative}:{number}: {line.strip()}")
    return found


def test_nothing_reads_above_the_repository() -> None:
    found = [place for path in checked_files() for place in climbing_paths(path)]
    assert not found, "läser utanför förrådet:\n" + "\n".join(found)


@pytest.mark.parametrize("code", [
    'SEEDS = Path(__file__).resolve().parents[2] / "elsewhere" / "seeds"\n',
    'ROOT = Path(__file__).resolve().parents[1]\nSEEDS = ROOT.parent / "x"\n',
    'X = Path(__file__).parent / "../../y"\n',
])
def test_the_check_sees_a_climb(tmp_path: Path, code: str) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text(code, encoding="utf-8")
    assert climbing_paths(probe, Path("tests/probe.py"))


@pytest.mark.parametrize(("name", "line"), [
    ("Makefile", "\tcp ../common/format.md docs/\n"),
    ("run", "cd ../ && make test\n"),
])
def test_the_check_sees_a_climb_in_shell(tmp_path: Path, name: str, line: str) -> None:
    probe = tmp_path / name
    probe.write_text(line, encoding="utf-8")
    assert climbing_paths(probe, Path(".ci") / name)


def test_the_check_lets_the_repository_be(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text('ROOT = Path(__file__).resolve().parents[1]\nX = ROOT / "answers"\n',
                     encoding="utf-8")
    assert climbing_paths(probe, Path("tests/probe.py")) == []


@pytest.mark.parametrize("name", SEEDS)
def test_every_seed_has_its_reference_text(name: str) -> None:
    text = seed_text(name)
    assert len(text.split()) > 300
    assert (REFERENCE / next(p.name for p in REFERENCE.glob(f"{name}_*.txt"))).is_file()


def test_a_missing_reference_fails_clearly() -> None:
    with pytest.raises(pytest.fail.Exception, match="referenstexten för seed 999 saknas"):
        seed_text("999")
