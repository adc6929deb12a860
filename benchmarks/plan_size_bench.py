"""Model size benchmark: the estimate of `resupply.planning.size` against the built model and
the process's measured peak memory.

Usage::

    python benchmarks/plan_size_bench.py --out benchmarks/results/plan-size.json

Each case runs in a fresh process: the scenario is compiled, the resident memory read, then
`plan` runs (``--time-limit``, so a large case is measured over its first seconds of solving:
the peak of a longer solve can be higher); the peak resident memory minus the memory before
the plan is what the plan took. Records: case, method, rows/cols/nnz estimated and built,
estimated_mb, measured_mb, ratio (measured / estimated: the estimate should be above 1x
measured for a budget to hold, and not far above).
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
import json, os, resource, sys
sys.path.insert(0, {tests!r})
from resupply.compile import compile_problem
from resupply.domain import Scenario, load_scenario
from resupply.planning import plan
from resupply.planning.options import PlanOptions
from resupply.planning.size import estimate_size
from planning.builders import many_donors

case, method, limit = {case!r}, {method!r}, {limit!r}
if case.startswith("many"):
    dims = [int(n) for n in case.split(":")[1].split("x")]
    p = compile_problem(Scenario.model_validate(many_donors(*dims)))
else:
    p = compile_problem(load_scenario(case))
opts = PlanOptions(method=method, time_limit=limit, cost_of_fairness=False, explain=False)
size = estimate_size(p, opts)
page = os.sysconf("SC_PAGE_SIZE")
before = int(open("/proc/self/statm").read().split()[1]) * page
result = plan(p, opts)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({{"case": case, "method": method, "status": str(result.status),
                  "rows": [size.rows, result.stats["n_cons"]],
                  "cols": [size.cols, result.stats["n_vars"]],
                  "nnz": [size.nnz, result.stats["nnz"]],
                  "estimated_mb": size.bytes / 1e6, "measured_mb": (peak - before) / 1e6}}))
"""


def measure(case: str, method: str, limit: float) -> dict[str, Any]:
    """One case in a fresh process."""
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": str(root / "src")}
    code = CASE.format(tests=str(root / "tests"), case=case, method=method, limit=limit)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, env=env)
    record: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    record["ratio"] = record["measured_mb"] / record["estimated_mb"]
    return record


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default="tiny,ukraine-2022,many:20x50x10x180")
    parser.add_argument("--methods", default="simplex,race")
    parser.add_argument("--time-limit", type=float, default=20.0)
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/plan-size.json"))
    args = parser.parse_args()
    records = []
    for case in args.cases.split(","):
        for method in args.methods.split(","):
            records.append(measure(case, method, args.time_limit))
            print(records[-1], flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(records, indent=2) + "\n")


if __name__ == "__main__":
    main()
