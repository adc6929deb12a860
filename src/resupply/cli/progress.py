"""How the CLI shows long work on stderr: a Rich progress bar per simulation and a timed line
per workflow step (the hooks `resupply.workflow` takes; the workflow itself prints nothing)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
)

from resupply.cli.app import err
from resupply.simulation.run import Progress as ProgressCallback

PROGRESS_MIN_RUNS = 2000
"""Show a progress bar from this many runs on (when stderr is a terminal)."""


@contextmanager
def progress_bar(runs: int, label: str) -> Iterator[ProgressCallback | None]:
    """A Rich bar with runs/s and time left on stderr, for long runs on a terminal."""
    if runs < PROGRESS_MIN_RUNS or not err.is_terminal:
        yield None
        return
    columns = (TextColumn(label), BarColumn(), MofNCompleteColumn(),
               TextColumn("{task.fields[rate]}"),
               TimeRemainingColumn())
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task(label, total=runs, rate="")

        def update(done: int, total: int) -> None:
            speed = bar.tasks[0].speed or 0.0
            bar.update(task, completed=done, rate=f"{speed:,.0f} runs/s")

        yield update


def progress_hook(label: str, runs: int) -> AbstractContextManager[ProgressCallback | None]:
    """`resupply.workflow.simulations.ProgressHook` showing `progress_bar`."""
    return progress_bar(runs, label)


@contextmanager
def step(label: str) -> Iterator[None]:
    """Print a step, run it, and say how long it took."""
    started = time.perf_counter()
    with err.status(label):
        yield
    err.print(f"[done] {label} ({time.perf_counter() - started:.1f} s)", markup=False,
              highlight=False)
