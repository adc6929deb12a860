"""Sections about the flow to the guns: supply used against need per family, and days of supply
across the simulated runs. Small multiples, one panel per family, in the family's own unit
(rounds, missiles, barrels) with tons behind a button.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from resupply.report.figures import (
    Section,
    cell,
    day_text,
    family_names,
    grid,
    layout,
    number,
    panel_height,
    panels,
    unit_buttons,
)
from resupply.report.palette import family_colors
from resupply.report.run_data import RunData

SHORT = 0.5
"""A family is short on a day when more than this is missing over all depots. [units]"""
DOS_AXIS_DAYS = 90
"""Top of the days-of-supply axis; higher values are drawn at the top. [days]"""
DOS_NO_NEED = 365.0
"""What the simulator writes for a day of supply with no need (`simulation.state`). [days]"""
RUN_DRY_DAYS = 1.0
"""A band line below this many days of supply counts as run dry. [days]"""


def shortfall_by_family(run: RunData) -> pd.DataFrame:
    """[date x family] shortfall summed over depots. [units]"""
    assert run.shortfalls is not None
    return (run.shortfalls.groupby(["date", "family"], sort=False)["shortfall"].sum()
            .unstack("family").reindex(columns=list(run.problem.families)).fillna(0.0))


def need_by_family(run: RunData) -> pd.DataFrame:
    """[date x family] need summed over depots (the compiled scenario's). [units/day]"""
    p = run.problem
    return pd.DataFrame(p.family_need().T, index=pd.Index(
        p.dates.astype("datetime64[ns]"), name="date"), columns=list(p.families))


def family_mass(run: RunData) -> pd.Series:
    """Mean shipping mass of one unit of each family, weighted by what the plan uses of each
    item (the items' plain mean where it uses none). [t/unit]"""
    p = run.problem
    mass = pd.Series(p.item_mass_t, index=list(p.items))
    plain = mass.groupby(np.asarray(p.families)[p.item_family]).mean()
    if run.stock is None:
        return plain.reindex(list(p.families))
    used = run.stock.groupby(["family", "item"])["consumption"].sum().reset_index()
    used["tons"] = used["consumption"] * used["item"].map(mass)
    by = used.groupby("family")[["tons", "consumption"]].sum()
    weighted = (by["tons"] / by["consumption"].where(by["consumption"] > 0))
    return weighted.reindex(list(p.families)).fillna(plain.reindex(list(p.families)))


def _first_short(short: pd.Series) -> object | None:
    days = short.index[short.to_numpy() > SHORT]
    return days[0] if len(days) else None


def coverage_phrase(name: str, short: pd.Series, unit: str) -> str:
    """``NAME covered throughout``, ``NAME short 3 Jan to 9 Feb (1,234 missiles), covered from
    10 Feb`` or ``NAME runs short from 5 Mar (862 missiles)``."""
    days = short.index[short.to_numpy() > SHORT]
    if len(days) == 0:
        return f"{name} covered throughout"
    total = number(float(short.sum()), unit)
    after = short.index[short.index > days[-1]]
    if len(after) and len(days) < len(short):
        return (f"{name} short {day_text(days[0])} to {day_text(days[-1])} ({total}), "
                f"covered from {day_text(after[0])}")
    return f"{name} runs short from {day_text(days[0])} ({total})"


def coverage_title(families: list[tuple[str, pd.Series, str]]) -> str:
    """The short families (first two by date) and how many are covered throughout."""
    phrases = [(_first_short(short), coverage_phrase(name, short, unit))
               for name, short, unit in families]
    short = sorted(((day, text) for day, text in phrases if day is not None),
                   key=lambda pair: pd.Timestamp(pair[0]))  # type: ignore[arg-type]
    covered = [text for day, text in phrases if day is None]
    parts = [text for _, text in short[:2]]
    if len(short) > 2:
        parts.append(f"{len(short) - 2} more short")
    if len(covered) <= 2:
        parts += covered
    else:
        parts.append(f"{len(covered)} families covered throughout")
    return "; ".join(parts)


def stock_by_family(run: RunData) -> Section | None:
    """Supply used per day against need, one panel per family, in the family's unit (tons
    behind a button): where the lines part, the family is short."""
    if run.stock is None or run.shortfalls is None:
        return None
    p, names, colors = run.problem, family_names(run), family_colors(run.problem)
    mass = run.stock["item"].map(dict(zip(p.items, p.item_mass_t, strict=True)))
    frame = run.stock.assign(used_t=run.stock["consumption"] * mass,
                             held_t=run.stock["stock"] * mass)
    used, used_t, held_t = (frame.groupby(["date", "family"], sort=False)[col].sum()
                            .unstack("family").reindex(columns=list(p.families)).fillna(0.0)
                            for col in ("consumption", "used_t", "held_t"))
    need, short, fmass = need_by_family(run), shortfall_by_family(run), family_mass(run)
    need = need.reindex(used.index)
    fig = panels([f"{names[f]} [{u}/day]" for f, u in zip(p.families, p.family_units,
                                                            strict=True)])
    _, cols = grid(len(p.families))
    for n, fam in enumerate(p.families):
        where, first = cell(n, cols), n == 0
        for scale, factor in (("units", 1.0), ("tons", float(fmass[fam]))):
            tag = "" if scale == "units" else " [t]"
            fig.add_trace(go.Scatter(
                x=need.index, y=need[fam].to_numpy() * factor, name=f"need{tag}",
                legendgroup=f"need{tag}", showlegend=first, mode="lines",
                line={"color": "#888", "dash": "dot", "width": 1.5},
                meta={"family": fam, "scale": scale}), **where)
            y = used[fam].to_numpy() if scale == "units" else used_t[fam].to_numpy()
            fig.add_trace(go.Scatter(
                x=used.index, y=y, name=f"{names[fam]} used{tag}", mode="lines",
                line={"color": colors[fam]}, showlegend=False,
                meta={"family": fam, "scale": scale}), **where)
    title = "Supply under the plan: " + coverage_title(
        [(names[f], short[f], u) for f, u in zip(p.families, p.family_units, strict=True)])
    layout(fig, title, height=panel_height(len(p.families)), buttons=True)
    unit_buttons(fig, "rounds, missiles..." if len(set(p.family_units)) > 1
                 else p.family_units[0])
    used.columns = [f"{c} [{u}/day]" for c, u in zip(used.columns, p.family_units,
                                                    strict=True)]
    short_table = short.copy()
    short_table.columns = [f"{c} [{u}]" for c, u in zip(short.columns, p.family_units,
                                                       strict=True)]
    return Section(
        "stock", "Supply used against need, per family", title, fig,
        {"used_by_family": used.reset_index(), "used_tons_by_family": used_t.reset_index(),
         "stock_tons_by_family": held_t.reset_index(),
         "shortfall_by_family": short_table.reset_index()},
        note="Solid: used per day under the plan; dotted: the need. Where they part, the "
             "family is short. The button switches between the families' own units and tons.")


def fielded_from(run: RunData) -> dict[str, object | None]:
    """Family -> first date it has any need (its platforms in service); None: not within
    the horizon."""
    need = need_by_family(run)
    out: dict[str, object | None] = {}
    for fam in need.columns:
        days = need.index[need[fam].to_numpy() > 0]
        out[fam] = days[0] if len(days) else None
    return out


def buffer_days(run: RunData) -> pd.DataFrame | None:
    """[date x family] the certified plan's safety stock in days of need (buffer over all
    depots / need that day); None without buffers. [days]"""
    if run.buffers is None:
        return None
    depots = run.buffers[run.buffers["depot"] != "hub"]
    level = (depots.groupby(["date", "family"])["level"].sum().unstack("family")
             .reindex(columns=list(run.problem.families)).fillna(0.0))
    level.index = pd.DatetimeIndex(level.index)
    need = need_by_family(run).reindex(level.index)
    return level / need.where(need > 0)


def run_dry_dates(rows: pd.DataFrame) -> dict[str, object | None]:
    """First date the P5 (1 run in 20) and the median line fall below `RUN_DRY_DAYS`."""
    out: dict[str, object | None] = {}
    for col, key in (("dos_p5", "p5"), ("dos_p50", "p50")):
        dry = rows["date"][rows[col].to_numpy() < RUN_DRY_DAYS]
        out[key] = dry.iloc[0] if len(dry) else None
    return out


def days_of_supply(run: RunData) -> Section | None:
    """Days of supply of each family across the simulated runs: one panel per family with the
    P5-P95 band, the median, the buffer line and where the band runs dry. Days before a
    family is fielded are left empty and say so."""
    if run.bands is None:
        return None
    p, names, colors = run.problem, family_names(run), family_colors(run.problem)
    fams = [f for n, f in enumerate(p.families) if not p.family_is_spare[n]
            and f in set(run.bands["family"])]
    fielded, buffers = fielded_from(run), buffer_days(run)
    first_day = pd.Timestamp(p.dates[0])
    fig = panels([f"{names[f]} [days]" + ("" if fielded[f] is None or fielded[f] == first_day
                                          else f", fielded {day_text(fielded[f])}")
                  for f in fams], shared_y=True)
    _, cols = grid(len(fams))
    dry_rows = []
    for n, fam in enumerate(fams):
        where, first = cell(n, cols), n == 0
        rows = run.bands[run.bands["family"] == fam].sort_values("date")
        dates = pd.DatetimeIndex(rows["date"])
        live = rows["dos_p50"].to_numpy() < DOS_NO_NEED
        if fielded[fam] is not None:
            live |= dates >= pd.Timestamp(str(fielded[fam]))
        band = {c: np.where(live, np.minimum(rows[c].to_numpy(), DOS_AXIS_DAYS), np.nan)
                for c in ("dos_p5", "dos_p50", "dos_p95")}
        color = colors[fam]
        fig.add_trace(go.Scatter(x=dates, y=band["dos_p95"], mode="lines", showlegend=False,
                                 line={"width": 0, "color": color}, hoverinfo="skip",
                                 name=f"{names[fam]} P95"), **where)
        fig.add_trace(go.Scatter(x=dates, y=band["dos_p5"], mode="lines", fill="tonexty",
                                 line={"width": 0, "color": color}, opacity=0.3,
                                 legendgroup="band", showlegend=first, hoverinfo="skip",
                                 name="P5-P95 of the runs"), **where)
        fig.add_trace(go.Scatter(x=dates, y=band["dos_p50"], mode="lines",
                                 line={"color": color}, legendgroup=f"m{fam}", showlegend=False,
                                 name=f"{names[fam]} (median, P5-P95 band)",
                                 hovertemplate="%{y:.1f} days"), **where)
        if buffers is not None and fam in buffers and (buffers[fam].fillna(0) > 0).any():
            fig.add_trace(go.Scatter(
                x=buffers.index, y=np.minimum(buffers[fam].to_numpy(), DOS_AXIS_DAYS),
                mode="lines", line={"color": "#333", "dash": "dash", "width": 1.2},
                legendgroup="buffer", showlegend=not any(
                    t.legendgroup == "buffer" for t in fig.data),
                name="buffer (safety stock)", hovertemplate="buffer %{y:.1f} days"), **where)
        dry = run_dry_dates(rows[live]) if live.any() else {"p5": None, "p50": None}
        for key, symbol, label in (("p5", "triangle-down", "1 run in 20 dry from"),
                                   ("p50", "x", "median run dry from")):
            if dry[key] is not None:
                fig.add_trace(go.Scatter(
                    x=[dry[key]], y=[0], mode="markers", name=label, cliponaxis=False,
                    marker={"symbol": symbol, "size": 11, "color": "#b2182b"},
                    legendgroup=key, showlegend=not any(t.legendgroup == key for t in fig.data),
                    meta={"family": fam, "run_dry": key}), **where)
        if fielded[fam] is None:
            fig.add_annotation(x=0.5, xref="x domain", y=0.5, yref="y domain",
                               text="not yet fielded", showarrow=False,
                               font={"color": "#666", "size": 12}, **where)
        dry_rows.append({"family": fam, "fielded_from": fielded[fam],
                         "one_run_in_20_dry_from": dry["p5"], "median_run_dry_from": dry["p50"]})
    fig.update_yaxes(range=[0, dos_top(run.bands, fams, fielded)])
    title = stockout_title(run)
    layout(fig, title, height=panel_height(len(fams)))
    return Section("dos", "Days of supply across simulated runs", title, fig,
                   {"days_of_supply_bands": run.bands, "run_dry": pd.DataFrame(dry_rows)},
                   note=f"Band: 5th to 95th percentile of the runs; line: the median; dashed: "
                        f"the safety stock the plan holds; red markers: the first day the band "
                        f"or the median falls below {RUN_DRY_DAYS:g} day. Values above "
                        f"{DOS_AXIS_DAYS} days are drawn at the top.")


def dos_top(bands: pd.DataFrame, fams: list[str], fielded: dict[str, object | None]) -> float:
    """Top of the shared days-of-supply axis: a little above the highest P95 on a fielded
    day, at least two weeks, at most `DOS_AXIS_DAYS`. [days]"""
    top = 14.0
    for fam in fams:
        if fielded[fam] is None:
            continue
        rows = bands[(bands["family"] == fam)
                     & (pd.DatetimeIndex(bands["date"]) >= pd.Timestamp(str(fielded[fam])))]
        live = rows["dos_p95"][rows["dos_p95"] < DOS_NO_NEED]
        if len(live):
            top = max(top, float(live.max()) * 1.1)
    return min(top, DOS_AXIS_DAYS)


def stockout_title(run: RunData) -> str:
    """The chance of a stockout some supply could have prevented, per family in scope."""
    if run.metrics is None or not run.metrics.families:
        return "Days of supply across simulated runs"
    names, m = family_names(run), run.metrics
    scope = set(m.overall.scope.families)
    parts = [f"{names.get(f, f)} {v.avoidable.stockout_prob:.0%}"
             for f, v in m.families.items() if f in scope]
    other = [names.get(f, f) for f in m.families if f not in scope]
    text = (f"Chance of a stockout supply could have prevented, over {m.runs:,} runs: "
            + (", ".join(parts) or "no family counted"))
    if len(other) > 2:
        text += f"; {len(other)} other families not counted in the risk"
    elif other:
        text += f"; {' and '.join(other)} not counted in the risk"
    return text
