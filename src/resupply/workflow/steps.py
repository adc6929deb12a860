"""Step hooks: how a face shows the progress of a workflow (the workflow itself prints
nothing)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext

StepHook = Callable[[str], AbstractContextManager[object]]
"""label -> a context around one step of a workflow (a face prints and times it)."""


def no_step(label: str) -> AbstractContextManager[object]:
    """A `StepHook` that shows nothing."""
    return nullcontext()
