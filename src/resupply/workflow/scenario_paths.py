"""Paths into a scenario (``donors[usa].production.*``), and scenarios changed at them by copy
with update (models by ``model_copy(update=...)``, lists rebuilt: the scenario given is never
changed); a donor dropped or paused.

A path walks the scenario's fields: ``name`` a field, ``[ID]`` the element of a list with that
``id`` (or ``item``, ``family``, ``platform`` when it has no id), ``[N]`` the N-th element,
``*`` every element. `walk` turns it into concrete paths (tuples of field names and list
positions, `PathKey`), `leaves` into the numbers or dates at or below them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from pydantic import BaseModel

from resupply.domain.schema import Donor, Release, Scenario
from resupply.domain.source import PathKey

SELECT_KEYS = ("id", "item", "family", "platform")
"""The fields a ``[NAME]`` selector matches, first present wins."""


def parse_path(text: str) -> list[str | int | None] | str:
    """``donors[usa].production.*`` -> ``["donors", "[usa]", "production", None]``: field
    names, ``[SEL]`` selectors and None for ``*``; a text when malformed (the reason)."""
    steps: list[str | int | None] = []
    for part in re.split(r"\.(?![^\[]*\])", text):  # ids may hold dots: not inside [...]
        name, _, rest = part.partition("[")
        if not part or (rest and not rest.endswith("]")) or "]" in name:
            return f"`{part}` is not a field, `field[ID]` or `*`"
        if name == "*":
            steps.append(None)
        elif name:
            steps.append(name)
        if rest:
            selector = rest[:-1]
            steps.append(int(selector) if selector.isdigit() else f"[{selector}]")
    return steps or "the path is empty"


def value_at(root: Any, path: PathKey) -> Any:
    """The value at a concrete path of a model."""
    node = root
    for step in path:
        node = node[step] if isinstance(step, int) else getattr(node, step)
    return node


def walk(node: Any, steps: Sequence[str | int | None], here: PathKey,
          found: list[PathKey]) -> str | None:
    """Append every concrete path ``steps`` reach from ``node``; the first problem, or None."""
    if not steps:
        found.append(here)
        return None
    step, rest = steps[0], steps[1:]
    if isinstance(node, list):
        picked = _pick(node, step)
        if isinstance(picked, str):
            return f"at {_show(here)}: {picked}"
        for n in picked:
            problem = walk(node[n], rest, (*here, n), found)
            if problem:
                return problem
        return None
    if isinstance(node, BaseModel) and isinstance(step, str) and not step.startswith("["):
        fields = type(node).model_fields
        if step not in fields:
            return (f"unknown field `{step}` at {_show(here)}; valid fields: "
                    f"{', '.join(sorted(fields))}")
        return walk(getattr(node, step), rest, (*here, step), found)
    return f"`{_step_text(step)}` at {_show(here)}: only a list takes [ID] or *"


def _pick(items: list[Any], step: str | int | None) -> list[int] | str:
    if step is None:
        return list(range(len(items)))
    if isinstance(step, int):
        if step >= len(items):
            return f"[{step}] is past the end ({len(items)} elements)"
        return [step]
    if not step.startswith("["):
        return f"`{step}` is a field name, but this is a list: use [ID], [N] or *"
    name = step[1:-1]
    names = [_name_of(e) for e in items]
    if name not in names:
        known = ", ".join(n for n in names if n) or "(none)"
        return f"no element `{name}`; known: {known}"
    return [n for n, e in enumerate(names) if e == name]


def _name_of(element: Any) -> str | None:
    for key in SELECT_KEYS:
        value = getattr(element, key, None)
        if isinstance(value, str):
            return value
    return None


def leaves(base: Scenario, target: PathKey, kind: type, whole: bool = False,
           direct: bool = True) -> Iterator[PathKey]:
    """Every leaf of type ``kind`` (float or date) at or below ``target``; a whole number
    counts as a float when ``whole`` and the path names it directly."""
    node = value_at(base, target)
    named = (direct and whole and kind is float and isinstance(node, int)
             and not isinstance(node, bool))
    if _is_kind(node, kind) or named:
        yield target
    elif isinstance(node, list):
        for n in range(len(node)):
            yield from leaves(base, (*target, n), kind, whole, direct=False)
    elif isinstance(node, BaseModel):
        for name in type(node).model_fields:
            yield from leaves(base, (*target, name), kind, whole, direct=False)


def _is_kind(value: Any, kind: type) -> bool:
    if kind is float:
        return isinstance(value, float)
    return isinstance(value, dt.date) and not isinstance(value, dt.datetime)


def _show(path: PathKey) -> str:
    return ".".join(str(p) for p in path) or "the scenario"


def _step_text(step: str | int | None) -> str:
    return "*" if step is None else str(step)


def replaced(node: Any, path: PathKey, change: Callable[[Any], Any]) -> Any:
    """A copy of ``node`` with the value at ``path`` replaced by ``change(value)``; models are
    copied with ``model_copy(update=...)`` and lists rebuilt, so ``node`` is left as it is."""
    if not path:
        return change(node)
    step, rest = path[0], path[1:]
    if isinstance(node, list) and isinstance(step, int):
        return [replaced(v, rest, change) if n == step else v for n, v in enumerate(node)]
    assert isinstance(node, BaseModel) and isinstance(step, str)
    return node.model_copy(update={step: replaced(getattr(node, step), rest, change)})


def drop_donor(scenario: Scenario, donor: str) -> Scenario:
    """The scenario without ``donor``: its pledges and the platform deliveries it brings go
    with it."""
    return scenario.model_copy(update={
        "donors": [d for d in scenario.donors if d.id != donor],
        "pledges": [p for p in scenario.pledges if p.donor != donor],
        "deliveries": [d for d in scenario.deliveries if d.donor != donor]})


def pause_donor(scenario: Scenario, donor: str, days: int) -> Scenario:
    """The scenario where ``donor`` dispatches nothing for its first ``days`` days (at most to
    the horizon's last day): each of its release dates moves to the pause's end if earlier,
    and every family it holds or produces without a release rule gets one then, so the
    planner and the simulator (whose policies follow release dates, not tranche calendars)
    both hold it back. Its pledges due in the pause fall due on its first tranche day after
    it; a pledge that then falls after the horizon is dropped. Production goes on and waits
    in its stock."""
    end = min(scenario.start + dt.timedelta(days=days), scenario.end)
    who = next(d for d in scenario.donors if d.id == donor)
    family_of = {i.id: i.family for i in scenario.items}
    ruled = {r.family for r in who.releases if r.family is not None}
    held = ({family_of[line.item] for line in who.stock}
            | {family_of[ramp.item] for ramp in who.production})
    releases = [r.model_copy(update={"date": max(r.date, end)}) for r in who.releases]
    releases += [Release(family=f, date=end) for f in sorted(held - ruled)]
    due = _first_tranche_on_or_after(scenario, who, end)
    pledges = [p if p.donor != donor or p.date >= end else p.model_copy(update={"date": due})
               for p in scenario.pledges if p.donor != donor or p.date >= end
               or due <= scenario.end]
    donors = [who.model_copy(update={"releases": releases}) if d.id == donor else d
              for d in scenario.donors]
    return scenario.model_copy(update={"donors": donors, "pledges": pledges})


def _first_tranche_on_or_after(scenario: Scenario, donor: Donor, day: dt.date) -> dt.date:
    """The donor's first tranche day on or after ``day`` (its calendar: from
    ``tranche_offset_days``, every ``tranche_every_days``)."""
    t = max((day - scenario.start).days, donor.tranche_offset_days)
    every = donor.tranche_every_days
    t += (-(t - donor.tranche_offset_days)) % every
    return scenario.start + dt.timedelta(days=t)
