"""What a sweep's table says: which inputs move the risk most (a tornado) and which donor
matters most (the figures when each drops out or pauses), written as tornado.json and
donors.json beside results.parquet.

Tornado: for each factor, the mean of a figure over the design's variants where the factor is
low and where it is high, the difference being its swing. "Low" and "high" are its lowest and
highest values when it takes few (a grid level, a listed value, kept/dropped) and its lowest
and highest third of variants when it is drawn from a range (random, Latin hypercube). With a
full grid these are the main effects; with a Latin hypercube they are marginal means, which
other factors average out of as the samples grow. Variants whose plan failed are left out.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import pandas as pd

from resupply.files import write_atomically
from resupply.workflow.sweep import Group
from resupply.workflow.sweepfile import Design, Op, SweepSpec

TORNADO = "tornado.json"
DONORS = "donors.json"
PAGE = "sweep.html"
TORNADO_METRICS = ("avoidable_stockout_prob", "avoidable_short", "strike_loss_eur",
                   "plan_shortfall")
"""Figures the tornado ranks inputs by."""
DONOR_METRICS = ("avoidable_stockout_prob", "stockout_prob", "plan_shortfall",
                 "avoidable_short", "short", "fill_rate", "strike_loss_eur")
"""Figures of the donor study. The avoidable risk is measured against each variant's own
optimum, so a donor whose loss no plan can make up raises the shortfall and the total
stockout risk rather than the avoidable one."""
FEW_VALUES = 6
"""A factor taking at most this many values is split by value, not by thirds."""


@dataclass(frozen=True)
class TornadoBar:
    """How much one factor moves one figure: its mean where the factor is low and high."""

    metric: str
    factor: str
    low: float
    """Mean factor value of the low group. [factor's unit]"""
    high: float
    metric_low: float
    metric_high: float
    swing: float
    """``metric_high - metric_low``. [metric's unit]"""
    n_low: int
    n_high: int


@dataclass(frozen=True)
class DonorImpact:
    """A donor dropped or paused: the figures, and their change from the base scenario."""

    donor: str
    change: str
    status: str
    figures: dict[str, float]
    delta: dict[str, float]
    """Figure minus the base scenario's (positive: worse for shortfalls and risk)."""


def tornado(spec: SweepSpec, table: pd.DataFrame) -> list[TornadoBar]:
    """Every factor's swing on every `TORNADO_METRICS` figure, largest first per figure."""
    design = table[(table["group"] == str(Group.DESIGN))]
    bars: list[TornadoBar] = []
    for metric in TORNADO_METRICS:
        found = [b for f in spec.factors if (b := _bar(spec, design, f.name, f.op, metric))]
        bars += sorted(found, key=lambda b: -abs(b.swing))
    return bars


def _bar(spec: SweepSpec, design: pd.DataFrame, factor: str, op: Op,
         metric: str) -> TornadoBar | None:
    rows = design[[factor, metric]].dropna()
    values = rows[factor]
    if values.nunique() < 2:
        return None
    if spec.design is Design.GRID or op in (Op.VALUES, Op.REMOVE) \
            or values.nunique() <= FEW_VALUES:
        low, high = rows[values == values.min()], rows[values == values.max()]
    else:
        ordered = rows.sort_values(factor, kind="stable")
        third = math.ceil(len(ordered) / 3)
        low, high = ordered.head(third), ordered.tail(third)
    m_low, m_high = float(low[metric].mean()), float(high[metric].mean())
    return TornadoBar(metric, factor, float(low[factor].mean()), float(high[factor].mean()),
                      m_low, m_high, m_high - m_low, len(low), len(high))


def donor_impacts(table: pd.DataFrame) -> list[DonorImpact]:
    """Each donor dropped and paused, the most damaging first (by the plan's shortfall, then
    the avoidable stockout risk)."""
    base = table[table["group"] == str(Group.BASE)]
    if base.empty:
        return []
    ref = base.iloc[0]
    out = []
    for row in table[table["group"] == str(Group.DONOR)].to_dict("records"):
        figures = {m: float(row[m]) for m in DONOR_METRICS}
        out.append(DonorImpact(str(row["donor"]), str(row["change"]), str(row["status"]),
                               figures, {m: figures[m] - float(ref[m]) for m in DONOR_METRICS}))
    return sorted(out, key=lambda d: (_worst_first(d.delta["plan_shortfall"]),
                                      _worst_first(d.delta["avoidable_stockout_prob"]),
                                      d.donor, d.change))


def _worst_first(value: float) -> float:
    return math.inf if math.isnan(value) else -value


def tornado_table(bars: list[TornadoBar]) -> pd.DataFrame:
    """The bars as a table, a row each (the columns of `TornadoBar`)."""
    return pd.DataFrame([asdict(b) for b in bars],
                        columns=[f.name for f in fields(TornadoBar)])


def donor_table(donors: list[DonorImpact]) -> pd.DataFrame:
    """The donor changes as a table: donor, change, status, each figure and ``delta_FIGURE``."""
    columns = ["donor", "change", "status", *DONOR_METRICS,
               *(f"delta_{m}" for m in DONOR_METRICS)]
    return pd.DataFrame([{"donor": d.donor, "change": d.change, "status": d.status,
                          **d.figures, **{f"delta_{k}": v for k, v in d.delta.items()}}
                         for d in donors], columns=columns)


def write_summaries(out_dir: Path, name: str, spec: SweepSpec, table: pd.DataFrame
                    ) -> tuple[list[TornadoBar], list[DonorImpact]]:
    """Write tornado.json, donors.json and sweep.html (each beside, then renamed); return the
    bars and the donor changes."""
    from resupply.report.sweep_page import render_sweep_page

    bars, donors = tornado(spec, table), donor_impacts(table)
    write_atomically(out_dir / TORNADO, _json([asdict(b) for b in bars]))
    write_atomically(out_dir / DONORS, _json([asdict(d) for d in donors]))
    page = render_sweep_page(name, tornado_table(bars), donor_table(donors), table)
    write_atomically(out_dir / PAGE, page)
    return bars, donors


def _json(data: object) -> str:
    """JSON with NaN written as null (JSON has no NaN)."""
    return json.dumps(_nulls(data), indent=2) + "\n"


def _nulls(data: object) -> object:
    if isinstance(data, float) and math.isnan(data):
        return None
    if isinstance(data, dict):
        return {k: _nulls(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_nulls(v) for v in data]
    return data
