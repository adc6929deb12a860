"""The self-contained HTML report: Plotly's JavaScript inlined from the installed package.

Opened from disk with no network: no CDN, no fonts or scripts fetched. Each chart's figure is
embedded as JSON in a ``<script type="application/json" id="figure-KEY">`` element (tests read
it back and compare it with the run's numbers), and drawn by a small inline script.
"""

from __future__ import annotations

import base64
import html
import json
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
from plotly.offline import get_plotlyjs

from resupply.report.run_data import RunData
from resupply.report.sections import Section, build_sections, generated_at, outlook_table

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1100px; color: #222; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.15rem; margin-top: 2.5rem; }
table { border-collapse: collapse; font-size: 0.8rem; margin: 0.5rem 0; }
td, th { border: 1px solid #ddd; padding: 2px 6px; text-align: right; }
th { background: #f4f4f4; } .note { color: #666; font-size: 0.85rem; }
details { margin: 0.5rem 0 1rem; } .chart { min-height: 460px; }
"""
MAX_TABLE_ROWS = 400
"""Rows of a table shown in the page (exports hold every row)."""


@lru_cache(maxsize=1)
def plotly_js() -> str:
    """plotly.min.js from the installed plotly package (about 4.8 MB)."""
    return str(get_plotlyjs())


def _safe_json(data: str) -> str:
    return data.replace("</", "<\\/")


def _table_html(name: str, table: pd.DataFrame) -> str:
    shown = table.head(MAX_TABLE_ROWS)
    more = (f"<p class='note'>first {MAX_TABLE_ROWS:,} of {len(table):,} rows; the exports "
            "hold all</p>" if len(table) > MAX_TABLE_ROWS else "")
    body = shown.to_html(index=False, float_format=lambda v: f"{v:,.2f}", border=0)
    return (f"<details><summary>Table: {html.escape(name)} ({len(table):,} rows)</summary>"
            f"{body}{more}</details>")


def _section_html(section: Section) -> str:
    figure_json = _safe_json(section.figure.to_json())
    tables = "".join(_table_html(n, t) for n, t in section.tables.items())
    return (f"<section id='{section.key}'><h2>{html.escape(section.heading)}</h2>"
            f"<div class='chart' id='chart-{section.key}'></div>"
            f"<script type='application/json' id='figure-{section.key}'>{figure_json}</script>"
            f"{tables}</section>")


DRAW = """
document.querySelectorAll("script[id^='figure-']").forEach(function (node) {
  var fig = JSON.parse(node.textContent);
  var key = node.id.slice("figure-".length);
  Plotly.newPlot("chart-" + key, fig.data, fig.layout,
                 {responsive: true, displaylogo: false, showLink: false});
});
"""


def render_report(run: RunData, findings: list[str] | None = None) -> str:
    """The whole report as one HTML string."""
    sections = build_sections(run)
    outlook = outlook_table(run)
    parts = [f"<h1>resupply: {html.escape(run.scenario.name)}</h1>",
             f"<p class='note'>{html.escape(run.scenario.description)}</p>"]
    if findings:
        items = "".join(f"<li>{html.escape(f)}</li>" for f in findings)
        parts.append(f"<h2>Findings</h2><ul id='findings'>{items}</ul>")
    if outlook is not None:
        parts.append("<h2>Before planning: stock, need and when each family runs dry</h2>"
                     + _table_html("outlook", outlook).replace("<details>", "<details open>"))
    parts += [_section_html(s) for s in sections]
    parts.append(f"<p class='note'>Generated {generated_at()} by resupply from {run.path}.</p>")
    return ("<!doctype html><html lang='en'><head><meta charset='utf-8'>"
            f"<title>resupply report: {html.escape(run.scenario.name)}</title>"
            f"<style>{STYLE}</style><script>{plotly_js()}</script></head><body>"
            + "".join(parts) + f"<script>{DRAW}</script></body></html>")


def embedded_figures(page: str) -> dict[str, Any]:
    """Figures embedded in a report page, by section key (for tests and tools)."""
    figures: dict[str, Any] = {}
    marker = "<script type='application/json' id='figure-"
    for chunk in page.split(marker)[1:]:
        key, rest = chunk.split("'>", 1)
        raw = json.loads(rest.split("</script>", 1)[0].replace("<\\/", "</"))
        figures[key] = _decode_typed_arrays(raw)
    return figures


def _decode_typed_arrays(value: Any) -> Any:
    """Plotly writes NumPy arrays as ``{"dtype": "f8", "bdata": base64}``; give plain lists."""
    if isinstance(value, dict):
        if "bdata" in value and "dtype" in value:
            flat = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
            shape = value.get("shape")
            dims = [int(n) for n in str(shape).split(",")] if shape else [len(flat)]
            return flat.reshape(dims).tolist()
        return {k: _decode_typed_arrays(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode_typed_arrays(v) for v in value]
    return value
