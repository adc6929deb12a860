"""The Kiel Ukraine Support Tracker release workbook: sheet `Bilateral Assistance, MAIN DATA`.

One row per sub-activity. Both column generations are read (`ALIASES`): the current one
(``donor``, ``announcement_date``, ``measure``, ``aid_type_general``, ``item``, ``item_numb``,
``item_numb_deliv``, ``sub_activity_id``) and the older one (``countries``, ``Type of Aid
General``, ``No. of Units``). Only military rows are ledger data; others are counted as
ignored.

A row states totals to date (`Draft.target`; `increments.settle` records only what changed
since the ledger last heard of the sub-activity, so successive releases do not double count):

- ``item_numb > 0``: an `announced` (measure Commitment) or `committed` (Allocation or no
  measure) event of that many units;
- ``item_numb < 0``: an `amended` event, a correction of the donor's pledges;
- ``item_numb_deliv != 0``: a `delivered` event (negative: a correction). Kiel gives no
  delivery date, so its date is the announcement date, and the note says so.

`.` and `undisclosed` are missing values, each with a warning on its row.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path
from typing import Any

from resupply.errors import ImportRowsError, RowIssue, StoreError
from resupply.store.events import EventKind
from resupply.store.imports.rows import (
    MAX_CELL_CHARS,
    CellError,
    Draft,
    KeyMaker,
    Parsed,
    normalise_header,
    parse_date,
    parse_quantity,
    text,
)
from resupply.store.imports.xlsx_bounds import check_sheet_size

SHEET = "Bilateral Assistance, MAIN DATA"
HEADER_SEARCH_ROWS = 10
"""Rows scanned for the header (some releases put titles above it)."""

ALIASES: dict[str, tuple[str, ...]] = {
    "donor": ("donor", "countries", "country"),
    "date": ("announcement_date", "date_of_announcement", "announcement"),
    "month": ("month",),
    "measure": ("measure",),
    "aid_type": ("aid_type_general", "type_of_aid_general"),
    "item": ("item", "item_name", "items"),
    "pledged": ("item_numb", "no_of_units", "number_of_units"),
    "delivered": ("item_numb_deliv", "no_of_units_delivered"),
    "sub_activity": ("sub_activity_id",),
    "source": ("source", "source_url", "link"),
}
REQUIRED = ("donor", "item", "pledged")
MEASURES = {"commitment": EventKind.ANNOUNCED, "allocation": EventKind.COMMITTED}


def parse_kiel_xlsx(path: Path) -> Parsed:
    """Read the main-data sheet of a Kiel release workbook into drafts and located issues."""
    rows = _Rows(path)
    columns = _find_header(str(path), rows)
    parsed = Parsed(str(path))
    keys = KeyMaker("kiel-xlsx")
    pledge_ids: Counter[str] = Counter()
    for number, cells in rows:
        if not any(cells):  # blank (or all-zero) row: calamine gives "" for empty cells
            continue
        parsed.rows += 1
        row = {name: cells[i] if i < len(cells) else None for name, i in columns.items()}
        long = next((k for k, v in row.items() if isinstance(v, str) and len(v) > MAX_CELL_CHARS),
                    None)
        if long is not None:
            parsed.error(number, long, f"a cell of {len(str(row[long])):,} characters; the "
                         f"limit is {MAX_CELL_CHARS:,}")
            continue
        sub = text(row.get("sub_activity"))  # the stable id; else hash the row's content
        _row(parsed, number, row, f"kiel-{sub}" if sub else _hashed(keys.row(cells)), pledge_ids)
    return parsed


class _Rows:
    """(row number, cells) of the main-data sheet, from row 1 (python-calamine: Rust, fast).

    openpyxl's read-only mode needs about 1 ms a row, which puts a 100,000-row release past
    the 30 s import target; calamine reads the same sheet about 20 times faster.
    """

    def __init__(self, path: Path) -> None:
        from python_calamine import CalamineError, CalamineWorkbook

        check_sheet_size(path, SHEET)
        try:
            book = CalamineWorkbook.from_path(str(path))
        except (CalamineError, OSError, ValueError) as exc:
            raise StoreError(f"{path}: not a readable .xlsx workbook ({exc})") from None
        if SHEET not in book.sheet_names:
            raise StoreError(f"{path}: no sheet {SHEET!r}; sheets: {', '.join(book.sheet_names)}")
        try:
            grid = book.get_sheet_by_name(SHEET).to_python(skip_empty_area=False)
        except CalamineError as exc:
            raise StoreError(f"{path}: sheet {SHEET!r} is unreadable ({exc})") from None
        self.rows = enumerate((tuple(row) for row in grid), start=1)

    def __iter__(self) -> _Rows:
        return self

    def __next__(self) -> tuple[int, tuple[Any, ...]]:
        return next(self.rows)


def _find_header(file: str, rows: _Rows) -> dict[str, int]:
    """Our column -> index, from the header row; `ImportRowsError` when columns are missing."""
    for number, cells in rows:
        columns = _columns(cells)
        if "donor" in columns:
            missing = [c for c in REQUIRED if c not in columns]
            if "date" not in columns and "month" not in columns:
                missing.append("date")
            if missing:
                raise ImportRowsError(
                    [RowIssue(file, number, c, f"missing column (one of: {', '.join(ALIASES[c])})")
                     for c in missing], "not a Kiel main-data sheet; nothing was written")
            return columns
        if number >= HEADER_SEARCH_ROWS:
            break
    raise ImportRowsError([RowIssue(file, 1, "donor", "no header row with a `donor` (or "
                                    f"`countries`) column in the first {HEADER_SEARCH_ROWS} rows")],
                          "not a Kiel main-data sheet; nothing was written")


def _columns(cells: tuple[Any, ...]) -> dict[str, int]:
    position = {normalise_header(c): n for n, c in enumerate(cells) if c is not None}
    found = {}
    for name, aliases in ALIASES.items():
        for alias in aliases:
            if alias in position:
                found[name] = position[alias]
                break
    return found


def _hashed(stem: str) -> str:
    return f"kiel-{stem.split(':')[1][:16]}"


def _row(parsed: Parsed, line: int, row: dict[str, Any], base: str,
         pledge_ids: Counter[str]) -> None:
    """Drafts of one sub-activity row, or its errors and warnings."""
    aid = text(row.get("aid_type")).lower()
    if aid and aid != "military":
        parsed.ignored += 1
        return
    before = len(parsed.errors)
    donor, item = text(row.get("donor")), text(row.get("item"))
    date = _date(parsed, line, row)
    pledged = _quantity(parsed, line, "item_numb", row.get("pledged"))
    delivered = _quantity(parsed, line, "item_numb_deliv", row.get("delivered"))
    if not donor:
        parsed.error(line, "donor", "missing")
    if not item:
        parsed.error(line, "item", "missing")
    if date is None or len(parsed.errors) > before:
        return
    pid = _pledge_id(base, pledge_ids)
    source = text(row.get("source")) or f"{parsed.name}:{line}"
    made = 0
    if pledged:
        kind = _kind(parsed, line, row) if pledged > 0 else EventKind.AMENDED
        parsed.drafts.append(Draft(
            line, kind, donor, item, pledged, date, pid, f"kiel-xlsx:{pid}:{kind}", source,
            note="correction" if pledged < 0 else "", target=True))
        made += 1
    if delivered:
        parsed.drafts.append(Draft(
            line, EventKind.DELIVERED, donor, item, delivered, date, pid,
            f"kiel-xlsx:{pid}:delivered", source, target=True,
            note="Kiel gives no delivery date: dated at announcement"))
        made += 1
    if not made:
        parsed.warn(line, "item_numb", "no quantity disclosed; row not recorded")


def _date(parsed: Parsed, line: int, row: dict[str, Any]) -> dt.date | None:
    try:
        found = parse_date(row.get("date"))
        if found is None:
            found = parse_date(row.get("month"))
            if found is not None:
                parsed.warn(line, "announcement_date", "missing; dated to its month")
    except CellError as exc:
        parsed.error(line, "announcement_date", str(exc))
        return None
    if found is None:
        parsed.error(line, "announcement_date", "missing (and no month)")
    return found


def _quantity(parsed: Parsed, line: int, column: str, value: Any) -> float | None:
    try:
        quantity = parse_quantity(value)
    except CellError as exc:
        parsed.error(line, column, str(exc))
        return None
    if quantity is None and isinstance(value, str) and value.strip():
        parsed.warn(line, column, f"{value.strip()!r} read as missing")
    return quantity


def _kind(parsed: Parsed, line: int, row: dict[str, Any]) -> EventKind:
    measure = text(row.get("measure")).lower()
    if not measure:
        return EventKind.COMMITTED
    if measure not in MEASURES:
        parsed.warn(line, "measure", f"{measure!r} is neither Commitment nor Allocation; "
                    "recorded as committed")
    return MEASURES.get(measure, EventKind.COMMITTED)


def _pledge_id(base: str, seen: Counter[str]) -> str:
    seen[base] += 1
    return base if seen[base] == 1 else f"{base}-{seen[base]}"
