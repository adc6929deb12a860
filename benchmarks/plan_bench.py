"""Planner benchmark: the same generated instance built in several tools, all solved by HiGHS.

Usage::

    python benchmarks/plan_bench.py --size medium --tools resupply,linopy,pyomo,pulp \
        --out benchmarks/results/plan-medium.json

``--size medium-hubs`` (or small-hubs, large-hubs) is the same instance on a network of three
entry hubs (`plan_instance.with_network`).

Each tool runs in its own child process (so its peak memory is its own) under a 10-minute
limit; a tool past it is recorded as skipped. The objectives must agree with resupply's to
1e-6 relative (``agrees`` in each record). Records: tool, size, build_s (model built and, for
resupply, loaded into HiGHS), solve_s (the solve call: for the other tools it includes loading
the model into HiGHS and reading the solution back), total_s, peak_rss_mb, n_vars, n_cons,
nnz, objective. ``--load-only`` stops after loading the model into HiGHS (build_s is then
build + load for every tool). Tools: resupply (the planner's default: dual simplex and
interior point raced), resupply-simplex, resupply-ipm, resupply-choose (HiGHS's own choice),
resupply-multires (the race on the multi-resolution model: daily for 28 days, then weekly;
``resupply-multires:28:14`` for other steps; its ``approximation_rel`` is its objective
against the daily one), linopy, pyomo, pulp.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
from pathlib import Path
from typing import Any

LIMIT_S = 600.0
"""A tool past this wall-clock time is recorded as skipped. [s]"""
AGREE = 1e-6
"""Relative tolerance on objectives across tools. [1]"""


def child(tool: str, size: str, seed: int, solve: bool) -> dict[str, Any]:
    """Run one tool in this process and return its record."""
    from plan_instance import problem

    p = problem(size, seed)
    if tool.startswith("resupply"):
        from plan_models import run_resupply

        record = run_resupply(p, tool.partition("-")[2] or "race", solve)
    elif tool == "linopy":
        from plan_linopy import run_linopy

        record = run_linopy(p, solve)
    elif tool in {"pulp", "pyomo"}:
        import plan_models as models

        record = models.run_pulp(p, solve) if tool == "pulp" else models.run_pyomo(p, solve)
    else:
        raise SystemExit(f"unknown tool {tool!r}")
    record["total_s"] = record["build_s"] + record["solve_s"]
    record["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"tool": tool, "size": size, **record}


def run_tool(tool: str, size: str, seed: int, solve: bool, limit: float = LIMIT_S
             ) -> dict[str, Any]:
    """Run one tool in a child process, with the time limit. [s]"""
    cmd = [sys.executable, __file__, "--child", tool, "--size", size, "--seed", str(seed),
           *([] if solve else ["--load-only"])]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=limit, check=False)
    except subprocess.TimeoutExpired:
        return {"tool": tool, "size": size, "skipped": f"over {limit:.0f} s"}
    if done.returncode != 0:
        return {"tool": tool, "size": size, "skipped": f"failed: {done.stderr[-500:]}"}
    record: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return record


def compare(records: list[dict[str, Any]]) -> None:
    """Mark each record with whether its objective agrees with resupply's."""
    base = next((r for r in records if r["tool"] == "resupply" and r.get("status") == "optimal"),
                None)
    for record in records:
        if record["tool"].startswith("resupply-multires"):
            if base is not None and "objective" in record:
                record["approximation_rel"] = record["objective"] / base["objective"] - 1.0
            continue
        if base is not None and "objective" in record:
            gap = abs(record["objective"] - base["objective"]) / max(abs(base["objective"]), 1)
            record["agrees"] = bool(gap <= AGREE)
            record["objective_rel_diff"] = gap


def main() -> None:
    """Parse the command line; run the tools; write and print the records."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=["small", "medium", "large", "small-hubs",
                                           "medium-hubs", "large-hubs"], default="small")
    parser.add_argument("--tools", default="resupply,linopy,pyomo,pulp")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--load-only", action="store_true",
                        help="build the model and load it into HiGHS, without solving")
    parser.add_argument("--limit", type=float, default=LIMIT_S,
                        help="wall-clock limit of each tool [s] (the issue's is 600)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.size, args.seed, not args.load_only)))
        return
    records = []
    for tool in args.tools.split(","):
        record = run_tool(tool.strip(), args.size, args.seed, not args.load_only, args.limit)
        records.append(record)
        print(json.dumps(record), flush=True)
    compare(records)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(records, indent=2) + "\n")
    for r in records:
        if "skipped" in r:
            print(f"{r['tool']:>16} {r['size']:>7}  skipped: {r['skipped'][:60]}")
        else:
            print(f"{r['tool']:>16} {r['size']:>7}  build {r['build_s']:8.2f} s  solve "
                  f"{r['solve_s']:8.2f} s  total {r['total_s']:8.2f} s  rss "
                  f"{r['peak_rss_mb']:7.0f} MB  vars {r['n_vars']:>9}  rows {r['n_cons']:>9}  "
                  f"obj {r['objective']:.9g}  agrees {r.get('agrees')}")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
