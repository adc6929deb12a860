"""Two slow, readable models of the simulator's semantics: a plain Python loop and a SimPy
model. They are the benchmark's yardsticks (`sim_bench.py`) and, in the tests
(tests/simulation/test_reference_models.py), an independent check of the engine: on small
scenarios their mean fill rate, shortfall and strike loss agree with the engine's within
confidence intervals.

Same order of events as `resupply.simulation.engine`, for the ``plan:fixed`` policy (the plan's
dispatch and hub moves as fixed schedules, caught up when late; what
`resupply.simulation.PlanPolicy` does for a plan without expectations):

1. random donor pauses (two-state chain) and dated pauses; release dates with a random
   geometric slip drawn once per run; dispatch capped by what the donor may send; each
   donor's tranche of the day arrives after its lead plus a geometric delay (capped at 10
   means);
2. hub arrivals;
3. hub moves, scaled down to the hub's stock of each item, then to the hub throughput [t/day];
   they reach the depot after its transit;
4. strikes: a depot struck with its probability loses a Beta(m c, (1 - m) c) fraction of the
   stock carried in;
5. depot arrivals;
6. demand per family and depot, around the need times the day's surge factor (normalised so
   that its mean is 1): negative binomial (gamma-Poisson) with the scenario's dispersion,
   Poisson when it is infinite, lognormal with the scenario's cv when given; what the depot
   holds meets it, the rest is lost; consumption pro rata over the family's items;
7. stock above a depot's capacity [t] goes back to the hub.

Not modelled (refused): spare parts, backorders, other policies.

Random numbers come from one `numpy.random.Generator` per run, drawn one at a time (what a
scalar model does); the streams differ from the engine's, the distributions do not. Nothing
here imports the engine (`resupply.simulation`): only the compiled `Problem` and the plan's
arrays are read.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import simpy

if TYPE_CHECKING:
    from resupply.compile import Problem
    from resupply.simulation import PlanInput

CAP_MEANS = 10
SLACK = 1e-9


@dataclass
class RunState:
    """One run's state as Python lists: stock[k][i], hub[i]; totals in units."""

    stock: list[list[float]]
    hub: list[float]
    dispatched: list[list[float]]
    moved: list[list[float]]
    release: list[list[int]]
    down: list[bool]
    demand: float = 0.0
    met: float = 0.0
    lost: float = 0.0
    hub_due: dict[int, list[float]] = field(default_factory=dict)
    depot_due: dict[int, list[list[float]]] = field(default_factory=dict)

    @property
    def fill_rate(self) -> float:
        """Demand met / demand (1 without demand)."""
        return self.met / self.demand if self.demand > 0 else 1.0

    @property
    def shortfall(self) -> float:
        """Demand not met. [units]"""
        return self.demand - self.met


def _geometric(rng: np.random.Generator, mean: float) -> int:
    """Whole days, geometric with mean ``mean`` (0 when it is 0), capped at 10 means."""
    if mean <= 0:
        return 0
    return min(int(rng.geometric(1.0 / (1.0 + mean))) - 1, math.ceil(CAP_MEANS * mean))


class Model:
    """The day step shared by the loop and the SimPy model (plain Python, scalar draws)."""

    def __init__(self, p: Problem, plan: PlanInput) -> None:
        if p.family_is_spare.any():
            raise ValueError("the reference models do not model spare parts")
        self.p = p
        self.cum_x = np.cumsum(plan.dispatch, axis=2).tolist()  # [d][i][t]
        self.cum_z = np.cumsum(plan.moves, axis=2).tolist()  # [i][k][t]
        self.fam = p.item_family.tolist()
        self.mass = p.item_mass_t.tolist()
        self.n_i, self.n_k, self.n_d = len(p.items), len(p.depots), len(p.donors)
        self.n_f = len(p.families)
        self.need = p.need.tolist()  # [f][k][t]
        self.avail = p.donor_cumulative_available().tolist()  # [d][i][t]
        self.release = p.release_day.tolist()  # [d][i]
        self.slip = p.release_slip_mean.tolist()  # [d][i]
        self.dated = p.donor_paused.tolist()  # [d][t]
        self.items_of = [[i for i in range(self.n_i) if self.fam[i] == f] for f in range(self.n_f)]
        uplift = 1.0 + p.surge_prob * (p.surge_multiplier - 1.0)
        self.surge = (1.0 / uplift, p.surge_multiplier / uplift)  # (normal, surge day)

    def new_run(self, rng: np.random.Generator) -> RunState:
        p = self.p
        release = [[self.release[d][i] + _geometric(rng, self.slip[d][i])
                    for i in range(self.n_i)] for d in range(self.n_d)]
        return RunState(stock=p.initial_stock.T.tolist(), hub=[0.0] * self.n_i,
                        dispatched=[[0.0] * self.n_i for _ in range(self.n_d)],
                        moved=[[0.0] * self.n_i for _ in range(self.n_k)],
                        release=release, down=[False] * self.n_d)

    def dispatch(self, s: RunState, t: int,
                 rng: np.random.Generator) -> list[tuple[int, int, list[float]]]:
        """Step 1: (donor, lag, quantities) of today's tranches, sent = plan catch-up."""
        p = self.p
        for d in range(self.n_d):
            if p.pause_prob[d] > 0:
                u = rng.random()
                s.down[d] = u >= p.resume_prob[d] if s.down[d] else u < p.pause_prob[d]
        out = []
        for d in range(self.n_d):
            if s.down[d] or self.dated[d][t]:
                continue
            sent = [0.0] * self.n_i
            for i in range(self.n_i):
                want = self.cum_x[d][i][t] - s.dispatched[d][i]
                left = max(self.avail[d][i][t] - s.dispatched[d][i], 0.0)
                if want > SLACK and t >= s.release[d][i]:
                    sent[i] = min(want, left)
                    s.dispatched[d][i] += sent[i]
            if sum(sent) > 0:
                out.append((d, int(p.lead_days[d]) + _geometric(rng, p.delay_mean[d]), sent))
        return out

    def hub_moves(self, s: RunState, t: int) -> list[tuple[int, list[float]]]:
        """Step 3: (depot, quantities) leaving the hub, capped by hub stock and throughput."""
        want = [[max(self.cum_z[i][k][t] - s.moved[k][i], 0.0) for i in range(self.n_i)]
                for k in range(self.n_k)]
        if not any(any(row) for row in want):
            return []
        for i in range(self.n_i):
            total = sum(want[k][i] for k in range(self.n_k))
            if total > s.hub[i] * (1 + SLACK) + SLACK:
                for k in range(self.n_k):
                    want[k][i] *= s.hub[i] / total
        tons = sum(want[k][i] * self.mass[i] for k in range(self.n_k) for i in range(self.n_i))
        cap = self.p.hub_throughput_t[t]
        scale = cap / tons if tons > cap * (1 + SLACK) + SLACK else 1.0
        out = []
        for k in range(self.n_k):
            moves = [w * scale for w in want[k]]
            for i in range(self.n_i):
                s.hub[i] = max(s.hub[i] - moves[i], 0.0)
                s.moved[k][i] += moves[i]
            out.append((k, moves))
        return out

    def strike(self, s: RunState, rng: np.random.Generator) -> None:
        """Step 4: Beta-distributed loss of the stock carried in."""
        p = self.p
        c = p.strike_loss_concentration
        for k in range(self.n_k):
            if p.strike_prob[k] > 0 and rng.random() < p.strike_prob[k]:
                m = float(p.loss_fraction[k])
                frac = m if m <= 0 or m >= 1 else float(rng.beta(m * c, (1 - m) * c))
                for i in range(self.n_i):
                    loss = s.stock[k][i] * frac
                    s.stock[k][i] -= loss
                    s.lost += loss

    def demand(self, mean: float, rng: np.random.Generator) -> float:
        """One day's demand of a family at a depot around ``mean``. [units]"""
        p = self.p
        if mean <= 0:
            return 0.0
        if math.isfinite(p.demand_cv):
            sigma2 = math.log1p(p.demand_cv ** 2)
            return mean * math.exp(math.sqrt(sigma2) * rng.standard_normal() - sigma2 / 2)
        if math.isfinite(p.demand_dispersion):
            mean = rng.gamma(p.demand_dispersion, mean / p.demand_dispersion)
        return float(rng.poisson(mean))

    def consume(self, s: RunState, t: int, rng: np.random.Generator) -> None:
        """Step 6: demand per family and depot, pro rata over items."""
        p = self.p
        surge = self.surge[1] if p.surge_prob > 0 and rng.random() < p.surge_prob \
            else self.surge[0]
        for k in range(self.n_k):
            held = [0.0] * self.n_f
            for i in range(self.n_i):
                held[self.fam[i]] += s.stock[k][i]
            for f in range(self.n_f):
                drawn = self.demand(self.need[f][k][t] * surge, rng)
                met = min(drawn, held[f])
                s.demand += drawn
                s.met += met
                if held[f] > 0:
                    keep = 1.0 - min(met / held[f], 1.0)
                    for i in self.items_of[f]:
                        s.stock[k][i] *= keep

    def overflow(self, s: RunState) -> None:
        """Step 7: stock above a depot's capacity goes back to the hub."""
        for k in range(self.n_k):
            tons = sum(s.stock[k][i] * self.mass[i] for i in range(self.n_i))
            cap = self.p.depot_capacity_t[k]
            if tons > cap * (1 + SLACK) + SLACK:
                keep = cap / tons
                for i in range(self.n_i):
                    s.hub[i] += s.stock[k][i] * (1.0 - keep)
                    s.stock[k][i] *= keep


def run_loop(p: Problem, plan: PlanInput, runs: int, seed: int) -> list[RunState]:
    """The plain loop: runs x days, each day's steps in order."""
    model, out = Model(p, plan), []
    for r in range(runs):
        rng = np.random.default_rng([seed, r])
        s = model.new_run(rng)
        for t in range(p.n_days):
            for _, lag, sent in model.dispatch(s, t, rng):
                due = s.hub_due.setdefault(t + lag, [0.0] * model.n_i)
                for i in range(model.n_i):
                    due[i] += sent[i]
            for i, q in enumerate(s.hub_due.pop(t, [])):
                s.hub[i] += q
            for k, moves in model.hub_moves(s, t):
                due_k = s.depot_due.setdefault(t + int(p.transit_days[k]),
                                               [[0.0] * model.n_i for _ in range(model.n_k)])
                for i in range(model.n_i):
                    due_k[k][i] += moves[i]
            model.strike(s, rng)
            for k, row in enumerate(s.depot_due.pop(t, [])):
                for i in range(model.n_i):
                    s.stock[k][i] += row[i]
            model.consume(s, t, rng)
            model.overflow(s)
        out.append(s)
    return out


class SimpyRun:
    """One run as SimPy processes: tranches and hub-to-depot moves are processes with
    timeouts; a daily process runs the day's steps. Arrivals land in buffers that the daily
    process books at the right step, so the order of events is the engine's."""

    def __init__(self, model: Model, rng: np.random.Generator) -> None:
        self.model, self.rng = model, rng
        self.env = simpy.Environment()
        self.s = model.new_run(rng)
        self.hub_in = [0.0] * model.n_i
        self.depot_in = [[0.0] * model.n_i for _ in range(model.n_k)]

    def tranche(self, lag: int, sent: list[float]) -> simpy.events.ProcessGenerator:
        yield self.env.timeout(lag)
        for i in range(self.model.n_i):
            self.hub_in[i] += sent[i]

    def move(self, k: int, days: int, qty: list[float]) -> simpy.events.ProcessGenerator:
        yield self.env.timeout(days)
        for i in range(self.model.n_i):
            self.depot_in[k][i] += qty[i]

    def day(self) -> simpy.events.ProcessGenerator:
        m, s, env, p = self.model, self.s, self.env, self.model.p
        for t in range(p.n_days):
            for _, lag, sent in m.dispatch(s, t, self.rng):
                env.process(self.tranche(lag, sent))
            yield env.timeout(0.5)  # tranches due today (lag 0 too) are in hub_in
            for i in range(m.n_i):
                s.hub[i] += self.hub_in[i]
                self.hub_in[i] = 0.0
            for k, moves in m.hub_moves(s, t):
                env.process(self.move(k, int(p.transit_days[k]), moves))
            yield env.timeout(0.25)
            m.strike(s, self.rng)
            for k in range(m.n_k):
                for i in range(m.n_i):
                    s.stock[k][i] += self.depot_in[k][i]
                    self.depot_in[k][i] = 0.0
            m.consume(s, t, self.rng)
            m.overflow(s)
            yield env.timeout(0.25)

    def run(self) -> RunState:
        self.env.process(self.day())
        self.env.run()
        return self.s


def run_simpy(p: Problem, plan: PlanInput, runs: int, seed: int) -> list[RunState]:
    """The SimPy model, run by run."""
    model = Model(p, plan)
    return [SimpyRun(model, np.random.default_rng([seed, r])).run() for r in range(runs)]
