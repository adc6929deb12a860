"""DESIGN.md's layers: a module may import only from its own layer or the layers below it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "resupply"

LAYER = {
    "errors": 0, "files": 0, "untrusted": 0, "domain": 0,
    "compile": 1,
    "planning": 2, "simulation": 2, "analysis": 2,
    "report": 3, "store": 3,
    "workflow": 4,
    "cli": 5, "service": 5, "sweep": 5,
}
"""Top-level module or package of resupply -> layer number (higher sits above)."""


def _top(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "resupply" and len(parts) > 1 else None


def _imports(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def _own_top(path: Path, root: Path = SRC) -> str:
    rel = path.relative_to(root)
    return rel.parts[0].removesuffix(".py")


def layer_violations(root: Path = SRC) -> list[str]:
    """Every import of a higher layer, as ``file:line: a (layer n) imports b (layer m)``."""
    problems = []
    for path in sorted(root.rglob("*.py")):
        own = _own_top(path, root)
        if own not in LAYER:
            continue  # the package facade (__init__, __main__) sits above everything
        for line, module in _imports(path):
            other = _top(module)
            if other is not None and other in LAYER and LAYER[other] > LAYER[own]:
                problems.append(f"{path.relative_to(root)}:{line}: {own} (layer {LAYER[own]}) "
                                f"imports {module} (layer {LAYER[other]})")
    return problems


def test_every_package_has_a_layer() -> None:
    tops = {_own_top(p) for p in SRC.rglob("*.py")} - {"__init__", "__main__"}
    assert tops <= set(LAYER), f"give these a layer in LAYER: {sorted(tops - set(LAYER))}"


def test_no_module_imports_from_a_layer_above() -> None:
    assert layer_violations() == []


def test_the_check_catches_an_upward_import(tmp_path: Path) -> None:
    bad = tmp_path / "compile"
    bad.mkdir()
    (bad / "x.py").write_text("from resupply.cli.app import app\n")
    assert layer_violations(tmp_path) == [
        "compile/x.py:1: compile (layer 1) imports resupply.cli.app (layer 5)"]


@pytest.mark.parametrize("module", ["resupply.domain", "resupply.compile", "resupply.analysis"])
def test_lower_layers_import_without_the_cli(module: str) -> None:
    import subprocess
    import sys

    code = f"import sys, {module}; assert 'typer' not in sys.modules, 'cli leaked'"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_no_command_module_imports_another() -> None:
    """CLI command modules parse, call the workflow and print; what two commands share lives
    below them (the workflow) or in a CLI helper, never in another command module."""
    commands = sorted((SRC / "cli").glob("*_cmds.py"))
    found = [f"{path.name}:{line}: imports {module}" for path in commands
             for line, module in _imports(path)
             if module.startswith("resupply.cli.") and module.endswith("_cmds")]
    assert commands and found == []
