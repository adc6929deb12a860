"""The engine against the two slow reference models of benchmarks/sim_reference.py (a plain
Python loop and a SimPy model that import nothing from the engine): on small scenarios
their mean fill rate, shortfall and strike loss per run agree with the engine's within
batch-means confidence intervals. The streams differ (the references draw one number at a
time from a generator per run), so agreement is statistical; the seeds are fixed, so the
outcome is deterministic.

The references' distributions were checked the other way too: with the surge factor not
normalised to mean 1 (the reference's former semantics) the shortfall on the generated
scenario falls outside the interval (`test_a_wrong_model_is_caught`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pytest
from scipy import stats

from resupply import compile_problem, load_scenario
from resupply.compile import Problem
from resupply.simulation import PlanInput, PlanPolicy, SimOptions, simulate
from sim_reference import Model, RunState, run_loop, run_simpy
from sim_scenario import bench_problem, weekly_plan

BATCHES = 10
CONFIDENCE = 0.999

Reference = Callable[[Problem, PlanInput, int, int], list[RunState]]


@dataclass(frozen=True)
class PerRun:
    """Per-run figures of one model: fill rate [1], shortfall [units], strike loss [units]."""

    fill: np.ndarray
    short: np.ndarray
    lost: np.ndarray


def _engine(p: Problem, plan: PlanInput, runs: int) -> PerRun:
    tot = simulate(p, PlanPolicy(plan, track=False),
                   SimOptions(runs=runs, seed=7, block_runs=50)).totals
    demand, met = tot.demand.sum(axis=(1, 2)), tot.met.sum(axis=(1, 2))
    fill = np.divide(met, demand, out=np.ones_like(met), where=demand > 0)
    return PerRun(fill, demand - met, tot.lost_units.sum(axis=(1, 2)))


def _reference(model: Reference, p: Problem, plan: PlanInput, runs: int) -> PerRun:
    states = model(p, plan, runs, 11)
    return PerRun(np.array([s.fill_rate for s in states]),
                  np.array([s.shortfall for s in states]), np.array([s.lost for s in states]))


def _interval(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """(difference of the means, half-width of its confidence interval) from batch means."""
    ma = a.reshape(BATCHES, -1).mean(axis=1)
    mb = b.reshape(BATCHES, -1).mean(axis=1)
    se = math.sqrt(ma.var(ddof=1) / BATCHES + mb.var(ddof=1) / BATCHES)
    return float(ma.mean() - mb.mean()), float(stats.t.ppf(0.5 + CONFIDENCE / 2,
                                                           2 * BATCHES - 2) * se)


def _disagreements(engine: PerRun, ref: PerRun) -> list[str]:
    out = []
    for name in ("fill", "short", "lost"):
        diff, half = _interval(getattr(engine, name), getattr(ref, name))
        if abs(diff) > half:
            out.append(f"{name}: engine - reference = {diff:.4g} beyond +-{half:.4g}")
    return out


def _generated() -> Problem:
    """10 items in 10 families, 3 depots, 60 days; capacity binds (stock goes back to the
    hub), random pauses and release slips, negative-binomial demand with surges, strikes."""
    return bench_problem(n_items=10, n_depots=3, days=60, capacity_t=60.0, pause_prob=0.05,
                         slip_days=2.0)


SCENARIOS: dict[str, tuple[Callable[[], Problem], int]] = {
    "tiny": (lambda: compile_problem(load_scenario("tiny")), 400),
    "generated": (_generated, 200),
}


@pytest.mark.parametrize("model", [run_loop, run_simpy], ids=["loop", "simpy"])
@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_reference_agrees_with_engine(scenario: str, model: Reference) -> None:
    build, runs = SCENARIOS[scenario]
    p = build()
    plan = weekly_plan(p)
    engine, ref = _engine(p, plan, runs), _reference(model, p, plan, runs)
    assert ref.lost.mean() > 0 and ref.short.mean() > 0  # the figures compared are not all 0
    assert _disagreements(engine, ref) == []


class _UnnormalisedSurge(Model):
    """The former reference: surge days at the full multiplier, normal days at 1."""

    def __init__(self, p: Problem, plan: PlanInput) -> None:
        super().__init__(p, plan)
        self.surge = (1.0, p.surge_multiplier)


def test_a_wrong_model_is_caught(monkeypatch: pytest.MonkeyPatch) -> None:
    """The comparison has the power to see a 2.5 % bias of demand."""
    import sim_reference

    p = _generated()
    plan = weekly_plan(p)
    monkeypatch.setattr(sim_reference, "Model", _UnnormalisedSurge)
    wrong = _reference(sim_reference.run_loop, p, plan, 200)
    assert any(d.startswith("short") for d in _disagreements(_engine(p, plan, 200), wrong))
