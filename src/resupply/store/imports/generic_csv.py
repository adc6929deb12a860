"""The generic CSV layout: one ledger event per line (documented in docs/ledger.md).

Columns (header names; case, spaces and punctuation ignored):

=============  ========  ==================================================================
column         required  meaning
=============  ========  ==================================================================
kind           yes       announced, committed, amended, dispatched, delivered, cancelled
donor          yes       donor name or id
item           yes       item name or id
quantity       yes       units; negative only for amended/dispatched/delivered (corrections)
date           yes       day of the event, YYYY-MM-DD (also DD/MM/YYYY, DD.MM.YYYY)
pledge_id      no        pledge the event belongs to; default: one pledge per line
due            no        promised date of an announced/committed/amended event
source         no        URL or reference; default: FILE:LINE
note           no        free text
key            no        stable key of the line; default: hash of the line's content
=============  ========  ==================================================================

Other columns are ignored (so a ``resupply ledger export --format csv`` file imports back).
A mapping's ``columns:`` renames file columns and ``defaults:`` fills absent ones.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from resupply.errors import ImportRowsError, RowIssue
from resupply.store.events import KINDS, SIGNED_KINDS, EventKind
from resupply.store.imports.mapping import ImportMapping
from resupply.store.imports.rows import (
    CellError,
    Draft,
    KeyMaker,
    Parsed,
    csv_records,
    normalise_header,
    parse_date,
    parse_quantity,
    text,
)
from resupply.untrusted import unguard_cell

REQUIRED = ("kind", "donor", "item", "quantity", "date")
OPTIONAL = ("pledge_id", "due", "source", "note", "key")


def parse_csv(path: Path, mapping: ImportMapping | None = None) -> Parsed:
    """Read a generic-layout CSV file into drafts and located issues."""
    parsed = Parsed(str(path))
    columns = dict(mapping.columns) if mapping else {}
    defaults: dict[str, Any] = dict(mapping.defaults) if mapping else {}
    records = csv_records(path)
    header_line, header = next(records, (1, []))
    where = _locate_columns(str(path), header_line, header, columns, defaults)
    keys = KeyMaker("csv")
    for line, cells in records:
        if not any(c.strip() for c in cells):
            continue
        parsed.rows += 1
        row = {name: unguard_cell(cells[i]) if i < len(cells) else ""
               for name, i in where.items()}
        row = {**defaults, **{k: v for k, v in row.items() if v.strip() or k not in defaults}}
        _draft(parsed, line, row, keys.row(cells))
    return parsed


def _locate_columns(file: str, line: int, header: list[str], renames: dict[str, str],
                    defaults: dict[str, Any]) -> dict[str, int]:
    """Ledger column -> index in the file; `ImportRowsError` naming missing required columns."""
    position = {normalise_header(name): n for n, name in enumerate(header)}
    where: dict[str, int] = {}
    for column in (*REQUIRED, *OPTIONAL):
        source = normalise_header(renames.get(column, column))
        if source in position:
            where[column] = position[source]
    missing = [c for c in REQUIRED if c not in where and c not in defaults]
    if missing:
        found = ", ".join(h for h in header if h) or "(none)"
        raise ImportRowsError(
            [RowIssue(file, line, c, f"missing column `{renames.get(c, c)}`") for c in missing],
            f"columns found: {found}; the generic layout needs {', '.join(REQUIRED)} "
            "(see docs/ledger.md, or rename columns with a mapping's `columns:`); "
            "nothing was written")
    return where


def _draft(parsed: Parsed, line: int, row: dict[str, Any], stem: str) -> None:
    """Check one record and add its draft, or its errors, to `parsed`."""
    before = len(parsed.errors)
    kind = text(row.get("kind")).lower()
    if kind not in KINDS:
        parsed.error(line, "kind", f"expected one of {', '.join(KINDS)}, got {kind!r}")
    for name in ("donor", "item"):
        if not text(row.get(name)):
            parsed.error(line, name, "missing")
    quantity = _cell(parsed, line, "quantity", row.get("quantity"), parse_quantity)
    date = _cell(parsed, line, "date", row.get("date"), parse_date)
    due = _cell(parsed, line, "due", row.get("due"), parse_date)
    if date is None and not _has_error(parsed, before, "date"):
        parsed.error(line, "date", "missing")
    if kind in KINDS and not _has_error(parsed, before, "quantity"):
        _check_quantity(parsed, line, EventKind(kind), quantity)
    if len(parsed.errors) > before or date is None or kind not in KINDS:
        return
    key = text(row.get("key")) or f"{stem}:{kind}"
    parsed.drafts.append(Draft(
        line=line, kind=EventKind(kind), donor=text(row["donor"]), item=text(row["item"]),
        quantity=quantity or 0.0, date=date, due=due, key=key,
        pledge_id=text(row.get("pledge_id")) or line_pledge_id(stem),
        source=text(row.get("source")) or f"{parsed.name}:{line}",
        note=text(row.get("note"))))


def line_pledge_id(stem: str) -> str:
    """The pledge of a line without `pledge_id`: one per line, so the n-th repeat of an
    identical line is a pledge of its own (``csv-HASH-n``), never merged into the first.

    The stem (``csv:HASH:n``, see `KeyMaker.row`) holds the occurrence number; the first
    occurrence keeps the plain ``csv-HASH``, so files imported before stay the same pledges.
    """
    _fmt, digest, occurrence = stem.split(":")
    base = f"csv-{digest[:16]}"
    return base if occurrence == "1" else f"{base}-{occurrence}"


def _has_error(parsed: Parsed, since: int, column: str) -> bool:
    return any(i.field == column for i in parsed.errors[since:])


def _cell(parsed: Parsed, line: int, name: str, value: Any, parse: Any) -> Any:
    try:
        return parse(value)
    except CellError as exc:
        parsed.error(line, name, str(exc))
        return None


def _check_quantity(parsed: Parsed, line: int, kind: EventKind, quantity: float | None) -> None:
    if kind is EventKind.CANCELLED:
        return
    if quantity is None:
        parsed.error(line, "quantity", "missing")
    elif quantity == 0:
        parsed.error(line, "quantity", f"0 units: a {kind} event must move a quantity")
    elif quantity < 0 and kind not in SIGNED_KINDS:
        parsed.error(line, "quantity", f"negative ({quantity:g}) for a {kind} event; only "
                     "amended, dispatched and delivered events take corrections")
