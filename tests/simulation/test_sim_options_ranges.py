"""Typed option parsing with ranges: every number of a policy spec and of the simulation
options is checked before anything runs, with the valid range in the message."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from resupply.compile import Problem
from resupply.errors import SimulationError
from resupply.simulation import DemandModel, LumpPolicy, SimOptions, simulate
from resupply.simulation.specs import parse_policy, split_specs

Cli = Callable[..., tuple[int, str, str]]


@pytest.mark.parametrize(("spec", "says"), [
    ("cadence:99999999999999999999", "must be a whole number in 1..36500"),
    ("cadence:0", "must be a whole number in 1..36500"),
    ("cadence:1.5", "must be a whole number in 1..36500"),
    ("cadence:7:nan", "the buffer 'nan' must be a number above 0, at most 36500"),
    ("cadence:7:-1", "the buffer '-1' must be a number above 0"),
    ("order-up-to:1e400", "the order-up-to level '1e400' must be a number above 0, at most 1e+12"),
    ("order-up-to:nan", "the order-up-to level 'nan'"),
    ("order-up-to:infd", "the days of cover 'inf'"),
    ("order-up-to:0d", "the days of cover '0'"),
    ("rolling:-3", "must be a whole number in 1..36500"),
])
def test_out_of_range_spec_parts_are_refused(spec: str, says: str) -> None:
    with pytest.raises(SimulationError, match=f"policy '{spec}': .*{_re(says)}"):
        parse_policy(spec, planner=lambda problem, history=None: None)  # type: ignore[arg-type,return-value]


def _re(text: str) -> str:
    import re

    return re.escape(text)


def test_in_range_parts_still_parse() -> None:
    assert parse_policy("cadence:36500:0.5").name.startswith("cadence")
    assert parse_policy("order-up-to:1e12").name.startswith("order-up-to")


@pytest.mark.parametrize("text", [",,,", "", " , "])
def test_a_list_of_no_policies_is_refused(text: str) -> None:
    with pytest.raises(SimulationError, match="names no policy"):
        split_specs(text)


@pytest.mark.parametrize("cv", [1e308, float("nan"), float("inf"), -1.0])
def test_cv_out_of_range_is_refused(cv: float) -> None:
    with pytest.raises(SimulationError, match=r"cv must be a number in 0\.\.10"):
        DemandModel("normal", cv)


def test_a_warmup_as_long_as_the_horizon_is_refused(tiny: Problem) -> None:
    n = tiny.n_days
    with pytest.raises(SimulationError, match=f"warmup_days must be in 0..{n - 1}"):
        simulate(tiny, LumpPolicy(), SimOptions(runs=2, warmup_days=n))
    assert simulate(tiny, LumpPolicy(), SimOptions(runs=2, warmup_days=n - 1)).runs == 2


@pytest.mark.parametrize("args", [
    ["simulate", "tiny", "--runs", "3", "--policy", "order-up-to:nan"],
    ["simulate", "tiny", "--runs", "3", "--warmup-days", "100000"],
    ["simulate", "tiny", "--runs", "3", "--demand", "normal", "--cv", "1e308"],
    ["compare", "tiny", "--runs", "3", "--policies", ",,,"],
    ["runs", "show", "99999999999999999999999"],
])
def test_the_cli_refuses_them_without_writing(cli: Cli, tmp_path: Path, args: list[str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RESUPPLY_DATABASE_URL", f"sqlite:///{tmp_path / 'l.db'}")
    out = ["--out", str(tmp_path / "out")] if args[0] in {"simulate", "compare"} else []
    code, _, err = cli(*args, *out)
    assert code in (1, 2), err
    assert not (tmp_path / "out").exists()
