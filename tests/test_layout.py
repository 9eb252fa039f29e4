"""The layout's rules (docs/arkitektur.md), read from the package's own imports with `ast`."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "utlatande"

# Imports run downward: a module imports modules of a lower layer, or of its own package
# (a feature folder's modules import one another). Features never import one another.
LAYERS = [
    ["utlatande", "utlatande.errors", "utlatande.write", "utlatande.markdown",
     "utlatande.pool", "utlatande.text", "utlatande.wordtext", "utlatande.pdfmerge",
     "utlatande.pdfappend", "utlatande.fontname"],
    ["utlatande.load", "utlatande.schema", "utlatande.model", "utlatande.review",
     "utlatande.personnummer", "utlatande.theme", "utlatande.yaml_advice",
     "utlatande.placeholders", "utlatande.images", "utlatande.case_text",
     "utlatande.theme_schema", "utlatande.pdfsafety", "utlatande.brand",
     "utlatande.attestation", "utlatande.pades", "utlatande.manifest", "utlatande.store",
     "utlatande.compiled", "utlatande.hyphenation"],
    ["utlatande.render"],
    ["utlatande.pipeline"],
    ["utlatande.scaffold", "utlatande.batch", "utlatande.agenda", "utlatande.preview",
     "utlatande.verify", "utlatande.newprofile", "utlatande.wordimport",
     "utlatande.signing"],
    ["utlatande.api"],
    ["utlatande.cli"],
    ["utlatande.__main__"],  # python -m utlatande: runs the command line
]
FEATURES = LAYERS[4]


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _resolve(module: str, node: ast.ImportFrom) -> list[str]:
    """What `from X import a, b` imports: X.a where that is a module, else X."""
    if node.level:
        is_package = MODULES[module].name == "__init__.py"
        base = module.split(".")
        base = base[: len(base) - node.level + (1 if is_package else 0)]
        source = ".".join(base + ([node.module] if node.module else []))
    else:
        source = node.module or ""
    names = [f"{source}.{alias.name}" for alias in node.names]
    return [name if name in MODULES else source for name in names]


def imports(module: str) -> set[str]:
    """Every module this one imports anywhere in it: at the top, in functions, for typing."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            found.update(_resolve(module, node))
    return found


def local_imports(module: str) -> set[str]:
    return {name for name in imports(module) if name in MODULES}


def layer_of(module: str) -> tuple[int, str]:
    """The layer index and the unit (top-level module or feature folder) of a module."""
    for index, layer in enumerate(LAYERS):
        for unit in layer:
            if module == unit or (unit != "utlatande" and module.startswith(unit + ".")):
                return index, unit
    raise AssertionError(f"{module} has no place in LAYERS: add it there and to "
                         "docs/arkitektur.md")


def test_every_module_has_a_place_in_the_layers():
    for module in MODULES:
        layer_of(module)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_run_downward(module):
    index, unit = layer_of(module)
    for name in local_imports(module):
        other_index, other_unit = layer_of(name)
        if other_unit == unit or other_index < index:
            continue
        if other_index == index and index == 1:
            continue  # the answer's own modules use one another; cycles are caught below
        raise AssertionError(f"{module} imports {name}: imports run downward "
                             "(docs/arkitektur.md)")


def test_features_never_import_one_another():
    for module in MODULES:
        _, unit = layer_of(module)
        if unit not in FEATURES:
            continue
        others = {layer_of(n)[1] for n in local_imports(module)} & set(FEATURES)
        assert others <= {unit}, f"{module} imports the feature(s) {others - {unit}}"


def test_only_cli_imports_click_and_nothing_imports_cli():
    for module in MODULES:
        in_cli = module == "utlatande.cli" or module.startswith("utlatande.cli.")
        found = imports(module)
        if not in_cli:
            assert not {n for n in found if n == "click" or n.startswith("click.")}, module
            assert not {n for n in found if n == "utlatande.cli" or
                        n.startswith("utlatande.cli.")} or module == "utlatande.__main__", module


def test_agenda_and_preview_reach_the_writers_only_through_the_pipeline():
    for module in MODULES:
        if module.startswith(("utlatande.agenda", "utlatande.preview")):
            render = {n for n in imports(module) if n.startswith("utlatande.render")}
            assert not render, f"{module} imports {render}; call the pipeline instead"


def _prints(tree: ast.AST) -> list[int]:
    """Lines that print: print(), click.echo/secho, sys.stdout/stderr.write."""
    lines = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id == "print":
            lines.append(node.lineno)
        elif isinstance(func, ast.Attribute) and func.attr in {"echo", "secho", "write"}:
            owner = ast.unparse(func.value)
            if owner in {"click", "sys.stdout", "sys.stderr"}:
                lines.append(node.lineno)
    return lines


def test_nothing_outside_cli_prints():
    for module, path in MODULES.items():
        if module.startswith("utlatande.cli"):
            continue
        lines = _prints(ast.parse(path.read_text(encoding="utf-8")))
        assert not lines, f"{path.name} prints at lines {lines}; return it to cli/ instead"


def test_no_import_cycles():
    graph = {module: local_imports(module) - {module} for module in MODULES}
    # A package's __init__ is imported with each of its modules; an import of a module by
    # its own package's __init__ is the package's shape, not a cycle.
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(module: str) -> None:
        state[module] = 1
        stack.append(module)
        for name in sorted(graph[module]):
            if state.get(name) == 1:
                cycle = stack[stack.index(name):] + [name]
                raise AssertionError("import cycle: " + " → ".join(cycle))
            if name not in state:
                visit(name)
        stack.pop()
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module)


def test_the_rules_see_a_cycle_and_a_forbidden_import(tmp_path):
    """The walker itself: a cycle and a click import in plain source are found."""
    source = "from .. import cli\nimport click\n\ndef f():\n    from ..pipeline import check\n"
    tree = ast.parse(source)
    node = next(n for n in ast.walk(tree) if isinstance(n, ast.ImportFrom))
    assert _resolve("utlatande.agenda.meeting", node) == ["utlatande.cli"]
    assert _prints(ast.parse("import click\nclick.echo('x')\nprint(1)\n")) == [2, 3]


ARCHITECTURE = PACKAGE.parent.parent / "docs" / "arkitektur.md"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_every_module_says_what_it_does_and_is_in_the_architecture(module):
    path = MODULES[module]
    assert ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))), \
        f"{path.name}: a one-line docstring at the top says what the module does"
    name = f"{path.parent.name}/" if path.name == "__init__.py" else path.name
    assert name in ARCHITECTURE.read_text(encoding="utf-8"), \
        f"{name} is not in docs/arkitektur.md: give it a line there"
