"""A hostile-input suite, by cause, through the real CLI.

Every case runs a command on something a user did not mean or a file they did not write,
inside a sandbox folder, and fails on: a traceback (the in-process runner re-raises any
exception; the subprocess cases look for one), exit 0, a message that does not say what is
wrong, and any change to a file the command had no business touching. The done-when cases
of issue 15 are here by name: a plan into a folder holding a user's file, a duplicated CSV
line, a corrupt backup.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

import pytest

from resupply.domain.load import bundled_text

Cli = Callable[..., tuple[int, str, str]]
Snap = Callable[[Path], dict[str, bytes | None]]
Setup = Callable[[Path], list[str]]


@dataclass(frozen=True)
class Case:
    """A hostile input: `setup` writes files under the sandbox and returns the arguments."""

    cause: str
    name: str
    setup: Setup
    says: str
    code: tuple[int, ...] = (1, 2)


def _file(name: str, data: bytes | str) -> Callable[[Path], Path]:
    def write(root: Path) -> Path:
        path = root / name
        path.write_bytes(data.encode() if isinstance(data, str) else data)
        return path
    return write


def _tiny(old: str, new: str) -> str:
    text = bundled_text("tiny")
    assert old in text
    return text.replace(old, new, 1)


def _scenario(name: str, data: bytes | str, command: str = "validate") -> Setup:
    def setup(root: Path) -> list[str]:
        path = _file(name, data)(root)
        return [command, str(path)] + (["--out", str(root / "run")] if command != "validate"
                                       else [])
    return setup


def _sparse(root: Path) -> list[str]:
    path = root / "huge.yaml"
    with path.open("wb") as handle:
        handle.truncate(3 * 1024**3)
    return ["validate", str(path)]


def _args(*args: str) -> Setup:
    return lambda root: [a.replace("{root}", str(root)) for a in args]


CASES = [
    # -- unreadable or absurd scenario files: located errors, before anything runs
    Case("scenario", "binary", _scenario("s.yaml", bytes(range(256)) * 4), "is not UTF-8"),
    Case("scenario", "impossible date", _scenario(
        "s.yaml", _tiny("start: 2022-06-01", "start: 2025-02-30"), "plan"),
        "s.yaml:12:8: start: 2025-02-30 is not a calendar date"),
    Case("scenario", "5001-digit integer", _scenario(
        "s.yaml", _tiny("horizon_days: 30", "horizon_days: " + "1" * 5001)),
        "horizon_days: integer of 5,001 characters is too long"),
    Case("scenario", "deep nesting", _scenario("s.yaml", "a: " + "[" * 3000), "nesting"),
    Case("scenario", "alias bomb", _scenario(
        "s.yaml", "a: &a [x,x,x,x,x,x,x,x,x,x]\n" + "".join(
            f"{c}: &{c} [{','.join(['*' + p] * 10)}]\n" for p, c in zip("abcdefg", "bcdefgh",
                                                                     strict=True))),
        "expands to more than"),
    Case("scenario", "3 GB file", _sparse, "the limit is 5,242,880 bytes"),
    Case("scenario", "a folder", _args("validate", "{root}"), "no such file"),
    Case("scenario", "stock above capacity", _scenario(
        "s.yaml", _tiny("    capacity_t: 60\n", "    capacity_t: 50\n"), "plan"),
        "depots.0.initial_stock: initial stock is 60 t"),
    Case("scenario", "actuals binary", _args(
        "plan", "tiny", "--out", "{root}/run", "--from-day", "3", "--actuals", "/bin/sh"),
        "is not UTF-8"),
    Case("scenario", "actuals deep nesting", lambda root: [
        "plan", "tiny", "--out", f"{root}/run", "--from-day", "3", "--actuals",
        str(_file("a.yaml", "depot_stock: " + "[" * 3000)(root))], "nesting"),
    # -- options out of range
    Case("options", "cadence beyond 64 bits", _args(
        "simulate", "tiny", "--runs", "3", "--policy", "cadence:99999999999999999999", "--out",
        "{root}/run"), "must be a whole number in 1..36500"),
    Case("options", "order-up-to nan", _args(
        "simulate", "tiny", "--runs", "3", "--policy", "order-up-to:nan", "--out",
        "{root}/run"), "order-up-to level 'nan'"),
    Case("options", "no policies", _args("compare", "tiny", "--runs", "3", "--policies", ",,,"),
         "names no policy"),
    Case("options", "warm-up past the horizon", _args(
        "simulate", "tiny", "--runs", "3", "--warmup-days", "100000", "--out", "{root}/run"),
        "warmup_days must be in 0..29"),
    Case("options", "cv 1e308", _args(
        "simulate", "tiny", "--runs", "3", "--demand", "normal", "--cv", "1e308", "--out",
        "{root}/run"), "cv must be a number in 0..10"),
    Case("options", "run id beyond 64 bits", _args("runs", "show", "99999999999999999999999"),
         "RUN"),
    # -- ledger sense: the append-only ledger refuses permanent mistakes
    Case("ledger", "infinite quantity", _args(
        "ledger", "add", "committed", "--donor", "west", "--item", "m795", "--quantity", "inf"),
        "finite number"),
    # -- imports: located errors, nothing written
    Case("import", "non-UTF-8 release_info", lambda root: _weapons(root, b"date\n\xff\n"),
         "release_info.csv:2: (file): byte 0xff is not UTF-8"),
    Case("import", "impossible release date", lambda root: _weapons(root, b"date\n2022-02-30\n"),
         "release_info.csv:2: date: expected a date"),
    Case("import", "200,000-character field", lambda root: [
        "ledger", "import", str(_file("l.csv", "kind,donor,item,quantity,date\ncommitted,west,"
                                      + "x" * 200_000 + ",3,2022-06-01\n")(root)),
        "--format", "csv"], "l.csv:2: (record)"),
    # -- restore: a file that is not this project's backup restores nothing
    Case("restore", "a foreign SQLite file", lambda root: [
        "db", "restore", str(_foreign_db(root)), "--yes"], "not a resupply backup"),
]


def _weapons(root: Path, release_info: bytes) -> list[str]:
    _file("release_info.csv", release_info)(root)
    path = _file("weapons.csv", "donor,category,number_of_weapons,weapons_list\n"
                 "Germany,Howitzer,3,PzH 2000 (3)\n")(root)
    return ["ledger", "import", str(path), "--format", "kiel-weapons"]


def _foreign_db(root: Path) -> Path:
    path = root / "foreign.db"
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32))")
        conn.execute("INSERT INTO alembic_version VALUES ('0001')")
        conn.commit()
    return path


@pytest.fixture
def sandbox(tmp_path: Path, cli: Cli, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder with a ledger of one pledge (the database file is the only thing a refused
    command may open), as the current directory."""
    root = tmp_path / "sandbox"
    root.mkdir()
    monkeypatch.setenv("RESUPPLY_DATABASE_URL", f"sqlite:///{tmp_path / 'ledger.db'}")
    monkeypatch.chdir(root)
    code, _, err = cli("ledger", "add", "committed", "--pledge", "p", "--donor", "west",
                       "--item", "m795", "--quantity", "30")
    assert code == 0, err
    return root


@pytest.mark.parametrize("case", CASES, ids=[f"{c.cause}: {c.name}" for c in CASES])
def test_hostile_input_is_refused_cleanly(case: Case, cli: Cli, sandbox: Path,
                                          snapshot: Snap) -> None:
    args = case.setup(sandbox)
    before, ledger = snapshot(sandbox), _ledger(cli)
    code, out, err = cli(*args)  # an exception here is a traceback: the test fails
    assert code in case.code, f"{args}: exit {code}\n{out}{err}"
    assert case.says in err, err
    assert snapshot(sandbox) == before, "a refused command changed files"
    assert _ledger(cli) == ledger, "a refused command changed the ledger"


def _ledger(cli: Cli) -> str:
    code, out, err = cli("ledger", "export", "--format", "json")
    assert code == 0, err
    return out


# -- the done-when cases of issue 15, by name

def test_plan_into_a_folder_holding_a_users_file_refuses_and_keeps_it(
        cli: Cli, sandbox: Path, snapshot: Snap) -> None:
    folder = sandbox / "DIR"
    folder.mkdir()
    (folder / "thesis.txt").write_text("my thesis")
    before = snapshot(sandbox)
    code, _, err = cli("plan", "tiny", "--out", str(folder))
    assert code == 2 and "not a plan directory" in err
    assert snapshot(sandbox) == before


def test_a_duplicated_csv_line_keeps_its_quantity(cli: Cli, sandbox: Path) -> None:
    path = sandbox / "dup.csv"
    path.write_text("kind,donor,item,quantity,date\n" + "committed,east,of540,10,2022-06-01\n" * 2)
    code, _, err = cli("ledger", "import", str(path), "--format", "csv")
    assert code == 0, err
    code, out, _ = cli("ledger", "list", "--donor", "east", "--json")
    pledges = json.loads(out)
    assert len(pledges) == 2 and sum(p["pledged"] for p in pledges) == 20
    code, out, _ = cli("ledger", "import", str(path), "--format", "csv")
    assert "0 events written, 2 already recorded" in out


def test_a_corrupt_backup_restores_nothing(cli: Cli, sandbox: Path, tmp_path: Path) -> None:
    with closing(sqlite3.connect(tmp_path / "ledger.db")) as conn:
        conn.executemany("INSERT INTO runs (kind, scenario_name, scenario_hash, options, seed, "
                         "version, created_at, summary) VALUES ('plan', ?, 'h', '{}', 1, "
                         "'0.1.0', '2022-01-01', '{}')", [("x" * 200,)] * 2000)
        conn.commit()  # enough pages to damage one in the middle
    code, _, err = cli("db", "backup", str(sandbox / "good.db"))
    assert code == 0, err
    data = bytearray((sandbox / "good.db").read_bytes())
    data[8 * 4096:9 * 4096] = b"\xab" * 4096
    (sandbox / "bad.db").write_bytes(bytes(data))
    cli("ledger", "add", "delivered", "--pledge", "p", "--quantity", "1")
    before = _ledger(cli)
    code, out, err = cli("db", "restore", str(sandbox / "bad.db"), "--yes")
    assert code == 1 and "damaged database" in err and "restored" not in out
    assert _ledger(cli) == before
    assert not list(tmp_path.glob("*before-restore*"))


# -- a few through a real process: real exit codes, real tracebacks

@pytest.mark.parametrize("case", [c for c in CASES if c.cause in {"scenario", "options"}][:4],
                         ids=lambda c: c.name)
def test_a_real_process_exits_without_a_traceback(case: Case, tmp_path: Path,
                                                  real_cli: Callable[..., tuple[int, str, str]]
                                                  ) -> None:
    args = case.setup(tmp_path)
    code, _, err = real_cli(*args, cwd=tmp_path,
                            env={"RESUPPLY_DATABASE_URL": f"sqlite:///{tmp_path / 'l.db'}"})
    assert code in case.code and "Traceback" not in err and case.says in err, err
