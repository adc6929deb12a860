"""docs/cli.md is generated from the real help, and every command shows a worked example."""

from __future__ import annotations

from pathlib import Path

import pytest

from resupply.cli.docs import cli_reference, command_helps

DOCS = Path(__file__).resolve().parents[2] / "docs"
HELPS = dict(command_helps())


def test_cli_reference_is_current() -> None:
    assert (DOCS / "cli.md").read_text() == cli_reference(), "docs/cli.md is stale: `make docs`"


@pytest.mark.parametrize("name", [n for n, h in HELPS.items() if "Commands:" not in h])
def test_every_command_has_a_worked_example(name: str) -> None:
    assert "Example: resupply " in HELPS[name], f"`{name} --help` needs 'Example: resupply ...'"
