"""Sweep benchmark: variants per second in this process and on a local Dask cluster of 1 and 2
workers, the per-task overhead of Dask against the task's run time, parallel efficiency.

    .venv/bin/python benchmarks/sweep_bench.py --out benchmarks/results/sweep.json

Workload: `tiny` with a grid of ``--variants`` variants (production scale x strike
probability), each planned and simulated with ``--runs`` runs: about 1 s a task at the default
2,000 runs. Each executor first runs a warm-up sweep (another seed: imports, HiGHS loaded on
each worker), then the timed one through `run_sweep` (results.parquet written as in real use).

- serial: the in-process executor; its time per variant is the task time.
- dask-1, dask-2: a LocalCluster of 1 and 2 processes (1 thread each), cluster start not
  counted. Overhead per task = (dask-1 wall - serial wall) / variants; its share of the task
  time is the figure the issue's target (< 5 % for ~1 s tasks) is about. Parallel efficiency
  = dask-1 wall / (2 x dask-2 wall).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from pathlib import Path
from typing import Any

from resupply.domain import load_scenario
from resupply.sweep import DaskExecutor, connect
from resupply.workflow.sweep import Executor, run_sweep, serial, variants
from resupply.workflow.sweepfile import SweepSpec, load_sweep


def sweep_file(folder: Path, runs: int, variants_wanted: int, seed: int) -> Path:
    """A grid of about ``variants_wanted`` variants of tiny (plus the base)."""
    levels = max(1, round(variants_wanted ** 0.5))
    other = max(1, round(variants_wanted / levels))
    path = folder / f"sweep-{seed}.yaml"
    path.write_text(f"""
seed: {seed}
runs: {runs}
factors:
  - {{path: "donors[west].production", scale: [0.5, 2], levels: {levels}}}
  - {{path: "depots[near].strike_prob_per_day", set: [0, 0.1], levels: {other}}}
""")
    return path


def timed(spec: SweepSpec, warm: SweepSpec, executor: Executor, folder: Path) -> float:
    """Wall seconds of a sweep after a warm-up sweep on the same executor."""
    base = load_scenario("tiny")
    run_sweep(base, warm, Path(tempfile.mkdtemp(dir=folder)), executor)
    started = time.perf_counter()
    run_sweep(base, spec, Path(tempfile.mkdtemp(dir=folder)), executor)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=2000)
    parser.add_argument("--variants", type=int, default=24)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/sweep.json"))
    args = parser.parse_args()
    base = load_scenario("tiny")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        spec = load_sweep(sweep_file(folder, args.runs, args.variants, 1), base)
        warm = load_sweep(sweep_file(folder, args.runs, 2, 2), base)
        n = len(variants(spec))
        walls: dict[str, float] = {"serial": timed(spec, warm, serial, folder)}
        for workers in (1, 2):
            with connect(workers=workers) as client:
                walls[f"dask-{workers}"] = timed(spec, warm, DaskExecutor(client), folder)
    task = walls["serial"] / n
    overhead = (walls["dask-1"] - walls["serial"]) / n
    result: dict[str, Any] = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "platform": platform.platform()},
        "workload": {"scenario": "tiny", "variants": n, "runs": args.runs},
        "wall_seconds": walls,
        "variants_per_second": {k: n / v for k, v in walls.items()},
        "task_seconds": task, "overhead_seconds_per_task": overhead,
        "overhead_share": overhead / task,
        "parallel_efficiency_2": walls["dask-1"] / (2 * walls["dask-2"]),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
