"""Importing ledger events from files: Kiel tracker workbook, Kiel weapons.csv, generic CSV.

`import_file` is the one entry point. It reads the whole file first (`Parsed`), translates
names (`mapping`), and then either refuses with every bad row located (`ImportRowsError`,
nothing written) or writes all events in ONE transaction (`Store.append`): a failure or a
kill -9 mid-import leaves the ledger exactly as before. Re-importing writes nothing new
(stable keys per source row). With ``partial=True`` the good rows are written and the bad
ones reported.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, get_args

from resupply.domain.schema import Scenario
from resupply.errors import ImportRowsError, RowIssue, StoreError
from resupply.store.base import Store
from resupply.store.events import Event, derive_rows, refusals, too_long
from resupply.store.imports.generic_csv import parse_csv
from resupply.store.imports.increments import settle
from resupply.store.imports.kiel_weapons import parse_weapons
from resupply.store.imports.kiel_xlsx import parse_kiel_xlsx
from resupply.store.imports.mapping import ImportMapping, Resolver, load_mapping, translate
from resupply.store.imports.rows import Parsed, check_size

ImportFormat = Literal["kiel-xlsx", "kiel-weapons", "csv"]
FORMATS: tuple[str, ...] = get_args(ImportFormat)


@dataclass(frozen=True)
class ImportReport:
    """What an import did. `errors` are the rows left out (only with ``partial=True``)."""

    file: str
    format: str
    rows: int
    written: int
    skipped: int
    ignored: int
    warnings: list[RowIssue] = field(default_factory=list)
    errors: list[RowIssue] = field(default_factory=list)


def read_events(
    path: Path,
    fmt: ImportFormat,
    *,
    recorded_by: str,
    mapping: Path | None = None,
    scenario: Scenario | None = None,
    date: dt.date | None = None,
) -> tuple[Parsed, list[Event]]:
    """Parse `path` and translate its names; no database. Issues are left in `Parsed`."""
    if not path.exists():
        raise StoreError(f"{path}: no such file")
    check_size(path)  # every format: a regular file within the limit, before any reader
    table = load_mapping(mapping, scenario) if mapping else None
    parsed = _parse(path, fmt, table, date)
    events = translate(parsed, Resolver(table, scenario, str(mapping or "")), recorded_by)
    return parsed, events


def _sensible(events: list[Event], checked: set[str | None], store: Store, file: str,
              line_of: dict[str, int]) -> tuple[list[Event], list[RowIssue]]:
    """`events` without those `events.refusal` refuses on the pledges as stored (a delivery
    correction below zero, ...), and the refused ones as located issues. Only events whose
    source key is in `checked` are judged: the others are totals the source states itself
    (settled into increments), recorded as published."""
    ids = {e.pledge_id for e in events if e.source_key in checked}
    states = derive_rows(store.ledger_rows(pledge_ids=ids)) if ids else {}
    exempt = {e.source_key or "" for e in events if e.source_key not in checked}
    refused = refusals(states, events, exempt=exempt, standalone=True)
    if not refused:
        return events, []
    dropped = {id(e) for e, _ in refused}
    issues = [RowIssue(file, line_of.get(e.source_key or "", 0), too_long(e) or "quantity", why)
              for e, why in refused]
    return [e for e in events if id(e) not in dropped], issues


def _parse(path: Path, fmt: ImportFormat, mapping: ImportMapping | None,
           date: dt.date | None) -> Parsed:
    if fmt == "kiel-xlsx":
        return parse_kiel_xlsx(path)
    if fmt == "kiel-weapons":
        return parse_weapons(path, date)
    if fmt == "csv":
        return parse_csv(path, mapping)
    raise StoreError(f"unknown import format {fmt!r}; use one of {', '.join(FORMATS)}")


def import_file(
    store: Store,
    path: Path,
    fmt: ImportFormat,
    *,
    recorded_by: str,
    mapping: Path | None = None,
    scenario: Scenario | None = None,
    date: dt.date | None = None,
    partial: bool = False,
) -> ImportReport:
    """Import one file in one transaction; see the module docstring for the guarantees."""
    parsed, events = read_events(path, fmt, recorded_by=recorded_by, mapping=mapping,
                                 scenario=scenario, date=date)
    errors = sorted(set(parsed.errors), key=lambda i: (i.line, i.field, i.message))
    bad_lines = {i.line for i in errors}
    if errors and not partial:
        good = parsed.rows - len(bad_lines)
        raise ImportRowsError(errors, f"{len(errors)} error(s) on {len(bad_lines)} of "
                              f"{parsed.rows} rows; nothing was written (give --partial to "
                              f"write the {good} good rows)")
    line_of = {d.key: d.line for d in parsed.drafts}
    keep = [e for e in events if line_of.get(e.source_key or "") not in bad_lines]
    targets = {d.key for d in parsed.drafts if d.target}
    checked = {e.source_key for e in keep if e.source_key not in targets}
    keep, unchanged = settle(keep, targets, store)
    keep, refused = _sensible(keep, checked, store, str(path), line_of)
    if refused and not partial:
        raise ImportRowsError(refused, f"{len(refused)} event(s) refused; nothing was written")
    errors = sorted({*errors, *refused}, key=lambda i: (i.line, i.field, i.message))
    result = store.append(keep)
    return ImportReport(file=str(path), format=fmt, rows=parsed.rows, written=result.written,
                        skipped=result.skipped + unchanged, ignored=parsed.ignored,
                        warnings=parsed.warnings, errors=errors)
