"""Workflow layer: what a face asks for, once, for the CLI, the web service and sweeps.

Below the faces and above the engines and outputs: run directories with a typed manifest
(`rundir`), policies by spec with the planner plugged in (`policies`), the steps
plan -> simulate -> compare -> report -> record as functions passing typed results in memory
(`plans`, `simulations`, `comparisons`, `reporting`, `recording`), and what each command runs
(`runs`, `demo`). Nothing here prints: faces show the results and notes it returns.
"""

from resupply.workflow.comparisons import Comparison, compare
from resupply.workflow.plans import make_plan
from resupply.workflow.policies import planner, policy_for, read_plan, risk_scope
from resupply.workflow.rundir import Manifest, RunDirError, RunKind, load_run, read_manifest
from resupply.workflow.simulations import Simulation, run_simulation

__all__ = ["Comparison", "Manifest", "RunDirError", "RunKind", "Simulation", "compare",
           "load_run", "make_plan", "planner", "policy_for", "read_manifest", "read_plan",
           "risk_scope", "run_simulation"]
