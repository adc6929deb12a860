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

import csv
import datetime as dt
import hashlib
import re
from pathlib import Path

from resupply.errors import ImportRowsError, RowIssue, StoreError
from resupply.store.events import EventKind
from resupply.store.imports.rows import Draft, Parsed, normalise_header, parse_date

COLUMNS = ("donor", "category", "number_of_weapons", "weapons_list")
ENTRY = re.compile(r"^(?P<model>.*\S)\s*\((?P<count>\d[\d,]*)\)$")


def release_date(path: Path) -> dt.date | None:
    """The `date` of a release_info.csv beside `path`, if there is one."""
    info = path.with_name("release_info.csv")
    if not info.is_file():
        return None
    with info.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            return parse_date(row.get("date"))
    return None


def parse_weapons(path: Path, date: dt.date | None = None) -> Parsed:
    """Read weapons.csv into drafts (one per model) and located issues."""
    when = date or release_date(path)
    if when is None:
        raise StoreError(f"{path}: the file has no dates; give --date YYYY-MM-DD (the day the "
                         "figures were published)")
    parsed = Parsed(str(path))
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            _check_columns(str(path), list(reader.fieldnames or []))
            line = reader.line_num + 1
            for row in reader:
                parsed.rows += 1
                _line(parsed, line, {normalise_header(k): (v or "") for k, v in row.items()},
                      when)
                line = reader.line_num + 1
    except UnicodeDecodeError as exc:
        raise StoreError(f"{path}: not UTF-8 text ({exc.reason})") from None
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
        model = match["model"]
        counts[model] = counts.get(model, 0) + int(match["count"].replace(",", ""))
    for model, count in counts.items():
        ident = hashlib.sha256(f"{donor}|{category}|{model}".encode()).hexdigest()
        parsed.drafts.append(Draft(
            line=line, kind=EventKind.COMMITTED, donor=donor, item=model, quantity=count,
            date=when, pledge_id=f"kiel-weapons-{ident[:16]}",
            key=f"kiel-weapons:{ident[:24]}", source=f"{parsed.name}:{line}", note=category,
            target=True))
    total = sum(counts.values())
    stated = row["number_of_weapons"].strip()
    if stated.isdigit() and int(stated) != total:
        parsed.warn(line, "number_of_weapons",
                    f"says {stated} but weapons_list adds up to {total}; recorded the list")
