"""The fused Numba kernel (`resupply.simulation.kernel`) against the NumPy path: the same
numbers bit for bit, for every policy, engine mode, chunking and number of workers, on tiny,
ukraine-2022 and Hypothesis-generated scenarios."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from resupply import compile_problem, load_scenario
from resupply.compile import Problem
from resupply.errors import SimulationError
from resupply.simulation import (
    DemandModel,
    PlanPolicy,
    SimOptions,
    SimResult,
    fused,
    simulate,
    state,
)
from resupply.simulation.specs import parse_policy
from resupply.simulation.state import PER_RUN, SUMMED
from sim_scenario import bench_problem, weekly_plan

pytest.importorskip("numba")
from resupply.simulation import kernel, netkernel, network

SPECS = ["lump", "cadence:7", "order-up-to:10d", "order-up-to:500", "sS:3d:12d", "plan"]


def _run(problem: Problem, policy: Any, path: str, monkeypatch: pytest.MonkeyPatch,
         **options: Any) -> SimResult:
    monkeypatch.setenv(fused.ENV, path)
    return simulate(problem, policy, SimOptions(**options))


def _assert_identical(a: SimResult, b: SimResult) -> None:
    for name in (*PER_RUN, *SUMMED):
        assert np.array_equal(getattr(a.totals, name), getattr(b.totals, name)), name
    if a.totals.stock_trace is not None:
        assert np.array_equal(a.totals.stock_trace, b.totals.stock_trace)


def _both(problem: Problem, policy: Any, monkeypatch: pytest.MonkeyPatch,
          **options: Any) -> None:
    numpy_path = _run(problem, policy, "numpy", monkeypatch, **options)
    kernel_path = _run(problem, policy, "numba", monkeypatch, **options)
    _assert_identical(numpy_path, kernel_path)


def test_thresholds_match_the_engine() -> None:
    assert kernel.SHORT == state.SHORT
    assert kernel.RELATIVE_SLACK == state.RELATIVE_SLACK
    assert netkernel.RELATIVE_SLACK == state.RELATIVE_SLACK
    assert netkernel.TINY == network.TINY


@pytest.mark.parametrize("spec", SPECS)
@pytest.mark.parametrize("mode", [{}, {"backorders": True, "warmup_days": 5},
                                  {"record_deficits": True, "record_stock": True},
                                  {"demand": DemandModel("normal", 0.5)},
                                  {"demand": DemandModel("lognormal", 0.8),
                                   "expected_strikes": True}])
def test_tiny(spec: str, mode: dict[str, Any], tiny: Problem, make_hand_plan: Any,
              monkeypatch: pytest.MonkeyPatch) -> None:
    policy = parse_policy(spec, plan=make_hand_plan(tiny))
    _both(tiny, policy, monkeypatch, runs=30, seed=5, block_runs=7, chunk_runs=14, **mode)


@pytest.fixture(scope="module")
def ukraine() -> Problem:
    return compile_problem(load_scenario("ukraine-2022"))


@pytest.mark.parametrize("spec", ["lump", "cadence:7", "order-up-to:10d", "sS:3d:12d"])
def test_ukraine(spec: str, ukraine: Problem, monkeypatch: pytest.MonkeyPatch) -> None:
    _both(ukraine, parse_policy(spec), monkeypatch, runs=16, seed=2, block_runs=4,
          chunk_runs=8, record_deficits=True)


@pytest.mark.parametrize("spec", ["lump", "order-up-to:10d", "sS:3d:12d", "plan"])
def test_network(spec: str, tiny_network: dict[str, Any],
                 monkeypatch: pytest.MonkeyPatch) -> None:
    """tiny over two hubs with binding routes, a hub storage limit and a route from depot to
    depot (`resupply.simulation.network`): the network's rounds and bookings on the Numba
    loops (`netkernel`) or NumPy, the depots' steps the kernel's or NumPy's; the same numbers
    bit for bit, struck hub included."""
    from resupply import planning
    from resupply.domain import Scenario
    from resupply.workflow.policies import plan_input

    data = {**tiny_network, "network": {**tiny_network["network"], "hubs": [
        {**hub, "strike_prob_per_day": 0.05, "loss_fraction": 0.3}
        for hub in tiny_network["network"]["hubs"]]}}
    problem = compile_problem(Scenario.model_validate(data))
    plan = (planning.plan(problem, cost_of_fairness=False, explain=False, method="simplex")
            if spec == "plan" else None)
    policy = parse_policy(spec, plan=None if plan is None else plan_input(plan))
    _both(problem, policy, monkeypatch, runs=24, seed=4, block_runs=5, chunk_runs=10,
          record_deficits=True)


def test_whatever_the_chunking_and_workers(ukraine: Problem,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """Kernel and NumPy path give the same numbers for every chunking and number of workers,
    and the same as one run to a chunk: family sums and tons add item by item in one order
    whatever the runs taken at once (`constants.contract`; BLAS products had made ukraine's
    (s,S) decide differently at its thresholds with the chunking)."""
    policy = parse_policy("sS:3d:12d")
    reference = _run(ukraine, policy, "numpy", monkeypatch, runs=12, seed=9, block_runs=3,
                     chunk_runs=3)
    for chunk in (3, 6, 12):
        one = _run(ukraine, policy, "numpy", monkeypatch, runs=12, seed=9, block_runs=3,
                   chunk_runs=chunk)
        for name in PER_RUN:  # (daily sums over runs add chunk by chunk: their last bits may)
            assert np.array_equal(getattr(one.totals, name), getattr(reference.totals, name)), (
                chunk, name)
        for workers in (1, 2):
            other = _run(ukraine, policy, "numba", monkeypatch, runs=12, seed=9, block_runs=3,
                         chunk_runs=chunk, workers=workers)
            _assert_identical(one, other)


@pytest.mark.parametrize("spec", ["plan", "cadence:7", "order-up-to:10d"])
def test_policies_that_top_up_from_donors_whatever_the_chunking(
        spec: str, tiny: Problem, monkeypatch: pytest.MonkeyPatch) -> None:
    """The policies that fill orders donor by donor (`policies.greedy_dispatch`) give the same
    runs in chunks of 60 and of 9: an order of 0 once took 1e-13 units in some runs of a
    chunk where another run ordered something (the difference of running sums over all
    pairs), so the plan policy's runs depended on the chunking."""
    from resupply.workflow.policies import plan_input, reference_plan

    policy = parse_policy(spec, plan=plan_input(reference_plan(tiny)))
    whole = _run(tiny, policy, "numpy", monkeypatch, runs=60, seed=3, block_runs=3,
                 chunk_runs=60)
    parts = _run(tiny, policy, "numpy", monkeypatch, runs=60, seed=3, block_runs=3,
                 chunk_runs=9)
    for name in PER_RUN:
        assert np.array_equal(getattr(whole.totals, name), getattr(parts.totals, name)), name


@settings(max_examples=15, deadline=None, derandomize=True)
@given(items=st.integers(1, 12), depots=st.integers(1, 4), days=st.integers(5, 40),
       capacity=st.sampled_from([5.0, 60.0, 1e6]), pause=st.sampled_from([0.0, 0.1]),
       slip=st.sampled_from([0.0, 3.0]), spec=st.sampled_from([*SPECS[:-1], "weekly"]),
       seed=st.integers(0, 2**16), backorders=st.booleans())
def test_generated_scenarios(items: int, depots: int, days: int, capacity: float,  # noqa: PLR0917
                             pause: float, slip: float, spec: str, seed: int,
                             backorders: bool) -> None:
    p = bench_problem(n_items=items, n_depots=depots, days=days, capacity_t=capacity,
                      pause_prob=pause, slip_days=slip)
    policy = PlanPolicy(weekly_plan(p)) if spec == "weekly" else parse_policy(spec)
    with pytest.MonkeyPatch.context() as monkeypatch:
        _both(p, policy, monkeypatch, runs=10, seed=seed, block_runs=3, chunk_runs=6,
              backorders=backorders, record_deficits=True)


def test_choice_of_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(fused.ENV, "numpy")
    assert not fused.use_kernel()
    monkeypatch.setenv(fused.ENV, "numba")
    assert fused.use_kernel()
    monkeypatch.setenv(fused.ENV, "fast")
    with pytest.raises(SimulationError, match="auto, numpy or numba"):
        fused.use_kernel()


def test_cache_goes_to_the_user_cache_when_the_package_is_read_only(
        tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NUMBA_CACHE_DIR", "")  # unset for the call, restored after
    monkeypatch.setattr(fused.os, "access", lambda path, mode: False)
    monkeypatch.setattr("platformdirs.user_cache_dir", lambda name: str(tmp_path / name))
    fused.prepare_cache_dir()
    assert fused.os.environ["NUMBA_CACHE_DIR"] == str(tmp_path / "resupply" / "numba")
    assert (tmp_path / "resupply" / "numba").is_dir()
