"""The report step: a run's results (in memory, or read from a run directory) into findings,
the self-contained HTML page and the exported tables."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from resupply.analysis.explain import Outlook
from resupply.compile import Problem
from resupply.domain.schema import Scenario
from resupply.report import RunData, csv_files, render_report, xlsx_workbook
from resupply.report.findings import headline_findings
from resupply.workflow.comparisons import Comparison
from resupply.workflow.rundir import EXPORTS, FINDINGS, REPORT, add_to_run, load_run
from resupply.workflow.simulations import Simulation

if TYPE_CHECKING:
    from resupply.planning import PlanResult


def run_data(path: Path, scenario: Scenario, problem: Problem, *,
             explain: Outlook | None = None, plan: PlanResult | None = None,
             simulation: Simulation | None = None, comparison: Comparison | None = None,
             certificate: dict[str, Any] | None = None,
             buffers: pd.DataFrame | None = None,
             reconciliation: tuple[str, ...] = ()) -> RunData:
    """What a report shows, from results in memory (no file is read back)."""
    from resupply.planning.flows import flow_table, hub_table, route_table

    return RunData(
        path=path, scenario=scenario, problem=problem, explain=explain,
        plan=None if plan is None else plan.to_dict(),
        tranches=None if plan is None else plan.tranches,
        stock=None if plan is None else plan.stock,
        shortfalls=None if plan is None else plan.shortfalls,
        metrics=None if simulation is None else simulation.metrics,
        bands=None if simulation is None else simulation.bands,
        frontier=None if comparison is None else comparison.frontier,
        certificate=certificate, buffers=buffers, reconciliation=reconciliation,
        flows=None if plan is None else flow_table(plan),
        routes=None if plan is None else route_table(plan),
        hubs=None if plan is None else hub_table(plan))


@dataclass(frozen=True)
class Report:
    """A run's findings (one sentence each) and its HTML page."""

    findings: tuple[str, ...]
    html: str


def make_report(run: RunData) -> Report:
    """Findings and page of a run."""
    findings = headline_findings(run)
    return Report(tuple(findings), render_report(run, findings))


def report_files(run: RunData, report: Report) -> dict[str, str | bytes]:
    """findings.txt, report.html and one CSV per table under exports/."""
    files: dict[str, str | bytes] = {FINDINGS: "\n".join(report.findings) + "\n",
                                     REPORT: report.html}
    files.update({f"{EXPORTS}/{name}": text for name, text in csv_files(run).items()})
    return files


class ReportFormat(StrEnum):
    """What `report_run_dir` writes."""

    html = "html"
    xlsx = "xlsx"
    csv = "csv"


def report_run_dir(run_dir: Path, fmt: ReportFormat = ReportFormat.html, *,
                   raw: bool = False) -> tuple[Path, int]:
    """Write the report of a run directory of any kind: ``html`` (report.html), ``xlsx``
    (exports/report.xlsx) or ``csv`` (exports/*.csv; formula-like cells guarded unless
    ``raw``); returns (path written, files)."""
    run = load_run(run_dir)
    if fmt is ReportFormat.html:
        add_to_run(run_dir, {REPORT: make_report(run).html})
        return run_dir / REPORT, 1
    if fmt is ReportFormat.xlsx:
        add_to_run(run_dir, {f"{EXPORTS}/report.xlsx": xlsx_workbook(run)})
        return run_dir / EXPORTS / "report.xlsx", 1
    csvs = csv_files(run, raw=raw)
    add_to_run(run_dir, {f"{EXPORTS}/{name}": text for name, text in csvs.items()})
    return run_dir / EXPORTS, len(csvs)
