"""Sections about where the stock sits and what it can pass through: stock exposed to strikes per
depot (with the safety stock the certified plan asks for), and absorption where it binds (hub
throughput, depot capacity, crews waiting for training).

A day *binds* when the load reaches `BINDING_SHARE` of the capacity: the plan cannot put more
through, so a later tranche waits or a depot holds less than it might.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from resupply.report.figures import Section, day_text, layout, money, number
from resupply.report.run_data import RunData
from resupply.report.sections_supply import family_mass

BINDING_SHARE = 0.99
"""Load at or above this share of capacity counts as binding. [1]"""
ROW_HEIGHT = 200
"""Height of one panel of the absorption chart. [px]"""


def hub_outflow(run: RunData) -> pd.DataFrame:
    """Tons moved from the hub per day: depot arrivals shifted back by each depot's transit
    (on a network: what leaves every hub, from the plan's route table, against their
    throughput together); ``binding`` where it reaches `BINDING_SHARE` of the throughput."""
    assert run.stock is not None
    p = run.problem
    mass = dict(zip(p.items, p.item_mass_t, strict=True))
    if not p.simple_network and run.routes is not None:
        from_hub = {r for r, n in zip(p.route_ids, p.route_from_hub, strict=True) if n >= 0}
        frame = run.routes[run.routes["route"].isin(from_hub)]
        frame = frame.assign(tons=frame["units"] * frame["item"].map(mass), left_hub=frame["day"])
    else:
        transit = dict(zip(p.depots, p.transit_days, strict=True))
        frame = run.stock[["item", "depot", "day", "arrivals"]].copy()
        frame["tons"] = frame["arrivals"] * frame["item"].map(mass)
        frame["left_hub"] = frame["day"] - frame["depot"].map(transit)
    tons = frame.groupby("left_hub")["tons"].sum().reindex(range(p.n_days), fill_value=0.0)
    table = pd.DataFrame({"day": np.arange(p.n_days), "date": p.dates.astype("datetime64[ns]"),
                          "tons": tons.to_numpy(), "capacity_t": p.hub_throughput_t})
    table["binding"] = table["tons"] >= BINDING_SHARE * table["capacity_t"]
    return table


def depot_stock_tons(run: RunData) -> pd.DataFrame:
    """[date x depot] tons held at the end of each day. [t]"""
    assert run.stock is not None
    p = run.problem
    mass = run.stock["item"].map(dict(zip(p.items, p.item_mass_t, strict=True)))
    held = run.stock.assign(tons=run.stock["stock"] * mass)
    table = (held.groupby(["date", "depot"], sort=False)["tons"].sum().unstack("depot")
             .reindex(columns=list(p.depots)).fillna(0.0))
    table.index = pd.DatetimeIndex(table.index)
    return table


def buffer_tons(run: RunData) -> pd.DataFrame | None:
    """[date x depot] the certified plan's safety stock in tons (family buffers x the family's
    mean unit mass, `family_mass`); None without buffers. [t]"""
    if run.buffers is None:
        return None
    mass = family_mass(run)
    frame = run.buffers[run.buffers["depot"] != "hub"]
    frame = frame.assign(tons=frame["level"] * frame["family"].map(mass).fillna(0.0))
    table = (frame.groupby(["date", "depot"])["tons"].sum().unstack("depot")
             .reindex(columns=list(run.problem.depots)).fillna(0.0))
    table.index = pd.DatetimeIndex(table.index)
    return table


def full_depot_days(run: RunData, held: pd.DataFrame) -> dict[str, pd.Series]:
    """Depot -> the days (and tons) its stock reaches `BINDING_SHARE` of its capacity."""
    caps = dict(zip(run.problem.depots, run.problem.depot_capacity_t, strict=True))
    return {d: held[d][held[d].to_numpy() >= BINDING_SHARE * float(caps[d])]
            for d in run.problem.depots}


def expected_loss_eur(run: RunData) -> float:
    """The plan's expected strike loss over the horizon (stock.parquet). [EUR]"""
    assert run.stock is not None
    value = dict(zip(run.problem.items, run.problem.item_value, strict=True))
    return float((run.stock["expected_loss"] * run.stock["item"].map(value)).sum())


def exposed_stock(run: RunData) -> Section | None:
    """Tons held in each depot over time, with the safety stock asked for and the strike
    risk of each depot."""
    if run.stock is None:
        return None
    p = run.problem
    table, buffers = depot_stock_tons(run), buffer_tons(run)
    fig = go.Figure()
    palette = ("#2166ac", "#d6604d", "#1b7837", "#762a83", "#8c510a", "#01665e")
    for k, depot in enumerate(p.depots):
        color = palette[k % len(palette)]
        fig.add_trace(go.Scatter(
            x=table.index, y=table[depot].to_numpy(), mode="lines", line={"color": color},
            name=f"{depot} (struck {p.strike_prob[k]:.1%} of days)",
            hovertemplate="%{y:,.1f} t"))
        if buffers is not None and buffers[depot].max() > 0:
            fig.add_trace(go.Scatter(
                x=buffers.index, y=buffers[depot].to_numpy(), mode="lines",
                line={"color": color, "dash": "dash", "width": 1.2},
                name=f"{depot} safety stock", hovertemplate="buffer %{y:,.1f} t"))
    peak_depot = str(table.max().idxmax())
    peak_day = table[peak_depot].idxmax()
    title = (f"Depots hold at most {number(float(table[peak_depot].max()), 't')} "
             f"({peak_depot}, {day_text(peak_day)}); the plan expects to lose "
             f"{money(expected_loss_eur(run))} of it to strikes")
    if run.metrics is not None:
        lost = run.metrics.overall.lost_value
        title += f" (simulated {money(lost.mean)}, P5-P95 {money(lost.p5)} to {money(lost.p95)})"
    layout(fig, title, x="", y="stock held [t]")
    tables = {"exposed_tons_by_depot": table.reset_index()}
    if buffers is not None:
        tables["safety_stock_tons_by_depot"] = buffers.reset_index()
    note = ("Solid: tons held at the end of each day; dashed: the safety stock the certified "
            "plan keeps there. Stock near zero means each tranche is used up before the next "
            "arrives: nothing is exposed, and nothing is held against a bad day.")
    return Section("exposed", "Stock exposed to strikes, per depot", title, fig, tables, note)


def training_queue(run: RunData) -> pd.DataFrame:
    """[date x platform name] platforms delivered and not yet in service (waiting for or in
    training): cumulative deliveries less the platforms that entered service. [platforms]

    Entered service is counted from the compiled fleet: ``in_service[t] - in_service[t-1] (1 -
    a)`` (attrition ``a`` per day), so the queue is what the fleet model holds back."""
    p = run.problem
    attrition = np.array([pl.attrition_per_day for pl in run.scenario.platforms])
    initial = np.array([pl.initial for pl in run.scenario.platforms], dtype=float)
    before = np.concatenate([initial[:, None], p.in_service[:, :-1]], axis=1)
    entered = p.in_service - before * (1.0 - attrition[:, None])
    queue = np.cumsum(p.delivered, axis=1) - np.cumsum(entered, axis=1)
    names = [pl.name or pl.id for pl in run.scenario.platforms]
    return pd.DataFrame(np.clip(queue, 0.0, None).T, columns=names,
                        index=pd.Index(p.dates.astype("datetime64[ns]"), name="date"))


def absorption(run: RunData) -> Section | None:
    """Hub throughput, each depot's stock against its capacity (binding days marked) and the
    platforms waiting for crews: what the recipient can absorb."""
    if run.stock is None:
        return None
    p = run.problem
    hub, depots, queue = hub_outflow(run), depot_stock_tons(run), training_queue(run)
    queue = queue.loc[:, queue.max() > 0.01]
    rows = 2 + (1 if queue.shape[1] else 0)
    fig = make_subplots(rows=rows, cols=1, shared_xaxes=True, vertical_spacing=0.09,
                        subplot_titles=["leaving the hub [t/day]", "held in depots [t]",
                                        "platforms waiting for trained crews"][:rows])
    fig.add_trace(go.Bar(x=hub["date"], y=hub["tons"], name="leaving the hub [t]",
                         marker={"color": "#4d4d4d"}, hovertemplate="%{y:,.1f} t"), row=1, col=1)
    fig.add_trace(go.Scatter(x=hub["date"], y=hub["capacity_t"], name="throughput [t/day]",
                             mode="lines", line={"color": "#b2182b", "dash": "dash"}),
                  row=1, col=1)
    bound = hub[hub["binding"]]
    if len(bound):
        fig.add_trace(go.Scatter(x=bound["date"], y=bound["tons"], mode="markers",
                                 name="hub binding", marker={"color": "#b2182b", "size": 7},
                                 meta={"binding": "hub"}), row=1, col=1)
    full_days = full_depot_days(run, depots)
    palette = ("#2166ac", "#d6604d", "#1b7837", "#762a83", "#8c510a", "#01665e")
    for k, depot in enumerate(p.depots):
        color, cap = palette[k % len(palette)], float(p.depot_capacity_t[k])
        held = depots[depot]
        fig.add_trace(go.Scatter(x=held.index, y=held.to_numpy(), mode="lines",
                                 name=f"{depot} held", line={"color": color},
                                 legendgroup=depot), row=2, col=1)
        fig.add_trace(go.Scatter(x=[held.index[0], held.index[-1]], y=[cap, cap], mode="lines",
                                 name=f"{depot} capacity", hoverinfo="skip", legendgroup=depot,
                                 showlegend=False,
                                 line={"color": color, "dash": "dash", "width": 1}),
                      row=2, col=1)
        full = full_days[depot]
        if len(full):
            fig.add_trace(go.Scatter(x=full.index, y=full.to_numpy(), mode="markers",
                                     name=f"{depot} full", marker={"color": color, "size": 7},
                                     legendgroup=depot, showlegend=False,
                                     meta={"binding": depot}), row=2, col=1)
    for platform in queue.columns:
        fig.add_trace(go.Scatter(x=queue.index, y=queue[platform].to_numpy(), mode="lines",
                                 line={"shape": "hv"}, name=f"{platform} waiting"),
                      row=3, col=1)
    title = absorption_title(hub, full_days, queue, hubs=len(run.problem.hubs))
    layout(fig, title, height=ROW_HEIGHT * rows)
    daily = depots.reindex(pd.DatetimeIndex(hub["date"])).ffill()  # a coarse step's days
    table = hub.assign(**{f"{d} held [t]": daily[d].to_numpy() for d in p.depots})
    tables = {"hub_load": hub, "depot_load": table.drop(columns=["tons", "capacity_t",
                                                                 "binding"])}
    if queue.shape[1]:
        tables["training_queue"] = queue.reset_index()
    note = (f"Dashed lines: capacities. A day binds (markers) when the load reaches "
            f"{BINDING_SHARE:.0%} of the capacity. Platforms waiting: delivered, not yet in "
            "service (crews in or waiting for training).")
    return Section("hub", "Absorption: hub, depots and training", title, fig, tables, note)


def absorption_title(hub: pd.DataFrame, full: dict[str, pd.Series],
                     queue: pd.DataFrame, *, hubs: int = 1) -> str:
    """Where absorption binds: hub days (``hubs`` > 1: the hubs' throughput together), full
    depots, the longest training queue."""
    parts = []
    one = hubs == 1
    binding = hub[hub["binding"]]
    if len(binding):
        whose = "hub" if one else "the hubs' combined"
        parts.append(f"{whose} throughput binds on {len(binding)} days from "
                     f"{day_text(binding['date'].iloc[0])}")
    else:
        peak = hub.iloc[int(np.argmax(hub["tons"].to_numpy()))]
        parts.append(f"{'hub peaks' if one else 'hubs together peak'} at "
                     f"{peak['tons'] / peak['capacity_t']:.0%} of {'its' if one else 'their'} "
                     f"throughput ({day_text(peak['date'])}), never binding")
    filled = [(d, s) for d, s in full.items() if len(s)]
    parts += [f"{d} full on {len(s)} days" for d, s in filled]
    if not filled:
        parts.append("no depot fills up")
    if queue.shape[1]:
        top = str(queue.max().idxmax())
        parts.append(f"up to {queue[top].max():,.0f} platforms ({top}) wait for trained crews")
    text = "; ".join(parts)
    return text[0].upper() + text[1:]
