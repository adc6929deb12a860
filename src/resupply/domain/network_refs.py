"""Cross-reference checks of a scenario's `network` (hubs and routes), on the raw data.

A route goes from a donor to a hub, or from a hub or a depot to a depot; ids of hubs do not
clash with donor or depot ids (a route names either); every donor has a route to a hub; the
fields a network replaces (`hub`, depots' transit and transport, donors' lead and transport)
are left out. Each check yields ``(path, message)`` like `references`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

from resupply.domain.source import PathKey

Finding = tuple[PathKey, str]
REPLACED = {"depots": ("transit_days", "transport_eur_per_t"),
            "donors": ("lead_days", "transport_eur_per_t")}
"""Fields a network replaces by its routes: (list, fields)."""


def check_network(data: dict[str, Any], ids: dict[str, dict[str, Any]],
                  as_date: Callable[[object], dt.date | None]) -> Iterator[Finding]:
    """Every reference problem of ``data["network"]`` (nothing when there is none)."""
    network = data.get("network")
    if not isinstance(network, dict):
        return
    hubs = {h["id"]: n for n, h in entries(network, "hubs") if isinstance(h.get("id"), str)}
    yield from _replaced(data)
    yield from _hub_ids(network, ids)
    fed: set[str] = set()
    for j, route in entries(network, "routes"):
        yield from _route(j, route, hubs, ids, fed=fed, as_date=as_date)
    for i, donor in entries(data, "donors"):
        if isinstance(donor.get("id"), str) and donor["id"] not in fed:
            yield ("donors", i, "id"), (f"donor `{donor['id']}` has no route to a hub; add a "
                                        "route from it to a hub in network.routes")


def entries(data: dict[str, Any], name: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """(position, entry) of the mappings in the list ``data[name]`` (none when it is not a
    list): the references are checked on raw data, before the schema has passed."""
    value = data.get(name)
    if isinstance(value, list):
        for i, entry in enumerate(value):
            if isinstance(entry, dict):
                yield i, entry


def _replaced(data: dict[str, Any]) -> Iterator[Finding]:
    for name, fields in REPLACED.items():
        for i, entry in entries(data, name):
            for field in fields:
                if entry.get(field) not in (None, 0, 0.0):
                    yield (name, i, field), (
                        f"with a network, `{field}` is given on the routes; move it to the "
                        "route's transit_days or cost_eur_per_t and leave it out here")


def _hub_ids(network: dict[str, Any],
             ids: dict[str, dict[str, Any]]) -> Iterator[Finding]:
    seen: set[str] = set()
    for n, hub in entries(network, "hubs"):
        ident = hub.get("id")
        if not isinstance(ident, str):
            continue
        if ident in seen:
            yield ("network", "hubs", n, "id"), f"duplicate hub id `{ident}`"
        elif ident in ids["donors"] or ident in ids["depots"]:
            yield ("network", "hubs", n, "id"), (
                f"hub id `{ident}` is also a donor or depot id; routes name places by id, so "
                "give the hub an id of its own")
        seen.add(ident)


def _route(j: int, route: dict[str, Any], hubs: dict[str, int], ids: dict[str, dict[str, Any]],
           *, fed: set[str], as_date: Callable[[object], dt.date | None]) -> Iterator[Finding]:
    base: PathKey = ("network", "routes", j)
    origin, destination = route.get("origin"), route.get("destination")
    donors, depots = ids["donors"], ids["depots"]
    places = sorted({*donors, *hubs, *depots})
    if isinstance(origin, str) and origin not in places:
        yield (*base, "origin"), (f"unknown place `{origin}`; a route starts at a donor, hub "
                                  f"or depot: {', '.join(places[:12])}")
    elif isinstance(origin, str) and isinstance(destination, str):
        if origin in donors:
            if destination not in hubs:
                yield (*base, "destination"), (
                    f"a route from donor `{origin}` ends at a hub; hubs: {', '.join(hubs)}")
            else:
                fed.add(origin)
        elif destination not in depots:
            yield (*base, "destination"), (
                f"a route from hub or depot `{origin}` ends at a depot; depots: "
                f"{', '.join(sorted(depots))}")
        elif destination == origin:
            yield (*base, "destination"), "a route cannot end where it starts"
    start, end = as_date(route.get("open_from")), as_date(route.get("open_until"))
    if start and end and end < start:
        yield (*base, "open_until"), f"open_until {end} is before open_from {start}"
