"""`simulate`: runs in chunks (bounded memory), optionally over worker processes.

Runs are split into blocks of ``block_runs`` (the seeding unit: block b draws from child b of
``SeedSequence(seed)``) and blocks are grouped into chunks of ``chunk_runs`` simulated
together. Results depend on the seed and ``block_runs`` only, never on chunking or workers.
Ctrl-C between or during chunks stops cleanly: the result then holds the chunks finished so
far and is marked ``partial``.
"""

from __future__ import annotations

import html
import pickle
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np

from resupply.compile.problem import F64, Problem
from resupply.errors import SimulationError
from resupply.simulation.constants import contract
from resupply.simulation.consume import consume
from resupply.simulation.draws import ChunkDraws, block_generators
from resupply.simulation.engine import (
    _available,
    _view,
    depot_arrivals,
    dispatch,
    hub_arrivals,
    hub_moves,
    hub_strike,
    strikes,
)
from resupply.simulation.fused import FusedDay, use_kernel
from resupply.simulation.network import NetworkDay
from resupply.simulation.options import SimOptions
from resupply.simulation.policies import Policy
from resupply.simulation.risk import RiskReference
from resupply.simulation.state import Chunk, Merger, State, Static, Totals

Progress = Callable[[int, int], None]
"""Called after each chunk with (runs done, runs asked)."""


@dataclass(frozen=True, eq=False)
class SimResult:
    """What a simulation returns: per-run totals and daily sums, with what produced them."""

    problem: Problem
    policy: str
    options: SimOptions
    runs: int
    """Runs completed (fewer than asked when ``partial``)."""
    partial: bool
    """True when stopped early (Ctrl-C); the totals cover the completed runs."""
    totals: Totals
    seconds: float
    """Wall-clock time. [s]"""
    reference: RiskReference
    """What counted as avoidable (`resupply.simulation.risk`)."""

    def __repr__(self) -> str:
        """One line: what was simulated (the totals are per-run arrays)."""
        partial = f" of {self.options.runs} asked (partial)" if self.partial else ""
        return (f"SimResult({self.problem.name!r} / {self.policy}: {self.runs} runs{partial}, "
                f"seed {self.options.seed}, {self.seconds:.1f} s)")

    def _repr_html_(self) -> str:
        """The one-line summary and the figures per family (for notebooks)."""
        from resupply.simulation.records import SimMetrics

        metrics = SimMetrics.from_result(self)
        table = metrics.family_table().to_html(index=False, float_format=lambda v: f"{v:,.3g}")
        return f"<p>{html.escape(metrics.summary())}</p>{table}"

    @property
    def stock(self) -> F64:
        """[r, i, k, t] depot stock at the end of each day (needs ``record_stock``). [units]"""
        if self.totals.stock_trace is None:
            raise SimulationError("stock was not recorded; simulate with record_stock=True")
        stock: F64 = self.totals.stock_trace.transpose(0, 3, 2, 1)
        return stock


def _chunks(options: SimOptions) -> list[tuple[int, int]]:
    """(first block, number of blocks) of each chunk."""
    n_blocks = -(-options.runs // options.block_runs)
    per_chunk = options.runs_per_chunk // options.block_runs
    return [(b, min(per_chunk, n_blocks - b)) for b in range(0, n_blocks, per_chunk)]


def run_chunk(problem: Problem, policy: Policy, options: SimOptions, first_block: int,
              n_blocks: int, *, reference: RiskReference | None = None) -> Totals:
    """Simulate the runs of blocks ``first_block ..`` over the whole horizon."""
    st = Static(problem, options, reference)
    first_run = first_block * options.block_runs
    sizes = [min(options.block_runs, options.runs - (first_block + b) * options.block_runs)
             for b in range(n_blocks)]
    gens = block_generators(options.seed, n_blocks, first_block)
    draws = ChunkDraws(gens, sizes, options.demand, problem.demand_dispersion,
                       problem.demand_cv)
    runs = draws.runs
    run_ids = np.arange(first_run, first_run + runs, dtype=np.int64)
    slip_mean = st.slip_mean.ravel()
    slip = draws.lag_days(slip_mean, np.ones((runs, len(slip_mean)), dtype=bool))
    s = State.start(st, runs, slip.reshape(runs, *problem.release_day.shape))
    tot = Totals.empty(st, runs)
    c = Chunk(st=st, s=s, tot=tot, draws=draws, policy=policy, run_ids=run_ids)
    fused = FusedDay(c) if use_kernel() else None
    net = NetworkDay(c, compiled=fused is not None) if st.network is not None else None
    for t in range(problem.n_days):
        if net is not None:
            _network_day(c, t, net, fused)
            continue
        hub_strike(c)
        left = dispatch(c, t) if fused is None else fused.dispatch(c, t)
        hub_arrivals(c, t)
        if fused is not None:
            fused.hub_moves(c, t, left)
            strikes(c)
            fused.depot_arrivals(c, t)
            fused.consume(c, t)
            continue
        hub_moves(c, t, left)
        strikes(c)
        depot_arrivals(c, t)
        consume(c, t)
    tot.end = contract(s.stock, st.onehot)
    tot.counted_days = max(problem.n_days - options.warmup_days, 0)
    return tot


def _network_day(c: Chunk, t: int, net: NetworkDay, fused: FusedDay | None) -> None:
    """One day on a network of hubs (`resupply.simulation.network`): its steps 0 to 3, the
    depots' steps as on one hub (on the kernel when ``fused``) with the moves between depots
    after the day's arrivals."""
    st, s = c.st, c.s
    base = (lambda: _available(st, s, t)) if fused is None else (lambda: fused.available(c, t))
    net.hub_strike(c)
    left = net.dispatch(c, t, lambda avail: _view(st, s, t, c.run_ids, avail), base)
    net.hub_arrivals(c, t)
    net.hub_moves(c, t, _view(st, s, t, c.run_ids, left))
    strikes(c)
    if fused is not None:
        fused.depot_arrivals(c, t)
        net.depot_moves(c, t)
        fused.consume(c, t)
        return
    depot_arrivals(c, t)
    net.depot_moves(c, t)
    consume(c, t)


def _run_serial(problem: Problem, policy: Policy, options: SimOptions,
                progress: Progress | None, parts: Merger, *,
                reference: RiskReference) -> None:
    for first, n in _chunks(options):
        parts.add(run_chunk(problem, policy, options, first, n, reference=reference))
        if progress is not None:
            progress(parts.runs, options.runs)


def _run_parallel(problem: Problem, policy: Policy, options: SimOptions,
                  progress: Progress | None, parts: Merger, *,
                  reference: RiskReference) -> None:
    try:
        pickle.dumps(policy)
    except (pickle.PicklingError, AttributeError, TypeError):
        raise SimulationError(f"policy {policy.name} cannot be sent to worker processes; "
                              "run it with workers=1 (--workers 1)") from None
    with ProcessPoolExecutor(max_workers=options.workers) as pool:
        futures: list[Future[Totals]] = [
            pool.submit(run_chunk, problem, policy, options, first, n, reference=reference)
            for first, n in _chunks(options)]
        try:
            for future in futures:
                parts.add(future.result())
                if progress is not None:
                    progress(parts.runs, options.runs)
        except KeyboardInterrupt:
            pool.shutdown(wait=False, cancel_futures=True)
            raise


def simulate(problem: Problem, policy: Policy, options: SimOptions | None = None,
             progress: Progress | None = None,
             reference: RiskReference | None = None) -> SimResult:
    """Monte Carlo of ``policy`` on ``problem``; see `resupply.simulation.engine` for the
    order of events and `SimOptions` for the settings. ``reference`` says which shortfalls
    count as avoidable (default: all but those before any supply can arrive, every family in
    scope; see `resupply.simulation.risk`).

    >>> from resupply import compile_problem, load_scenario
    >>> from resupply.simulation import LumpPolicy, SimOptions, simulate
    >>> result = simulate(compile_problem(load_scenario("tiny")), LumpPolicy(),
    ...                   SimOptions(runs=20, seed=1))
    >>> result.runs, result.partial
    (20, False)
    """
    options = options or SimOptions()
    options.check_horizon(problem.n_days)
    reference = reference or RiskReference.of(problem, options)
    began = time.perf_counter()
    parts = Merger()
    partial = False
    try:
        if options.workers == 1:
            _run_serial(problem, policy, options, progress, parts, reference=reference)
        else:
            _run_parallel(problem, policy, options, progress, parts, reference=reference)
    except KeyboardInterrupt:
        if not parts.runs:
            raise
        partial = True
    totals = parts.result()
    return SimResult(problem=problem, policy=policy.name, options=options,
                     runs=len(totals.any_short_days), partial=partial, totals=totals,
                     seconds=time.perf_counter() - began, reference=reference)
