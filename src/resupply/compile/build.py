"""`compile_problem`: a validated `Scenario` -> an immutable `Problem` of arrays.

This is the only place that walks the scenario's Python objects; everything downstream reads
arrays. Sizes are small here (lists of ids); the per-day series are built vectorised.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable

import numpy as np

from resupply.compile.network import network_arrays
from resupply.compile.problem import F64, I64, Bool, Problem
from resupply.compile.series import (
    family_need,
    fleet_in_service,
    ramp_series,
    step_series,
    tranche_calendar,
)
from resupply.domain.schema import Donor, Scenario, StockLine


def scenario_hash(scenario: Scenario) -> str:
    """SHA-256 of the scenario's canonical JSON: equal scenarios, equal hash."""
    text = json.dumps(scenario.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


class _Index:
    """Maps ids to positions for one axis."""

    def __init__(self, ids: list[str]) -> None:
        self.labels = tuple(ids)
        self.pos = {ident: n for n, ident in enumerate(ids)}

    def __getitem__(self, ident: str) -> int:
        return self.pos[ident]

    def __len__(self) -> int:
        return len(self.labels)


def compile_problem(scenario: Scenario) -> Problem:
    """Compile a validated scenario; see `Problem` for the index contract."""
    return _Compiler(scenario).build()


class _Compiler:
    def __init__(self, sc: Scenario) -> None:
        self.sc = sc
        self.T = sc.horizon_days
        self.std = _Index([s.id for s in sc.standards])
        self.fam = _Index([f.id for f in sc.families])
        self.item = _Index([i.id for i in sc.items])
        self.plat = _Index([p.id for p in sc.platforms])
        self.donor = _Index([d.id for d in sc.donors])
        self.depot = _Index([k.id for k in sc.depots])

    def day(self, date: dt.date) -> int:
        return (date - self.sc.start).days

    def build(self) -> Problem:
        sc = self.sc
        item_family = np.array([self.fam[i.family] for i in sc.items], dtype=np.int64)
        item_value = np.array([i.value_eur for i in sc.items])
        fires, wear = self._platform_rates()
        intensity = step_series(
            np.array([self.day(p.date) for p in sc.intensity], dtype=np.int64),
            np.array([p.level for p in sc.intensity]), self.T, 1.0)
        delivered = self._deliveries()
        in_service = fleet_in_service(
            np.array([p.initial for p in sc.platforms], dtype=float), delivered,
            np.array([p.training_days for p in sc.platforms], dtype=np.int64),
            np.array([np.inf if p.training_per_week is None else p.training_per_week / 7.0
                      for p in sc.platforms]),
            np.array([p.attrition_per_day for p in sc.platforms]))
        need_f = family_need(in_service, fires, wear, intensity)
        share = np.array([k.demand_share for k in sc.depots])
        release_day, slip = self._releases(item_family)
        pledges = [p for p in sc.pledges if p.status != "cancelled"]
        packages = [d for d in sc.deliveries if d.first_load_days > 0]
        net = network_arrays(sc, self.donor.pos, self.depot.pos)
        return Problem(
            name=sc.name,
            scenario_hash=scenario_hash(sc),
            start=sc.start,
            standards=self.std.labels,
            families=self.fam.labels,
            items=self.item.labels,
            platforms=self.plat.labels,
            donors=self.donor.labels,
            depots=self.depot.labels,
            dates=np.datetime64(sc.start, "D") + np.arange(self.T),
            step_days=np.ones(self.T, dtype=np.int64),
            family_standard=np.array([self.std[f.standard] for f in sc.families],
                                     dtype=np.int64),
            family_is_spare=np.array([f.kind == "spare_part" for f in sc.families]),
            family_units=tuple(f.unit for f in sc.families),
            shortfall_penalty=self._shortfall_penalty(item_family, item_value),
            item_family=item_family,
            item_mass_t=np.array([i.mass_kg / 1000.0 for i in sc.items]),
            item_value=item_value,
            item_whole=np.array([i.whole_units for i in sc.items]),
            purchase_cost=self._purchase_cost(),
            fires=fires,
            wear=wear,
            in_service=in_service,
            delivered=delivered,
            intensity=intensity,
            need=need_f[:, None, :] * share[None, :, None],
            donor_stock=self._donor_lines(lambda d: d.stock),
            donor_production=self._production(),
            release_day=release_day,
            release_slip_mean=slip,
            lead_days=net.lead_days,
            tranche_day=tranche_calendar(self._donor_ints(lambda d: d.tranche_every_days),
                                         self._donor_ints(lambda d: d.tranche_offset_days),
                                         self.T),
            min_tranche_t=np.array([d.min_tranche_t for d in sc.donors]),
            delay_mean=np.array([d.delay_days_mean for d in sc.donors]),
            fair_share=np.array([np.nan if d.fair_share is None else d.fair_share
                                 for d in sc.donors]),
            donor_transport=np.array([d.transport_eur_per_t for d in sc.donors]),
            dispatch_capacity_t=np.repeat(
                np.array([np.inf if d.dispatch_t_per_day is None else d.dispatch_t_per_day
                          for d in sc.donors])[:, None], self.T, axis=1),
            tranche_fixed_cost=np.array([d.tranche_fixed_eur for d in sc.donors]),
            donor_paused=self._pauses(),
            pause_prob=np.array([d.pause_prob_per_day for d in sc.donors]),
            resume_prob=np.array([1.0 if d.resume_prob_per_day is None
                                  else d.resume_prob_per_day for d in sc.donors]),
            pledge_ids=tuple(p.id for p in pledges),
            pledge_donor=np.array([self.donor[p.donor] for p in pledges], dtype=np.int64),
            pledge_item=np.array([self.item[p.item] for p in pledges], dtype=np.int64),
            pledge_day=np.array([self.day(p.date) for p in pledges], dtype=np.int64),
            pledge_quantity=np.array([p.quantity for p in pledges], dtype=float),
            pledge_fixed=np.array([p.binding == "fixed" for p in pledges], dtype=bool),
            package_platform=np.array([self.plat[d.platform] for d in packages], dtype=np.int64),
            package_day=np.array([self.day(d.date) for d in packages], dtype=np.int64),
            package_first_load=np.array(
                [fires[self.plat[d.platform]] * d.count * d.first_load_days for d in packages],
                dtype=float).reshape(len(packages), len(self.fam)),
            hub_throughput_t=net.hub_limit_t.sum(axis=0),
            depot_capacity_t=np.array([k.capacity_t for k in sc.depots]),
            transit_days=net.transit_days,
            strike_prob=np.array([k.strike_prob_per_day for k in sc.depots]),
            loss_fraction=np.array([k.loss_fraction for k in sc.depots]),
            demand_share=share,
            depot_transport=np.array([k.transport_eur_per_t for k in sc.depots]),
            initial_stock=self._initial_stock(),
            hubs=net.hubs, hub_limit_t=net.hub_limit_t, hub_capacity_t=net.hub_capacity_t,
            hub_strike_prob=net.hub_strike_prob, hub_loss_fraction=net.hub_loss_fraction,
            supply_ids=net.supply_ids, supply_mode=net.supply_mode,
            supply_donor=net.supply_donor,
            supply_hub=net.supply_hub, supply_transit_days=net.supply_transit_days,
            supply_capacity_t=net.supply_capacity_t, supply_cost=net.supply_cost,
            supply_fixed_eur=net.supply_fixed_eur, supply_open=net.supply_open,
            route_ids=net.route_ids, route_mode=net.route_mode,
            route_from_hub=net.route_from_hub, route_from_depot=net.route_from_depot,
            route_depot=net.route_depot, route_transit_days=net.route_transit_days,
            route_capacity_t=net.route_capacity_t, route_cost=net.route_cost,
            route_fixed_eur=net.route_fixed_eur, route_open=net.route_open,
            w_shortfall_timing=sc.weights.shortfall_timing,
            w_strike_loss=sc.weights.strike_loss,
            w_transport=sc.weights.transport,
            w_smoothness=sc.weights.smoothness,
            fair_share_band=sc.weights.fair_share_band,
            fairness_penalty=sc.weights.fairness_penalty,
            holding_cost=sc.weights.holding_per_unit_day,
            backorder_cost=sc.weights.backorder_per_unit_day,
            demand_dispersion=(np.inf if sc.uncertainty.demand_dispersion is None
                               else sc.uncertainty.demand_dispersion),
            demand_cv=(np.nan if sc.uncertainty.demand_cv is None
                       else sc.uncertainty.demand_cv),
            surge_prob=sc.uncertainty.surge_prob_per_day,
            surge_multiplier=sc.uncertainty.surge_multiplier,
            strike_loss_concentration=sc.uncertainty.strike_loss_concentration,
        )

    def _platform_rates(self) -> tuple[F64, F64]:
        fires = np.zeros((len(self.plat), len(self.fam)))
        wear = np.zeros((len(self.plat), len(self.fam)))
        for p, plat in enumerate(self.sc.platforms):
            for use in plat.uses:
                fires[p, self.fam[use.family]] += use.rounds_per_day
            for w in plat.wear:
                wear[p, self.fam[w.family]] += w.per_round
        return fires, wear

    def _deliveries(self) -> F64:
        delivered = np.zeros((len(self.plat), self.T))
        for d in self.sc.deliveries:
            delivered[self.plat[d.platform], self.day(d.date)] += d.count
        return delivered

    def _shortfall_penalty(self, item_family: I64, item_value: F64) -> F64:
        multiple = self.sc.weights.shortfall_value_multiple
        counts = np.bincount(item_family, minlength=len(self.fam))
        totals = np.bincount(item_family, weights=item_value, minlength=len(self.fam))
        mean_value = np.divide(totals, counts, out=np.zeros(len(self.fam)), where=counts > 0)
        return np.array([
            f.shortfall_penalty_eur if f.shortfall_penalty_eur is not None
            else multiple * mean_value[n] * f.priority
            for n, f in enumerate(self.sc.families)])

    def _donor_lines(self, lines_of: Callable[[Donor], list[StockLine]]) -> F64:
        out = np.zeros((len(self.donor), len(self.item)))
        for d, donor in enumerate(self.sc.donors):
            for line in lines_of(donor):
                out[d, self.item[line.item]] += line.quantity
        return out

    def _donor_ints(self, value_of: Callable[[Donor], int]) -> I64:
        return np.array([value_of(d) for d in self.sc.donors], dtype=np.int64)

    def _production(self) -> F64:
        out = np.zeros((len(self.donor), len(self.item), self.T))
        for d, donor in enumerate(self.sc.donors):
            for prod in donor.production:
                days = np.array([self.day(r.date) for r in prod.rates], dtype=np.int64)
                rates = np.array([r.per_day for r in prod.rates])
                out[d, self.item[prod.item]] += ramp_series(days, rates, self.T)
        return out

    def _releases(self, item_family: I64) -> tuple[I64, F64]:
        day = np.zeros((len(self.donor), len(self.item)), dtype=np.int64)
        slip = np.zeros((len(self.donor), len(self.item)))
        for d, donor in enumerate(self.sc.donors):
            self._apply_releases(donor, d, item_family, day, slip)
        return day, slip

    def _apply_releases(self, donor: Donor, d: int, item_family: I64, day: I64,
                        slip: F64) -> None:
        """Family rules first, then item rules, so an item rule overrides its family's."""
        ordered = sorted(donor.releases, key=lambda r: r.item is not None)
        for rel in ordered:
            if rel.item is not None:
                mask = np.arange(len(self.item)) == self.item[rel.item]
            else:
                mask = item_family == self.fam[str(rel.family)]
            day[d, mask] = max(self.day(rel.date), 0)
            slip[d, mask] = rel.slip_days_mean

    def _pauses(self) -> Bool:
        """[d, t] days of the donors' dated pauses (clipped to the horizon)."""
        out = np.zeros((len(self.donor), self.T), dtype=bool)
        for d, donor in enumerate(self.sc.donors):
            for pause in donor.pauses:
                first, last = max(self.day(pause.start), 0), self.day(pause.end)
                out[d, first:max(last + 1, first)] = True
        return out

    def _purchase_cost(self) -> F64:
        """[i, t] price by dispatch day: a step function whose first price also holds before
        its date."""
        out = np.zeros((len(self.item), self.T))
        for n, item in enumerate(self.sc.items):
            points = sorted(item.purchase_prices, key=lambda q: q.date)
            if points:
                days = np.array([self.day(q.date) for q in points], dtype=np.int64)
                prices = np.array([q.eur_per_unit for q in points])
                out[n] = step_series(days, prices, self.T, float(prices[0]))
        return out

    def _initial_stock(self) -> F64:
        out = np.zeros((len(self.item), len(self.depot)))
        for k, depot in enumerate(self.sc.depots):
            for line in depot.initial_stock:
                out[self.item[line.item], k] += line.quantity
        return out
