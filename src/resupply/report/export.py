"""Exports: every table of a report as one XLSX workbook (a sheet each) or one CSV each."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

from resupply.files import write_atomically
from resupply.report.run_data import RunData
from resupply.report.sections import build_sections, outlook_table

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
    """The tables as one XLSX workbook, one sheet per table."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, table in report_tables(run).items():
            _plain(table).to_excel(writer, sheet_name=name[:SHEET_NAME_MAX], index=False)
    return buffer.getvalue()


def csv_files(run: RunData) -> dict[str, str]:
    """One CSV per table, named after it (file name -> contents)."""
    return {f"{name}.csv": _plain(table).to_csv(index=False)
            for name, table in report_tables(run).items()}


def write_xlsx(run: RunData, path: Path) -> Path:
    """One sheet per table, written to ``path``."""
    write_atomically(path, xlsx_workbook(run))
    return path


def write_csvs(run: RunData, folder: Path) -> list[Path]:
    """One CSV per table in ``folder``."""
    written = []
    for name, text in csv_files(run).items():
        write_atomically(folder / name, text)
        written.append(folder / name)
    return written
