"""Output layer: tables, Plotly charts and the self-contained HTML report of a run directory."""

from resupply.report.export import report_tables, write_csvs, write_xlsx
from resupply.report.html import embedded_figures, render_report
from resupply.report.run_dir import RunData, RunDirError, load_run

__all__ = ["RunData", "RunDirError", "embedded_figures", "load_run", "render_report",
           "report_tables", "write_csvs", "write_xlsx"]
