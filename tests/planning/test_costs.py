"""Known answers for the planner's cost terms: holding, fixed cost per tranche (a Wagner–Whitin
lot-sizing instance), dispatch capacity lost if unused, purchase price by date.

Objectives to 1e-7 relative, flows to 1e-6 absolute.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from resupply.planning import Status, plan

from .builders import day, one_family, problem_of

REL = 1e-7


def _by_day(levels: list[float], rate: float) -> list[dict[str, Any]]:
    """An intensity profile that makes the need ``levels[t]`` on day t at ``rate`` a day."""
    return [{"date": day(t), "level": level / rate} for t, level in enumerate(levels)]


def test_holding_five_units_costs_35_a_day() -> None:
    """No need, no donors, 5 units in the depot for 3 days at h = 7 EUR/(unit day): the plan
    must hold them, 5 x 7 = 35 EUR a day, 105 EUR in all (issue 11: it used to cost 0)."""
    data = one_family(horizon=3, rate=0, initial_stock=5,
                      weights={"holding_per_unit_day": 7.0, "smoothness": 0.0})
    result = plan(problem_of(data))
    assert result.status is Status.OPTIMAL
    assert result.objective == pytest.approx(105.0, rel=REL)
    assert result.terms["holding"] == pytest.approx(105.0, rel=REL)
    assert any(line.startswith("holding: EUR 105 for 15 unit-days") for line in
               result.explanation), result.explanation


WW_DEMAND = [60.0, 100.0, 140.0, 200.0, 120.0, 80.0, 40.0, 90.0, 110.0, 70.0]
WW_SETUP = 500.0
WW_HOLD = 2.0


def wagner_whitin(demand: list[float], setup: float, hold: float) -> tuple[float, list[int]]:
    """The Wagner–Whitin recursion (H. M. Wagner and T. M. Whitin, "Dynamic version of the
    economic lot size model", Management Science 5(1):89-96, 1958): with zero-inventory
    ordering optimal, ``F(t) = min_{1<=j<=t} F(j-1) + K + h sum_{k=j..t} (k-j) d_k``, F(0) = 0,
    holding charged on the stock at the end of each period. Returns (F(n), order periods from 0).
    """
    n = len(demand)
    best = [0.0] * (n + 1)
    start = [0] * (n + 1)
    for t in range(1, n + 1):
        options = [(best[j - 1] + setup + hold * sum((k - j) * demand[k - 1]
                                                     for k in range(j, t + 1)), j)
                   for j in range(1, t + 1)]
        best[t], start[t] = min(options)
    orders, t = [], n
    while t > 0:
        orders.append(start[t] - 1)
        t = start[t] - 1
    return best[n], sorted(orders)


def test_wagner_whitin_lot_sizing() -> None:
    """Ten days of need 60, 100, 140, 200, 120, 80, 40, 90, 110, 70 units (items of 1 t), one
    donor holding exactly the total (960), lead and transit 0, fixed cost K = 500 EUR per
    tranche, holding h = 2 EUR/(unit day), no other cost; shortfall far dearer.

    Instance of our own. Optimum by the Wagner–Whitin recursion above (solved in the test) and
    by hand: tranches on days 0, 2, 4, 7 covering days 0-1, 2-3, 4-6, 7-9; holding
    2 x (100 + 200 + (80 + 2 x 40) + (110 + 2 x 70)) = 1,420 EUR, fixed 4 x 500 = 2,000 EUR,
    total 3,420 EUR. (One tranche more, e.g. day 5, saves 2 x 40 = 80 of holding for 500.)
    """
    expected, orders = wagner_whitin(WW_DEMAND, WW_SETUP, WW_HOLD)
    assert expected == pytest.approx(3420.0, rel=1e-12)
    assert orders == [0, 2, 4, 7]
    data = one_family(
        horizon=10, rate=10, penalty=1e5,
        donors=[{"id": "don", "stock": [{"item": "it", "quantity": sum(WW_DEMAND)}],
                 "tranche_fixed_eur": WW_SETUP}],
        intensity=_by_day(WW_DEMAND, 10.0),
        weights={"holding_per_unit_day": WW_HOLD, "smoothness": 0.0, "transport": 0.0})
    result = plan(problem_of(data), integer=True, mip_gap=0.0)
    assert result.status is Status.OPTIMAL
    assert result.objective == pytest.approx(expected, rel=REL)
    assert result.terms["tranche_fixed"] == pytest.approx(4 * WW_SETUP, rel=REL)
    assert result.terms["holding"] == pytest.approx(1420.0, rel=REL)
    sent = result.dispatch[0, 0]
    assert list(np.nonzero(sent > 1e-6)[0]) == orders
    np.testing.assert_allclose(sent[orders], [160, 340, 240, 270], atol=1e-6)
    assert any(line.startswith("fixed cost per tranche: 4 tranches") for line in
               result.explanation), result.explanation


def test_fixed_cost_is_ignored_by_the_lp() -> None:
    """The LP has no on/off variable: the same instance without `--integer` pays no fixed
    cost and ships just in time (holding 0), and says that it left the fixed cost out."""
    data = one_family(
        horizon=10, rate=10, penalty=1e5,
        donors=[{"id": "don", "stock": [{"item": "it", "quantity": sum(WW_DEMAND)}],
                 "tranche_fixed_eur": WW_SETUP}],
        intensity=_by_day(WW_DEMAND, 10.0),
        weights={"holding_per_unit_day": WW_HOLD, "smoothness": 0.0, "transport": 0.0})
    result = plan(problem_of(data))
    assert result.objective == pytest.approx(0.0, abs=1e-6)
    np.testing.assert_allclose(result.dispatch[0, 0], WW_DEMAND, atol=1e-6)
    assert any(line.startswith("fixed costs left out: the LP pays no fixed cost per tranche "
                               "(1 donor)") for line in result.explanation), result.explanation


def _capacity_case(release: int) -> dict[str, Any]:
    """Need 40 units on day 3 only (items of 1 t); a donor holding 100, released on day
    ``release``, dispatching at most 10 t a day, lead and transit 0."""
    return one_family(
        horizon=4, rate=10, penalty=1000.0,
        donors=[{"id": "don", "stock": [{"item": "it", "quantity": 100}],
                 "dispatch_t_per_day": 10.0,
                 "releases": [{"item": "it", "date": day(release)}]}],
        intensity=_by_day([0.0, 0.0, 0.0, 40.0], 10.0),
        weights={"smoothness": 0.0})


def test_dispatch_capacity_lost_if_unused() -> None:
    """Released on day 2, the donor can send 10 t on day 2 and 10 t on day 3: 20 of the 40
    arrive, 20 are short, 20 x 1000 = 20,000 EUR (day 3 is the last day: no timing term): the
    20 t of capacity of days 0 and 1, before the release, are not carried over. Released on
    day 0, four days of 10 t cover the 40 units: nothing is short, the stock waits in the
    depot."""
    late = plan(problem_of(_capacity_case(2)))
    assert late.objective == pytest.approx(20_000.0, rel=REL)
    np.testing.assert_allclose(late.dispatch[0, 0], [0, 0, 10, 10], atol=1e-6)
    assert any("binding: dispatch capacity" in line for line in late.explanation), \
        late.explanation
    assert any(line.startswith("dispatch capacity: donors send their full daily tonnage on 2")
               for line in late.explanation)
    early = plan(problem_of(_capacity_case(0)))
    assert early.objective == pytest.approx(0.0, abs=1e-6)
    np.testing.assert_allclose(early.dispatch[0, 0], [10, 10, 10, 10], atol=1e-6)


def test_purchase_price_by_date_against_holding() -> None:
    """Need 20 units on day 3 only; the price is 10 EUR/unit until day 2 and 30 from day 2;
    holding 8 EUR/(unit day). Buying on day d < 2 costs 10 + 8 (3 - d), on day 2 30 + 8, on
    day 3 30: day 1 is cheapest, 26 a unit: purchase 200, holding 320, 520 EUR."""
    data = one_family(
        horizon=4, rate=10, penalty=1000.0,
        items=[{"id": "it", "family": "fam", "mass_kg": 1000, "value_eur": 100,
                "purchase_prices": [{"date": day(2), "eur_per_unit": 30.0},
                                    {"date": day(0), "eur_per_unit": 10.0}]}],
        donors=[{"id": "don", "stock": [{"item": "it", "quantity": 100}]}],
        intensity=_by_day([0.0, 0.0, 0.0, 20.0], 10.0),
        weights={"holding_per_unit_day": 8.0, "smoothness": 0.0})
    result = plan(problem_of(data))
    assert result.objective == pytest.approx(520.0, rel=REL)
    assert result.terms["purchase"] == pytest.approx(200.0, rel=REL)
    assert result.terms["holding"] == pytest.approx(320.0, rel=REL)
    np.testing.assert_allclose(result.dispatch[0, 0], [0, 20, 0, 0], atol=1e-6)
