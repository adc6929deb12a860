"""`Problem`: a scenario as immutable NumPy arrays with integer indices.

Index contract
--------------
Axes, in this order whenever several appear in one array:

====  ==========  ================================================================
axis  size        meaning (label array that maps an index back to its id)
====  ==========  ================================================================
d     n_donors    donor (`donors`)
p     n_platforms platform (`platforms`)
i     n_items     item (`items`)
f     n_families  family (`families`)
s     n_standards standard (`standards`)
k     n_depots    depot (`depots`)
n     n_hubs      entry hub of the network (`hubs`)
b     n_supply    supply route, from a donor to a hub (`supply_ids`)
a     n_routes    route into a depot, from a hub or another depot (`route_ids`)
t     n_days      day of the horizon; day 0 is `start` (`dates`); a step of several
                  days in a multi-resolution problem (`step_days`, `compile.coarsen`)
====  ==========  ================================================================

Ids keep the order of the scenario file. Index arrays (``item_family``, ``pledge_item``...)
are ``int64``; quantities are ``float64``; flags are ``bool``. "Absent" is an explicit value:
a release day of 0 means released from the start; an item a donor never holds has zero stock
and zero production. Every array is read-only; build a new `Problem` for a variant.

The network (`compile.network`): donors send on supply routes b to entry hubs n; routes a
carry stock from a hub or a depot to a depot. A route's origin is ``route_from_hub[a]`` (a hub
index) or ``route_from_depot[a]`` (a depot index), the other being ``-1``. A scenario with one
`hub` compiles to one hub ``hub``, one supply route per donor (``supply_donor == arange(d)``)
and one route per depot with route a = depot k; `hub_throughput_t`, `lead_days`,
`transit_days`, `donor_transport` and `depot_transport` then say the same as the network. With
several hubs they are summaries (total throughput, shortest lead and path, no cost): the
planner reads the network, the simulator refuses it (`simple_network`). Costs per t and per
shipment of the routes are the planner's; the simulator reads neither.

Units: quantities in units of the item (rounds, barrels), masses in t, values in EUR, days in
days. Rates are per day at the day's intensity.
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass, fields

import numpy as np
from numpy.typing import NDArray

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
Bool = NDArray[np.bool_]
Labels = tuple[str, ...]


@dataclass(frozen=True, eq=False)
class Problem:
    """The compiled scenario that the planner and the simulator read; see the module docstring."""

    name: str
    scenario_hash: str
    start: dt.date

    # labels
    standards: Labels
    families: Labels
    items: Labels
    platforms: Labels
    donors: Labels
    depots: Labels
    dates: NDArray[np.datetime64]
    """[t] calendar date of each day (of the first day of each step)."""
    step_days: I64
    """[t] days in each step of the time axis: all 1 in the daily problem the compiler
    builds; longer for the later steps of a multi-resolution problem (`compile.coarsen`), whose
    per-day quantities (need, production, throughput) then hold the step's total."""

    # families and items
    family_standard: I64
    """[f] standard index of each family."""
    family_is_spare: Bool
    """[f] True for spare-part families (worn per round), False for ammunition."""
    family_units: Labels
    """[f] what one unit is called (rounds, barrels)."""
    shortfall_penalty: F64
    """[f] penalty per unit of need not met. [EUR/unit]"""
    item_family: I64
    """[i] family index of each item."""
    item_mass_t: F64
    """[i] shipping mass of one unit. [t]"""
    item_value: F64
    """[i] value of one unit. [EUR]"""
    item_whole: Bool
    """[i] shipped in whole units only (MILP)."""
    purchase_cost: F64
    """[i, t] price paid per unit dispatched on day t (0: no purchase cost). [EUR/unit]"""

    # platforms and fleet
    fires: F64
    """[p, f] units of family f fired per platform per day at intensity 1. [units/day]"""
    wear: F64
    """[p, f] spare parts of family f worn per round fired by platform p. [units/round]"""
    in_service: F64
    """[p, t] platforms in service on day t (after training and attrition). [platforms]"""
    delivered: F64
    """[p, t] platforms delivered on day t. [platforms]"""
    intensity: F64
    """[t] combat intensity multiplier. [1]"""

    # need
    need: F64
    """[f, k, t] expected need of family f at depot k on day t. [units/day]"""

    # donors
    donor_stock: F64
    """[d, i] stock held on day 0. [units]"""
    donor_production: F64
    """[d, i, t] units produced on day t. [units/day]"""
    release_day: I64
    """[d, i] first day the donor may dispatch the item (0 = from the start)."""
    release_slip_mean: F64
    """[d, i] mean random slip of the release (simulation). [days]"""
    lead_days: I64
    """[d] days from dispatch to arrival at the hub."""
    tranche_day: Bool
    """[d, t] True on the days the donor may dispatch (cadence)."""
    min_tranche_t: F64
    """[d] smallest worthwhile tranche (MILP). [t]"""
    delay_mean: F64
    """[d] mean random delay of a tranche (simulation). [days]"""
    fair_share: F64
    """[d] target share of value shipped; NaN where none is set. [1]"""
    donor_transport: F64
    """[d] transport cost to the hub. [EUR/t]"""
    dispatch_capacity_t: F64
    """[d, t] tons the donor can dispatch on day t (``inf``: unlimited); unused capacity is
    lost. [t/day]"""
    tranche_fixed_cost: F64
    """[d] fixed cost of each tranche: the MILP's term ``tranche_fixed`` and the simulator's
    cost per order. [EUR/tranche]"""
    donor_paused: Bool
    """[d, t] True on the days of a dated pause: the donor dispatches nothing (plan and
    simulation); all False where the donor has none."""
    pause_prob: F64
    """[d] random pauses (simulation): daily probability that a sending donor stops; 0: never.
    [1/day]"""
    resume_prob: F64
    """[d] random pauses: daily probability that a paused donor resumes; 1 where the donor
    has no random pauses. [1/day]"""

    # pledges (one entry per non-cancelled pledge)
    pledge_ids: Labels
    pledge_donor: I64
    pledge_item: I64
    pledge_day: I64
    pledge_quantity: F64
    """[pledge] units to dispatch by `pledge_day`. [units]"""
    pledge_fixed: Bool
    """[pledge] True: exactly the quantity; False: at least it."""

    # capability packages (one entry per delivery with first_load_days > 0)
    package_platform: I64
    package_day: I64
    package_first_load: F64
    """[package, f] units of each family that must have reached the depots by the day. [units]"""

    # hub and depots
    hub_throughput_t: F64
    """[t] tons that may leave the hub per day. [t/day]"""
    depot_capacity_t: F64
    """[k] storage capacity. [t]"""
    transit_days: I64
    """[k] days from hub to depot."""
    strike_prob: F64
    """[k] daily probability of a strike. [1/day]"""
    loss_fraction: F64
    """[k] mean fraction of stock destroyed by a strike. [1]"""
    demand_share: F64
    """[k] share of need served from the depot. [1]"""
    depot_transport: F64
    """[k] transport cost from the hub. [EUR/t]"""
    initial_stock: F64
    """[i, k] stock on day 0. [units]"""

    # network (module docstring; `compile.network`)
    hubs: Labels
    hub_limit_t: F64
    """[n, t] tons that may leave each hub on day t. [t/day]"""
    hub_capacity_t: F64
    """[n] storage capacity of each hub (``inf``: unlimited). [t]"""
    hub_strike_prob: F64
    """[n] daily probability of a strike on the hub. [1/day]"""
    hub_loss_fraction: F64
    """[n] mean fraction of the hub's stock destroyed by a strike. [1]"""
    supply_ids: Labels
    supply_mode: Labels
    """[b] how the supply route is travelled ("" when not said)."""
    supply_donor: I64
    """[b] donor of each supply route."""
    supply_hub: I64
    """[b] hub each supply route ends at."""
    supply_transit_days: I64
    """[b] days from dispatch to arrival at the hub."""
    supply_capacity_t: F64
    """[b, t] tons that may depart on the route on day t (``inf``: unlimited). [t/day]"""
    supply_cost: F64
    """[b] transport cost. [EUR/t]"""
    supply_fixed_eur: F64
    """[b] fixed cost of each day something departs on the route (the MILP's term
    ``route_fixed``; 0 in a one-hub scenario, whose donors' ``tranche_fixed_cost`` stays on
    the donor). [EUR/shipment]"""
    supply_open: Bool
    """[b, t] True on the days the route may be used."""
    route_ids: Labels
    route_mode: Labels
    """[a] how the route is travelled (rail, road; "" when not said)."""
    route_from_hub: I64
    """[a] hub the route starts at, or -1."""
    route_from_depot: I64
    """[a] depot the route starts at, or -1."""
    route_depot: I64
    """[a] depot the route ends at."""
    route_transit_days: I64
    """[a] days from departure to arrival."""
    route_capacity_t: F64
    """[a, t] tons that may depart on the route on day t (``inf``: unlimited). [t/day]"""
    route_cost: F64
    """[a] transport cost. [EUR/t]"""
    route_fixed_eur: F64
    """[a] fixed cost of each day something departs on the route (the MILP's term
    ``route_fixed``; 0 in a one-hub scenario). [EUR/shipment]"""
    route_open: Bool
    """[a, t] True on the days the route may be used."""

    # objective weights and uncertainty (scalars)
    w_shortfall_timing: float
    """Share by which day 0's shortfall costs more than the last day's. [1]"""
    w_strike_loss: float
    w_transport: float
    w_smoothness: float
    fair_share_band: float
    fairness_penalty: float
    holding_cost: float
    backorder_cost: float
    demand_dispersion: float
    """Negative-binomial shape k; ``inf`` means Poisson."""
    demand_cv: float
    """Coefficient of variation of lognormal daily consumption (sd / mean); NaN: the
    negative binomial of `demand_dispersion`. [1]"""
    surge_prob: float
    surge_multiplier: float
    strike_loss_concentration: float

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, np.ndarray):
                value.flags.writeable = False

    def __repr__(self) -> str:
        """One line: what the problem is about (the arrays are many and large)."""
        end = self.start + dt.timedelta(days=int(self.step_start[-1] + self.step_days[-1] - 1))
        return (f"Problem({self.name!r}: {self.start} to {end}, {len(self.families)} "
                f"families in {len(self.standards)} standards, {len(self.items)} items, "
                f"{len(self.platforms)} platforms, {len(self.donors)} donors, "
                f"{len(self.depots)} depots)")

    def _repr_html_(self) -> str:
        """The one-line summary and the families (for notebooks)."""
        rows = "".join(
            f"<tr><td>{html.escape(f)}</td><td>{html.escape(self.standards[s])}</td>"
            f"<td>{html.escape(u)}</td><td>{float(self.need[n].sum()):,.0f}</td></tr>"
            for n, (f, s, u) in enumerate(zip(self.families, self.family_standard,
                                              self.family_units, strict=True)))
        return (f"<p>{html.escape(repr(self))}</p><table><tr><th>family</th><th>standard</th>"
                f"<th>unit</th><th>need over the horizon</th></tr>{rows}</table>")

    @property
    def simple_network(self) -> bool:
        """True when the network is what `hub_throughput_t`, `lead_days` and `transit_days`
        say alone: one hub (which may be struck) that stores without limit, one supply route
        per donor and one route from the hub to each depot, with no capacities or dates of
        their own. The simulator reads only those and the hub's strikes (costs are the
        planner's)."""
        n_d, n_k = len(self.donors), len(self.depots)
        return bool(
            len(self.hubs) == 1 and np.isinf(self.hub_capacity_t).all()
            and np.array_equal(self.supply_donor, np.arange(n_d))
            and np.array_equal(self.route_depot, np.arange(n_k))
            and (self.route_from_hub == 0).all()
            and np.array_equal(self.supply_transit_days, self.lead_days)
            and np.array_equal(self.route_transit_days, self.transit_days)
            and np.isinf(self.supply_capacity_t).all() and np.isinf(self.route_capacity_t).all()
            and self.supply_open.all() and self.route_open.all()
            and np.allclose(self.hub_limit_t[0], self.hub_throughput_t, rtol=0, atol=0))

    @property
    def n_days(self) -> int:
        """Days in the horizon."""
        return len(self.dates)

    @property
    def shape(self) -> dict[str, int]:
        """Size of every axis, by its letter."""
        return {"d": len(self.donors), "p": len(self.platforms), "i": len(self.items),
                "f": len(self.families), "s": len(self.standards), "k": len(self.depots),
                "n": len(self.hubs), "b": len(self.supply_ids), "a": len(self.route_ids),
                "t": self.n_days}

    @property
    def is_daily(self) -> bool:
        """True when every step of the time axis is one day."""
        return bool((self.step_days == 1).all())

    @property
    def step_start(self) -> I64:
        """[t] first day of each step, counted from `start`. [days]"""
        start: I64 = np.concatenate(([0], np.cumsum(self.step_days)[:-1])).astype(np.int64)
        return start

    def step_of_day(self, day: I64) -> I64:
        """The step holding each day (any shape); ``-1`` past the horizon. [days -> steps]"""
        day = np.asarray(day, dtype=np.int64)
        step: I64 = np.searchsorted(self.step_start, day, side="right").astype(np.int64) - 1
        horizon = int(self.step_days.sum())
        return np.where(day >= horizon, -1, step)

    def arrival_step(self, lag_days: I64) -> I64:
        """[..., t] the step in which something sent at the start of step t arrives after
        ``lag_days`` (shape [...]); ``-1`` when that is past the horizon. Daily: ``t + lag``."""
        lag = np.asarray(lag_days, dtype=np.int64)
        return self.step_of_day(lag[..., None] + self.step_start)

    def last_tranche_step(self, by_day: I64) -> I64:
        """[d, i] the donor's last tranche step, on or after the item's release, that starts
        by ``by_day[d]`` (a day counted from `start`); ``-1`` where there is none."""
        steps = np.arange(self.n_days)
        ok = (self.tranche_day[:, None, :] & (steps >= self.release_day[:, :, None])
              & (self.step_start <= np.asarray(by_day)[:, None, None]))
        last: I64 = np.max(np.where(ok, steps, -1), axis=2)
        return last

    def donor_cumulative_available(self) -> F64:
        """[d, i, t] stock + production up to and including day t. [units]"""
        return self.donor_stock[:, :, None] + np.cumsum(self.donor_production, axis=2)

    def shortfall_cost(self) -> F64:
        """[f, t] cost of one unit of need not met on day t. [EUR/unit]

        ``penalty[f] (1 + w_timing (T - 1 - t) / (T - 1))``: the family's penalty, a little more
        on early days (see `Weights.shortfall_timing`); t is the step's first day.
        """
        last = int(self.step_days.sum()) - 1
        early = self.w_shortfall_timing * (last - self.step_start) / max(last, 1)
        cost: F64 = self.shortfall_penalty[:, None] * (1.0 + early[None, :])
        return cost

    def family_need(self) -> F64:
        """[f, t] need of each family summed over depots. [units/day]"""
        total: F64 = self.need.sum(axis=1)
        return total
