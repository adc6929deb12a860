"""`RunData`: everything a report shows, as values (read from a run directory by
`resupply.workflow.rundir.load_run`, or built in memory by the workflow's steps).

The report layer does no reading of its own: it renders what it is given, so the demo can
report the results it holds and `resupply report DIR` the ones it reads back.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from resupply.analysis.explain import Outlook
from resupply.compile import Problem
from resupply.domain.schema import Scenario
from resupply.simulation.frontier import Frontier
from resupply.simulation.records import SimMetrics


@dataclass(frozen=True)
class RunData:
    """Everything a report shows; each part is None when the run has no data for it."""

    path: Path
    """Where the run lives (or will be written), shown in the report's footer."""
    scenario: Scenario
    problem: Problem
    explain: Outlook | None
    plan: dict[str, Any] | None
    """What plan.json holds (`PlanResult.to_dict`)."""
    tranches: pd.DataFrame | None
    """One row per tranche and destination (`PlanResult.tranches`)."""
    stock: pd.DataFrame | None
    """Item x depot x day flows of the plan (`PlanResult.stock`)."""
    shortfalls: pd.DataFrame | None
    """Family x depot x day need and shortfall of the plan (`PlanResult.shortfalls`)."""
    metrics: SimMetrics | None
    bands: pd.DataFrame | None
    frontier: Frontier | None
    reconciliation: tuple[str, ...] = ()
    """The plan's expected strike loss against the simulated one, step by step
    (`resupply.workflow.reconcile.reconciliation_lines`)."""
    certificate: dict[str, Any] | None = None
    """What certificate.json holds, for a plan certified to a risk
    (`resupply.workflow.certify.Certificate.to_dict`)."""
    buffers: pd.DataFrame | None = None
    """A certified plan's safety stock: family x depot (or ``hub``) x day ``level`` and
    ``deficit`` [units] (`Certificate.buffer_table`, buffers.parquet)."""
    certified_frontier: tuple[dict[str, Any], ...] | None = None
    """Certified plans and tuned simple policies at each risk level, one dict per point
    (`resupply.workflow.frontier.CertifiedPoint.to_dict`, certified_frontier.json)."""
    flows: pd.DataFrame | None = None
    """Tons per route and per hub over the horizon (`planning.flows.flow_table`, flows.csv;
    empty for a plan without route flows)."""
    routes: pd.DataFrame | None = None
    """Units per route, item and day they leave the origin (`planning.flows.route_table`,
    routes.parquet)."""
    hubs: pd.DataFrame | None = None
    """Units held per hub, item and day (`planning.flows.hub_table`, hubs.parquet)."""
