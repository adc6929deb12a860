"""The one-screen summary at the top of the report: can the flow be sustained (per standard),
the certified risk, the expected strike loss with its interval, what binds, which hub of a
network carries most and which route binds, which donor matters and which policy to choose,
each with the key of the section whose chart shows it.

Every figure here is computed by the same functions the sections use for their titles and
tables, so the summary and the charts agree figure for figure (tests/report check it from the
rendered page against the run's files).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from resupply.report.figures import day_text, family_names, money, number
from resupply.report.findings import certificate_words
from resupply.report.run_data import RunData
from resupply.report.sections_depots import (
    absorption_title,
    depot_stock_tons,
    full_depot_days,
    hub_outflow,
    training_queue,
)
from resupply.report.sections_donors import donor_shares, donor_title
from resupply.report.sections_frontier import certified_title, chosen_level, frontier_title
from resupply.report.sections_network import (
    has_network,
    hub_load,
    hub_summary,
    network_title,
    route_summary,
)
from resupply.report.sections_supply import SHORT, shortfall_by_family

SHORT_SHARE = 0.005
"""A family counts as short under the plan when more than this share of its need is unmet."""


@dataclass(frozen=True)
class SummaryItem:
    """One line of the summary and the section (chart) that shows it."""

    topic: str
    """A word or two in bold before the sentence."""
    text: str
    section: str
    """Key of the section whose chart shows it (the page anchor)."""


def sustain_items(run: RunData) -> list[SummaryItem]:
    """Per standard: is every family covered under the plan, or which run short and when."""
    if run.shortfalls is None:
        return []
    p, names = run.problem, family_names(run)
    short = shortfall_by_family(run)
    need = p.family_need().sum(axis=1)
    items = []
    for s, standard in enumerate(p.standards):
        fams = [n for n in range(len(p.families)) if p.family_standard[n] == s]
        gaps = []
        for n in fams:
            fam, gap = p.families[n], float(short[p.families[n]].sum())
            if need[n] > 0 and gap > SHORT_SHARE * need[n]:
                first = short.index[short[fam].to_numpy() > SHORT][0]
                gaps.append(f"{names[fam]} short {number(gap, p.family_units[n])} "
                            f"({gap / need[n]:.0%} of need) from {day_text(first)}")
        label = run.scenario.standards[s].name or standard
        if gaps:
            text = f"the flow cannot be sustained, even by the plan: {'; '.join(gaps)}"
        else:
            text = ("the plan sustains the flow at the expected need (the risk below is for "
                    "worse days): "
                    + ", ".join(names[p.families[n]] for n in fams) + " covered throughout")
        items.append(SummaryItem(f"{label} standard", text, "stock"))
    return items


def counted_from(cert: dict[str, Any], names: dict[str, str]) -> str:
    """``, counted from 26 Jun (155 mm ..., 120 mm ...) and 2 Aug (227 mm ...) once supply
    can be relied on``: the days the certificate starts to count each family (its ramp-up
    before is left out); empty for a certificate that does not say."""
    start = cert.get("certified_from") or {}
    days: dict[str, list[str]] = {}
    for family, day in start.items():
        if day is not None:
            days.setdefault(str(day), []).append(names.get(family, family))
    if not days:
        return ""
    parts = [f"{day_text(day)} ({', '.join(fams)})" for day, fams in sorted(days.items())]
    return (", counted from " + " and ".join(parts)
            + " once each family's supply can be relied on")


def risk_item(run: RunData) -> list[SummaryItem]:
    """The certified risk, or the simulated one when the plan is not certified."""
    cert, names = run.certificate, family_names(run)
    if cert is not None:
        c = cert["certification"]
        verdict, scope = certificate_words(cert, names)
        text = (f"{verdict.lower()} at {cert['risk']:.0%}: at most "
                f"{c['upper_bound']:.1%} chance (one-sided {cert['confidence']:.0%}) of a "
                f"stockout supply could have prevented, for {scope}, on {c['runs']:,} fresh "
                f"runs{counted_from(cert, names)}")
        return [SummaryItem("Risk", text, "dos")]
    if run.metrics is not None:
        m = run.metrics
        text = (f"{m.overall.avoidable.stockout_prob:.1%} of {m.runs:,} simulated runs have a "
                "stockout supply could have prevented (not certified)")
        return [SummaryItem("Risk", text, "dos")]
    return []


def loss_item(run: RunData) -> list[SummaryItem]:
    """Expected strike loss with its P5-P95 interval."""
    if run.metrics is None:
        return []
    lost = run.metrics.overall.lost_value
    text = (f"expected {money(lost.mean)} of stock lost to depot strikes (P5-P95 "
            f"{money(lost.p5)} to {money(lost.p95)} over {run.metrics.runs:,} runs)")
    return [SummaryItem("Strike loss", text, "exposed")]


def binding_item(run: RunData) -> list[SummaryItem]:
    """What binds: hub, depots, training, and the certificate's families with no room for
    safety stock."""
    if run.stock is None:
        return []
    full = full_depot_days(run, depot_stock_tons(run))
    queue = training_queue(run)
    text = absorption_title(hub_outflow(run), full, queue.loc[:, queue.max() > 0.01],
                            hubs=len(run.problem.hubs))
    text = text[0].lower() + text[1:]
    if run.certificate is not None and run.certificate.get("binding"):
        text += (f"; no room for safety stock at {len(run.certificate['binding'])} "
                 "family-depot pairs")
    return [SummaryItem("What binds", text, "hub")]


def network_item(run: RunData) -> list[SummaryItem]:
    """Which hub carries most of the tonnage and which route and hub bind (the network
    section's title), for a plan over a network of its own."""
    if not has_network(run):
        return []
    text = network_title(run, route_summary(run), hub_summary(hub_load(run)))
    return [SummaryItem("Network", text, "network")]


def donor_item(run: RunData) -> list[SummaryItem]:
    """The largest donor of the families most dependent on one donor."""
    if run.tranches is None or run.tranches.empty:
        return []
    shares = donor_shares(run)
    if shares.empty:
        return []
    text = donor_title(run, shares).removeprefix("Which donor matters: ")
    return [SummaryItem("Which donor matters", text, "donors")]


def policy_item(run: RunData) -> list[SummaryItem]:
    """The chosen plan against the risk limit and the simple policies."""
    items = []
    if run.frontier is not None:
        text = frontier_title(run)
        items.append(SummaryItem("Policy", text[0].lower() + text[1:], "frontier"))
    if run.certified_frontier:
        text = certified_title(pd.DataFrame(list(run.certified_frontier)), chosen_level(run))
        items.append(SummaryItem("Certified plans", text[0].lower() + text[1:], "certified"))
    return items


def summary_items(run: RunData) -> list[SummaryItem]:
    """The summary, in the order a minister reads it."""
    return [*sustain_items(run), *risk_item(run), *loss_item(run), *binding_item(run),
            *network_item(run), *donor_item(run), *policy_item(run)]
