"""Shared fixtures: the bundled `tiny` scenario and a CLI runner over the real app."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from resupply.compile import Problem, compile_problem
from resupply.domain import Scenario, load_scenario
from resupply.domain.load import bundled_text


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


@pytest.fixture(scope="session")
def tiny_network() -> dict[str, Any]:
    """`tiny` over a network of its own (a scenario dict): the hub becomes ``main`` (its
    100 t/day); a second hub ``south`` (8 t/day, 40 t of storage) is reached by ``west``
    by sea at half the cost in 4 days but only 4 t/day; ``main`` feeds both depots (to
    ``near`` at most 6 t/day), ``south`` feeds ``far``, and ``far`` refills ``near`` by road
    (3 t/day). Donor lead times and depot transits move onto the routes as in tiny. Small
    enough to plan in a second, with routes that bind."""
    data = yaml.safe_load(bundled_text("tiny"))
    data.pop("hub")
    for donor in data["donors"]:
        donor.pop("lead_days", None)
        donor.pop("transport_eur_per_t", None)
    for depot in data["depots"]:
        depot.pop("transit_days", None)
        depot.pop("transport_eur_per_t", None)
    data["network"] = {
        "hubs": [{"id": "main", "name": "Main railhead", "throughput_t_per_day": 100},
                 {"id": "south", "name": "Southern port and the rail crossing (estimate)",
                  "throughput_t_per_day": 8, "capacity_t": 40}],
        "routes": [
            {"id": "east-main", "origin": "east", "destination": "main", "mode": "rail",
             "transit_days": 2, "cost_eur_per_t": 30},
            {"id": "west-main", "origin": "west", "destination": "main", "mode": "rail",
             "transit_days": 3, "cost_eur_per_t": 20},
            {"id": "west-south", "origin": "west", "destination": "south", "mode": "sea",
             "transit_days": 4, "cost_eur_per_t": 10, "capacity_t_per_day": 4},
            {"id": "main-near", "origin": "main", "destination": "near", "mode": "rail",
             "transit_days": 1, "cost_eur_per_t": 50, "capacity_t_per_day": 6},
            {"id": "main-far", "origin": "main", "destination": "far", "mode": "rail",
             "transit_days": 2, "cost_eur_per_t": 40},
            {"id": "south-far", "origin": "south", "destination": "far", "mode": "road",
             "transit_days": 1, "cost_eur_per_t": 5},
            {"id": "far-near", "origin": "far", "destination": "near", "mode": "road",
             "transit_days": 1, "cost_eur_per_t": 5, "capacity_t_per_day": 3}]}
    data["name"] = "tiny-network"
    return data


@pytest.fixture(scope="session")
def tiny_network_file(tmp_path_factory: pytest.TempPathFactory,
                      tiny_network: dict[str, Any]) -> Path:
    """`tiny_network` as a scenario file."""
    path = tmp_path_factory.mktemp("tiny-network") / "tiny-network.yaml"
    path.write_text(yaml.safe_dump(tiny_network, sort_keys=False), encoding="utf-8")
    return path
