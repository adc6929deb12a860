"""Dask as a sweep executor (`resupply.workflow.sweep.Executor`), and connecting to it.

The scenario and the sweep go to the cluster once, as the result of one small task whose
arguments the scheduler keeps: every variant task depends on it, each worker fetches it once,
and when the workers holding it die the scheduler recomputes it from those arguments (data
given with ``client.scatter`` would be lost with them instead). A variant task lost with its
worker is rerun by the scheduler; since a variant is a pure function of (scenario, sweep,
variant) the rerun gives the same row.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from resupply.domain.schema import Scenario
from resupply.errors import ResupplyError
from resupply.workflow.sweep import Variant, VariantRow, run_variant, sweep_identity
from resupply.workflow.sweepfile import SweepSpec

CHECKED_PACKAGES = ("resupply", "numpy", "scipy", "pandas", "pydantic", "highspy")
"""Packages whose versions must be the same on the client, the scheduler and every worker
(besides Dask's own: distributed, dask, msgpack, cloudpickle, tornado, toolz, python)."""


def _hold(base: Scenario, spec: SweepSpec) -> tuple[Scenario, SweepSpec]:
    """The sweep's input as a task result (recomputable from the task's own arguments)."""
    return base, spec


def _run(held: tuple[Scenario, SweepSpec], variant: Variant) -> VariantRow:
    return run_variant(held[0], held[1], variant)


def key_prefix(base: Scenario, spec: SweepSpec) -> str:
    """Start of the Dask keys of a sweep's tasks (the scenario's and the sweep's digests)."""
    return f"resupply-sweep-{sweep_identity(base, spec)['scenario_hash']}-{spec.fingerprint()}"


def input_key(base: Scenario, spec: SweepSpec) -> str:
    """Dask key of the task holding the scenario and the sweep."""
    return f"{key_prefix(base, spec)}-input"


@dataclass(frozen=True)
class DaskExecutor:
    """Runs variants as Dask tasks on ``client``'s cluster, yielding rows as they finish."""

    client: Any
    """A `distributed.Client` (typed loosely: Dask ships no complete stubs)."""

    def __call__(self, base: Scenario, spec: SweepSpec,
                 todo: Sequence[Variant]) -> Iterator[VariantRow]:
        from distributed import as_completed

        if not todo:
            return
        prefix = key_prefix(base, spec)
        held = self.client.submit(_hold, base, spec, key=input_key(base, spec), pure=False)
        futures = [self.client.submit(_run, held, v, key=f"{prefix}-{v.key}", pure=False)
                   for v in todo]
        try:
            for _, row in as_completed(futures, with_results=True):
                yield row
        finally:
            self.client.cancel([*futures, held])


@contextmanager
def connect(scheduler: str | None = None, workers: int | None = None) -> Iterator[Any]:
    """A `distributed.Client`: of the scheduler at ``scheduler`` (``tcp://HOST:8786``), whose
    versions are checked against this process's, or else of a new `LocalCluster` of
    ``workers`` processes (default: one per core) with one thread each, closed on exit."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise ResupplyError("resupply sweep needs Dask: pip install 'resupply[sweep]'") from None
    if scheduler is not None and workers is not None:
        raise ResupplyError("give --scheduler (an existing cluster) or --workers (a local "
                            "one), not both")
    if scheduler is not None:
        with _client(Client, scheduler) as client:
            check_versions(client)
            yield client
        return
    n = workers or os.cpu_count() or 1
    try:
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                               dashboard_address=":0", silence_logs=logging.ERROR)
    except RuntimeError as exc:  # "Cluster failed to start: ..."
        raise ResupplyError(f"the local Dask cluster did not start: {exc}") from None
    with cluster, Client(cluster) as client:
        yield client


@contextmanager
def _client(factory: Any, address: str) -> Iterator[Any]:
    try:
        client = factory(address, timeout="20s")
    except (OSError, TimeoutError) as exc:
        raise ResupplyError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
    with client:
        yield client


def check_versions(client: Any) -> None:
    """Raise `ResupplyError` unless the client, scheduler and workers run the same versions
    of Dask and of `CHECKED_PACKAGES` (and have resupply installed at all)."""
    try:
        client.get_versions(check=True, packages=list(CHECKED_PACKAGES))
    except ValueError as exc:
        raise ResupplyError(f"the Dask cluster's versions differ from this machine's; install "
                            f"the same versions on the workers:\n{exc}") from None
