"""Sections about the network of a plan with several hubs or routes of their own: the tons on
each route over the horizon as a Sankey (donors -> entry hubs -> depots, and depot -> depot),
and each hub's load (tons leaving against its throughput, stock against its storage).

Both read the plan's daily tables (routes.parquet, hubs.parquet) times the items' masses, and
flows.csv only for each route's transport cost. A multi-resolution plan (``--daily-days``)
gives one total per coarse step, on the step's first day: the daily series spread it evenly
over the step's days (a daily mean), so a day of a coarse step binds when that mean reaches
`BINDING_SHARE` of the day's capacity.
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from resupply.compile.coarsen import step_lengths
from resupply.report.figures import (
    Section,
    cell,
    day_text,
    layout,
    money,
    number,
    panel_height,
    panels,
)
from resupply.report.run_data import RunData
from resupply.report.sections_depots import BINDING_SHARE

LABEL_CHARS = 40
"""Longest node label of the Sankey (`short_label`). [characters]"""
FLOW = 1e-6
"""Routes carrying less than this over the horizon are left out of the Sankey. [t]"""
NODE_COLORS = {"donor": "#878787", "hub": "#2166ac", "depot": "#1b7837"}
"""Node colour by kind."""
LINK_COLORS = {"free": "rgba(67, 147, 195, 0.35)", "binding": "rgba(178, 24, 43, 0.55)"}
"""Link colour: a route that reaches its capacity on some day is red."""


def has_network(run: RunData) -> bool:
    """True when the run's plan goes over a network of its own (several hubs, or routes with
    their own capacity, cost or dates) and the plan directory holds its flows."""
    return (run.routes is not None and run.flows is not None and not run.flows.empty
            and not run.problem.simple_network)


def short_label(name: str, ident: str) -> str:
    """A node label: the name without what it says in brackets, cut before " and " when
    longer than `LABEL_CHARS`; the id when still longer (or when there is no name)."""
    text = (name or ident).split(" (", 1)[0]
    if len(text) > LABEL_CHARS:
        text = text.split(" and ", 1)[0]
    return text if len(text) <= LABEL_CHARS else ident


def place_labels(run: RunData) -> dict[str, str]:
    """Donor, hub and depot id -> its short label (`short_label`)."""
    s = run.scenario
    hubs = s.network.hubs if s.network is not None else []
    return {**{d.id: short_label(d.name, d.id) for d in s.donors},
            **{h.id: short_label(h.name, h.id) for h in hubs},
            **{k.id: short_label(k.name, k.id) for k in s.depots}}


def plan_steps(run: RunData) -> dict[int, int]:
    """First day of each step of the plan -> its length (1 for every day of a daily plan, as
    the options in plan.json say). [days]"""
    n_days = run.problem.n_days
    options = (run.plan or {}).get("options") or {}
    daily = options.get("daily_days")
    lengths = (step_lengths(n_days, int(daily), int(options.get("step_days") or 7))
               if daily else np.ones(n_days, dtype=np.int64))
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    return {int(s): int(n) for s, n in zip(starts, lengths, strict=True)}


def route_ids(run: RunData) -> list[str]:
    """Every route of the network: the supply routes, then the routes into depots."""
    return [*run.problem.supply_ids, *run.problem.route_ids]


def daily_route_tons(run: RunData) -> pd.DataFrame:
    """[day x route] tons leaving the origin of each route on each day (routes.parquet x the
    item's mass; a coarse step's total spread evenly over its days). [t/day]"""
    assert run.routes is not None
    p = run.problem
    mass = dict(zip(p.items, p.item_mass_t, strict=True))
    frame = run.routes.assign(tons=run.routes["units"] * run.routes["item"].map(mass))
    by = frame.groupby(["route", "day"], as_index=False)["tons"].sum()
    length = by["day"].map(plan_steps(run)).fillna(1).astype(np.int64)
    spread = by.loc[by.index.repeat(length)].copy()
    spread["day"] += spread.groupby(level=0).cumcount().to_numpy()
    spread["tons"] /= length.loc[spread.index].to_numpy()
    table = (spread.groupby(["day", "route"])["tons"].sum().unstack("route")
             .reindex(index=range(p.n_days), columns=route_ids(run)).fillna(0.0))
    table.index.name = "day"
    return pd.DataFrame(table)


def route_capacity(run: RunData) -> pd.DataFrame:
    """[day x route] tons that may depart on each route each day (``inf``: none). [t/day]"""
    p = run.problem
    caps = np.concatenate([p.supply_capacity_t, p.route_capacity_t], axis=0)
    return pd.DataFrame(caps.T, columns=route_ids(run),
                        index=pd.RangeIndex(p.n_days, name="day"))


def route_summary(run: RunData) -> pd.DataFrame:
    """One row per route: where from and to (ids), mode, transit, units and tons over the
    horizon, transport cost (flows.csv), the busiest day and its use of the route's capacity,
    and the days the route runs at capacity (`BINDING_SHARE`)."""
    assert run.routes is not None and run.flows is not None
    p = run.problem
    tons, cap = daily_route_tons(run), route_capacity(run)
    places = np.asarray([*p.hubs, *p.depots], dtype=object)
    origin = np.where(p.route_from_hub >= 0, p.route_from_hub,
                      len(p.hubs) + np.maximum(p.route_from_depot, 0))
    units = run.routes.groupby("route")["units"].sum()
    transport = run.flows.set_index("route")["transport_eur"]
    use = tons / cap.where(np.isfinite(cap))
    busiest = tons.to_numpy().argmax(axis=0)
    at_cap = ((tons >= BINDING_SHARE * cap) & (tons > 0) & np.isfinite(cap)).sum()
    ids = route_ids(run)
    dates = p.dates.astype("datetime64[ns]")
    return pd.DataFrame({
        "route": ids,
        "kind": ["supply"] * len(p.supply_ids) + ["route"] * len(p.route_ids),
        "origin": [*np.asarray(p.donors, dtype=object)[p.supply_donor], *places[origin]],
        "destination": [*np.asarray(p.hubs, dtype=object)[p.supply_hub],
                        *np.asarray(p.depots, dtype=object)[p.route_depot]],
        "mode": [*p.supply_mode, *p.route_mode],
        "transit_days": [*p.supply_transit_days, *p.route_transit_days],
        "units": units.reindex(ids).fillna(0.0).to_numpy(),
        "tons": tons.sum().to_numpy(),
        "transport_eur": transport.reindex(ids).to_numpy(dtype=float),
        "capacity_t_per_day": np.where(np.isfinite(cap.min()), cap.min(), np.nan),
        "busiest_day": np.where(tons.max().to_numpy() > 0, dates[busiest],
                                np.datetime64("NaT", "ns")),
        "busiest_t": tons.max().to_numpy(),
        "busiest_capacity_t": np.where(np.isfinite(cap.to_numpy()[busiest, np.arange(len(ids))]),
                                       cap.to_numpy()[busiest, np.arange(len(ids))], np.nan),
        "busiest_use": use.to_numpy()[busiest, np.arange(len(ids))],
        "days_at_capacity": at_cap.to_numpy()})


def hub_stock_tons(run: RunData) -> pd.DataFrame:
    """[day x hub] tons held at each hub at the end of each day (hubs.parquet x the item's
    mass; a coarse step's end stock held over its days). [t]"""
    assert run.hubs is not None
    p = run.problem
    mass = dict(zip(p.items, p.item_mass_t, strict=True))
    frame = run.hubs.assign(tons=run.hubs["stock"] * run.hubs["item"].map(mass))
    starts = list(plan_steps(run))
    table = (frame.groupby(["day", "hub"])["tons"].sum().unstack("hub")
             .reindex(index=starts, columns=list(p.hubs)).fillna(0.0)
             .reindex(range(p.n_days)).ffill())
    table.index.name = "day"
    return table


def hub_load(run: RunData) -> pd.DataFrame:
    """One row per hub and day: tons leaving on the routes from the hub against its
    throughput, tons held against its storage capacity (NaN: none), and whether each binds
    (`BINDING_SHARE`). [t/day, t]"""
    p = run.problem
    tons, held = daily_route_tons(run), hub_stock_tons(run)
    dates = p.dates.astype("datetime64[ns]")
    parts = []
    for n, hub in enumerate(p.hubs):
        out = [p.route_ids[a] for a in np.nonzero(p.route_from_hub == n)[0]]
        leaving = tons[out].sum(axis=1).to_numpy()
        limit = p.hub_limit_t[n]
        storage = float(p.hub_capacity_t[n])
        parts.append(pd.DataFrame({
            "hub": hub, "day": np.arange(p.n_days), "date": dates, "leaving_t": leaving,
            "throughput_t": limit, "held_t": held[hub].to_numpy(),
            "storage_t": storage if np.isfinite(storage) else np.nan,
            "at_throughput": (leaving >= BINDING_SHARE * limit) & (leaving > 0),
            "full": (held[hub].to_numpy() >= BINDING_SHARE * storage) & np.isfinite(storage)}))
    return pd.concat(parts, ignore_index=True)


def hub_summary(load: pd.DataFrame) -> pd.DataFrame:
    """One row per hub: tons leaving over the horizon and its share of all hubs', the busiest
    day, the days at throughput, the peak stock and the days full."""
    rows = []
    total = float(load["leaving_t"].sum())
    for hub, days in load.groupby("hub", sort=False):
        peak = days.iloc[int(np.argmax(days["leaving_t"].to_numpy()))]
        rows.append({
            "hub": hub, "tons": float(days["leaving_t"].sum()),
            "share": float(days["leaving_t"].sum()) / total if total > 0 else np.nan,
            "busiest_day": peak["date"], "busiest_t": float(peak["leaving_t"]),
            "throughput_that_day_t": float(peak["throughput_t"]),
            "days_at_throughput": int(days["at_throughput"].sum()),
            "peak_held_t": float(days["held_t"].max()),
            "storage_t": float(days["storage_t"].iloc[0]),
            "days_full": int(days["full"].sum())})
    return pd.DataFrame(rows)


def network_title(run: RunData, routes: pd.DataFrame, hubs: pd.DataFrame) -> str:
    """Which hub carries most of the tonnage, and which route and hub bind most often."""
    labels = place_labels(run)
    if hubs.empty or not float(hubs["tons"].sum()) > 0:
        return "No tonnage moves through the hubs under the plan"
    top = hubs.iloc[int(np.argmax(hubs["tons"].to_numpy()))]
    parts = [f"{labels.get(top['hub'], top['hub'])} carries {top['share']:.0%} of the "
             f"{number(float(hubs['tons'].sum()), 't')} leaving the hubs"]
    bound = routes[routes["days_at_capacity"] > 0].sort_values(
        ["days_at_capacity", "tons"], ascending=False, kind="stable")
    if len(bound):
        first, days = bound.iloc[0], int(bound.iloc[0]["days_at_capacity"])
        text = (f"route {first['route']} ({labels.get(first['origin'], first['origin'])} to "
                f"{labels.get(first['destination'], first['destination'])}) runs at capacity "
                f"on {days} day{'s' if days != 1 else ''}")
        if len(bound) > 1:
            text += f" ({len(bound) - 1} more route{'s' if len(bound) > 2 else ''} at capacity)"
        parts.append(text)
    full = hubs[hubs["days_at_throughput"] > 0].sort_values("days_at_throughput",
                                                             ascending=False, kind="stable")
    if len(full):
        first = full.iloc[0]
        parts.append(f"{labels.get(first['hub'], first['hub'])} at its throughput on "
                     f"{first['days_at_throughput']} days")
    if not len(bound) and not len(full):
        parts.append("no route or hub reaches its capacity")
    elif not len(full):
        parts.append("no hub reaches its throughput")
    elif not len(bound):
        parts.append("no route reaches its capacity")
    return "; ".join(parts)


def _link_text(row: pd.Series, labels: dict[str, str]) -> str:
    """The hover text of one route of the Sankey (names escaped: Plotly reads tags in it)."""
    mode = f" ({row['mode']})" if isinstance(row["mode"], str) and row["mode"] else ""
    lines = [f"<b>{html.escape(str(row['route']) + mode)}</b>: "
             f"{html.escape(labels.get(row['origin'], row['origin']))} → "
             f"{html.escape(labels.get(row['destination'], row['destination']))}",
             f"{number(float(row['tons']), 't')}, {number(float(row['units']), 'units')}",
             f"transport {money(float(row['transport_eur']))}, "
             f"{int(row['transit_days'])} days in transit"]
    busiest = f"busiest day {day_text(row['busiest_day'])}: {number(float(row['busiest_t']), 't')}"
    if np.isfinite(row["busiest_use"]):
        days = int(row["days_at_capacity"])
        busiest += (f" of {number(float(row['busiest_capacity_t']), 't')} "
                    f"({float(row['busiest_use']):.0%} of capacity); "
                    + (f"at capacity on {days} day{'s' if days != 1 else ''}" if days
                       else "never at capacity"))
    else:
        busiest += " (no capacity of its own)"
    return "<br>".join([*lines, busiest])


def network_flows(run: RunData) -> Section | None:
    """Tons per route over the horizon, donors -> hubs -> depots (and depot -> depot), as a
    Sankey; links that reach their capacity on some day in red."""
    if not has_network(run):
        return None
    labels = place_labels(run)
    routes = route_summary(run)
    hubs = hub_summary(hub_load(run))
    shown = routes[routes["tons"] > FLOW].reset_index(drop=True)
    p = run.problem
    kinds = {**dict.fromkeys(p.donors, "donor"), **dict.fromkeys(p.hubs, "hub"),
             **dict.fromkeys(p.depots, "depot")}
    order = [x for x in (*p.donors, *p.hubs, *p.depots)
             if x in set(shown["origin"]) | set(shown["destination"])]
    index = {x: n for n, x in enumerate(order)}
    fig = go.Figure(go.Sankey(
        arrangement="snap", valueformat=",.0f", valuesuffix=" t",
        node={"label": [html.escape(labels.get(x, x)) for x in order], "pad": 14,
              "thickness": 16, "color": [NODE_COLORS[kinds[x]] for x in order],
              "customdata": [html.escape(f"{labels.get(x, x)} ({kinds[x]} {x})")
                             for x in order],
              "hovertemplate": "%{customdata}<br>%{value:,.0f} t<extra></extra>"},
        link={"source": [index[x] for x in shown["origin"]],
              "target": [index[x] for x in shown["destination"]],
              "value": shown["tons"].to_numpy(), "label": shown["route"].tolist(),
              "color": [LINK_COLORS["binding" if d > 0 else "free"]
                        for d in shown["days_at_capacity"]],
              "customdata": [_link_text(r, labels) for _, r in shown.iterrows()],
              "hovertemplate": "%{customdata}<extra></extra>"},
        meta={"network": "routes"}))
    title = network_title(run, routes, hubs)
    layout(fig, title, height=max(420, 22 * len(order)), legend=False)
    fig.update_layout(hovermode="closest", font={"size": 12})
    table = routes.drop(columns=["kind"])
    return Section(
        "network", "Network: tons per route", title, fig,
        {"network_routes": table},
        note=f"Width: tons sent on each route over the horizon, from donors (grey) through "
             f"the entry hubs (blue) to the depots (green). Red links reach "
             f"{BINDING_SHARE:.0%} of the route's capacity on at least one day. Hover a link "
             "for units, transport cost, transit and its busiest day.")


def hub_loads(run: RunData) -> Section | None:
    """Per hub, tons leaving each day against its throughput and tons held against its
    storage, small multiples with the binding days marked."""
    if not has_network(run):
        return None
    load = hub_load(run)
    p, labels = run.problem, place_labels(run)
    titles = []
    for hub in p.hubs:
        titles += [f"{labels.get(hub, hub)}: leaving [t/day]", f"{labels.get(hub, hub)}: held [t]"]
    fig = panels(titles)
    for n, hub in enumerate(p.hubs):
        days = load[load["hub"] == hub]
        first = n == 0
        left, right = cell(2 * n, 2), cell(2 * n + 1, 2)
        fig.add_trace(go.Bar(x=days["date"], y=days["leaving_t"], name="leaving [t/day]",
                             marker={"color": "#4d4d4d"}, legendgroup="leaving",
                             showlegend=first, hovertemplate="%{y:,.1f} t",
                             meta={"hub": hub, "series": "leaving"}), **left)
        fig.add_trace(go.Scatter(x=days["date"], y=days["throughput_t"], mode="lines",
                                 name="throughput [t/day]", legendgroup="throughput",
                                 showlegend=first, line={"color": "#b2182b", "dash": "dash"},
                                 meta={"hub": hub, "series": "throughput"}), **left)
        bound = days[days["at_throughput"]]
        if len(bound):
            fig.add_trace(go.Scatter(
                x=bound["date"], y=bound["leaving_t"], mode="markers", name="at throughput",
                marker={"color": "#b2182b", "size": 6}, legendgroup="binding",
                showlegend=not any(t.legendgroup == "binding" for t in fig.data),
                meta={"hub": hub, "binding": "throughput"}), **left)
        fig.add_trace(go.Scatter(x=days["date"], y=days["held_t"], mode="lines",
                                 name="held [t]", legendgroup="held", showlegend=first,
                                 line={"color": "#2166ac"}, hovertemplate="%{y:,.1f} t",
                                 meta={"hub": hub, "series": "held"}), **right)
        storage = float(days["storage_t"].iloc[0])
        if np.isfinite(storage):
            fig.add_trace(go.Scatter(
                x=days["date"], y=np.full(len(days), storage), mode="lines",
                name="storage capacity [t]", legendgroup="storage",
                showlegend=not any(t.legendgroup == "storage" for t in fig.data),
                line={"color": "#2166ac", "dash": "dash", "width": 1},
                meta={"hub": hub, "series": "storage"}), **right)
            full = days[days["full"]]
            if len(full):
                fig.add_trace(go.Scatter(
                    x=full["date"], y=full["held_t"], mode="markers", name="full",
                    marker={"color": "#2166ac", "size": 6}, legendgroup="full",
                    showlegend=not any(t.legendgroup == "full" for t in fig.data),
                    meta={"hub": hub, "binding": "storage"}), **right)
        else:
            fig.add_annotation(x=0.98, xref="x domain", y=0.95, yref="y domain",
                               text="no storage limit", showarrow=False, xanchor="right",
                               font={"color": "#666", "size": 11}, **right)
    summary = hub_summary(load)
    title = hub_title(summary, labels)
    layout(fig, title, height=panel_height(2 * len(p.hubs)))
    return Section(
        "hubload", "Network: each hub's load", title, fig,
        {"hub_load_summary": summary, "hub_load_daily": load},
        note=f"Left: tons leaving the hub on its routes each day (bars) against its "
             f"throughput (dashed); right: tons held at the end of the day against its "
             f"storage capacity. Markers: days at {BINDING_SHARE:.0%} of the limit or more. "
             "Days of a coarse plan step show the step's daily mean.")


def hub_title(summary: pd.DataFrame, labels: dict[str, str]) -> str:
    """`hub_phrase` as a title (capitalised)."""
    text = hub_phrase(summary, labels)
    return text[0].upper() + text[1:]


def hub_phrase(summary: pd.DataFrame, labels: dict[str, str]) -> str:
    """The hubs at their throughput or full, or the busiest hub's peak against its
    throughput."""
    busy = summary.assign(use=summary["busiest_t"] / summary["throughput_that_day_t"])
    parts = []
    for row in busy.to_dict("records"):
        name = labels.get(str(row["hub"]), str(row["hub"]))
        if row["days_at_throughput"]:
            parts.append(f"{name} at its throughput on {int(row['days_at_throughput'])} days")
        elif row["days_full"]:
            parts.append(f"{name} full on {int(row['days_full'])} days")
    if not parts:
        top = busy.iloc[int(np.argmax(busy["use"].fillna(0).to_numpy()))]
        parts.append(f"no hub reaches its throughput; the busiest, "
                     f"{labels.get(str(top['hub']), str(top['hub']))}, peaks at "
                     f"{float(top['use']):.0%} of it ({day_text(top['busiest_day'])})")
    return "; ".join(parts)
