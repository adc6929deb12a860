"""report.html opened from disk in headless Chromium at 1,400 and 800 px (and a plan over a
network, whose Sankey must draw): the visual check of `visual.py` (no request leaves the
machine, no console error, no sideways scroll, no text cut off, no NaN or inf shown, every
chart drawn with data), and a screenshot of every section kept under
test-artifacts/screenshots/ (a CI artifact). Skipped (with what to install) where Chromium is
absent."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from visual_check import ARGS, CHROMIUM, WIDTHS, check_page, problems

from resupply.report.html import embedded_figures

Cli = Callable[..., tuple[int, str, str]]
SHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    if not Path(CHROMIUM).exists():
        pytest.skip("Chromium is not installed: `apt-get install chromium` (Debian) to run the "
                    "browser tests")
    sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    with sync_api.sync_playwright() as play:
        browser = play.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture(params=["tiny", "air-defence",
                        pytest.param("ukraine-2022", marks=pytest.mark.slow)])
def run_dir(request: pytest.FixtureRequest) -> tuple[str, Path]:
    """The report of `tiny`, of the air-defence example and of the demo (`make demo`)."""
    fixture = {"tiny": "tiny_run", "air-defence": "air_defence_run",
               "ukraine-2022": "demo_run"}[request.param]
    return request.param, request.getfixturevalue(fixture)


@pytest.mark.parametrize("width", WIDTHS)
def test_report_passes_the_visual_check(browser,  # type: ignore[no-untyped-def]
                                        run_dir: tuple[str, Path], cli: Cli,
                                        width: int) -> None:
    which, run = run_dir
    code, _, err = cli("report", str(run))
    assert code == 0, err
    found = check_page(browser, run / "report.html", width, SHOTS / which)
    assert problems(found) == []
    assert found.charts >= 6
    sections = {p.stem.split("-", 2)[2] for p in found.screenshots}
    assert {"top", "summary", "stock", "dos", "exposed", "hub", "donors", "frontier"} <= sections
    assert all(p.stat().st_size > 5_000 for p in found.screenshots)


def test_interceptors_are_shown_in_missiles(browser, air_defence_run: Path,  # type: ignore[no-untyped-def]
                                            cli: Cli) -> None:
    """The air-defence flows are in missiles by default; the tons button switches them."""
    code, _, err = cli("report", str(air_defence_run))
    assert code == 0, err
    found = check_page(browser, air_defence_run / "report.html", 1400, None)
    assert "Patriot interceptor [missiles/day]" in found.text
    assert "in missiles" in found.text and "in tons" in found.text
    stock = found.figures["stock"]["data"]
    scales = {(t.get("meta") or {}).get("scale") for t in stock}
    assert scales == {"units", "tons"}
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto((air_defence_run / "report.html").as_uri(), wait_until="load")
    page.wait_for_selector("#chart-stock .main-svg", timeout=60_000)
    shown = ("() => document.getElementById('chart-stock').data"
             ".filter(t => t.visible !== false).map(t => t.meta.scale)")
    assert set(page.evaluate(shown)) == {"units"}
    page.locator("#chart-stock .updatemenu-button", has_text="in tons").click()
    assert set(page.evaluate(shown)) == {"tons"}
    page.close()


def test_a_network_plan_passes_the_visual_check(  # type: ignore[no-untyped-def]
        browser, cli: Cli, tiny_network_file: Path, tmp_path: Path) -> None:
    """A plan over a network (plan only, no simulation): the Sankey draws one path per route
    that carries anything, the hub panels draw, and nothing is broken at either width."""
    run = tmp_path / "plan"
    code, out, _ = cli("plan", str(tiny_network_file), "--out", str(run))
    assert code == 0, out
    code, _, err = cli("report", str(run))
    assert code == 0, err
    for width in WIDTHS:
        found = check_page(browser, run / "report.html", width, SHOTS / "tiny-network")
        assert problems(found) == []
        sections = {p.stem.split("-", 2)[2] for p in found.screenshots}
        assert {"top", "summary", "network", "hubload"} <= sections
        assert [t["type"] for t in found.figures["network"]["data"]] == ["sankey"]
    (sankey,) = embedded_figures((run / "report.html").read_text())["network"]["data"]
    links = len(sankey["link"]["value"])
    assert links >= 6
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto((run / "report.html").as_uri(), wait_until="load")
    page.wait_for_selector("#chart-network .sankey-link", timeout=60_000)
    assert page.locator("#chart-network .sankey-link").count() == links
    assert page.locator("#chart-network .sankey-node").count() >= 6
    page.close()
