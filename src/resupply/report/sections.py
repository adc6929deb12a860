"""The report's sections in reading order: each a chart whose title states the finding, and the
tables behind it (`resupply.report.figures.Section`).

One function per section, each taking the `RunData` and returning a `Section` (or None when the
run has no data for it); they live in modules by subject (`sections_supply`, `sections_depots`,
`sections_network`, `sections_donors`, `sections_frontier`). Charts are Plotly figures built
from the very tables shown under them, so what a reader sees in a chart is what the table says.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pandas as pd
import plotly.graph_objects as go

from resupply.report.figures import Section, family_names, layout
from resupply.report.run_data import RunData
from resupply.report.sections_depots import absorption, exposed_stock, hub_outflow
from resupply.report.sections_donors import donor_section, tranche_timeline
from resupply.report.sections_frontier import certified_frontier, policy_frontier
from resupply.report.sections_network import hub_loads, network_flows
from resupply.report.sections_supply import (
    SHORT,
    days_of_supply,
    shortfall_by_family,
    stock_by_family,
)

__all__ = ["SECTIONS", "SHORT", "Section", "build_sections", "family_names", "generated_at",
           "hub_outflow", "outlook_table", "shortfall_by_family"]


def _layout(fig: go.Figure, title: str, x: str, y: str) -> go.Figure:
    """The shared layout with axis titles (for the sweep page)."""
    return layout(fig, title, x=x, y=y)


OUTLOOK_COLUMNS = {
    "family": "family", "standard": "standard", "unit": "unit", "stock": "stock",
    "need_per_day_at_start": "need per day at start", "days_of_supply": "days of supply",
    "donors_can_give": "donors can give", "need_over_horizon": "need over the horizon",
    "runs_dry_without_resupply": "runs dry with no resupply",
    "runs_dry_with_all_supply": "runs dry even with all supply"}
"""Outlook field -> column heading, in the order shown."""


def outlook_table(run: RunData) -> pd.DataFrame | None:
    """The explain outlook as a table: family names, and what a missing value means written
    out (no need yet: "-"; never runs dry within the horizon: "never")."""
    if run.explain is None:
        return None
    table = pd.DataFrame(run.explain.to_dict()["families"])
    names = family_names(run)
    table["family"] = table["family"].map(lambda f: names.get(f, f))
    for col in ("runs_dry_without_resupply", "runs_dry_with_all_supply"):
        if col in table:
            table[col] = table[col].map(lambda d: "never" if d is None or pd.isna(d)
                                        else pd.Timestamp(str(d)).strftime("%-d %b %Y"))
    keep = [c for c in OUTLOOK_COLUMNS if c in table.columns]
    return table[keep].rename(columns=OUTLOOK_COLUMNS)


SECTIONS: tuple[Callable[[RunData], Section | None], ...] = (
    stock_by_family, days_of_supply, exposed_stock, absorption, network_flows, hub_loads,
    donor_section, tranche_timeline, policy_frontier, certified_frontier)


def build_sections(run: RunData) -> list[Section]:
    """Every section the run has data for, in reading order."""
    return [s for s in (make(run) for make in SECTIONS) if s is not None]


def generated_at() -> str:
    """UTC timestamp for the report footer."""
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
