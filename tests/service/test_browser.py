"""The donor/coordinator flow in a real browser (Playwright driving Debian's chromium) on a
real server (uvicorn on loopback, jobs in worker processes). Screenshots are kept in
``$RESUPPLY_SCREENSHOTS``, else ``test-artifacts/screenshots`` of the repository under CI
(``$CI``, set by .ci/run) for its artifacts, else the test's tmp dir; no console error; no
request leaves the machine."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import PASSWORD, make_settings

CHROMIUM = Path("/usr/bin/chromium")
REPO = Path(__file__).resolve().parents[2]
BAD_SCENARIO = b"name: broken\nstart: 2022-06-01\nhorizon_days: -3\n"


@pytest.fixture
def server(tmp_path: Path, seeded: tuple[Path, dict[str, str]]) -> Iterator[str]:
    """uvicorn serving a copy of the seeded workspace, with the job scheduler running."""
    import uvicorn

    from resupply.service import create_app

    shutil.copyfile(seeded[0], tmp_path / "ws.db")
    settings = make_settings(tmp_path)
    app = create_app(settings.__class__(**{**settings.__dict__, "run_jobs": True,
                                           "poll_s": 0.2}))
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    uv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    while not uv.started:
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    uv.should_exit = True
    thread.join(timeout=15)


@pytest.fixture
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("chromium not found at /usr/bin/chromium: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                      args=["--no-sandbox"])
        yield chromium
        chromium.close()


class Watch:
    """Console errors and requests that would leave the machine, of one page."""

    def __init__(self, page: Any, shots: Path) -> None:
        self.errors: list[str] = []
        self.outside: list[str] = []
        self.page, self.shots = page, shots
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.route("**/*", self._route)

    def _route(self, route: Any) -> None:
        url = route.request.url
        if url.startswith("http://127.0.0.1:") or url.startswith("data:"):
            route.continue_()
        else:
            self.outside.append(url)
            route.abort()

    def shot(self, name: str) -> None:
        self.page.screenshot(path=str(self.shots / f"{name}.png"), full_page=True)


def login(page: Any, base: str, user: str) -> None:
    page.goto(f"{base}/login")
    page.fill("#username", user)
    page.fill("#password", PASSWORD)
    page.click("#login")
    page.wait_for_url(f"{base}/")


def record_pledge(page: Any, base: str, fields: dict[str, str]) -> None:
    """Fill and send the ledger page's pledge form."""
    page.goto(f"{base}/ledger")
    for name, value in fields.items():
        page.fill(f"#{name}", value)
    page.click("#pledge")
    page.wait_for_url(f"{base}/ledger")


def donor_pledges(page: Any, base: str, watch: Watch) -> None:
    """west pledges (something for east not to see); east pledges and sees only its own."""
    login(page, base, "west")
    record_pledge(page, base, {"item": "of540", "quantity": "700", "date": "2022-06-01"})
    page.click("#logout")
    login(page, base, "east")
    record_pledge(page, base, {"item": "of540", "quantity": "250", "date": "2022-06-02",
                               "due": "2022-06-20"})
    rows = page.locator("tr.pledge").all_inner_texts()
    watch.shot("1-donor-ledger")
    assert len(rows) == 1 and "east" in rows[0] and "250" in rows[0]
    assert "west" not in page.content()
    page.click("#logout")


def coordinator_uploads_plans_publishes(page: Any, base: str, watch: Watch) -> None:
    """A broken upload shows its located errors; a plan's progress updates in place; the
    plan is published with every donor's tranches."""
    login(page, base, "coordinator")
    page.goto(f"{base}/scenarios")
    page.set_input_files("#file", files=[{"name": "broken.yaml", "mimeType": "text/yaml",
                                          "buffer": BAD_SCENARIO}])
    page.click("#upload")
    issues = page.locator("#issues").inner_text()
    watch.shot("2-upload-errors")
    assert "line 3, column 15: horizon_days: must be greater than or equal to 1" in issues
    assert "^ horizon_days" in page.locator("#source").inner_text()
    page.goto(f"{base}/jobs")
    page.click("#plan")
    page.wait_for_url(f"{base}/jobs/*")
    url = page.url
    page.wait_for_function("document.getElementById('state').textContent === 'succeeded'",
                           timeout=90_000)
    assert page.url == url  # updated in place, no reload
    watch.shot("3-job-done")
    page.fill("#publish-form input[name=note]", "week 1")
    page.click("#publish")
    page.wait_for_url(f"{base}/plan")
    rows = page.locator("tr.tranche").all_inner_texts()
    assert any("\teast\t" in r for r in rows) and any("\twest\t" in r for r in rows)
    page.click("#logout")


def test_donor_and_coordinator_flow(server: str, browser: Any, tmp_path: Path) -> None:
    default = REPO / "test-artifacts" / "screenshots" if os.environ.get("CI") else \
        tmp_path / "screenshots"
    shots = Path(os.environ.get("RESUPPLY_SCREENSHOTS", default))
    shots.mkdir(parents=True, exist_ok=True)
    context = browser.new_context()
    page = context.new_page()
    watch = Watch(page, shots)
    donor_pledges(page, server, watch)
    coordinator_uploads_plans_publishes(page, server, watch)
    login(page, server, "east")
    page.goto(f"{server}/plan")
    page.wait_for_selector("#timeline .main-svg")
    mine = page.locator("tr.tranche").all_inner_texts()
    watch.shot("4-donor-plan")
    assert mine and all("\teast\t" in r for r in mine)
    context.close()
    assert watch.errors == [] and watch.outside == []
