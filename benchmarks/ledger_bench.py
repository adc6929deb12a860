"""Ledger benchmark: import a generated Kiel-layout workbook and query the status, per back end.

Usage::

    python benchmarks/ledger_bench.py --rows 100000 --backends sqlite,postgresql \
        --out benchmarks/results/ledger-100k.json

The workbook has the current Kiel column generation on sheet `Bilateral Assistance, MAIN
DATA`, with what real releases contain: 20 % non-military rows, 5 % undisclosed quantities,
1 % negative corrections, delivered numbers on 60 % of rows. Records, one per tool:

- ``resupply-sqlite`` / ``resupply-postgresql``: ``import_s`` (`import_file`, one
  transaction, from the file to committed events), ``status_s`` (best of 3: read the
  ledger, derive every pledge, reconcile per donor and item), events written;
- ``pandas``: what an analyst would otherwise run: ``pandas.read_excel`` of the same sheet
  (``import_s``) and a ``groupby(donor, item)`` sum of pledged and delivered (``status_s``).
  It stores nothing and checks nothing, so it is a reference, not a competitor.

Targets (issue 5): import under 30 s, status under 1 s. PostgreSQL runs in a fresh schema
of ``$RESUPPLY_BENCH_POSTGRES_URL`` (default ``postgresql+psycopg://postgres@127.0.0.1:5432/
test``), dropped afterwards; it is skipped when no server answers.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

TARGET_IMPORT_S = 30.0
TARGET_STATUS_S = 1.0
SHEET = "Bilateral Assistance, MAIN DATA"
HEADER = ["activity_id", "sub_activity_id", "donor", "announcement_date", "month", "measure",
          "aid_type_general", "aid_type_specific", "explanation", "item_type", "item",
          "item_numb", "item_numb_deliv", "tot_sub_activity_value_EUR", "tot_value_deliv_EUR"]
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def _row(n: int, rng: random.Random) -> list[Any]:
    day = dt.date(2022, 2, 24) + dt.timedelta(days=rng.randrange(1200))
    aid = "Military" if rng.random() < 0.8 else rng.choice(["Financial", "Humanitarian"])
    pledged: Any = rng.randrange(1, 5000)
    if rng.random() < 0.01:
        pledged = -pledged
    elif rng.random() < 0.05:
        pledged = rng.choice([".", "undisclosed"])
    delivered: Any = rng.randrange(0, 5000) if rng.random() < 0.6 else "."
    return [n // 3, f"{n // 3}.{n % 3}", f"Donor {rng.randrange(40)}", day, day.strftime("%Y-%m"),
            rng.choice(["Commitment", "Allocation"]), aid, "Weapons", "generated",
            "Ammunition for heavy weapon", f"Item {rng.randrange(300)}", pledged, delivered,
            rng.randrange(10_000, 10_000_000), "."]


def make_workbook(path: Path, rows: int, seed: int = 0) -> Path:
    """Write a `rows`-row Kiel-layout workbook (write-only mode: constant memory)."""
    from openpyxl import Workbook

    rng = random.Random(seed)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(SHEET)
    sheet.append(HEADER)
    for n in range(rows):
        sheet.append(_row(n, rng))
    book.save(path)
    return path


@contextmanager
def postgres_url() -> Iterator[str | None]:
    """A URL pinned to a fresh schema (dropped afterwards), or None when no server answers."""
    import psycopg

    base = os.environ.get("RESUPPLY_BENCH_POSTGRES_URL", PG_DEFAULT)
    plain = base.replace("+psycopg", "")
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    try:
        with psycopg.connect(plain, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f"CREATE SCHEMA {schema}")
    except psycopg.Error:
        yield None
        return
    try:
        yield f"{base}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


def run_resupply(url: str, workbook: Path) -> dict[str, Any]:
    """Import the workbook into an empty database, then time the status query."""
    from resupply.store import open_store
    from resupply.store.imports import import_file
    from resupply.store.ledger import status

    store = open_store(url)
    start = time.perf_counter()
    report = import_file(store, workbook, "kiel-xlsx", recorded_by="bench", partial=True)
    import_s = time.perf_counter() - start
    timings, rows = [], []
    for _ in range(3):
        start = time.perf_counter()
        rows = status(store, dt.date(2026, 1, 1))
        timings.append(time.perf_counter() - start)
    store.engine.dispose()
    return {"import_s": import_s, "status_s": min(timings), "events": report.written,
            "rows_read": report.rows, "ignored": report.ignored,
            "warnings": len(report.warnings), "status_rows": len(rows)}


def run_pandas(workbook: Path) -> dict[str, Any]:
    """The analyst's alternative: read_excel, then a groupby sum (no storage, no checks)."""
    import pandas as pd

    start = time.perf_counter()
    frame = pd.read_excel(workbook, sheet_name=SHEET, engine="openpyxl")
    import_s = time.perf_counter() - start
    start = time.perf_counter()
    military = frame[frame["aid_type_general"] == "Military"]
    numbers = military.assign(
        pledged=pd.to_numeric(military["item_numb"], errors="coerce"),
        delivered=pd.to_numeric(military["item_numb_deliv"], errors="coerce"))
    table = numbers.groupby(["donor", "item"])[["pledged", "delivered"]].sum()
    status_s = time.perf_counter() - start
    return {"import_s": import_s, "status_s": status_s, "status_rows": len(table)}


def machine() -> dict[str, Any]:
    """What the numbers were measured on (the load average matters on a shared machine)."""
    import platform

    return {"cpus": os.cpu_count(), "load_avg_1m_end": os.getloadavg()[0],
            "python": platform.python_version(), "platform": platform.platform()}


def main() -> None:
    """Parse arguments, run every requested tool, write the JSON records."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--backends", default="sqlite,postgresql,pandas")
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results/ledger.json"))
    args = parser.parse_args()
    records: list[dict[str, Any]] = []
    load_start = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        workbook = make_workbook(Path(tmp) / "kiel.xlsx", args.rows)
        print(f"generated {args.rows:,} rows in {time.perf_counter() - start:.1f} s")
        for tool in args.backends.split(","):
            record = {"tool": tool, "rows": args.rows, **_run(tool, Path(tmp), workbook)}
            print(json.dumps(record))
            records.append(record)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    context = {**machine(), "load_avg_1m_start": load_start}
    args.out.write_text(json.dumps({"machine": context, "records": records}, indent=2) + "\n")
    print(f"wrote {args.out}")


def _run(tool: str, tmp: Path, workbook: Path) -> dict[str, Any]:
    if tool == "pandas":
        return run_pandas(workbook)
    if tool == "sqlite":
        result = run_resupply(f"sqlite:///{tmp / 'ledger.db'}", workbook)
    elif tool == "postgresql":
        with postgres_url() as url:
            if url is None:
                return {"skipped": "no PostgreSQL server reachable"}
            result = run_resupply(url, workbook)
    else:
        raise SystemExit(f"unknown backend {tool!r}: use sqlite, postgresql, pandas")
    result["meets_targets"] = (result["import_s"] < TARGET_IMPORT_S
                               and result["status_s"] < TARGET_STATUS_S)
    return result


if __name__ == "__main__":
    main()
