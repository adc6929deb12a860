"""The visual check of a report page in headless Chromium, shared by the browser tests and
usable by hand (``python tests/report/visual_check.py RUN_DIR [OUT_DIR]``): a screenshot of
every section at each width, and what a reader would see as broken, read from the DOM:

- the page scrolls sideways (``documentElement.scrollWidth > clientWidth``);
- a text element is cut off (``scrollWidth > clientWidth`` on a heading, paragraph, list item,
  summary or table cell outside a scroll box);
- ``NaN``, ``inf`` or ``undefined`` in the visible text;
- a chart drawn without data (a Plotly trace with no points; a Sankey with no links).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
LOCAL = ("file://", "data:", "blob:", "about:")
WIDTHS = (1400, 800)
"""Viewport widths checked. [px]"""
BAD_TEXT = re.compile(r"\b(NaN|-?inf|Infinity|undefined)\b")

OVERFLOWING = """
() => Array.from(document.querySelectorAll('h1, h2, h3, p, li, summary, td, th, a, b'))
  .filter(e => !e.closest('.scroll') && e.scrollWidth > e.clientWidth + 1
               && getComputedStyle(e).display !== 'inline')
  .map(e => e.tagName + ': ' + e.textContent.slice(0, 80))
"""
EMPTY_TRACES = """
() => Array.from(document.querySelectorAll('.chart')).flatMap(div => {
  const data = div.data || [];
  if (data.length === 0) return [div.id + ': no traces'];
  const size = v => !v ? 0 : (v.length !== undefined ? v.length
                                : (v.bdata ? atob(v.bdata).length : 0));
  const points = t => t.type === 'sankey' ? size(t.link && t.link.value)
                                           : Math.max(size(t.x), size(t.y));
  const empty = data.filter(t => points(t) === 0).map(t => div.id + ': ' + t.name);
  return data.some(t => points(t) > 0) ? empty : [div.id + ': every trace empty'];
})
"""


@dataclass
class Check:
    """What the visual check found at one width."""

    width: int
    horizontal_scroll: bool = False
    overflowing: list[str] = field(default_factory=list)
    bad_text: list[str] = field(default_factory=list)
    empty_charts: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)
    screenshots: list[Path] = field(default_factory=list)
    charts: int = 0
    text: str = ""
    figures: dict[str, Any] = field(default_factory=dict)


def check_page(browser: Any, page_path: Path, width: int, shots: Path | None) -> Check:
    """Open ``page_path`` at ``width`` px offline, wait for every chart, look for what is
    broken and screenshot each section (and the top screen) into ``shots``."""
    found = Check(width)
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.on("console", lambda m: found.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: found.errors.append(str(e)))

    def guard(route: Any) -> None:
        if route.request.url.startswith(LOCAL):
            route.continue_()
        else:
            found.outside.append(route.request.url)
            route.abort()

    page.route("**/*", guard)
    page.goto(page_path.as_uri(), wait_until="load")
    expected = page.locator(".chart").count()
    page.wait_for_function(f"document.querySelectorAll('.chart .main-svg').length >= {expected}",
                           timeout=60_000)
    found.charts = expected
    found.horizontal_scroll = bool(page.evaluate(
        "document.documentElement.scrollWidth > document.documentElement.clientWidth"))
    found.overflowing = page.evaluate(OVERFLOWING)
    found.text = page.inner_text("body")
    found.bad_text = sorted(set(BAD_TEXT.findall(found.text)))
    found.empty_charts = page.evaluate(EMPTY_TRACES)
    found.figures = page.evaluate(
        "() => Object.fromEntries(Array.from(document.querySelectorAll('.chart'))"
        ".map(d => [d.id.slice(6), {layout: {title: d.layout.title}, "
        "data: d.data.map(t => ({name: t.name, type: t.type, x: t.x, y: t.y, meta: t.meta, "
        "link: t.link}))}]))")
    if shots is not None:
        shots.mkdir(parents=True, exist_ok=True)
        top = shots / f"{width}-0-top.png"
        page.screenshot(path=str(top))
        found.screenshots.append(top)
        sections = page.locator("section")
        for n in range(sections.count()):
            section = sections.nth(n)
            key = section.get_attribute("id") or str(n)
            path = shots / f"{width}-{n + 1}-{key}.png"
            section.screenshot(path=str(path))
            found.screenshots.append(path)
    page.close()
    return found


def problems(found: Check) -> list[str]:
    """Everything broken, one line each (empty when the page passes)."""
    out = [f"{found.width}px: console error: {e}" for e in found.errors]
    out += [f"{found.width}px: request left the machine: {u}" for u in found.outside]
    if found.horizontal_scroll:
        out.append(f"{found.width}px: the page scrolls sideways")
    out += [f"{found.width}px: text cut off: {t}" for t in found.overflowing]
    out += [f"{found.width}px: shows {t}" for t in found.bad_text]
    out += [f"{found.width}px: chart without data: {c}" for c in found.empty_charts]
    return out


def main(run_dir: str, out: str = "test-artifacts/screenshots/manual") -> int:
    """Check ``run_dir/report.html`` at every width; print what is broken."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as play:
        browser = play.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        broken = []
        for width in WIDTHS:
            found = check_page(browser, Path(run_dir) / "report.html", width, Path(out))
            broken += problems(found)
            print(f"{width}px: {found.charts} charts, {len(found.screenshots)} screenshots")
        browser.close()
    print("\n".join(broken) or "no problem found")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
