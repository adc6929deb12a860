"""Sections about choosing a policy: strike loss against the chance of a stockout supply could
have prevented, one point per policy, with the risk limit drawn and the chosen plan marked;
and, when the run holds one, the frontier of certified plans and simple policies tuned to the
same certified risk levels (`resupply compare --risk-levels`)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from resupply.report.figures import Section, layout, money
from resupply.report.run_data import RunData

CHOSEN = "plan"
"""The policy that follows the plan of this run (the certified plan when it is certified)."""
CERTIFIED_KIND = "certified plan"
"""`kind` of the certified plan's points in certified_frontier.json."""


def short_policy(spec: str) -> str:
    """A policy spec with its tuned numbers to three figures (``order-up-to:25.1d``)."""
    return re.sub(r"\d+\.\d{3,}", lambda m: f"{float(m.group()):.3g}", spec)


def frontier_title(run: RunData) -> str:
    """The chosen plan against the limit and the best simple policy."""
    assert run.frontier is not None
    fr = run.frontier
    limit, chosen = fr.risk_limit, fr.point(CHOSEN)
    simple = [p for p in fr.points if p.policy != CHOSEN]
    meeting = [p for p in simple if p.avoidable_prob <= limit]
    if chosen is None:
        best = fr.best_point
        verdict = "meets" if fr.best_meets_limit else "is the closest to"
        return (f"{best.policy} {verdict} the {limit:.0%} limit on the chance of a stockout "
                f"supply could have prevented, losing {money(best.lost_value)} to strikes")
    verdict = "meets" if chosen.avoidable_prob <= limit else "misses"
    text = (f"The plan {verdict} the {limit:.0%} limit ({chosen.avoidable_prob:.1%} chance of "
            f"an avoidable stockout in the comparison's runs) and loses "
            f"{money(chosen.lost_value)} to strikes")
    if meeting:
        best = min(meeting, key=lambda p: p.lost_value)
        text += f"; the best simple policy under the limit, {best.policy}, loses "
        text += money(best.lost_value)
    elif simple:
        least = min(simple, key=lambda p: p.avoidable_prob)
        text += (f"; no simple policy meets it (least risky: {least.policy}, "
                 f"{least.avoidable_prob:.0%})")
    return text


def policy_frontier(run: RunData) -> Section | None:
    """Expected strike loss against the chance of an avoidable stockout, one point per policy;
    the risk limit dashed, the chosen plan a star, the frontier dotted."""
    if run.frontier is None:
        return None
    fr = run.frontier
    table = pd.DataFrame([p.to_dict() for p in fr.points])
    order = np.argsort(table["avoidable_prob"].to_numpy(), kind="stable")
    positions = np.empty(len(table), dtype=object)
    positions[order] = ["top center" if n % 2 == 0 else "bottom center"
                        for n in range(len(table))]
    fig = go.Figure([go.Scatter(
        x=table["avoidable_prob"], y=table["lost_value"], mode="markers+text",
        text=table["policy"], textposition=list(positions), cliponaxis=False,
        marker={"size": 11, "color": np.where(table["on_frontier"], "#2166ac", "#bababa")},
        customdata=table["stockout_prob"],
        hovertemplate="%{text}: avoidable %{x:.1%} (all %{customdata:.1%}), "
                      "EUR %{y:,.0f}<extra></extra>",
        name="policies")])
    edge = table[table["on_frontier"]].sort_values("avoidable_prob")
    fig.add_trace(go.Scatter(x=edge["avoidable_prob"], y=edge["lost_value"], mode="lines",
                             line={"color": "#2166ac", "dash": "dot"}, name="frontier",
                             hoverinfo="skip"))
    chosen = table[table["policy"] == CHOSEN]
    if len(chosen):
        certified = run.certificate is not None and run.certificate["status"] == "certified"
        label = "chosen: the certified plan" if certified else "chosen: the plan"
        fig.add_trace(go.Scatter(
            x=chosen["avoidable_prob"], y=chosen["lost_value"], mode="markers", name=label,
            marker={"symbol": "star", "size": 20, "color": "#e08214",
                    "line": {"color": "#333", "width": 1}}, hoverinfo="skip"))
    limit = fr.risk_limit
    fig.add_trace(go.Scatter(x=[limit, limit], y=[0, float(table["lost_value"].max()) * 1.05],
                             mode="lines", line={"color": "#b2182b", "dash": "dash"},
                             name=f"risk limit {limit:.0%}", hoverinfo="skip"))
    top = max(float(table["avoidable_prob"].max()), limit) * 1.1
    title = frontier_title(run)
    layout(fig, title, x="chance of a stockout supply could have prevented [1]",
           y="expected strike loss [EUR]")
    fig.update_layout(hovermode="closest")
    fig.update_xaxes(range=[-0.02 * top, top], tickformat=".0%")
    return Section("frontier", "Policies: strike loss against the risk of running out", title,
                   fig, {"policy_frontier": table},
                   note="Left is safer, lower loses less to strikes. Blue points are on the "
                        "frontier (no policy is both safer and cheaper); the star is the plan "
                        "this run chose; the dashed line the risk limit.")


def certified_title(points: pd.DataFrame, level: float) -> str:
    """The certified frontier's finding at ``level`` (as `workflow.frontier.finding`)."""
    at = points[points["level"] == level]
    plan = at[at["kind"] == CERTIFIED_KIND]
    simple = at[(at["kind"] != CERTIFIED_KIND) & at["meets"]]
    if plan.empty or not bool(plan["meets"].iloc[0]):
        return f"At {level:.0%} risk no plan could be certified"
    loss = float(plan["lost_value"].iloc[0])
    if simple.empty:
        return (f"At {level:.0%} risk the certified plan loses {money(loss)} to strikes; no "
                "simple policy tuned here meets that risk")
    best = simple.iloc[int(np.argmin(simple["lost_value"].to_numpy()))]
    change = 1.0 - loss / best["lost_value"] if best["lost_value"] > 0 else 0.0
    word = "less" if change >= 0 else "more"
    return (f"At {level:.0%} risk the certified plan loses {money(loss)} to strikes, "
            f"{abs(change):.0%} {word} than {short_policy(str(best['policy']))} tuned to the "
            "same risk "
            f"({money(float(best['lost_value']))})")


def chosen_level(run: RunData) -> float:
    """The risk level the certified frontier's finding speaks of: the run's risk limit when
    it is one of the levels, else the middle level."""
    assert run.certified_frontier
    levels = sorted({float(p["level"]) for p in run.certified_frontier})
    limit = run.frontier.risk_limit if run.frontier is not None else None
    return float(limit) if limit is not None and limit in levels else levels[len(levels) // 2]


def certified_frontier(run: RunData) -> Section | None:
    """Certified plans and tuned simple policies at each risk level: strike loss against the
    certified bound; filled markers meet their level, open ones do not."""
    if not run.certified_frontier:
        return None
    points = pd.DataFrame(list(run.certified_frontier))
    points["policy"] = points["policy"].map(lambda s: short_policy(str(s)))
    level = chosen_level(run)
    fig = go.Figure()
    symbols = ("star", "circle", "square", "diamond", "triangle-up")
    for n, (kind, group) in enumerate(points.groupby("kind", sort=False)):
        rows = group.sort_values("level")
        fig.add_trace(go.Scatter(
            x=rows["upper_bound"], y=rows["lost_value"], mode="lines+markers", name=str(kind),
            marker={"symbol": [symbols[n % len(symbols)] + ("" if m else "-open")
                               for m in rows["meets"]], "size": 16 if n == 0 else 11},
            text=[f"{lv:.0%}" for lv in rows["level"]],
            hovertemplate=f"{kind} at %{{text}}: bound %{{x:.1%}}, EUR %{{y:,.0f}}"
                          "<extra></extra>"))
    chosen = points[(points["kind"] == CERTIFIED_KIND) & (points["level"] == level)]
    if len(chosen):
        fig.add_trace(go.Scatter(
            x=chosen["upper_bound"], y=chosen["lost_value"], mode="markers",
            name=f"chosen: certified plan at {level:.0%}", hoverinfo="skip",
            marker={"symbol": "star", "size": 24, "color": "#e08214",
                    "line": {"color": "#333", "width": 1}}))
    fig.add_trace(go.Scatter(x=[level, level], y=[0, float(points["lost_value"].max()) * 1.05],
                             mode="lines", line={"color": "#b2182b", "dash": "dash"},
                             name=f"risk limit {level:.0%}", hoverinfo="skip"))
    title = certified_title(points, level)
    layout(fig, title, x="certified bound on the chance of an avoidable stockout [1]",
           y="expected strike loss [EUR]")
    fig.update_layout(hovermode="closest")
    fig.update_xaxes(tickformat=".0%")
    return Section("certified", "Certified plans against simple policies tuned to the same risk",
                   title, fig, {"certified_frontier": points},
                   note="Each point is judged on fresh runs; its x is the one-sided upper bound "
                        "of its chance of an avoidable stockout. Open markers miss their level.")
