"""Ctrl-C during a solve, as a user presses it: a real `resupply plan` process gets SIGINT once
it says the solve started. Every method cancels its HiGHS solvers and exits 130 with one line,
no traceback, no abort ("terminate called without an active exception", SIGABRT, was issue
15), and no output directory."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from .builders import many_donors

WATCHDOG = 90.0
AT_A_TERMINAL = ("import runpy, signal, sys; signal.signal(signal.SIGINT, "
                 "signal.default_int_handler); sys.argv[0] = 'resupply'; "
                 "runpy.run_module('resupply', run_name='__main__')")
"""`python -m resupply` with Ctrl-C raising KeyboardInterrupt, as in a terminal. A test run
started in the background by a non-interactive shell (CI, `make test &`) hands its children
SIGINT ignored, and Python then installs no handler: the signal would be lost and the test
would wait for its watchdog."""
"""A process still running this long after its start is killed (the test then fails). [s]"""


def _interrupt_once_solving(args: list[str], cwd: Path) -> tuple[int, str, str, str]:
    """Run ``resupply plan ARGS``, send SIGINT when stderr says ``solving:``; (exit code,
    the solving line, rest of stderr, stdout)."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-c", AT_A_TERMINAL, "plan", *args], cwd=cwd,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            stdin=subprocess.DEVNULL)
    watchdog = threading.Timer(WATCHDOG, proc.kill)
    watchdog.start()
    try:
        assert proc.stderr is not None
        solving = ""
        for line in proc.stderr:
            if line.startswith("solving:"):
                solving = line
                break
        if solving:
            proc.send_signal(signal.SIGINT)
        stdout, stderr = proc.communicate()
    finally:
        watchdog.cancel()
    return proc.returncode, solving, stderr, stdout


@pytest.fixture(scope="module")
def slow_scenario(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A scenario whose LP takes minutes (no plan within 30 s on this machine)."""
    path = tmp_path_factory.mktemp("slow") / "slow.json"
    path.write_text(json.dumps(many_donors(20, 50, 10, 180)))
    return path


@pytest.mark.parametrize("how", ["race", "simplex", "ipm", "choose", "--integer"])
def test_ctrl_c_during_the_solve_exits_130_cleanly(slow_scenario: Path, tmp_path: Path,
                                                    how: str) -> None:
    out = tmp_path / "plan"
    method = ["--integer"] if how == "--integer" else ["--method", how]
    code, solving, err, stdout = _interrupt_once_solving(
        [str(slow_scenario), "--out", str(out), *method], tmp_path)
    assert "variables" in solving and "(Ctrl-C cancels)" in solving
    assert code == 130, (code, err)
    assert err.strip().splitlines() == [
        f"interrupted: planning cancelled; nothing written to {out}"]
    assert "Traceback" not in err + stdout and "terminate called" not in err
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == []  # no temp folder beside it


def test_ctrl_c_leaves_an_earlier_plan_as_it_was(slow_scenario: Path, tmp_path: Path) -> None:
    out = tmp_path / "plan"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    code, solving, err, _ = _interrupt_once_solving(
        [str(slow_scenario), "--out", str(out), "--force"], tmp_path)
    assert solving and code == 130 and "Traceback" not in err
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]
    assert (out / "notes.txt").read_text() == "mine"
