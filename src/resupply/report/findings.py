"""Headline findings of a run, in words a planner can act on.

Computed from the run directory's files (explain, plan, simulation, comparison), each finding
one sentence: when each legacy family runs dry, the shortfall left under the optimal plan and
who could still close it, the probability of running out, the expected strike losses, which
hub of a network carries most and what binds there, and the best tranche policy under the
risk limit.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from resupply.report.run_data import RunData
from resupply.report.sections import family_names
from resupply.report.sections_network import (
    has_network,
    hub_load,
    hub_phrase,
    hub_summary,
    network_title,
    place_labels,
    route_summary,
)

SHORT_SHARE = 0.005
"""A family counts as short under the plan when more than this share of its need is unmet."""


def _date(text: object) -> str:
    if text is None:
        return "never"
    stamp = pd.Timestamp(str(text))
    return f"{stamp.day} {stamp:%b %Y}"


def _money(value: float) -> str:
    for size, suffix in ((1e9, " bn"), (1e6, " M"), (1e3, " k")):
        if abs(value) >= size:
            return f"EUR {value / size:,.1f}{suffix}"
    return f"EUR {value:,.0f}"


def run_dry_findings(run: RunData) -> list[str]:
    """One line per family that runs dry even with every donor's supply sent at once."""
    if run.explain is None:
        return []
    names = family_names(run)
    lines = []
    for fam in run.explain.families:
        if fam.runs_dry_with_all_supply is None:
            continue
        lines.append(
            f"{names[fam.family]} ({fam.standard}) runs dry on "
            f"{_date(fam.runs_dry_without_resupply)} with no resupply and on "
            f"{_date(fam.runs_dry_with_all_supply)} even if every donor sent all it has.")
    return lines


def unused_supply(run: RunData) -> pd.DataFrame:
    """Per donor and family: units donors hold or make in time for a tranche that can still
    arrive within the horizon (by their last such tranche day) but the plan leaves."""
    p = run.problem
    last = p.last_tranche_step(p.n_days - 1 - p.lead_days - p.transit_days.min())
    available = np.where(last >= 0, np.take_along_axis(
        p.donor_cumulative_available(), np.maximum(last, 0)[:, :, None], axis=2)[:, :, 0], 0.0)
    grid = pd.MultiIndex.from_product([p.donors, p.items], names=["donor", "item"])
    sent = np.zeros(len(grid))
    if run.tranches is not None and not run.tranches.empty:
        by = run.tranches.groupby(["donor", "item"])["quantity"].sum()
        sent = by.reindex(grid, fill_value=0.0).to_numpy(dtype=float)
    left = np.clip(available - sent.reshape(available.shape), 0.0, None)
    d_idx, i_idx = np.nonzero(left > 0.5)
    frame = pd.DataFrame({
        "donor": np.asarray(p.donors, dtype=object)[d_idx],
        "family": np.asarray(p.families, dtype=object)[p.item_family[i_idx]],
        "units": left[d_idx, i_idx]})
    return frame.groupby(["family", "donor"], as_index=False).agg(units=("units", "sum"))


def shortfall_findings(run: RunData) -> list[str]:
    """Families short under the optimal plan, by how much, and who could still close it."""
    if run.shortfalls is None:
        return []
    p, names, per_depot = run.problem, family_names(run), run.shortfalls
    short = per_depot.groupby("family")["shortfall"].sum()
    first = per_depot[per_depot["shortfall"] > 0.5].groupby("family")["date"].min()
    unused = unused_supply(run)
    lines = []
    for f, fam in enumerate(p.families):
        need = float(p.need[f].sum())
        gap = float(short.get(fam, 0.0))
        if need <= 0 or gap <= SHORT_SHARE * need:
            continue
        holders = unused[unused["family"] == fam].sort_values("units", ascending=False)
        closers = ", ".join(f"{r.donor} ({r.units:,.0f})" for r in holders.head(3).itertuples())
        who = (f"donors still holding some that could arrive in time: {closers}" if closers
               else "no donor has more that could arrive in time: only new production or more "
               "platforms of another standard can close it")
        lines.append(f"Under the optimal plan {names[fam]} is short {gap:,.0f} "
                     f"{p.family_units[f]} ({gap / need:.0%} of need) from "
                     f"{_date(first.get(fam))}; {who}.")
    return lines


def risk_findings(run: RunData) -> list[str]:
    """Probability of running out and expected strike losses when the plan meets chance."""
    if run.metrics is None:
        return []
    m, names = run.metrics, family_names(run)
    legacy = _runs_dry_regardless(run)
    scope = set(m.overall.scope.families)
    chances = [f"{names[f]} {v.avoidable.stockout_prob:.0%} ({v.stockout_prob:.0%} counting "
               "the days no supply could have helped)"
               for f, v in m.families.items() if f in scope]
    line = (f"Following the plan over {m.runs:,} simulated runs, the chance of a stockout "
            "some supply could have prevented: "
            + (", ".join(chances) or "no family at risk"))
    others = [names[f] for f in m.families if f not in scope and f not in legacy]
    if others:
        line += f"; not counted in the risk: {', '.join(others)}"
    if legacy:
        line += (f"; {', '.join(names[f] for f in legacy)} run out as expected once donor "
                 "stocks end")
    return [line + "."]


def strike_findings(run: RunData) -> list[str]:
    """The expected strike loss of the simulated runs and its 95th percentile."""
    if run.metrics is None:
        return []
    lost, tons = run.metrics.overall.lost_value, run.metrics.overall.lost_tons
    return [f"Expected stock lost to depot strikes: {_money(lost.mean)} "
            f"({tons.mean:,.0f} t), 95th percentile {_money(lost.p95)}."]


def _runs_dry_regardless(run: RunData) -> list[str]:
    """Families that run dry even with every donor's supply sent at once (explain)."""
    if run.explain is None:
        return []
    return [f.family for f in run.explain.families if f.runs_dry_with_all_supply is not None]


def policy_findings(run: RunData) -> list[str]:
    """The best tranche policy under the risk limit, against one lump."""
    if run.frontier is None:
        return []
    fr = run.frontier
    best, lump = fr.best_point, fr.point("lump")
    line = (f"Best tranche policy with at most {fr.risk_limit:.0%} chance of an avoidable "
            f"stockout: {fr.best} (chance {best.avoidable_prob:.1%}, strike loss "
            f"{_money(best.lost_value)})")
    if lump is not None and fr.best != "lump":
        line += (f"; one lump loses {_money(lump.lost_value)} with chance "
                 f"{lump.avoidable_prob:.1%}")
    if not fr.best_meets_limit:
        line += "; no policy meets the limit, this is the least risky"
    counted = [f for f in run.problem.families if f not in fr.out_of_scope]
    if counted:
        names = family_names(run)
        line += f" (counting {', '.join(names[f] for f in counted)})"
    return [line + "."]


def certificate_findings(run: RunData) -> list[str]:
    """The certified risk of the plan, what robustness costs and what it took."""
    cert = run.certificate
    if cert is None:
        return []
    c, loss = cert["certification"], cert["strike_loss_eur"]
    verdict, scope = certificate_words(cert, family_names(run))
    line = (f"{verdict} at {cert['risk']:.0%} risk of a "
            f"stockout some supply could have prevented ({scope}): upper bound "
            f"{c['upper_bound']:.1%} (one-sided {cert['confidence']:.0%}) on {c['runs']:,} "
            f"fresh runs, {c['failures']:,} with one; buffers cost "
            f"{_money(loss['cost_of_robustness'])} more expected strike loss than the plan "
            f"without them ({_money(loss['certified_simulated'])} against "
            f"{_money(loss['deterministic_simulated'])}); {cert['solves']} LP solves, "
            f"{cert['simulations']} simulations")
    lines = [line + "."]
    if cert["binding"]:
        lines.append(f"No room for safety stock on some days ({len(cert['binding'])} "
                     f"family-depot pairs, not counted): {cert['binding'][0]}.")
    return lines


def loss_findings(run: RunData) -> list[str]:
    """The plan's expected strike loss reconciled with the simulated one, in one sentence."""
    if not run.reconciliation:
        return []
    return ["Strike losses reconciled: " + "; ".join(run.reconciliation) + "."]


def network_findings(run: RunData) -> list[str]:
    """Which hub carries most and what binds in the network, in one sentence (the network
    section's title)."""
    if not has_network(run):
        return []
    hubs = hub_summary(hub_load(run))
    return [f"Network: {network_title(run, route_summary(run), hubs)}."]


def hub_load_findings(run: RunData) -> list[str]:
    """The hubs at their throughput or full, or the busiest hub's peak (the hub-load
    section's title)."""
    if not has_network(run):
        return []
    return [f"Hub load: {hub_phrase(hub_summary(hub_load(run)), place_labels(run))}."]


def linked_findings(run: RunData) -> list[tuple[str, str]]:
    """All findings, in the order a planner reads them, each with the key of the section
    whose chart shows it."""
    groups = ((run_dry_findings, "dos"), (shortfall_findings, "stock"),
              (certificate_findings, "dos"), (risk_findings, "dos"),
              (strike_findings, "exposed"), (loss_findings, "exposed"),
              (network_findings, "network"), (hub_load_findings, "hubload"),
              (policy_findings, "frontier"))
    return [(line, key) for make, key in groups for line in make(run)]


def headline_findings(run: RunData) -> list[str]:
    """All findings, in the order a planner reads them."""
    return [line for line, _ in linked_findings(run)]


def certificate_words(cert: dict[str, Any], names: dict[str, str]) -> tuple[str, str]:
    """A certificate's status as a sentence starts (``Certified``, ``Not achievable``...) and
    its scope as the families' names."""
    verdict = {"certified": "Certified", "not_achievable": "Not achievable",
               "not_certified": "Not certified", "time_limit": "Stopped at the time limit"}
    scope = ", ".join(names.get(f, f) for f in cert["scope"]) or "no family"
    return verdict.get(cert["status"], str(cert["status"])), scope
