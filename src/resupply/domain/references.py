"""Cross-reference checks that no single field can make: ids, standards, shares, dates.

They run on the raw data (not the validated models) so that a file with a type error in one
place still gets every reference error reported in the same run. Each check yields
``(path, message)``; malformed entries are skipped here because the schema reports them.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from difflib import get_close_matches
from typing import Any

from resupply.domain.network_refs import check_network, entries
from resupply.domain.source import PathKey

Finding = tuple[PathKey, str]
COLLECTIONS = ("standards", "families", "items", "platforms", "donors", "pledges", "depots")
SHARE_TOLERANCE = 1e-6
CAPACITY_TOLERANCE = 1e-9
"""Relative slack of the initial-stock-within-capacity check (float sums of tons)."""
SUPPLY_TOLERANCE = 1e-9
"""Relative (and absolute, in units) slack of the pledges-within-supply check."""
"""Relative slack of the initial-stock-within-capacity check (float sums of tons)."""


def check_references(data: Any) -> list[Finding]:
    """Every cross-reference problem in a scenario's raw data."""
    if not isinstance(data, dict):
        return []
    ids = {name: _id_index(data, name) for name in COLLECTIONS}
    horizon = _horizon(data)
    checks = (
        _duplicates(data),
        _families(data, ids),
        _items(data, ids),
        _platforms(data, ids),
        _deliveries(data, ids, horizon),
        _donors(data, ids, horizon),
        _pledges(data, ids, horizon),
        _depots(data, ids),
        _intensity(data, horizon),
        check_network(data, ids, _as_date),
    )
    return [finding for check in checks for finding in check]


def _id_index(data: dict[str, Any], name: str) -> dict[str, dict[str, Any]]:
    return {e["id"]: e for _, e in entries(data, name) if isinstance(e.get("id"), str)}


def _unknown(kind: str, value: object, known: dict[str, Any]) -> str:
    names = sorted(known)
    close = get_close_matches(str(value), names, n=1)
    hint = f"did you mean `{close[0]}`? " if close else ""
    listed = ", ".join(names[:12]) + (", ..." if len(names) > 12 else "")
    return f"unknown {kind} `{value}`; {hint}known {kind} ids: {listed or '(none)'}"


def _ref(path: PathKey, kind: str, value: object, known: dict[str, Any]) -> Iterator[Finding]:
    if isinstance(value, str) and value not in known:
        yield path, _unknown(kind, value, known)


def _duplicates(data: dict[str, Any]) -> Iterator[Finding]:
    for name in COLLECTIONS:
        seen: dict[str, int] = {}
        for i, entry in entries(data, name):
            ident = entry.get("id")
            if not isinstance(ident, str):
                continue
            if ident in seen:
                yield (name, i, "id"), (f"duplicate id `{ident}` (first at {name}.{seen[ident]}); "
                                        "ids must be unique within a list")
            else:
                seen[ident] = i


def _families(data: dict[str, Any], ids: dict[str, dict[str, Any]]) -> Iterator[Finding]:
    for i, fam in entries(data, "families"):
        yield from _ref(("families", i, "standard"), "standard", fam.get("standard"),
                        ids["standards"])


def _items(data: dict[str, Any], ids: dict[str, dict[str, Any]]) -> Iterator[Finding]:
    for i, item in entries(data, "items"):
        yield from _ref(("items", i, "family"), "family", item.get("family"), ids["families"])


def _platforms(data: dict[str, Any], ids: dict[str, dict[str, Any]]) -> Iterator[Finding]:
    families = ids["families"]
    for i, plat in entries(data, "platforms"):
        standard = plat.get("standard")
        yield from _ref(("platforms", i, "standard"), "standard", standard, ids["standards"])
        for field, kind in (("uses", "ammunition"), ("wear", "spare_part")):
            for j, use in entries(plat, field):
                path: PathKey = ("platforms", i, field, j, "family")
                fam_id = use.get("family")
                if not isinstance(fam_id, str):
                    continue
                if fam_id not in families:
                    yield path, _unknown("family", fam_id, families)
                    continue
                if isinstance(standard, str) and standard in ids["standards"]:
                    yield from _fits_platform(path, plat, fam_id, families, kind)


def _fits_platform(path: PathKey, plat: dict[str, Any], fam_id: str,
                   families: dict[str, dict[str, Any]], kind: str) -> Iterator[Finding]:
    standard = plat.get("standard")
    family = families[fam_id]
    fam_kind = family.get("kind", "ammunition")
    if fam_kind != kind:
        verb = "fire" if kind == "ammunition" else "wear"
        yield path, (f"family `{fam_id}` is of kind {fam_kind}; `{path[2]}` takes families of "
                     f"kind {kind} (a platform cannot {verb} it)")
    elif isinstance(standard, str) and family.get("standard") != standard:
        same = sorted(f for f, e in families.items()
                      if e.get("standard") == standard and e.get("kind", "ammunition") == kind)
        yield path, (f"platform `{plat.get('id')}` (standard {standard}) cannot use family "
                     f"`{fam_id}` (standard {family.get('standard')}); families of standard "
                     f"{standard}: {', '.join(same) or '(none)'}")


def _deliveries(data: dict[str, Any], ids: dict[str, dict[str, Any]],
                horizon: tuple[dt.date, dt.date] | None) -> Iterator[Finding]:
    for i, dlv in entries(data, "deliveries"):
        yield from _ref(("deliveries", i, "platform"), "platform", dlv.get("platform"),
                        ids["platforms"])
        yield from _ref(("deliveries", i, "donor"), "donor", dlv.get("donor"), ids["donors"])
        yield from _in_horizon(("deliveries", i, "date"), dlv.get("date"), horizon)


def _donors(data: dict[str, Any], ids: dict[str, dict[str, Any]],
            horizon: tuple[dt.date, dt.date] | None) -> Iterator[Finding]:
    items, families = ids["items"], ids["families"]
    for i, donor in entries(data, "donors"):
        base: PathKey = ("donors", i)
        for field in ("stock", "production"):
            seen: set[str] = set()
            for j, line in entries(donor, field):
                item = line.get("item")
                yield from _ref((*base, field, j, "item"), "item", item, items)
                if isinstance(item, str) and item in seen:
                    yield (*base, field, j, "item"), (f"item `{item}` is listed twice in "
                                                      f"`{field}`; give one line per item")
                seen.add(str(item))
            if field == "production":
                for j, prod in entries(donor, field):
                    yield from _rates_in_order((*base, field, j, "rates"), prod.get("rates"))
        for j, rel in entries(donor, "releases"):
            yield from _ref((*base, "releases", j, "item"), "item", rel.get("item"), items)
            yield from _ref((*base, "releases", j, "family"), "family", rel.get("family"),
                            families)
            date = _as_date(rel.get("date"))
            if horizon and date and date > horizon[1]:
                yield (*base, "releases", j, "date"), (
                    f"release date {date} is after the horizon ends ({horizon[1]}); give a date "
                    "on or before it, or leave the item out of the donor's stock and production")


def _rates_in_order(path: PathKey, rates: object) -> Iterator[Finding]:
    if not isinstance(rates, list):
        return
    dates = [_as_date(r.get("date")) if isinstance(r, dict) else None for r in rates]
    for j in range(1, len(dates)):
        prev, cur = dates[j - 1], dates[j]
        if prev and cur and cur <= prev:
            yield (*path, j, "date"), (f"rate points must be in increasing date order; {cur} "
                                       f"is not after {prev}")


def _pledges(data: dict[str, Any], ids: dict[str, dict[str, Any]],
             horizon: tuple[dt.date, dt.date] | None) -> Iterator[Finding]:
    for i, pledge in entries(data, "pledges"):
        yield from _ref(("pledges", i, "donor"), "donor", pledge.get("donor"), ids["donors"])
        yield from _ref(("pledges", i, "item"), "item", pledge.get("item"), ids["items"])
        yield from _in_horizon(("pledges", i, "date"), pledge.get("date"), horizon)
    yield from _pledges_within_supply(data, horizon)


def _pledges_within_supply(data: dict[str, Any],
                           horizon: tuple[dt.date, dt.date] | None) -> Iterator[Finding]:
    """Pledges of one donor and item due by a date cannot add up to more than the donor can
    hold by then: its stock plus its production at its highest rate from its first rate date
    (an upper bound, so only a certainly infeasible pledge is reported)."""
    if horizon is None:
        return
    donors = {e["id"]: e for _, e in entries(data, "donors") if isinstance(e.get("id"), str)}
    due: dict[tuple[str, str], list[tuple[dt.date, float, int]]] = {}
    for i, pledge in entries(data, "pledges"):
        date, quantity = _as_date(pledge.get("date")), _number(pledge.get("quantity"))
        key = (str(pledge.get("donor")), str(pledge.get("item")))
        if (date is not None and quantity is not None and horizon[0] <= date <= horizon[1]
                and pledge.get("status") != "cancelled" and key[0] in donors):
            due.setdefault(key, []).append((date, quantity, i))
    for (donor, item), pledges in due.items():
        stock, rate, since = _supply(donors[donor], item)
        total = 0.0
        for date, quantity, i in sorted(pledges):
            total += quantity
            days = (date - since).days + 1 if since is not None else 0
            most = stock + rate * max(days, 0)
            if total > most * (1 + SUPPLY_TOLERANCE) + SUPPLY_TOLERANCE:
                yield ("pledges", i, "quantity"), (
                    f"pledges of donor `{donor}` for `{item}` due by {date} add up to "
                    f"{total:,.6g} units, more than the donor can have by then (at most "
                    f"{most:,.6g}: stock {stock:,.6g} plus production): no plan can dispatch "
                    "them; lower the quantity, move the date or add stock or production")
                break


def _supply(donor: dict[str, Any], item: str) -> tuple[float, float, dt.date | None]:
    """(stock [units], highest production rate [units/day], first rate date) of an item."""
    stock = sum(q for _, line in entries(donor, "stock") if line.get("item") == item
                and (q := _number(line.get("quantity"))) is not None)
    rate, since = 0.0, None
    for _, production in entries(donor, "production"):
        if production.get("item") != item:
            continue
        for _, point in entries(production, "rates"):
            date, per_day = _as_date(point.get("date")), _number(point.get("per_day"))
            if date is not None and per_day is not None:
                rate = max(rate, per_day)
                since = date if since is None else min(since, date)
    return stock, rate, since


def _depots(data: dict[str, Any], ids: dict[str, dict[str, Any]]) -> Iterator[Finding]:
    shares = []
    for i, depot in entries(data, "depots"):
        share = depot.get("demand_share")
        if isinstance(share, int | float) and not isinstance(share, bool) and abs(share) <= 1e6:
            shares.append(float(share))
        for j, line in entries(depot, "initial_stock"):
            yield from _ref(("depots", i, "initial_stock", j, "item"), "item", line.get("item"),
                            ids["items"])
        yield from _initial_within_capacity(i, depot, ids["items"])
    depots = data.get("depots")
    if isinstance(depots, list) and shares and len(shares) == len(depots):
        total = sum(shares)
        if math.isfinite(total) and abs(total - 1.0) > SHARE_TOLERANCE:
            yield ("depots",), (f"depot demand_share values sum to {total:.6g}; they must sum "
                                "to 1 (each depot serves that share of the need)")


def _initial_within_capacity(i: int, depot: dict[str, Any],
                             items: dict[str, dict[str, Any]]) -> Iterator[Finding]:
    """A depot cannot start with more tons than it stores: no plan could exist."""
    capacity = _number(depot.get("capacity_t"))
    if capacity is None:
        return
    tons = 0.0
    for _, line in entries(depot, "initial_stock"):
        item = items.get(str(line.get("item")), {})
        mass, quantity = _number(item.get("mass_kg")), _number(line.get("quantity"))
        if mass is not None and quantity is not None:
            tons += quantity * mass / 1000.0
    if math.isfinite(tons) and tons > capacity * (1 + CAPACITY_TOLERANCE):
        yield ("depots", i, "initial_stock"), (
            f"initial stock is {tons:,.6g} t, more than the depot's capacity_t of "
            f"{capacity:,.6g} t: no plan can hold it; lower the stock (quantity x mass_kg) or "
            "raise capacity_t")


def _number(value: object) -> float | None:
    """`value` as a finite number >= 0, or None (the schema reports anything else)."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    try:
        number = float(value)
    except OverflowError:  # an integer beyond float range: the schema reports it
        return None
    return number if math.isfinite(number) and number >= 0 else None


def _intensity(data: dict[str, Any], horizon: tuple[dt.date, dt.date] | None) -> Iterator[Finding]:
    value = data.get("intensity")
    if isinstance(value, list):
        yield from _rates_in_order(("intensity",), value)
    for i, point in entries(data, "intensity"):
        yield from _in_horizon(("intensity", i, "date"), point.get("date"), horizon)


def _in_horizon(path: PathKey, value: object,
                horizon: tuple[dt.date, dt.date] | None) -> Iterator[Finding]:
    date = _as_date(value)
    if horizon and date and not horizon[0] <= date <= horizon[1]:
        yield path, (f"date {date} is outside the horizon; give a date from {horizon[0]} to "
                     f"{horizon[1]}")


def _as_date(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _horizon(data: dict[str, Any]) -> tuple[dt.date, dt.date] | None:
    start = _as_date(data.get("start"))
    days = data.get("horizon_days")
    if start is None or isinstance(days, bool) or not isinstance(days, int):
        return None
    if not 1 <= days <= 3650:
        return None
    return start, start + dt.timedelta(days=days - 1)
