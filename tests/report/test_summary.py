"""The summary and the charts agree figure for figure: every number of the summary, read back from
the rendered page, equals the number its chart or table shows, and both equal the run's files
recomputed here with plain pandas (nothing from resupply.report is used for the expected side).
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from resupply.report import embedded_figures, render_report
from resupply.workflow import load_run


def _money(value: float) -> str:
    """EUR as the page writes it (k, M, bn with one decimal)."""
    for size, suffix in ((1e9, " bn"), (1e6, " M"), (1e3, " k")):
        if abs(value) >= size:
            return f"EUR {value / size:,.1f}{suffix}"
    return f"EUR {value:,.0f}"


def _day(date: Any) -> str:
    stamp = pd.Timestamp(date)
    return f"{stamp.day} {stamp:%b}"


class Page:
    """A rendered report: its summary lines by topic, chart titles and embedded figures."""

    def __init__(self, run: Path) -> None:
        self.html = render_report(load_run(run))
        summary = self.html.split("<section id='summary'>", 1)[1].split("</section>", 1)[0]
        self.summary = {
            html.unescape(topic): html.unescape(re.sub(r"<[^>]+>", "", text)).strip()
            for topic, text in re.findall(r"<li[^>]*><b>(.*?):</b>(.*?)</li>", summary)}
        self.figures = embedded_figures(self.html)

    def title(self, key: str) -> str:
        return str(self.figures[key]["layout"]["title"]["text"]).replace("<br>", " ")

    def line(self, start: str) -> str:
        return next(text for topic, text in self.summary.items() if topic.startswith(start))


@pytest.fixture(scope="module")
def air(air_defence_run: Path) -> Page:
    return Page(air_defence_run)


@pytest.fixture(scope="module")
def tiny(tiny_run: Path) -> Page:
    return Page(tiny_run)


def test_shortfall_per_family_equals_the_plan_and_the_flow_chart(air: Page,
                                                                  air_defence_run: Path) -> None:
    short = pd.read_parquet(air_defence_run / "plan" / "shortfall.parquet")
    per_family = short.groupby("family")["shortfall"].sum()
    first = short[short["shortfall"] > 0.5].groupby("family")["date"].min()
    line = air.line("Soviet")
    for family, name in (("s300", "S-300 interceptor"), ("buk", "Buk interceptor")):
        said = re.search(rf"{name} short ([\d,]+) missiles \(\d+% of need\) from (\d+ \w+)", line)
        assert said is not None, line
        assert int(said.group(1).replace(",", "")) == round(per_family[family])
        assert said.group(2) == _day(first[family])
        assert f"{name} runs short from {said.group(2)} ({said.group(1)} missiles)" in \
            air.title("stock")
    assert "the plan sustains the flow" in air.line("NATO")
    assert per_family[["patriot", "amraam"]].sum() < 1


def test_certified_risk_equals_the_certificate(air: Page, air_defence_run: Path) -> None:
    cert = json.loads((air_defence_run / "plan" / "certificate.json").read_text())
    bound = cert["certification"]["upper_bound"]
    assert f"at most {bound:.1%} chance" in air.line("Risk")
    assert f"on {cert['certification']['runs']:,} fresh runs" in air.line("Risk")
    starts = {day for day in cert["certified_from"].values() if day is not None}
    assert starts
    for day in starts:  # the day each family starts to count, as the certificate says
        stamp = pd.Timestamp(day)
        assert f"{stamp.day} {stamp:%b} (" in air.line("Risk")


def test_strike_loss_equals_metrics_and_the_exposed_chart(air: Page,
                                                          air_defence_run: Path) -> None:
    lost = json.loads((air_defence_run / "simulate" / "metrics.json").read_text())[
        "overall"]["lost_value"]
    said = re.search(r"expected (EUR [\d.,]+(?: \w+)?) .*P5-P95 (EUR [\d.,]+(?: \w+)?) to "
                     r"(EUR [\d.,]+(?: \w+)?)", air.line("Strike loss"))
    assert said is not None
    assert said.groups() == (_money(lost["mean"]), _money(lost["p5"]), _money(lost["p95"]))
    assert (f"simulated {said.group(1)}, P5-P95 {said.group(2)} to {said.group(3)}"
            in air.title("exposed"))


def _hub_tons(run: Path) -> pd.Series:
    """Tons leaving the hub per day, from stock.parquet and the scenario (plain pandas)."""
    scenario = json.loads((run / "scenario.json").read_text())
    mass = {i["id"]: i["mass_kg"] / 1000 for i in scenario["items"]}
    transit = {d["id"]: d["transit_days"] for d in scenario["depots"]}
    stock = pd.read_parquet(run / "plan" / "stock.parquet")
    left = stock["day"] - stock["depot"].map(transit)
    tons = (stock["arrivals"] * stock["item"].map(mass)).groupby(left).sum()
    return tons.reindex(range(scenario["horizon_days"]), fill_value=0.0)


@pytest.mark.parametrize("which", ["tiny", "air"])
def test_what_binds_equals_the_hub_chart(which: str, tiny: Page, air: Page, tiny_run: Path,
                                         air_defence_run: Path) -> None:
    page, run = (tiny, tiny_run) if which == "tiny" else (air, air_defence_run)
    scenario = json.loads((run / "scenario.json").read_text())
    capacity = scenario["hub"]["throughput_t_per_day"]
    tons = _hub_tons(run)
    bars = next(t for t in page.figures["hub"]["data"] if t["name"].startswith("leaving"))
    np.testing.assert_allclose(bars["y"], tons.to_numpy(), atol=1e-6)
    line = page.line("What binds")
    binding = int((tons >= 0.99 * capacity).sum())
    if binding:
        assert f"hub throughput binds on {binding} days" in line
        marks = next(t for t in page.figures["hub"]["data"] if t["name"] == "hub binding")
        assert len(marks["x"]) == binding
    else:
        peak = int(tons.to_numpy().argmax())
        start = pd.Timestamp(scenario["start"]) + pd.Timedelta(days=peak)
        assert f"hub peaks at {tons.iloc[peak] / capacity:.0%} of its throughput " \
               f"({_day(start)})" in line
    assert line[:40].lower() in page.title("hub").lower()


def test_which_donor_matters_equals_the_tranches(air: Page, air_defence_run: Path) -> None:
    tranches = pd.read_csv(air_defence_run / "plan" / "tranches.csv")
    by = tranches.groupby(["family", "donor"])["quantity"].sum()
    share = by / by.groupby(level="family").transform("sum")
    line = air.line("Which donor")
    said = re.findall(r"([\w ]+?) sends (\d+)% of ([^;.]+)", line)
    assert said
    scenario = json.loads((air_defence_run / "scenario.json").read_text())
    names = {f["name"]: f["id"] for f in scenario["families"]}
    donor_ids = {d["name"]: d["id"] for d in scenario["donors"]}
    bars = {t["meta"]["donor"]: t for t in air.figures["donors"]["data"]}
    for donor_name, percent, family_name in said:
        family, donor = names[family_name.strip()], donor_ids[donor_name.strip()]
        assert int(percent) == round(100 * share[(family, donor)])
        assert share[(family, donor)] == share.xs(family, level="family").max()
        shown = dict(zip(bars[donor]["y"], bars[donor]["x"], strict=True))[family_name.strip()]
        assert shown == pytest.approx(share[(family, donor)])
    # every family's stacked bar reaches 100 %: no gap (NaN) breaks the stacking
    widths = np.array([bar["x"] for bar in bars.values()], dtype=float)
    assert not np.isnan(widths).any()
    np.testing.assert_allclose(widths.sum(axis=0), 1.0)


def test_policy_equals_the_frontier_and_its_star(air: Page, air_defence_run: Path) -> None:
    frontier = json.loads((air_defence_run / "compare" / "frontier.json").read_text())
    plan = next(p for p in frontier["policies"] if p["policy"] == "plan")
    line = air.line("Policy")
    assert f"({plan['avoidable_prob']:.1%} chance of an avoidable stockout in the " in line
    assert f"loses {_money(plan['lost_value'])} to strikes" in line
    verdict = "meets" if plan["avoidable_prob"] <= frontier["risk_limit"] else "misses"
    assert f"the plan {verdict} the {frontier['risk_limit']:.0%} limit" in line
    star = next(t for t in air.figures["frontier"]["data"] if t["name"].startswith("chosen"))
    assert star["x"] == pytest.approx([plan["avoidable_prob"]])
    assert star["y"] == pytest.approx([plan["lost_value"]])
    assert line[:60].lower() == air.title("frontier")[:60].lower()


def test_every_summary_line_links_to_a_chart_on_the_page(air: Page) -> None:
    links = re.findall(r"<li data-section='(\w+)'><b>", air.html)
    assert len(links) == len(air.summary) >= 6
    for key in links:
        assert f"<section id='{key}'>" in air.html


def test_no_nan_or_inf_in_any_table(air: Page, tiny: Page) -> None:
    for page in (air, tiny):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", page.html)
        assert cells
        assert not [c for c in cells if re.fullmatch(r"-?(nan|inf|NaN|None|NaT)", c)]


def test_certified_frontier_chart_and_title_from_its_points(tiny_run: Path) -> None:
    """A hand-made frontier: at 5 % the certified plan loses 30 M, cadence tuned to 5 % 60 M
    (meets), order-up-to 40 M (misses): 50 % less than cadence; the chart holds each point."""
    from dataclasses import replace

    points = tuple(
        {"level": level, "kind": kind, "policy": policy, "upper_bound": bound, "meets": meets,
         "lost_value": lost, "avoidable_prob": bound / 2}
        for level, kind, policy, bound, meets, lost in (
            (0.05, "certified plan", "plan", 0.04, True, 30e6),
            (0.05, "cadence:7 (buffer days)", "cadence:7:12.3456789", 0.045, True, 60e6),
            (0.05, "order-up-to (cover days)", "order-up-to:20.5d", 0.07, False, 40e6),
            (0.20, "certified plan", "plan", 0.15, True, 20e6)))
    run = replace(load_run(tiny_run), certified_frontier=points)
    page = render_report(run)
    figure = embedded_figures(page)["certified"]
    title = str(figure["layout"]["title"]["text"]).replace("<br>", " ")
    assert title == ("At 5% risk the certified plan loses EUR 30.0 M to strikes, 50% less than "
                     "cadence:7:12.3 tuned to the same risk (EUR 60.0 M)")
    plan = next(t for t in figure["data"] if t["name"] == "certified plan")
    assert plan["x"] == pytest.approx([0.04, 0.15]) and plan["y"] == pytest.approx([30e6, 20e6])
    star = next(t for t in figure["data"] if t["name"].startswith("chosen"))
    assert star["x"] == pytest.approx([0.04]) and star["y"] == pytest.approx([30e6])
    limit = next(t for t in figure["data"] if t["name"].startswith("risk limit"))
    assert limit["x"] == pytest.approx([0.05, 0.05])
    assert "50% less than cadence:7:12.3" in page.split("id='summary'", 1)[1].split(
        "</section>", 1)[0]


def test_training_queue_of_the_patriot_batteries(air: Page) -> None:
    """Three Patriot batteries delivered on 10 and 20 Jan, 56 days of training, one crew
    starting a week: all three wait from 20 Jan (none enters service before 7 Mar), none is
    left waiting at the end of April."""
    queue = next(t for t in air.figures["hub"]["data"] if t["name"] == "Patriot battery waiting")
    waiting = np.asarray(queue["y"], dtype=float)
    assert waiting[:9] == pytest.approx(0.0)
    assert waiting[9] == pytest.approx(1.0)
    assert waiting[19:65] == pytest.approx(3.0)
    assert waiting[-1] == pytest.approx(0.0, abs=1e-9)
    assert "up to 3 platforms (Patriot battery) wait for trained crews" in air.line("What binds")


def test_patriot_days_of_supply_start_when_fielded(air: Page, air_defence_run: Path) -> None:
    """The first Patriot battery enters service on 7 Mar (delivered 10 Jan + 56 days of
    training): its panel says so, draws nothing before 6 Mar (the day its stock first meets a
    next day's need) and no spike above the axis."""
    figure = air.figures["dos"]
    median = next(t for t in figure["data"] if t["name"].startswith("Patriot interceptor (median"))
    y = np.asarray(median["y"], dtype=float)
    dates = pd.DatetimeIndex(median["x"])
    assert np.isnan(y[dates < pd.Timestamp("2023-03-06")]).all()
    assert not np.isnan(y[dates >= pd.Timestamp("2023-03-07")]).any()
    assert np.nanmax(y) <= 90.0
    titles = [a["text"] for a in figure["layout"]["annotations"]]
    assert "Patriot interceptor [days], fielded 7 Mar" in titles


def test_findings_agree_with_the_charts(air: Page, air_defence_run: Path) -> None:
    """The detailed findings (findings.txt, 'All findings') against the chart titles."""
    findings = (air_defence_run / "findings.txt").read_text().splitlines()
    short = [re.search(r"Under the optimal plan (.+?) is short ([\d,]+) (\w+)", f)
             for f in findings]
    said = [m for m in short if m is not None]
    assert len(said) == 2
    for m in said:
        assert f"{m.group(1)} runs short from" in air.title("stock")
        assert f"({m.group(2)} {m.group(3)})" in air.title("stock")
    strike = next(f for f in findings if f.startswith("Expected stock lost to depot strikes"))
    loss = re.search(r"strikes: (EUR [\d.,]+(?: \w+)?) ", strike)
    assert loss is not None and f"simulated {loss.group(1)}," in air.title("exposed")
