"""Donor pauses: the up/down process against its closed forms, dated pauses in plan and
simulation.

Closed forms of a two-state Markov chain (e.g. Ross, *Introduction to Probability Models*,
ch. 4): a donor up on day t-1 is down on day t with probability p, a donor down on day t-1 is
up on day t with probability q. Stationary availability ``P(up) = q / (p + q)``; a pause lasts
a geometric number of days with mean ``1 / q``. The chain is reversible, so given that the
donor is down today the days it has been down (today included) are geometric with mean
``1 / q`` too.

The simple case simulated end to end: one item, one donor with unlimited stock and lead 0,
one depot holding nothing, demand fixed at d a day, ``order-up-to:d`` (each day the donor is
up it sends the day's need plus what is owed). Then

- lost sales: the demand of a day is met if and only if the donor is up: the share of demand
  lost is ``p / (p + q)``; orders per day (one on each up day) ``q / (p + q)``;
- backorders: what is owed at the end of a day is d times the days down so far, so its mean
  is ``d P(down) E[age | down] = d p / ((p + q) q)``; the share of demand met on its day is
  ``q / (p + q)`` (the rest is delayed, and arrives on recovery with the backlog).

Each run's mean over the days after a warm-up is one batch; the closed forms must lie within
the 99% batch-means interval ``mean +- 2.576 sd / sqrt(runs)``.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np
import pytest
from pydantic import ValidationError

from resupply import planning
from resupply.compile import compile_problem
from resupply.domain.load import load_scenario
from resupply.domain.schema import Donor, Pause
from resupply.simulation import DayView, DemandModel, OrderUpToPolicy, SimOptions, simulate
from resupply.simulation.draws import ChunkDraws, block_generators
from resupply.simulation.metrics import inventory_per_run
from resupply.simulation.pauses import advance
from resupply.simulation.specs import parse_policy

Z99 = 2.576
P_STOP, Q_RESUME = 0.05, 0.2


def within(values: np.ndarray, expected: float, what: str) -> None:
    half = Z99 * values.std(ddof=1) / math.sqrt(len(values))
    assert abs(values.mean() - expected) <= half, (
        f"{what}: simulated {values.mean():.4f} +- {half:.4f}, closed form {expected:.4f}")
    print(f"{what}: closed form {expected:.4f}, simulated {values.mean():.4f} +- {half:.4f}")


def test_the_up_down_process_has_its_availability_and_mean_pause() -> None:
    """The process alone (`pauses.advance`), 400 runs x 3000 days, two donors."""
    runs, days = 400, 3000
    stop, resume = np.array([P_STOP, 0.3]), np.array([Q_RESUME, 0.5])
    draws = ChunkDraws(block_generators(3, 4), [runs // 4] * 4, DemandModel(), math.inf)
    down = np.zeros((runs, 2), dtype=bool)
    path = np.empty((days, runs, 2), dtype=bool)
    for t in range(days):
        down = advance(down, draws, stop, resume)
        path[t] = down
    for d in range(2):
        p, q = stop[d], resume[d]
        within(1.0 - path[200:, :, d].mean(axis=0), q / (p + q), f"availability {d}")
        spells = _pause_lengths(path[:, :, d], last_start=days - 300)
        assert len(spells) > 10_000
        half = Z99 * spells.std(ddof=1) / math.sqrt(len(spells))
        assert abs(spells.mean() - 1.0 / q) <= half, (spells.mean(), 1.0 / q, half)
        print(f"mean pause {d}: closed form {1 / q:.4f}, simulated {spells.mean():.4f} "
              f"+- {half:.4f}")


def _pause_lengths(down: np.ndarray, last_start: int) -> np.ndarray:
    """[spells] lengths of the pauses [days] that start by ``last_start`` (all of them end
    within the horizon but with probability below 1e-20); each pause is independent."""
    padded = np.concatenate([np.zeros((1, down.shape[1]), bool), down,
                             np.zeros((1, down.shape[1]), bool)]).astype(np.int8)
    edges = np.diff(padded, axis=0)
    lengths = []
    for run in range(down.shape[1]):
        starts = np.nonzero(edges[:, run] == 1)[0]
        ends = np.nonzero(edges[:, run] == -1)[0]
        keep = starts <= last_start
        lengths.append(ends[keep] - starts[keep])
    return np.concatenate(lengths).astype(float)


def _paused_textbook(make: Any, need: float) -> Any:
    sc = make(need, 0, 0.0, 260)
    donor = sc.donors[0].model_copy(update={"pause_prob_per_day": P_STOP,
                                            "resume_prob_per_day": Q_RESUME})
    return compile_problem(sc.model_copy(update={"donors": [donor]}))


@pytest.mark.parametrize("backorders", [False, True], ids=["lost-sales", "backorders"])
def test_demand_lost_or_delayed_by_pauses_matches_the_closed_form(
        make_textbook_scenario: Any, backorders: bool) -> None:
    need = 10.0
    problem = _paused_textbook(make_textbook_scenario, need)
    options = SimOptions(runs=400, seed=21, demand=DemandModel("fixed"), backorders=backorders,
                         warmup_days=60, strikes=False, delays=False, surges=False)
    result = simulate(problem, OrderUpToPolicy(level=need), options)
    tot = result.totals
    p, q = P_STOP, Q_RESUME
    met = tot.met.sum(axis=(1, 2)) / tot.demand.sum(axis=(1, 2))
    within(met, q / (p + q), "share of demand met on its day")
    figures = inventory_per_run(result)
    within(figures["orders_per_day"], q / (p + q), "orders per day")
    if backorders:
        within(figures["backorders"], need * p / ((p + q) * q), "mean backorders")
    else:
        within(1.0 - met, p / (p + q), "share of demand lost")


def test_no_pauses_option_switches_them_off(make_textbook_scenario: Any) -> None:
    problem = _paused_textbook(make_textbook_scenario, 10.0)
    options = SimOptions(runs=50, seed=2, demand=DemandModel("fixed"), pauses=False,
                         strikes=False, delays=False, surges=False)
    tot = simulate(problem, OrderUpToPolicy(level=10.0), options).totals
    np.testing.assert_allclose(tot.met, tot.demand)


class Recorder:
    """A policy wrapper that records, for each day, what each donor may send [r, d]."""

    def __init__(self, spec: str) -> None:
        self.inner = parse_policy(spec)
        self.available: list[np.ndarray] = []
        self.sent: list[np.ndarray] = []

    @property
    def name(self) -> str:
        return self.inner.name

    def dispatch(self, view: DayView) -> np.ndarray:
        self.available.append(view.available.sum(axis=2))
        out: np.ndarray = self.inner.dispatch(view)
        self.sent.append(np.minimum(out, view.available).sum(axis=2))
        return out

    def allocate(self, view: DayView) -> np.ndarray:
        out: np.ndarray = self.inner.allocate(view)
        return out


def _tiny_paused(first: str = "2022-06-10", last: str = "2022-06-16") -> Any:
    sc = load_scenario("tiny")
    west = sc.donors[1].model_copy(update={"pauses": [
        Pause(start=dt.date.fromisoformat(first), end=dt.date.fromisoformat(last))]})
    return sc.model_copy(update={"donors": [sc.donors[0], west]})


def test_dated_pauses_compile_to_paused_days() -> None:
    p = compile_problem(_tiny_paused())
    assert p.donor_paused.shape == (2, 30)
    assert not p.donor_paused[0].any()
    np.testing.assert_array_equal(np.nonzero(p.donor_paused[1])[0], np.arange(9, 16))
    before = compile_problem(_tiny_paused("2022-05-01", "2022-06-02"))
    np.testing.assert_array_equal(np.nonzero(before.donor_paused[1])[0], [0, 1])
    assert not compile_problem(_tiny_paused("2021-01-01", "2021-02-01")).donor_paused.any()


def test_a_paused_donor_sends_nothing_and_then_its_backlog() -> None:
    """lump sends all a donor has each day: nothing on the paused days 9..15, then on day 16
    the production of the pause (100 a day from day 9) and of day 16 at once, then 100 a
    day again."""
    p = compile_problem(_tiny_paused())
    policy = Recorder("lump")
    simulate(p, policy, SimOptions(runs=3, seed=1))
    available = np.stack(policy.available)[:, :, 1]  # [t, r] west
    sent = np.stack(policy.sent)[:, :, 1]
    assert not available[9:16].any()
    assert not sent[9:16].any()
    np.testing.assert_allclose(sent[16], 800.0)
    np.testing.assert_allclose(sent[17:], 100.0)


def test_the_planner_sends_nothing_on_paused_days() -> None:
    free = planning.plan(compile_problem(load_scenario("tiny")), explain=False)
    paused = planning.plan(compile_problem(_tiny_paused()), explain=False)
    assert free.ok and paused.ok
    assert np.asarray(free.dispatch)[1, :, 9:16].sum() > 0  # the pause binds
    assert np.asarray(paused.dispatch)[1, :, 9:16].sum() == 0.0


@pytest.mark.parametrize(("update", "says"), [
    ({"pause_prob_per_day": 0.1}, "needs `resume_prob_per_day`"),
    ({"pause_prob_per_day": 1.5, "resume_prob_per_day": 0.5}, "less than or equal to 1"),
    ({"pause_prob_per_day": 0.1, "resume_prob_per_day": 0.0}, "greater than 0"),
    ({"pauses": [{"start": "2022-06-10", "end": "2022-06-01"}]}, "before `start`")])
def test_inconsistent_pauses_are_refused(update: dict[str, Any], says: str) -> None:
    with pytest.raises(ValidationError, match=says):
        Donor.model_validate({"id": "d", **update})
