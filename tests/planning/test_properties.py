"""Hypothesis: random small scenarios give plans that respect every constraint, and the same
optimal objective as the independent PuLP formulation solved by CBC."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from resupply.compile import Problem
from resupply.planning import PlanResult, Status, plan

from .builders import day, problem_of
from .reference import reference_objective

FLOW = 1e-6


@st.composite
def scenarios(draw: st.DrawFn, costs: bool = True, network: bool = True,
              pauses: bool = False, fixed: bool = False) -> dict[str, Any]:
    """A random small scenario: 1-3 families (maybe a spare part), 1-4 items (maybe with a
    purchase price that changes on a date), 1-3 donors with stock, production, releases,
    cadences, fair shares, dispatch capacities and, with ``pauses``, dated pauses, pledges,
    1-2 depots, a package, a holding cost. With ``costs`` False: no holding cost, no purchase
    price, no dear route (supply never costs more than its shortfall penalty). With
    ``network`` (the default) half of them have a network of hubs and routes instead of the
    hub. With ``fixed`` (the MILP's features) every one has a network, its routes maybe a
    fixed cost per shipment, its donors maybe a fixed cost per tranche and a minimum
    tranche, its items maybe whole units."""
    horizon = draw(st.integers(4, 12))
    n_fam = draw(st.integers(1, 3))
    spare = n_fam > 1 and draw(st.booleans())
    families = [{"id": f"f{n}", "standard": "std", "shortfall_penalty_eur":
                 draw(st.sampled_from([50.0, 500.0, 5000.0])),
                 "kind": "spare_part" if spare and n == n_fam - 1 else "ammunition"}
                for n in range(n_fam)]
    ammo = [f["id"] for f in families if f["kind"] == "ammunition"]
    items = [{"id": f"i{n}", "family": draw(st.sampled_from([f["id"] for f in families])),
              "mass_kg": draw(st.sampled_from([20.0, 50.0, 500.0])),
              "value_eur": draw(st.sampled_from([0.0, 100.0, 3000.0]))}
             for n in range(draw(st.integers(1, 4)))]
    item_ids = [str(i["id"]) for i in items]
    for item in items:
        if costs and draw(st.booleans()):
            item["purchase_prices"] = [
                {"date": day(0), "eur_per_unit": draw(st.sampled_from([1.0, 20.0]))},
                {"date": day(draw(st.integers(1, horizon - 1))),
                 "eur_per_unit": draw(st.sampled_from([0.5, 40.0]))}]
    platform = {"id": "gun", "standard": "std", "initial": draw(st.integers(0, 4)),
                "uses": [{"family": f, "rounds_per_day": draw(st.sampled_from([5.0, 20.0]))}
                         for f in ammo],
                "wear": [{"family": families[-1]["id"], "per_round": 0.01}] if spare else []}
    donors = [_donor(draw, n, item_ids, horizon, pauses)
              for n in range(draw(st.integers(1, 3)))]
    n_dep = draw(st.integers(1, 2))
    shares = [0.5, 0.5] if n_dep == 2 else [1.0]
    depots = [{"id": f"k{n}", "capacity_t": draw(st.sampled_from([2.0, 5.0, 100.0])),
               "transit_days": draw(st.integers(0, 2)), "demand_share": shares[n],
               "strike_prob_per_day": draw(st.sampled_from([0.0, 0.05])),
               "loss_fraction": draw(st.sampled_from([0.0, 0.5])),
               "transport_eur_per_t": draw(st.sampled_from([0.0, 10.0])),
               "initial_stock": [{"item": i, "quantity": draw(st.sampled_from([0.0, 5.0]))}
                                 for i in item_ids]} for n in range(n_dep)]
    data: dict[str, Any] = {
        "name": "random", "start": day(0), "horizon_days": horizon, "standards": [{"id": "std"}],
        "families": families, "items": items, "platforms": [platform], "donors": donors,
        "pledges": _pledges(draw, donors, horizon),
        "hub": {"throughput_t_per_day": draw(st.sampled_from([0.2, 2.0, 50.0]))},
        "depots": depots,
        "weights": {"smoothness": draw(st.sampled_from([0.0, 0.01, 1.0])),
                    "fair_share_band": 0.1, "fairness_penalty": 0.5,
                    "holding_per_unit_day": draw(st.sampled_from(
                        [0.0, 0.0, 0.5, 30.0] if costs else [0.0]))}}
    if draw(st.booleans()):
        data["deliveries"] = [{"platform": "gun", "date": day(draw(st.integers(0, horizon - 1))),
                               "count": 2, "first_load_days": 1.0}]
    if fixed:
        for item in items:
            item["whole_units"] = draw(st.sampled_from([False, False, True]))
        for donor in donors:
            donor["tranche_fixed_eur"] = draw(st.sampled_from([0.0, 0.0, 100.0]))
            donor["min_tranche_t"] = draw(st.sampled_from([0.0, 0.0, 0.5]))
    if fixed or (network and draw(st.booleans())):
        _as_network(draw, data, dear=costs, fixed=fixed)
    return data


def _as_network(draw: st.DrawFn, data: dict[str, Any], *, dear: bool, fixed: bool = False
                ) -> None:
    """Replace the hub by a network: 1-2 hubs (maybe with capacity and strikes), each donor
    with routes to one or both hubs (transit, cost, capacity, dates and, with ``fixed``, a
    fixed cost per shipment), routes from hubs to depots and maybe from the first depot to
    the second."""
    horizon = data["horizon_days"]
    hubs = [{"id": f"h{n}", "throughput_t_per_day": draw(st.sampled_from([0.5, 50.0])),
             "capacity_t": draw(st.sampled_from([None, 100.0, 5.0])),
             "strike_prob_per_day": draw(st.sampled_from([0.0, 0.1])), "loss_fraction": 0.5}
            for n in range(draw(st.sampled_from([2, 1])))]
    routes: list[dict[str, Any]] = []

    def route(origin: str, destination: str) -> None:
        routes.append({
            "id": f"r{len(routes)}", "origin": origin, "destination": destination,
            "transit_days": draw(st.integers(0, 2)),
            "cost_eur_per_t": draw(st.sampled_from([0.0, 5.0, 40.0] if dear else [0.0, 5.0])),
            "capacity_t_per_day": draw(st.sampled_from([None, None, 0.3, 3.0])),
            "open_from": draw(st.sampled_from([None, day(draw(st.integers(0, horizon - 1)))]))})
        if fixed:
            routes[-1]["fixed_eur_per_shipment"] = draw(st.sampled_from([0.0, 50.0, 500.0]))

    for donor in data["donors"]:
        donor.pop("lead_days"), donor.pop("transport_eur_per_t")
        route(donor["id"], hubs[0]["id"])
        if len(hubs) == 2 and draw(st.booleans()):
            route(donor["id"], hubs[1]["id"])
    for depot in data["depots"]:
        depot.pop("transit_days"), depot.pop("transport_eur_per_t")
        for hub in hubs:
            if draw(st.booleans()) or hub is hubs[0]:
                route(hub["id"], depot["id"])
    if len(data["depots"]) == 2 and draw(st.booleans()):
        route("k0", "k1")
    del data["hub"]
    data["network"] = {"hubs": hubs, "routes": routes}


def _donor(draw: st.DrawFn, n: int, item_ids: list[str], horizon: int,
           pauses: bool) -> dict[str, Any]:
    held = draw(st.lists(st.sampled_from(item_ids), min_size=1, max_size=2, unique=True))
    donor: dict[str, Any] = {
        "id": f"d{n}", "lead_days": draw(st.integers(0, 3)),
        "tranche_every_days": draw(st.integers(1, 4)),
        "tranche_offset_days": draw(st.integers(0, 2)),
        "transport_eur_per_t": draw(st.sampled_from([0.0, 5.0])),
        "stock": [{"item": i, "quantity": draw(st.sampled_from([0.0, 10.0, 200.0]))}
                  for i in held]}
    if draw(st.booleans()):
        donor["production"] = [{"item": held[0], "rates": [
            {"date": day(draw(st.integers(0, horizon - 1))), "per_day": 5.0}]}]
    if draw(st.booleans()):
        donor["releases"] = [{"item": held[-1], "date": day(draw(st.integers(0, horizon - 1)))}]
    if draw(st.booleans()):
        donor["fair_share"] = draw(st.sampled_from([0.2, 0.6]))
    if draw(st.booleans()):
        donor["dispatch_t_per_day"] = draw(st.sampled_from([0.1, 1.0, 5.0]))
    if pauses and draw(st.booleans()):
        first = draw(st.integers(0, horizon - 1))
        donor["pauses"] = [{"start": day(first), "end": day(first + draw(st.integers(0, 3)))}]
    return donor


def _pledges(draw: st.DrawFn, donors: list[dict[str, Any]], horizon: int
             ) -> list[dict[str, Any]]:
    out = []
    for n in range(draw(st.integers(0, 1))):
        donor = draw(st.sampled_from(donors))
        line = draw(st.sampled_from(donor["stock"]))
        out.append({"id": f"p{n}", "donor": donor["id"], "item": line["item"],
                    "quantity": draw(st.sampled_from([1.0, 5.0, 500.0])),
                    "date": day(draw(st.integers(horizon // 2, horizon - 1))),
                    "binding": draw(st.sampled_from(["minimum", "minimum", "fixed"]))})
    return out


def _check_invariants(p: Problem, result: PlanResult) -> None:
    """Flow conservation, non-negativity, release, availability, capacity and cadence (on a
    network: those of donors and depots; the reference checks the rest)."""
    if not p.simple_network:
        _check_network_invariants(p, result)
        return
    x, z, s = result.dispatch, result.moves, result.depot_stock
    assert (x >= -FLOW).all() and (z >= -FLOW).all() and (s >= -FLOW).all()
    assert (result.consumption >= -FLOW).all() and (result.shortfall >= -FLOW).all()
    t = np.arange(p.n_days)
    assert (x[:, :, :][(t[None, None, :] < p.release_day[:, :, None])] <= FLOW).all()
    assert (x.sum(axis=1)[~p.tranche_day] <= FLOW).all()
    assert (x.sum(axis=1)[p.donor_paused] <= FLOW).all()
    assert (np.cumsum(x, axis=2) <= p.donor_cumulative_available() + FLOW).all()
    assert ((p.item_mass_t[None, :, None] * x).sum(axis=1) <= p.dispatch_capacity_t + FLOW).all()
    r = (1.0 - p.strike_prob * p.loss_fraction)[:, None] ** p.step_days[None, :]
    before = np.concatenate([p.initial_stock[:, :, None], s[:, :, :-1]], axis=2)
    balance = r[None, :, :] * before + result.arrivals - result.consumption - s
    np.testing.assert_allclose(balance, 0.0, atol=FLOW)
    np.testing.assert_allclose(result.arrivals, _arrivals(p, z), atol=FLOW)
    used = np.zeros_like(p.need)
    np.add.at(used, p.item_family, result.consumption)
    np.testing.assert_allclose(used + result.shortfall, p.need, atol=FLOW)
    assert ((p.item_mass_t[:, None, None] * s).sum(axis=0)
            <= p.depot_capacity_t[:, None] + FLOW).all()
    assert ((p.item_mass_t[:, None, None] * z).sum(axis=(0, 1))
            <= p.hub_throughput_t + FLOW).all()
    hub_in = np.zeros_like(result.hub_stock)
    for d in range(len(p.donors)):
        for step, lands in enumerate(_landing(p, int(p.lead_days[d]))):
            if lands >= 0:
                hub_in[:, lands] += x[d, :, step]
    hub = np.cumsum(hub_in - z.sum(axis=1), axis=1)
    np.testing.assert_allclose(hub, result.hub_stock, atol=FLOW)
    assert (result.hub_stock >= -FLOW).all()


def _check_network_invariants(p: Problem, result: PlanResult) -> None:
    """Donor, depot and route limits on a network plan."""
    x, s = result.dispatch, result.depot_stock
    assert result.route_flows is not None and result.supply_flows is not None
    assert (x >= -FLOW).all() and (s >= -FLOW).all() and (result.route_flows >= -FLOW).all()
    assert (np.cumsum(x, axis=2) <= p.donor_cumulative_available() + FLOW).all()
    sent = np.zeros_like(x)
    np.add.at(sent, p.supply_donor, result.supply_flows)
    np.testing.assert_allclose(sent, x, atol=FLOW)
    tons = (p.item_mass_t[None, :, None] * result.route_flows.transpose(1, 0, 2)).sum(axis=1)
    assert (tons <= p.route_capacity_t + FLOW).all()
    assert (result.route_flows.sum(axis=0)[~p.route_open] <= FLOW).all()
    used = np.zeros_like(p.need)
    np.add.at(used, p.item_family, result.consumption)
    np.testing.assert_allclose(used + result.shortfall, p.need, atol=FLOW)


def _landing(p: Problem, lag: int) -> list[int]:
    """For each step, the step in which something sent at its first day arrives ``lag`` days
    later (-1 past the horizon), by walking the days. Daily: ``t + lag``."""
    first = [int(sum(p.step_days[:n])) for n in range(p.n_days)]
    out = []
    for start in first:
        day = start + lag
        out.append(next((n for n in range(p.n_days)
                         if first[n] <= day < first[n] + p.step_days[n]), -1))
    return out


def _arrivals(p: Problem, z: np.ndarray) -> np.ndarray:
    out = np.zeros_like(z)
    for k in range(len(p.depots)):
        for step, lands in enumerate(_landing(p, int(p.transit_days[k]))):
            if lands >= 0:
                out[:, k, lands] += z[:, k, step]
    return out


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(pauses=True))
def test_random_plans_hold_every_constraint_and_match_the_reference(data: dict[str, Any]
                                                                     ) -> None:
    p = problem_of(data)
    result = plan(p, cost_of_fairness=False)
    status, objective = reference_objective(p)
    if result.status is Status.INFEASIBLE:
        assert status == "Infeasible"
        assert result.explanation
        return
    assert result.status is Status.OPTIMAL
    assert status == "Optimal"
    _check_invariants(p, result)
    assert result.objective == pytest.approx(objective, rel=1e-6, abs=1e-6)
    assert sum(result.terms.values()) == pytest.approx(result.objective, rel=1e-9, abs=1e-6)


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(fixed=True))
def test_random_milps_with_fixed_costs_match_the_reference(data: dict[str, Any]) -> None:
    """``plan --integer`` on random small networks with fixed costs per shipment (and per
    tranche, minimum tranches, whole units): the optimum of the reference MILP (CBC, its own
    big-M), to 1e-6 relative, both solved to a zero gap; the terms add up to it."""
    p = problem_of(data)
    result = plan(p, cost_of_fairness=False, integer=True, mip_gap=0.0)
    status, objective = reference_objective(p, integer=True)
    if result.status is Status.INFEASIBLE:
        assert status == "Infeasible"
        return
    assert result.status is Status.OPTIMAL
    assert status == "Optimal"
    _check_invariants(p, result)
    assert result.objective == pytest.approx(objective, rel=1e-6, abs=1e-6)
    assert sum(result.terms.values()) == pytest.approx(result.objective, rel=1e-9, abs=1e-6)


@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(), st.integers(1, 4), st.integers(2, 5))
def test_multi_resolution_plans_hold_every_constraint_per_step(
        data: dict[str, Any], daily_days: int, step_days: int) -> None:
    """The same invariants on a multi-resolution plan, step by step, with arrivals placed by
    walking the days (`_landing`); the terms add up to the objective."""
    result = plan(problem_of(data), cost_of_fairness=False, daily_days=daily_days,
                  step_days=step_days)
    if result.status is Status.INFEASIBLE:
        return
    assert result.status is Status.OPTIMAL
    assert result.problem.step_days.sum() == data["horizon_days"]
    _check_invariants(result.problem, result)
    assert sum(result.terms.values()) == pytest.approx(result.objective, rel=1e-9, abs=1e-6)
