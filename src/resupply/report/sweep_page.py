"""The sweep page (sweep.html): the tornado of what moves the risk most and which donor
matters most, self-contained like the report (Plotly inlined, no network).

It takes tables, not the workflow's records (the report sits below the workflow):
``tornado`` has a row per factor and figure (metric, factor, low, high, metric_low,
metric_high, swing); ``donors`` a row per donor change (donor, change, status and a
``delta_FIGURE`` column per figure).
"""

from __future__ import annotations

import html

import pandas as pd
import plotly.graph_objects as go

from resupply.report.html import DRAW, STYLE, _section_html, _table_html, plotly_js
from resupply.report.sections import Section, _layout, generated_at

TITLES = {"avoidable_stockout_prob": "P(avoidable stockout) [1]",
          "avoidable_short": "avoidable shortfall [units]",
          "strike_loss_eur": "strike loss [EUR]", "plan_shortfall": "plan shortfall [units]"}
"""The figures charted, with their axis titles."""


def tornado_section(tornado: pd.DataFrame, metric: str) -> Section | None:
    """Horizontal bars from the figure at the factor's low to its value at high, the factor
    that moves it most on top."""
    rows = tornado[tornado["metric"] == metric]
    if rows.empty:
        return None
    rows = rows.iloc[::-1]  # Plotly draws the first category at the bottom
    fig = go.Figure(go.Bar(
        y=rows["factor"], x=rows["swing"], base=rows["metric_low"], orientation="h",
        customdata=rows[["low", "high"]].to_numpy(),
        hovertemplate="%{y}: %{base:,.4g} at %{customdata[0]:,.3g} -> "
                      "%{x:+,.4g} at %{customdata[1]:,.3g}<extra></extra>"))
    top = tornado[tornado["metric"] == metric].iloc[0]
    title = (f"{top['factor']} moves {TITLES[metric]} most: {top['metric_low']:,.4g} -> "
             f"{top['metric_high']:,.4g}")
    _layout(fig, title, TITLES[metric], "")
    return Section(f"tornado-{metric.replace('_', '-')}", f"Tornado: {TITLES[metric]}",
                   title, fig, {f"tornado {metric}": tornado[tornado["metric"] == metric]})


def donor_section(donors: pd.DataFrame) -> Section | None:
    """The change of the avoidable stockout risk and of the plan's shortfall when each donor
    drops out or pauses, most damaging first."""
    if donors.empty:
        return None
    rows = donors.iloc[::-1]
    label = rows["donor"] + " " + rows["change"]
    fig = go.Figure([
        go.Bar(y=label, x=rows["delta_plan_shortfall"], orientation="h",
               name="Δ plan shortfall [units]"),
        go.Bar(y=label, x=rows["delta_avoidable_stockout_prob"], orientation="h",
               name="Δ P(avoidable stockout) [1]", xaxis="x2")])
    top = donors.iloc[0]
    title = f"{top['donor']} matters most ({top['change']}: {top['delta_plan_shortfall']:+,.0f} " \
            "units of plan shortfall)"
    _layout(fig, title, "Δ plan shortfall [units]", "")
    fig.update_layout(xaxis2={"overlaying": "x", "side": "top",
                              "title": "Δ P(avoidable stockout) [1]"}, barmode="group")
    return Section("donors", "Which donor matters most", title, fig, {"donors": donors})


def render_sweep_page(name: str, tornado: pd.DataFrame, donors: pd.DataFrame,
                      results: pd.DataFrame) -> str:
    """The whole page as one HTML string."""
    sections = [s for s in (*(tornado_section(tornado, m) for m in TITLES),
                            donor_section(donors)) if s is not None]
    parts = [f"<h1>resupply sweep: {html.escape(name)}</h1>",
             f"<p class='note'>{len(results):,} variants.</p>",
             *(_section_html(s) for s in sections),
             "<h2>Every variant</h2>", _table_html("results", results),
             f"<p class='note'>Generated {generated_at()} by resupply.</p>"]
    return ("<!doctype html><html lang='en'><head><meta charset='utf-8'>"
            f"<title>resupply sweep: {html.escape(name)}</title>"
            f"<style>{STYLE}</style><script>{plotly_js()}</script></head><body>"
            + "".join(parts) + f"<script>{DRAW}</script></body></html>")
