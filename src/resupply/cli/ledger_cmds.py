"""`resupply ledger ...`: record, read, reconcile, import and export pledge events.

Every command takes ``--db URL`` (default ``$RESUPPLY_DATABASE_URL``, else a SQLite file in the
user's data directory). Commands print; the work happens in `resupply.store`.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from resupply.cli.app import EXIT_BAD_INPUT, DbOpt, ForceOpt, JsonOpt, app, err, out, user_errors
from resupply.errors import ImportRowsError, LedgerError
from resupply.store import EventKind, PledgeState, open_store
from resupply.store.events import KINDS, Event
from resupply.store.imports import FORMATS, ImportFormat, ImportReport, import_file
from resupply.store.ledger import (
    ExportFormat,
    current_user,
    export,
    pledge,
    pledge_states,
    record,
)
from resupply.store.ledger import status as ledger_status
from resupply.store.reconcile import StatusRow, total

ledger_app = typer.Typer(
    name="ledger", no_args_is_help=True, rich_markup_mode=None,
    help="The pledge ledger: append-only events from announcement to delivery.")
app.add_typer(ledger_app)

ByOpt = Annotated[str | None, typer.Option("--by", help="Who records this (default: login).")]


def parse_day(value: str | None, option: str) -> dt.date | None:
    """A YYYY-MM-DD option value; `LedgerError` naming the option when malformed."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise LedgerError(f"{option} {value!r}: expected a date like 2022-06-01") from None


def number(value: float) -> str:
    """Quantities as people read them: 1,000 or 12.5."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"


@ledger_app.command("add")
@user_errors
def add_cmd(
    kind: Annotated[str, typer.Argument(metavar="KIND", help=f"One of: {', '.join(KINDS)}.")],
    *,
    pledge_id: Annotated[str | None, typer.Option(
        "--pledge", help="Pledge the event belongs to (omit to start a new pledge).")] = None,
    donor: Annotated[str | None, typer.Option(help="Donor (needed for a new pledge).")] = None,
    item: Annotated[str | None, typer.Option(help="Item (needed for a new pledge).")] = None,
    quantity: Annotated[float | None, typer.Option(
        help="Units; amended/dispatched/delivered take negative corrections.")] = None,
    date: Annotated[str | None, typer.Option(help="Day of the event (default: today).")] = None,
    due: Annotated[str | None, typer.Option(help="Promised date (announced/committed).")] = None,
    source: Annotated[str, typer.Option(help="URL or FILE:ROW the event comes from.")] = "",
    note: Annotated[str, typer.Option(help="Free text.")] = "",
    by: ByOpt = None,
    db: DbOpt = None,
) -> None:
    """Record one event; corrections are new events (nothing is ever edited).

    Example: resupply ledger add committed --donor west --item m795 --quantity 1000
    --due 2022-07-01 --source https://example.org/press-release
    then:    resupply ledger add delivered --pledge PLEDGE_ID --quantity 400
    """
    if kind not in KINDS:
        raise LedgerError(f"unknown kind {kind!r}; use one of {', '.join(KINDS)}")
    with open_store(db) as store:
        event = record(store, EventKind(kind), pledge_id=pledge_id, donor=donor, item=item,
                       quantity=quantity, date=parse_day(date, "--date") or dt.date.today(),
                       due=parse_day(due, "--due"), source=source, note=note, recorded_by=by)
    out.print(f"recorded {event.kind} of {number(event.quantity)} {event.item} on pledge "
              f"{event.pledge_id}", markup=False, highlight=False)


def _state_dict(state: PledgeState) -> dict[str, Any]:
    return {"pledge_id": state.pledge_id, "donor": state.donor, "item": state.item,
            "status": state.status, "pledged": state.pledged, "dispatched": state.dispatched,
            "delivered": state.delivered, "outstanding": state.outstanding,
            "due": state.due.isoformat() if state.due else None,
            "first_date": state.first_date.isoformat(), "events": state.events}


@ledger_app.command("list")
@user_errors
def list_cmd(
    donor: Annotated[str | None, typer.Option(help="Only this donor's pledges.")] = None,
    status: Annotated[str | None, typer.Option(
        help="Only pledges in this status (announced, committed, dispatched, delivered, "
        "cancelled).")] = None,
    as_json: JsonOpt = False,
    db: DbOpt = None,
) -> None:
    """List pledges with their current state, in order of first record.

    Example: resupply ledger list --donor west --status committed
    """
    with open_store(db) as store:
        states = [s for s in pledge_states(store, donor) if status is None or s.status == status]
    if as_json:
        out.print_json(json.dumps([_state_dict(s) for s in states]))
        return
    table = Table("pledge", "donor", "item", "status", "pledged", "delivered", "outstanding",
                  "due", title=f"{len(states)} pledge(s)")
    for s in states:
        table.add_row(s.pledge_id, s.donor, s.item, s.status, number(s.pledged),
                      number(s.delivered), number(s.outstanding), str(s.due or ""))
    out.print(table)


def _events_table(events: list[Event], title: str) -> Table:
    table = Table("seq", "date", "kind", "pledge", "donor", "item", "quantity", "due", "source",
                  "by", title=title)
    for e in events:
        table.add_row(str(e.seq), str(e.date), e.kind.value, e.pledge_id, e.donor, e.item,
                      number(e.quantity), str(e.due or ""), e.source, e.recorded_by)
    return table


@ledger_app.command("show")
@user_errors
def show_cmd(
    pledge_id: Annotated[str, typer.Argument(metavar="PLEDGE", help="Pledge id.")],
    as_json: JsonOpt = False,
    db: DbOpt = None,
) -> None:
    """Show one pledge: its derived state and every event behind it.

    Example: resupply ledger show kiel-1.1 --json
    """
    with open_store(db) as store:
        state, events = pledge(store, pledge_id)
    if as_json:
        from resupply.store.ledger import export_rows

        out.print_json(json.dumps({"state": _state_dict(state), "events": export_rows(events)}))
        return
    out.print(f"{state.pledge_id}: {state.donor}, {state.item}: {state.status}; pledged "
              f"{number(state.pledged)}, delivered {number(state.delivered)}, outstanding "
              f"{number(state.outstanding)}, in transit {number(state.in_transit)}, due "
              f"{state.due or '-'}", markup=False, highlight=False)
    out.print(_events_table(events, f"{len(events)} event(s)"))


@ledger_app.command("history")
@user_errors
def history_cmd(
    pledge_id: Annotated[str | None, typer.Option("--pledge", help="Only this pledge.")] = None,
    donor: Annotated[str | None, typer.Option(help="Only this donor.")] = None,
    last: Annotated[int | None, typer.Option(help="Only the last N events.", min=1)] = None,
    as_json: JsonOpt = False,
    db: DbOpt = None,
) -> None:
    """Events in the order they were recorded (the ledger itself).

    Example: resupply ledger history --donor west --last 20
    """
    with open_store(db) as store:
        events = store.events(pledge_id=pledge_id, donor=donor)
    if last is not None:
        events = events[-last:]
    if as_json:
        from resupply.store.ledger import export_rows

        out.print_json(json.dumps(export_rows(events)))
        return
    out.print(_events_table(events, f"{len(events)} event(s)"))


@ledger_app.command("status")
@user_errors
def status_cmd(
    scenario: Annotated[str | None, typer.Option(
        metavar="FILE|NAME", help="Scenario whose item families group the figures (default: "
        "per item).")] = None,
    as_of: Annotated[str | None, typer.Option(
        "--as-of", help="Day pledges are judged late against (default: today).")] = None,
    donor: Annotated[str | None, typer.Option(help="Only this donor.")] = None,
    as_json: JsonOpt = False,
    db: DbOpt = None,
) -> None:
    """Reconcile: pledged, delivered, outstanding, late and delivery rate per donor and family.

    Late = units still owed after their promised date. Figures of a family add units of
    that family only; without --scenario, rows are per item.

    Example: resupply ledger status --scenario ukraine-2022 --as-of 2022-09-01
    """
    family_of = None
    if scenario is not None:
        from resupply.domain import load_scenario

        family_of = {i.id: i.family for i in load_scenario(scenario).items}
    day = parse_day(as_of, "--as-of") or dt.date.today()
    with open_store(db) as store:
        rows = ledger_status(store, day, family_of, donor)
    if as_json:
        out.print_json(json.dumps([r.to_dict() for r in rows]))
        return
    out.print(_status_table(rows, "family" if family_of else "item", day))


def _status_table(rows: list[StatusRow], group: str, day: dt.date) -> Table:
    table = Table("donor", group, "pledges", "pledged", "delivered", "outstanding", "late",
                  "cancelled", "rate", title=f"ledger status as of {day}")
    for r in rows:
        table.add_row(r.donor, r.group, str(r.pledges), number(r.pledged), number(r.delivered),
                      number(r.outstanding), number(r.late), number(r.cancelled),
                      "-" if r.rate is None else f"{r.rate:.0%}")
    if group == "family":
        for fam in sorted({r.group for r in rows}):
            t = total([r for r in rows if r.group == fam], "all donors")
            table.add_row(t.donor, fam, str(t.pledges), number(t.pledged), number(t.delivered),
                          number(t.outstanding), number(t.late), number(t.cancelled),
                          "-" if t.rate is None else f"{t.rate:.0%}", style="bold")
    return table


@ledger_app.command("export")
@user_errors
def export_cmd(
    fmt: Annotated[str, typer.Option("--format", help="csv, xlsx or json.")] = "csv",
    to: Annotated[Path | None, typer.Option(
        "--out", help="File to write (default: standard output; required for xlsx).")] = None,
    db: DbOpt = None,
    force: ForceOpt = False,
    raw: Annotated[bool, typer.Option("--raw", help="CSV: write cells exactly as recorded "
                                      "(by default a cell starting with = + - @ gets a leading "
                                      "' so spreadsheets show it as text; import removes it)."
                                      )] = False,
) -> None:
    """Export every event, in recording order; a CSV export imports back with --format csv.

    Example: resupply ledger export --format xlsx --out ledger.xlsx
    """
    if fmt not in ("csv", "xlsx", "json"):
        raise LedgerError(f"unknown format {fmt!r}; use csv, xlsx or json")
    if fmt == "xlsx" and to is None:
        raise LedgerError("an xlsx export needs --out FILE")
    chosen: ExportFormat = "csv" if fmt == "csv" else "xlsx" if fmt == "xlsx" else "json"
    with open_store(db) as store:
        data = export(store.events(), chosen, to, force=force, raw=raw)
    if to is None:
        sys.stdout.write(data.decode())
    else:
        err.print(f"wrote {to}", markup=False)


@ledger_app.command("import")
@user_errors
def import_cmd(
    file: Annotated[Path, typer.Argument(help="The file to import.")],
    *,
    fmt: Annotated[str, typer.Option("--format", help=f"One of: {', '.join(FORMATS)}.")],
    mapping: Annotated[Path | None, typer.Option(
        help="YAML mapping of source names to scenario ids (see docs/ledger.md).")] = None,
    scenario: Annotated[str | None, typer.Option(
        metavar="FILE|NAME", help="Check mapped ids against this scenario.")] = None,
    date: Annotated[str | None, typer.Option(
        help="Date of events when the file has none (kiel-weapons).")] = None,
    partial: Annotated[bool, typer.Option(
        "--partial", help="Write the good rows even if some rows have errors.")] = False,
    by: ByOpt = None,
    db: DbOpt = None,
) -> None:
    """Import a file in one transaction; bad rows are listed as FILE:LINE: field: message.

    Without --partial nothing is written when any row is bad. Importing the same file
    again writes nothing (each source row has a stable key).

    Example: resupply ledger import kiel-release.xlsx --format kiel-xlsx --mapping items.yaml
    --scenario ukraine-2022
    """
    if fmt not in FORMATS:
        raise LedgerError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    chosen: ImportFormat = "kiel-xlsx" if fmt == "kiel-xlsx" else \
        "kiel-weapons" if fmt == "kiel-weapons" else "csv"
    loaded = None
    if scenario is not None:
        from resupply.domain import load_scenario

        loaded = load_scenario(scenario)
    try:
        with open_store(db) as store:
            report = import_file(store, file, chosen, recorded_by=by or current_user(),
                                 mapping=mapping, scenario=loaded,
                                 date=parse_day(date, "--date"), partial=partial)
    except ImportRowsError as exc:
        for issue in exc.issues:
            err.print(str(issue), markup=False, highlight=False)
        err.print(exc.summary, markup=False, highlight=False)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    _print_report(report)


def _print_report(report: ImportReport) -> None:
    for issue in report.warnings:
        err.print(f"warning: {issue}", markup=False, highlight=False)
    for issue in report.errors:
        err.print(f"skipped: {issue}", markup=False, highlight=False)
    out.print(f"{report.file}: {report.rows} rows read; {report.written} events written, "
              f"{report.skipped} already recorded, {report.ignored} ignored, "
              f"{len(report.warnings)} warnings, {len({i.line for i in report.errors})} "
              "rows with errors skipped", markup=False, highlight=False)
