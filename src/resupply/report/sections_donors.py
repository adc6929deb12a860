"""Sections about who sends what: which donor matters (each donor's share of every family's
supply under the plan) and the tranche timeline."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from resupply.report.figures import Section, family_names, layout, number
from resupply.report.palette import standard_colors
from resupply.report.run_data import RunData

DONOR_COLORS = ("#2166ac", "#d6604d", "#1b7837", "#762a83", "#e08214", "#01665e", "#8c510a",
                "#4393c3", "#c2a5cf", "#5aae61", "#878787", "#f4a582", "#b2182b", "#35978f",
                "#fdb863", "#9970ab", "#a6dba0", "#543005", "#92c5de", "#4d4d4d")
"""One colour per donor, in the scenario's order (cycled)."""


def donor_names(run: RunData) -> dict[str, str]:
    """Donor id -> display name (the scenario's name, else the id)."""
    return {d.id: (d.name or d.id) for d in run.scenario.donors}


def donor_shares(run: RunData) -> pd.DataFrame:
    """One row per family and donor: units the plan's tranches carry and their share of the
    family's total. [units, 1]"""
    assert run.tranches is not None
    p = run.problem
    units = dict(zip(p.families, p.family_units, strict=True))
    by = run.tranches.groupby(["family", "donor"], as_index=False)["quantity"].sum()
    by = by[by["quantity"] > 0.5]
    by["share"] = by["quantity"] / by.groupby("family")["quantity"].transform("sum")
    by["unit"] = by["family"].map(units)
    order = {f: n for n, f in enumerate(p.families)}
    ranked: pd.DataFrame = (by.assign(_f=by["family"].map(order))
                            .sort_values(["_f", "share"], ascending=[True, False])
                            .drop(columns="_f").reset_index(drop=True))
    return ranked


def top_donors(shares: pd.DataFrame) -> pd.DataFrame:
    """The largest donor of each family (first row of `donor_shares` per family)."""
    return shares.groupby("family", sort=False).head(1).reset_index(drop=True)


def donor_title(run: RunData, shares: pd.DataFrame) -> str:
    """Which donor matters: the largest donor of each family, most dependent first."""
    names, donors = family_names(run), donor_names(run)
    top = top_donors(shares).sort_values("share", ascending=False)
    parts = [f"{donors.get(str(donor), str(donor))} sends {share:.0%} of {names[str(fam)]}"
             for donor, share, fam in zip(top["donor"], top["share"], top["family"],
                                          strict=True)]
    more = len(parts) - 3
    shown = parts[:3] + ([f"{more} more {'family' if more == 1 else 'families'} in the chart"]
                         if more > 0 else [])
    return "Which donor matters: " + "; ".join(shown)


def donor_section(run: RunData) -> Section | None:
    """Each donor's share of each family's supply under the plan (100 % bars; a donor that
    sends none of a family has a zero-width bar there: a gap would break the stacking)."""
    if run.tranches is None or run.tranches.empty:
        return None
    shares = donor_shares(run)
    if shares.empty:
        return None
    p, names, donors = run.problem, family_names(run), donor_names(run)
    fams = [f for f in p.families if f in set(shares["family"])]
    labels = [names[f] for f in fams]
    fig = go.Figure()
    for n, donor in enumerate(d for d in p.donors if d in set(shares["donor"])):
        rows = shares[shares["donor"] == donor].set_index("family").reindex(fams)
        fig.add_trace(go.Bar(
            y=labels, x=rows["share"].fillna(0.0).to_numpy(), orientation="h",
            name=donors.get(donor, donor), meta={"donor": donor},
            marker={"color": DONOR_COLORS[n % len(DONOR_COLORS)]},
            customdata=np.stack([rows["quantity"].fillna(0.0).to_numpy(),
                                 rows["unit"].fillna("").to_numpy()], axis=1),
            hovertemplate=f"{donors.get(donor, donor)}: %{{x:.0%}} "
                          "(%{customdata[0]:,.0f} %{customdata[1]})"
                          "<extra></extra>"))
    title = donor_title(run, shares)
    layout(fig, title, height=max(160, 34 * len(fams)))
    fig.update_layout(barmode="stack", hovermode="closest", legend={"traceorder": "normal"},
                      xaxis={"tickformat": ".0%", "range": [0, 1]},
                      yaxis={"autorange": "reversed", "automargin": True})
    table = shares.assign(quantity=[number(q, u) for q, u in zip(shares["quantity"],
                                                                 shares["unit"], strict=True)])
    return Section("donors", "Which donor matters: shares of each family's supply", title, fig,
                   {"donor_shares": table.drop(columns="unit")},
                   note="Share of the units each family receives under the plan, by donor. A "
                        "family fed by one donor depends on that donor's decisions.")


def tranche_timeline(run: RunData) -> Section | None:
    """Tranches per donor over time (Gantt-like): one marker per donor-day, sized by tons."""
    if run.tranches is None or run.tranches.empty:
        return None
    p = run.problem
    table = (run.tranches.groupby(["donor", "date", "standard"], as_index=False)
             [["quantity", "tons"]].sum().sort_values(["donor", "date"]))
    table["donor"] = table["donor"].map(lambda d: donor_names(run).get(str(d), str(d)))
    colors = standard_colors(p)
    fig = go.Figure()
    biggest = max(float(table["tons"].max()), 1e-9)
    for standard, rows in table.groupby("standard", sort=False):
        fig.add_trace(go.Scatter(
            x=rows["date"], y=rows["donor"], mode="markers", name=f"{standard} standard",
            marker={"size": 6 + 30 * np.sqrt(rows["tons"].to_numpy() / biggest),
                    "color": colors.get(str(standard), "#444")},
            customdata=rows["tons"].to_numpy(), hovertemplate="%{y}: %{customdata:,.1f} t"))
    by_donor = table.groupby("donor")["tons"].sum().sort_values(ascending=False)
    share = by_donor.iloc[0] / by_donor.sum() if by_donor.sum() > 0 else 0.0
    title = (f"{len(table)} tranches from {len(by_donor)} donors; the most tonnage: "
             f"{by_donor.index[0]} with {share:.0%}")
    layout(fig, title, height=max(220, 40 * len(by_donor)))
    fig.update_layout(hovermode="closest", yaxis={"automargin": True})
    return Section("tranches", "Tranche timeline per donor", title, fig,
                   {"tranches_by_donor_day": table},
                   note="One marker per donor and dispatch day, its area in proportion to "
                        "the tons sent.")
