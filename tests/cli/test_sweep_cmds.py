"""`resupply sweep`: the example on `tiny` end to end on a local cluster; a bad sweep file
stops before anything starts."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from resupply.domain import Scenario
from resupply.workflow.sweep import RESULTS, run_sweep, serial
from resupply.workflow.sweepfile import load_sweep

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "sweep-ukraine-2022.yaml"

CliResult = tuple[int, str, str]


def test_the_example_sweeps_tiny_on_a_local_cluster(
        tmp_path: Path, tiny: Scenario, cli: Callable[..., CliResult]) -> None:
    out = tmp_path / "run"
    code, stdout, stderr = cli("sweep", "tiny", "--sweep", str(EXAMPLE), "--workers", "1",
                               "--runs", "20", "--out", str(out))
    assert code == 0, stderr
    assert "17 variants run, 0 kept from before, 17 in all" in stdout
    assert "Which donor matters most" in stdout
    spec = load_sweep(EXAMPLE, tiny)
    import dataclasses

    serial_table = run_sweep(tiny, dataclasses.replace(spec, runs=20), tmp_path / "serial",
                             serial).table
    pd.testing.assert_frame_equal(pd.read_parquet(out / RESULTS), serial_table)
    donors = json.loads((out / "donors.json").read_text())
    assert {(d["donor"], d["change"]) for d in donors} == {
        ("east", "drop"), ("east", "pause"), ("west", "drop"), ("west", "pause")}
    bars = json.loads((out / "tornado.json").read_text())
    assert {b["factor"] for b in bars} == {"production", "strikes", "fire", "deliveries", "hub"}
    assert (out / "sweep.html").is_file()
    code, stdout, _ = cli("sweep", "tiny", "--sweep", str(EXAMPLE), "--workers", "1",
                          "--runs", "20", "--out", str(out), "--resume")
    assert code == 0 and "0 variants run, 17 kept from before" in stdout


def test_a_bad_sweep_file_starts_nothing(tmp_path: Path, cli: Callable[..., CliResult],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import resupply.sweep

    def no_cluster(*args: object) -> None:
        raise AssertionError("a cluster was started")

    monkeypatch.setattr(resupply.sweep, "connect", no_cluster)
    bad = tmp_path / "bad.yaml"
    bad.write_text("runs: 10\nfactors:\n  - path: depots[near].capacity\n    scale: [1, 2]\n")
    out = tmp_path / "run"
    code, _, stderr = cli("sweep", "tiny", "--sweep", str(bad), "--out", str(out))
    assert code == 2
    assert f"{bad}:3:11: factors.0.path: path `depots[near].capacity`: unknown field " \
           "`capacity` at depots.0; valid fields: capacity_t," in stderr
    assert not out.exists()


def test_a_sweep_into_a_users_folder_is_refused_before_anything_starts(
        tmp_path: Path, cli: Callable[..., CliResult]) -> None:
    """The guarded output: a folder holding a user's file is not a sweep directory; the sweep
    refuses it (exit 2) before a cluster starts, and the file is untouched."""
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "thesis.txt").write_text("mine")
    code, _, stderr = cli("sweep", "tiny", "--sweep", str(EXAMPLE), "--out", str(folder))
    assert code == 2 and "not a sweep directory" in stderr
    assert [p.name for p in folder.iterdir()] == ["thesis.txt"]
    assert (folder / "thesis.txt").read_text() == "mine"
