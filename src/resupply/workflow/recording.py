"""The record step: a run's options, summary and files into the store (`resupply runs`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from resupply.domain.schema import Scenario
from resupply.store import open_store, record_run
from resupply.workflow.plans import plan_summary
from resupply.workflow.simulations import Simulation

if TYPE_CHECKING:
    from resupply.planning import PlanResult
    from resupply.store import Store

Files = Mapping[str, str | bytes]


@dataclass(frozen=True)
class Recorded:
    """Where runs were recorded: their ids by kind and the database (password hidden)."""

    ids: tuple[tuple[str, int], ...]
    where: str

    def __str__(self) -> str:
        shown = [f"{run_id} ({kind})" for kind, run_id in self.ids]
        runs = shown[-1] if len(shown) == 1 else f"{', '.join(shown[:-1])} and {shown[-1]}"
        return f"run{'s' if len(self.ids) > 1 else ''} {runs} in {self.where}"


def _bytes(files: Files) -> dict[str, bytes]:
    return {name: data.encode("utf-8") if isinstance(data, str) else data
            for name, data in files.items()}


def record_plan(store: Store, scenario: Scenario, result: PlanResult, files: Files) -> int:
    """Store a plan: its options, status, objective and terms, and its files."""
    return record_run(store, "plan", scenario, options=result.options.as_dict(), seed=None,
                      summary=plan_summary(result), files=_bytes(files))


def record_simulation(store: Store, scenario: Scenario, sim: Simulation, files: Files,
                      context: Mapping[str, object] | None = None) -> int:
    """Store a simulation: its options (policy included, and ``context``: what else it was
    run with, such as the policies it was compared with), seed, overall metrics and files."""
    options = {"policy": sim.policy, **sim.metrics.options, **(context or {})}
    return record_run(store, "simulation", scenario, options=options,
                      seed=sim.result.options.seed, summary=sim.metrics.overall.to_dict(),
                      files=_bytes(files))


def record(db: str | None, scenario: Scenario, *, plan: tuple[PlanResult, Files] | None = None,
           simulations: Sequence[tuple[Simulation, Files]] = (),
           context: Mapping[str, object] | None = None) -> Recorded:
    """Record a plan and simulations in the database at ``db`` (default: see
    `resupply.store.open_store`); ``context`` is added to each simulation's options."""
    ids: list[tuple[str, int]] = []
    with open_store(db) as store:
        if plan is not None:
            ids.append(("plan", record_plan(store, scenario, *plan)))
        for sim, files in simulations:
            ids.append(("simulation", record_simulation(store, scenario, sim, files, context)))
        where = store.engine.url.render_as_string(hide_password=True)
    return Recorded(tuple(ids), where)
