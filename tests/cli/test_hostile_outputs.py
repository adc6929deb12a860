"""Hostile output paths through the real CLI: every command that writes refuses what is not
its own, says `cannot write PATH: reason`, exits non-zero and touches nothing else."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

Cli = Callable[..., tuple[int, str, str]]
Snap = Callable[[Path], dict[str, bytes | None]]


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: Cli) -> Path:
    path = tmp_path / "ledger.db"
    monkeypatch.setenv("RESUPPLY_DATABASE_URL", f"sqlite:///{path}")
    assert cli("db", "upgrade")[0] == 0
    return path


def writers(target: str) -> list[list[str]]:
    """Every command that writes, aimed at `target`."""
    return [["plan", "tiny", "--out", target],
            ["simulate", "tiny", "--runs", "5", "--policy", "lump", "--out", target],
            ["compare", "tiny", "--runs", "5", "--policies", "lump", "--out", target],
            ["demo", "--scenario", "tiny", "--runs", "10", "--calibration-runs", "10",
             "--out", target],
            ["init", target], ["ledger", "export", "--out", target], ["db", "backup", target]]


def test_plan_refuses_a_folder_holding_a_users_file(cli: Cli, tmp_path: Path,
                                                    snapshot: Snap) -> None:
    folder = tmp_path / "thesis"
    (folder / "sub").mkdir(parents=True)
    (folder / "thesis.txt").write_text("three years")
    code, _, err = cli("plan", "tiny", "--out", str(folder))
    assert code == 2
    assert "not a plan directory" in err and "--force" in err
    assert snapshot(folder) == {"sub": None, "thesis.txt": b"three years"}


@pytest.mark.parametrize("which", range(7))
@pytest.mark.parametrize("kind", ["users-file", "users-folder", "dot", "device", "under-a-file"])
def test_no_writer_clobbers_or_crashes(cli: Cli, db: Path, tmp_path: Path, snapshot: Snap, *,
                                       monkeypatch: pytest.MonkeyPatch, which: int,
                                       kind: str) -> None:
    work = tmp_path / "work"
    (work / "folder").mkdir(parents=True)
    (work / "folder" / "mine.txt").write_text("mine")
    (work / "report.docx").write_text("my report")
    monkeypatch.chdir(work)
    target = {"users-file": "report.docx", "users-folder": "folder", "dot": ".",
              "device": "/dev/null", "under-a-file": "report.docx/out"}[kind]
    args = writers(target)[which]
    before = snapshot(work)
    code, _, err = cli(*args)
    assert code != 0, f"{args}: exit 0"
    assert err.startswith("error: cannot write "), err
    assert snapshot(work) == before
    assert Path("/dev/null").is_char_device()


@pytest.mark.parametrize("which", range(7))
def test_no_writer_writes_over_the_parent_folder(cli: Cli, db: Path, tmp_path: Path,
                                                 snapshot: Snap, *,
                                                 monkeypatch: pytest.MonkeyPatch,
                                                 which: int) -> None:
    """``..`` (issue 15: ``ValueError: PosixPath('.') has an empty name`` and a stray
    ``..XXXX`` temp folder): refused, nothing in the parent or beside it changes."""
    work = tmp_path / "parent" / "work"
    work.mkdir(parents=True)
    (tmp_path / "parent" / "mine.txt").write_text("mine")
    monkeypatch.chdir(work)
    before = snapshot(tmp_path / "parent")
    code, _, err = cli(*writers("..")[which])
    assert code != 0 and "Traceback" not in err
    assert err.startswith("error: cannot write "), err
    assert snapshot(tmp_path / "parent") == before


def test_force_adds_its_files_and_keeps_the_users(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "mine.txt").write_text("mine")
    code, _, err = cli("plan", "tiny", "--out", str(tmp_path), "--force")
    assert code == 0, err
    assert (tmp_path / "mine.txt").read_text() == "mine"
    assert (tmp_path / "plan.json").is_file()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_rerun_into_its_own_directory_is_allowed(cli: Cli, tmp_path: Path) -> None:
    for _ in range(2):
        code, _, err = cli("simulate", "tiny", "--runs", "5", "--out", str(tmp_path / "s"))
        assert code == 0, err
    assert sorted(p.name for p in (tmp_path / "s").iterdir()) == [
        "bands.parquet", "manifest.json", "metrics.json", "scenario.json"]


def test_a_real_process_reports_and_exits_without_a_traceback(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x")
    env = {**os.environ, "RESUPPLY_DATABASE_URL": f"sqlite:///{tmp_path / 'l.db'}"}
    for args in (["plan", "tiny", "--out", str(tmp_path / "f")],
                 ["init", str(tmp_path / "f" / "s.yaml")],
                 ["ledger", "export", "--out", str(tmp_path)]):
        done = subprocess.run([sys.executable, "-m", "resupply", *args], capture_output=True,
                              text=True, env=env, check=False, timeout=120)
        assert done.returncode == 1, done.stderr
        assert "Traceback" not in done.stderr and "cannot write" in done.stderr


def test_a_stored_file_name_never_picks_the_folder(cli: Cli, db: Path, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from resupply.domain import load_scenario
    from resupply.store import open_store, record_run

    store = open_store(f"sqlite:///{db}")
    run_id = record_run(store, "plan", load_scenario("tiny"), options={}, seed=None,
                        summary={}, files={"../escape.txt": b"x"})
    store.engine.dispose()
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    code, _, err = cli("runs", "show", str(run_id), "--file", "../escape.txt")
    assert code == 0, err
    assert (work / "escape.txt").read_bytes() == b"x"
    assert not (tmp_path / "escape.txt").exists()


@pytest.mark.parametrize("which", range(7))
def test_a_writer_touches_nothing_outside_its_output(cli: Cli, db: Path, tmp_path: Path,
                                                     snapshot: Snap, *, which: int,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    work = tmp_path / "work"
    (work / "other").mkdir(parents=True)
    (work / "other" / "keep.txt").write_text("keep")
    monkeypatch.chdir(work)
    before = snapshot(work)
    code, _, err = cli(*writers("out")[which])
    assert code == 0, err
    after = snapshot(work)
    assert {k: v for k, v in after.items() if k != "out" and not k.startswith("out/")} == before
    assert "out" in after and not [k for k in after if k.rsplit("/", 1)[-1].startswith(".")]


@pytest.mark.parametrize(("args", "kind"), [
    (["plan", "tiny", "--risk", "5%"], "plan"),
    (["compare", "tiny", "--risk-levels", "5%", "--runs", "10"], "compare")])
def test_certified_runs_refuse_a_users_folder_before_any_work(
        cli: Cli, tmp_path: Path, snapshot: Snap, args: list[str], kind: str) -> None:
    (tmp_path / "mine.txt").write_text("mine")
    before = snapshot(tmp_path)
    code, _, err = cli(*args, "--out", str(tmp_path))
    assert code == 2 and f"not a {kind} directory" in err, err
    assert snapshot(tmp_path) == before


def test_a_run_of_another_kind_is_refused_by_its_manifest(cli: Cli, tmp_path: Path,
                                                          snapshot: Snap) -> None:
    plan = tmp_path / "p"
    assert cli("plan", "tiny", "--out", str(plan))[0] == 0
    before = snapshot(plan)
    code, _, err = cli("simulate", "tiny", "--runs", "5", "--policy", "lump", "--out", str(plan))
    assert code == 2 and "not a simulation directory" in err, err
    assert snapshot(plan) == before


@pytest.mark.parametrize(("fmt", "blocked"), [("html", "report.html"), ("csv", "exports"),
                                              ("xlsx", "exports/report.xlsx")])
def test_report_never_replaces_a_folder_or_a_file_where_a_folder_goes(
        cli: Cli, tmp_path: Path, snapshot: Snap, fmt: str, blocked: str) -> None:
    plan = tmp_path / "p"
    assert cli("plan", "tiny", "--out", str(plan))[0] == 0
    if fmt == "csv":
        (plan / blocked).write_text("my notes")
    else:
        (plan / blocked).mkdir(parents=True)
        (plan / blocked / "mine.txt").write_text("mine")
    before = snapshot(plan)
    code, _, err = cli("report", str(plan), "--format", fmt)
    assert code == 1 and err.startswith("error: cannot write "), err
    assert snapshot(plan) == before
