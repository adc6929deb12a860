"""Plans over a network: the one-hub form equals the old single hub, a textbook transportation
problem with route-dependent costs, a transshipment network with arc bounds.

Objectives to 1e-7 relative (1e-9 for the one-hub equality), flows to 1e-6 absolute.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from resupply.domain import load_scenario
from resupply.planning import Status, plan

from .builders import START, many_donors, problem_of

REL = 1e-7


def as_network(data: dict[str, Any]) -> dict[str, Any]:
    """The same scenario written with a one-hub `network`: one supply route per donor (its lead
    time and transport cost) and one route from the hub to each depot (its transit and cost)."""
    out = {**data, "donors": [dict(d) for d in data["donors"]],
           "depots": [dict(k) for k in data["depots"]]}
    hub = out.pop("hub")
    routes = []
    for donor in out["donors"]:
        routes.append({"id": f"{donor['id']}-in", "origin": donor["id"], "destination": "entry",
                       "transit_days": donor.pop("lead_days", 0),
                       "cost_eur_per_t": donor.pop("transport_eur_per_t", 0.0)})
    for depot in out["depots"]:
        routes.append({"id": f"to-{depot['id']}", "origin": "entry", "destination": depot["id"],
                       "transit_days": depot.pop("transit_days", 0),
                       "cost_eur_per_t": depot.pop("transport_eur_per_t", 0.0)})
    out["network"] = {"hubs": [{"id": "entry", "throughput_t_per_day":
                                hub["throughput_t_per_day"]}], "routes": routes}
    return out


@pytest.mark.parametrize("name", ["tiny", "generated"])
def test_one_hub_network_gives_the_same_optimum(name: str) -> None:
    """A scenario with the old fields (`hub`, lead and transit times: the bundled tiny, and a
    generated one of 12 donors, 20 items, 4 depots and 90 days) and the same scenario written
    as a one-hub `network` compile through different paths (`compile.network`) to the same
    plan: equal objectives to 1e-9 and equal dispatch (dual simplex for both: the default race
    may return another optimal vertex when interior point wins)."""
    data = (load_scenario(name).model_dump(mode="json", exclude_none=True) if name == "tiny"
            else many_donors(12, 20, 4, 90, seed=3))
    old = plan(problem_of(data), method="simplex")
    new_problem = problem_of(as_network(data))
    assert new_problem.simple_network
    new = plan(new_problem, method="simplex")
    assert old.status is new.status is Status.OPTIMAL
    assert new.objective == pytest.approx(old.objective, rel=1e-9)
    np.testing.assert_allclose(new.dispatch, old.dispatch, atol=1e-6)


PT_SUPPLY = [75.0, 125.0, 100.0]
PT_DEMAND = [80.0, 65.0, 70.0, 85.0]
PT_COST = [[464.0, 513.0, 654.0, 867.0], [352.0, 416.0, 690.0, 791.0],
           [995.0, 682.0, 388.0, 685.0]]


def _one_day(donors: list[dict[str, Any]], depots: list[dict[str, Any]], need: float,
             network: dict[str, Any]) -> dict[str, Any]:
    """One day, one family of 1 t units fired at ``need`` a day, far dearer short than sent."""
    return {
        "name": "net", "start": START.isoformat(), "horizon_days": 1,
        "standards": [{"id": "std"}],
        "families": [{"id": "fam", "standard": "std", "shortfall_penalty_eur": 1e6}],
        "items": [{"id": "it", "family": "fam", "mass_kg": 1000, "value_eur": 1}],
        "platforms": [{"id": "gun", "standard": "std", "initial": 1,
                       "uses": [{"family": "fam", "rounds_per_day": need}]}],
        "donors": donors, "depots": depots, "network": network,
        "weights": {"smoothness": 0.0, "shortfall_timing": 0.0}}


def test_textbook_transportation_problem() -> None:
    """The P&T Company problem (F. S. Hillier and G. J. Lieberman, Introduction to Operations
    Research, section 9.1 "The transportation problem"): three canneries with 75, 125, 100
    truckloads, four warehouses needing 80, 65, 70, 85, shipping cost per truckload by route
    (table above). The book's optimum: 152,535 (x12 = 20, x14 = 55, x21 = 80, x22 = 45,
    x33 = 70, x34 = 30), also found by SciPy's linprog on the 12-variable LP.

    As a network: each cannery a donor with its own hub (a free supply route), routes from each
    hub to each depot at the book's cost per t, one unit = 1 t, all on one day.
    """
    donors = [{"id": f"c{n}", "stock": [{"item": "it", "quantity": q}]}
              for n, q in enumerate(PT_SUPPLY)]
    depots = [{"id": f"w{m}", "capacity_t": 1e4, "demand_share": q / sum(PT_DEMAND)}
              for m, q in enumerate(PT_DEMAND)]
    routes = [{"id": f"c{n}-in", "origin": f"c{n}", "destination": f"h{n}"} for n in range(3)]
    routes += [{"id": f"h{n}-w{m}", "origin": f"h{n}", "destination": f"w{m}",
                "cost_eur_per_t": PT_COST[n][m]} for n in range(3) for m in range(4)]
    hubs = [{"id": f"h{n}", "throughput_t_per_day": 1e4} for n in range(3)]
    data = _one_day(donors, depots, sum(PT_DEMAND), {"hubs": hubs, "routes": routes})
    result = plan(problem_of(data))
    assert result.status is Status.OPTIMAL
    assert result.objective == pytest.approx(152_535.0, rel=REL)
    assert result.terms["transport"] == pytest.approx(152_535.0, rel=REL)
    assert result.route_flows is not None
    flows = result.route_flows[0, :, 0].reshape(3, 4)
    np.testing.assert_allclose(flows, [[0, 20, 0, 55], [80, 45, 0, 0], [0, 0, 70, 30]],
                               atol=1e-6)


def test_transshipment_with_arc_bounds() -> None:
    """A donor (100 units of 1 t) reaches hub H1 at 1 EUR/t and hub H2 at 2 EUR/t; the
    forward depot F needs 60 units on the one day, the rear depot R nothing. Paths to F, by
    cost per t: D -> H1 -> R -> F at 1 + 10 + 5 = 16, bounded by R -> F's 20 t/day (H1 -> R
    carries 30); D -> H2 -> F at 2 + 30 = 32, bounded by H2 -> F's 25 t/day; D -> H1 -> F at
    1 + 50 = 51, unbounded. By hand (cheapest path first, each to its bound; every path is
    needed since 20 + 25 < 60): 20 x 16 + 25 x 32 + 15 x 51 = 320 + 800 + 765 = 1,885 EUR;
    R passes its 20 on the same day (transit 0), and exactly 35 go to H1, 25 to H2.
    """
    donors = [{"id": "don", "stock": [{"item": "it", "quantity": 100}]}]
    depots = [{"id": "R", "capacity_t": 1e4, "demand_share": 0.0},
              {"id": "F", "capacity_t": 1e4, "demand_share": 1.0}]
    routes = [
        {"id": "to-h1", "origin": "don", "destination": "H1", "cost_eur_per_t": 1.0},
        {"id": "to-h2", "origin": "don", "destination": "H2", "cost_eur_per_t": 2.0},
        {"id": "h1-r", "origin": "H1", "destination": "R", "cost_eur_per_t": 10.0,
         "capacity_t_per_day": 30.0},
        {"id": "r-f", "origin": "R", "destination": "F", "cost_eur_per_t": 5.0,
         "capacity_t_per_day": 20.0},
        {"id": "h2-f", "origin": "H2", "destination": "F", "cost_eur_per_t": 30.0,
         "capacity_t_per_day": 25.0},
        {"id": "h1-f", "origin": "H1", "destination": "F", "cost_eur_per_t": 50.0}]
    hubs = [{"id": "H1", "throughput_t_per_day": 1e4}, {"id": "H2", "throughput_t_per_day": 1e4}]
    result = plan(problem_of(_one_day(donors, depots, 60.0, {"hubs": hubs, "routes": routes})))
    assert result.status is Status.OPTIMAL
    assert result.objective == pytest.approx(1885.0, rel=REL)
    assert result.route_flows is not None and result.supply_flows is not None
    np.testing.assert_allclose(result.route_flows[0, :, 0], [20, 20, 25, 15], atol=1e-6)
    np.testing.assert_allclose(result.supply_flows[:, 0, 0], [35, 25], atol=1e-6)
    assert result.shortfall.sum() == pytest.approx(0.0, abs=1e-6)


def test_flow_table_agrees_with_the_plan() -> None:
    """flows.csv's transport column adds up to the plan's transport term, and its tons per
    route to the route flows (the transshipment case above)."""
    from resupply.planning.flows import flow_table

    donors = [{"id": "don", "stock": [{"item": "it", "quantity": 100}]}]
    depots = [{"id": "R", "capacity_t": 1e4, "demand_share": 0.0},
              {"id": "F", "capacity_t": 1e4, "demand_share": 1.0}]
    routes = [{"id": "to-h1", "origin": "don", "destination": "H1", "cost_eur_per_t": 1.0},
              {"id": "h1-r", "origin": "H1", "destination": "R", "cost_eur_per_t": 10.0,
               "capacity_t_per_day": 30.0},
              {"id": "r-f", "origin": "R", "destination": "F", "cost_eur_per_t": 5.0}]
    hubs = [{"id": "H1", "throughput_t_per_day": 1e4}]
    result = plan(problem_of(_one_day(donors, depots, 25.0, {"hubs": hubs, "routes": routes})))
    table = flow_table(result)
    assert table["transport_eur"].sum() == pytest.approx(result.terms["transport"], rel=1e-9)
    routes_only = table[table["kind"] == "route"]
    np.testing.assert_allclose(routes_only["tons"], [25, 25], atol=1e-6)
    np.testing.assert_allclose(routes_only["peak_use"].iloc[0], 25 / 30, rtol=1e-9)
    hub = table[table["kind"] == "hub"].iloc[0]
    assert hub["tons"] == pytest.approx(25.0, abs=1e-6)


def test_stock_waiting_at_a_struck_hub_for_a_route_to_open() -> None:
    """A donor (100 units of 1 t, worth 100 EUR each) can send only on day 0 (tranches every
    5 days, lead 0) to hub H, struck with probability 0.1 a day and losing half: the hub keeps
    rh = 0.95 of its stock a day. The route H -> depot opens on day 2, when the depot needs 10.
    By hand: q sent on day 0 is 0.95^2 q on day 2, so q = 10 / 0.9025 = 11.0803; the expected
    loss is 100 x (q - 10) = 108.03 EUR, the same as the strike-loss term's
    0.05 x 100 x (q + 0.95 q) on the stock held at the end of days 0 and 1.
    """
    donors = [{"id": "don", "stock": [{"item": "it", "quantity": 100}],
               "tranche_every_days": 5}]
    depots = [{"id": "dep", "capacity_t": 1e4, "demand_share": 1.0}]
    routes = [{"id": "in", "origin": "don", "destination": "H"},
              {"id": "out", "origin": "H", "destination": "dep", "open_from": "2024-01-03"}]
    hubs = [{"id": "H", "throughput_t_per_day": 1e4, "strike_prob_per_day": 0.1,
             "loss_fraction": 0.5}]
    data = _one_day(donors, depots, 10.0, {"hubs": hubs, "routes": routes})
    data["horizon_days"] = 3
    data["families"][0]["shortfall_penalty_eur"] = 1e5
    data["intensity"] = [{"date": "2024-01-01", "level": 0.0}, {"date": "2024-01-03",
                                                                "level": 1.0}]
    data["items"][0]["value_eur"] = 100
    result = plan(problem_of(data))
    sent = 10.0 / 0.95**2
    assert result.status is Status.OPTIMAL
    np.testing.assert_allclose(result.dispatch[0, 0], [sent, 0, 0], rtol=1e-9, atol=1e-9)
    assert result.hub_stocks is not None
    np.testing.assert_allclose(result.hub_stocks[0, 0], [sent, 0.95 * sent, 0], rtol=1e-9,
                               atol=1e-9)
    assert result.terms["strike_loss"] == pytest.approx(100 * (sent - 10), rel=REL)
    assert result.objective == pytest.approx(100 * (sent - 10), rel=REL)
