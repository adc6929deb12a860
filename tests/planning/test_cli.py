"""`resupply plan`: files written whole, JSON twin, rolling re-plan, errors as messages."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd

CliResult = tuple[int, str, str]
Cli = Callable[..., CliResult]


def test_plan_writes_the_three_files_and_prints_json(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "plan"
    code, stdout, _ = cli("plan", "tiny", "--out", str(out), "--json")
    assert code == 0
    doc = json.loads(stdout)
    assert doc["status"] == "optimal"
    assert set(doc["terms"]) >= {"shortfall", "strike_loss", "transport", "smoothness"}
    assert doc["stats"]["n_vars"] > 0 and len(doc["scenario_hash"]) == 64
    assert json.loads((out / "plan.json").read_text()) == doc
    tranches = pd.read_csv(out / "tranches.csv")
    assert list(tranches.columns) == ["day", "date", "donor", "item", "family", "standard",
                                      "quantity", "tons", "depot"]
    stock = pd.read_parquet(out / "stock.parquet")
    assert {"item", "depot", "day", "stock", "shortfall", "expected_loss"} <= set(stock.columns)


def test_plan_summary_shows_families_and_donors(cli: Cli, tmp_path: Path) -> None:
    code, stdout, _ = cli("plan", "tiny", "--out", str(tmp_path / "p"))
    assert code == 0
    assert "art152" in stdout and "west" in stdout and "binding: donor stock" in stdout


def test_rolling_replan_reads_actuals_and_warm_starts(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "p"
    assert cli("plan", "tiny", "--out", str(out))[0] == 0
    actuals = tmp_path / "actuals.yaml"
    actuals.write_text(
        "depot_stock:\n  - {depot: near, item: of540, quantity: 500}\n"
        "  - {depot: far, item: of540, quantity: 400}\n"
        "dispatched:\n  - {day: 0, donor: east, item: of540, quantity: 375}\n"
        "  - {date: 2022-06-04, donor: west, item: m795, quantity: 200}\n")
    code, stdout, stderr = cli("plan", "tiny", "--out", str(out), "--from-day", "7",
                               "--actuals", str(actuals), "--freeze-days", "2", "--json")
    assert code == 0, stderr
    assert json.loads(stdout)["from_day"] == 7


def test_bad_actuals_fail_with_a_message_and_leave_no_output(cli: Cli, tmp_path: Path) -> None:
    actuals = tmp_path / "actuals.yaml"
    actuals.write_text("depot_stock:\n  - {depot: nowhere, item: of540, quantity: 5}\n")
    out = tmp_path / "p"
    code, _, stderr = cli("plan", "tiny", "--out", str(out), "--from-day", "3",
                          "--actuals", str(actuals))
    assert code == 1
    assert "nowhere" in stderr and "near" in stderr
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [actuals]


def test_from_day_needs_actuals(cli: Cli, tmp_path: Path) -> None:
    code, _, stderr = cli("plan", "tiny", "--out", str(tmp_path / "p"), "--from-day", "3")
    assert code == 1 and "--actuals" in stderr


def test_a_replan_day_past_the_horizon_or_on_a_coarse_model_is_refused(cli: Cli,
                                                                          tmp_path: Path) -> None:
    actuals = tmp_path / "actuals.yaml"
    actuals.write_text("depot_stock: []\n")
    out = tmp_path / "p"
    code, _, stderr = cli("plan", "tiny", "--out", str(out), "--from-day", "50",
                          "--actuals", str(actuals))
    assert code == 1 and "between 1 and 29, not 50" in stderr
    code, _, stderr = cli("plan", "tiny", "--out", str(out), "--from-day", "5",
                          "--actuals", str(actuals), "--daily-days", "7")
    assert code == 1 and "daily model" in stderr
    assert not out.exists()


def test_help_has_a_worked_example(cli: Cli) -> None:
    code, stdout, _ = cli("plan", "--help")
    assert code == 0 and "Example: resupply plan" in stdout
