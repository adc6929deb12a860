"""The `resupply ledger|runs|db` commands, end to end on a SQLite file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from resupply.cli import ledger_cmds, store_cmds
from resupply.cli.app import app
from resupply.domain import load_scenario
from resupply.store import open_store, record_run

from .factories import write_csv

assert ledger_cmds and store_cmds  # registered on `app` by import


@pytest.fixture
def run(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("RESUPPLY_DATABASE_URL", sqlite_url)
    return CliRunner()


def ok(runner: CliRunner, *args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def test_add_show_history_and_status(run: CliRunner) -> None:
    said = ok(run, "ledger", "add", "committed", "--donor", "west", "--item", "m795",
              "--quantity", "1000", "--date", "2022-06-01", "--due", "2022-06-20")
    pledge = said.split("on pledge ")[1].strip()
    ok(run, "ledger", "add", "delivered", "--pledge", pledge, "--quantity", "400",
       "--date", "2022-06-10", "--by", "depot-officer")
    shown = json.loads(ok(run, "ledger", "show", pledge, "--json"))
    assert shown["state"]["outstanding"] == 600
    assert [e["recorded_by"] for e in shown["events"]][1] == "depot-officer"
    history = json.loads(ok(run, "ledger", "history", "--json", "--last", "1"))
    assert history[0]["kind"] == "delivered"
    status = json.loads(ok(run, "ledger", "status", "--scenario", "tiny", "--as-of",
                           "2022-07-01", "--json"))
    assert status == [{"donor": "west", "group": "art155", "pledges": 1, "pledged": 1000.0,
                       "delivered": 400.0, "outstanding": 600.0, "late": 600.0,
                       "cancelled": 0.0, "rate": 0.4}]
    table = ok(run, "ledger", "status", "--scenario", "tiny", "--as-of", "2022-07-01")
    assert "all donors" in table and "40%" in table
    listed = json.loads(ok(run, "ledger", "list", "--status", "dispatched", "--json"))
    assert [p["pledge_id"] for p in listed] == [pledge]


@pytest.mark.parametrize(("args", "message"), [
    (["ledger", "add", "promised", "--donor", "w", "--item", "i"], "unknown kind 'promised'"),
    (["ledger", "add", "delivered", "--quantity", "3"], "needs --pledge"),
    (["ledger", "add", "committed", "--donor", "w", "--item", "i", "--quantity", "1",
      "--date", "1 June"], "--date '1 June': expected a date"),
    (["ledger", "show", "nope"], "no pledge 'nope'"),
    (["runs", "show", "7"], "no run 7"),
    (["db", "restore", "x.db"], "give --yes"),
])
def test_mistakes_are_messages_not_tracebacks(run: CliRunner, args: list[str],
                                              message: str) -> None:
    result = run.invoke(app, args)
    assert result.exit_code == 1
    assert message in result.stderr and "Traceback" not in result.output


def test_import_reports_rows_and_writes_nothing_on_error(run: CliRunner, tmp_path: Path) -> None:
    bad = write_csv(tmp_path / "bad.csv", "kind,donor,item,quantity,date\n"
                    "committed,west,m795,10,2022-06-01\ncommitted,west,m795,-3,2022-06-01\n")
    result = run.invoke(app, ["ledger", "import", str(bad), "--format", "csv"])
    assert result.exit_code == 2
    assert f"{bad}:3: quantity: negative (-3)" in result.stderr
    assert "nothing was written" in result.stderr
    assert json.loads(ok(run, "ledger", "history", "--json")) == []
    said = ok(run, "ledger", "import", str(bad), "--format", "csv", "--partial")
    assert "1 events written" in said
    again = ok(run, "ledger", "import", str(bad), "--format", "csv", "--partial")
    assert "0 events written, 1 already recorded" in again


def test_export_formats_are_stable(run: CliRunner, tmp_path: Path) -> None:
    for n in range(3):
        ok(run, "ledger", "add", "announced", "--donor", f"d{n}", "--item", "m795",
           "--quantity", str(n + 1), "--date", "2022-06-01")
    first = ok(run, "ledger", "export", "--format", "csv")
    assert first == ok(run, "ledger", "export", "--format", "csv")
    assert first.splitlines()[0].startswith("seq,pledge_id,kind")
    assert [r["donor"] for r in json.loads(ok(run, "ledger", "export", "--format", "json"))] \
        == ["d0", "d1", "d2"]
    target = tmp_path / "ledger.xlsx"
    ok(run, "ledger", "export", "--format", "xlsx", "--out", str(target))
    from openpyxl import load_workbook  # type: ignore[import-untyped]

    rows = list(load_workbook(target, read_only=True)["ledger"].iter_rows(values_only=True))
    assert len(rows) == 4 and rows[1][3] == "d0"


def test_runs_list_show_diff(run: CliRunner, sqlite_url: str, tmp_path: Path) -> None:
    store = open_store(sqlite_url)
    tiny = load_scenario("tiny")
    a = record_run(store, "plan", tiny, options={"policy": "lp"}, seed=1,
                   summary={"shortfall": 10.0}, files={"plan.csv": b"x\n"})
    b = record_run(store, "plan", tiny, options={"policy": "weekly"}, seed=1,
                   summary={"shortfall": 12.5})
    listed = json.loads(ok(run, "runs", "list", "--json"))
    assert [r["id"] for r in listed] == [b, a]
    diff = json.loads(ok(run, "runs", "diff", str(a), str(b), "--json"))
    assert {d["key"]: d["delta"] for d in diff} == {
        "options.policy": None, "summary.shortfall": 2.5, "files.plan.csv": None}
    ok(run, "runs", "show", str(a), "--file", "plan.csv", "--out", str(tmp_path / "p.csv"))
    assert (tmp_path / "p.csv").read_bytes() == b"x\n"


def test_db_upgrade_backup_restore(run: CliRunner, tmp_path: Path) -> None:
    assert "schema at revision" in ok(run, "db", "upgrade")
    ok(run, "ledger", "add", "announced", "--donor", "d", "--item", "i", "--quantity", "1")
    ok(run, "db", "backup", str(tmp_path / "b.db"))
    ok(run, "ledger", "add", "announced", "--donor", "d", "--item", "i", "--quantity", "2")
    ok(run, "db", "restore", str(tmp_path / "b.db"), "--yes")
    assert len(json.loads(ok(run, "ledger", "history", "--json"))) == 1


def test_every_command_help_has_an_example(run: CliRunner) -> None:
    groups = {"ledger": ["add", "list", "show", "history", "status", "export", "import"],
              "runs": ["list", "show", "diff"], "db": ["upgrade", "backup", "restore"]}
    for group, commands in groups.items():
        for command in commands:
            assert "Example: resupply" in ok(run, group, command, "--help"), (group, command)


def test_import_and_status_on_each_database(db_url: str, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RESUPPLY_DATABASE_URL", db_url)
    runner = CliRunner()
    data = write_csv(tmp_path / "l.csv", "pledge_id,kind,donor,item,quantity,date,due\n"
                     "p1,committed,west,m795,100,2022-06-01,2022-06-15\n"
                     "p1,delivered,west,m795,30,2022-06-05,\n"
                     "p2,committed,east,of540,50,2022-06-01,2022-07-15\n")
    assert "3 events written" in ok(runner, "ledger", "import", str(data), "--format", "csv")
    rows = json.loads(ok(runner, "ledger", "status", "--scenario", "tiny", "--as-of",
                         "2022-07-01", "--json"))
    assert [(r["donor"], r["group"], r["outstanding"], r["late"]) for r in rows] == [
        ("east", "art152", 50.0, 0.0), ("west", "art155", 70.0, 70.0)]


def test_db_upgrade_and_ledger_on_a_newer_database_say_what_resupply_it_needs(
        run: CliRunner, sqlite_url: str) -> None:
    import sqlite3
    from contextlib import closing

    ok(run, "db", "upgrade")
    with closing(sqlite3.connect(sqlite_url.removeprefix("sqlite:///"))) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
        conn.commit()
    for args in (["db", "upgrade"], ["ledger", "list"]):
        result = run.invoke(app, args)
        assert result.exit_code == 1, result.output
        assert result.exception is None or isinstance(result.exception, SystemExit), \
            result.exception
        assert "needs resupply newer than" in result.stderr
        assert "db upgrade`" not in result.stderr  # no advice to upgrade the database
