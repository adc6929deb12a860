"""resupply: plan and stress-test a continuous flow of materiel from many donors to one recipient.

The public API is small and imported lazily, so that ``resupply --help`` stays fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

_PUBLIC = {
    "load_scenario": "resupply.domain",
    "Scenario": "resupply.domain",
    "compile_problem": "resupply.compile",
    "Problem": "resupply.compile",
    "explain": "resupply.analysis",
    "plan": "resupply.planning",
    "simulate": "resupply.workflow.api",
    "compare": "resupply.workflow.api",
    "PlanResult": "resupply.planning",
    "Simulation": "resupply.workflow",
    "Comparison": "resupply.workflow",
    "ResupplyError": "resupply.errors",
    "ScenarioError": "resupply.errors",
}

__all__ = [  # noqa: RUF022  (kept in the order of _PUBLIC)
    "__version__",
    "Comparison",
    "PlanResult",
    "Problem",
    "ResupplyError",
    "Scenario",
    "ScenarioError",
    "Simulation",
    "compare",
    "compile_problem",
    "explain",
    "load_scenario",
    "plan",
    "simulate",
]


def __getattr__(name: str) -> Any:
    if name in _PUBLIC:
        return getattr(import_module(_PUBLIC[name]), name)
    raise AttributeError(f"module 'resupply' has no attribute {name!r}")
