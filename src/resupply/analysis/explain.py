"""`explain`: what a planner wants to know before optimising, computed from the `Problem`.

Per family: stock at the recipient, need per day at the start, days of supply, what donors can
still give over the horizon, and the day the family runs dry (a) with no resupply and (b) with
all donor supply sent at its earliest release. Both run-dry figures are *aggregate* bounds:
one pool per family (depots pooled), no strikes, no hub or depot limits, donors' lead times
applied, transit from hub to depot ignored. A family "runs dry" on the first day whose
cumulative need exceeds what has arrived by then.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from resupply.compile.problem import F64, Problem

EPS = 1e-9


@dataclass(frozen=True)
class FamilyOutlook:
    """The outlook of one family; quantities in the family's units, days in days."""

    family: str
    standard: str
    unit: str
    stock: float
    need_per_day_at_start: float
    days_of_supply: float | None
    """Stock / need on day 0; None when nothing is needed on day 0."""
    donors_can_give: float
    """Donor stock + production up to the horizon end, for released items."""
    need_over_horizon: float
    runs_dry_without_resupply: dt.date | None
    runs_dry_with_all_supply: dt.date | None


@dataclass(frozen=True)
class StandardOutlook:
    """A standard at a glance: its families and the first of them to run dry."""

    standard: str
    families: tuple[str, ...]
    first_dry_without_resupply: dt.date | None
    first_dry_with_all_supply: dt.date | None


@dataclass(frozen=True)
class Outlook:
    """`explain` of a whole scenario."""

    scenario: str
    start: dt.date
    end: dt.date
    families: tuple[FamilyOutlook, ...]
    standards: tuple[StandardOutlook, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (dates as ISO strings)."""
        data = asdict(self)
        return _iso_dates(data)  # type: ignore[no-any-return]

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Outlook:
        """Read `to_dict`'s form (``explain.json``)."""
        families = tuple(FamilyOutlook(
            family=str(f["family"]), standard=str(f["standard"]), unit=str(f["unit"]),
            stock=float(f["stock"]), need_per_day_at_start=float(f["need_per_day_at_start"]),
            days_of_supply=None if f["days_of_supply"] is None else float(f["days_of_supply"]),
            donors_can_give=float(f["donors_can_give"]),
            need_over_horizon=float(f["need_over_horizon"]),
            runs_dry_without_resupply=_day(f["runs_dry_without_resupply"]),
            runs_dry_with_all_supply=_day(f["runs_dry_with_all_supply"]))
            for f in data["families"])
        standards = tuple(StandardOutlook(
            standard=str(s["standard"]), families=tuple(s["families"]),
            first_dry_without_resupply=_day(s["first_dry_without_resupply"]),
            first_dry_with_all_supply=_day(s["first_dry_with_all_supply"]))
            for s in data["standards"])
        return cls(str(data["scenario"]), dt.date.fromisoformat(data["start"]),
                   dt.date.fromisoformat(data["end"]), families, standards)


def _day(text: object) -> dt.date | None:
    return None if text is None else dt.date.fromisoformat(str(text))


def _iso_dates(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _iso_dates(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_iso_dates(v) for v in value]
    return value


def arrivals_if_all_sent(problem: Problem) -> F64:
    """[i, t] cumulative units reaching the hub by day t if every donor sends all it can.

    A donor's stock is sent on the item's release day; production is sent as it comes (and
    what was produced before release is sent on the release day). Arrival is ``lead_days``
    after dispatch.
    """
    available = problem.donor_cumulative_available()
    n_days = problem.n_days
    t = np.arange(n_days)
    arrived = np.zeros((len(problem.items), n_days))
    for d in range(len(problem.donors)):
        sent_day = t - problem.lead_days[d]
        ok = sent_day[None, :] >= problem.release_day[d][:, None]
        clipped = np.clip(sent_day, 0, n_days - 1)
        arrived += np.where(ok, available[d][:, clipped], 0.0)
    return arrived


def first_dry_day(supply_cum: F64, need_cum: F64) -> int | None:
    """First day index where cumulative need exceeds cumulative supply, else None."""
    short = np.flatnonzero(need_cum > supply_cum + EPS * np.maximum(1.0, need_cum))
    return int(short[0]) if short.size else None


def explain(problem: Problem) -> Outlook:
    """The pre-planning outlook of every family; see the module docstring for the rules."""
    by_family = np.zeros((len(problem.families), len(problem.items)))
    by_family[problem.item_family, np.arange(len(problem.items))] = 1.0
    stock = by_family @ problem.initial_stock.sum(axis=1)
    need = problem.family_need()
    need_cum = np.cumsum(need, axis=1)
    released = problem.release_day < problem.n_days
    give_by_item = np.where(released, problem.donor_cumulative_available()[:, :, -1], 0.0)
    can_give = by_family @ give_by_item.sum(axis=0)
    arrived = by_family @ arrivals_if_all_sent(problem)
    rows = []
    for f, fam in enumerate(problem.families):
        need0 = float(need[f, 0])
        rows.append(FamilyOutlook(
            family=fam,
            standard=problem.standards[problem.family_standard[f]],
            unit=problem.family_units[f],
            stock=float(stock[f]),
            need_per_day_at_start=need0,
            days_of_supply=float(stock[f] / need0) if need0 > EPS else None,
            donors_can_give=float(can_give[f]),
            need_over_horizon=float(need_cum[f, -1]),
            runs_dry_without_resupply=_date(problem, first_dry_day(
                np.full(problem.n_days, stock[f]), need_cum[f])),
            runs_dry_with_all_supply=_date(problem, first_dry_day(
                stock[f] + arrived[f], need_cum[f])),
        ))
    end = problem.start + dt.timedelta(days=problem.n_days - 1)
    return Outlook(problem.name, problem.start, end, tuple(rows),
                   tuple(_standard(s, rows) for s in problem.standards))


def _standard(standard: str, rows: list[FamilyOutlook]) -> StandardOutlook:
    mine = [r for r in rows if r.standard == standard]

    def first(dates: list[dt.date | None]) -> dt.date | None:
        known = [d for d in dates if d is not None]
        return min(known) if known else None

    return StandardOutlook(
        standard, tuple(r.family for r in mine),
        first([r.runs_dry_without_resupply for r in mine]),
        first([r.runs_dry_with_all_supply for r in mine]))


def _date(problem: Problem, day: int | None) -> dt.date | None:
    return None if day is None else problem.start + dt.timedelta(days=day)
