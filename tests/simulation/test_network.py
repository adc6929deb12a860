"""The simulator on a network of hubs and routes (`resupply.simulation.network`): the one-hub
form simulates exactly as the old fields, the network path agrees with the one-hub path where
both apply, a two-hub case solved by hand, hub storage, per-hub strikes against their
expectation, a rear depot feeding a forward one."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from planning.builders import START, day
from resupply import planning
from resupply.compile import compile_problem
from resupply.domain import Scenario, load_scenario
from resupply.simulation import LumpPolicy, PlanPolicy, SimOptions, SimResult, simulate
from resupply.simulation.options import DemandModel
from resupply.simulation.policies import OrderUpToPolicy, Policy
from resupply.workflow.policies import plan_input


def as_network(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` with its hub written as a one-hub network (as tests/planning/test_network.py),
    its strikes kept."""
    out = {**data, "donors": [dict(d) for d in data["donors"]],
           "depots": [dict(k) for k in data["depots"]]}
    hub = out.pop("hub")
    routes = [{"id": f"{d['id']}-in", "origin": d["id"], "destination": "entry",
               "transit_days": d.pop("lead_days", 0),
               "cost_eur_per_t": d.pop("transport_eur_per_t", 0.0)} for d in out["donors"]]
    routes += [{"id": f"to-{k['id']}", "origin": "entry", "destination": k["id"],
                "transit_days": k.pop("transit_days", 0),
                "cost_eur_per_t": k.pop("transport_eur_per_t", 0.0)} for k in out["depots"]]
    entry = {"id": "entry", **{key: hub[key] for key in
                               ("throughput_t_per_day", "strike_prob_per_day", "loss_fraction")
                               if key in hub}}
    out["network"] = {"hubs": [entry], "routes": routes}
    return out


def test_one_hub_network_simulates_as_before() -> None:
    tiny = load_scenario("tiny")
    data = as_network(tiny.model_dump(mode="json", exclude_none=True))
    options = SimOptions(runs=8, seed=3)
    old = simulate(compile_problem(tiny), LumpPolicy(), options)
    new = simulate(compile_problem(Scenario.model_validate(data)), LumpPolicy(), options)
    np.testing.assert_array_equal(old.totals.any_short_days, new.totals.any_short_days)


def _struck_tiny() -> dict[str, Any]:
    data = load_scenario("tiny").model_dump(mode="json", exclude_none=True)
    data["hub"].update({"strike_prob_per_day": 0.05, "loss_fraction": 0.4})
    return data


def _totals(result: SimResult) -> dict[str, np.ndarray]:
    t = result.totals
    return {"demand": t.demand, "met": t.met, "arrivals": t.arrivals, "lost": t.lost,
            "hub_lost": t.hub_lost, "end": t.end, "returned": t.returned, "orders": t.orders}


@pytest.mark.parametrize("policy", ["lump", "order-up-to", "plan"])
def test_network_path_agrees_with_the_one_hub_path(policy: str) -> None:
    """tiny with a struck hub, simulated on the one-hub path and, written as a network whose hub
    has a storage limit that never binds (1e9 t: the problem is then not `simple_network`), on
    the network path: same draws in the same order, so the same runs to float rounding
    (every total within 1e-9 relative), for random demand, delays and strikes."""
    data = _struck_tiny()
    one = compile_problem(Scenario.model_validate(data))
    net_data = as_network(data)
    net_data["network"]["hubs"][0]["capacity_t"] = 1e9
    net = compile_problem(Scenario.model_validate(net_data))
    assert one.simple_network and not net.simple_network

    def policy_for(problem: Any) -> Policy:
        if policy == "lump":
            return LumpPolicy()
        if policy == "order-up-to":
            return OrderUpToPolicy(days=10.0)
        result = planning.plan(problem, cost_of_fairness=False, explain=False, method="simplex")
        return PlanPolicy(plan_input(result))

    options = SimOptions(runs=24, seed=5, block_runs=8)
    a = _totals(simulate(one, policy_for(one), options))
    b = _totals(simulate(net, policy_for(net), options))
    assert a["hub_lost"].sum() > 0 and a["lost"].sum() > 0
    for name, value in a.items():
        np.testing.assert_allclose(b[name], value, rtol=1e-9, atol=1e-6, err_msg=name)


def _two_hubs(**hub_b: Any) -> dict[str, Any]:
    """Ten days, one item of 1 t fired at 1 a day from 100 on hand; a donor holding 30 units
    with two supply routes: to hub A in 1 day, at most 10 t a day; to hub B in 3 days. The
    depot is 1 day from A and 2 days from B."""
    return {
        "name": "two-hubs", "start": START.isoformat(), "horizon_days": 10,
        "standards": [{"id": "std"}],
        "families": [{"id": "fam", "standard": "std", "shortfall_penalty_eur": 1e4}],
        "items": [{"id": "it", "family": "fam", "mass_kg": 1000, "value_eur": 100}],
        "platforms": [{"id": "gun", "standard": "std", "initial": 1,
                       "uses": [{"family": "fam", "rounds_per_day": 1.0}]}],
        "donors": [{"id": "don", "stock": [{"item": "it", "quantity": 30}]}],
        "depots": [{"id": "dep", "capacity_t": 1e4, "demand_share": 1.0,
                    "initial_stock": [{"item": "it", "quantity": 100}]}],
        "network": {
            "hubs": [{"id": "A", "throughput_t_per_day": 1e4},
                     {"id": "B", "throughput_t_per_day": 1e4, **hub_b}],
            "routes": [
                {"id": "don-a", "origin": "don", "destination": "A", "transit_days": 1,
                 "capacity_t_per_day": 10.0},
                {"id": "don-b", "origin": "don", "destination": "B", "transit_days": 3},
                {"id": "a-dep", "origin": "A", "destination": "dep", "transit_days": 1},
                {"id": "b-dep", "origin": "B", "destination": "dep", "transit_days": 2}]},
    }


def _arrivals(data: dict[str, Any], options: SimOptions) -> np.ndarray:
    """[t] units arriving at the depot each day under ``lump`` (stock trace + the day's 1)."""
    problem = compile_problem(Scenario.model_validate(data))
    result = simulate(problem, LumpPolicy(), options)
    stock = result.stock[0, 0, 0]  # [t]
    before = np.concatenate([[100.0], stock[:-1]])
    arrived: np.ndarray = stock - before + 1.0
    return arrived


def test_two_hubs_by_hand() -> None:
    """``lump`` sends all 30 on day 0. By hand: the preferred supply route (A, 1 day) carries
    its 10 t; the other 20 take B (3 days). A moves its 10 on day 1, arriving day 2; B moves
    its 20 on day 3, arriving day 5 (2 days). With B's throughput cut to 5 t a day, B's 20
    leave on days 3, 4, 5 and 6, arriving days 5 to 8."""
    exact = SimOptions.replay(runs=1, record_stock=True)
    expected = np.zeros(10)
    expected[2], expected[5] = 10.0, 20.0
    np.testing.assert_allclose(_arrivals(_two_hubs(), exact), expected, atol=1e-9)
    throttled = np.zeros(10)
    throttled[2] = 10.0
    throttled[5:9] = 5.0
    np.testing.assert_allclose(_arrivals(_two_hubs(throughput_t_per_day=5.0), exact),
                               throttled, atol=1e-9)


def test_a_full_hub_holds_arrivals_outside() -> None:
    """Hub B stores at most 8 t, and its 20 arrive on day 3 with 5 t a day of throughput. By
    hand: day 3 ends with 20 - 5 = 15 at B, 7 of which wait outside to the next day; day 4:
    8 + 7 arrive, 5 leave, 10 left, 2 wait; day 5: 8 + 2, 5 leave, 5 left; day 6: 5 leave.
    The depot receives 5 a day on days 5 to 8, as with unlimited storage: nothing is lost."""
    exact = SimOptions.replay(runs=1, record_stock=True)
    throttled = np.zeros(10)
    throttled[2] = 10.0
    throttled[5:9] = 5.0
    np.testing.assert_allclose(
        _arrivals(_two_hubs(throughput_t_per_day=5.0, capacity_t=8.0), exact), throttled,
        atol=1e-9)


def test_two_struck_hubs_lose_their_expectation() -> None:
    """Each hub struck with its own rate and loss fraction. Routes on from the hubs open late,
    so A holds its 10 units from day 1 and moves them on day 3, B its 20 from day 3 to day 9;
    a strike falls before the day's moves. Expected decay by hand: A is struck on days 2 and
    3 at 0.1 x 0.3, B on days 4 to 9 at 0.2 x 0.5:
    ``10 (1 - 0.97^2) + 20 (1 - 0.9^6) = 0.591 + 9.37118 = 9.96218`` units, exactly what
    `SimOptions.expected_strikes` takes; random strikes (Beta fractions) lose the same on
    average, within 4 standard errors over 3,000 runs (losses compound multiplicatively and
    independently, so the expectation is exact)."""
    data = _two_hubs(strike_prob_per_day=0.2, loss_fraction=0.5)
    net = data["network"]
    net["hubs"][0].update({"strike_prob_per_day": 0.1, "loss_fraction": 0.3})
    net["routes"][2]["open_from"] = day(3)
    net["routes"][3]["open_from"] = day(9)
    problem = compile_problem(Scenario.model_validate(data))
    hand = 10 * (1 - 0.97 ** 2) + 20 * (1 - 0.9 ** 6)
    exact = simulate(problem, LumpPolicy(), SimOptions.replay(runs=1))
    assert exact.totals.hub_lost_units.sum() == pytest.approx(hand, rel=1e-12)
    random = simulate(problem, LumpPolicy(),
                      SimOptions(runs=3000, seed=2, demand=DemandModel("fixed"), delays=False))
    lost = random.totals.hub_lost_units.sum(axis=1)
    mean, se = lost.mean(), lost.std(ddof=1) / np.sqrt(len(lost))
    assert abs(mean - hand) < 4 * se
    value = random.totals.hub_lost_value.sum(axis=1)
    np.testing.assert_allclose(value, 100.0 * lost, rtol=1e-12)


def test_a_rear_depot_feeds_a_forward_one_by_hand() -> None:
    """The forward depot F (need 10 a day, nothing on hand) is reached from hub A (0 days, at
    most 4 t a day) and from the rear depot R (50 on hand, no need of its own; 0 days); the
    donor's tranche reaches A the day it leaves. ``order-up-to:30``, day 0, by hand: the
    donor sends 30 + 30 - 50 = 10 (targets less the position); F's deficit (30) asks for all
    10 at A, of which the route carries 4; R sends the other 6, after the day's arrivals and
    before the day's consumption. End of day 0: R 50 - 6 = 44, F 4 + 6 - 10 = 0 (its need
    met)."""
    data = _two_hubs()
    data["depots"] = [
        {"id": "R", "capacity_t": 1e4, "demand_share": 0.0,
         "initial_stock": [{"item": "it", "quantity": 50}]},
        {"id": "F", "capacity_t": 1e4, "demand_share": 1.0}]
    data["platforms"][0]["uses"][0]["rounds_per_day"] = 10.0
    data["network"]["routes"] = [
        {"id": "don-a", "origin": "don", "destination": "A"},
        {"id": "a-r", "origin": "A", "destination": "R"},
        {"id": "a-f", "origin": "A", "destination": "F", "capacity_t_per_day": 4.0},
        {"id": "r-f", "origin": "R", "destination": "F"}]
    data["network"]["hubs"] = data["network"]["hubs"][:1]
    problem = compile_problem(Scenario.model_validate(data))
    result = simulate(problem, OrderUpToPolicy(level=30.0),
                      SimOptions.replay(runs=1, record_stock=True))
    np.testing.assert_allclose(result.stock[0, 0, :, 0], [44.0, 0.0], atol=1e-9)


def test_a_plans_float_dust_below_zero_takes_no_share() -> None:
    """A solver's -1e-12 on a route takes no share of its owner's flow (a negative share had
    put a depot's stock below zero and stopped the demo's certification with a negative
    Poisson mean)."""
    from resupply.simulation.network import _shares
    from resupply.simulation.routes import Groups

    flows = np.array([[-1e-12, 5.0], [3.0, 5.0]])  # [route, item], both routes of one owner
    share = _shares(flows, Groups.of(np.array([0, 0]), 1))
    np.testing.assert_allclose(share, [[0.0, 0.5], [1.0, 0.5]])
    assert (share >= 0).all()
