"""Pledge rows benchmark: building the model of `tiny` with many pledges (issue 15: 16,000
pledges took 13 s and 2.5 GB, 40,000 took 83 s and 14.4 GB, a pledge x pledge array).

Usage::

    python benchmarks/pledge_rows_bench.py --out benchmarks/results/pledge-rows.json
    python benchmarks/pledge_rows_bench.py --before-src /path/to/older/src --counts 4000,16000

Each case runs in a fresh process (its peak resident memory is its own): ``tiny`` with N
random pledges of its donors' items (seeded), `build_model` timed alone. ``--before-src``
also measures another source tree (an older resupply) on the same cases, up to
``--before-max`` pledges (the quadratic build of 40,000 needs 14 GB). Records: version
(``after``/``before``), pledges, build_s, peak_rss_mb, rows, nnz, pledge_rows.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

CASE = r"""
import dataclasses, json, resource, time
import numpy as np
from resupply.compile import compile_problem
from resupply.domain import load_scenario
from resupply.planning.model import build_model
from resupply.planning.options import PlanOptions

n = {n}
p = compile_problem(load_scenario("tiny"))
rng = np.random.default_rng(0)
p = dataclasses.replace(
    p, pledge_ids=np.array([f"q{{k}}" for k in range(n)], dtype=object),
    pledge_donor=rng.integers(0, len(p.donors), n).astype(np.int64),
    pledge_item=rng.integers(0, len(p.items), n).astype(np.int64),
    pledge_day=rng.integers(0, p.n_days, n).astype(np.int64),
    pledge_quantity=rng.integers(1, 5, n).astype(float), pledge_fixed=np.zeros(n, dtype=bool))
started = time.perf_counter()
model = build_model(p, PlanOptions())
seconds = time.perf_counter() - started
family = model.families["pledge"]
print(json.dumps({{"pledges": n, "build_s": seconds, "rows": model.n_rows, "nnz": model.nnz,
                  "pledge_rows": family.stop - family.start,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""


def measure(n: int, src: str) -> dict[str, Any]:
    """One case in a fresh process on source tree ``src``."""
    env = {**os.environ, "PYTHONPATH": src}
    done = subprocess.run([sys.executable, "-c", CASE.format(n=n)], capture_output=True,
                          text=True, check=True, env=env)
    record: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return record


def main() -> None:
    here = str(Path(__file__).resolve().parents[1] / "src")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--counts", default="4000,16000,40000")
    parser.add_argument("--before-src", default=None)
    parser.add_argument("--before-max", type=int, default=16000)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/pledge-rows.json"))
    args = parser.parse_args()
    counts = [int(c) for c in args.counts.split(",")]
    records = []
    for n in counts:
        records.append({"version": "after", **measure(n, here)})
        print(records[-1], flush=True)
        if args.before_src and n <= args.before_max:
            records.append({"version": "before", **measure(n, args.before_src)})
            print(records[-1], flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(records, indent=2) + "\n")


if __name__ == "__main__":
    main()
