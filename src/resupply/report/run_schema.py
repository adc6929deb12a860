"""What each file of a run directory must hold for a report: a typed schema per file.

A run directory is passed around and edited by hand; a report of a damaged one must say which
file and field is wrong (`RunDirError`), never fail on a missing key deep in a chart. Only
the fields a report reads are checked, and extra fields are allowed (a newer resupply may
write more). Tables are checked for the columns the report uses.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator


class _Part(BaseModel):
    model_config = ConfigDict(extra="allow", allow_inf_nan=True)


class ExplainFamily(_Part):
    """One family of explain.json."""

    family: str
    standard: str
    runs_dry_without_resupply: str | None
    runs_dry_with_all_supply: str | None


class ExplainFile(_Part):
    """explain.json: `resupply explain --json`."""

    families: list[ExplainFamily]


class FamilyRisk(_Part):
    """One family of metrics.json."""

    stockout_prob: float


class Spread(_Part):
    """A figure across runs: its mean and 95th percentile."""

    mean: float
    p95: float = 0.0


class Overall(_Part):
    """The overall figures of metrics.json the report shows."""

    lost_value: Spread
    lost_tons: Spread


class MetricsFile(_Part):
    """simulate/metrics.json: `resupply simulate --out`."""

    runs: int
    families: dict[str, FamilyRisk]
    overall: Overall


class PolicyPoint(_Part):
    """One policy of frontier.json."""

    policy: str
    stockout_prob: float
    lost_value: float
    on_frontier: bool


class FrontierFile(_Part):
    """compare/frontier.json: `resupply compare --out`."""

    policies: list[PolicyPoint]
    risk_limit: float
    best: str
    best_meets_limit: bool
    out_of_scope: list[str] = []

    @model_validator(mode="after")
    def _best_is_a_policy(self) -> FrontierFile:
        if self.best not in {p.policy for p in self.policies}:
            raise ValueError(f"best policy {self.best!r} is not among the policies")
        return self


class CertifiedPointPart(_Part):
    """One point of certified_frontier.json."""

    level: float
    kind: str
    upper_bound: float
    meets: bool
    lost_value: float
    avoidable_prob: float


class CertifiedFrontierFile(_Part):
    """compare/certified_frontier.json: `resupply compare --risk-levels --out`."""

    points: list[CertifiedPointPart]


JSON_SCHEMAS: dict[str, type[BaseModel]] = {
    "explain.json": ExplainFile, "metrics.json": MetricsFile, "frontier.json": FrontierFile,
    "certified_frontier.json": CertifiedFrontierFile}
"""File name -> its schema (plan.json is shown as it is)."""

TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "tranches.csv": ("day", "date", "donor", "item", "family", "standard", "quantity", "tons",
                     "depot"),
    "stock.parquet": ("item", "depot", "day", "date", "family", "stock", "arrivals",
                      "consumption", "shortfall", "expected_loss"),
    "bands.parquet": ("day", "date", "family", "dos_p5", "dos_p50", "dos_p95"),
    "buffers.parquet": ("family", "depot", "day", "level", "deficit"),
    "flows.csv": ("kind", "route", "origin", "destination", "mode", "transit_days",
                  "capacity_t_per_day", "units", "tons", "transport_eur"),
    "routes.parquet": ("route", "item", "day", "units"),
    "hubs.parquet": ("hub", "item", "day", "stock"),
}
"""File name -> the columns a report reads from it."""

NUMERIC = frozenset({"day", "quantity", "tons", "stock", "arrivals", "consumption", "shortfall",
                     "expected_loss", "dos_p5", "dos_p50", "dos_p95", "level",
                     "deficit", "transit_days", "capacity_t_per_day", "units",
                     "transport_eur"})
"""Columns that must hold numbers."""
MAY_BE_EMPTY = frozenset({"flows.csv"})
"""Tables written without a single column when the plan has nothing for them (flows.csv of a
plan without route flows)."""


def json_problem(name: str, data: dict[str, Any]) -> str | None:
    """What is wrong with `data` as the file `name` (``field: message``), or None."""
    schema = JSON_SCHEMAS.get(name)
    if schema is None:
        return None
    try:
        schema.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(document)"
        more = f" (and {exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        return f"{where}: {first['msg']}{more}"
    return None


def table_problem(name: str, table: pd.DataFrame) -> str | None:
    """The columns the report needs that the table `name` lacks, or None."""
    needed = TABLE_COLUMNS.get(name, ())
    if name in MAY_BE_EMPTY and table.columns.empty:
        return None
    missing = [c for c in needed if c not in table.columns]
    if missing:
        found = ", ".join(map(str, table.columns))[:200]
        return f"missing columns {', '.join(missing)}; found {found}"
    wrong = [c for c in needed if c in NUMERIC and not pd.api.types.is_numeric_dtype(table[c])]
    if wrong:
        return f"columns {', '.join(wrong)} must hold numbers"
    return None
