"""Rolling re-plan benchmark: a re-plan warm-started from the previous plan against a cold one.

Usage::

    python benchmarks/replan_bench.py --case ukraine-2022 --out benchmarks/results/replan.json
    python benchmarks/replan_bench.py --case medium

A cell re-plans once a week: the plan is made, then ``--from-day`` days later it is re-planned
from what happened: the plan itself, except for the depot stock on the re-planned day, which
``--event`` sets: ``all-10`` every depot 10 % below plan (the default), ``strike`` the
depot with the most stock loses half of it, ``none`` exactly as planned. The same re-plan is
solved cold (the planner's default, the race of dual simplex and interior point) and
warm-started from the previous plan's basis (dual simplex); both objectives must agree to
1e-7 relative. Records: case, event, from_day, plan_s, cold_s and warm_s (the whole re-plan
call), cold_solve_s and warm_solve_s (HiGHS alone), speedup (of the call), iterations,
objective.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from resupply.compile import Problem, compile_problem
from resupply.domain import load_scenario
from resupply.planning import Actuals, PlanResult, plan

EVENTS = ("all-10", "strike", "none")
"""What differs from the plan on the re-planned day (module docstring)."""


def actuals_from(base: PlanResult, day: int, event: str) -> Actuals:
    """What happened: the plan's dispatches and moves before ``day``; depot stock by ``event``."""
    past = np.arange(base.dispatch.shape[2]) < day
    stock = base.depot_stock[:, :, day - 1].copy()
    if event == "all-10":
        stock *= 0.9
    elif event == "strike":
        stock[:, int(np.argmax(stock.sum(axis=0)))] *= 0.5
    return Actuals(from_day=day, depot_stock=stock, dispatched=base.dispatch * past,
                   moves=base.moves * past[None, None, :])


def timed(problem: Problem, **options: Any) -> tuple[PlanResult, float]:
    """Plan, returning the result and the wall-clock seconds of the call. [s]"""
    started = time.perf_counter()
    result = plan(problem, cost_of_fairness=False, explain=False, **options)
    return result, time.perf_counter() - started


def run(case: str, from_day: int | None, event: str) -> dict[str, Any]:
    """Plan ``case``, then re-plan it cold and warm from ``from_day``."""
    if case in {"small", "medium", "large"}:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from plan_instance import problem

        p = problem(case)
    else:
        p = compile_problem(load_scenario(case))
    day = from_day if from_day is not None else max(1, p.n_days // 6)
    base, plan_s = timed(p)
    actuals = actuals_from(base, day, event)
    cold, cold_s = timed(p, actuals=actuals)
    warm, warm_s = timed(p, actuals=actuals, warm_start=base)
    agree = abs(warm.objective - cold.objective) <= 1e-7 * max(abs(cold.objective), 1.0)
    return {"case": case, "event": event, "from_day": day, "n_vars": cold.stats["n_vars"],
            "plan_s": plan_s, "cold_s": cold_s, "warm_s": warm_s, "speedup": cold_s / warm_s,
            "cold_solve_s": cold.stats["solve_s"], "warm_solve_s": warm.stats["solve_s"],
            "cold_method": cold.stats["method"], "cold_iterations": cold.stats["iterations"],
            "warm_iterations": warm.stats["iterations"], "objective": cold.objective,
            "warm_objective": warm.objective, "agrees": bool(agree)}


def main() -> None:
    """Parse the command line, run, print and write the record."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", default="ukraine-2022",
                        help="a bundled scenario or a plan_bench size (small, medium, large)")
    parser.add_argument("--from-day", type=int, help="re-planned day (default: horizon / 6)")
    parser.add_argument("--events", default=",".join(EVENTS),
                        help=f"comma-separated, from {', '.join(EVENTS)}")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    records = []
    for event in args.events.split(","):
        records.append(run(args.case, args.from_day, event.strip()))
        print(json.dumps(records[-1]), flush=True)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(records, indent=2) + "\n")


if __name__ == "__main__":
    main()
