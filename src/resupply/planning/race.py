"""The solver race as a function over runners: first decided answer wins, the others are
cancelled and waited for, all within a wall-clock limit.

A `Runner` is one solve running in the background (HiGHS's is `solve.HighsRunner`; tests
use fakes). `race` starts every runner with the time limit, waits until one ends with a
decided status (optimal, infeasible, unbounded) or all have ended, cancels the rest and
waits ``grace`` seconds for them to stop; a runner that has not stopped is returned as a
straggler, for its owner to keep alive. Time comes from ``clock`` and waiting from the
runners' own ``wait``, so a test can run a race on a fake clock.

``time_limit + grace`` after the start, the race stops waiting for a decided answer and
cancels every runner; a runner that ends within ``grace`` more is the (undecided) winner,
else there is none. A race therefore returns within about ``time_limit + 3 grace``.

A ``KeyboardInterrupt`` (Ctrl-C) while a race runs cancels every runner and waits up to
``grace`` for them to stop (a second Ctrl-C does not cut that wait short), then raises
`Interrupted` naming the runners still running: a solver thread left running when the
process exits aborts it (SIGABRT, "terminate called without an active exception").
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from resupply.planning.status import Status

DECIDED = frozenset({Status.OPTIMAL, Status.INFEASIBLE, Status.UNBOUNDED})
"""Statuses that settle a race; after any other the race goes on."""
POLL = 0.01
"""How long a race waits on one runner before looking at the next. [s]"""


class Runner(Protocol):
    """One solve in the background."""

    def start(self, time_limit: float) -> None:
        """Begin solving, asking the solver to stop by itself after ``time_limit``. [s]"""
        ...

    def wait(self, timeout: float) -> bool:
        """Wait up to ``timeout`` for the solve to end; True when it has. [s]"""
        ...

    def cancel(self) -> None:
        """Ask the solve to stop (it ends soon after, with an undecided status)."""
        ...

    def status(self) -> Status:
        """The status the ended solve reports."""
        ...


R = TypeVar("R", bound=Runner)


class Interrupted(KeyboardInterrupt):
    """Ctrl-C during a race: every runner was cancelled; ``stragglers`` had not stopped
    ``grace`` seconds later (their owner must wait for them before the process exits)."""

    def __init__(self, stragglers: tuple[Runner, ...]) -> None:
        super().__init__("the solve was cancelled")
        self.stragglers = stragglers


@dataclass(frozen=True)
class RaceResult(Generic[R]):
    """How a race ended."""

    winner: R | None
    """The first runner with a decided answer, else the last to end; None if none ended."""
    stragglers: tuple[R, ...]
    """Cancelled runners that had not stopped ``grace`` seconds later."""


def race(runners: Sequence[R], time_limit: float, grace: float,
         clock: Callable[[], float] = time.perf_counter) -> RaceResult[R]:
    """Run ``runners`` side by side (see the module docstring). [s]"""
    try:
        return _race(runners, time_limit, grace, clock)
    except KeyboardInterrupt:
        raise Interrupted(stop_all(runners, grace, clock)) from None


def _race(runners: Sequence[R], time_limit: float, grace: float,
          clock: Callable[[], float]) -> RaceResult[R]:
    started = clock()
    for runner in runners:
        runner.start(time_limit)
    winner = first_decided(runners, started + time_limit + grace, clock)
    for runner in runners:
        if runner is not winner:
            runner.cancel()
    if winner is None:
        winner = first_done(runners, clock() + grace, clock)
    if winner is None:
        return RaceResult(None, tuple(runners))
    losers = [r for r in runners if r is not winner]
    return RaceResult(winner, tuple(r for r in losers if not r.wait(grace)))


def stop_all(runners: Sequence[R], grace: float,
             clock: Callable[[], float] = time.perf_counter) -> tuple[R, ...]:
    """Cancel every runner and wait up to ``grace`` in all for them to stop, through any
    further Ctrl-C; the runners still running. [s]"""
    for runner in runners:
        runner.cancel()
    deadline = clock() + grace
    running = list(runners)
    while running:
        try:
            done = first_done(running, deadline, clock)
        except KeyboardInterrupt:
            continue  # a second Ctrl-C: the solvers are stopping already
        if done is None:
            break
        running.remove(done)
    return tuple(running)


def first_decided(runners: Sequence[R], deadline: float,
                  clock: Callable[[], float] = time.perf_counter) -> R | None:
    """The first of ``runners`` to end with a decided status, else the last to end, or None
    if some are still running at ``deadline``. [s]"""
    pending = list(runners)
    while pending:
        done = first_done(pending, deadline, clock)
        if done is None:
            return None
        pending.remove(done)
        if not pending or done.status() in DECIDED:
            return done
    return None


def first_done(runners: Sequence[R], deadline: float,
               clock: Callable[[], float] = time.perf_counter) -> R | None:
    """The first of ``runners`` whose solve has ended by ``deadline``, or None. [s]"""
    while True:
        for runner in runners:
            if runner.wait(0.0):
                return runner
        left = deadline - clock()
        if left <= 0:
            return None
        runners[0].wait(min(POLL, left))
