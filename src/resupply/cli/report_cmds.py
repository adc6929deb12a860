"""`resupply report`: the HTML report (or XLSX/CSV exports) of a run directory of any kind."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from resupply.cli.app import app, out, user_errors
from resupply.workflow.reporting import ReportFormat, report_run_dir


@app.command("report")
@user_errors
def report_cmd(
    run_dir: Annotated[Path, typer.Argument(help="A run directory written by `resupply demo`, "
                                            "`plan`, `simulate` or `compare`.")],
    fmt: Annotated[ReportFormat, typer.Option("--format", help="html: RUN_DIR/report.html; "
                                              "xlsx: one sheet per table; csv: one file per "
                                              "table, in RUN_DIR/exports.")] = ReportFormat.html,
    raw: Annotated[bool, typer.Option("--raw", help="CSV: cells exactly as they are (by "
                                      "default a cell starting with = + - @ gets a leading ' "
                                      "so spreadsheets show it as text).")] = False,
) -> None:
    """Write the report of a run: self-contained HTML that works offline, or the tables.

    Example: resupply plan tiny --out plan && resupply report plan

    Example: resupply demo --out run && resupply report run --format xlsx
    """
    path, count = report_run_dir(run_dir, fmt, raw=raw)
    if fmt is ReportFormat.html:
        out.print(f"wrote {path} (open it in a browser; it needs no network)", markup=False)
    elif fmt is ReportFormat.xlsx:
        out.print(f"wrote {path}", markup=False)
    else:
        out.print(f"wrote {count} CSV files to {path}", markup=False)
