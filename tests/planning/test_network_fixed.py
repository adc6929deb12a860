"""Fixed cost per shipment on a network route (issue 11, item 2): a fixed-charge instance
solved by hand on both sides of its break-even, the LP that leaves the cost out and says so,
and networks without such costs that build the model they built before.

Objectives to 1e-7 relative, flows to 1e-6 absolute.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from resupply.compile import Problem
from resupply.domain import load_scenario
from resupply.planning import PlanOptions, Status, plan
from resupply.planning.model import build_model

from .builders import START, problem_of

REL = 1e-7
CHEAP, DEAR, HOLD, FIXED = 10.0, 30.0, 1.0, 570.0
"""Route 1's and route 2's cost per t, holding per unit and day, route 1's fixed cost."""
BREAK_EVEN = FIXED / (3 * (DEAR - CHEAP) - 3 * HOLD)
"""Units a day above which one shipment on route 1 serves all three days: 570 / 57 = 10."""


def fixed_charge(need: float, where: str = "route") -> dict[str, Any]:
    """One donor (100 units of 1 t), two hubs, one depot needing ``need`` units on each of
    three days; route 1 (donor -> H1 -> depot) costs ``CHEAP`` per t and ``FIXED`` a
    shipment, on the hub -> depot route (``where="route"``) or on the supply route
    (``"supply"``); route 2 (donor -> H2 -> depot) costs ``DEAR`` per t and no fixed cost.
    Transit 0, holding ``HOLD`` per unit and day, shortfall far dearer, no other cost."""
    fixed = {"fixed_eur_per_shipment": FIXED}
    routes = [
        {"id": "to-h1", "origin": "don", "destination": "H1",
         **(fixed if where == "supply" else {})},
        {"id": "to-h2", "origin": "don", "destination": "H2"},
        {"id": "h1-dep", "origin": "H1", "destination": "dep", "cost_eur_per_t": CHEAP,
         **(fixed if where == "route" else {})},
        {"id": "h2-dep", "origin": "H2", "destination": "dep", "cost_eur_per_t": DEAR}]
    return {
        "name": "fixed-charge", "start": START.isoformat(), "horizon_days": 3,
        "standards": [{"id": "std"}],
        "families": [{"id": "fam", "standard": "std", "shortfall_penalty_eur": 1e4}],
        "items": [{"id": "it", "family": "fam", "mass_kg": 1000, "value_eur": 1}],
        "platforms": [{"id": "gun", "standard": "std", "initial": 1,
                       "uses": [{"family": "fam", "rounds_per_day": need}]}],
        "donors": [{"id": "don", "stock": [{"item": "it", "quantity": 100}]}],
        "depots": [{"id": "dep", "capacity_t": 1e4, "demand_share": 1.0}],
        "network": {"hubs": [{"id": "H1", "throughput_t_per_day": 1e4},
                             {"id": "H2", "throughput_t_per_day": 1e4}], "routes": routes},
        "weights": {"smoothness": 0.0, "shortfall_timing": 0.0,
                    "holding_per_unit_day": HOLD}}


def _route1_tons(result: Any, where: str) -> np.ndarray:
    """[t] units leaving on route 1's fixed-cost leg each day."""
    if where == "supply":
        return np.asarray(result.supply_flows[0, 0])
    return np.asarray(result.route_flows[0, 0])


@pytest.mark.parametrize("where", ["route", "supply"])
def test_fixed_charge_switches_route_at_the_break_even(where: str) -> None:
    """Instance of our own, solved by hand. Need d a day on days 0, 1, 2. Route 2 has no fixed
    cost, so it serves each day on that day (holding for it never pays): 30 d a day. A route-1
    shipment on day j serving n days (j, ..., j + n - 1) costs F + 10 n d plus holding
    1 x d (0 + 1 + ... + n - 1), and saves against route 2 ``s(n) - F`` with
    ``s(n) = 20 n d - d n (n - 1) / 2 = 20 d, 39 d, 57 d`` for n = 1, 2, 3. One shipment on
    day 0 serving all three days saves 57 d - F; two (1 + 2 days) save 59 d - 2 F and three
    60 d - 3 F, more than one only when d > F / 2 = 285. So route 1 pays when 57 d > F = 570:
    break-even d = 10 units a day (30 in all).

    d = 8 (below): all by route 2, 3 x 8 x 30 = 720 EUR (one route-1 shipment: 570 + 240 + 24
    = 834). d = 12 (above): one route-1 shipment of 36 on day 0, 570 + 360 transport + 36
    holding (24 held at the end of day 0, 12 at the end of day 1) = 966 EUR (all by route 2:
    1,080). The same whether the fixed cost sits on H1 -> depot or on donor -> H1.
    """
    assert pytest.approx(10.0, rel=1e-12) == BREAK_EVEN
    below = plan(problem_of(fixed_charge(8.0, where)), integer=True, mip_gap=0.0)
    assert below.status is Status.OPTIMAL
    assert below.objective == pytest.approx(720.0, rel=REL)
    assert below.terms["route_fixed"] == pytest.approx(0.0, abs=1e-6)
    assert below.terms["transport"] == pytest.approx(720.0, rel=REL)
    np.testing.assert_allclose(_route1_tons(below, where), 0.0, atol=1e-6)
    assert below.shortfall.sum() == pytest.approx(0.0, abs=1e-6)
    assert any(line.startswith("fixed cost per shipment: not worth paying on ")
               for line in below.explanation), below.explanation

    above = plan(problem_of(fixed_charge(12.0, where)), integer=True, mip_gap=0.0)
    assert above.status is Status.OPTIMAL
    assert above.objective == pytest.approx(966.0, rel=REL)
    assert above.terms["route_fixed"] == pytest.approx(570.0, rel=REL)
    assert above.terms["transport"] == pytest.approx(360.0, rel=REL)
    assert above.terms["holding"] == pytest.approx(36.0, rel=REL)
    np.testing.assert_allclose(_route1_tons(above, where), [36, 0, 0], atol=1e-6)
    assert above.shortfall.sum() == pytest.approx(0.0, abs=1e-6)
    leg = "h1-dep" if where == "route" else "to-h1"
    assert any(line.startswith(f"fixed cost per shipment: EUR 570 for 1 shipment ({leg} 1 x")
               for line in above.explanation), above.explanation


def test_the_lp_leaves_the_fixed_cost_out_and_says_so() -> None:
    """Without ``--integer`` there is no on/off column: route 1 is cheaper per t every day and
    carries each day's need on its day (d = 8: 3 x 8 x 10 = 240 EUR, no holding), and the
    explanation says the fixed cost was left out (as for a donor's fixed cost per tranche)."""
    result = plan(problem_of(fixed_charge(8.0)))
    assert result.status is Status.OPTIMAL
    assert result.objective == pytest.approx(240.0, rel=REL)
    assert result.terms["route_fixed"] == 0.0
    np.testing.assert_allclose(result.route_flows[0, 0], [8, 8, 8], atol=1e-6)
    assert any(line.startswith("fixed costs left out: the LP pays no fixed cost per shipment "
                               "(1 route)") for line in result.explanation), result.explanation


def _same_model(a: Problem, b: Problem, opts: PlanOptions) -> None:
    """Both problems build the same matrix, bounds, costs and integrality."""
    one, two = build_model(a, opts), build_model(b, opts)
    assert (one.matrix != two.matrix).nnz == 0
    for name in ("cost", "lower", "upper", "row_lower", "row_upper", "integrality"):
        np.testing.assert_array_equal(getattr(one, name), getattr(two, name))


def test_zero_fixed_costs_build_the_model_of_before() -> None:
    """A fixed cost of 0 on every route (the default) adds no column or row: the MILP of the
    fixed-charge instance with ``fixed_eur_per_shipment: 0`` is the one without the field."""
    data = fixed_charge(12.0)
    for route in data["network"]["routes"]:
        route.pop("fixed_eur_per_shipment", None)
    zero = fixed_charge(12.0)
    for route in zero["network"]["routes"]:
        route["fixed_eur_per_shipment"] = 0.0
    opts = PlanOptions(integer=True)
    _same_model(problem_of(data), problem_of(zero), opts)
    model = build_model(problem_of(data), opts)
    assert model.variables.yb is None and model.variables.ya is None
    assert "route_shipment" not in model.families


@pytest.mark.parametrize("name", ["tiny", "ukraine-2022"])
def test_bundled_scenarios_compile_without_fixed_costs_per_shipment(name: str) -> None:
    """One-hub scenarios: every route's fixed cost is 0 (a donor's stays on the donor), so
    no shipment column exists even in the MILP."""
    p = problem_of(load_scenario(name).model_dump(mode="json", exclude_none=True))
    assert not p.supply_fixed_eur.any() and not p.route_fixed_eur.any()
    assert p.supply_fixed_eur.shape == (len(p.supply_ids),)
    assert p.route_fixed_eur.shape == (len(p.route_ids),)
