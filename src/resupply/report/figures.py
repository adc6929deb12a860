"""What every chart of the report shares: the `Section` record, the layout (a title that states
the finding and wraps, the legend below the plot, hover shared across lines), small multiples
per family, the switch between the family's own unit and tons, and number formats.

A chart never puts its legend over data: the legend sits under the plot area, in the bottom
margin the layout reserves for it. Titles are wrapped at `TITLE_CHARS` characters with
``<br>`` (Plotly does not wrap), and the top margin grows with the lines.
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from resupply.report.run_data import RunData

TITLE_CHARS = 92
"""Longest line of a chart title before it wraps. [characters]"""
PANEL_TITLE_CHARS = 44
"""Longest line of a panel title before it wraps. [characters]"""
PANEL_HEIGHT = 210
"""Height of one row of small multiples. [px]"""
TOP_LINE = 24
"""Height of one line of a chart title. [px]"""


@dataclass(frozen=True)
class Section:
    """A chart, its finding as the title, and its tables (name -> DataFrame)."""

    key: str
    heading: str
    """What the chart shows (the page's section heading)."""
    title: str
    """The finding (the chart's title), plain text without line breaks."""
    figure: go.Figure
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    note: str = ""
    """A sentence under the chart saying how to read it."""
    units: dict[str, str] = field(default_factory=dict)
    """Table column -> unit its numbers are in (for formatting)."""


def family_names(run: RunData) -> dict[str, str]:
    """Family id -> short display name (the scenario's name, else the id)."""
    return {f.id: (f.name or f.id) for f in run.scenario.families}


def family_unit(run: RunData) -> dict[str, str]:
    """Family id -> what one unit is called (rounds, missiles, barrels)."""
    return dict(zip(run.problem.families, run.problem.family_units, strict=True))


def wrap_title(text: str, width: int = TITLE_CHARS) -> str:
    """The title broken into lines of at most ``width`` characters with ``<br>``."""
    return "<br>".join(textwrap.wrap(text, width=width)) or text


def layout(fig: go.Figure, title: str, *, height: int = 460, legend: bool = True,
           buttons: bool = False, x: str = "", y: str = "") -> go.Figure:
    """The shared layout: the wrapped title on top (with room for the unit buttons under it),
    the legend under the plot, one hover label for all lines of a day."""
    lines = wrap_title(title).count("<br>") + 1
    top = 34 + TOP_LINE * lines + (34 if buttons else 0)
    bottom = 90 if legend else 40
    fig.update_layout(
        title={"text": wrap_title(title), "x": 0.0, "xanchor": "left", "y": 1.0,
               "yanchor": "top", "pad": {"t": 12}, "font": {"size": 14}},
        template="plotly_white", height=height + top + bottom, hovermode="x unified",
        showlegend=legend,
        legend={"orientation": "h", "x": 0.0, "xanchor": "left", "y": 0.0,
                "yanchor": "bottom", "yref": "container"},
        margin={"l": 70, "r": 20, "t": top, "b": bottom})
    fig.update_yaxes(rangemode="tozero")
    if x:
        fig.update_xaxes(title_text=x)
    if y:
        fig.update_yaxes(title_text=y)
    return fig


def grid(n: int) -> tuple[int, int]:
    """(rows, columns) of small multiples for ``n`` panels: two columns (three would crowd
    an 800 px screen)."""
    cols = 1 if n == 1 else 2
    return math.ceil(n / cols), cols


def panels(titles: list[str], *, shared_y: bool = False) -> go.Figure:
    """A grid of small multiples, one per title, sharing the date axis."""
    rows, cols = grid(len(titles))
    fig = make_subplots(rows=rows, cols=cols, subplot_titles=[wrap_title(t, PANEL_TITLE_CHARS)
                                                              for t in titles],
                        shared_xaxes=True,
                        shared_yaxes=shared_y, vertical_spacing=min(0.5 / rows, 0.12),
                        horizontal_spacing=0.08)
    fig.update_annotations(font_size=12)
    return fig


def cell(n: int, cols: int) -> dict[str, int]:
    """Row and column of the n-th panel (row-major)."""
    return {"row": n // cols + 1, "col": n % cols + 1}


def panel_height(n: int) -> int:
    """Plot height for ``n`` small multiples. [px]"""
    return PANEL_HEIGHT * grid(n)[0]


def unit_buttons(fig: go.Figure, unit_label: str) -> None:
    """Buttons that show the traces in the families' own units or in tons.

    Every trace carries ``meta.scale``: ``units`` (shown first), ``tons`` (hidden until the
    tons button) or ``both`` (always shown)."""
    scales = [(t.meta or {}).get("scale", "both") for t in fig.data]
    for trace, scale in zip(fig.data, scales, strict=True):
        trace.visible = scale != "tons"
    show_units = [s != "tons" for s in scales]
    show_tons = [s != "units" for s in scales]
    fig.update_layout(updatemenus=[{
        "type": "buttons", "direction": "right", "showactive": True, "active": 0,
        "x": 0.0, "xanchor": "left", "y": 1.0, "yanchor": "bottom", "pad": {"b": 28},
        "buttons": [
            {"label": f"in {unit_label}", "method": "restyle", "args": [{"visible": show_units}]},
            {"label": "in tons", "method": "restyle", "args": [{"visible": show_tons}]}]}])


def number(value: float, unit: str = "") -> str:
    """A quantity as a reader wants it: thousands separated, decimals only for small values,
    "-" for missing, and the unit after it."""
    if value is None or not np.isfinite(value):
        return "-"
    size = abs(value)
    text = f"{value:,.0f}" if size >= 10 or size == 0 else (
        f"{value:,.1f}" if size >= 1 else f"{value:,.2f}")
    return f"{text} {unit}".strip()


def money(value: float) -> str:
    """EUR with k, M or bn."""
    if value is None or not np.isfinite(value):
        return "-"
    for size, suffix in ((1e9, " bn"), (1e6, " M"), (1e3, " k")):
        if abs(value) >= size:
            return f"EUR {value / size:,.1f}{suffix}"
    return f"EUR {value:,.0f}"


def day_text(date: Any) -> str:
    """``5 Mar`` (the report's horizon is within a year)."""
    stamp = pd.Timestamp(date)
    return f"{stamp.day} {stamp:%b}"


def date_text(date: Any) -> str:
    """``5 Mar 2023``, or ``never`` for a missing date."""
    if date is None or (isinstance(date, float) and not np.isfinite(date)) or date is pd.NaT:
        return "never"
    stamp = pd.Timestamp(str(date))
    return f"{stamp.day} {stamp:%b %Y}"
