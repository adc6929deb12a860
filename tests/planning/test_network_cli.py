"""`resupply plan` on a network, end to end: the flows table in the plan directory agrees with
the plan's transport term, the summary prints it, `simulate` follows it over both hubs."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
import yaml

from resupply.domain.load import bundled_text

from .test_network import as_network

CliResult = tuple[int, str, str]
Cli = Callable[..., CliResult]


def _two_hub_tiny(tmp_path: Path) -> Path:
    """tiny on a network: its one hub as ``entry``, plus a second hub ``south`` reached by the
    first donor at half the cost and two more days, feeding the first depot (capacity 5 t/day)."""
    data = as_network(yaml.safe_load(bundled_text("tiny")))
    net = data["network"]
    donor, depot = data["donors"][0]["id"], data["depots"][0]["id"]
    first = net["routes"][0]
    net["hubs"].append({"id": "south", "throughput_t_per_day": 50})
    net["routes"] += [
        {"id": "alt-in", "origin": donor, "destination": "south", "mode": "rail",
         "transit_days": first["transit_days"] + 2, "cost_eur_per_t": first["cost_eur_per_t"] / 2},
        {"id": "south-out", "origin": "south", "destination": depot, "transit_days": 1,
         "capacity_t_per_day": 5.0}]
    path = tmp_path / "net.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_network_plan_writes_flows_that_add_up(cli: Cli, tmp_path: Path) -> None:
    scenario = _two_hub_tiny(tmp_path)
    out = tmp_path / "plan"
    code, stdout, _ = cli("plan", str(scenario), "--out", str(out))
    assert code == 0, stdout
    assert "flows by route and hub" in stdout
    doc = json.loads((out / "plan.json").read_text())
    flows = pd.read_csv(out / "flows.csv")
    assert set(flows["kind"]) == {"supply", "route", "hub"}
    assert flows["transport_eur"].sum() == pytest.approx(doc["terms"]["transport"], rel=1e-9)
    south = flows[flows["route"] == "south-out"].iloc[0]
    assert south["peak_t_per_day"] <= 5.0 + 1e-6
    assert flows[flows["kind"] == "hub"]["route"].tolist() == ["entry", "south"]


def test_network_plan_replays_from_the_command_line(cli: Cli, tmp_path: Path) -> None:
    """`resupply simulate NET --plan DIR --deterministic`: the simulator follows the plan over
    both hubs on the plan's routes (routes.parquet) and reproduces it: strike loss [EUR] and
    units short equal the plan's own (plan.json's strike_loss term, shortfall.parquet)."""
    scenario = _two_hub_tiny(tmp_path)
    plan_dir, replay = tmp_path / "plan", tmp_path / "replay"
    assert cli("plan", str(scenario), "--out", str(plan_dir))[0] == 0
    code, stdout, stderr = cli("simulate", str(scenario), "--plan", str(plan_dir),
                               "--deterministic", "--runs", "1", "--out", str(replay))
    assert code == 0, stdout + stderr
    overall = json.loads((replay / "metrics.json").read_text())["overall"]
    terms = json.loads((plan_dir / "plan.json").read_text())["terms"]
    assert overall["lost_value"]["mean"] == pytest.approx(terms["strike_loss"], rel=1e-9)
    short = pd.read_parquet(plan_dir / "shortfall.parquet")["shortfall"].sum()
    assert overall["short"]["mean"] == pytest.approx(short, rel=1e-9)
