"""Risk-certified plans on a scenario: solves, simulations and time to certify, the cost of
robustness, and the frontier of certified plans beside simple policies tuned to the same risk.

    python benchmarks/certify_bench.py --case ukraine-2022 --risk 0.05 \
        --levels 0.01,0.02,0.05,0.1,0.2 --out benchmarks/results/certify-ukraine-2022.json

Everything is measured in one run on this machine; the JSON holds the figures behind the
table in docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

from resupply import compile_problem, load_scenario
from resupply.workflow.certify import CertifyOptions, certify
from resupply.workflow.frontier import certified_frontier, finding
from resupply.workflow.policies import risk_scope


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--case", default="ukraine-2022")
    parser.add_argument("--risk", type=float, default=0.05)
    parser.add_argument("--levels", default="", help="comma-separated risk levels (frontier)")
    parser.add_argument("--calibrations", type=int, default=4)
    parser.add_argument("--workers", type=int, default=1, help="simulation processes")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    problem = compile_problem(load_scenario(args.case))
    scope = risk_scope(problem)
    options = CertifyOptions(risk=args.risk, max_calibrations=args.calibrations,
                             workers=args.workers)
    started = time.perf_counter()
    cert = certify(problem, options, scope)
    result: dict[str, object] = {
        "case": args.case, "machine": platform.processor() or platform.machine(),
        "workers": args.workers, "load_average_at_start": os.getloadavg(),
        "certificate": cert.to_dict(), "seconds": round(time.perf_counter() - started, 1)}
    print(cert.message, f"({cert.solves} solves, {cert.simulations} simulations, "
          f"{result['seconds']} s)")
    if args.levels:
        levels = [float(x) for x in args.levels.split(",")]
        started = time.perf_counter()
        points, _ = certified_frontier(problem, levels, options, scope)
        result["frontier"] = {"seconds": round(time.perf_counter() - started, 1),
                              "points": [p.to_dict() for p in points],
                              "findings": [finding(points, level) for level in levels]}
        for line in result["frontier"]["findings"]:  # type: ignore[index]
            print(line)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2, default=str) + "\n")


if __name__ == "__main__":
    main()
