"""Small builders shared by the store tests."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from resupply.store import Event, EventKind

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
"""The shared public data files (absent outside the workplace: tests then skip)."""


DAY = dt.date(2022, 6, 1)


def ev(pledge: str, kind: str, quantity: float, *, donor: str = "west", item: str = "m795",
       day: int = 0, due: int | None = None, key: str | None = None) -> Event:
    """A test event; `day` and `due` count days from 2022-06-01."""
    return Event(pledge, EventKind(kind), donor, item, quantity, DAY + dt.timedelta(days=day),
                 "tester", source="test", due=None if due is None else DAY + dt.timedelta(due),
                 source_key=key)


KIEL_HEADER = ["activity_id", "sub_activity_id", "donor", "announcement_date", "month",
               "measure", "aid_type_general", "aid_type_specific", "explanation", "item_type",
               "item", "item_numb", "item_numb_deliv", "tot_sub_activity_value_EUR",
               "tot_value_deliv_EUR"]
"""The current Kiel main-data columns (a subset, in a plausible order)."""


def kiel_row(  # noqa: PLR0917  (a table row reads best positionally)
        sub: str, donor: str, day: str, measure: str, item: str, pledged: object,
        delivered: object, aid: str = "Military") -> list[object]:
    """One row in `KIEL_HEADER` order."""
    return [sub.split(".", maxsplit=1)[0], sub, donor, day, day[:7], measure, aid, "Weapons",
            "test", "Heavy weapon", item, pledged, delivered, ".", "."]


def write_workbook(path: Path, header: list[str], rows: list[list[object]],
                   sheet: str = "Bilateral Assistance, MAIN DATA", title_rows: int = 0) -> Path:
    """A small workbook with `rows` under `header` (after `title_rows` title lines)."""
    from openpyxl import Workbook  # type: ignore[import-untyped]

    book = Workbook()
    book.active.title = "Info"
    data = book.create_sheet(sheet)
    for n in range(title_rows):
        data.append([f"Ukraine Support Tracker, title line {n + 1}"])
    data.append(header)
    for row in rows:
        data.append(row)
    book.save(path)
    return path


def write_csv(path: Path, text: str) -> Path:
    """`text` (dedented by the caller) to `path`."""
    path.write_text(text, encoding="utf-8")
    return path
