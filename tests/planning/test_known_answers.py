"""Golden and known-answer plans: optima derived by hand or from a published theorem.

Every objective is matched to 1e-7 relative; flows to 1e-6 absolute.
"""

from __future__ import annotations

import numpy as np
import pytest

from resupply.compile import Problem
from resupply.planning import Status, plan

from .builders import day, one_family, problem_of

REL = 1e-7


def test_hand_solved_lead_and_transit_with_smoothing() -> None:
    """One donor (100 in stock, lead 1 day, 2 EUR/t), one depot (15 in stock, transit 1 day,
    3 EUR/t), need 10 a day for 5 days, items of 1 t, shortfall 1000 EUR/unit, smoothness
    0.5 EUR/unit.

    The first dispatch (day 0) reaches the hub on day 1 and the depot on day 2, so day 0 and
    half of day 1 live on the 15 in stock and 5 units are short whatever is done: 5,000 EUR,
    plus the timing preference (0.1 % on day 0 falling linearly to 0 on day 4) for the day 1
    on which they fall short rather than day 0: 5 x 1000 x 0.001 x 3/4 = 3.75 EUR.
    Days 2-4 need 30 units, dispatched on days 0-2 (a dispatch on day 3 arrives too late):
    30 t x (2 + 3) EUR/t = 150 EUR. The donor's tranche sizes over its days 0..4 (x on day 4
    cannot arrive, so it does not exist and counts as 0) change by at least the largest
    tranche, at least 10 since three tranches carry 30; 10, 10, 10, 0 achieves it, uniquely:
    0.5 x 10 = 5 EUR. Optimum: 5,158.75 EUR.
    """
    data = one_family(horizon=5, rate=10, initial_stock=15, transit=1, depot_transport=3.0,
                      smoothness=0.5,
                      donors=[{"id": "don", "stock": [{"item": "it", "quantity": 100}],
                               "lead_days": 1, "transport_eur_per_t": 2.0}])
    result = plan(problem_of(data))
    assert result.status is Status.OPTIMAL
    assert result.objective == pytest.approx(5158.75, rel=REL)
    assert result.terms["shortfall"] == pytest.approx(5000.0, rel=REL)
    assert result.terms["shortfall_timing"] == pytest.approx(3.75, rel=REL)
    assert result.terms["transport"] == pytest.approx(150.0, rel=REL)
    assert result.terms["smoothness"] == pytest.approx(5.0, rel=REL)
    np.testing.assert_allclose(result.dispatch[0, 0], [10, 10, 10, 0, 0], atol=1e-6)
    np.testing.assert_allclose(result.moves[0, 0], [0, 10, 10, 10, 0], atol=1e-6)
    tranches = result.tranches
    assert list(tranches["day"]) == [0, 1, 2]
    assert set(tranches["depot"]) == {"dep"}
    np.testing.assert_allclose(tranches["tons"], [10, 10, 10], atol=1e-6)


def test_strike_decay_matches_closed_form() -> None:
    """No donors; 100 units in a depot struck with probability 0.1 a day, losing half:
    r = 1 - 0.1 x 0.5 = 0.95. With need 10 a day, ``s_t = r s_{t-1} - 10``: 85, 70.75,
    57.2125; expected losses ``(1 - r) s_{t-1}``: 5, 4.25, 3.5375 units, i.e. 1,278.75 EUR at
    100 EUR/unit; nothing is short.
    """
    result = plan(problem_of(one_family(horizon=3, rate=10, initial_stock=100,
                                        strike=(0.1, 0.5))))
    assert result.status is Status.OPTIMAL
    np.testing.assert_allclose(result.depot_stock[0, 0], [85, 70.75, 57.2125], rtol=1e-9)
    np.testing.assert_allclose(result.expected_loss[0, 0], [5, 4.25, 3.5375], rtol=1e-9)
    assert result.objective == pytest.approx(1278.75, rel=REL)
    assert result.terms["shortfall"] == pytest.approx(0.0, abs=1e-6)


def test_time_phased_production_with_lead_time() -> None:
    """A donor produces 10 a day from day 0 and holds nothing; lead 2 days, transit 1 day,
    need 10 a day for 10 days, 1 EUR/t to the hub. Nothing can arrive before day 3: 30 units
    short (30,000 EUR at 1,000 EUR/unit, plus 10 x 1000 x 0.001 x (9 + 8 + 7) / 9 = 26.67 EUR
    for falling short on days 0-2 of 0-9); from day 3 each day's production, dispatched the
    day it is made on days 0-6, covers the need exactly: 70 t x 1 EUR/t. Optimum:
    30,096.67 EUR.
    """
    donor = {"id": "maker", "lead_days": 2, "transport_eur_per_t": 1.0,
             "production": [{"item": "it", "rates": [{"date": day(0), "per_day": 10}]}]}
    result = plan(problem_of(one_family(horizon=10, rate=10, transit=1, donors=[donor])))
    assert result.status is Status.OPTIMAL
    assert result.objective == pytest.approx(30070.0 + 240.0 / 9, rel=REL)
    np.testing.assert_allclose(result.dispatch[0, 0, :7], 10.0, atol=1e-6)
    np.testing.assert_allclose(result.shortfall[0, 0], [10, 10, 10] + [0] * 7, atol=1e-6)


def _transportation() -> Problem:
    """Three donors each holding one item of one family, three depots needing it on day 2."""
    masses, stocks, donor_cost = [1, 2, 3], [20, 30, 25], [1.0, 2.0, 1.0]
    demands, depot_cost = [25, 20, 30], [4.0, 1.0, 3.0]
    data = one_family(horizon=3, rate=1, penalty=1e5,
                      items=[{"id": f"it{n}", "family": "fam", "mass_kg": 1000 * m,
                              "value_eur": 0} for n, m in enumerate(masses)],
                      donors=[{"id": f"don{n}", "lead_days": 1,
                               "transport_eur_per_t": donor_cost[n],
                               "stock": [{"item": f"it{n}", "quantity": stocks[n]}]}
                              for n in range(3)],
                      intensity=[{"date": day(0), "level": 0}, {"date": day(2), "level": 1}])
    data["platforms"][0]["initial"] = 75
    data["depots"] = [{"id": f"dep{k}", "capacity_t": 1e6, "transit_days": 1,
                       "demand_share": demands[k] / 75, "transport_eur_per_t": depot_cost[k]}
                      for k in range(3)]
    return problem_of(data)


def test_transportation_problem_northwest_corner_on_a_monge_array() -> None:
    """A 3x3 transportation problem. Donor d ships m_d t per unit, so a unit from d to depot k
    costs ``m_d (a_d + b_k)`` with m = (1, 2, 3) t, a = (1, 2, 1), b = (4, 1, 3) EUR/t;
    supplies (20, 30, 25), demands (25, 20, 30). The fixed part ``sum_d m_d a_d S_d`` is
    20 + 120 + 75 = 215. Sorted by m descending and b ascending, ``m_d b_k`` is a Monge
    array, so the northwest-corner rule is optimal (Hoffman 1963, "On simple linear
    programming problems"): don2 -> dep1 20, dep2 5; don1 -> dep2 25, dep0 5; don0 -> dep0
    20, costing 3(20 + 15) + 2(75 + 20) + 80 = 375. Optimum: 590 EUR.

    (A general cost matrix cannot be posed: the model's transport cost is per ton, the sum of
    a donor's and a depot's rate, so a unit's cost is always of this form.)
    """
    result = plan(_transportation())
    assert result.status is Status.OPTIMAL
    assert result.objective == pytest.approx(590.0, rel=REL)
    flows = result.tranches.pivot_table(index="donor", columns="depot", values="quantity",
                                        aggfunc="sum", fill_value=0.0)
    assert flows.loc["don2", "dep1"] == pytest.approx(20.0)
    assert flows.loc["don0", "dep0"] == pytest.approx(20.0)


def test_tiny_covers_nato_and_spends_every_soviet_round(tiny_problem: Problem) -> None:
    """Hand figures for `tiny` (see tiny.yaml): 152 mm need is 200 rounds a day for 30 days
    (6,000) against 2,000 in depots plus the eastern donor's 1,500, so every 152 mm round is
    either fired or lost to strikes (3,500 in all), the rest is short, and the eastern donor
    sends all it has. The 155 mm need (guns entering service one a day on days 7-12 at 25
    rounds a day: 25 x (23 + 22 + ... + 18) = 3,075 rounds) is met in full from the western
    donor's 3,600 in stock.
    """
    result = plan(tiny_problem)
    assert result.status is Status.OPTIMAL
    art152 = tiny_problem.item_family == tiny_problem.families.index("art152")
    spent = (result.consumption[art152].sum() + result.expected_loss[art152].sum())
    assert spent == pytest.approx(3500.0, rel=1e-9)
    f152, f155 = tiny_problem.families.index("art152"), tiny_problem.families.index("art155")
    assert result.shortfall[f152].sum() == pytest.approx(6000.0 - result.consumption[art152]
                                                         .sum(), rel=1e-9)
    assert tiny_problem.need[f155].sum() == pytest.approx(3075.0)
    assert result.shortfall[f155].sum() == pytest.approx(0.0, abs=1e-6)
    assert result.dispatch[tiny_problem.donors.index("east")].sum() == pytest.approx(1500.0)


def _near_losses(stock: float, need: float, retained: float) -> float:
    """Expected strike losses of a struck depot's initial stock when it is fired as fast as
    the need allows and nothing is added while it lasts: each day ``1 - r`` of the stock
    carried in is lost, then up to ``need`` is fired. [units]"""
    lost = 0.0
    while stock > 0:
        lost += (1.0 - retained) * stock
        stock = max(retained * stock - need, 0.0)
    return lost


def test_tiny_golden_optimum(tiny_problem: Problem) -> None:
    """The optimum of `tiny`, objective and tranches, derived by hand (tiny.yaml).

    152 mm (Soviet): need 200 a day (near 120, far 80) for 30 days = 6,000 rounds; 2,000 in
    the depots, 1,500 at the eastern donor. Every round is fired or lost (penalty 10,000
    EUR/round). Near is struck (r = 1 - 0.02 x 0.5 = 0.99), far is not, so the near stock is
    fired at 120 a day and nothing joins it while it lasts: it loses L rounds (`_near_losses`,
    62.16), worth 1,000 EUR each. The timing preference makes the plan fire 200 a day until
    all 3,500 - L rounds are spent: days 0-16 in full, 100 - L on day 17, then nothing;
    shortfall 2,500 + L rounds. The eastern donor (tranches on days 0, 7, 14, 21; lead 2)
    must have x0 + x7 >= 1,400 + L on the way before day 17 (a day-14 tranche reaches near on
    day 17 at the earliest); all 1,500 are sent, so x14 = 100 - L. Its tranche sizes change
    by at least the largest, so the smoothest plan is x0 = x7 = (1,400 + L) / 2.

    155 mm (NATO): met in full, just in time (nothing held at near). The western donor sends
    every day from its release (day 2); a day-t tranche reaches near on t + 4 and far on t + 5,
    so by day t it must have sent D(t) = near need through t + 4 + far need through t + 5,
    exactly 3,075 in all (transport costs 1 EUR/round). Starting and stopping count as changes,
    so its changes are at least twice its largest tranche M = max_t D(t) / (t - 1), met by M
    every day up to the binding day and the remainder after it.

    Objective: 10,000 (2,500 + L) shortfall + its timing (0.1 % more on day 0, 0 on day 29)
    + 1,000 L strike loss + transport (1,500 x 0.05 t x 30 + 3,075 x 0.05 t x 20 EUR/t)
    + 0.01 EUR/round x (x0 + 2 M) smoothness.
    """
    p = tiny_problem
    result = plan(p, cost_of_fairness=False)
    assert result.status is Status.OPTIMAL

    lost = _near_losses(1200.0, 120.0, 0.99)
    short = np.full(30, 200.0)
    short[:17] = 0.0
    short[17] = 100.0 + lost
    timing = 10_000 * 1e-3 * sum(short[t] * (29 - t) / 29 for t in range(30))
    east = np.zeros(30)
    east[[0, 7]] = (1400.0 + lost) / 2
    east[14] = 100.0 - lost

    guns = np.clip(np.arange(30) - 6, 0, 6)
    need155 = 25.0 * guns
    sent_by = {t: 0.6 * need155[:t + 5].sum() + 0.4 * need155[:t + 6].sum()
               for t in range(2, 26)}
    peak = max(sent_by[t] / (t - 1) for t in sent_by)
    binding = max(sent_by, key=lambda t: sent_by[t] / (t - 1))
    west = np.zeros(30)
    west[2:binding + 1] = peak
    west[binding + 1] = 3075.0 - peak * (binding - 1)

    expected = {"shortfall": 10_000 * (2500.0 + lost), "shortfall_timing": timing,
                "strike_loss": 1000.0 * lost, "transport": 1500 * 0.05 * 30 + 3075 * 0.05 * 20,
                "smoothness": 0.01 * (east[0] + 2 * peak), "package": 0.0, "fairness": 0.0}
    for term, value in expected.items():
        assert result.terms[term] == pytest.approx(value, rel=REL, abs=1e-6), term
    assert result.objective == pytest.approx(sum(expected.values()), rel=REL)
    assert result.shortfall[p.families.index("art152")].sum(axis=0) == pytest.approx(
        short, abs=1e-6)
    sent = result.dispatch.sum(axis=1)
    np.testing.assert_allclose(sent[p.donors.index("east")], east, atol=1e-6)
    np.testing.assert_allclose(sent[p.donors.index("west")], west, atol=1e-6)
    assert (binding, round(peak, 4)) == (24, 129.7826)
