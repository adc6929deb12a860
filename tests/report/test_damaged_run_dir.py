"""A damaged run directory: `report` names the file and field (typed schema per file), in
every format, never a traceback; the plan directory `simulate --plan` reads likewise."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

Cli = Callable[..., tuple[int, str, str]]


def _json(path: Path, change: Callable[[dict[str, object]], object]) -> None:
    data = json.loads(path.read_text())
    path.write_text(json.dumps(change(data)))


DAMAGE: dict[str, tuple[Callable[[Path], None], str]] = {
    "empty frontier": (lambda r: (r / "compare/frontier.json").write_text("{}"),
                       "frontier.json: policies: Field required"),
    "empty explain": (lambda r: (r / "explain.json").write_text("{}"),
                      "explain.json: families: Field required"),
    "families a number": (lambda r: _json(r / "simulate/metrics.json",
                                          lambda d: {**d, "families": 5}),
                          "metrics.json: families: Input should be a valid dictionary"),
    "best not a policy": (lambda r: _json(r / "compare/frontier.json",
                                          lambda d: {**d, "best": "nothing"}),
                          "best policy 'nothing' is not among the policies"),
    "bands of other columns": (lambda r: pd.DataFrame({"a": [1]}).to_parquet(
        r / "simulate/bands.parquet"), "bands.parquet: missing columns day, date, family"),
    "stock as text": (lambda r: pd.read_parquet(r / "plan/stock.parquet").astype(
        {"stock": str}).to_parquet(r / "plan/stock.parquet"), "columns stock must hold numbers"),
    "binary tranches": (lambda r: (r / "plan/tranches.csv").write_bytes(bytes(range(256))),
                        "tranches.csv: unreadable table"),
    "binary explain": (lambda r: (r / "explain.json").write_bytes(b"\xff{}"),
                       "explain.json: unreadable JSON"),
}


@pytest.mark.parametrize("fmt", ["html", "xlsx", "csv"])
@pytest.mark.parametrize("damage", list(DAMAGE))
def test_report_names_the_damaged_file(cli: Cli, tiny_run: Path, tmp_path: Path, fmt: str,
                                       damage: str) -> None:
    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    harm, says = DAMAGE[damage]
    harm(run)
    code, _, err = cli("report", str(run), "--format", fmt)
    assert code == 1 and says in err, err


def test_non_utf8_findings_do_not_stop_the_report(cli: Cli, tiny_run: Path,
                                                  tmp_path: Path) -> None:
    run = tmp_path / "run"
    shutil.copytree(tiny_run, run)
    (run / "findings.txt").write_bytes(b"\xff\xfe broken\n")
    code, _, err = cli("report", str(run))
    assert code == 0, err


@pytest.mark.parametrize(("harm", "says"), [
    (lambda d: (d / "tranches.csv").write_bytes(bytes(range(256))), "unreadable table"),
    (lambda d: pd.read_csv(d / "tranches.csv").assign(quantity=-5.0).to_csv(
        d / "tranches.csv", index=False), "must be finite and non-negative"),
    (lambda d: pd.read_csv(d / "tranches.csv").assign(day="x").to_csv(
        d / "tranches.csv", index=False), "tranches.csv: columns day must hold numbers"),
    (lambda d: pd.read_csv(d / "tranches.csv").assign(day=10**6).to_csv(
        d / "tranches.csv", index=False), "tranche days must lie in 0..29"),
    (lambda d: (d / "stock.parquet").write_bytes(b"not parquet"), "stock.parquet: unreadable"),
    (lambda d: _json(d / "plan.json", lambda p: {**p, "scenario_hash": "0" * 64}),
     "holds a plan of another scenario"),
])
def test_simulate_refuses_a_damaged_or_foreign_plan(cli: Cli, tiny_run: Path, tmp_path: Path,
                                                    harm: Callable[[Path], None],
                                                    says: str) -> None:
    plan = tmp_path / "plan"
    shutil.copytree(tiny_run / "plan", plan)
    harm(plan)
    code, _, err = cli("simulate", "tiny", "--plan", str(plan), "--runs", "5", "--out",
                       str(tmp_path / "sim"))
    assert code == 1 and says in err, err
    assert not (tmp_path / "sim").exists()
