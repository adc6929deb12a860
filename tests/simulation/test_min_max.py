"""The (s,S) policy against the exact long-run cost of its Markov chain.

Model (Scarf 1960; Zipkin, *Foundations of Inventory Management*, 2000, sections 6.7 and 9.5;
Axsaeter, *Inventory Control*, 3rd ed., section 6.4): one item, periodic review every day,
i.i.d. Poisson(lambda) demand, a fixed lead time of L days, unmet demand backordered. At the
start of a day the inventory position x (on hand + on order - backorders) is reviewed; if
``x <= s`` an order of ``S - x`` is placed (fixed cost K), so the position after ordering is
``y = S`` if ``x <= s`` else ``x``. The next day's position is ``y - D``.

``y`` is a Markov chain on ``{s+1, .., S}`` with ``P(y, y') = P(D = y - y')`` for
``s < y' <= y`` and ``P(y, S) += P(D >= y - s)``. With its stationary distribution pi:

- orders per day ``= sum_y pi(y) P(D >= y - s)``;
- the net inventory at the end of day t + L is ``y_t - D_{L+1}`` (everything ordered by day t
  has arrived, nothing ordered later has), ``D_{L+1} ~ Poisson((L + 1) lambda)``, so on hand
  ``= sum_y pi(y) E[(y - D_{L+1})^+]`` and backorders ``= sum_y pi(y) E[(D_{L+1} - y)^+]``;
- cost per day ``= h on_hand + p backorders + K orders``.

The chain is solved here with numpy alone (nothing from resupply). The engine runs the same
instance (`MinMaxPolicy`, ``--backorders``, Poisson demand, one donor with unlimited stock and
lead L, no strikes, delays or surges); each run's mean over the days after the warm-up is one
batch, runs are independent, and each closed form must lie within the 99% batch-means interval
``mean +- 2.576 sd / sqrt(runs)``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from resupply.compile import compile_problem
from resupply.simulation import DemandModel, MinMaxPolicy, SimOptions, simulate
from resupply.simulation.metrics import inventory_per_run

RUNS, DAYS, WARMUP = 400, 220, 20
Z99 = 2.576
H, P, K = 1.0, 9.0, 40.0


def poisson_pmf(lam: float, n: int) -> np.ndarray:
    """P(D = 0..n-1) for D ~ Poisson(lam), by the recursion p(j) = p(j-1) lam / j."""
    pmf = np.empty(n)
    pmf[0] = math.exp(-lam)
    for j in range(1, n):
        pmf[j] = pmf[j - 1] * lam / j
    return pmf


def chain_figures(lam: float, lead: int, s: int, big_s: int) -> dict[str, float]:
    """Exact long-run figures per day of (s, S) from the stationary distribution."""
    n = 400
    pmf = poisson_pmf(lam, n)
    tail = 1.0 - np.concatenate(([0.0], np.cumsum(pmf)[:-1]))  # P(D >= j)
    levels = np.arange(s + 1, big_s + 1)
    m = len(levels)
    trans = np.zeros((m, m))
    for a, y in enumerate(levels):
        for b, y2 in enumerate(levels[: a + 1]):
            trans[a, b] += pmf[y - y2]
        trans[a, m - 1] += tail[y - s]
    assert np.allclose(trans.sum(axis=1), 1.0)
    system = np.vstack([trans.T - np.eye(m), np.ones(m)])
    pi = np.linalg.lstsq(system, np.concatenate([np.zeros(m), [1.0]]), rcond=None)[0]
    lead_pmf = poisson_pmf(lam * (lead + 1), n)
    demand = np.arange(n)
    on_hand = np.array([lead_pmf @ np.maximum(y - demand, 0) for y in levels])
    backorders = np.array([lead_pmf @ np.maximum(demand - y, 0) for y in levels])
    orders = pi @ tail[levels - s]
    figures = {"on_hand": pi @ on_hand, "backorders": pi @ backorders, "orders_per_day": orders}
    figures["cost_per_day"] = (H * figures["on_hand"] + P * figures["backorders"]
                               + K * orders)
    return figures


def test_the_chain_of_a_base_stock_policy() -> None:
    """s = S - 1 is the base-stock policy: an order every day with demand, and the newsvendor
    figures of D_{L+1} at level S (a check of the chain code above)."""
    figures = chain_figures(4.0, 1, 9, 10)
    assert figures["orders_per_day"] == pytest.approx(1.0 - math.exp(-4.0))
    pmf = poisson_pmf(8.0, 200)
    assert figures["backorders"] == pytest.approx(pmf @ np.maximum(np.arange(200) - 10, 0))


@pytest.mark.parametrize(("lead", "s", "big_s"), [(0, 4, 22), (2, 14, 30)])
def test_min_max_matches_its_markov_chain(make_textbook_scenario: Any, lead: int, s: int,
                                          big_s: int) -> None:
    lam = 5.0
    sc = make_textbook_scenario(lam, lead, float(big_s), DAYS, h=H, p=P)
    donor = sc.donors[0].model_copy(update={"tranche_fixed_eur": K})
    problem = compile_problem(sc.model_copy(update={"donors": [donor]}))
    options = SimOptions(runs=RUNS, seed=77, demand=DemandModel("poisson"), backorders=True,
                         warmup_days=WARMUP, strikes=False, delays=False, surges=False)
    result = simulate(problem, MinMaxPolicy(s, big_s), options)
    batches = inventory_per_run(result)
    theory = chain_figures(lam, lead, s, big_s)
    for name, expected in theory.items():
        values = batches[name]
        half = Z99 * values.std(ddof=1) / math.sqrt(len(values))
        assert abs(values.mean() - expected) <= half, (
            f"{name}: simulated {values.mean():.4f} +- {half:.4f}, chain {expected:.4f}")
        print(f"L={lead} s={s} S={big_s} {name}: chain {expected:.4f}, simulated "
              f"{values.mean():.4f} +- {half:.4f}")
    assert 0.05 < theory["orders_per_day"] < 0.5  # ordering is neither daily nor absent
