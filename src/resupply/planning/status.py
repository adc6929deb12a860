"""One solver-neutral vocabulary for the outcome of a solve, and the map from HiGHS to it."""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """What a solve ended with."""

    OPTIMAL = "optimal"
    """Proven optimal (LP) or within the MIP gap (MILP)."""
    INFEASIBLE = "infeasible"
    """No plan satisfies the hard constraints; `PlanResult.explanation` says which family."""
    UNBOUNDED = "unbounded"
    """The objective can decrease without limit (a modelling error: every cost is >= 0)."""
    TIME_LIMIT = "time_limit"
    """Stopped at the wall-clock limit; the best plan found so far, if any, is returned."""
    ERROR = "error"
    """The solver failed; the message says how."""


HIGHS_STATUS = {
    "kOptimal": Status.OPTIMAL,
    "kModelEmpty": Status.OPTIMAL,
    "kInfeasible": Status.INFEASIBLE,
    # Every cost is non-negative and every variable bounded below, so the objective is bounded
    # below: "unbounded or infeasible" can only mean infeasible here.
    "kUnboundedOrInfeasible": Status.INFEASIBLE,
    "kUnbounded": Status.UNBOUNDED,
    "kTimeLimit": Status.TIME_LIMIT,
    "kIterationLimit": Status.TIME_LIMIT,
    "kInterrupt": Status.TIME_LIMIT,
    "kHighsInterrupt": Status.TIME_LIMIT,
    "kSolutionLimit": Status.TIME_LIMIT,
    "kObjectiveBound": Status.TIME_LIMIT,
    "kObjectiveTarget": Status.TIME_LIMIT,
}
"""HiGHS model status name -> `Status`; any other name is `Status.ERROR`."""


def from_highs(model_status_name: str) -> Status:
    """Map a HiGHS ``HighsModelStatus`` name (``"kOptimal"``) to a `Status`."""
    return HIGHS_STATUS.get(model_status_name, Status.ERROR)
