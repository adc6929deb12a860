"""A run directory for `tiny`, made with the real commands (plan, simulate, compare, explain)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from resupply.domain import load_scenario

Cli = Callable[..., tuple[int, str, str]]


@pytest.fixture(scope="session")
def tiny_run(tmp_path_factory: pytest.TempPathFactory, cli: Cli) -> Path:
    run = tmp_path_factory.mktemp("run")
    (run / "scenario.json").write_text(load_scenario("tiny").model_dump_json(indent=1))
    for args in (("plan", "tiny", "--out", str(run / "plan")),
                 ("simulate", "tiny", "--plan", str(run / "plan"), "--runs", "200",
                  "--seed", "7", "--out", str(run / "simulate")),
                 ("compare", "tiny", "--policies", "lump,cadence:7,cadence:1,plan",
                  "--runs", "200", "--seed", "7", "--out", str(run / "compare"))):
        code, _, err = cli(*args)
        assert code == 0, err
    code, out, _ = cli("explain", "tiny", "--json")
    assert code == 0
    (run / "explain.json").write_text(json.dumps(json.loads(out)))
    return run


AIR_DEFENCE = Path(__file__).resolve().parents[2] / "examples" / "air-defence.yaml"
"""The four-donor air-defence example: interceptors counted in missiles."""


@pytest.fixture(scope="session")
def air_defence_run(tmp_path_factory: pytest.TempPathFactory, cli: Cli) -> Path:
    """The demo of the air-defence example (certified plan, simulation, comparison), with few
    runs: enough for every section of the report."""
    base = tmp_path_factory.mktemp("air-defence")
    run = base / "run"
    code, _, err = cli("demo", "--scenario", str(AIR_DEFENCE), "--runs", "200",
                       "--calibration-runs", "100", "--out", str(run),
                       "--db", f"sqlite:///{base / 'runs.db'}")
    assert code == 0, err
    return run


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory: pytest.TempPathFactory, cli: Cli) -> Path:
    """`make demo` (ukraine-2022, certified at 5 %) with fewer runs: the same sections."""
    base = tmp_path_factory.mktemp("demo")
    run = base / "run"
    code, _, err = cli("demo", "--runs", "200", "--calibration-runs", "100", "--out", str(run),
                       "--db", f"sqlite:///{base / 'runs.db'}")
    assert code == 0, err
    return run
