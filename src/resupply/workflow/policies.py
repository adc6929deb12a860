"""Policies as a face asks for them: by spec, from a plan in memory or in a run directory,
with the planner plugged into ``plan`` and ``rolling:N``; and the families a risk counts.

The simulation layer never imports the planner; this is where the two meet.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from resupply.analysis import explain
from resupply.compile import Problem
from resupply.compile.problem import F64, Bool
from resupply.errors import SimulationError
from resupply.simulation import PlanInput, SimOptions, plan_input_from_tranches
from resupply.simulation.plan_input import moves_of_routes
from resupply.simulation.policies import Policy
from resupply.simulation.policy_spec import (
    CadenceSpec,
    LumpSpec,
    OrderUpToSpec,
    PlanSpec,
    PolicySpec,
    RollingSpec,
    parse_spec,
)
from resupply.simulation.risk import RiskReference
from resupply.simulation.rolling import Planner, RunHistory
from resupply.simulation.routes import PlanRoutes
from resupply.simulation.specs import build_policy
from resupply.workflow.rundir import (
    BUFFERS,
    PLAN_JSON,
    ROUTES,
    STOCK,
    TRANCHES,
    Part,
    parts_of,
    read_json,
    read_manifest,
    read_table,
)

if TYPE_CHECKING:
    from resupply.planning import PlanResult

DEFAULT_POLICY = CadenceSpec(7)
"""The policy of `simulate` when neither a policy nor a plan is given."""
DEFAULT_POLICIES: tuple[PolicySpec, ...] = (LumpSpec(), CadenceSpec(30), CadenceSpec(7),
                                            CadenceSpec(1), OrderUpToSpec(), PlanSpec())
"""The policies `compare` puts side by side by default."""
DEFAULT_SCOPE = "ammunition"
"""The families `compare`'s stockout figures count by default (see `risk_scope`)."""


def planner_installed() -> bool:
    """True when `resupply.planning` (HiGHS) can be imported."""
    try:
        import resupply.planning  # noqa: F401
    except ImportError:
        return False
    return True


def plan_input(result: PlanResult) -> PlanInput:
    """The arrays of a plan in memory, every move included (also those arriving after the
    horizon, which a plan directory's tables cannot carry), with what it expects depots to
    consume and lose, so that the ``plan`` policy tracks its inventory positions."""
    if not (np.isfinite(result.dispatch).all() and np.isfinite(result.moves).all()):
        raise SimulationError(f"the plan has no values to follow (its solve ended "
                              f"{result.status}: {result.message})")
    routes = routes_of(result)
    moves = (np.array(result.moves) if routes is None
             else moves_of_routes(result.problem, routes.routes))
    return PlanInput(dispatch=np.array(result.dispatch), moves=moves,
                     consumption=np.array(result.consumption),
                     expected_loss=np.array(result.expected_loss),
                     hub_loss=hub_loss(result), routes=routes)


def routes_of(result: PlanResult) -> PlanRoutes | None:
    """The plan's flows per route on a network of several hubs (None on one hub, where the
    routes are the donors' and depots' own)."""
    if result.problem.simple_network or result.supply_flows is None \
            or result.route_flows is None:
        return None
    return PlanRoutes(supply=_flows(result.supply_flows), routes=_flows(result.route_flows))


def _flows(flows: F64) -> F64:
    """A plan's flows without the solver's float dust below zero (-1e-12 units would make a
    route's share negative and a depot's stock below zero). [units]"""
    clean: F64 = np.maximum(np.nan_to_num(flows), 0.0)
    return clean


def hub_loss(result: PlanResult) -> F64 | None:
    """[i, t] what the plan expects strikes on its hubs to destroy each day, ``sum_n (1 -
    rh[n]) h[i, n, t-1]`` (the planner's hub decay, `planning.constraints.hub_balance`); None
    when no hub can be struck. [units]"""
    p = result.problem
    decay = p.hub_strike_prob * p.hub_loss_fraction  # [n]
    if not decay.any():
        return None
    stocks = (result.hub_stock[:, None, :] if result.hub_stocks is None
              else np.nan_to_num(result.hub_stocks))  # [i, n, t]
    carried = np.concatenate([np.zeros((*stocks.shape[:2], 1)), stocks[:, :, :-1]], axis=2)
    kept = (1.0 - decay[:, None]) ** p.step_days[None, :]  # [n, t] a step of several days
    lost: F64 = (carried * (1.0 - kept)[None]).sum(axis=1)
    return lost


REPRODUCIBLE = "simplex"
"""LP method of the plans behind risk figures and certificates: the dual simplex alone. A race
keeps whichever method finishes first, and where the optimum is not unique the two return
different plans, so a certificate would depend on how loaded the machine was (a certification
test of tiny failed that way now and then). On ukraine-2022 the simplex alone is also the
faster (1.4 s against 2.5 s for the race)."""


def reference_plan(problem: Problem) -> PlanResult:
    """The deterministic optimum against the mean need, without the extras (fairness cost,
    explanations): what the best use of all supply achieves, the reference of what no supply
    could have prevented (`risk_reference`); solved by the `REPRODUCIBLE` method."""
    from resupply import planning

    result = planning.plan(problem, cost_of_fairness=False, explain=False, method=REPRODUCIBLE)
    if not result.ok:
        raise SimulationError(f"the planner found no plan for {problem.name}: "
                              f"{result.status} {result.message}")
    return result


def risk_reference(problem: Problem, options: SimOptions, scope: Bool,
                   reference: PlanResult | None) -> RiskReference:
    """What counts as avoidable: after the first possible arrival, and where the reference
    plan (the deterministic optimum) is not itself short."""
    shortfall = None if reference is None else np.asarray(reference.shortfall)
    return RiskReference.of(problem, options, scope=scope, plan_shortfall=shortfall)


def reference_for(problem: Problem, options: SimOptions, scope: str = DEFAULT_SCOPE
                  ) -> tuple[PlanResult, RiskReference]:
    """The deterministic optimum and the risk reference it defines, for ``scope``."""
    optimum = reference_plan(problem)
    return optimum, risk_reference(problem, options, risk_scope(problem, scope), optimum)


def planner() -> Planner | None:
    """``(Problem, RunHistory | None) -> PlanInput`` through `resupply.planning` (a rolling
    re-plan with the history as actuals), or None when the planner is not installed."""
    if not planner_installed():
        return None
    from resupply import planning

    first: dict[str, Any] = {}  # scenario hash -> the plan from day 0, whose basis starts re-plans

    def solve(problem: Problem, history: RunHistory | None = None) -> PlanInput:
        actuals = None if history is None else planning.Actuals(
            from_day=history.from_day, depot_stock=history.depot_stock,
            dispatched=history.dispatched, moves=history.moves)
        result = planning.plan(problem, actuals=actuals, cost_of_fairness=False, explain=False,
                               warm_start=first.get(problem.scenario_hash))
        if history is None and result.ok:
            first[problem.scenario_hash] = result
        if not result.ok:
            raise SimulationError(f"the planner found no plan for {problem.name}: "
                                  f"{result.status} {result.message}")
        return plan_input(result)

    return solve


def plan_dir_of(path: Path) -> Path:
    """Where the plan of run directory ``path`` lies: its plan part, or ``path`` itself when
    it holds a tranche table (the ``plan/`` of a demo, a plan written before manifests)."""
    if (path / TRANCHES).is_file():
        return path
    where = parts_of(path).get(Part.PLAN) if path.is_dir() else None
    if where is None or not (where / TRANCHES).is_file():
        raise SimulationError(f"{path / TRANCHES} not found; give a directory written by "
                              "`resupply plan` or `resupply demo`")
    return where


def read_plan(problem: Problem, path: Path) -> PlanInput:
    """The plan arrays of a run directory: ``tranches.csv`` and, when there, the exact hub
    moves from ``stock.parquet``. Every file is bounded and checked (`rundir.read_json`,
    `rundir.read_table`), the arrays against the scenario's shape (`PlanInput.check`).
    Refused: a multi-resolution plan, and a plan made for another scenario (the scenario hash
    of the directory's manifest or of ``plan.json``)."""
    folder = plan_dir_of(path)
    meta = read_json(folder / PLAN_JSON) or {}
    options = meta.get("options", {})
    if isinstance(options, dict) and options.get("daily_days") is not None:
        raise SimulationError(f"{folder} holds a multi-resolution plan (--daily-days): its "
                              "later rows are weekly totals, which the daily simulator cannot "
                              "follow; plan again without --daily-days")
    manifest = read_manifest(path) if path.is_dir() else None
    made_for = {str(h) for h in (meta.get("scenario_hash"),
                                 None if manifest is None else manifest.scenario_hash)
                if h is not None}
    foreign = sorted(made_for - {problem.scenario_hash})
    if foreign:
        raise SimulationError(f"{path} holds a plan of another scenario (scenario hash "
                              f"{foreign[0][:12]}, this one {problem.scenario_hash[:12]}); "
                              f"plan {problem.name} again")
    tranches = read_table(folder / TRANCHES)
    assert tranches is not None  # plan_dir_of checked it is there
    return plan_input_from_tranches(problem, tranches, read_table(folder / STOCK),
                                    read_table(folder / ROUTES))


def uncounted(problem: Problem, path: Path) -> Bool | None:
    """[f, k, t] cells a certified plan in run directory ``path`` does not count as avoidable
    (where it cannot hold its buffers: `resupply.workflow.certify`), from its buffers table;
    None for a plan without one."""
    table = read_table(plan_dir_of(path) / BUFFERS)
    if table is None:
        return None
    depots = table[table["depot"] != "hub"]
    f = depots["family"].map({n: i for i, n in enumerate(problem.families)})
    k = depots["depot"].map({n: i for i, n in enumerate(problem.depots)})
    t = depots["day"].to_numpy(dtype=np.int64)
    keep = f.notna().to_numpy() & k.notna().to_numpy() & (t >= 0) & (t < problem.n_days)
    out = np.zeros(problem.need.shape, dtype=bool)
    out[f[keep].astype(int), k[keep].astype(int), t[keep]] = ~depots["counted"].to_numpy(
        dtype=bool)[keep]
    return out


def policy_for(problem: Problem, spec: PolicySpec | str | None = None,
               plan: PlanInput | None = None, optimum: PlanInput | None = None) -> Policy:
    """The policy a spec names (default ``cadence:7``, or ``plan`` when a plan is given;
    a text is parsed here, for callers that hold one): ``plan`` follows ``plan``, else
    ``optimum`` (the deterministic optimum, when the caller has it), else asks the planner;
    ``rolling:N`` gets the planner."""
    chosen = parse_spec(spec) if isinstance(spec, str) else spec
    if plan is not None and not isinstance(chosen, PlanSpec | None):
        raise SimulationError("give a plan (--plan DIR) or a policy (--policy P), not both")
    if chosen is None:
        chosen = PlanSpec() if plan is not None else DEFAULT_POLICY
    if isinstance(chosen, PlanSpec) and plan is None:
        plan = optimum if optimum is not None else _plan_from_planner(problem)
    rolling = planner() if isinstance(chosen, RollingSpec) else None
    return build_policy(chosen, plan=plan, planner=rolling)


def _plan_from_planner(problem: Problem) -> PlanInput:
    solve = planner()
    if solve is None:
        raise SimulationError("policy 'plan' needs --plan DIR (resupply.planning is not "
                              "installed to make one)")
    return solve(problem, None)


SCOPES = "ammunition, coverable, all, or a comma-separated list of families"
"""What `risk_scope` accepts, for messages and help."""


def risk_scope(problem: Problem, text: str = DEFAULT_SCOPE) -> Bool:
    """[f] families the headline risk counts: ``coverable`` (all but those that run dry even
    with all donor supply sent at once), ``ammunition`` (coverable ammunition, the default:
    spare parts are planned in fractions per depot while they fail whole), ``all``, or a
    comma-separated list of families."""
    coverable = np.array([f.runs_dry_with_all_supply is None
                          for f in explain(problem).families])
    if text == "coverable":
        return coverable
    if text == "all":
        return np.ones(len(problem.families), dtype=bool)
    if text == "ammunition":
        result: Bool = coverable & ~problem.family_is_spare
        return result
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = sorted(set(names) - set(problem.families))
    if unknown or not names:
        raise SimulationError(f"--scope: unknown families {', '.join(unknown) or '(none)'}; "
                              f"use {SCOPES}: {', '.join(problem.families)}")
    scope: Bool = np.isin(np.array(problem.families), names)
    return scope
