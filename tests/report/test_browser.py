"""report.html opened from disk in headless Chromium: draws every chart, no console error, and
no request leaves the machine. Skipped (with what to install) where Chromium is absent."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
LOCAL = ("file://", "data:", "blob:", "about:")

Cli = Callable[..., tuple[int, str, str]]


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


def test_report_opens_offline_without_errors(browser, tiny_run: Path, cli: Cli,  # type: ignore[no-untyped-def]
                                             tmp_path: Path) -> None:
    code, _, err = cli("report", str(tiny_run))
    assert code == 0, err
    page = browser.new_page()
    errors: list[str] = []
    outside: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))

    def guard(route) -> None:  # type: ignore[no-untyped-def]
        if route.request.url.startswith(LOCAL):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", guard)
    page.goto((tiny_run / "report.html").as_uri(), wait_until="load")
    page.wait_for_selector("#chart-frontier .main-svg", timeout=30_000)
    drawn = page.locator(".chart .main-svg").count()
    shot = tmp_path / "report.png"
    page.screenshot(path=str(shot), full_page=True)
    page.close()
    assert errors == []
    assert outside == []
    assert drawn >= 6
    assert shot.stat().st_size > 50_000
