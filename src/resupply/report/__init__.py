"""Output layer: tables, Plotly charts and the self-contained HTML report of a run.

The report renders a `RunData` it is given; reading and writing run directories is the
workflow's (`resupply.workflow.rundir`).
"""

from resupply.report.export import csv_files, report_tables, write_csvs, write_xlsx, xlsx_workbook
from resupply.report.html import embedded_figures, render_report
from resupply.report.run_data import RunData

__all__ = ["RunData", "csv_files", "embedded_figures", "render_report", "report_tables",
           "write_csvs", "write_xlsx", "xlsx_workbook"]
