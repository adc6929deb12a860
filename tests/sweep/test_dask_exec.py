"""Dask as the sweep executor: a LocalCluster of 2 workers gives the serial table bit for bit,
through a worker killed mid-sweep (all those holding the scenario) and an interruption."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from resupply.domain import Scenario
from resupply.sweep import DaskExecutor, connect
from resupply.sweep.dask_exec import input_key
from resupply.workflow.sweep import RESULTS, VariantRow, run_sweep, serial, variants
from resupply.workflow.sweepfile import SweepSpec, load_sweep

SWEEP = """
seed: 9
runs: 50
factors:
  - {name: west, path: "donors[west].production.*", scale: [0.5, 2], levels: 4}
  - {name: strike, path: "depots[near].strike_prob_per_day", set: [0, 0.1], levels: 5}
"""
"""The base and 4 x 5 grid variants of `tiny`, 50 runs each."""


@pytest.fixture(scope="module")
def spec(tmp_path_factory: pytest.TempPathFactory, tiny: Scenario) -> SweepSpec:
    path = tmp_path_factory.mktemp("sweep") / "sweep.yaml"
    path.write_text(SWEEP)
    return load_sweep(path, tiny)


@pytest.fixture(scope="module")
def serial_table(tmp_path_factory: pytest.TempPathFactory, tiny: Scenario,
                 spec: SweepSpec) -> pd.DataFrame:
    return run_sweep(tiny, spec, tmp_path_factory.mktemp("serial"), serial).table


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    with connect(workers=2) as client:
        yield client


def test_two_workers_give_the_serial_table_bit_for_bit(
        tmp_path: Path, tiny: Scenario, spec: SweepSpec, serial_table: pd.DataFrame,
        client: Any) -> None:
    assert len(variants(spec)) == 21
    result = run_sweep(tiny, spec, tmp_path, DaskExecutor(client))
    assert sorted(result.ran) == list(range(21)) and result.complete
    pd.testing.assert_frame_equal(result.table, serial_table, check_exact=True)
    assert pd.read_parquet(tmp_path / RESULTS).equals(serial_table)
    assert len(client.scheduler_info()["workers"]) == 2


class KillHolders:
    """After ``after`` rows, SIGKILL every worker holding the scenario (the nannies start new
    ones); remembers whom it killed."""

    def __init__(self, client: Any, key: str, after: int) -> None:
        self.client, self.key, self.after = client, key, after
        self.killed: list[str] = []

    def __call__(self, done: int, total: int) -> None:
        if done != self.after:
            return
        holders = list(self.client.who_has().get(self.key, ()))
        pids = self.client.run(os.getpid, workers=holders)
        for address, pid in pids.items():
            os.kill(pid, signal.SIGKILL)
            self.killed.append(address)


def test_killing_the_workers_that_hold_the_scenario_changes_nothing(
        tmp_path: Path, tiny: Scenario, spec: SweepSpec, serial_table: pd.DataFrame,
        client: Any) -> None:
    kill = KillHolders(client, input_key(tiny, spec), after=3)
    result = run_sweep(tiny, spec, tmp_path, DaskExecutor(client), progress=kill)
    assert kill.killed, "the scenario was held by no worker"
    assert result.complete
    pd.testing.assert_frame_equal(result.table, serial_table, check_exact=True)
    client.wait_for_workers(2, timeout=60)


class Interrupt:
    def __init__(self, after: int) -> None:
        self.after = after

    def __call__(self, done: int, total: int) -> None:
        if done >= self.after:
            raise KeyboardInterrupt


def test_interrupt_and_resume_give_the_same_table_and_run_nothing_twice(
        tmp_path: Path, tiny: Scenario, spec: SweepSpec, serial_table: pd.DataFrame,
        client: Any) -> None:
    with pytest.raises(KeyboardInterrupt):
        run_sweep(tiny, spec, tmp_path, DaskExecutor(client), progress=Interrupt(7))
    first = set(pd.read_parquet(tmp_path / RESULTS)["variant"])
    assert len(first) >= 7
    given: list[int] = []

    def recording(base: Scenario, s: SweepSpec, todo: Any) -> Iterator[VariantRow]:
        given.extend(v.index for v in todo)
        return DaskExecutor(client)(base, s, todo)

    resumed = run_sweep(tiny, spec, tmp_path, recording, resume=True)
    assert not first & set(given) and first | set(given) == set(range(21))
    assert sorted(resumed.ran) == sorted(given)
    pd.testing.assert_frame_equal(resumed.table, serial_table, check_exact=True)


class MismatchedClient:
    """A client whose cluster runs other versions (what `get_versions(check=True)` raises)."""

    def get_versions(self, check: bool = False, packages: Any = None) -> None:
        assert check and "resupply" in packages and "highspy" in packages
        raise ValueError("Mismatched versions found\n| numpy | 2.4.6 | 2.3.0 |")


def test_a_cluster_of_other_versions_is_refused_with_the_differences() -> None:
    from resupply.errors import ResupplyError
    from resupply.sweep.dask_exec import check_versions

    with pytest.raises(ResupplyError, match=r"versions differ(.|\n)*numpy \| 2.4.6 \| 2.3.0"):
        check_versions(MismatchedClient())


def test_scheduler_and_workers_together_are_refused() -> None:
    from resupply.errors import ResupplyError

    with pytest.raises(ResupplyError, match="not both"), \
            connect("tcp://127.0.0.1:1", workers=2):
        pass


def test_a_cluster_by_address_is_checked_and_gives_the_same_table(
        tmp_path: Path, tiny: Scenario, spec: SweepSpec, serial_table: pd.DataFrame,
        client: Any) -> None:
    with connect(client.scheduler.address) as remote:  # versions checked at connect
        result = run_sweep(tiny, spec, tmp_path, DaskExecutor(remote))
    pd.testing.assert_frame_equal(result.table, serial_table, check_exact=True)
