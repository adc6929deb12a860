"""The self-contained HTML report: Plotly's JavaScript inlined from the installed package.

Opened from disk with no network: no CDN, no fonts or scripts fetched. Each chart's figure is
embedded as JSON in a ``<script type="application/json" id="figure-KEY">`` element (tests read
it back and compare it with the run's numbers), and drawn by a small inline script.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import json
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
from plotly.offline import get_plotlyjs

from resupply.report.figures import Section, date_text, number
from resupply.report.findings import linked_findings
from resupply.report.run_data import RunData
from resupply.report.sections import build_sections, generated_at, outlook_table
from resupply.report.summary import SummaryItem, summary_items

STYLE = """
* { box-sizing: border-box; }
body { font-family: system-ui, sans-serif; margin: 1.5rem auto; max-width: 1100px; color: #222;
       padding: 0 1rem; overflow-wrap: break-word; }
h1 { font-size: 1.6rem; margin-bottom: 0.2rem; } h2 { font-size: 1.15rem; margin-top: 2.2rem; }
.scroll { overflow-x: auto; max-width: 100%; }
table { border-collapse: collapse; font-size: 0.8rem; margin: 0.5rem 0; }
td, th { border: 1px solid #ddd; padding: 2px 6px; text-align: right; white-space: nowrap; }
th { background: #f4f4f4; } td.text { text-align: left; }
.note { color: #555; font-size: 0.85rem; } details { margin: 0.5rem 0 1rem; }
.chart { min-height: 300px; width: 100%; }
#summary { border: 1px solid #ccc; border-left: 6px solid #2166ac; padding: 0.4rem 1.2rem;
           background: #f8fafc; }
#summary ul { padding-left: 1.1rem; margin: 0.4rem 0; } #summary li { margin: 0.35rem 0; }
#summary a, #findings a { white-space: nowrap; font-size: 0.85rem; }
nav.toc { font-size: 0.85rem; margin: 0.6rem 0; } nav.toc a { margin-right: 0.8rem; }
"""
MAX_TABLE_ROWS = 400
"""Rows of a table shown in the page (exports hold every row)."""


@lru_cache(maxsize=1)
def plotly_js() -> str:
    """plotly.min.js from the installed plotly package (about 4.8 MB)."""
    return str(get_plotlyjs())


def _safe_json(data: str) -> str:
    return data.replace("</", "<\\/")


def cell_text(value: Any, column: str = "") -> str:
    """A table cell as a reader wants it: no NaN or inf ("-"), dates as ``5 Mar 2023``,
    shares as percent, thousands separated, decimals only where they matter."""
    if value is None or value is pd.NaT:
        return "-"
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, (pd.Timestamp, dt.date, np.datetime64)):
        return date_text(value)
    if isinstance(value, (int, float, np.integer, np.floating)):
        number_ = float(value)
        if not np.isfinite(number_):
            return "-"
        if column in PERCENT_COLUMNS or column.endswith("_prob") or column == "share":
            return f"{number_:.1%}"
        if column in INTEGER_COLUMNS or column.endswith("_days_int"):
            return f"{number_:,.0f}"
        return number(number_)
    return str(value)


PERCENT_COLUMNS = frozenset({"fill_rate", "upper_bound", "avoidable_prob", "stockout_prob",
                             "share", "estimate", "busiest_use"})
"""Columns holding a share. [1]"""
INTEGER_COLUMNS = frozenset({"day", "runs", "failures", "transit_days", "days_at_capacity",
                             "days_at_throughput", "days_full"})
"""Columns holding whole numbers (shown without decimals)."""


def _table_html(name: str, table: pd.DataFrame, *, open_: bool = False) -> str:
    shown = table.head(MAX_TABLE_ROWS)
    more = (f"<p class='note'>first {MAX_TABLE_ROWS:,} of {len(table):,} rows; the exports "
            "hold all</p>" if len(table) > MAX_TABLE_ROWS else "")
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in shown.columns)
    rows = []
    for row in shown.itertuples(index=False):
        cells = []
        for col, value in zip(shown.columns, row, strict=True):
            text = cell_text(value, str(col))
            kind = " class='text'" if isinstance(value, str) else ""
            cells.append(f"<td{kind}>{html.escape(text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    body = f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    opened = " open" if open_ else ""
    return (f"<details{opened}><summary>Table: {html.escape(name)} ({len(table):,} rows)"
            f"</summary><div class='scroll'>{body}</div>{more}</details>")


def _section_html(section: Section) -> str:
    figure_json = _safe_json(section.figure.to_json())
    tables = "".join(_table_html(n, t) for n, t in section.tables.items())
    note = f"<p class='note'>{html.escape(section.note)}</p>" if section.note else ""
    return (f"<section id='{section.key}'><h2>{html.escape(section.heading)}</h2>"
            f"<div class='chart' id='chart-{section.key}'></div>"
            f"<script type='application/json' id='figure-{section.key}'>{figure_json}</script>"
            f"{note}{tables}</section>")


DRAW = """
document.querySelectorAll("script[id^='figure-']").forEach(function (node) {
  var fig = JSON.parse(node.textContent);
  var key = node.id.slice("figure-".length);
  Plotly.newPlot("chart-" + key, fig.data, fig.layout,
                 {responsive: true, displaylogo: false, showLink: false});
});
"""


def _summary_html(items: list[SummaryItem], keys: set[str], headings: dict[str, str]) -> str:
    lines = []
    for item in items:
        link = (f" <a href='#{item.section}'>&rarr; {html.escape(headings[item.section])}</a>"
                if item.section in keys else "")
        lines.append(f"<li data-section='{item.section}'><b>{html.escape(item.topic)}:</b> "
                     f"{html.escape(item.text)}.{link}</li>")
    return f"<section id='summary'><h2>Summary</h2><ul>{''.join(lines)}</ul></section>"


def _findings_html(findings: list[tuple[str, str]], keys: set[str]) -> str:
    items = "".join(
        f"<li data-section='{key}'>{html.escape(text)}"
        + (f" <a href='#{key}'>&rarr; chart</a>" if key in keys else "") + "</li>"
        for text, key in findings)
    return (f"<details><summary>All findings ({len(findings)})</summary>"
            f"<ul id='findings'>{items}</ul></details>")


def render_report(run: RunData, findings: list[str] | None = None) -> str:
    """The whole report as one HTML string: the one-screen summary, every finding linked to
    its chart, the outlook and the sections."""
    sections = build_sections(run)
    keys = {s.key for s in sections}
    headings = {s.key: s.heading for s in sections}
    outlook = outlook_table(run)
    parts = [f"<h1>resupply: {html.escape(run.scenario.name)}</h1>",
             f"<p class='note'>{html.escape(run.scenario.description)}</p>",
             _summary_html(summary_items(run), keys, headings)]
    linked = linked_findings(run)
    if findings is not None and [t for t, _ in linked] != list(findings):
        linked = [(text, "") for text in findings]
    if linked:
        parts.append(_findings_html(linked, keys))
    parts.append("<nav class='toc'>" + "".join(
        f"<a href='#{s.key}'>{html.escape(s.heading)}</a>" for s in sections) + "</nav>")
    if outlook is not None:
        parts.append("<section id='outlook'><h2>Before planning: stock, need and when each "
                     "family runs dry</h2>" + _table_html("outlook", outlook, open_=True)
                     + "</section>")
    parts += [_section_html(s) for s in sections]
    parts.append(f"<p class='note'>Generated {generated_at()} by resupply from "
                 f"{html.escape(str(run.path))}.</p>")
    return ("<!doctype html><html lang='en'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
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
