"""`resupply report`: the HTML report (or XLSX/CSV exports) of a run directory."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from resupply.cli.app import app, out, user_errors
from resupply.files import write_atomically
from resupply.report import load_run, render_report, write_csvs, write_xlsx
from resupply.report.run_dir import EXPORTS, REPORT


class ReportFormat(StrEnum):
    """What `resupply report` writes."""

    html = "html"
    xlsx = "xlsx"
    csv = "csv"


@app.command("report")
@user_errors
def report_cmd(
    run_dir: Annotated[Path, typer.Argument(help="A run directory written by `resupply demo`.")],
    fmt: Annotated[ReportFormat, typer.Option("--format", help="html: RUN_DIR/report.html; "
                                              "xlsx: one sheet per table; csv: one file per "
                                              "table, in RUN_DIR/exports.")] = ReportFormat.html,
    raw: Annotated[bool, typer.Option("--raw", help="CSV: cells exactly as they are (by "
                                      "default a cell starting with = + - @ gets a leading ' "
                                      "so spreadsheets show it as text).")] = False,
) -> None:
    """Write the report of a run: self-contained HTML that works offline, or the tables.

    Example: resupply demo --out run && resupply report run --format xlsx
    """
    run = load_run(run_dir)
    if fmt is ReportFormat.html:
        path = run_dir / REPORT
        write_atomically(path, render_report(run, findings=_stored_findings(run_dir)))
        out.print(f"wrote {path} (open it in a browser; it needs no network)", markup=False)
    elif fmt is ReportFormat.xlsx:
        path = write_xlsx(run, run_dir / EXPORTS / "report.xlsx")
        out.print(f"wrote {path}", markup=False)
    else:
        paths = write_csvs(run, run_dir / EXPORTS, raw=raw)
        out.print(f"wrote {len(paths)} CSV files to {run_dir / EXPORTS}", markup=False)


def _stored_findings(run_dir: Path) -> list[str]:
    path = run_dir / "findings.txt"
    return path.read_text("utf-8", errors="replace").splitlines() if path.is_file() else []
