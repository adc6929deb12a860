"""The Kiel tracker website's weapons.csv: heavy weapons allocated, per donor and category.

Columns: donor, category, number_of_weapons, monetary_value_eur, weapons_list, the last
written ``"Model (count); Model (count)"``. Each model of a line becomes one `committed`
pledge (Kiel counts these as allocated) of `count` units. The file has no dates: the event
date is the one given to the import (``--date``), else the release date in a
``release_info.csv`` beside the file.

Keys: a pledge is (donor, category, model) and its count a stated total (`Draft.target`), so
re-importing the same file writes nothing and a later release with a new count restates it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path

from resupply.errors import ImportRowsError, RowIssue, StoreError
from resupply.store.events import EventKind
from resupply.store.imports.rows import (
    CellError,
    Draft,
    Parsed,
    csv_records,
    normalise_header,
    parse_date,
)

COLUMNS = ("donor", "category", "number_of_weapons", "weapons_list")
MAX_COUNT_DIGITS = 12
"""Longest count of weapons read [digits] (the ledger's limit is 10^12 units)."""
ENTRY = re.compile(r"^(?P<model>.*\S)\s*\((?P<count>\d[\d,]*)\)$")


def release_date(path: Path) -> dt.date | None:
    """The `date` of a release_info.csv beside `path`, if there is one (read through the
    bounded CSV reader; a bad date is an `ImportRowsError` at its line)."""
    info = path.with_name("release_info.csv")
    if not info.is_file():
        return None
    records = csv_records(info)
    _line, header = next(records, (1, []))
    column = {normalise_header(h): n for n, h in enumerate(header)}.get("date")
    for line, cells in records:
        value = cells[column] if column is not None and column < len(cells) else None
        try:
            return parse_date(value)
        except CellError as exc:
            raise ImportRowsError([RowIssue(str(info), line, "date", str(exc))],
                                  "the release date cannot be read; give --date YYYY-MM-DD "
                                  "or fix release_info.csv; nothing was written") from None
    return None


def parse_weapons(path: Path, date: dt.date | None = None) -> Parsed:
    """Read weapons.csv into drafts (one per model) and located issues."""
    when = date or release_date(path)
    if when is None:
        raise StoreError(f"{path}: the file has no dates; give --date YYYY-MM-DD (the day the "
                         "figures were published)")
    parsed = Parsed(str(path))
    records = csv_records(path)
    _first, header = next(records, (1, []))
    _check_columns(str(path), header)
    names = [normalise_header(h) for h in header]
    for line, cells in records:
        if not any(c.strip() for c in cells):
            continue
        parsed.rows += 1
        row = dict.fromkeys(COLUMNS, "") | dict(zip(names, cells, strict=False))
        _line(parsed, line, row, when)
    return parsed


def _check_columns(file: str, header: list[str]) -> None:
    found = {normalise_header(h) for h in header}
    missing = [c for c in COLUMNS if c not in found]
    if missing:
        raise ImportRowsError([RowIssue(file, 1, c, "missing column") for c in missing],
                              f"not a Kiel weapons.csv: columns found: {', '.join(header)}")


def _line(parsed: Parsed, line: int, row: dict[str, str], when: dt.date) -> None:
    donor, category = row["donor"].strip(), row["category"].strip()
    if not donor:
        parsed.error(line, "donor", "missing")
        return
    counts: dict[str, int] = {}  # a model listed twice on a line counts once, summed
    for part in (p.strip() for p in row["weapons_list"].split(";")):
        if not part:
            continue
        match = ENTRY.match(part)
        if match is None:
            parsed.error(line, "weapons_list", f"{part[:60]!r} is not 'Model (count)'")
            continue
        model, count = match["model"], match["count"].replace(",", "")
        if len(count) > MAX_COUNT_DIGITS:
            parsed.error(line, "weapons_list", f"{model[:60]!r}: a count of {len(count):,} "
                         f"digits; at most {MAX_COUNT_DIGITS}")
            continue
        counts[model] = counts.get(model, 0) + int(count)
    for model, count in counts.items():
        ident = hashlib.sha256(f"{donor}|{category}|{model}".encode()).hexdigest()
        parsed.drafts.append(Draft(
            line=line, kind=EventKind.COMMITTED, donor=donor, item=model, quantity=count,
            date=when, pledge_id=f"kiel-weapons-{ident[:16]}",
            key=f"kiel-weapons:{ident[:24]}", source=f"{parsed.name}:{line}", note=category,
            target=True))
    total = sum(counts.values())
    stated = row["number_of_weapons"].strip()
    if stated.isdigit() and len(stated) <= MAX_COUNT_DIGITS and int(stated) != total:
        parsed.warn(line, "number_of_weapons",
                    f"says {stated} but weapons_list adds up to {total}; recorded the list")
