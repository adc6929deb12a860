"""The solver session: racing simplex against interior point, and adopting the winner."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

from resupply.compile import Problem
from resupply.planning import Status, plan
from resupply.planning.model import build_model
from resupply.planning.options import PlanOptions
from resupply.planning.solve import Session, _first_decided


@pytest.mark.parametrize("method", ["simplex", "ipm", "choose"])
def test_every_method_finds_the_race_optimum(tiny_problem: Problem, method: str) -> None:
    raced = plan(tiny_problem, cost_of_fairness=False)
    other = plan(tiny_problem, method=method, cost_of_fairness=False)
    assert raced.stats["method"] in {"race: simplex first", "race: interior point first"}
    assert other.stats["method"] == method
    assert other.objective == pytest.approx(raced.objective, rel=1e-9)


def test_interior_point_wins_when_simplex_stops_early_and_its_basis_is_adopted(
        tiny_problem: Problem) -> None:
    """Simplex capped at 10 iterations ends undecided, so the race waits for the interior
    point method; the session's simplex then starts from the winner's basis, and a re-solve
    with a row bound changed to its own value needs no iteration."""
    model = build_model(tiny_problem, PlanOptions())
    session = Session(model, PlanOptions())
    session.highs.setOptionValue("simplex_iteration_limit", 10)
    first = session.run(60.0)
    assert first.status is Status.OPTIMAL and first.method == "race: interior point first"
    reference = Session(model, PlanOptions(method="simplex")).run(60.0)
    assert first.objective == pytest.approx(reference.objective, rel=1e-9)
    session.highs.setOptionValue("simplex_iteration_limit", 10**9)
    row = np.array([0])
    session.change_rows(row, model.row_lower[row], model.row_upper[row])
    again = session.run(60.0)
    assert again.status is Status.OPTIMAL and again.iterations == 0
    assert again.objective == pytest.approx(first.objective, rel=1e-9)


@dataclass
class FakeRunner:
    """Ends its solve at ``ends`` (a count of polls) with model status ``status``."""

    ends: int
    status: str
    polls: int = 0

    def wait(self, timeout: float) -> tuple[bool, None]:
        self.polls += 1
        return self.polls >= self.ends, None

    def getModelStatus(self) -> Any:  # noqa: N802 - the highspy name
        return type("S", (), {"name": self.status})()


def test_an_undecided_finish_does_not_win_the_race() -> None:
    quick = FakeRunner(1, "kIterationLimit")
    slow = FakeRunner(5, "kOptimal")
    assert _first_decided([quick, slow], deadline=float("inf")) is slow
    alone = FakeRunner(1, "kIterationLimit")
    assert _first_decided([alone], deadline=float("inf")) is alone
    never = FakeRunner(10**9, "kOptimal")
    assert _first_decided([never], deadline=0.0) is None
