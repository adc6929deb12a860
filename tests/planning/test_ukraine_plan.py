"""The plan of the bundled ukraine-2022 scenario, through the command a planner runs."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from resupply.compile import compile_problem
from resupply.domain import load_scenario

Cli = Callable[..., tuple[int, str, str]]


def test_soviet_families_run_short_while_nato_families_are_covered(cli: Cli,
                                                                   tmp_path: Path) -> None:
    """`resupply plan ukraine-2022 --out DIR`: optimal; every Soviet-standard family is short
    (legacy stocks end: 10-54 % of need), every NATO-standard ammunition family is covered by
    tranches, and the summary names the short families with their shortfall."""
    code, stdout, stderr = cli("plan", "ukraine-2022", "--out", str(tmp_path / "plan"))
    assert code == 0, stderr
    plan = json.loads((tmp_path / "plan" / "plan.json").read_text())
    assert plan["status"] == "optimal"
    p = compile_problem(load_scenario("ukraine-2022"))
    stock = pd.read_parquet(tmp_path / "plan" / "stock.parquet")
    short = stock.drop_duplicates(["family", "depot", "day"]).groupby("family")["shortfall"].sum()
    for f, family in enumerate(p.families):
        share = short[family] / p.need[f].sum()
        if p.standards[p.family_standard[f]] == "soviet":
            assert share > 0.05, family
            assert family in stdout
        elif not p.family_is_spare[f]:
            assert share < 1e-6, family
    assert sum(1 for f in range(len(p.families)) if not p.family_is_spare[f]
               and p.standards[p.family_standard[f]] == "nato") == 4
    tranches = pd.read_csv(tmp_path / "plan" / "tranches.csv")
    assert set(tranches["standard"]) >= {"nato"}
