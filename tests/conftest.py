"""Shared fixtures: the bundled `tiny` scenario and a CLI runner over the real app."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest
from typer.testing import CliRunner

from resupply.compile import Problem, compile_problem
from resupply.domain import Scenario, load_scenario


@pytest.fixture(scope="session", autouse=True)
def _own_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Commands record their runs in the default database: point it at a file of this test
    session, never the user's (a test that sets RESUPPLY_DATABASE_URL itself still wins)."""
    before = os.environ.get("RESUPPLY_DATABASE_URL")
    path = tmp_path_factory.mktemp("db") / "runs.db"
    os.environ["RESUPPLY_DATABASE_URL"] = f"sqlite:///{path}"
    yield
    if before is None:
        os.environ.pop("RESUPPLY_DATABASE_URL", None)
    else:
        os.environ["RESUPPLY_DATABASE_URL"] = before


@pytest.fixture(scope="session")
def tiny() -> Scenario:
    return load_scenario("tiny")


@pytest.fixture(scope="session")
def tiny_problem(tiny: Scenario) -> Problem:
    return compile_problem(tiny)


CliResult = tuple[int, str, str]


@pytest.fixture(scope="session")
def cli() -> Callable[..., CliResult]:
    """Run `resupply ARGS...` in-process; returns (exit code, stdout, stderr)."""
    from resupply.cli.app import build_app

    app = build_app()
    runner = CliRunner()

    def run(*args: str) -> CliResult:
        result = runner.invoke(app, list(args), catch_exceptions=False)
        return result.exit_code, result.stdout, result.stderr

    return run
