"""Typed records of a simulation's metrics: what ``metrics.json`` holds, shared by the writer
and every reader (the report, the findings, the store, the CLI), so none reads a key by hand.

`SimMetrics.from_result` computes them (through `resupply.simulation.metrics.summarize`, which
defines each figure), `to_dict` gives the JSON form and `from_dict` reads it back:
``SimMetrics.from_dict(m.to_dict()) == m``. See `resupply.simulation.metrics` for the
definitions and units.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pandas as pd

from resupply.simulation.run import SimResult


@dataclass(frozen=True)
class Stats:
    """Mean and P5/P50/P95 of a per-run figure across runs."""

    mean: float
    p5: float
    p50: float
    p95: float

    def to_dict(self) -> dict[str, float]:
        """JSON form."""
        return {"mean": self.mean, "p5": self.p5, "p50": self.p50, "p95": self.p95}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Stats:
        """Read `to_dict`'s form."""
        return cls(*(float(data[k]) for k in ("mean", "p5", "p50", "p95")))


def _date(text: object) -> dt.date | None:
    return None if text is None else dt.date.fromisoformat(str(text))


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


@dataclass(frozen=True)
class RunsDry:
    """When a family runs dry: probability within the horizon and P5/P50/P95 dates (None:
    later than the horizon)."""

    probability: float
    p5: dt.date | None
    p50: dt.date | None
    p95: dt.date | None

    def to_dict(self) -> dict[str, Any]:
        """JSON form (ISO dates)."""
        return {"probability": self.probability, "p5": _iso(self.p5), "p50": _iso(self.p50),
                "p95": _iso(self.p95)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RunsDry:
        """Read `to_dict`'s form."""
        return cls(float(data["probability"]), _date(data["p5"]), _date(data["p50"]),
                   _date(data["p95"]))


@dataclass(frozen=True)
class Avoidable:
    """Stockouts some supply could have prevented (`resupply.simulation.risk`): probability,
    days (per family and overall; never summed across families) and units short."""

    stockout_prob: float
    """[1]"""
    short: Stats
    """[units]"""
    stockout_days: Stats | None = None
    """[days]; None for standards and depots."""

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        days = {} if self.stockout_days is None else {
            "stockout_days": self.stockout_days.to_dict()}
        return {"stockout_prob": self.stockout_prob, **days, "short": self.short.to_dict()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Avoidable:
        """Read `to_dict`'s form."""
        days = data.get("stockout_days")
        return cls(float(data["stockout_prob"]), Stats.from_dict(data["short"]),
                   None if days is None else Stats.from_dict(days))


@dataclass(frozen=True)
class ScopeFigures:
    """The families of the headline risk, and their stockouts avoidable or not."""

    families: tuple[str, ...]
    stockout_prob: float
    """[1]"""
    stockout_days: Stats
    """[days]"""

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"families": list(self.families), "stockout_prob": self.stockout_prob,
                "stockout_days": self.stockout_days.to_dict()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ScopeFigures:
        """Read `to_dict`'s form."""
        return cls(tuple(str(f) for f in data["families"]), float(data["stockout_prob"]),
                   Stats.from_dict(data["stockout_days"]))


FLOW_STATS = ("fill_rate", "short", "lost_units", "lost_tons", "lost_value")
"""The `Stats` of every `Flows`, in JSON order after the stockout figures."""


@dataclass(frozen=True)
class Flows:
    """Stockouts, fill rate, shortfall and strike losses of a slice (family, standard, depot,
    overall)."""

    stockout_prob: float
    """Share of runs with a day of unmet demand. [1]"""
    stockout_days: Stats
    """[days]"""
    fill_rate: Stats
    """[1]"""
    short: Stats
    """[units]"""
    lost_units: Stats
    """[units]"""
    lost_tons: Stats
    """[t]"""
    lost_value: Stats
    """[EUR]"""
    avoidable: Avoidable

    def flows_dict(self) -> dict[str, Any]:
        """JSON form of these fields."""
        return {"stockout_prob": self.stockout_prob,
                "stockout_days": self.stockout_days.to_dict(),
                **{k: getattr(self, k).to_dict() for k in FLOW_STATS},
                "avoidable": self.avoidable.to_dict()}

    @staticmethod
    def flows_args(data: Mapping[str, Any]) -> dict[str, Any]:
        """Constructor arguments of these fields from `flows_dict`'s form."""
        return {"stockout_prob": float(data["stockout_prob"]),
                "stockout_days": Stats.from_dict(data["stockout_days"]),
                **{k: Stats.from_dict(data[k]) for k in FLOW_STATS},
                "avoidable": Avoidable.from_dict(data["avoidable"])}


@dataclass(frozen=True)
class StandardMetrics(Flows):
    """A standard's figures."""

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return self.flows_dict()

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> StandardMetrics:
        """Read `to_dict`'s form."""
        return cls(**cls.flows_args(data))


@dataclass(frozen=True)
class FamilyMetrics(Flows):
    """A family's figures."""

    standard: str
    unit: str
    peak_stock: Stats
    """Largest stock over all depots. [units]"""
    runs_dry: RunsDry

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"standard": self.standard, "unit": self.unit, **self.flows_dict(),
                "peak_stock": self.peak_stock.to_dict(), "runs_dry": self.runs_dry.to_dict()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FamilyMetrics:
        """Read `to_dict`'s form."""
        return cls(**cls.flows_args(data), standard=str(data["standard"]),
                   unit=str(data["unit"]), peak_stock=Stats.from_dict(data["peak_stock"]),
                   runs_dry=RunsDry.from_dict(data["runs_dry"]))


@dataclass(frozen=True)
class DepotMetrics(Flows):
    """A depot's figures."""

    peak_exposed_tons: Stats
    """Largest stock held when strikes fall. [t]"""

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {**self.flows_dict(), "peak_exposed_tons": self.peak_exposed_tons.to_dict()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DepotMetrics:
        """Read `to_dict`'s form."""
        return cls(**cls.flows_args(data),
                   peak_exposed_tons=Stats.from_dict(data["peak_exposed_tons"]))


@dataclass(frozen=True)
class Inventory:
    """Inventory-theory figures per counted day: on hand, backorders, cost ``h on_hand + p
    backorders + K orders`` and orders (donor tranches). [units, units, EUR/day, 1/day]"""

    on_hand: Stats
    backorders: Stats
    cost_per_day: Stats
    days_counted: int
    orders_per_day: Stats | None = None
    """None in metrics written before orders were counted (their cost has no ordering)."""

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        orders = {} if self.orders_per_day is None else {
            "orders_per_day": self.orders_per_day.to_dict()}
        return {"on_hand": self.on_hand.to_dict(), "backorders": self.backorders.to_dict(),
                **orders, "cost_per_day": self.cost_per_day.to_dict(),
                "days_counted": self.days_counted}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Inventory:
        """Read `to_dict`'s form."""
        orders = data.get("orders_per_day")
        return cls(Stats.from_dict(data["on_hand"]), Stats.from_dict(data["backorders"]),
                   Stats.from_dict(data["cost_per_day"]), int(data["days_counted"]),
                   None if orders is None else Stats.from_dict(orders))


@dataclass(frozen=True)
class OverallMetrics(DepotMetrics):
    """All families at all depots."""

    inventory: Inventory
    scope: ScopeFigures
    """The families of the headline risk (``avoidable`` counts only them)."""

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {**self.flows_dict(), "scope": self.scope.to_dict(),
                "peak_exposed_tons": self.peak_exposed_tons.to_dict(),
                "inventory": self.inventory.to_dict()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> OverallMetrics:
        """Read `to_dict`'s form."""
        return cls(**cls.flows_args(data),
                   peak_exposed_tons=Stats.from_dict(data["peak_exposed_tons"]),
                   inventory=Inventory.from_dict(data["inventory"]),
                   scope=ScopeFigures.from_dict(data["scope"]))


@dataclass(frozen=True)
class SimMetrics:
    """Every metric of a simulation, with what produced it (``metrics.json``)."""

    scenario: str
    scenario_hash: str
    policy: str
    """Spec of the policy (`resupply.simulation.policy_spec.parse_spec` reads it)."""
    runs: int
    runs_asked: int
    partial: bool
    seed: int
    block_runs: int
    seconds: float
    options: Mapping[str, Any]
    """Demand model and engine modes, JSON values."""
    overall: OverallMetrics
    families: Mapping[str, FamilyMetrics]
    standards: Mapping[str, StandardMetrics]
    depots: Mapping[str, DepotMetrics]

    def family_table(self) -> pd.DataFrame:
        """One row per family: P(stockout) [1], mean stockout days [days], mean fill rate
        [1], mean shortfall [units], mean strike loss [EUR] and the median date it runs dry
        (None: not within the horizon)."""
        return pd.DataFrame([{
            "family": name, "standard": f.standard, "unit": f.unit,
            "avoidable_prob": f.avoidable.stockout_prob,
            "avoidable_days": (f.avoidable.stockout_days.mean
                               if f.avoidable.stockout_days is not None else 0.0),
            "stockout_prob": f.stockout_prob, "stockout_days": f.stockout_days.mean,
            "fill_rate": f.fill_rate.mean, "short": f.short.mean,
            "lost_value": f.lost_value.mean, "runs_dry_p50": f.runs_dry.p50}
            for name, f in self.families.items()])

    def summary(self) -> str:
        """One line: runs, the risk of the families in scope (avoidable, then total), fill
        rate and strike losses over all families."""
        o = self.overall
        a, sc = o.avoidable, o.scope
        days = 0.0 if a.stockout_days is None else a.stockout_days.mean
        partial = f" (PARTIAL: {self.runs} of {self.runs_asked} runs)" if self.partial else ""
        return (f"{self.scenario} / {self.policy}: {self.runs} runs{partial}; families in "
                f"scope ({', '.join(sc.families) or 'none'}): P(avoidable stockout) "
                f"{a.stockout_prob:.3f}, {days:.1f} days; P(stockout) {sc.stockout_prob:.3f}, "
                f"{sc.stockout_days.mean:.1f} days; all families: fill rate "
                f"{o.fill_rate.mean:.3f}, lost to strikes {o.lost_tons.mean:,.1f} t / EUR "
                f"{o.lost_value.mean:,.0f}")

    def inventory_line(self) -> str:
        """One line: on hand and backorders per day, orders (donor tranches) per day and the
        cost per day ``h on_hand + p backorders + K orders`` (the figures `compare` shows)."""
        inv = self.overall.inventory
        orders = "orders not recorded" if inv.orders_per_day is None else (
            f"orders {inv.orders_per_day.mean:.3f}/day")
        return (f"per day over {inv.days_counted} days: on hand {inv.on_hand.mean:,.1f}, "
                f"backorders {inv.backorders.mean:,.1f}, {orders}, cost (holding + shortage "
                f"+ ordering) EUR {inv.cost_per_day.mean:,.2f}")

    @classmethod
    def from_result(cls, result: SimResult) -> SimMetrics:
        """The metrics of a simulation (definitions: `resupply.simulation.metrics`)."""
        from resupply.simulation.metrics import summarize

        return cls.from_dict(summarize(result))

    def to_dict(self) -> dict[str, Any]:
        """JSON form (what metrics.json holds)."""
        return {"scenario": self.scenario, "scenario_hash": self.scenario_hash,
                "policy": self.policy, "runs": self.runs, "runs_asked": self.runs_asked,
                "partial": self.partial, "seed": self.seed, "block_runs": self.block_runs,
                "seconds": self.seconds, "options": dict(self.options),
                "overall": self.overall.to_dict(),
                "families": {k: v.to_dict() for k, v in self.families.items()},
                "standards": {k: v.to_dict() for k, v in self.standards.items()},
                "depots": {k: v.to_dict() for k, v in self.depots.items()}}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SimMetrics:
        """Read `to_dict`'s form; raises KeyError or ValueError naming what is missing."""
        return cls(
            scenario=str(data["scenario"]), scenario_hash=str(data["scenario_hash"]),
            policy=str(data["policy"]), runs=int(data["runs"]),
            runs_asked=int(data["runs_asked"]), partial=bool(data["partial"]),
            seed=int(data["seed"]), block_runs=int(data["block_runs"]),
            seconds=float(data["seconds"]), options=dict(data["options"]),
            overall=OverallMetrics.from_dict(data["overall"]),
            families={k: FamilyMetrics.from_dict(v) for k, v in data["families"].items()},
            standards={k: StandardMetrics.from_dict(v) for k, v in data["standards"].items()},
            depots={k: DepotMetrics.from_dict(v) for k, v in data["depots"].items()})
