"""The simulator follows one hub only: a network it cannot follow is refused with the cause,
a one-hub network written out simulates exactly as the old fields."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from resupply.compile import compile_problem
from resupply.domain import Scenario, load_scenario
from resupply.errors import SimulationError
from resupply.simulation import LumpPolicy, SimOptions, simulate


def as_network(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` with its hub written as a one-hub network (as tests/planning/test_network.py)."""
    out = {**data, "donors": [dict(d) for d in data["donors"]],
           "depots": [dict(k) for k in data["depots"]]}
    hub = out.pop("hub")
    routes = [{"id": f"{d['id']}-in", "origin": d["id"], "destination": "entry",
               "transit_days": d.pop("lead_days", 0),
               "cost_eur_per_t": d.pop("transport_eur_per_t", 0.0)} for d in out["donors"]]
    routes += [{"id": f"to-{k['id']}", "origin": "entry", "destination": k["id"],
                "transit_days": k.pop("transit_days", 0),
                "cost_eur_per_t": k.pop("transport_eur_per_t", 0.0)} for k in out["depots"]]
    out["network"] = {"hubs": [{"id": "entry", "throughput_t_per_day":
                                hub["throughput_t_per_day"]}], "routes": routes}
    return out


def test_several_hubs_are_refused_with_the_cause() -> None:
    data = as_network(load_scenario("tiny").model_dump(mode="json", exclude_none=True))
    network = data["network"]
    network["hubs"].append({"id": "second", "throughput_t_per_day": 10})
    network["routes"].append({"id": "extra", "origin": "second",
                              "destination": data["depots"][0]["id"]})
    problem = compile_problem(Scenario.model_validate(data))
    with pytest.raises(SimulationError, match="simulation over several hubs is not supported "
                       "yet: the scenario's network has 2 hubs"):
        simulate(problem, LumpPolicy(), SimOptions(runs=4, seed=1))


def test_one_hub_network_simulates_as_before() -> None:
    tiny = load_scenario("tiny")
    data = as_network(tiny.model_dump(mode="json", exclude_none=True))
    options = SimOptions(runs=8, seed=3)
    old = simulate(compile_problem(tiny), LumpPolicy(), options)
    new = simulate(compile_problem(Scenario.model_validate(data)), LumpPolicy(), options)
    np.testing.assert_array_equal(old.totals.any_short_days, new.totals.any_short_days)


def test_certification_refuses_a_network_before_any_solve(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """`plan --risk` on a network the simulator cannot follow says so at once: no plan is
    solved first (the calibration would need the simulator)."""
    import resupply.workflow.certify as certify_module
    from resupply.workflow.certify import CertifyOptions, certify

    data = as_network(load_scenario("tiny").model_dump(mode="json", exclude_none=True))
    data["network"]["hubs"][0]["capacity_t"] = 500.0
    problem = compile_problem(Scenario.model_validate(data))

    def no_solve(*_: object, **__: object) -> None:
        raise AssertionError("solved before refusing")

    monkeypatch.setattr(certify_module, "reference_plan", no_solve)
    with pytest.raises(SimulationError, match="hub storage limits"):
        certify(problem, CertifyOptions(risk=0.05), np.ones(len(problem.families), dtype=bool))
