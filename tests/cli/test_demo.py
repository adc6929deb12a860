"""`resupply demo` end to end on `tiny` (small run counts): files, findings, stored runs."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from resupply.report import embedded_figures
from resupply.store import open_store

Cli = Callable[..., tuple[int, str, str]]


def test_demo_writes_the_run_and_prints_findings(cli: Cli, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo's files, findings and stored runs; its comparison runs every policy on the
    certificate's own runs, so the plan's row is the certificate's figure."""
    db = tmp_path / "runs.db"
    monkeypatch.setenv("RESUPPLY_DATABASE_URL", f"sqlite:///{db}")
    run = tmp_path / "run"
    code, out, err = cli("demo", "--scenario", "tiny", "--out", str(run), "--runs", "200",
                         "--calibration-runs", "100")
    assert code == 0, err
    assert "Findings" in out
    assert "152 mm artillery round (soviet) runs dry on 11 Jun 2022" in out
    assert "Best tranche policy" in out
    for name in ("scenario.json", "explain.json", "plan/plan.json", "plan/tranches.csv",
                 "simulate/metrics.json", "simulate/bands.parquet", "compare/frontier.json",
                 "report.html", "findings.txt", "exports/outlook.csv"):
        assert (run / name).is_file(), name
    certificate = json.loads((run / "plan" / "certificate.json").read_text())
    rows = json.loads((run / "compare" / "frontier.json").read_text())["policies"]
    plan_row = next(r for r in rows if r["policy"] == "plan")
    assert plan_row["avoidable_prob"] == certificate["certification"]["estimate"]
    assert certificate["certification"]["runs"] == 200
    figures = embedded_figures((run / "report.html").read_text())
    assert {"stock", "tranches", "hub", "exposed", "dos", "frontier"} <= set(figures)
    store = open_store(f"sqlite:///{db}")
    kinds = sorted(r.kind for r in store.runs())
    store.close()
    assert kinds == ["plan", "simulation"]


def test_demo_reports_a_bad_scenario_without_traceback(cli: Cli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\n")
    code, _, err = cli("demo", "--scenario", str(bad), "--out", str(tmp_path / "run"))
    assert code == 2 and "bad.yaml:1:1" in err and "Traceback" not in err
