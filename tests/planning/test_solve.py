"""The solver session: racing simplex against interior point, and adopting the winner."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from resupply.compile import Problem
from resupply.planning import Status, plan
from resupply.planning.model import build_model
from resupply.planning.options import PlanOptions
from resupply.planning.race import POLL, Interrupted, race
from resupply.planning.solve import Session


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


class Clock:
    """A fake clock: time passes only while a fake runner waits."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@dataclass
class FakeRunner:
    """A solve that ends ``takes`` seconds after it starts (on the fake clock) with
    ``status``, or, once cancelled, ``stops`` seconds after the cancel (never when None)."""

    clock: Clock
    takes: float
    status_at_end: Status
    stops: float | None = 0.0
    started: float | None = None
    cancelled: float | None = None
    time_limit: float | None = None
    waited_after_cancel: bool = False

    def _ends(self) -> float:
        assert self.started is not None
        natural = self.started + self.takes
        if self.cancelled is None or (self.stops is None and self.cancelled < natural):
            return natural if self.cancelled is None else float("inf")
        return min(natural, self.cancelled + self.stops)

    def start(self, time_limit: float) -> None:
        self.started, self.time_limit = self.clock.now, time_limit

    def wait(self, timeout: float) -> bool:
        if self.cancelled is not None and timeout > 0:
            self.waited_after_cancel = True
        ends = self._ends()
        if ends <= self.clock.now:
            return True
        if ends <= self.clock.now + timeout:
            self.clock.now = ends
            return True
        self.clock.now += timeout
        return False

    def cancel(self) -> None:
        self.cancelled = self.clock.now

    def status(self) -> Status:
        natural = self.started is not None and self._ends() >= self.started + self.takes
        return self.status_at_end if natural else Status.TIME_LIMIT


def test_the_first_decided_answer_wins_and_the_loser_is_cancelled_and_waited_for() -> None:
    clock = Clock()
    fast = FakeRunner(clock, 3.0, Status.OPTIMAL)
    slow = FakeRunner(clock, 50.0, Status.OPTIMAL, stops=1.0)
    outcome = race([slow, fast], time_limit=60.0, grace=2.0, clock=clock)
    assert outcome.winner is fast and outcome.stragglers == ()
    assert slow.cancelled == pytest.approx(3.0, abs=POLL) and slow.waited_after_cancel
    assert fast.cancelled is None and fast.time_limit == slow.time_limit == 60.0
    # won at 3 s (seen within a poll), the loser stopped 1 s after its cancel
    assert clock.now == pytest.approx(4.0, abs=POLL)


def test_an_undecided_finish_does_not_win_the_race() -> None:
    clock = Clock()
    quick = FakeRunner(clock, 1.0, Status.TIME_LIMIT)  # an iteration limit, say
    slow = FakeRunner(clock, 5.0, Status.OPTIMAL)
    assert race([quick, slow], 60.0, 2.0, clock).winner is slow
    alone = FakeRunner(clock, 1.0, Status.TIME_LIMIT)
    assert race([alone], 60.0, 2.0, clock).winner is alone


def test_at_the_time_limit_everything_is_cancelled_and_a_stuck_runner_is_a_straggler() -> None:
    clock = Clock()
    stops = FakeRunner(clock, 1e9, Status.OPTIMAL, stops=0.5)
    stuck = FakeRunner(clock, 1e9, Status.OPTIMAL, stops=None)
    outcome = race([stops, stuck], time_limit=10.0, grace=2.0, clock=clock)
    assert outcome.winner is stops and outcome.stragglers == (stuck,)
    assert stops.cancelled == pytest.approx(12.0, abs=POLL)
    assert stuck.cancelled == stops.cancelled
    assert outcome.winner.status() is Status.TIME_LIMIT
    never = FakeRunner(Clock(), 1e9, Status.OPTIMAL, stops=None)
    nobody = race([never], time_limit=10.0, grace=2.0, clock=never.clock)
    assert nobody.winner is None and nobody.stragglers == (never,)
    assert never.clock.now == pytest.approx(14.0, abs=POLL)  # limit + grace, grace for a stop


@dataclass
class CtrlC(FakeRunner):
    """A runner during whose wait the user presses Ctrl-C at ``at`` seconds (``times`` times,
    the later ones while the race is stopping the solvers)."""

    at: float = 0.0
    times: int = 1

    def wait(self, timeout: float) -> bool:
        if self.times and self.clock.now >= self.at:
            self.times -= 1
            raise KeyboardInterrupt
        return super().wait(timeout)


def test_ctrl_c_cancels_every_runner_and_names_the_ones_that_did_not_stop() -> None:
    clock = Clock()
    pressed = CtrlC(clock, 1e9, Status.OPTIMAL, stops=0.5, at=5.0, times=2)
    stops = FakeRunner(clock, 1e9, Status.OPTIMAL, stops=1.0)
    stuck = FakeRunner(clock, 1e9, Status.OPTIMAL, stops=None)
    with pytest.raises(Interrupted) as caught:
        race([pressed, stops, stuck], time_limit=60.0, grace=2.0, clock=clock)
    assert isinstance(caught.value, KeyboardInterrupt)  # the CLI's Ctrl-C handling applies
    assert caught.value.stragglers == (stuck,)
    assert pressed.cancelled == stops.cancelled == stuck.cancelled == pytest.approx(5.0, abs=POLL)
    assert clock.now == pytest.approx(7.0, abs=2 * POLL)  # waited the grace, not the limit


def test_an_optimal_end_without_a_solution_is_solved_again_cold(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """HiGHS 1.16 once ended a warm-started dual simplex "Optimal" with no feasible primal
    solution (a certification's fourth buffered plan of ukraine-2022 came out as NaN and
    stopped `make demo`). Such an end is solved again from scratch; the plan is the cold
    optimum; twice such an end is an error that says so, never a plan of NaN."""
    from dataclasses import replace

    from resupply import compile_problem, load_scenario, planning
    from resupply.planning import solve as solve_module

    p = compile_problem(load_scenario("tiny"))
    honest = planning.plan(p, method="simplex", cost_of_fairness=False, explain=False)
    original = solve_module.HighsRunner.solution
    calls = {"n": 0}

    def first_without_values(self: object, integer: bool, want_basis: bool) -> object:
        run = original(self, integer, want_basis)  # type: ignore[arg-type]
        calls["n"] += 1
        return replace(run, col_value=None) if calls["n"] == 1 else run

    monkeypatch.setattr(solve_module.HighsRunner, "solution", first_without_values)
    again = planning.plan(p, method="simplex", cost_of_fairness=False, explain=False)
    assert calls["n"] == 2 and again.ok
    assert np.isfinite(again.dispatch).all()
    assert again.objective == pytest.approx(honest.objective, rel=1e-9)

    def never_values(self: object, integer: bool, want_basis: bool) -> object:
        return replace(original(self, integer, want_basis), col_value=None)  # type: ignore[arg-type]

    monkeypatch.setattr(solve_module.HighsRunner, "solution", never_values)
    broken = planning.plan(p, method="simplex", cost_of_fairness=False, explain=False)
    assert broken.status is planning.Status.ERROR
    assert "without a usable solution" in broken.message
