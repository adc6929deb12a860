"""`resupply runs ...` (stored plans and simulations) and `resupply db ...` (the database)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table
from sqlalchemy.exc import DBAPIError

from resupply.cli.app import DbOpt, ForceOpt, JsonOpt, app, err, out, user_errors
from resupply.errors import StoreError
from resupply.files import write_output_file
from resupply.store import RunRecord, diff_runs, open_store
from resupply.store.backup import backup, restore
from resupply.store.engine import database_url, describe_failure, make_engine
from resupply.store.migrate import check_known, head_revision, upgrade
from resupply.store.runs import MAX_RUN_ID

runs_app = typer.Typer(name="runs", no_args_is_help=True, rich_markup_mode=None,
                       help="Stored plans and simulations: list, show, compare.")
db_app = typer.Typer(name="db", no_args_is_help=True, rich_markup_mode=None,
                     help="The database: schema upgrades, backups, restores.")
app.add_typer(runs_app)
app.add_typer(db_app)

RunArg = Annotated[int, typer.Argument(metavar="RUN", min=1, max=MAX_RUN_ID,
                                       help="Run id (see `resupply runs list`).")]


def _run_dict(run: RunRecord) -> dict[str, Any]:
    return {"id": run.id, "kind": run.kind, "scenario": run.scenario_name,
            "scenario_hash": run.scenario_hash, "options": run.options, "seed": run.seed,
            "version": run.version, "created_at": run.created_at.isoformat(),
            "summary": run.summary, "files": sorted(run.files)}


@runs_app.command("list")
@user_errors
def runs_list_cmd(as_json: JsonOpt = False, db: DbOpt = None) -> None:
    """List stored runs, newest first.

    Example: resupply runs list --json
    """
    with open_store(db) as store:
        runs = store.runs()
    if as_json:
        out.print_json(json.dumps([_run_dict(r) for r in runs]))
        return
    table = Table("id", "kind", "scenario", "hash", "seed", "version", "created (UTC)",
                  title=f"{len(runs)} run(s)")
    for r in runs:
        table.add_row(str(r.id), r.kind, r.scenario_name, r.scenario_hash[:12],
                      "-" if r.seed is None else str(r.seed), r.version,
                      r.created_at.strftime("%Y-%m-%d %H:%M:%S"))
    out.print(table)


@runs_app.command("show")
@user_errors
def runs_show_cmd(
    run_id: RunArg,
    *,
    file: Annotated[str | None, typer.Option(help="Name of a stored result file to save.")] = None,
    to: Annotated[Path | None, typer.Option("--out", help="Where to save --file.")] = None,
    as_json: JsonOpt = False,
    db: DbOpt = None,
    force: ForceOpt = False,
) -> None:
    """Show one run: scenario, options, seed, version, summary and result files.

    Example: resupply runs show 3 --file plan.csv --out plan-3.csv
    """
    with open_store(db) as store:
        run = store.run(run_id)
    if file is not None:
        if file not in run.files:
            raise StoreError(f"run {run_id} has no file {file!r}; files: "
                             f"{', '.join(sorted(run.files)) or '(none)'}")
        target = to or Path(Path(file).name or "run-file")  # a stored name never picks a folder
        write_output_file(target, run.files[file], force=force)
        err.print(f"wrote {target}", markup=False)
        return
    if as_json:
        out.print_json(json.dumps(_run_dict(run)))
        return
    out.print_json(json.dumps(_run_dict(run), indent=1))


@runs_app.command("diff")
@user_errors
def runs_diff_cmd(run_a: RunArg, run_b: RunArg, as_json: JsonOpt = False,
                  db: DbOpt = None) -> None:
    """Every option, summary figure and field that differs between two runs (b - a).

    Example: resupply runs diff 3 4
    """
    with open_store(db) as store:
        lines = diff_runs(store.run(run_a), store.run(run_b))
    if as_json:
        out.print_json(json.dumps([{"key": d.key, "a": d.a, "b": d.b, "delta": d.delta}
                                   for d in lines]))
        return
    table = Table("key", f"run {run_a}", f"run {run_b}", "b - a",
                  title=f"{len(lines)} difference(s)")
    for d in lines:
        table.add_row(d.key, json.dumps(d.a), json.dumps(d.b),
                      "" if d.delta is None else f"{d.delta:+,.6g}")
    out.print(table)


@db_app.command("upgrade")
@user_errors
def db_upgrade_cmd(db: DbOpt = None) -> None:
    """Create or upgrade the database schema to this version's newest revision.

    Example: resupply db upgrade --db postgresql+psycopg://postgres@127.0.0.1:5432/resupply
    """
    url = database_url(db)
    engine = make_engine(url)
    try:
        before = check_known(engine, engine.url.render_as_string(hide_password=True))
        upgrade(engine)
    except DBAPIError as exc:
        raise describe_failure(exc, url) from None
    finally:
        engine.dispose()
    out.print(f"schema at revision {head_revision()} (was {before or 'empty'})", markup=False)


@db_app.command("backup")
@user_errors
def db_backup_cmd(
    dest: Annotated[Path, typer.Argument(help="Backup file to write.")],
    db: DbOpt = None,
    force: ForceOpt = False,
) -> None:
    """Write a consistent backup (SQLite backup API; pg_dump for PostgreSQL).

    Example: resupply db backup ledger-2022-06-01.db
    """
    backup(db, dest, force=force)
    out.print(f"wrote {dest}", markup=False)


@db_app.command("restore")
@user_errors
def db_restore_cmd(
    src: Annotated[Path, typer.Argument(help="Backup file made by `resupply db backup`.")],
    yes: Annotated[bool, typer.Option("--yes", help="Replace the database without asking.")]
    = False,
    db: DbOpt = None,
) -> None:
    """Replace the database with a backup (everything recorded since is lost).

    Example: resupply db restore ledger-2022-06-01.db --yes
    """
    if not yes:
        raise StoreError("restore replaces the whole database; give --yes to confirm")
    restore(db, src)
    out.print(f"restored {src}", markup=False)
