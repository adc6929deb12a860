"""Problems the simulation tests share: tiny, its variants, and a one-item textbook problem."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from resupply.compile import Problem, compile_problem
from resupply.domain.load import load_scenario
from resupply.domain.schema import Scenario
from resupply.simulation import PlanInput


@pytest.fixture(scope="session")
def tiny() -> Problem:
    """The bundled tiny scenario, compiled."""
    return compile_problem(load_scenario("tiny"))


def tiny_variant(strikes: bool = True, east_stock: float = 1500.0,
                 **depot_updates: Any) -> Scenario:
    """tiny with the strikes switched on or off, the eastern donor's stock changed and every
    depot updated with ``depot_updates``."""
    sc = load_scenario("tiny")
    depots = [d.model_copy(update={**({} if strikes else {"strike_prob_per_day": 0.0}),
                                   **depot_updates}) for d in sc.depots]
    east = sc.donors[0]
    east = east.model_copy(update={"stock": [east.stock[0].model_copy(
        update={"quantity": east_stock})]})
    return sc.model_copy(update={"depots": depots, "donors": [east, *sc.donors[1:]]})


def textbook(mean: float, lead: int, level: float, days: int, *, h: float = 1.0,
             p: float = 9.0) -> Problem:
    """One item, one donor with unlimited stock and lead ``lead``, one depot without limits or
    strikes holding ``level`` at the start, demand ``mean`` a day; costs h and p."""
    return compile_problem(textbook_scenario(mean, lead, level, days, h=h, p=p))


def textbook_scenario(mean: float, lead: int, level: float, days: int, *, h: float = 1.0,
                      p: float = 9.0) -> Scenario:
    """The scenario `textbook` compiles."""
    data = {
        "name": "textbook", "start": "2024-01-01", "horizon_days": days,
        "standards": [{"id": "s"}], "families": [{"id": "f", "standard": "s"}],
        "items": [{"id": "i", "family": "f", "mass_kg": 1.0}],
        "platforms": [{"id": "gun", "standard": "s", "initial": 1,
                       "uses": [{"family": "f", "rounds_per_day": mean}]}],
        "donors": [{"id": "d", "stock": [{"item": "i", "quantity": 1e12}],
                    "lead_days": lead}],
        "hub": {"throughput_t_per_day": 1e8},
        "depots": [{"id": "k", "capacity_t": 1e9, "demand_share": 1.0,
                    "initial_stock": [{"item": "i", "quantity": level}]}],
        "weights": {"holding_per_unit_day": h, "backorder_per_unit_day": p},
    }
    return Scenario.model_validate(data)


def hand_plan(problem: Problem) -> PlanInput:
    """A feasible plan for tiny written by hand: each donor sends 100 rounds of its first
    item on each of its tranche days once released; each arrival moves on at once, split by
    demand share."""
    x = np.zeros((len(problem.donors), len(problem.items), problem.n_days))
    first_item = [0, 1]  # east: of540, west: m795
    for d, item in enumerate(first_item):
        days = np.nonzero(problem.tranche_day[d])[0]
        days = days[days >= problem.release_day[d, item]]
        x[d, item, days] = 100.0
    z = np.zeros((len(problem.items), len(problem.depots), problem.n_days))
    share = problem.demand_share / problem.demand_share.sum()
    for d in range(len(problem.donors)):
        arrive = np.arange(problem.n_days) + problem.lead_days[d]
        ok = arrive < problem.n_days
        z[:, :, arrive[ok]] += x[d][:, None, ok] * share[None, :, None]
    return PlanInput(dispatch=x, moves=z)


@pytest.fixture(scope="session")
def make_tiny_variant() -> Any:
    """`tiny_variant` as a fixture."""
    return tiny_variant


@pytest.fixture(scope="session")
def make_textbook() -> Any:
    """`textbook` as a fixture."""
    return textbook


@pytest.fixture(scope="session")
def make_textbook_scenario() -> Any:
    """`textbook_scenario` as a fixture."""
    return textbook_scenario


@pytest.fixture(scope="session")
def make_hand_plan() -> Any:
    """`hand_plan` as a fixture."""
    return hand_plan
