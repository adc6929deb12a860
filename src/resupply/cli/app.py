"""The `resupply` command: one Typer app; each command group lives in its own module.

Commands orchestrate and print; they compute nothing themselves. Every `ResupplyError` becomes
a message on stderr and a non-zero exit (2 for bad input), never a traceback.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Annotated, ParamSpec, TypeVar

import typer

from resupply.cli.console import PlainConsole
from resupply.errors import (
    OutputExistsError,
    ResupplyError,
    ScenarioError,
    UnknownScenarioError,
)

ScenarioArg = Annotated[str, typer.Argument(
    metavar="FILE|NAME", help="A scenario file (YAML or JSON) or a bundled name (`resupply "
    "scenarios`).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for machines.")]
DbOpt = Annotated[str | None, typer.Option(
    "--db", metavar="URL", help="Database URL (sqlite:///FILE or postgresql+psycopg://...); "
    "default: $RESUPPLY_DATABASE_URL, else resupply.db in the user data directory.")]
ForceOpt = Annotated[bool, typer.Option(
    "--force", help="Write into an output that exists and is not of this command's kind (only "
    "this command's files are written; nothing else is removed), or replace an existing "
    "file.")]

P = ParamSpec("P")
R = TypeVar("R")

EXIT_BAD_INPUT = 2
EXIT_FAILED = 1
EXIT_INTERRUPTED = 130

app = typer.Typer(
    name="resupply",
    help="Plan and stress-test a continuous flow of materiel from many donors to one recipient.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

PIPE_WIDTH = 160
"""Width of tables when output is not a terminal (files, CI logs)."""

out = PlainConsole(width=None if sys.stdout.isatty() else PIPE_WIDTH)
err = PlainConsole(stderr=True, soft_wrap=True)


def user_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Turn `ResupplyError` into a printed message and exit code; Ctrl-C into exit 130."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except ScenarioError as exc:
            for issue in exc.issues:
                err.print(str(issue), markup=False, highlight=False)
            err.print(f"{len(exc.issues)} error(s)", markup=False, highlight=False)
            raise typer.Exit(EXIT_BAD_INPUT) from None
        except (UnknownScenarioError, OutputExistsError) as exc:
            err.print(str(exc) if isinstance(exc, UnknownScenarioError) else f"error: {exc}",
                      markup=False, highlight=False)
            raise typer.Exit(EXIT_BAD_INPUT) from None
        except ResupplyError as exc:
            err.print(f"error: {exc}", markup=False, highlight=False)
            raise typer.Exit(EXIT_FAILED) from None
        except KeyboardInterrupt:
            err.print("interrupted", markup=False)
            raise typer.Exit(EXIT_INTERRUPTED) from None

    return wrapper


COMMAND_MODULES = ("plan_cmds", "sim_cmds", "demo_cmds", "report_cmds", "scenario_cmds",
                   "ledger_cmds", "store_cmds", "sweep_cmds",
                   "serve_cmds")
"""The command modules, in the order their commands are listed in ``--help``."""


def build_app() -> typer.Typer:
    """The app with every command group registered (imported here, not at module import)."""
    from importlib import import_module

    for name in COMMAND_MODULES:
        import_module(f"resupply.cli.{name}")  # registers its commands

    return app


def main() -> None:
    """Console-script entry point."""
    build_app()(prog_name="resupply")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())  # type: ignore[func-returns-value]
