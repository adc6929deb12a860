"""Reading the actuals file of a rolling re-plan (YAML or JSON) into an `Actuals`.

Format (every list optional; days count from the scenario start, or give ``date`` instead)::

    # stock on hand at each depot at the start of the re-planned day [units]
    depot_stock:
      - {depot: near, item: of540, quantity: 800}
    # tranches dispatched before the re-planned day [units]
    dispatched:
      - {day: 2, donor: west, item: m795, quantity: 500}
    # hub-to-depot moves made before the re-planned day (those still in transit matter) [units]
    moves:
      - {day: 5, item: m795, depot: near, quantity: 200}
    # tranches announced for the coming days, kept by --freeze-days [units]
    announced:
      - {date: 2022-06-16, donor: west, item: m795, quantity: 300}

Stock not listed is zero; so are dispatches and moves not listed. On a network (several hubs)
the lists stay by donor and by depot: a move is what left any hub for the depot that day
(which hub, and so when it arrives, is the planner's reading, as is the split of a dispatch
over the donor's supply routes), and moves between depots are not listed (see
`resupply.planning.model.fix_actuals`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np

from resupply.compile.problem import F64, Problem
from resupply.domain.source import Locations, read_source
from resupply.errors import Issue, PlanningError, ScenarioError
from resupply.planning.options import Actuals

MAX_QUANTITY = 1e12
"""Largest quantity an actuals entry may state [units] (as the ledger's `MAX_QUANTITY`)."""

AXES = {"depot_stock": ("item", "depot"), "dispatched": ("donor", "item", "day"),
        "moves": ("item", "depot", "day"), "announced": ("donor", "item", "day")}
"""List in the file -> the keys that locate each entry, in array axis order."""


def load_actuals(path: Path, problem: Problem, from_day: int) -> Actuals:
    """Read ``path`` through the bounded, located loader of scenarios (`domain.source`);
    raise `PlanningError` listing every problem as ``FILE:LINE:COL: field: message``."""
    try:
        return _load(path, problem, from_day)
    except ScenarioError as exc:
        raise PlanningError(f"the actuals file is not usable:\n{exc}") from None


def _load(path: Path, problem: Problem, from_day: int) -> Actuals:
    data, where = read_source(path)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ScenarioError([where.issue((), f"expected a mapping with keys {', '.join(AXES)}")])
    issues = list(where.issues)
    issues.extend(where.issue((key,), f"unknown list `{key}`; valid: {', '.join(AXES)}",
                              key=True) for key in data if key not in AXES)
    arrays = {key: _table(where, key, data.get(key) or [], problem, issues) for key in AXES}
    unreadable = {i.path for i in where.issues}
    issues = [*where.issues, *(i for i in issues[len(where.issues):] if i.path not in unreadable)]
    if issues:
        raise ScenarioError(issues)
    return Actuals(from_day=from_day, depot_stock=arrays["depot_stock"],
                   dispatched=arrays["dispatched"], moves=arrays["moves"],
                   announced=arrays["announced"] if data.get("announced") else None)


def _table(where: Locations, key: str, entries: Any, p: Problem, issues: list[Issue]) -> F64:
    labels = {"donor": p.donors, "item": p.items, "depot": p.depots}
    shape = tuple(p.n_days if axis == "day" else len(labels[axis]) for axis in AXES[key])
    out = np.zeros(shape)
    if not isinstance(entries, list):
        issues.append(where.issue((key,), "expected a list of entries"))
        return out
    for n, entry in enumerate(entries):
        if not isinstance(entry, dict):
            issues.append(where.issue((key, n), "expected a mapping"))
            continue
        found = [_position(axis, entry, labels, p) for axis in AXES[key]]
        quantity = entry.get("quantity")
        if isinstance(quantity, bool) or not isinstance(quantity, int | float) or not \
                0 <= quantity <= MAX_QUANTITY:
            found.append(f"quantity: must be a number in 0..{MAX_QUANTITY:g}, got {quantity!r}")
            quantity = 0.0
        problems = [f.split(": ", 1) for f in found if isinstance(f, str)]
        issues.extend(where.issue((key, n, field), message) for field, message in problems)
        if not problems:
            out[tuple(int(f) for f in found)] += float(quantity)
    return out


def _position(axis: str, entry: dict[str, Any], labels: dict[str, tuple[str, ...]],
              p: Problem) -> int | str:
    """The index of `entry` on `axis`, or ``"field: what is wrong"``."""
    if axis == "day":
        day = entry.get("day")
        if isinstance(entry.get("date"), dt.date):
            day = (entry["date"] - p.start).days
        if isinstance(day, bool) or not isinstance(day, int) or not 0 <= day < p.n_days:
            field = "date" if "date" in entry else "day"
            return (f"{field}: give a day in 0..{p.n_days - 1} or a date in "
                    f"{p.start}..{p.start + dt.timedelta(p.n_days - 1)}, got "
                    f"{entry.get(field)!r}")
        return day
    value = entry.get(axis)
    if value not in labels[axis]:
        return f"{axis}: {value!r} is not one of {', '.join(labels[axis])}"
    return labels[axis].index(str(value))
