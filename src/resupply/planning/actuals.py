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

Stock not listed is zero; so are dispatches and moves not listed.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from resupply.compile.problem import F64, Problem
from resupply.errors import PlanningError
from resupply.planning.options import Actuals

AXES = {"depot_stock": ("item", "depot"), "dispatched": ("donor", "item", "day"),
        "moves": ("item", "depot", "day"), "announced": ("donor", "item", "day")}
"""List in the file -> the keys that locate each entry, in array axis order."""


def load_actuals(path: Path, problem: Problem, from_day: int) -> Actuals:
    """Read ``path``; raise `PlanningError` naming the file, entry and what would be valid."""
    try:
        data = yaml.safe_load(path.read_text("utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise PlanningError(f"{path}: cannot read the actuals file: {exc}") from None
    if not isinstance(data, dict) or set(data) - set(AXES):
        raise PlanningError(f"{path}: expected a mapping with keys {', '.join(AXES)}")
    arrays = {key: _table(path, key, data.get(key) or [], problem) for key in AXES}
    return Actuals(from_day=from_day, depot_stock=arrays["depot_stock"],
                   dispatched=arrays["dispatched"], moves=arrays["moves"],
                   announced=arrays["announced"] if data.get("announced") else None)


def _table(path: Path, key: str, entries: list[Any], p: Problem) -> F64:
    labels = {"donor": p.donors, "item": p.items, "depot": p.depots}
    shape = tuple(p.n_days if axis == "day" else len(labels[axis]) for axis in AXES[key])
    out = np.zeros(shape)
    for n, entry in enumerate(entries):
        where = f"{path}: {key}[{n}]"
        if not isinstance(entry, dict):
            raise PlanningError(f"{where}: expected a mapping")
        position = tuple(_position(where, axis, entry, labels, p) for axis in AXES[key])
        quantity = entry.get("quantity")
        if not isinstance(quantity, int | float) or quantity < 0:
            raise PlanningError(f"{where}: quantity must be a number >= 0")
        out[position] += float(quantity)
    return out


def _position(where: str, axis: str, entry: dict[str, Any], labels: dict[str, tuple[str, ...]],
              p: Problem) -> int:
    if axis == "day":
        day = entry.get("day")
        if isinstance(entry.get("date"), dt.date):
            day = (entry["date"] - p.start).days
        if not isinstance(day, int) or not 0 <= day < p.n_days:
            raise PlanningError(f"{where}: give a day in 0..{p.n_days - 1} or a date in the "
                                "horizon")
        return day
    value = entry.get(axis)
    if value not in labels[axis]:
        raise PlanningError(f"{where}: {axis} {value!r} is not one of {', '.join(labels[axis])}")
    return labels[axis].index(str(value))
