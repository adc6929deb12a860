"""docs/cli.md: the CLI reference, generated from the real `--help` of every command.

`python -m resupply.cli.docs > docs/cli.md` (or `make docs`) regenerates it; a test fails when
the file is stale or when a command's help lacks a worked example.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import typer.main

from resupply.cli.app import build_app

HELP_WIDTH = 100
"""Width the help is wrapped at, so the reference does not depend on the terminal."""


def command_helps() -> Iterator[tuple[str, str]]:
    """(full command name, its --help text) for the app and every command, depth first."""
    root = typer.main.get_command(build_app())
    yield from _walk(root, "resupply", None)


def _walk(command: Any, name: str, parent: Any) -> Iterator[tuple[str, str]]:
    with command.make_context(name.rsplit(" ", 1)[-1], [], parent=parent,
                              resilient_parsing=True, terminal_width=HELP_WIDTH,
                              max_content_width=HELP_WIDTH) as ctx:
        yield name, command.get_help(ctx)
        for sub_name in sorted(getattr(command, "commands", {})):
            yield from _walk(command.commands[sub_name], f"{name} {sub_name}", ctx)


def cli_reference() -> str:
    """The whole reference as Markdown."""
    parts = ["# Command-line reference", "",
             "Generated from the real `--help` by `make docs` (`python -m resupply.cli.docs`); a",
             "test fails when this file is stale.", ""]
    for name, text in command_helps():
        parts += [f"## `{name}`", "", "```text", text.rstrip(), "```", ""]
    return "\n".join(parts)


if __name__ == "__main__":  # pragma: no cover
    print(cli_reference(), end="")
