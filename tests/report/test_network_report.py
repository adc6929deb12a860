"""The report's network sections on a plan over a network (`tiny_network`: two hubs, routes
with capacities, a depot-to-depot route): the Sankey's links are the tons per route of
flows.csv, recomputed here in pandas from routes.parquet and the items' masses; each hub's
load is recomputed from routes.parquet, hubs.parquet and the scenario's routes; the summary
line and the findings say what the sections' titles say. A plan without a network of its own
has neither."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from resupply.report.html import embedded_figures

Cli = Callable[..., tuple[int, str, str]]


@pytest.fixture(scope="module")
def network_plan_dir(cli: Cli, tiny_network_file: Path,
                     tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("network") / "plan"
    code, stdout, _ = cli("plan", str(tiny_network_file), "--out", str(out))
    assert code == 0, stdout
    code, _, err = cli("report", str(out))
    assert code == 0, err
    return out


def _page(run: Path) -> str:
    return (run / "report.html").read_text(encoding="utf-8")


def _mass(run: Path) -> pd.Series:
    """Item -> shipping mass [t], from the scenario as run."""
    scenario = json.loads((run / "scenario.json").read_text())
    return pd.Series({i["id"]: i["mass_kg"] / 1000 for i in scenario["items"]})


def _tons(run: Path) -> pd.DataFrame:
    """routes.parquet with the tons of each row."""
    routes = pd.read_parquet(run / "routes.parquet")
    return routes.assign(tons=routes["units"] * routes["item"].map(_mass(run)))


def _title(figure: dict[str, Any]) -> str:
    return str(figure["layout"]["title"]["text"]).replace("<br>", " ")


def test_the_sankey_links_are_the_tons_per_route(network_plan_dir: Path) -> None:
    figure = embedded_figures(_page(network_plan_dir))["network"]
    (sankey,) = figure["data"]
    assert sankey["type"] == "sankey"
    links = pd.Series(sankey["link"]["value"], index=sankey["link"]["label"], dtype=float)
    by_route = _tons(network_plan_dir).groupby("route")["tons"].sum()
    flows = pd.read_csv(network_plan_dir / "flows.csv")
    flows = flows[flows["kind"] != "hub"].set_index("route")["tons"]
    carried = flows[flows > 1e-6]
    assert sorted(links.index) == sorted(carried.index)
    np.testing.assert_allclose(links.reindex(carried.index), carried, rtol=1e-9)
    np.testing.assert_allclose(links, by_route.reindex(links.index), rtol=1e-9)
    labels = sankey["node"]["label"]
    sources = [labels[n] for n in sankey["link"]["source"]]
    targets = [labels[n] for n in sankey["link"]["target"]]
    pairs = dict(zip(sankey["link"]["label"], zip(sources, targets, strict=True), strict=True))
    assert pairs["far-near"] == ("Rear depot", "Forward depot")
    assert pairs["west-south"] == ("Western donor", "Southern port and the rail crossing")
    hover = dict(zip(sankey["link"]["label"], sankey["link"]["customdata"], strict=True))
    assert "100% of capacity" in hover["west-south"] and "4 days in transit" in hover["west-south"]


def _recomputed_load(run: Path) -> pd.DataFrame:
    """[day x hub] tons leaving each hub, from routes.parquet and the scenario's routes."""
    scenario = json.loads((run / "scenario.json").read_text())
    hubs = [h["id"] for h in scenario["network"]["hubs"]]
    origin = {r["id"]: r["origin"] for r in scenario["network"]["routes"]}
    tons = _tons(run)
    tons = tons[tons["route"].map(origin).isin(hubs)]
    return (tons.assign(hub=tons["route"].map(origin)).groupby(["day", "hub"])["tons"].sum()
            .unstack("hub").reindex(index=range(scenario["horizon_days"]), columns=hubs)
            .fillna(0.0))


def _recomputed_held(run: Path) -> pd.DataFrame:
    """[day x hub] tons held at each hub, from hubs.parquet."""
    scenario = json.loads((run / "scenario.json").read_text())
    held = pd.read_parquet(run / "hubs.parquet")
    held = held.assign(tons=held["stock"] * held["item"].map(_mass(run)))
    return (held.groupby(["day", "hub"])["tons"].sum().unstack("hub")
            .reindex(index=range(scenario["horizon_days"]),
                     columns=[h["id"] for h in scenario["network"]["hubs"]]).fillna(0.0))


def test_each_hubs_load_is_recomputed(network_plan_dir: Path) -> None:
    figure = embedded_figures(_page(network_plan_dir))["hubload"]
    series = {(t["meta"]["hub"], t["meta"]["series"]): t for t in figure["data"]
              if "series" in t["meta"]}
    leaving, held = _recomputed_load(network_plan_dir), _recomputed_held(network_plan_dir)
    for hub in ("main", "south"):
        np.testing.assert_allclose(series[hub, "leaving"]["y"], leaving[hub], rtol=1e-9,
                                   atol=1e-12)
        np.testing.assert_allclose(series[hub, "held"]["y"], held[hub], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(series["main", "throughput"]["y"], 100.0)
    np.testing.assert_allclose(series["south", "throughput"]["y"], 8.0)
    np.testing.assert_allclose(series["south", "storage"]["y"], 40.0)
    at_limit = leaving["south"] >= 0.99 * 8.0
    assert len(series["south", "throughput"]["y"]) == len(leaving) == 30 and at_limit.any()
    marks = [t for t in figure["data"] if t["meta"].get("binding") == "throughput"
             and t["meta"]["hub"] == "south"]
    assert len(marks) == 1 and len(marks[0]["y"]) == int(at_limit.sum())
    assert f"at its throughput on {int(at_limit.sum())} days" in _title(figure)


def test_the_absorption_chart_counts_every_hub(network_plan_dir: Path) -> None:
    """On a network the absorption chart's hub bars are what leaves every hub (routes.parquet)
    against the hubs' throughput together (108 t/day), and its title says so."""
    figure = embedded_figures(_page(network_plan_dir))["hub"]
    bars = next(t for t in figure["data"] if t["name"].startswith("leaving"))
    leaving = _recomputed_load(network_plan_dir).sum(axis=1)
    np.testing.assert_allclose(bars["y"], leaving.to_numpy(), rtol=1e-9, atol=1e-9)
    peak = int(leaving.to_numpy().argmax())
    binding = int((leaving >= 0.99 * 108.0).sum())
    title = _title(figure)
    if binding:
        assert f"he hubs' combined throughput binds on {binding} days" in title
    else:
        assert f"ubs together peak at {leaving.iloc[peak] / 108.0:.0%} of their" in title


def test_the_summary_line_says_what_the_section_says(network_plan_dir: Path) -> None:
    page = _page(network_plan_dir)
    title = _title(embedded_figures(page)["network"])
    line = re.search(r"<li data-section='network'><b>Network:</b> (.*?)\. <a", page)
    assert line is not None and line.group(1) == title
    assert f"<li data-section='network'>Network: {title}. <a" in page  # the findings
    hub_title = _title(embedded_figures(page)["hubload"])
    finding = re.search(r"<li data-section='hubload'>Hub load: (.*?)\. <a", page)
    assert finding is not None and finding.group(1)[1:] == hub_title[1:]  # first letter's case
    leaving = _recomputed_load(network_plan_dir).sum()
    share = leaving.max() / leaving.sum()
    assert f"Main railhead carries {share:.0%} of the {leaving.sum():,.0f} t" in title
    tons = _tons(network_plan_dir).groupby(["route", "day"])["tons"].sum().unstack("day")
    at_cap = int((tons.loc["west-south"] >= 0.99 * 4.0).sum())
    assert at_cap >= int((tons.loc["main-near"] >= 0.99 * 6.0).sum())
    assert (f"route west-south (Western donor to Southern port and the rail crossing) runs at "
            f"capacity on {at_cap} days") in title


def test_a_network_report_with_simulation_results(network_plan_dir: Path, tiny_run: Path,
                                                  cli: Cli, tmp_path: Path) -> None:
    """A run directory of the demo's layout holding the network plan and simulation results
    (tiny's, whose families and items the network scenario shares): every section draws."""
    run = tmp_path / "run"
    run.mkdir()
    shutil.copy(network_plan_dir / "scenario.json", run / "scenario.json")
    shutil.copytree(network_plan_dir, run / "plan")
    shutil.copytree(tiny_run / "simulate", run / "simulate")
    code, _, err = cli("report", str(run))
    assert code == 0, err
    figures = embedded_figures(_page(run))
    assert {"network", "hubload", "dos", "stock"} <= set(figures)


def test_a_plan_without_a_network_has_no_network_section(tiny_run: Path, cli: Cli) -> None:
    code, _, err = cli("report", str(tiny_run))
    assert code == 0, err
    page = _page(tiny_run)
    assert not {"network", "hubload"} & set(embedded_figures(page))
    assert "data-section='network'" not in page


def test_a_multiresolution_plan_spreads_each_step_over_its_days(
        cli: Cli, tiny_network_file: Path, tmp_path: Path) -> None:
    """Daily for 10 days, then weeks: the hub-load bars of a week are its total / 7 on each of
    its days (so the horizon's tons are those of flows.csv), and the report draws (the
    absorption table once failed on the steps' 13 dates against the horizon's 30 days)."""
    run = tmp_path / "plan"
    code, out, _ = cli("plan", str(tiny_network_file), "--daily-days", "10", "--out", str(run))
    assert code == 0, out
    code, _, err = cli("report", str(run))
    assert code == 0, err
    figure = embedded_figures(_page(run))["hubload"]
    leaving = {t["meta"]["hub"]: np.asarray(t["y"]) for t in figure["data"]
               if t["meta"].get("series") == "leaving"}
    flows = pd.read_csv(run / "flows.csv").set_index("route")
    for hub in ("main", "south"):
        assert len(leaving[hub]) == 30
        assert leaving[hub].sum() == pytest.approx(flows.loc[hub, "tons"], rel=1e-9)
        week = _tons(run)
        scenario = json.loads((run / "scenario.json").read_text())
        origin = {r["id"]: r["origin"] for r in scenario["network"]["routes"]}
        step = week[(week["route"].map(origin) == hub) & (week["day"] == 10)]["tons"].sum()
        np.testing.assert_allclose(leaving[hub][10:17], step / 7, rtol=1e-9, atol=1e-12)
