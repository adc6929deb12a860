"""Run directories: the manifest every command writes, `resupply report` on any kind, and
standalone runs recorded in the store."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from resupply.report import embedded_figures
from resupply.store import open_store
from resupply.workflow import Manifest, RunDirError, RunKind, read_manifest
from resupply.workflow.rundir import SCHEMA_VERSION, load_run

Cli = Callable[..., tuple[int, str, str]]


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'runs.db'}"
    monkeypatch.setenv("RESUPPLY_DATABASE_URL", url)
    return url


def test_a_manifest_reads_back_what_was_written() -> None:
    manifest = Manifest(kind=RunKind.SIMULATION, scenario="tiny", scenario_hash="ab" * 32,
                        options={"simulation": {"runs": 10, "policy": "cadence:7"}},
                        seeds=(3,), version="0.1.0")
    assert Manifest.from_dict(json.loads(json.dumps(manifest.to_dict()))) == manifest


@pytest.mark.parametrize(("change", "message"), [
    ({"schema": SCHEMA_VERSION + 1}, "use a newer resupply"),
    ({"kind": "sweep"}, "kind 'sweep' is not one of plan, simulation, compare, demo"),
])
def test_a_bad_manifest_is_refused_by_name(change: dict[str, object], message: str) -> None:
    data = {**Manifest(RunKind.PLAN, "tiny", "x", {}).to_dict(), **change}
    with pytest.raises(RunDirError, match=message):
        Manifest.from_dict(data)


def test_every_command_writes_its_manifest(cli: Cli, tmp_path: Path, db: str) -> None:
    plan, sim, comp = tmp_path / "p", tmp_path / "s", tmp_path / "c"
    for args in (("plan", "tiny", "--out", str(plan)),
                 ("simulate", "tiny", "--plan", str(plan), "--runs", "20", "--seed", "4",
                  "--out", str(sim)),
                 ("compare", "tiny", "--policies", "lump,cadence:7", "--runs", "20", "--out",
                  str(comp))):
        code, _, err = cli(*args)
        assert code == 0, err
    kinds = {path: read_manifest(path) for path in (plan, sim, comp)}
    assert {p.name: m.kind for p, m in kinds.items() if m} == {
        "p": RunKind.PLAN, "s": RunKind.SIMULATION, "c": RunKind.COMPARE}
    simulated = kinds[sim]
    assert simulated is not None and simulated.seeds == (4,)
    assert simulated.options["simulation"]["policy"] == "plan"
    assert simulated.scenario == "tiny" and len(simulated.scenario_hash) == 64


def test_report_renders_a_plan_only_a_simulation_only_and_a_compare_only_directory(
        cli: Cli, tmp_path: Path, db: str) -> None:
    plan, sim, comp = tmp_path / "p", tmp_path / "s", tmp_path / "c"
    assert cli("plan", "tiny", "--out", str(plan))[0] == 0
    assert cli("simulate", "tiny", "--policy", "lump", "--runs", "20", "--out", str(sim))[0] == 0
    assert cli("compare", "tiny", "--policies", "lump,cadence:7", "--runs", "20", "--out",
               str(comp))[0] == 0
    for folder, sections in ((plan, {"stock", "tranches", "hub", "exposed", "donors"}),
                             (sim, {"dos"}),
                             (comp, {"frontier"})):
        code, _, err = cli("report", str(folder))
        assert code == 0, err
        assert set(embedded_figures((folder / "report.html").read_text())) == sections


def test_standalone_plan_and_simulate_are_recorded(cli: Cli, tmp_path: Path, db: str) -> None:
    assert cli("plan", "tiny", "--out", str(tmp_path / "p"))[0] == 0
    assert cli("simulate", "tiny", "--plan", str(tmp_path / "p"), "--runs", "10",
               "--out", str(tmp_path / "s"))[0] == 0
    code, out, _ = cli("runs", "list", "--json")
    assert code == 0
    runs = json.loads(out)
    assert sorted(r["kind"] for r in runs) == ["plan", "simulation"]
    sim = next(r for r in runs if r["kind"] == "simulation")
    assert sim["options"]["policy"] == "plan" and sim["seed"] == 0
    with open_store(db) as store:
        stored = store.run(sim["id"])
    assert set(stored.files) == {"metrics.json", "bands.parquet"}
    assert json.loads(stored.files["metrics.json"])["runs"] == 10


def test_compare_records_each_policys_simulation(cli: Cli, tmp_path: Path, db: str) -> None:
    code, _, err = cli("compare", "tiny", "--policies", "lump,cadence:7", "--runs", "20",
                       "--seed", "5")
    assert code == 0, err
    with open_store(db) as store:
        runs = sorted(store.runs(), key=lambda r: r.id)
        files = [store.run(r.id).files for r in runs]
    assert [r.options["policy"] for r in runs] == ["lump", "cadence:7"]
    assert {r.kind for r in runs} == {"simulation"} and {r.seed for r in runs} == {5}
    assert runs[0].options["compared_with"]["policies"] == ["lump", "cadence:7"]
    assert [sorted(f) for f in files] == [["metrics-lump.json"], ["metrics-cadence-7.json"]]


def test_a_plan_directory_is_followed_from_a_demo_and_from_its_plan_folder(
        cli: Cli, tmp_path: Path, db: str) -> None:
    run = tmp_path / "demo"
    assert cli("demo", "--scenario", "tiny", "--out", str(run), "--runs", "20",
               "--calibration-runs", "20")[0] == 0
    for source in (run, run / "plan"):
        code, _, err = cli("simulate", "tiny", "--plan", str(source), "--runs", "10", "--out",
                           str(tmp_path / "s"))
        assert code == 0, err
    manifest = read_manifest(run)
    assert manifest is not None and manifest.kind is RunKind.DEMO
    loaded = load_run(run)
    assert loaded.plan is not None and loaded.metrics is not None
    assert loaded.frontier is not None and loaded.explain is not None


def test_a_directory_without_scenario_is_not_a_run(tmp_path: Path) -> None:
    with pytest.raises(RunDirError, match="not a run directory"):
        load_run(tmp_path)


def test_a_plan_in_memory_is_followed_as_planned(tiny_problem: object) -> None:
    """The plan the demo simulates is the planner's arrays themselves (the file route rebuilds
    them from tables, which cannot hold a move arriving after the horizon)."""
    from resupply.planning import plan
    from resupply.workflow.policies import plan_input

    result = plan(tiny_problem)  # type: ignore[arg-type]
    kept = plan_input(result)
    np.testing.assert_array_equal(kept.moves, result.moves)
    np.testing.assert_array_equal(kept.dispatch, result.dispatch)


def test_the_family_shortfall_table_stands_apart_from_item_rows(cli: Cli, tmp_path: Path,
                                                                 db: str) -> None:
    """shortfall.parquet holds each family's shortfall once per depot and day; a plan written
    before it existed reads the same table from the rows of its stock table."""
    import pandas as pd

    plan = tmp_path / "p"
    assert cli("plan", "tiny", "--out", str(plan))[0] == 0
    table = pd.read_parquet(plan / "shortfall.parquet")
    stock = pd.read_parquet(plan / "stock.parquet")
    assert not table.duplicated(["family", "depot", "day"]).any()
    assert table["shortfall"].sum() > 2000  # tiny's 152 mm rounds run short
    repeated = stock.groupby(["family", "depot", "day"])["shortfall"].first()
    np.testing.assert_allclose(table.set_index(["family", "depot", "day"])["shortfall"]
                               .reindex(repeated.index), repeated)
    (plan / "shortfall.parquet").unlink()
    legacy = load_run(plan).shortfalls
    assert legacy is not None
    np.testing.assert_allclose(legacy["shortfall"].sum(), table["shortfall"].sum())
