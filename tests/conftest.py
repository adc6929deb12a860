"""Shared fixtures: the bundled `tiny` scenario and a CLI runner over the real app."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

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


Snapshot = dict[str, bytes | None]
SNAPSHOT_READ_LIMIT = 10 * 1024 * 1024
"""Files larger than this are compared by size and modification time, not read. [bytes]"""


@pytest.fixture(scope="session")
def snapshot() -> Callable[[Path], Snapshot]:
    """Every entry under a folder: relative path -> bytes (None for a directory); compare two
    snapshots to prove a command touched nothing it should not."""

    def content(path: Path) -> bytes | None:
        if path.is_dir():
            return None
        info = path.stat()
        if info.st_size > SNAPSHOT_READ_LIMIT:  # a huge (sparse) test file: size and mtime
            return f"size {info.st_size}, mtime {info.st_mtime_ns}".encode()
        return path.read_bytes()

    def take(root: Path) -> Snapshot:
        return {p.relative_to(root).as_posix(): content(p) for p in sorted(root.rglob("*"))}

    return take


@pytest.fixture(scope="session")
def real_cli() -> Callable[..., CliResult]:
    """Run ``python -m resupply ARGS...`` as a real process, optionally under an address-space
    cap [bytes] (so reading a huge file whole shows as a MemoryError); (code, stdout, stderr)."""
    import os
    import resource
    import subprocess
    import sys

    def run(*args: str, cap: int | None = None, cwd: Path | None = None,
            env: dict[str, str] | None = None) -> CliResult:
        def limit() -> None:
            if cap is not None:
                resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

        done = subprocess.run([sys.executable, "-m", "resupply", *args], capture_output=True,
                              text=True, check=False, timeout=300, preexec_fn=limit, cwd=cwd,
                              env={**os.environ, **(env or {})})
        return done.returncode, done.stdout, done.stderr

    return run
