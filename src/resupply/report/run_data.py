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

from resupply.compile import Problem
from resupply.domain.schema import Scenario


@dataclass(frozen=True)
class RunData:
    """Everything a report shows; each part is None when the run has no data for it."""

    path: Path
    """Where the run lives (or will be written), shown in the report's footer."""
    scenario: Scenario
    problem: Problem
    explain: dict[str, Any] | None
    plan: dict[str, Any] | None
    tranches: pd.DataFrame | None
    stock: pd.DataFrame | None
    metrics: dict[str, Any] | None
    bands: pd.DataFrame | None
    frontier: dict[str, Any] | None
