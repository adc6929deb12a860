"""The planning API: statuses, explanations, wall-clock limit, MILP, rolling re-plans."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from resupply.compile import Problem, compile_problem
from resupply.domain import Scenario, load_scenario
from resupply.errors import InfeasiblePlanError, PlanningError
from resupply.planning import Actuals, Status, plan
from resupply.planning.status import from_highs

from .builders import day, one_family, problem_of


def test_highs_statuses_map_to_one_vocabulary() -> None:
    assert from_highs("kOptimal") is Status.OPTIMAL
    assert from_highs("kInfeasible") is Status.INFEASIBLE
    assert from_highs("kUnboundedOrInfeasible") is Status.INFEASIBLE
    assert from_highs("kUnbounded") is Status.UNBOUNDED
    assert from_highs("kTimeLimit") is Status.TIME_LIMIT
    assert from_highs("kInterrupt") is Status.TIME_LIMIT
    assert from_highs("kSolveError") is Status.ERROR


def _over_pledged() -> Problem:
    """A fixed pledge of 500 units from a donor holding 100."""
    donor = {"id": "don", "stock": [{"item": "it", "quantity": 100}]}
    data = one_family(horizon=5, rate=10, donors=[donor],
                      pledges=[{"id": "big", "donor": "don", "item": "it", "quantity": 500,
                                "date": day(3), "binding": "fixed"}])
    return problem_of(data)


def test_an_impossible_pledge_is_explained_in_words() -> None:
    result = plan(_over_pledged())
    assert result.status is Status.INFEASIBLE
    text = " ".join(result.explanation)
    assert "pledge" in text or "donor stock" in text
    assert "kInfeasible" not in text


def test_an_impossible_pledge_can_raise() -> None:
    with pytest.raises(InfeasiblePlanError, match=r"pledge|donor stock"):
        plan(_over_pledged(), raise_on_infeasible=True)


def test_depot_stock_beyond_capacity_names_depot_capacity() -> None:
    data = one_family(horizon=3, rate=1, initial_stock=50)
    data["depots"][0]["capacity_t"] = 10.0
    result = plan(problem_of(data))
    assert result.status is Status.INFEASIBLE
    assert any("depot capacity" in line for line in result.explanation)


def test_unknown_option_is_a_planning_error() -> None:
    with pytest.raises(PlanningError, match="unknown planning option"):
        plan(_over_pledged(), colour="red")


def test_shortfall_names_family_depot_day_and_cause(tiny_problem: Problem) -> None:
    result = plan(tiny_problem)
    lines = [line for line in result.explanation if line.startswith("art152 at near")]
    assert lines and "binding: donor stock" in lines[0]
    assert not any(line.startswith("art155") for line in result.explanation)


def test_production_after_the_last_tranche_counts_as_donor_stock_not_cost() -> None:
    """A donor makes 10 a day but sends only on days 0 and 5 (lead 0): 60 units can go, 40
    are made too late for a tranche, so 40 are short and the cause is the donor's stock in
    time for a tranche (the explanation used to say "cost" because 40 were still unsent)."""
    donor = {"id": "maker", "tranche_every_days": 5,
             "production": [{"item": "it", "rates": [{"date": day(0), "per_day": 10}]}]}
    result = plan(problem_of(one_family(horizon=10, rate=10, donors=[donor])))
    assert result.shortfall.sum() == pytest.approx(40.0)
    assert len(result.explanation) == 1
    assert "binding: donor stock" in result.explanation[0]
    assert "in time for a tranche" in result.explanation[0]


def test_terms_add_up_and_tranches_carry_every_unit(tiny_problem: Problem) -> None:
    result = plan(tiny_problem)
    assert sum(result.terms.values()) == pytest.approx(result.objective, rel=1e-9)
    assert result.tranches["quantity"].sum() == pytest.approx(result.dispatch.sum(), rel=1e-9)
    assert set(result.tranches.columns) == {"day", "date", "donor", "item", "family",
                                            "standard", "quantity", "tons", "depot"}
    to_depots = result.tranches[result.tranches["depot"] != "hub"]["quantity"].sum()
    assert to_depots == pytest.approx(result.moves.sum(), rel=1e-9)
    stock = result.stock
    assert len(stock) == result.depot_stock.size
    assert {"stock", "arrivals", "consumption", "shortfall", "expected_loss"} <= set(stock)


def test_a_large_model_stops_at_the_time_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """ukraine-2022 over ten years is far beyond a 1 s budget: every solve of the call is
    given at most what is left of it (HiGHS's own limit, and the wait after which the solve
    is cancelled from outside, `solve.Session.run`), and the call ends as time_limit or, on a
    very fast machine, optimal. The limit covers the build too: when building takes all of it,
    no solve starts at all. No clock is read here: what is checked is the budget handed
    down, not how fast this machine is."""
    from resupply.planning import solve

    given: list[float] = []
    real = solve.Session.run

    def run(self: solve.Session, time_limit: float, want_basis: bool = False
            ) -> solve.SolverRun:
        given.append(time_limit)
        return real(self, time_limit, want_basis)

    monkeypatch.setattr(solve.Session, "run", run)
    scenario = load_scenario("ukraine-2022")
    big = scenario.model_copy(update={"horizon_days": 3650})
    result = plan(compile_problem(big), time_limit=1.0)
    assert given or result.message == "time limit reached while the model was built"
    assert all(0 < limit <= 1.0 for limit in given)
    assert result.status in {Status.TIME_LIMIT, Status.OPTIMAL}


def test_the_time_limit_covers_the_build(monkeypatch: pytest.MonkeyPatch,
                                         tiny_problem: Problem) -> None:
    """A build that takes 3 s of a 2 s limit (on a fake clock): no solve starts, the result
    is time_limit with no plan; a build of 0.5 s leaves the solve the remaining 1.5 s."""
    from resupply.planning import api, solve

    now = [100.0]

    class Clock:
        @staticmethod
        def perf_counter() -> float:
            return now[0]

    real_build, real_run = api.build_model, solve.Session.run
    given: list[float] = []
    build_takes = [3.0]

    def build(*args: Any, **kwargs: Any) -> Any:
        now[0] += build_takes[0]
        return real_build(*args, **kwargs)

    def run(self: solve.Session, time_limit: float, want_basis: bool = False
            ) -> solve.SolverRun:
        given.append(time_limit)
        return real_run(self, time_limit, want_basis)

    monkeypatch.setattr(api, "time", Clock)
    monkeypatch.setattr(api, "build_model", build)
    monkeypatch.setattr(solve.Session, "run", run)
    late = plan(tiny_problem, time_limit=2.0)
    assert late.status is Status.TIME_LIMIT and not given
    assert late.message == "time limit reached while the model was built"
    assert np.isnan(late.objective) and np.nansum(late.dispatch) == 0
    build_takes[0] = 0.5
    assert plan(tiny_problem, time_limit=2.0).status is Status.OPTIMAL
    assert given[0] == pytest.approx(1.5)


def test_milp_respects_minimum_tranche_and_whole_units() -> None:
    """The western donor may send only tranches of at least 5 t, in whole rounds."""
    scenario = load_scenario("tiny")
    data = scenario.model_dump(mode="json")
    data["donors"][1]["min_tranche_t"] = 5.0
    for item in data["items"]:
        item["whole_units"] = True
    p = compile_problem(Scenario.model_validate(data))
    lp = plan(p)
    milp = plan(p, integer=True, time_limit=60)
    assert milp.status is Status.OPTIMAL
    assert milp.objective >= lp.objective - 1e-6 * abs(lp.objective)
    tons = (milp.dispatch[1] * p.item_mass_t[:, None]).sum(axis=0)
    assert ((tons < 1e-6) | (tons >= 5.0 - 1e-6)).all()
    np.testing.assert_allclose(milp.dispatch, np.round(milp.dispatch), atol=1e-6)


def _actuals_from(result_dispatch: np.ndarray, moves: np.ndarray, stock: np.ndarray,
                  from_day: int) -> Actuals:
    past = np.arange(result_dispatch.shape[2]) < from_day
    return Actuals(from_day=from_day, depot_stock=stock[:, :, from_day - 1],
                   dispatched=result_dispatch * past, moves=moves * past[None, None, :])


def test_replanning_from_the_plans_own_actuals_keeps_its_future(tiny_problem: Problem
                                                                ) -> None:
    """If what happened is exactly what was planned, the re-plan's future is as good as the
    plan's: the same shortfall from the re-planned day on (optimal substructure)."""
    base = plan(tiny_problem)
    actuals = _actuals_from(base.dispatch, base.moves, base.depot_stock, 8)
    cold = plan(tiny_problem, actuals=actuals)
    warm = plan(tiny_problem, actuals=actuals, warm_start=base)
    assert cold.status is Status.OPTIMAL and warm.status is Status.OPTIMAL
    assert cold.objective == pytest.approx(warm.objective, rel=1e-7)
    future = (slice(None), slice(None), slice(8, None))
    assert cold.shortfall[future].sum() == pytest.approx(base.shortfall[future].sum(),
                                                         rel=1e-6, abs=1e-6)
    np.testing.assert_allclose(cold.dispatch[:, :, :8], base.dispatch[:, :, :8], atol=1e-9)


def test_replanning_what_went_as_planned_needs_no_iteration(tiny_problem: Problem) -> None:
    """Actuals equal to the plan: the re-plan model (past flows fixed, ``lost``/``found``
    added at zero) keeps the plan's basis optimal, so the warm start needs no iteration and
    the objective is the plan's; neither reconciliation column is used."""
    base = plan(tiny_problem, cost_of_fairness=False)
    actuals = _actuals_from(base.dispatch, base.moves, base.depot_stock, 8)
    warm = plan(tiny_problem, actuals=actuals, warm_start=base, cost_of_fairness=False)
    assert warm.stats["iterations"] == 0
    assert warm.objective == pytest.approx(base.objective, rel=1e-9)
    assert warm.terms["reconciliation"] == 0.0


def test_stock_the_past_cannot_explain_is_reconciled_not_exploited(tiny_problem: Problem
                                                                   ) -> None:
    """Half the planned 152 mm stock at the far depot on day 7 is gone (more than strikes can
    explain: far is not struck). ``lost`` takes exactly the gap, at twice the dearest
    shortfall cost; the re-plan stays feasible and no stock is conjured by ``found``."""
    base = plan(tiny_problem, cost_of_fairness=False)
    actuals = _actuals_from(base.dispatch, base.moves, base.depot_stock, 8)
    far = tiny_problem.depots.index("far")
    of540 = tiny_problem.items.index("of540")
    gap = 0.5 * actuals.depot_stock[of540, far]
    assert gap > 0
    stock = actuals.depot_stock.copy()
    stock[of540, far] -= gap
    result = plan(tiny_problem, actuals=Actuals(8, stock, actuals.dispatched, actuals.moves),
                  cost_of_fairness=False)
    assert result.status is Status.OPTIMAL
    dearest = 2 * tiny_problem.shortfall_cost()[tiny_problem.item_family[of540]].max()
    assert result.terms["reconciliation"] == pytest.approx(dearest * gap, rel=1e-9)


def test_freeze_days_keep_the_announced_tranches(tiny_problem: Problem) -> None:
    base = plan(tiny_problem)
    actuals = _actuals_from(base.dispatch, base.moves, base.depot_stock, 5)
    announced = np.zeros_like(base.dispatch)
    announced[1, 1, 5:8] = 100.0  # west sends 100 m795 on days 5-7
    frozen = plan(tiny_problem, actuals=Actuals(5, actuals.depot_stock, actuals.dispatched,
                                                actuals.moves, announced), freeze_days=3)
    assert frozen.status is Status.OPTIMAL
    np.testing.assert_allclose(frozen.dispatch[:, :, 5:8], announced[:, :, 5:8], atol=1e-9)


def test_freeze_without_announced_tranches_needs_a_previous_plan(tiny_problem: Problem
                                                                 ) -> None:
    base = plan(tiny_problem)
    actuals = _actuals_from(base.dispatch, base.moves, base.depot_stock, 5)
    with pytest.raises(PlanningError, match="freeze"):
        plan(tiny_problem, actuals=actuals, freeze_days=2)
    kept = plan(tiny_problem, actuals=actuals, freeze_days=2, warm_start=base)
    np.testing.assert_allclose(kept.dispatch[:, :, 5:7], base.dispatch[:, :, 5:7], atol=1e-9)


def test_a_narrow_hub_is_named_as_the_binding_constraint(tiny: Scenario) -> None:
    data = tiny.model_dump(mode="json")
    data["hub"]["throughput_t_per_day"] = 3.0
    result = plan(compile_problem(Scenario.model_validate(data)))
    assert any(line.startswith("art155") and "binding: hub throughput" in line
               for line in result.explanation)


def test_empty_depots_are_short_first_for_lead_time(tiny: Scenario) -> None:
    data = tiny.model_dump(mode="json")
    for depot in data["depots"]:
        depot["initial_stock"] = []
    result = plan(compile_problem(Scenario.model_validate(data)))
    near = next(line for line in result.explanation if line.startswith("art152 at near"))
    assert "from 2022-06-01 (day 0)" in near and "lead and transit time" in near
