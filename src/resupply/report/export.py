"""Exports: every table of a report as one XLSX workbook (a sheet each) or one CSV each.

Names in the tables come from scenarios and ledgers resupply did not write: XLSX cells hold
strings as text (never a formula), and CSV cells a spreadsheet would run as a formula are
guarded with ``'`` unless `raw` (`resupply.untrusted`).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from resupply.files import write_atomically
from resupply.report.run_data import RunData
from resupply.report.sections import build_sections, outlook_table
from resupply.untrusted import escape_controls, guard_cell, xlsx_row

SHEET_NAME_MAX = 31
"""Excel's limit on a sheet name. [characters]"""


def report_tables(run: RunData) -> dict[str, pd.DataFrame]:
    """Every table behind the report, by name, in reading order."""
    tables: dict[str, pd.DataFrame] = {}
    outlook = outlook_table(run)
    if outlook is not None:
        tables["outlook"] = outlook
    for section in build_sections(run):
        tables.update(section.tables)
    if run.tranches is not None:
        tables["tranches"] = run.tranches
    return tables


def _plain(table: pd.DataFrame) -> pd.DataFrame:
    """Dates as dates, no timezone, no index: what spreadsheets read cleanly."""
    out = table.copy()
    for col in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[col]):
            out[col] = out[col].dt.date
    return out


def xlsx_workbook(run: RunData) -> bytes:
    """The tables as one XLSX workbook, one sheet per table (`xlsx_bytes`)."""
    return xlsx_bytes(report_tables(run))


def xlsx_bytes(tables: dict[str, pd.DataFrame]) -> bytes:
    """A workbook with one sheet per table (one sheet saying so when the run has no table);
    strings typed as text (`untrusted.xlsx_row`)."""
    from openpyxl import Workbook  # type: ignore[import-untyped]

    book = Workbook(write_only=True)
    for name, table in tables.items():
        sheet = book.create_sheet(escape_controls(name)[:SHEET_NAME_MAX])
        plain = _plain(table)
        sheet.append(xlsx_row(sheet, (str(c) for c in plain.columns)))
        for row in plain.itertuples(index=False):
            sheet.append(xlsx_row(sheet, (_cell(v) for v in row)))
    if not tables:
        sheet = book.create_sheet("report")
        sheet.append(xlsx_row(sheet, ["this run directory holds no results to tabulate"]))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _cell(value: Any) -> Any:
    """A pandas value as openpyxl takes it: missing as empty, numpy scalars as Python."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT:
        return None
    return value.item() if isinstance(value, np.generic) else value


def csv_files(run: RunData, *, raw: bool = False) -> dict[str, str]:
    """One CSV per table, named after it (file name -> contents); formula-like strings
    guarded unless `raw`."""
    files = {}
    for name, table in report_tables(run).items():
        plain = _plain(table)
        if not raw:
            plain = plain.map(guard_cell)
        files[f"{name}.csv"] = plain.to_csv(index=False)
    return files


def write_xlsx(run: RunData, path: Path) -> Path:
    """One sheet per table, written to ``path``."""
    write_atomically(path, xlsx_workbook(run))
    return path


def write_csvs(run: RunData, folder: Path, *, raw: bool = False) -> list[Path]:
    """One CSV per table in ``folder``; formula-like strings guarded unless `raw`."""
    written = []
    for name, text in csv_files(run, raw=raw).items():
        write_atomically(folder / name, text)
        written.append(folder / name)
    return written
