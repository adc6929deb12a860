"""What every importer produces, and the cell parsing they share.

An importer reads a file into `Parsed`: one `Draft` per event it found (still carrying the
source's own donor and item names), plus located errors and warnings. `translate` (in
`mapping`) turns drafts into ledger events. Nothing here touches the database.

Stable keys: a draft's `key` is derived from the content of its source row (never from its
line number or the file name), plus an occurrence count for identical rows, plus the event
kind; importing the same data again therefore yields the same keys and writes nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import math
import os
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from resupply.errors import ImportRowsError, RowIssue, StoreError
from resupply.store.events import MAX_QUANTITY, EventKind

MISSING = frozenset({"", ".", "undisclosed", "n/a", "na", "-", "none", "null"})
"""Cell texts read as 'no value' (the Kiel tracker writes `.` and `undisclosed`)."""

DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%Y/%m/%d", "%Y-%m")

MAX_IMPORT_BYTES = 500 * 1024 * 1024
"""Largest import file read [bytes], checked on its size before reading (a 100,000-event
ledger export is about 25 MB)."""
MAX_CELL_CHARS = 10_000
"""Longest cell of an import file [characters] (a source URL or note is far shorter)."""
MAX_NUMBER_CHARS = 40
"""Longest number text read [characters]: more is not a quantity, and Python refuses to
convert integers of more than 4,300 digits."""


class CellError(ValueError):
    """A cell could not be read; the message says what would be valid."""


@dataclass(frozen=True, slots=True)
class Draft:
    """One ledger event read from a source row, before donor and item names are mapped.

    `line` is the 1-based line (CSV) or row (XLSX) of the source record.
    """

    line: int
    kind: EventKind
    donor: str
    item: str
    quantity: float
    date: dt.date
    pledge_id: str
    key: str
    source: str
    due: dt.date | None = None
    note: str = ""
    target: bool = False
    """The quantity is a total the source states for the pledge (pledged, or delivered),
    not an increment: `increments.settle` turns it into the event that moves the recorded
    state there, or into nothing when the ledger already says so."""


@dataclass
class Parsed:
    """An importer's result: drafts, and located errors and warnings, in file order."""

    file: str
    rows: int = 0
    drafts: list[Draft] = field(default_factory=list)
    errors: list[RowIssue] = field(default_factory=list)
    warnings: list[RowIssue] = field(default_factory=list)
    ignored: int = 0
    """Rows outside the ledger's scope (non-military aid, items mapped to null)."""

    @property
    def name(self) -> str:
        """The file's name without its folder, for ``FILE:LINE`` source references."""
        return self.file.replace("\\", "/").rsplit("/", 1)[-1]

    def error(self, line: int, column: str, message: str) -> None:
        """Record an error at `line`, `column`."""
        self.errors.append(RowIssue(self.file, line, column, message))

    def warn(self, line: int, column: str, message: str) -> None:
        """Record a warning at `line`, `column`."""
        self.warnings.append(RowIssue(self.file, line, column, message))


def is_missing(value: Any) -> bool:
    """True for an empty cell or a 'no value' marker (`MISSING`)."""
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and value.strip().lower() in MISSING


def parse_quantity(value: Any) -> float | None:
    """A quantity [units] from a cell; None when missing; `CellError` when not a number."""
    if is_missing(value):
        return None
    if isinstance(value, bool):
        raise CellError(f"expected a number, got {value!r}")
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = str(value).strip().replace(",", "").replace("\u2009", "").replace(" ", "")
        if len(text) > MAX_NUMBER_CHARS:
            raise CellError(f"expected a number, got {len(text):,} characters")
        try:
            number = float(text)
        except ValueError:
            raise CellError(f"expected a number, got {str(value)[:40]!r}") from None
    if not math.isfinite(number):
        raise CellError(f"expected a finite number, got {str(value)[:40]!r}")
    if abs(number) > MAX_QUANTITY:
        raise CellError(f"{number:g} is beyond {MAX_QUANTITY:g} units, the most one event holds")
    return number


def parse_date(value: Any) -> dt.date | None:
    """A date from a cell (date, datetime or text in `DATE_FORMATS`); None when missing."""
    if is_missing(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    try:
        return dt.date.fromisoformat(text)  # the common case, and fast
    except ValueError:
        pass
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise CellError(f"expected a date like 2022-06-01, got {text[:40]!r}")


def text(value: Any) -> str:
    """A cell as stripped text ('' when missing; a whole float without its ``.0``)."""
    if is_missing(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def check_size(path: Path, limit: int = MAX_IMPORT_BYTES) -> None:
    """`StoreError` when `path` is not a regular file or is larger than `limit`, before any
    reader opens it."""
    try:
        size = os.stat(path).st_size
    except OSError as exc:
        raise StoreError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if not path.is_file():
        raise StoreError(f"{path}: not a regular file")
    if size > limit:
        raise StoreError(f"{path}: file is {size:,} bytes; the limit is {limit:,} bytes")


def read_text(path: Path, limit: int = MAX_IMPORT_BYTES) -> str:
    """The UTF-8 text of `path` (size checked first, read bounded); a decoding error is an
    `ImportRowsError` located at its line."""
    check_size(path, limit)
    try:
        with path.open("rb") as handle:
            raw = handle.read(limit + 1)
    except OSError as exc:
        raise StoreError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if len(raw) > limit:
        raise StoreError(f"{path}: file is more than {limit:,} bytes; the limit")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise ImportRowsError([RowIssue(str(path), line, "(file)", f"byte 0x{raw[exc.start]:02x} "
                                        "is not UTF-8; save the file as UTF-8")],
                              "not UTF-8 text; nothing was written") from None


def csv_records(path: Path) -> Iterator[tuple[int, list[str]]]:
    """(first line of the record, cells) of every CSV record of `path`, header included:
    read through `read_text`, each cell at most `MAX_CELL_CHARS` long; a malformed record
    is an `ImportRowsError` at its line."""
    reader = csv.reader(io.StringIO(read_text(path), newline=""))
    line = 1
    try:
        for cells in reader:
            long = next((n for n, c in enumerate(cells) if len(c) > MAX_CELL_CHARS), None)
            if long is not None:
                raise _bad_record(path, line, f"column {long + 1}", f"a cell of "
                                  f"{len(cells[long]):,} characters; the limit is "
                                  f"{MAX_CELL_CHARS:,}")
            yield line, cells
            line = reader.line_num + 1
    except csv.Error as exc:
        raise _bad_record(path, line, "(record)", f"not readable CSV: {exc}") from None


def _bad_record(path: Path, line: int, where: str, message: str) -> ImportRowsError:
    return ImportRowsError([RowIssue(str(path), line, where, message)],
                           "the file cannot be read; nothing was written")


class KeyMaker:
    """Stable keys from row content: same content, same key; repeats of a row are numbered."""

    def __init__(self, fmt: str) -> None:
        self.fmt = fmt
        self.seen: Counter[str] = Counter()

    def row(self, cells: Sequence[Any]) -> str:
        """The key stem of one source row (hash of its cells and occurrence number)."""
        content = "\x1f".join(str(_plain(c)) for c in cells)
        digest = hashlib.sha256(content.encode()).hexdigest()[:24]
        self.seen[digest] += 1
        return f"{self.fmt}:{digest}:{self.seen[digest]}"


def _plain(cell: Any) -> Any:
    if isinstance(cell, dt.date | dt.datetime):
        return cell.isoformat()
    if isinstance(cell, float) and cell.is_integer():
        return int(cell)
    return cell


def normalise_header(name: Any) -> str:
    """A header as a key: ``'Type of Aid General'`` -> ``'type_of_aid_general'``."""
    return re.sub(r"[^a-z0-9]+", "_", str(name or "").strip().lower()).strip("_")
