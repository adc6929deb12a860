"""`resupply.files`: the one guarded output path. Nothing clobbered, nothing deleted that
resupply did not write, nothing half-written, every OSError a `cannot write PATH` error."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from resupply.errors import OutputError, OutputExistsError
from resupply.files import check_output_dir, is_run_dir, write_output_file, write_run_dir
from resupply.workflow.rundir import (
    LEGACY_MARKERS,
    MANIFEST,
    Manifest,
    RunKind,
    output_kind,
    owned_files,
)

Snap = Callable[[Path], dict[str, bytes | None]]
PLAN = output_kind(RunKind.PLAN)
DEMO = output_kind(RunKind.DEMO)


def test_every_kind_has_a_marker_it_owns() -> None:
    assert set(LEGACY_MARKERS) == set(RunKind)
    for kind in RunKind:
        assert {LEGACY_MARKERS[kind], MANIFEST} <= set(owned_files(kind))
        assert output_kind(kind).marker == MANIFEST


def _manifest(kind: RunKind) -> str:
    return json.dumps(Manifest(kind, "tiny", "ab" * 32, {}).to_dict())


def test_a_run_directory_is_recognised_by_its_manifests_kind(tmp_path: Path) -> None:
    """With a manifest its kind decides (a plan.json does not make a simulation's directory
    a plan's); without one, the legacy marker of the kind does."""
    write_run_dir(tmp_path / "s", output_kind(RunKind.SIMULATION),
                  {"plan.json": "{}", MANIFEST: _manifest(RunKind.SIMULATION)})
    assert is_run_dir(tmp_path / "s", output_kind(RunKind.SIMULATION))
    assert not is_run_dir(tmp_path / "s", PLAN)
    with pytest.raises(OutputExistsError, match="not a plan directory"):
        check_output_dir(tmp_path / "s", PLAN)
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "plan.json").write_text("{}")
    assert is_run_dir(tmp_path / "old", PLAN)
    check_output_dir(tmp_path / "old", PLAN)
    (tmp_path / "old" / MANIFEST).write_text("{broken")
    assert not is_run_dir(tmp_path / "old", PLAN)


def test_a_users_folder_is_refused_and_left_as_it_was(tmp_path: Path, snapshot: Snap) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "thesis.txt").write_text("three years of work")
    before = snapshot(tmp_path)
    with pytest.raises(OutputExistsError, match="not a plan directory"):
        write_run_dir(tmp_path, PLAN, {"plan.json": "{}"})
    assert snapshot(tmp_path) == before


def test_force_writes_only_its_own_files(tmp_path: Path, snapshot: Snap) -> None:
    (tmp_path / "thesis.txt").write_text("mine")
    before = snapshot(tmp_path)
    write_run_dir(tmp_path, PLAN, {"plan.json": "{}", "tranches.csv": "a\n"}, force=True)
    after = snapshot(tmp_path)
    assert {k: v for k, v in after.items() if k in before} == before
    assert set(after) - set(before) == {"plan.json", "tranches.csv"}


def test_rewrite_removes_stale_files_of_its_kind_only(tmp_path: Path) -> None:
    write_run_dir(tmp_path, PLAN, {"plan.json": "1", "tranches.csv": "a\n"})
    (tmp_path / "notes.md").write_text("keep me")
    write_run_dir(tmp_path, PLAN, {"plan.json": "2"})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.md", "plan.json"]
    assert (tmp_path / "plan.json").read_text() == "2"
    assert is_run_dir(tmp_path, PLAN)


def test_an_empty_folder_and_a_new_path_are_written(tmp_path: Path) -> None:
    write_run_dir(tmp_path, PLAN, {"plan.json": "{}"})
    write_run_dir(tmp_path / "a" / "b", PLAN, {"plan.json": "{}"})
    assert is_run_dir(tmp_path / "a" / "b", PLAN)


@pytest.mark.parametrize("target", ["file", "/dev/null"])
def test_a_file_or_device_is_never_replaced_by_a_directory(tmp_path: Path, target: str) -> None:
    path = tmp_path / target if target == "file" else Path(target)
    if target == "file":
        path.write_text("report")
    with pytest.raises(OutputError, match="is not a directory"):
        write_run_dir(path, PLAN, {"plan.json": "{}"}, force=True)
    assert path.is_char_device() if target != "file" else path.read_text() == "report"


def test_a_failed_write_leaves_no_staging_and_removes_what_it_created(tmp_path: Path) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("x")
    with pytest.raises(OutputError, match=r"cannot write .*blocker/run: "):
        write_run_dir(blocker / "run", PLAN, {"plan.json": "{}"})
    # a file where a subfolder of the output must go: the staged files are removed
    target = tmp_path / "run"
    write_run_dir(target, DEMO, {"scenario.json": "{}"})
    (target / "exports").write_text("not a folder")
    with pytest.raises(OutputError, match="cannot write"):
        write_run_dir(target, DEMO, {"exports/a.csv": "a\n", "scenario.json": "{}"})
    assert sorted(p.name for p in target.iterdir()) == ["exports", "scenario.json"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["blocker", "run"]


@pytest.fixture
def unwritable(tmp_path: Path) -> Iterator[Path]:
    """A folder nobody may write into: read-only for a user, immutable (chattr +i) for root."""
    import shutil
    import subprocess

    folder = tmp_path / "locked"
    folder.mkdir()
    if os.geteuid() != 0:
        folder.chmod(0o500)
        yield folder
        folder.chmod(0o700)
        return
    chattr = shutil.which("chattr")
    if chattr is None or subprocess.run([chattr, "+i", str(folder)], check=False,
                                        capture_output=True).returncode != 0:
        pytest.skip("root writes into read-only folders and chattr +i is not available")
    yield folder
    subprocess.run([chattr, "-i", str(folder)], check=True)


def test_an_unwritable_folder_is_a_cannot_write_error(unwritable: Path) -> None:
    denied = r"cannot write .*locked/.*: (Permission denied|Operation not permitted)"
    with pytest.raises(OutputError, match=denied):
        write_run_dir(unwritable / "new", PLAN, {"plan.json": "{}"})
    with pytest.raises(OutputError, match=denied):
        write_output_file(unwritable / "f.csv", "a")
    assert list(unwritable.iterdir()) == []


def test_files_need_force_to_be_replaced_and_directories_never_are(tmp_path: Path) -> None:
    path = tmp_path / "ledger.csv"
    write_output_file(path, "one")
    with pytest.raises(OutputExistsError, match="give --force"):
        write_output_file(path, "two")
    write_output_file(path, "two", force=True)
    assert path.read_text() == "two"
    for bad in (tmp_path, Path("/dev/null")):
        with pytest.raises(OutputError, match=r"directory|not a regular file"):
            write_output_file(bad, "x", force=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ledger.csv"]


def test_check_runs_before_the_work(tmp_path: Path) -> None:
    (tmp_path / "x").write_text("x")
    with pytest.raises(OutputExistsError):
        check_output_dir(tmp_path, output_kind(RunKind.SIMULATION))
    check_output_dir(tmp_path, output_kind(RunKind.SIMULATION), force=True)


def test_a_failed_write_into_a_new_folder_takes_back_what_it_moved(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = os.replace
    calls: list[str] = []

    def fail_on_the_marker(src: str | Path, dst: str | Path) -> None:
        calls.append(str(dst))
        if str(dst).endswith(MANIFEST):
            raise OSError(28, "No space left on device")
        real(src, dst)

    monkeypatch.setattr(os, "replace", fail_on_the_marker)
    with pytest.raises(OutputError, match="No space left on device"):
        write_run_dir(tmp_path / "new", DEMO, {"exports/a.csv": "a\n", MANIFEST: "{}",
                                              "scenario.json": "{}"})
    assert calls[-1].endswith(MANIFEST)  # the marker is moved last
    assert not (tmp_path / "new").exists()
