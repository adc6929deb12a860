"""Examples run: every docstring example in the package, and the README's Python section."""

from __future__ import annotations

import doctest
import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "resupply"
NOT_IMPORTED = ("resupply.__main__", "resupply.store.migrations")
"""Modules that act on import (run the CLI, run migrations): no examples there."""
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def _with_examples() -> list[str]:
    """Every importable module of the package whose source holds an example."""
    names = []
    for path in sorted(SRC.rglob("*.py")):
        parts = path.relative_to(SRC.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        if not name.startswith(NOT_IMPORTED) and ">>>" in path.read_text("utf-8"):
            names.append(name)
    return names


@pytest.mark.parametrize("name", _with_examples())
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=FLAGS, verbose=False)
    assert result.attempted > 0, f"{name}: examples found in the file but none collected"
    assert result.failed == 0, f"{name}: {result.failed} example(s) failed"


def test_examples_are_collected_from_the_modules_that_have_them() -> None:
    assert {"resupply.planning.api", "resupply.simulation.run", "resupply.store",
            "resupply.workflow.api"} <= set(_with_examples())


def test_the_readme_python_section_runs() -> None:
    text = (ROOT / "README.md").read_text("utf-8")
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert blocks, "README.md has no ```python section"
    parser, runner = doctest.DocTestParser(), doctest.DocTestRunner(optionflags=FLAGS)
    test = parser.get_doctest("\n".join(blocks), {}, "README.md", str(ROOT / "README.md"), 0)
    assert len(test.examples) >= 8
    runner.run(test)
    assert runner.failures == 0, "the README's Python example fails (output above)"
