"""A solve that ends without a plan: non-zero exit, a message saying why and what to do; and
`validate` catches the infeasibility it can see without solving (stock above capacity)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from resupply.domain import load_scenario
from resupply.domain.load import bundled_text
from resupply.errors import ScenarioError
from resupply.planning import solve
from resupply.planning.status import Status

Cli = Callable[..., tuple[int, str, str]]


def _ends_at_the_limit_without_a_plan(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every solve stops at its time limit before finding anything (as a huge model does)."""
    real = solve.Session.run

    def run(self: Any, time_limit: float, want_basis: bool = False) -> solve.SolverRun:
        done = real(self, time_limit, want_basis)
        return dataclasses.replace(done, status=Status.TIME_LIMIT, col_value=None,
                                   row_value=None, row_dual=None, objective=float("nan"),
                                   message="Time limit reached", warm=None)

    monkeypatch.setattr(solve.Session, "run", run)


def test_a_time_limit_without_a_plan_exits_non_zero(cli: Cli, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    _ends_at_the_limit_without_a_plan(monkeypatch)
    code, stdout, err = cli("plan", "tiny", "--out", str(tmp_path / "p"), "--time-limit", "2")
    assert code == 1
    assert "no plan: the time limit of 2 s ended before any plan was found" in err
    assert "--time-limit" in err and "nan" not in stdout + err
    assert sorted(p.name for p in (tmp_path / "p").iterdir()) == [
        "manifest.json", "plan.json", "scenario.json"]  # no tranches, stock or warm start


def _overfull(tmp_path: Path) -> Path:
    text = bundled_text("tiny")
    assert "    capacity_t: 60\n" in text
    path = tmp_path / "overfull.yaml"
    path.write_text(text.replace("    capacity_t: 60\n", "    capacity_t: 50\n", 1))
    return path


def test_validate_refuses_initial_stock_above_capacity(cli: Cli, tmp_path: Path) -> None:
    path = _overfull(tmp_path)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    [issue] = caught.value.issues
    line = next(n for n, t in enumerate(path.read_text().splitlines(), 1)
                if "initial_stock: [{item: of540, quantity: 1200}]" in t)
    assert (issue.line, issue.path) == (line, "depots.0.initial_stock")
    assert "60 t, more than the depot's capacity_t of 50 t" in issue.message
    code, _, err = cli("plan", str(path), "--out", str(tmp_path / "p"))
    assert code == 2 and "capacity_t" in err and not (tmp_path / "p").exists()


def test_validate_refuses_pledges_beyond_what_the_donor_can_have(cli: Cli,
                                                                  tmp_path: Path) -> None:
    text = bundled_text("tiny")
    old = "quantity: 1000, date: 2022-06-15, binding: minimum"
    path = tmp_path / "over.yaml"
    path.write_text(text.replace(old, old.replace("1000", "100000")))
    code, _, err = cli("validate", str(path))
    assert code == 2
    assert "pledges.0.quantity: pledges of donor `west` for `m795` due by 2022-06-15 add up " \
           "to 100,000 units, more than the donor can have by then (at most 3,600" in err


def test_an_infeasible_plan_says_why_not_nan(cli: Cli, tmp_path: Path) -> None:
    text = bundled_text("tiny")
    old = "quantity: 1000, date: 2022-06-15, binding: minimum"
    assert old in text
    path = tmp_path / "infeasible.yaml"
    path.write_text(text.replace(old, old.replace("2022-06-15", "2022-06-02")))  # unreleased
    code, stdout, err = cli("plan", str(path), "--out", str(tmp_path / "p"))
    assert code == 1
    assert "infeasible — no plan: no plan meets the hard constraints" in err
    assert "pledges:" in err and "e.g. pledge[west-1]" in err  # named by id, not index
    assert "nan" not in stdout + err
