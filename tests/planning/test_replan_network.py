"""Rolling re-plans over a network of hubs: the past moves fixed per depot (rows
``past_moves``, the split over the routes left to the LP), moves between depots left to the LP
once arrived and fixed to 0 while under way, through the API and the CLI (the simulator's
``rolling:N``: tests/workflow/test_policies.py).

Objectives to 1e-7 relative (1e-9 where the one-hub forms are compared), flows to 1e-6.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from resupply.compile import Problem
from resupply.domain import load_scenario
from resupply.errors import PlanningError
from resupply.planning import Actuals, PlanResult, Status, plan
from resupply.planning.constraints import PAST_MOVES
from resupply.planning.model import build_model, fix_actuals
from resupply.planning.options import PlanOptions
from resupply.planning.size import estimate_size

from .builders import day, problem_of
from .test_network import _one_day, as_network
from .test_network_cli import _two_hub_tiny

REL = 1e-7
Cli = Callable[..., tuple[int, str, str]]


def _two_hubs(depot_route: bool = False, transfer_days: int = 0) -> dict[str, Any]:
    """Four days; depot F needs 10 units of 1 t a day and starts empty. One donor (100 units,
    a tranche a day) has two supply routes: to hub H1 at 1 EUR/t, to H2 at 2 EUR/t; H1 -> F
    costs 10 EUR/t and carries 6 t a day, H2 -> F costs 20 EUR/t; every transit is 0 days.
    The plan, by hand: 6 a day by H1 (11 EUR/t) and 4 a day by H2 (22 EUR/t),
    4 x (66 + 88) = 616 EUR. With ``depot_route``, a rear depot R (no need) fed from H1 at
    1 EUR/t with a route R -> F at 1 EUR/t and 3 t a day, in ``transfer_days``."""
    donors = [{"id": "don", "stock": [{"item": "it", "quantity": 100}]}]
    depots = [{"id": "F", "capacity_t": 1e4, "demand_share": 1.0}]
    routes = [{"id": "to-h1", "origin": "don", "destination": "H1", "cost_eur_per_t": 1.0},
              {"id": "to-h2", "origin": "don", "destination": "H2", "cost_eur_per_t": 2.0},
              {"id": "h1-f", "origin": "H1", "destination": "F", "cost_eur_per_t": 10.0,
               "capacity_t_per_day": 6.0},
              {"id": "h2-f", "origin": "H2", "destination": "F", "cost_eur_per_t": 20.0}]
    if depot_route:
        depots.append({"id": "R", "capacity_t": 1e4, "demand_share": 0.0})
        routes += [{"id": "h1-r", "origin": "H1", "destination": "R", "cost_eur_per_t": 1.0},
                   {"id": "r-f", "origin": "R", "destination": "F", "cost_eur_per_t": 1.0,
                    "capacity_t_per_day": 3.0, "transit_days": transfer_days}]
    hubs = [{"id": "H1", "throughput_t_per_day": 1e4}, {"id": "H2", "throughput_t_per_day": 1e4}]
    data = _one_day(donors, depots, 10.0, {"hubs": hubs, "routes": routes})
    data["horizon_days"] = 4
    return data


def _own_past(result: PlanResult, day: int) -> Actuals:
    """What happened before ``day`` is what ``result`` planned (moves by depot, from hubs)."""
    past = np.arange(result.dispatch.shape[2]) < day
    return Actuals(from_day=day, depot_stock=result.depot_stock[:, :, day - 1],
                   dispatched=result.dispatch * past, moves=result.moves * past)


def test_the_plans_own_past_keeps_its_future() -> None:
    """Actuals equal to the plan's own past (by donor and depot only): the re-plan's
    objective is the plan's, 616 EUR by hand (`_two_hubs`), cold and warm; from the plan's
    basis (the ``past_moves`` rows appended basic) no iteration is needed and the plan from
    day 2 on is the plan's, route by route; nothing is reconciled."""
    p = problem_of(_two_hubs())
    assert not p.simple_network
    base = plan(p, method="simplex", cost_of_fairness=False)
    assert base.status is Status.OPTIMAL and base.objective == pytest.approx(616.0, rel=REL)
    actuals = _own_past(base, 2)
    cold = plan(p, actuals=actuals, method="simplex", cost_of_fairness=False)
    warm = plan(p, actuals=actuals, warm_start=base, cost_of_fairness=False)
    assert cold.status is Status.OPTIMAL and warm.status is Status.OPTIMAL
    assert cold.objective == pytest.approx(base.objective, rel=REL)
    assert warm.objective == pytest.approx(base.objective, rel=REL)
    assert warm.stats["iterations"] == 0
    assert warm.terms["reconciliation"] == 0.0 and cold.terms["reconciliation"] == 0.0
    assert base.route_flows is not None and warm.route_flows is not None
    np.testing.assert_allclose(warm.route_flows, base.route_flows, atol=1e-6)
    np.testing.assert_allclose(warm.dispatch, base.dispatch, atol=1e-6)
    np.testing.assert_allclose(cold.shortfall, 0.0, atol=1e-6)


def test_a_depot_that_lost_stock_is_refilled() -> None:
    """Days 0 and 1: the donor sent 15 a day and 15 a day left the hubs for F (actuals by
    depot). F then holds 30 - 20 = 10 at the end of day 1, or, actually, only 4.

    By hand, past: of 15 a day at most 6 go by H1 (11 EUR/t), 9 by H2 (22 EUR/t): 2 x 264 =
    528 EUR. Holding 10: days 2-3 need 20 - 10 = 10 more, all by H1 (6 a day): 110 EUR;
    objective 638. Holding 4: 6 lost (at least: consumption is at most the need, so
    16 - lost <= 10 on day 1), at 2 x 1e6 EUR each = 12,000,000 EUR; 16 more are needed:
    12 by H1 and 4 by H2, 132 + 88 = 220 EUR; objective 12,000,748. The re-plan sends 6 more
    from day 2 on (16 instead of 10), no shortfall."""
    p = problem_of(_two_hubs())
    dispatched = np.zeros((1, 1, 4))
    dispatched[0, 0, :2] = 15.0
    moves = np.zeros((1, 1, 4))
    moves[0, 0, :2] = 15.0
    runs = {}
    for held in (10.0, 4.0):
        actuals = Actuals(2, np.full((1, 1), held), dispatched, moves)
        runs[held] = plan(p, actuals=actuals, method="simplex", cost_of_fairness=False)
        assert runs[held].status is Status.OPTIMAL
    kept, lost = runs[10.0], runs[4.0]
    assert kept.objective == pytest.approx(638.0, rel=REL)
    assert kept.terms["reconciliation"] == 0.0
    assert lost.objective == pytest.approx(12_000_748.0, rel=REL)
    assert lost.terms["reconciliation"] == pytest.approx(12_000_000.0, rel=REL)
    assert lost.terms["transport"] == pytest.approx(748.0, rel=REL)
    assert kept.dispatch[0, 0, 2:].sum() == pytest.approx(10.0, abs=1e-6)
    assert lost.dispatch[0, 0, 2:].sum() == pytest.approx(16.0, abs=1e-6)
    assert lost.route_flows is not None
    np.testing.assert_allclose(lost.route_flows[0, :, :2], [[6, 6], [9, 9]], atol=1e-6)
    np.testing.assert_allclose(lost.route_flows[0, :, 2:].sum(axis=1), [12, 4], atol=1e-6)
    np.testing.assert_allclose(lost.shortfall, 0.0, atol=1e-6)


def test_moves_between_depots_that_arrived_are_left_to_the_lp() -> None:
    """The actuals name no move between depots. Those that arrived before ``from_day`` are
    free (they only explain the depot stocks the actuals state), and the ``past_moves`` rows
    are the only rows whose bounds `fix_actuals` changes: free in the model built with the
    actuals, fixed to the moves by depot after.

    The plan, by hand (`_two_hubs` with the rear depot, transfers in 0 days): each day 3 by
    H1 -> R -> F at 3 EUR/t (R -> F's 3 t a day), 6 by H1 -> F at 11, 1 by H2 -> F at 22:
    4 x 97 = 388 EUR; from the hubs 7 a day into F and 3 into R. Re-planned from day 2 on
    that past (by depot), the re-plan is the plan: 388 EUR, nothing reconciled, no iteration
    from the plan's basis, R -> F at its 3 a day throughout."""
    p = problem_of(_two_hubs(depot_route=True))
    base = plan(p, method="simplex", cost_of_fairness=False)
    assert base.status is Status.OPTIMAL and base.objective == pytest.approx(388.0, rel=REL)
    actuals = _own_past(base, 2)
    built = build_model(p, PlanOptions(), actuals)
    fixed = fix_actuals(built, actuals, 0, None)
    rows = built.families[PAST_MOVES.name]
    past = np.arange(rows.start, rows.stop)
    assert (built.row_lower[past] == -np.inf).all() and (built.row_upper[past] == np.inf).all()
    np.testing.assert_allclose(fixed.row_lower[past], fixed.row_upper[past])
    np.testing.assert_allclose(np.sort(fixed.row_lower[past]), [3, 3, 7, 7], atol=1e-9)
    others = np.ones(built.n_rows, dtype=bool)
    others[past] = False
    assert (fixed.row_lower[others] == built.row_lower[others]).all()
    assert (fixed.row_upper[others] == built.row_upper[others]).all()
    r_f = p.route_ids.index("r-f")
    z = built.variables.z.index[0, r_f]
    assert (fixed.upper[z] == np.inf).all()
    warm = plan(p, actuals=actuals, warm_start=base, cost_of_fairness=False)
    assert warm.status is Status.OPTIMAL and warm.route_flows is not None
    assert warm.objective == pytest.approx(388.0, rel=REL)
    assert warm.stats["iterations"] == 0 and warm.terms["reconciliation"] == 0.0
    np.testing.assert_allclose(warm.route_flows[0, r_f], [3, 3, 3, 3], atol=1e-9)


def test_a_move_between_depots_under_way_is_not_seen() -> None:
    """As above with R -> F taking 1 day: the plan sends 3 a day on R -> F on days 0-2
    (arriving days 1-3; none on day 3, it would arrive after the horizon), F gets 6 by H1 and
    the rest by H2: 154 EUR on day 0, 66 + 9 + 22 = 97 on days 1-3, 445 EUR.

    Re-planned from day 2 on that past: the move of day 0 arrived (free, kept at 3), the one
    of day 1 is still under way at day 2 and is fixed to 0, so R, holding what the plan says
    and having no need, lost those 3 (2 x 1e6 EUR each), and F gets them on day 2 by H2
    instead (H1 is full): 445 - 3 (R -> F not paid) + 3 x 22 + 6,000,000 = 6,000,508 EUR."""
    p = problem_of(_two_hubs(depot_route=True, transfer_days=1))
    base = plan(p, method="simplex", cost_of_fairness=False)
    assert base.status is Status.OPTIMAL and base.objective == pytest.approx(445.0, rel=REL)
    r_f = p.route_ids.index("r-f")
    assert base.route_flows is not None
    np.testing.assert_allclose(base.route_flows[0, r_f], [3, 3, 3, 0], atol=1e-9)
    result = plan(p, actuals=_own_past(base, 2), method="simplex", cost_of_fairness=False)
    assert result.status is Status.OPTIMAL and result.route_flows is not None
    np.testing.assert_allclose(result.route_flows[0, r_f], [3, 0, 3, 0], atol=1e-9)
    assert result.objective == pytest.approx(6_000_508.0, rel=REL)
    assert result.terms["reconciliation"] == pytest.approx(6e6, rel=REL)
    np.testing.assert_allclose(result.shortfall[:, :, 2:], 0.0, atol=1e-6)


def test_a_move_no_hub_route_could_carry_is_refused() -> None:
    """H1 -> R opens on day 3: a move into R on day 1 has no row to fix (no route from a hub
    reaches R that day) and is refused by name, not dropped."""
    data = _two_hubs(depot_route=True)
    next(r for r in data["network"]["routes"] if r["id"] == "h1-r")["open_from"] = day(3)
    p = problem_of(data)
    moves = np.zeros((1, 2, 4))
    moves[0, p.depots.index("R"), 1] = 5.0
    actuals = Actuals(2, np.zeros((1, 2)), np.zeros((1, 1, 4)), moves)
    with pytest.raises(PlanningError, match="1 actual quantities have no place in the model"):
        plan(p, actuals=actuals)


@pytest.mark.parametrize("capped", [False, True])
def test_the_one_hub_form_as_a_network_re_plans_as_the_hub_form(tiny_problem: Problem,
                                                                capped: bool) -> None:
    """tiny with its `hub` and the same scenario written as a one-hub network re-plan from
    day 8 on the hub form's own past to the same objective (1e-9, dual simplex for both).
    ``capped``: the first hub -> depot route gets a capacity of 1e8 t a day, never reached,
    which makes the problem a network (not `simple_network`), so the re-plan goes through the
    ``past_moves`` rows instead of fixing z by its bounds."""
    data = load_scenario("tiny").model_dump(mode="json", exclude_none=True)
    net = as_network(data)
    if capped:
        to_depot = next(r for r in net["network"]["routes"] if r["id"].startswith("to-"))
        to_depot["capacity_t_per_day"] = 1e8
    old_p, new_p = problem_of(data), problem_of(net)
    assert new_p.simple_network is not capped
    base = plan(old_p, method="simplex", cost_of_fairness=False)
    actuals = _own_past(base, 8)
    old = plan(old_p, actuals=actuals, method="simplex", cost_of_fairness=False)
    new = plan(new_p, actuals=actuals, method="simplex", cost_of_fairness=False)
    assert old.status is new.status is Status.OPTIMAL
    assert (PAST_MOVES.name in build_model(new_p, PlanOptions(), actuals).families) is capped
    assert new.objective == pytest.approx(old.objective, rel=1e-9)
    assert old.objective == pytest.approx(base.objective, rel=1e-7)


def test_the_estimate_counts_the_past_moves_rows() -> None:
    """The estimate of a re-plan over a network grows by what the build grows: lost and found
    (2 columns, 4 non-zeros) and the ``past_moves`` rows (one per depot and day that a hub
    route reaches, holding its moves)."""
    for data in (_two_hubs(), _two_hubs(depot_route=True)):
        p = problem_of(data)
        actuals = _own_past(plan(p, cost_of_fairness=False), 3)
        opts = PlanOptions()
        before, after = estimate_size(p, opts), estimate_size(p, opts, actuals)
        plain, replan = build_model(p, opts), build_model(p, opts, actuals)
        assert (after.rows - before.rows, after.cols - before.cols, after.nnz - before.nnz) == (
            replan.n_rows - plain.n_rows, replan.n_cols - plain.n_cols, replan.nnz - plain.nnz)
        assert replan.n_rows > plain.n_rows


def test_the_cli_re_plans_a_network(cli: Cli, tmp_path: Path) -> None:
    """`resupply plan NET --from-day 7 --actuals FILE` on tiny over two hubs (a network with
    a donor of two supply routes and a depot reached from both hubs), with a small actuals
    file: what tiny's rolling re-plan test uses, plus a move by depot."""
    scenario = _two_hub_tiny(tmp_path)
    out = tmp_path / "p"
    assert cli("plan", str(scenario), "--out", str(out))[0] == 0
    actuals = tmp_path / "actuals.yaml"
    actuals.write_text(yaml.safe_dump({
        "depot_stock": [{"depot": "near", "item": "of540", "quantity": 500},
                        {"depot": "far", "item": "of540", "quantity": 400}],
        "dispatched": [{"day": 0, "donor": "east", "item": "of540", "quantity": 375},
                       {"day": 3, "donor": "west", "item": "m795", "quantity": 200}],
        "moves": [{"day": 4, "item": "of540", "depot": "near", "quantity": 100}]}))
    code, stdout, stderr = cli("plan", str(scenario), "--out", str(out), "--from-day", "7",
                               "--actuals", str(actuals), "--json")
    assert code == 0, stderr
    doc = json.loads(stdout)
    assert doc["from_day"] == 7 and doc["status"] == "optimal"
