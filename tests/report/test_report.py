"""The report of `tiny`: the data embedded in every chart equals the run's own numbers."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from openpyxl import load_workbook

from resupply.planning import plan
from resupply.report import embedded_figures, render_report, report_tables
from resupply.workflow import load_run

Cli = Callable[..., tuple[int, str, str]]


@pytest.fixture(scope="module")
def figures(tiny_run: Path) -> dict[str, dict[str, Any]]:
    return embedded_figures(render_report(load_run(tiny_run)))  # type: ignore[return-value]


def _trace(figure: dict[str, Any], name_start: str, scale: str | None = None) -> dict[str, Any]:
    return next(t for t in figure["data"] if str(t.get("name", "")).startswith(name_start)
                and (scale is None or (t.get("meta") or {}).get("scale") == scale))


def _title(figure: dict[str, Any]) -> str:
    """The chart title as one line (titles wrap with <br>)."""
    return str(figure["layout"]["title"]["text"]).replace("<br>", " ")


def test_every_section_is_present(figures: dict[str, Any]) -> None:
    assert set(figures) == {"stock", "tranches", "hub", "exposed", "dos", "frontier",
                            "donors"}


def test_stock_chart_equals_stock_parquet(tiny_run: Path, figures: dict[str, Any]) -> None:
    stock = pd.read_parquet(tiny_run / "plan" / "stock.parquet")
    for family, name in (("art152", "152 mm"), ("art155", "155 mm")):
        units = stock[stock["family"] == family].groupby("day")["consumption"].sum().to_numpy()
        tons = units * 0.05  # every tiny item weighs 50 kg
        assert_allclose(_trace(figures["stock"], name, "units")["y"], units, atol=1e-9)
        assert_allclose(_trace(figures["stock"], name, "tons")["y"], tons, atol=1e-9)


def test_stock_title_states_the_finding(figures: dict[str, Any]) -> None:
    title = _title(figures["stock"])
    assert "152 mm artillery round runs short from" in title
    assert "155 mm artillery round covered throughout" in title


def test_hub_chart_equals_the_planner_moves(tiny_run: Path, figures: dict[str, Any]) -> None:
    """Independent: the planner's own hub-to-depot moves, converted to tons."""
    result = plan("tiny")
    tons = np.einsum("ikt,i->t", result.moves, result.problem.item_mass_t)
    bars = _trace(figures["hub"], "leaving the hub")
    assert_allclose(bars["y"], tons, atol=1e-6)
    capacity = _trace(figures["hub"], "throughput")
    assert_allclose(capacity["y"], 100.0)


def test_fan_chart_equals_bands(tiny_run: Path, figures: dict[str, Any]) -> None:
    bands = pd.read_parquet(tiny_run / "simulate" / "bands.parquet")
    rows = bands[bands["family"] == "art155"]
    median = np.asarray(_trace(figures["dos"], "155 mm artillery round (median")["y"],
                        dtype=float)
    p50 = rows["dos_p50"].to_numpy()
    # the days before the M109s are fielded (365: no need) are left empty, not a spike
    unfielded = np.cumprod(p50 == 365.0).astype(bool)
    assert unfielded.sum() == 6
    assert np.isnan(median[unfielded]).all()
    assert_allclose(median[~unfielded], np.minimum(p50[~unfielded], 90.0))


def test_frontier_chart_equals_frontier_json(tiny_run: Path, figures: dict[str, Any]) -> None:
    frontier = json.loads((tiny_run / "compare" / "frontier.json").read_text())
    points = _trace(figures["frontier"], "policies")
    assert list(points["text"]) == [p["policy"] for p in frontier["policies"]]
    assert_allclose(points["x"], [p["avoidable_prob"] for p in frontier["policies"]])
    assert_allclose(points["y"], [p["lost_value"] for p in frontier["policies"]])
    assert frontier["best"] in _title(figures["frontier"])


def test_colours_are_fixed_per_family(figures: dict[str, Any]) -> None:
    stock_color = _trace(figures["stock"], "152 mm", "units")["line"]["color"]
    fan_color = _trace(figures["dos"], "152 mm artillery round (median")["line"]["color"]
    assert stock_color == fan_color


def test_report_command_writes_html_xlsx_and_csv(tiny_run: Path, cli: Cli) -> None:
    for fmt in ("html", "xlsx", "csv"):
        code, _, err = cli("report", str(tiny_run), "--format", fmt)
        assert code == 0, err
    page = (tiny_run / "report.html").read_text()
    assert "cdn" not in page.lower().split("<script>", 2)[0]
    assert "<script src=" not in page
    tables = report_tables(load_run(tiny_run))
    sheets = load_workbook(tiny_run / "exports" / "report.xlsx", read_only=True).sheetnames
    assert sheets == [name[:31] for name in tables]
    assert {p.stem for p in (tiny_run / "exports").glob("*.csv")} == set(tables)


def test_not_a_run_directory(tmp_path: Path, cli: Cli) -> None:
    code, _, err = cli("report", str(tmp_path))
    assert code == 1 and "not a run directory" in err and "Traceback" not in err


def test_unused_supply_counts_only_what_could_still_arrive(tiny_run: Path) -> None:
    """With nothing sent, tiny's western donor could still send, by its last tranche that
    arrives (day 25: lead 3, transit at least 1), its 3,000 M795 and 600 DM121 in stock plus
    the M795 made on days 9-25 (17 x 100): 5,300, not the 5,700 it makes by day 29; the
    eastern donor its 1,500 OF-540."""
    from dataclasses import replace

    from resupply.report.findings import unused_supply

    run = replace(load_run(tiny_run), tranches=pd.DataFrame(
        columns=["donor", "item", "quantity"]))
    unused = unused_supply(run).set_index(["family", "donor"])["units"]
    assert unused[("art155", "west")] == pytest.approx(5300.0)
    assert unused[("art152", "east")] == pytest.approx(1500.0)
