"""Plans certified to a stated risk: size buffers from the simulator, then certify on fresh runs.

The loop (DESIGN.md, "Plans that hold under uncertainty"):

1. **Plan** the deterministic optimum against the mean need (`reference.reference_plan`): it
   says what no supply could prevent (its own shortfall), so the risk counts only *avoidable*
   stockouts (`resupply.simulation.risk`).
2. **Prior**: buffers from the physics of the three risks (`prior_multipliers`: base stock
   over the transit, the stock a struck depot needs to last until it is refilled, late
   tranches at the hub), and the plan re-planned with them (the deterministic plan, with no
   safety stock, fails nearly every run: simulating it would spend a calibration on nothing).
3. **Simulate** the plan with common random numbers (the calibration seed), following it with
   its execution rule (`PlanPolicy`: dispatch and moves track the plan's inventory positions,
   depots refilled up to the plan's stock, buffers included).
4. **Size** each buffer cell (family f in scope, depot k) as ``beta[f,k] x scale[f,k,t]``, scale
   = one day's demand standard deviation times ``sqrt(L + 1)``: each run's largest avoidable
   episode (unmet demand summed over consecutive short days, in units of the scale, divided
   by the share of stock a strike leaves at that depot) is the extra buffer that would have
   covered it; the increments are the quantiles of those deficits at one level shared by all
   cells, the highest level at which the calibration runs would fail at most
   ``target_calibration`` of the time (a joint, not a per-cell, risk). Re-plan with the
   buffers (`planning.Buffers`, each shortfall capped by the deterministic plan's, so that
   buffers never take supply from need), warm from the last basis, and simulate again with
   the same seed; repeat until the calibration runs meet ``target_calibration`` or the
   calibration budget is spent (the last raise is then certified as it is).
5. **Certify** on fresh runs with another seed: the one-sided Clopper-Pearson upper bound of
   P(avoidable stockout of a family in scope over the horizon) at ``confidence`` must be at most
   the target. The certificate is never issued from the calibration runs.

Where the supply (or a depot's capacity) leaves no room for safety stock on some days (the
buffered plan cannot hold its buffer there, e.g. while a new family's stock ramps up), those
cells count as supply-limited like the deterministic plan's own shortfall: they are named with
what binds, not counted as avoidable. Each path ends with a status: ``certified`` (bound at or
below the target), ``not_achievable`` (above, and some buffers cannot be held: the binding
supply is named), ``not_certified`` (above, every buffer held: more calibration needed), or
``time_limit`` (best plan so far). ``target_calibration`` is the largest rate whose bound
over the certification runs would still pass, times `CALIBRATION_MARGIN`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy.stats import beta as beta_dist
from scipy.stats import norm

from resupply.compile import Problem
from resupply.compile.problem import F64, Bool
from resupply.errors import PlanningError
from resupply.planning import Buffers, PlanResult, plan
from resupply.simulation import PlanPolicy, SimOptions, SimResult, simulate
from resupply.simulation.frontier import PolicyPoint
from resupply.simulation.policies import supply_lead
from resupply.simulation.risk import (
    RELIABLE,
    RiskReference,
    demand_scale,
    first_arrival,
    geometric_quantile,
    reliable_cover,
)
from resupply.workflow.policies import REPRODUCIBLE, plan_input, reference_plan, risk_reference

CertStatus = Literal["certified", "not_achievable", "not_certified", "time_limit"]
CALIBRATION_MARGIN = 0.8
"""Calibrate to this share of the highest failure rate that would still certify: room for
the Monte Carlo noise between calibration and certification runs. [1]"""
MAJOR_DONOR = 0.25
"""A donor holding at least this share of a family's supply is a main donor: the family's
certified period starts once its first tranche can be relied on (`ramp_up`). [1]"""
OVERSHOOT = 0.5
"""Buffers are raised to what would have failed this share of the calibration target: the
shortfalls a raise removes are partly replaced by new ones elsewhere (a buffer that holds
moves the failure to the next weakest cell), so aiming below the target saves iterations. [1]"""
HELD = 1e-6
"""A buffer deficit above this share of the buffer (plus this in units) means not held. [1]"""
RAMP_SHARE = 0.1
"""Share of the risk that a main donor's first tranche may take by arriving after the day
the certified period starts (`ramp_reliability`). [1]"""


def parse_risk(text: str) -> float:
    """A risk as a user writes it, ``5%`` or ``0.05``, as a probability; `PlanningError`
    names the valid forms (``5`` alone is refused: 5 % or 500 %?)."""
    raw = text.strip()
    percent = raw.endswith("%")
    try:
        value = float(raw.removesuffix("%").strip())
    except ValueError:
        raise PlanningError(f"--risk {text!r}: write a percentage such as 5% or a "
                            "probability such as 0.05") from None
    if percent:
        value /= 100.0
    elif value >= 1.0:
        raise PlanningError(f"--risk {text!r}: a probability is below 1; write {text}% for "
                            "a percentage")
    if not (np.isfinite(value) and 0.0 < value < 1.0):
        raise PlanningError(f"--risk {text!r} must lie strictly between 0 and 100 %")
    return value


def clopper_pearson_upper(failures: int, runs: int, confidence: float = 0.95) -> float:
    """One-sided upper confidence bound of a binomial probability (Clopper-Pearson):
    the ``confidence`` quantile of Beta(k + 1, n - k); 1 when every run failed. [1]"""
    if runs <= 0:
        return 1.0
    if failures >= runs:
        return 1.0
    return float(beta_dist.ppf(confidence, failures + 1, runs - failures))


def calibration_target(risk: float, runs: int, confidence: float) -> float:
    """The failure rate to calibrate to: `CALIBRATION_MARGIN` times the largest k/n whose
    Clopper-Pearson bound over ``runs`` certification runs is at most ``risk``. [1]"""
    k = np.arange(runs + 1)
    bounds = beta_dist.ppf(confidence, k + 1, np.maximum(runs - k, 1))
    passing = k[(bounds <= risk) & (k < runs)]
    best = int(passing.max()) if len(passing) else 0
    return CALIBRATION_MARGIN * best / runs


@dataclass(frozen=True)
class CertifyOptions:
    """How to calibrate and certify.

    risk
        Target probability of an avoidable stockout of a family in scope over the horizon. [1]
    calibration_runs, certification_runs
        Monte Carlo runs of each calibration simulation and of the certificate. [runs]
    seed
        Calibration seed (common random numbers across iterations); the certificate uses
        ``certification_seed`` (default ``seed + 1``, an independent stream). [1]
    max_calibrations
        Calibration simulations at most (each followed by a re-plan). [1]
    confidence
        Confidence of the one-sided Clopper-Pearson bound. [1]
    time_limit
        Wall clock for the whole loop; on expiry the best plan so far is returned. [s]
    hub_reserve
        Hold part of the safety stock in a reserve at the hub (False: all at the depots).
    simulation
        What the simulations draw (demand model, strikes, delays, surges, backorders, days
        counted); its runs and seed are replaced by the fields above.
    """

    risk: float
    calibration_runs: int = 1000
    certification_runs: int = 2000
    seed: int = 0
    certification_seed: int | None = None
    max_calibrations: int = 4
    confidence: float = 0.95
    time_limit: float = 1800.0
    workers: int = 1
    hub_reserve: bool = True
    simulation: SimOptions = field(default_factory=SimOptions)

    def __post_init__(self) -> None:
        if not 0.0 < self.risk < 1.0:
            raise PlanningError(f"--risk must be between 0 and 100 % (exclusive), not "
                                f"{self.risk:.4g}")
        if self.calibration_runs < 10 or self.certification_runs < 10:
            raise PlanningError("calibration and certification need at least 10 runs each")
        if self.max_calibrations < 1:
            raise PlanningError("max_calibrations must be at least 1")
        if not 0.5 <= self.confidence < 1.0:
            raise PlanningError(f"confidence must be in [0.5, 1), not {self.confidence}")

    def as_dict(self) -> dict[str, Any]:
        """JSON values (manifest and certificate.json)."""
        out = {k: v for k, v in vars(self).items() if k != "simulation"}
        sim = self.simulation
        out["simulation"] = {"demand": sim.demand.kind, "cv": sim.demand.cv,
                             "strikes": sim.strikes, "delays": sim.delays, "surges": sim.surges,
                             "pauses": sim.pauses,
                             "backorders": sim.backorders, "warmup_days": sim.warmup_days}
        return out

    def runs_of(self, *, seed: int, runs: int) -> SimOptions:
        """The settings of one of the loop's simulations: `simulation` with these runs, seed
        and the workers."""
        return replace(self.simulation, runs=runs, seed=seed, workers=self.workers)

    @property
    def fresh_seed(self) -> int:
        """The certification seed."""
        return self.seed + 1 if self.certification_seed is None else self.certification_seed


@dataclass(frozen=True)
class Iteration:
    """One calibration step: the buffers simulated and what the calibration runs showed."""

    failure_rate: float
    """Share of calibration runs with an avoidable stockout in scope. [1]"""
    buffer_units: float
    """Sum over buffer cells of the mean buffer over days. [units]"""
    beta_max: float
    """Largest depot buffer multiplier (z-score-like) over cells. [1]"""
    hub_beta_max: float
    """Largest hub reserve multiplier over families. [1]"""


@dataclass(frozen=True, eq=False)
class Certificate:
    """A plan with its certified risk, what robustness costs and what it took."""

    status: CertStatus
    message: str
    plan: PlanResult
    deterministic: PlanResult
    options: CertifyOptions
    scope: tuple[str, ...]
    failures: int
    """Certification runs with an avoidable stockout in scope."""
    runs: int
    upper_bound: float
    """One-sided Clopper-Pearson bound of the avoidable-stockout probability. [1]"""
    target_calibration: float
    beta: F64
    """[f, k] buffer multipliers (0 outside the buffer cells). [1]"""
    iterations: tuple[Iteration, ...]
    solves: int
    simulations: int
    strike_loss_plan: tuple[float, float]
    """Expected strike loss of the (certified, deterministic) plans, the planner's figure. [EUR]"""
    strike_loss_simulated: tuple[float, float]
    """Mean strike loss over the certification runs (certified, deterministic). [EUR]"""
    seconds: float
    point: PolicyPoint
    """The certified plan's figures on the certification runs (what the frontier shows)."""
    binding: tuple[str, ...] = field(default=())
    """Buffers that cannot be held, with what binds them (``not_achievable``)."""

    fresh: SimResult | None = field(default=None, repr=False)
    """The certification runs themselves (the plan's simulation with `options.runs_of` the
    fresh seed and certification runs), for a face that shows them without simulating again."""
    counted: Bool | None = field(default=None, repr=False)
    """[f, k, t] cells whose avoidable shortfalls the certificate counts (the reference of
    the certification runs: not limited)."""

    def reference(self) -> RiskReference:
        """The reference the certificate counted against: its scope, limited where it did
        not count (for anyone re-checking it, or judging other policies the same way)."""
        p = self.plan.problem
        counted = np.ones(p.need.shape, dtype=bool) if self.counted is None else self.counted
        scope = np.isin(np.array(p.families), self.scope)
        return replace(RiskReference.of(p, self.options.simulation, scope=scope),
                       limited=~counted)

    def buffer_table(self) -> pd.DataFrame:
        """Long table family x location (a depot or ``hub``) x day of the safety stock asked
        for (``level``), what the plan cannot hold (``deficit``) [units], and whether a
        shortfall there counts as avoidable (``counted``; always True at the hub)."""
        p, result = self.plan.problem, self.plan
        level = (np.zeros(p.need.shape) if result.buffer_level is None
                 else result.buffer_level)
        hub = (np.zeros(p.family_need().shape) if result.hub_reserve_level is None
               else result.hub_reserve_level)
        counted = np.ones(p.need.shape, dtype=bool) if self.counted is None else self.counted
        levels = np.concatenate([level, hub[:, None, :]], axis=1)
        deficits = np.concatenate([result.buffer_deficit, result.hub_reserve_deficit[:, None, :]],
                                  axis=1)
        flags = np.concatenate([counted, np.ones_like(hub, dtype=bool)[:, None, :]], axis=1)
        grid = np.indices(levels.shape).reshape(3, -1)
        places = np.array([*p.depots, "hub"], dtype=object)
        return pd.DataFrame({
            "family": np.asarray(p.families, dtype=object)[grid[0]], "depot": places[grid[1]],
            "day": grid[2], "date": p.dates[grid[2]], "level": levels.ravel(),
            "deficit": deficits.ravel(), "counted": flags.ravel()})

    def certified_from(self) -> dict[str, str | None]:
        """Per family in scope, the first day its stockouts count (ISO date; None when none
        does): before it the family's supply ramps up (`ramp_up`), which the certificate
        leaves out and must say."""
        p = self.plan.problem
        counted = np.ones(p.need.shape, dtype=bool) if self.counted is None else self.counted
        days: Bool = np.asarray((counted & (p.need > 0)).any(axis=1))  # [f, t]
        return {f: (str(p.dates[int(np.argmax(days[i]))]) if days[i].any() else None)
                for i, f in enumerate(p.families) if f in self.scope}

    def deterministic_start(self) -> Deterministic:
        """What another certificate of the same problem and options can start from."""
        return Deterministic(self.deterministic, self.strike_loss_simulated[1])

    @property
    def estimate(self) -> float:
        """Observed avoidable-stockout rate on the certification runs. [1]"""
        return self.failures / max(self.runs, 1)

    @property
    def cost_of_robustness(self) -> float:
        """Extra expected strike loss of the certified plan over the deterministic one
        (simulated means). [EUR]"""
        return self.strike_loss_simulated[0] - self.strike_loss_simulated[1]

    def to_dict(self) -> dict[str, Any]:
        """What certificate.json holds."""
        o = self.options
        return {
            "status": self.status, "message": self.message, "risk": o.risk,
            "confidence": o.confidence, "scope": list(self.scope),
            "options": o.as_dict(),
            "certification": {"runs": self.runs, "failures": self.failures,
                              "estimate": self.estimate, "upper_bound": self.upper_bound,
                              "seed": o.fresh_seed},
            "calibration": {"runs": o.calibration_runs, "seed": o.seed,
                            "target": self.target_calibration,
                            "iterations": [vars(i) for i in self.iterations]},
            "solves": self.solves, "simulations": self.simulations,
            "strike_loss_eur": {
                "certified_plan": self.strike_loss_plan[0],
                "deterministic_plan": self.strike_loss_plan[1],
                "certified_simulated": self.strike_loss_simulated[0],
                "deterministic_simulated": self.strike_loss_simulated[1],
                "cost_of_robustness": self.cost_of_robustness},
            "certified_from": self.certified_from(),
            "binding": list(self.binding), "seconds": round(self.seconds, 2)}


@dataclass
class _Loop:
    """State of one calibration loop (counts of solves and simulations, time)."""

    problem: Problem
    options: CertifyOptions
    started: float
    solves: int = 0
    simulations: int = 0

    def left(self) -> float:
        return self.options.time_limit - (time.perf_counter() - self.started)

    def simulate(self, result: PlanResult, seed: int, runs: int,
                 reference: RiskReference, *, deficits: bool = False) -> SimResult:
        """Simulate ``result`` with its execution rule; ``deficits`` records the episodes
        that size buffers (calibration runs)."""
        self.simulations += 1
        options = replace(self.options.runs_of(seed=seed, runs=runs), record_deficits=deficits)
        return simulate(self.problem, PlanPolicy(plan_input(result)), options,
                        reference=reference)

    def calibrate(self, result: PlanResult, reference: RiskReference) -> SimResult:
        """A calibration simulation: the calibration seed and runs, deficits recorded."""
        o = self.options
        return self.simulate(result, o.seed, o.calibration_runs, reference, deficits=True)

    def plan(self, buffers: Buffers, warm: PlanResult) -> PlanResult:
        self.solves += 1
        result = plan(self.problem, buffers=buffers, warm_start=warm, cost_of_fairness=False,
                      explain=False, time_limit=max(self.left(), 1.0), method=REPRODUCIBLE)
        if not result.ok:
            raise PlanningError(f"the buffered plan failed: {result.status} {result.message}")
        return result


def buffer_cells(problem: Problem, reference: RiskReference, scale: F64) -> Bool:
    """[f, k, t] cells that get a buffer row: families in scope, where demand varies and a
    shortfall would be avoidable."""
    cells: Bool = (reference.scope[:, None, None] & (scale > 0) & ~reference.limited
                   & (problem.need > 0))
    return cells


def increments(deficit: F64, failing_target: float) -> F64:
    """[m] extra multipliers from the runs' deficits ``deficit`` [r, m] (each run's largest
    avoidable episode per buffer, in units of its scale): per-buffer quantiles at one shared
    level, the lowest at which at most ``failing_target`` of the runs would still have a
    deficit beyond its buffer's increment (a joint risk over all buffers, not one per
    buffer)."""
    runs = deficit.shape[0]
    if not (deficit > 0).any():
        return np.zeros(deficit.shape[1:])
    lo, hi = 0.0, 1.0  # quantile levels: hi always meets the target (the maximum)
    for _ in range(40):
        mid = 0.5 * (lo + hi)
        q = np.quantile(deficit, mid, axis=0, method="higher")
        failing = np.mean((deficit > q[None] * (1 + 1e-12)).any(axis=1))
        if failing <= failing_target:
            hi = mid
        else:
            lo = mid
    result: F64 = np.asarray(np.quantile(deficit, hi, axis=0, method="higher"))
    scaled: F64 = result * (1.0 + 1.0 / runs)
    return scaled


def ramp_up(problem: Problem, reference: RiskReference, cells: Bool, target: float,
            scale: F64, *, risk: float) -> RiskReference:
    """The reference with each family's ramp-up left out: days before the first tranche of
    every main donor (`MAJOR_DONOR`) can reliably have arrived, or before the supply that could
    reliably have arrived (`risk.reliable_cover`) covers the need to date plus the hub reserve
    of the prior (`prior_multipliers`). Until then the reserve that absorbs late tranches is
    built from those very tranches: no stock can certify those days (the certificate names
    the day each family's certified period starts).

    "Reliably" is the `ramp_reliability` quantile of release slip and tranche delay, tied to
    the risk: a first tranche later than that leaves the depots with nothing to hold against
    it, so its probability is a floor under any certificate and must be small beside it."""
    reliable = ramp_reliability(risk)
    reserve = prior_multipliers(problem, cells, target, scale)[1]
    building = ~reliable_cover(problem, delays=True, reserve_days=reserve, reliable=reliable)
    t = np.arange(problem.n_days)
    first = first_arrival(problem, delays=True, major=MAJOR_DONOR,
                          reliable=reliable)[:, :, None]
    return replace(reference, limited=reference.limited | building | (t[None, None] < first))


def ramp_reliability(risk: float) -> float:
    """Quantile of slip and delay from which a family's supply counts as arrived for a
    certificate at ``risk``: ``1 - RAMP_SHARE x risk`` (at least the simulator's `RELIABLE`).
    [1]"""
    return max(1.0 - RAMP_SHARE * risk, RELIABLE)


def prior_multipliers(problem: Problem, cells: Bool, target: float,
                      scale: F64) -> tuple[F64, F64]:
    """The first buffers, from the physics of the three risks:

    - demand: base-stock safety stock over the depot's transit from the hub, ``z sigma
      sqrt(tr + 1)`` with z the standard normal quantile of ``1 - target``;
    - strikes, at depots likely to be struck within the horizon (``1 - (1 - p)^T > target``):
      after losing the share ``lf`` of its stock the depot still covers ``tr + 1`` days of
      need until the hub refills it, ``S (1 - lf) >= (tr + 1) need``, beyond the day of
      need it holds anyway: ``((tr + 1) / (1 - lf) - 1)`` days of need;
    - late tranches: the hub holds, in days of the family's need, the ``1 - target``
      quantile of the longest mean tranche delay among the donors of the family.

    Depot multipliers are in units of the scale ``sigma sqrt(L + 1)``
    (`resupply.simulation.risk.demand_scale`, here its mean over the cell's days), the hub's in
    days of need. The calibration then corrects both from the simulated deficits."""
    z = float(norm.ppf(1.0 - target))
    p = problem
    lead = supply_lead(p).T  # [f, k]
    share = np.minimum(np.sqrt((p.transit_days[None, :] + 1.0) / (lead + 1.0)), 1.0)
    struck = 1.0 - (1.0 - p.strike_prob) ** p.n_days > target  # [k]
    strike_days = np.where(struck, (p.transit_days + 1.0) / np.maximum(
        1.0 - p.loss_fraction, 0.05) - 1.0, 0.0)  # [k] days of need
    mean_scale = np.where(cells, scale, 0.0).sum(axis=2) / np.maximum(cells.sum(axis=2), 1)
    mean_need = np.where(cells, p.need, 0.0).sum(axis=2) / np.maximum(cells.sum(axis=2), 1)
    strike_beta = np.divide(strike_days[None, :] * mean_need, mean_scale,
                            out=np.zeros_like(mean_need), where=mean_scale > 0)
    depot_cells: Bool = np.asarray(cells.any(axis=2))
    onehot = np.eye(len(p.families))[p.item_family]
    holds = (p.donor_cumulative_available()[:, :, -1] @ onehot) > 0  # [d, f]
    delay = np.where(holds, p.delay_mean[:, None], 0.0).max(axis=0, initial=0.0)
    days = np.where(delay > 0, geometric_quantile(delay, 1.0 - target) + 1.0, 0.0)
    return (np.where(depot_cells, z * share + strike_beta, 0.0),
            np.where(depot_cells.any(axis=1), days, 0.0))


def surviving_share(problem: Problem, options: SimOptions) -> F64:
    """[k] share of a depot's stock that survives a strike (1 where none falls): stock held
    against an episode that follows a strike is struck with the rest. [1]"""
    struck = options.strikes and not options.expected_strikes
    result: F64 = np.where(struck & (problem.strike_prob > 0), 1.0 - problem.loss_fraction, 1.0)
    return result


def next_multipliers(beta: F64, beta_hub: F64, sim: SimResult, cells: Bool,
                     target: float, *, survive: F64,
                     hub_reserve: bool = True) -> tuple[F64, F64]:
    """Depot multipliers [f, k] and hub multipliers [f] raised by the deficits of ``sim``:
    episodes while the hub held stock raise the depot's buffer, those while it held none the
    family's hub reserve (`resupply.simulation.consume`); without a hub reserve every episode
    raises its depot's buffer. A depot's deficit is divided by the share of its stock that
    survives a strike, ``survive`` [k]: most episodes at a struck depot follow a strike,
    which takes the same share of any extra stock held against it (without that, each raise
    would cover half the episode at a depot losing half its stock, and the loop would close
    the gap by halves)."""
    tot = sim.totals
    n_f, n_k = beta.shape
    depot_cells: Bool = np.asarray(cells.any(axis=2))  # [f, k]
    peak = tot.deficit_peak if hub_reserve else tot.cell_deficit_peak  # [r, k, f]
    local = np.where(depot_cells.T[None], peak / np.maximum(survive, 0.05)[None, :, None],
                     0.0).transpose(0, 2, 1)  # [r, f, k]
    families: Bool = np.asarray(depot_cells.any(axis=1)) & hub_reserve
    hub = np.where(families[None], tot.hub_deficit_peak, 0.0)
    step = increments(np.concatenate([local.reshape(len(local), -1), hub], axis=1), target)
    return beta + step[: n_f * n_k].reshape(n_f, n_k), beta_hub + step[n_f * n_k:]


@dataclass(frozen=True, eq=False)
class Deterministic:
    """The deterministic plan and its mean strike loss on the certification runs: the same
    at every risk level of one problem and options (`Certificate.deterministic_start`), so a
    frontier solves and simulates it once."""

    plan: PlanResult
    strike_loss_simulated: float
    """Mean strike loss of the plan on the certification runs. [EUR]"""


def certify(problem: Problem, options: CertifyOptions, scope: Bool,
            start: Deterministic | None = None) -> Certificate:
    """Calibrate buffers to ``options.risk`` and certify the plan on fresh runs (see the module
    docstring); ``start`` the deterministic plan of an earlier certificate of the same problem
    and options (any risk), not solved nor simulated again."""
    loop = _Loop(problem, options, time.perf_counter())
    if start is None:
        base = reference_plan(problem)
        loop.solves += 1
    else:
        base = start.plan
    sim_options = options.simulation
    reference = risk_reference(problem, sim_options, scope, base)
    scale = demand_scale(problem, sim_options)
    cells = buffer_cells(problem, reference, scale)
    target = calibration_target(options.risk, options.certification_runs, options.confidence)
    reference = ramp_up(problem, reference, cells, target, scale, risk=options.risk)
    beta, beta_hub = prior_multipliers(problem, cells, target, scale)
    beta_hub = beta_hub * options.hub_reserve
    current, iterations, status = base, [], "exhausted"
    calibrations = options.max_calibrations if target > 0 else 0  # too few runs to certify
    if calibrations and (beta.any() or beta_hub.any()):  # the prior first: base plans fail
        current = loop.plan(_buffers(problem, base, (beta, beta_hub), scale, cells), base)
    for _ in range(calibrations):
        sim = loop.calibrate(current, counted(reference, current, cells))
        rate = float(np.mean(sim.totals.avoid_scope_days > 0))
        iterations.append(Iteration(rate, _buffer_units(current), float(beta.max(initial=0)),
                                    float(beta_hub.max(initial=0))))
        if rate <= target:
            status = "calibrated"
            break
        if loop.left() <= 0:
            status = "time_limit"
            break
        beta, beta_hub = next_multipliers(beta, beta_hub, sim, cells, target * OVERSHOOT,
                                          survive=surviving_share(problem, sim_options),
                                          hub_reserve=options.hub_reserve)
        current = loop.plan(_buffers(problem, base, (beta, beta_hub), scale, cells), current)
    if status == "calibrated" and current is not base:
        sizing = Sizing(base, reference, scale, cells, target)
        current, beta, beta_hub = trim(loop, sizing, current, (beta, beta_hub), iterations)
    final = counted(reference, current, cells)
    return _certificate(loop, base, current, final, beta=beta, iterations=iterations,
                        status=status, binding=not_held(current, unheld(current, cells)),
                        target=target, start=start)


@dataclass(frozen=True, eq=False)
class Sizing:
    """What buffers are sized against: the deterministic plan, the reference, the scales, the
    buffer cells and the calibration target."""

    base: PlanResult
    reference: RiskReference
    scale: F64
    cells: Bool
    target: float


def trim(loop: _Loop, sizing: Sizing, current: PlanResult, beta: tuple[F64, F64],
         iterations: list[Iteration]) -> tuple[PlanResult, F64, F64]:
    """Spend the calibration runs left on shrinking every buffer by one common factor
    (bisection between 1/2 and 1): the raises only go up, so the first plan that meets the
    target may hold more than it needs. Keeps the smallest buffers that still meet it."""
    o, problem = loop.options, loop.problem
    low, high = 0.5, 1.0
    best = (current, *beta)
    while len(iterations) < o.max_calibrations and loop.left() > 0:
        mid = 0.5 * (low + high)
        scaled = (beta[0] * mid, beta[1] * mid)
        trial = loop.plan(_buffers(problem, sizing.base, scaled, sizing.scale, sizing.cells),
                          best[0])
        sim = loop.calibrate(trial, counted(sizing.reference, trial, sizing.cells))
        rate = float(np.mean(sim.totals.avoid_scope_days > 0))
        iterations.append(Iteration(rate, _buffer_units(trial), float(scaled[0].max(initial=0)),
                                    float(scaled[1].max(initial=0))))
        if rate <= sizing.target:
            best, high = (trial, *scaled), mid
        else:
            low = mid
    return best


def _buffers(problem: Problem, base: PlanResult, beta: tuple[F64, F64], scale: F64,
             cells: Bool) -> Buffers:
    """Safety stock ``beta[f,k] x scale[f,k,t]`` at the depots of ``cells`` and a hub reserve
    of ``beta_hub[f]`` days of the family's need, at the family's shortfall penalty spread over
    the horizon per unit and day (holding a unit for the whole horizon never costs more than
    its shortfall), each shortfall capped by the deterministic plan's."""
    depot_beta, hub_beta = beta
    depot = np.where(cells, depot_beta[:, :, None] * scale, 0.0)
    hub_cells = np.asarray(cells.any(axis=1))
    hub = np.where(hub_cells, hub_beta[:, None] * problem.need.sum(axis=1), 0.0)
    return Buffers(mask=cells, level=depot,
                   penalty=problem.shortfall_penalty / max(problem.n_days, 1),
                   shortfall_cap=np.array(base.shortfall),
                   hub_mask=hub_cells if hub_beta.any() else None,
                   hub_level=hub if hub_beta.any() else None)


def _buffer_units(result: PlanResult) -> float:
    """Mean over days of all buffer and reserve levels. [units]"""
    depots = 0.0 if result.buffer_level is None else result.buffer_level.mean(axis=2).sum()
    hub = 0.0 if result.hub_reserve_level is None else result.hub_reserve_level.mean(axis=1).sum()
    return float(depots + hub)


def unheld(result: PlanResult, cells: Bool) -> Bool:
    """[f, k, t] buffer cells on days when the plan cannot hold the depot's buffer or the
    family's hub reserve: the supply (or capacity) leaves no room for safety stock there."""
    if result.buffer_level is None:
        return np.zeros_like(cells)
    depot = result.buffer_deficit > HELD * (1.0 + result.buffer_level)
    hub_level = result.hub_reserve_level
    hub: Bool = (np.zeros(depot.shape[::2], dtype=bool) if hub_level is None
                 else np.asarray(result.hub_reserve_deficit > HELD * (1.0 + hub_level)))
    out: Bool = cells & (depot | hub[:, None, :])
    return out


def counted(reference: RiskReference, result: PlanResult, cells: Bool) -> RiskReference:
    """The reference of a buffered plan: cells where its buffers cannot be held are supply
    limited too (their shortfalls are reported, not counted as avoidable)."""
    return replace(reference, limited=reference.limited | unheld(result, cells))


def not_held(result: PlanResult, short: Bool) -> tuple[str, ...]:
    """The cells of ``short`` [f, k, t] (`unheld`) worded with what binds: depot capacity
    where the depot is full those days, else the supply (donor stock, production, release
    dates, hub throughput)."""
    p = result.problem
    tons = np.einsum("ikt,i->kt", result.depot_stock, p.item_mass_t)
    full = tons >= p.depot_capacity_t[:, None] * (1 - 1e-6)
    lines = []
    for f, k in zip(*np.nonzero(short.any(axis=2)), strict=True):
        days = np.nonzero(short[f, k])[0]
        what = ("depot capacity" if full[k, days].mean() > 0.5
                else "supply (donor stock, production and release dates, hub throughput)")
        lines.append(f"{p.families[f]} at {p.depots[k]}: no room for safety stock on "
                     f"{len(days)} days from {p.dates[days[0]]} to {p.dates[days[-1]]}; "
                     f"binding: {what}")
    return tuple(lines)


def _certificate(loop: _Loop, base: PlanResult, current: PlanResult, reference: RiskReference,
                 *, beta: F64, iterations: list[Iteration], status: str,
                 binding: tuple[str, ...], target: float,
                 start: Deterministic | None) -> Certificate:
    o, p = loop.options, loop.problem
    fresh = loop.simulate(current, o.fresh_seed, o.certification_runs, reference)
    baseline = (start.strike_loss_simulated if start is not None else _lost_value(
        loop.simulate(base, o.fresh_seed, o.certification_runs, reference)))
    failures = int(np.sum(fresh.totals.avoid_scope_days > 0))
    bound = clopper_pearson_upper(failures, fresh.runs, o.confidence)
    final = _status(status, bound, o.risk, binding)
    return Certificate(
        status=final, message=_message(final, bound, o, binding), plan=current,
        deterministic=base, options=o,
        scope=tuple(f for f, keep in zip(p.families, reference.scope, strict=True) if keep),
        failures=failures, runs=fresh.runs, upper_bound=bound, target_calibration=target,
        beta=beta, iterations=tuple(iterations), solves=loop.solves,
        simulations=loop.simulations,
        strike_loss_plan=(current.terms["strike_loss"], base.terms["strike_loss"]),
        strike_loss_simulated=(_lost_value(fresh), baseline),
        seconds=time.perf_counter() - loop.started, binding=binding,
        point=PolicyPoint.from_result(fresh), fresh=fresh, counted=~reference.limited)


def _lost_value(sim: SimResult) -> float:
    return float(sim.totals.strike_loss.mean())


def _status(calibration: str, bound: float, risk: float,
            binding: tuple[str, ...]) -> CertStatus:
    """Certified when the bound meets the risk (with the cells where no safety stock can be
    held reported, not counted); otherwise why not."""
    if bound <= risk:
        return "certified"
    if calibration == "time_limit":
        return "time_limit"
    return "not_achievable" if binding else "not_certified"


def runs_needed(risk: float, confidence: float = 0.95) -> int:
    """Fewest certification runs whose bound can meet ``risk`` at all (no failure in any of
    them): ``n >= ln(1 - confidence) / ln(1 - risk)``. [runs]"""
    return int(np.ceil(np.log(1.0 - confidence) / np.log(1.0 - risk)))


def _message(status: CertStatus, bound: float, o: CertifyOptions,
             binding: tuple[str, ...]) -> str:
    figure = (f"upper bound {bound:.1%} (one-sided {o.confidence:.0%} Clopper-Pearson) on "
              f"{o.certification_runs:,} fresh runs, target {o.risk:.1%}")
    excluded = (f"; {len(binding)} family-depot buffer(s) cannot be held on some days "
                "(supply short there: reported, not counted)" if binding else "")
    return {
        "certified": f"certified: {figure}{excluded}",
        "not_achievable": f"not achievable: {figure}{excluded}",
        "not_certified": f"not certified: {figure}; " + (
            "calibrate with more runs or iterations" if o.certification_runs >= runs_needed(
                o.risk, o.confidence) * 2 else
            f"{o.certification_runs:,} runs are too few to certify {o.risk:.1%}: give "
            f"several times {runs_needed(o.risk, o.confidence):,}"),
        "time_limit": f"time limit: best plan so far, {figure}",
    }[status]
