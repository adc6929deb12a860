"""One conformance suite run over every policy: shapes, signs, no writes into the view,
determinism, and each run's answer depending on that run alone (so chunking cannot matter)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from resupply.compile import Problem
from resupply.errors import SimulationError
from resupply.simulation import DayView, PlanInput, Policy, SimOptions, simulate
from resupply.simulation.specs import parse_policy

SPECS = ["plan", "lump", "cadence:1", "cadence:7", "cadence:30:3", "order-up-to",
         "order-up-to:500", "order-up-to:5d", "rolling:10", "sS:100:500", "sS:0:2.5",
         "sS:2d:8d", "sS:0d:0.5d"]


def ship_everything(problem: Problem, history: Any = None) -> PlanInput:
    """A stand-in planner: dispatch all donor stock on day 0, move it on when it arrives
    (from a history, keep what was done and ship nothing more)."""
    if history is not None:
        return PlanInput(dispatch=history.dispatched, moves=history.moves)
    n_d, n_i, n_k, n_t = (len(problem.donors), len(problem.items), len(problem.depots),
                          problem.n_days)
    x = np.zeros((n_d, n_i, n_t))
    x[:, :, 0] = problem.donor_stock
    z = np.zeros((n_i, n_k, n_t))
    share = problem.demand_share / problem.demand_share.sum()
    for d in range(n_d):
        day = int(problem.lead_days[d])
        if day < n_t:
            z[:, :, day] += problem.donor_stock[d][:, None] * share[None, :]
    return PlanInput(dispatch=x, moves=z)


def subset(view: DayView, runs: np.ndarray) -> DayView:
    """The view of some of the runs only."""
    sliced = {name: getattr(view, name)[runs] for name in (
        "run_ids", "stock", "backorder", "hub", "to_hub", "to_depot", "dispatched", "moved")}
    available = view.available[runs]
    return replace(view, **sliced, available_source=lambda: available)


class Conformance:
    """Wraps a policy and checks the contract on every call."""

    def __init__(self, inner: Policy) -> None:
        self.inner = inner
        self.calls = 0

    @property
    def name(self) -> str:
        return self.inner.name

    def _check(self, view: DayView, method: str, shape: tuple[int, ...]) -> np.ndarray:
        before = {n: getattr(view, n).copy() for n in ("stock", "hub", "available", "moved")}
        out = getattr(self.inner, method)(view)
        assert out.shape == shape
        assert np.all(np.isfinite(out)) and np.all(out >= 0)
        for name, array in before.items():
            np.testing.assert_array_equal(getattr(view, name), array)
            assert not getattr(view, name).flags.writeable
        np.testing.assert_array_equal(getattr(self.inner, method)(view), out)
        odd = np.arange(view.runs)[1::2]
        np.testing.assert_allclose(getattr(self.inner, method)(subset(view, odd)), out[odd])
        self.calls += 1
        return out

    def dispatch(self, view: DayView) -> np.ndarray:
        return self._check(view, "dispatch", view.available.shape)

    def allocate(self, view: DayView) -> np.ndarray:
        return self._check(view, "allocate", view.moved.shape)


@pytest.mark.parametrize("spec", SPECS)
def test_policy_conformance(tiny: Problem, make_hand_plan: Any, spec: str) -> None:
    policy = parse_policy(spec, plan=make_hand_plan(tiny), planner=ship_everything)
    assert isinstance(policy, Policy)
    assert policy.name == spec
    checked = Conformance(policy)
    result = simulate(tiny, checked, SimOptions(runs=6, seed=4, block_runs=3))
    assert checked.calls == 2 * tiny.n_days
    assert result.runs == 6


@pytest.mark.parametrize("spec", ["", "cadence", "cadence:0", "cadence:x", "order-up-to:-1",
                                  "lumps", "rolling:2:3", "plan:1"])
def test_bad_specs_are_refused_with_the_valid_forms(spec: str) -> None:
    with pytest.raises(SimulationError, match="policy"):
        parse_policy(spec, plan=None, planner=ship_everything)


def test_plan_and_rolling_need_their_inputs() -> None:
    with pytest.raises(SimulationError, match="--plan"):
        parse_policy("plan")
    with pytest.raises(SimulationError, match="planner"):
        parse_policy("rolling:7")


def test_sparse_tranches_run_out_more_and_lumps_expose_more(tiny: Problem) -> None:
    """The trade-off on tiny: cadence:30 runs out of 155 mm more than daily flow does, and a
    lump holds more stock at the depots."""
    options = SimOptions(runs=200, seed=9)
    out = {spec: simulate(tiny, parse_policy(spec), options).totals
           for spec in ("lump", "cadence:1", "cadence:30")}
    art155 = tiny.families.index("art155")
    short = {s: (t.family_short_days[:, art155] > 0).mean() for s, t in out.items()}
    assert short["cadence:30"] > short["cadence:1"]
    assert out["lump"].peak_total_tons.mean() > out["cadence:1"].peak_total_tons.mean()
