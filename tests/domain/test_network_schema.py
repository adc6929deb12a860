"""The `network` section: hub or network, routes that go somewhere valid, the fields a
network replaces, every donor with a route; each error located at its field."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from resupply.domain.load import validate_data
from resupply.domain.source import parse_bytes
from resupply.errors import ScenarioError

BASE: dict[str, Any] = {
    "name": "net", "start": "2024-01-01", "horizon_days": 3, "standards": [{"id": "std"}],
    "families": [{"id": "fam", "standard": "std"}],
    "items": [{"id": "it", "family": "fam", "mass_kg": 10}],
    "donors": [{"id": "don", "stock": [{"item": "it", "quantity": 5}]}],
    "depots": [{"id": "dep", "capacity_t": 10, "demand_share": 1.0}],
    "network": {"hubs": [{"id": "hub1", "throughput_t_per_day": 5}],
                "routes": [{"id": "in", "origin": "don", "destination": "hub1"},
                           {"id": "out", "origin": "hub1", "destination": "dep"}]}}


def _issues(data: dict[str, Any]) -> list[tuple[str, int, str]]:
    text = yaml.safe_dump(data, sort_keys=False)
    parsed, where = parse_bytes(text.encode(), "n.yaml")
    with pytest.raises(ScenarioError) as exc:
        validate_data(parsed, where)
    return [(i.path, i.line, i.message) for i in exc.value.issues]


def test_valid_network_loads() -> None:
    text = yaml.safe_dump(BASE, sort_keys=False)
    parsed, where = parse_bytes(text.encode(), "n.yaml")
    scenario = validate_data(parsed, where)
    assert scenario.network is not None and scenario.hub is None


def test_hub_and_network_together_are_refused() -> None:
    issues = _issues({**BASE, "hub": {"throughput_t_per_day": 1}})
    assert any("exactly one of `hub`" in m for _, _, m in issues)


def test_route_from_donor_to_depot_is_located() -> None:
    data = {**BASE, "network": {**BASE["network"], "routes": [
        {"id": "in", "origin": "don", "destination": "dep"}]}}
    issues = _issues(data)
    assert any(p == "network.routes.0.destination" and "ends at a hub" in m
               for p, _, m in issues), issues
    assert any(p == "donors.0.id" and "no route to a hub" in m for p, _, m in issues)


def test_replaced_fields_are_refused_with_the_fix() -> None:
    depots = [{**BASE["depots"][0], "transit_days": 2}]
    issues = _issues({**BASE, "depots": depots})
    assert any(p == "depots.0.transit_days" and "given on the routes" in m
               for p, _, m in issues), issues


def test_unknown_place_and_hub_id_clash() -> None:
    data = {**BASE, "network": {
        "hubs": [{"id": "dep", "throughput_t_per_day": 5}],
        "routes": [{"id": "in", "origin": "nowhere", "destination": "dep"}]}}
    issues = _issues(data)
    assert any(p == "network.routes.0.origin" and "unknown place" in m for p, _, m in issues)
    assert any(p == "network.hubs.0.id" and "also a donor or depot id" in m
               for p, _, m in issues)
