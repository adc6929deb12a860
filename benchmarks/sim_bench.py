"""Simulator benchmark: item-day-runs per second of `resupply.simulation` against a plain
Python loop and a SimPy model with the same semantics, and against the random-number bound.

    .venv/bin/python benchmarks/sim_bench.py --out benchmarks/results/sim.json

Workload: the scenario of `sim_scenario.py` (50 items in 10 families, 6 depots, 365 days,
5 donors with random delays, strikes, negative-binomial demand with surges), the ``plan``
policy following a weekly plan. An item-day-run is one item on one day in one run.

- engine: ``--runs`` runs (default 10,000) with ``--workers`` processes, on the NumPy path
  and on the fused Numba kernel (``RESUPPLY_SIM_KERNEL``), one after the other in the same
  run (the kernel compiled, or read from its disk cache, before timing; the time that takes
  is reported apart).
- loop, SimPy: ``--loop-runs`` / ``--simpy-runs`` runs (default 4 each) of
  `sim_reference.py`; runs are independent, so the rate is per run and scales linearly
  (the JSON states the runs measured).
- RNG bound: the same generator (PCG64 via SeedSequence, one per block of 250 runs) drawing,
  in the same array shapes, exactly the random numbers the engine draws per day (gamma and
  Poisson per family and depot, surge and strike uniforms), single process, divided by the
  workers used for the engine (the bound of the same hardware).
- memory: peak resident memory of a separate process simulating ``--memory-runs`` runs of
  ukraine-2022, and the per-run bytes of the results, extrapolated to 100,000 runs.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from resupply.compile import Problem
from resupply.simulation import PlanPolicy, SimOptions, simulate
from resupply.simulation.fused import ENV, warm
from sim_reference import run_loop, run_simpy
from sim_scenario import bench_problem, weekly_plan

BLOCK = 250
TARGETS = {"vs_simpy": 300.0, "vs_loop": 50.0, "to_rng_bound": 2.0}


def item_day_runs(p: Problem, runs: int) -> float:
    return float(runs * p.n_days * len(p.items))


def engine_rate(p: Problem, runs: int, workers: int, path: str) -> dict[str, Any]:
    options = SimOptions(runs=runs, seed=1, block_runs=BLOCK, chunk_runs=1000, workers=workers)
    os.environ[ENV] = path
    try:
        result = simulate(p, PlanPolicy(weekly_plan(p)), options)
    finally:
        os.environ.pop(ENV, None)
    tot = result.totals
    fill = float((tot.met.sum(axis=(1, 2)) / tot.demand.sum(axis=(1, 2))).mean())
    return {"runs": runs, "workers": workers, "path": path, "seconds": result.seconds,
            "rate": item_day_runs(p, runs) / result.seconds, "mean_fill_rate": fill}


def reference_rate(p: Problem, runs: int, model: Any) -> dict[str, Any]:
    began = time.perf_counter()
    states = model(p, weekly_plan(p), runs, 1)
    seconds = time.perf_counter() - began
    return {"runs": runs, "seconds": seconds, "rate": item_day_runs(p, runs) / seconds,
            "mean_fill_rate": float(np.mean([s.fill_rate for s in states])),
            "scaling": f"measured on {runs} runs; runs are independent, rate per run is "
                       "constant, so it scales linearly to any number of runs"}


def rng_bound(p: Problem, runs: int) -> dict[str, Any]:
    """Draw what the engine draws per day, block by block, and nothing else."""
    n_k, n_f = len(p.depots), len(p.families)
    mean = p.need.transpose(2, 1, 0)  # [t, k, f]
    shape = p.demand_dispersion
    children = np.random.SeedSequence(1).spawn(runs // BLOCK)
    gens = [np.random.Generator(np.random.PCG64(c)) for c in children]
    began = time.perf_counter()
    for t in range(p.n_days):
        for gen in gens:
            gen.random(BLOCK)  # surge
            gen.random((BLOCK, n_k))  # strikes
            lam = gen.standard_gamma(shape, (BLOCK, n_k, n_f)) * (mean[t] / shape)
            gen.poisson(lam)
    seconds = time.perf_counter() - began
    return {"runs": runs, "seconds": seconds, "rate": item_day_runs(p, runs) / seconds,
            "draws_per_item_day": (2 * n_k * n_f + n_k + 1) / len(p.items)}


MEMORY_CODE = """
import json, resource, sys
from resupply import compile_problem, load_scenario
from resupply.simulation import SimOptions, simulate
from resupply.simulation.specs import parse_policy
from resupply.simulation.state import PER_RUN
runs = int(sys.argv[1])
p = compile_problem(load_scenario("ukraine-2022"))
r = simulate(p, parse_policy("cadence:7"), SimOptions(runs=runs, seed=1, chunk_runs=1000))
per_run = sum(getattr(r.totals, n).nbytes for n in PER_RUN) / runs
print(json.dumps({"runs": runs, "seconds": r.seconds,
                  "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
                  "result_bytes_per_run": per_run}))
"""


def memory(runs: int) -> dict[str, Any] | None:
    if runs < 1:
        return None
    done = subprocess.run([sys.executable, "-c", MEMORY_CODE, str(runs)], check=True,
                          capture_output=True, text=True)
    m: dict[str, Any] = json.loads(done.stdout)
    # the results are held once per run and copied once when the chunks are merged
    extra = 2 * m["result_bytes_per_run"] * (100_000 - runs)
    m["extrapolated_100k_peak_bytes"] = m["peak_rss_bytes"] + extra
    m["within_4_gib"] = m["extrapolated_100k_peak_bytes"] < 4 * 2**30
    return m


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="JSON file to write")
    parser.add_argument("--runs", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--loop-runs", type=int, default=4)
    parser.add_argument("--simpy-runs", type=int, default=4)
    parser.add_argument("--memory-runs", type=int, default=2000)
    args = parser.parse_args()
    p = bench_problem()
    began = time.perf_counter()
    warm()
    compile_seconds = time.perf_counter() - began
    rates = {"engine_numpy": engine_rate(p, args.runs, args.workers, "numpy"),
             "engine_kernel": engine_rate(p, args.runs, args.workers, "numba"),
             "loop": reference_rate(p, args.loop_runs, run_loop),
             "simpy": reference_rate(p, args.simpy_runs, run_simpy),
             "rng_bound_one_process": rng_bound(p, max(BLOCK, args.runs // 10))}
    bound = rates["rng_bound_one_process"]["rate"] * args.workers
    ratios = {}
    for path in ("numpy", "kernel"):
        ours = rates[f"engine_{path}"]["rate"]
        ratios[path] = {"vs_simpy": ours / rates["simpy"]["rate"],
                        "vs_loop": ours / rates["loop"]["rate"], "to_rng_bound": bound / ours}
    report = {
        "workload": {"items": len(p.items), "families": len(p.families),
                     "depots": len(p.depots), "days": p.n_days, "runs": args.runs,
                     "policy": "plan (weekly plan)"},
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "numpy": np.__version__, "load_average": os.getloadavg()},
        "rates_item_day_runs_per_s": {k: v["rate"] for k, v in rates.items()},
        "rng_bound_rate": bound, "details": rates, "ratios": ratios, "targets": TARGETS,
        "kernel_compile_or_cache_load_seconds": compile_seconds,
        "memory_ukraine_2022": memory(args.memory_runs),
        "max_rss_bench_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps({"rates": report["rates_item_day_runs_per_s"], "ratios": ratios,
                      "load_average": os.getloadavg()}, indent=2))


if __name__ == "__main__":
    main()
