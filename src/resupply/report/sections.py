"""The report's sections: each a chart whose title states the finding, and the tables behind it.

One function per section, each taking the `RunData` and returning a `Section` (or None when the
run has no data for it). Charts are Plotly figures built from the very tables shown under
them, so what a reader sees in a chart is what the table says.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from resupply.report.palette import family_colors, standard_colors
from resupply.report.run_data import RunData

SHORT = 0.5
"""A family is short on a day when more than this is missing over all depots. [units]"""
DOS_AXIS_DAYS = 90
"""Top of the days-of-supply axis; the simulator writes 365 for 'no need'. [days]"""


@dataclass(frozen=True)
class Section:
    """A chart, its finding as the title, and its tables (name -> DataFrame)."""

    key: str
    heading: str
    """What the chart shows (the page's section heading)."""
    title: str
    """The finding (the chart's title)."""
    figure: go.Figure
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    note: str = ""


def _day(date: object) -> str:
    stamp = pd.Timestamp(date)  # type: ignore[arg-type]
    return f"{stamp.day} {stamp:%b}"


def family_names(run: RunData) -> dict[str, str]:
    """Family id -> short display name (the scenario's name, else the id)."""
    return {f.id: (f.name or f.id) for f in run.scenario.families}


def _layout(fig: go.Figure, title: str, x: str, y: str) -> go.Figure:
    fig.update_layout(title=title, xaxis_title=x, yaxis_title=y, template="plotly_white",
                      legend={"orientation": "h", "y": -0.2}, height=460,
                      margin={"l": 70, "r": 20, "t": 60, "b": 40})
    return fig


def stock_by_family(run: RunData) -> Section | None:
    """Supply used per day by each family [t/day], one panel per standard: the transition from
    legacy stock to the new standard. (The optimal plan keeps little stock in the depots, so
    what is used, not what is held, shows the shift; held stock is in the table.)"""
    if run.stock is None or run.shortfalls is None:
        return None
    p, names = run.problem, family_names(run)
    mass = run.stock["item"].map(dict(zip(p.items, p.item_mass_t, strict=True)))
    frame = run.stock.assign(used=run.stock["consumption"] * mass, held=run.stock["stock"] * mass)
    used, held = (frame.groupby(["date", "family"], sort=False)[col].sum().unstack("family")
                  .reindex(columns=list(p.families)).fillna(0.0) for col in ("used", "held"))
    short = shortfall_by_family(run)
    colors = family_colors(p)
    fig = make_subplots(rows=len(p.standards), cols=1, shared_xaxes=True,
                        subplot_titles=[f"{s} standard" for s in p.standards],
                        vertical_spacing=0.08)
    for f, fam in enumerate(p.families):
        s = int(p.family_standard[f])
        fig.add_trace(go.Scatter(
            x=used.index, y=used[fam].to_numpy(), name=f"{names[fam]} ({p.standards[s]})",
            mode="lines", line={"color": colors[fam]}, meta={"family": fam}),
            row=s + 1, col=1)
        fig.update_yaxes(title_text="used [t/day]", row=s + 1, col=1)
    title = _coverage_title([(names[fam], short[fam]) for fam in p.families])
    _layout(fig, title, "", "")
    fig.update_layout(height=260 * len(p.standards) + 120)
    return Section("stock", "Supply used by family: the Soviet-to-NATO transition", title, fig,
                   {"used_tons_by_family": used.reset_index(),
                    "stock_tons_by_family": held.reset_index(),
                    "shortfall_by_family": short.reset_index()})


def _coverage_title(families: list[tuple[str, pd.Series]]) -> str:
    """The short families (first three by date) and how many are covered throughout."""
    phrases = [(_first_short(short), _coverage_phrase(name, short)) for name, short in families]
    short = sorted((day, text) for day, text in phrases if day is not None)
    covered = [text for day, text in phrases if day is None]
    parts = [text for _, text in short[:2]]
    if len(short) > 2:
        parts.append(f"{len(short) - 2} more short")
    if len(covered) <= 2:
        parts += covered
    else:
        parts.append(f"{len(covered)} families covered throughout")
    return "; ".join(parts)


def _first_short(short: pd.Series) -> object | None:
    days = short.index[short.to_numpy() > SHORT]
    return days[0] if len(days) else None


def shortfall_by_family(run: RunData) -> pd.DataFrame:
    """[date x family] shortfall summed over depots. [units]"""
    assert run.shortfalls is not None
    table = (run.shortfalls.groupby(["date", "family"], sort=False)["shortfall"].sum()
             .unstack("family").reindex(columns=list(run.problem.families)).fillna(0.0))
    return table


def _coverage_phrase(name: str, short: pd.Series) -> str:
    days = short.index[short.to_numpy() > SHORT]
    if len(days) == 0:
        return f"{name} covered throughout"
    after = short.index[short.index > days[-1]]
    if len(after) and len(days) < len(short):
        return f"{name} short {_day(days[0])} to {_day(days[-1])}, covered from {_day(after[0])}"
    return f"{name} runs short from {_day(days[0])}"


def tranche_timeline(run: RunData) -> Section | None:
    """Tranches per donor over time (Gantt-like): one marker per donor-day, sized by tons."""
    if run.tranches is None or run.tranches.empty:
        return None
    p = run.problem
    table = (run.tranches.groupby(["donor", "date", "standard"], as_index=False)
             [["quantity", "tons"]].sum().sort_values(["donor", "date"]))
    colors = standard_colors(p)
    fig = go.Figure()
    biggest = max(float(table["tons"].max()), 1e-9)
    for standard, rows in table.groupby("standard", sort=False):
        fig.add_trace(go.Scatter(
            x=rows["date"], y=rows["donor"], mode="markers", name=str(standard),
            marker={"size": 6 + 30 * np.sqrt(rows["tons"].to_numpy() / biggest),
                    "color": colors.get(str(standard), "#444")},
            customdata=rows["tons"].to_numpy(), hovertemplate="%{y} %{x}: %{customdata:.1f} t"))
    by_donor = table.groupby("donor")["tons"].sum().sort_values(ascending=False)
    share = by_donor.iloc[0] / by_donor.sum() if by_donor.sum() > 0 else 0.0
    title = (f"{len(table)} tranches from {len(by_donor)} donors; largest: "
             f"{by_donor.index[0]} with {share:.0%} of the tonnage")
    _layout(fig, title, "dispatch date", "donor")
    return Section("tranches", "Tranche timeline per donor", title, fig,
                   {"tranches_by_donor_day": table})


def hub_load(run: RunData) -> Section | None:
    """Tons leaving the hub each day against its throughput."""
    if run.stock is None:
        return None
    p = run.problem
    table = hub_outflow(run)
    fig = go.Figure([
        go.Bar(x=table["date"], y=table["tons"], name="leaving the hub [t]",
               marker={"color": "#4d4d4d"}),
        go.Scatter(x=table["date"], y=table["capacity_t"], name="throughput [t/day]",
                   mode="lines", line={"color": "#b2182b", "dash": "dash"})])
    peak = table.iloc[int(np.argmax(table["tons"].to_numpy()))]
    title = (f"Hub peak {peak['tons']:,.0f} t on {_day(peak['date'])}: "
             f"{peak['tons'] / p.hub_throughput_t[0]:.0%} of its {p.hub_throughput_t[0]:,.0f} "
             "t/day")
    _layout(fig, title, "date", "t/day")
    return Section("hub", "Hub load against capacity", title, fig,
                   {"hub_load": table})


def hub_outflow(run: RunData) -> pd.DataFrame:
    """Tons moved from the hub per day: depot arrivals shifted back by each depot's transit."""
    assert run.stock is not None
    p = run.problem
    mass = dict(zip(p.items, p.item_mass_t, strict=True))
    transit = dict(zip(p.depots, p.transit_days, strict=True))
    frame = run.stock[["item", "depot", "day", "arrivals"]].copy()
    frame["tons"] = frame["arrivals"] * frame["item"].map(mass)
    frame["left_hub"] = frame["day"] - frame["depot"].map(transit)
    tons = frame.groupby("left_hub")["tons"].sum().reindex(range(p.n_days), fill_value=0.0)
    return pd.DataFrame({"day": np.arange(p.n_days), "date": p.dates.astype("datetime64[ns]"),
                         "tons": tons.to_numpy(), "capacity_t": p.hub_throughput_t})


def exposed_stock(run: RunData) -> Section | None:
    """Tons held in each depot over time, with its strike risk in the legend."""
    if run.stock is None:
        return None
    p = run.problem
    mass = dict(zip(p.items, p.item_mass_t, strict=True))
    value = dict(zip(p.items, p.item_value, strict=True))
    frame = run.stock.assign(tons=run.stock["stock"] * run.stock["item"].map(mass),
                             loss_eur=run.stock["expected_loss"] * run.stock["item"].map(value))
    table = (frame.groupby(["date", "depot"], sort=False)["tons"].sum().unstack("depot")
             .reindex(columns=list(p.depots)).fillna(0.0))
    fig = go.Figure()
    for k, depot in enumerate(p.depots):
        fig.add_trace(go.Scatter(
            x=table.index, y=table[depot].to_numpy(), mode="lines", stackgroup="depots",
            name=f"{depot} (strike {p.strike_prob[k]:.1%}/day)"))
    peak_depot = table.max().idxmax()
    loss = float(frame["loss_eur"].sum())
    title = (f"Peak exposed stock {table[peak_depot].max():,.0f} t at {peak_depot}; "
             f"expected strike loss EUR {loss:,.0f} over the plan")
    _layout(fig, title, "date", "stock [t]")
    return Section("exposed", "Stock exposed to strikes, per depot", title, fig,
                   {"exposed_tons_by_depot": table.reset_index()})


def days_of_supply_fan(run: RunData) -> Section | None:
    """P5/P50/P95 days of supply of each family across the simulated runs."""
    if run.bands is None:
        return None
    p, names, colors = run.problem, family_names(run), family_colors(run.problem)
    fig = go.Figure()
    ammunition = [fam for f, fam in enumerate(p.families) if not p.family_is_spare[f]]
    for fam in ammunition:
        rows = run.bands[run.bands["family"] == fam]
        color = colors[fam]
        fig.add_trace(go.Scatter(x=rows["date"], y=rows["dos_p95"], mode="lines",
                                 line={"width": 0, "color": color}, showlegend=False,
                                 legendgroup=fam, name=f"{names[fam]} P95"))
        fig.add_trace(go.Scatter(x=rows["date"], y=rows["dos_p5"], mode="lines", fill="tonexty",
                                 line={"width": 0, "color": color}, opacity=0.3,
                                 legendgroup=fam, showlegend=False, name=f"{names[fam]} P5"))
        fig.add_trace(go.Scatter(x=rows["date"], y=rows["dos_p50"], mode="lines",
                                 line={"color": color}, legendgroup=fam,
                                 name=f"{names[fam]} (median, P5-P95 band)"))
    title = _stockout_title(run)
    _layout(fig, title, "date", "days of supply [days]")
    fig.update_yaxes(range=[0, DOS_AXIS_DAYS])
    return Section("dos", "Days of supply across simulated runs", title, fig,
                   {"days_of_supply_bands": run.bands})


def _stockout_title(run: RunData) -> str:
    if run.metrics is None or not run.metrics.families:
        return "Days of supply across simulated runs"
    names = family_names(run)
    parts = [f"{names.get(fam, fam)} {m.stockout_prob:.0%}"
             for fam, m in run.metrics.families.items()]
    return f"Chance of running out over {run.metrics.runs} runs: " + ", ".join(parts)


def policy_frontier(run: RunData) -> Section | None:
    """Expected strike loss against probability of running out, one point per policy."""
    if run.frontier is None:
        return None
    table = pd.DataFrame([p.to_dict() for p in run.frontier.points])
    fig = go.Figure([go.Scatter(
        x=table["stockout_prob"], y=table["lost_value"], mode="markers+text",
        text=table["policy"], textposition="top center",
        marker={"size": 12, "color": np.where(table["on_frontier"], "#2166ac", "#bababa")},
        name="policies")])
    edge = table[table["on_frontier"]].sort_values("stockout_prob")
    fig.add_trace(go.Scatter(x=edge["stockout_prob"], y=edge["lost_value"], mode="lines",
                             line={"color": "#2166ac", "dash": "dot"}, name="frontier"))
    limit = run.frontier.risk_limit
    fig.add_vline(x=limit, line_dash="dash", line_color="#b2182b")
    verdict = "meets" if run.frontier.best_meets_limit else "is closest to"
    title = (f"Best policy under a {limit:.0%} risk of running out: {run.frontier.best} "
             f"({verdict} the limit)")
    _layout(fig, title, "probability of running out [1]", "expected strike loss [EUR]")
    return Section("frontier", "Policies: strike loss against running out", title, fig,
                   {"policy_frontier": table})


def outlook_table(run: RunData) -> pd.DataFrame | None:
    """The explain outlook as a table."""
    if run.explain is None:
        return None
    return pd.DataFrame(run.explain.to_dict()["families"])


SECTIONS: tuple[Callable[[RunData], Section | None], ...] = (
    stock_by_family, tranche_timeline, hub_load, exposed_stock, days_of_supply_fan,
    policy_frontier)


def build_sections(run: RunData) -> list[Section]:
    """Every section the run has data for, in reading order."""
    return [s for s in (make(run) for make in SECTIONS) if s is not None]


def generated_at() -> str:
    """UTC timestamp for the report footer."""
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
