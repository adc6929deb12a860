"""Two slow, readable models of the simulator's semantics for the benchmark: a plain Python
loop and a SimPy model. Same order of events as `resupply.simulation.engine`, restricted to
what the benchmark scenario uses: the ``plan`` policy with catch-up, geometric tranche delays,
hub moves capped by hub stock and throughput, Beta strikes on the stock carried in, then
depot arrivals, negative-binomial demand per family and depot with surges, consumption pro
rata over the items of a family, lost sales. No spare parts, release slips or backorders.

Random numbers come from one `numpy.random.Generator` per run, drawn one at a time (what a
scalar model does); the streams differ from the engine's, the distributions do not.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import simpy

from resupply.compile import Problem
from resupply.simulation import PlanInput


@dataclass
class RunState:
    """One run's state as Python lists: stock[k][i], hub[i]."""

    stock: list[list[float]]
    hub: list[float]
    dispatched: list[list[float]]
    moved: list[list[float]]
    demand: float = 0.0
    met: float = 0.0
    lost: float = 0.0
    hub_due: dict[int, list[float]] = field(default_factory=dict)
    depot_due: dict[int, list[list[float]]] = field(default_factory=dict)


class Model:
    """The day step shared by the loop and the SimPy model (plain Python, scalar draws)."""

    def __init__(self, p: Problem, plan: PlanInput) -> None:
        self.p = p
        self.cum_x = np.cumsum(plan.dispatch, axis=2).tolist()
        self.cum_z = np.cumsum(plan.moves, axis=2).tolist()
        self.fam = p.item_family.tolist()
        self.mass = p.item_mass_t.tolist()
        self.n_i, self.n_k, self.n_d = len(p.items), len(p.depots), len(p.donors)
        self.n_f = len(p.families)
        self.need = p.need.tolist()  # [f][k][t]
        self.cap = np.ceil(10 * p.delay_mean).astype(int).tolist()
        self.avail = p.donor_cumulative_available().tolist()  # [d][i][t]
        self.release = p.release_day.tolist()
        self.items_of = [[i for i in range(self.n_i) if self.fam[i] == f] for f in range(self.n_f)]

    def new_run(self) -> RunState:
        p = self.p
        return RunState(stock=p.initial_stock.T.tolist(), hub=[0.0] * self.n_i,
                        dispatched=[[0.0] * self.n_i for _ in range(self.n_d)],
                        moved=[[0.0] * self.n_i for _ in range(self.n_k)])

    def dispatch(self, s: RunState, t: int, rng: np.random.Generator) -> list[tuple[int, int,
                                                                                      list[float]]]:
        """Step 1: (donor, lag, quantities) of today's tranches, sent = plan catch-up."""
        out = []
        for d in range(self.n_d):
            sent = [0.0] * self.n_i
            for i in range(self.n_i):
                want = self.cum_x[d][i][t] - s.dispatched[d][i]
                left = self.avail[d][i][t] - s.dispatched[d][i]
                if want > 1e-9 and t >= self.release[d][i]:
                    sent[i] = min(want, left)
                    s.dispatched[d][i] += sent[i]
            if any(sent):
                mean = self.p.delay_mean[d]
                delay = 0 if mean <= 0 else min(int(rng.geometric(1 / (1 + mean))) - 1,
                                               self.cap[d])
                out.append((d, int(self.p.lead_days[d]) + delay, sent))
        return out

    def hub_moves(self, s: RunState, t: int) -> list[tuple[int, list[float]]]:
        """Step 3: (depot, quantities) leaving the hub, capped by hub stock and throughput."""
        want = [[max(self.cum_z[i][k][t] - s.moved[k][i], 0.0) for i in range(self.n_i)]
                for k in range(self.n_k)]
        if not any(any(row) for row in want):
            return []
        for i in range(self.n_i):
            total = sum(want[k][i] for k in range(self.n_k))
            if total > s.hub[i] * (1 + 1e-9) + 1e-9:
                for k in range(self.n_k):
                    want[k][i] *= s.hub[i] / total
        tons = sum(want[k][i] * self.mass[i] for k in range(self.n_k) for i in range(self.n_i))
        scale = min(1.0, self.p.hub_throughput_t[t] / tons) if tons > 0 else 1.0
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
            if rng.random() < p.strike_prob[k]:
                m = p.loss_fraction[k]
                frac = rng.beta(m * c, (1 - m) * c)
                for i in range(self.n_i):
                    loss = s.stock[k][i] * frac
                    s.stock[k][i] -= loss
                    s.lost += loss

    def consume(self, s: RunState, t: int, rng: np.random.Generator) -> None:
        """Step 6: negative-binomial demand per family and depot, pro rata over items."""
        p = self.p
        surge = p.surge_multiplier if rng.random() < p.surge_prob else 1.0
        shape = p.demand_dispersion
        for k in range(self.n_k):
            held = [0.0] * self.n_f
            for i in range(self.n_i):
                held[self.fam[i]] += s.stock[k][i]
            for f in range(self.n_f):
                mean = self.need[f][k][t] * surge
                drawn = float(rng.poisson(rng.gamma(shape, mean / shape))) if mean > 0 else 0.0
                met = min(drawn, held[f])
                s.demand += drawn
                s.met += met
                if held[f] > 0:
                    share = met / held[f]
                    for i in self.items_of[f]:
                        s.stock[k][i] *= 1.0 - share


def run_loop(p: Problem, plan: PlanInput, runs: int, seed: int) -> list[RunState]:
    """The plain loop: runs x days, each day's steps in order."""
    model, out = Model(p, plan), []
    for r in range(runs):
        rng = np.random.default_rng([seed, r])
        s = model.new_run()
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
        out.append(s)
    return out


class SimpyRun:
    """One run as SimPy processes: tranches and hub-to-depot moves are processes with
    timeouts; a daily process runs the day's steps. Arrivals land in buffers that the daily
    process books at the right step, so the order of events is the engine's."""

    def __init__(self, model: Model, rng: np.random.Generator) -> None:
        self.model, self.rng = model, rng
        self.env = simpy.Environment()
        self.s = model.new_run()
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
            yield env.timeout(0.25)

    def run(self) -> RunState:
        self.env.process(self.day())
        self.env.run()
        return self.s


def run_simpy(p: Problem, plan: PlanInput, runs: int, seed: int) -> list[RunState]:
    """The SimPy model, run by run."""
    model = Model(p, plan)
    return [SimpyRun(model, np.random.default_rng([seed, r])).run() for r in range(runs)]
