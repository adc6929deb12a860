"""The sweep file: which scenario fields vary, how, and how the variants are drawn.

A sweep file (YAML or JSON, read by the scenario's safe reader, `resupply.domain.source`)::

    seed: 7                 # sampling and simulation seed
    runs: 100               # Monte Carlo runs per variant
    policy: plan            # policy simulated on each variant (default: its optimal plan)
    scope: ammunition       # families the headline risk counts
    design: grid            # grid (every combination) | random | lhs (Latin hypercube)
    samples: 40             # variants drawn by random and lhs
    factors:
      - path: donors[usa].production.*.rates.*.per_day
        scale: [0.5, 2]     # multiply by a factor in [0.5, 2]
        levels: 3           # grid points of a range (default 3)
      - {path: depots[fwd-donbas].strike_prob_per_day, set: [0.01, 0.04]}
      - {path: intensity.*.date, shift_days: [-30, 0]}
      - {path: weights.strike_loss, values: [0.5, 1, 2]}
      - {path: donors[poland], remove: true}
      - {path: donors[germany], pause_days: [0, 90]}
    donors: {drop: true, pause_days: 90}   # one variant per donor: dropped, paused

A path walks the scenario's fields: ``name`` a field, ``[ID]`` the element of a list with that
``id`` (or ``item``, ``family``, ``platform`` when it has no id), ``[N]`` the N-th element,
``*`` every element. A path that ends above the numbers (``donors[usa].production``) stands for
every real number below it (``set``/``scale``) or every date below it (``shift_days``).

Every problem is reported at once, as ``FILE:LINE:COL: field: message`` (`ScenarioError`),
before any variant runs: an unknown path, a value of the wrong type, an empty range, a range
that takes a field outside what the schema accepts.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from resupply.compile import compile_problem
from resupply.domain.schema import Scenario
from resupply.domain.source import Locations, PathKey, read_source
from resupply.errors import Issue, ScenarioError, SimulationError
from resupply.simulation.policy_spec import SPECS, PolicySpec, parse_spec
from resupply.workflow.policies import risk_scope
from resupply.workflow.scenario_paths import (
    drop_donor,
    leaves,
    parse_path,
    pause_donor,
    replaced,
    value_at,
    walk,
)

MAX_VARIANTS = 100_000
"""Most variants one sweep may ask for (a grid multiplies its factors' levels)."""
DEFAULT_LEVELS = 3
"""Grid points of a range factor when the file gives no ``levels``."""


class Design(StrEnum):
    """How variants are drawn from the factors."""

    GRID = "grid"
    """Every combination of the factors' levels (full factorial)."""
    RANDOM = "random"
    """``samples`` independent uniform draws."""
    LHS = "lhs"
    """``samples`` Latin-hypercube draws: each factor's range cut in ``samples`` strata, one
    draw in each."""


class Op(StrEnum):
    """What a factor does to the fields its path names."""

    SCALE = "scale"
    """Multiply real numbers by a factor in [low, high]. [1]"""
    SET = "set"
    """Set numbers to a value in [low, high] (whole numbers rounded). [unit of the field]"""
    VALUES = "values"
    """Set numbers to one of the values listed."""
    SHIFT = "shift_days"
    """Move dates by a whole number of days in [low, high]. [days]"""
    REMOVE = "remove"
    """Drop a donor (0: kept, 1: dropped), with its pledges and the deliveries it brings."""
    PAUSE = "pause_days"
    """A donor dispatches nothing for its first N days (`pause_donor`). [days]"""


OPS_ON_DONORS = (Op.REMOVE, Op.PAUSE)
WHOLE = (Op.SHIFT, Op.REMOVE, Op.PAUSE)
"""Operations whose values are whole numbers."""


@dataclass(frozen=True)
class Factor:
    """One varied input: a path, what is done there, and its range or values."""

    name: str
    """Column of the result table (default: the path and operation)."""
    path: str
    op: Op
    targets: tuple[PathKey, ...]
    """Concrete scenario paths the factor changes (resolved on the base scenario)."""
    choices: tuple[float, ...]
    """Grid levels: the values, or ``levels`` points spread evenly over the range."""
    low: float
    high: float

    @property
    def neutral(self) -> float | None:
        """The value that leaves the scenario as it is (None: `set`/`values` have none)."""
        return {Op.SCALE: 1.0, Op.SHIFT: 0.0, Op.REMOVE: 0.0, Op.PAUSE: 0.0}.get(self.op)

    def value_at(self, u: float) -> float:
        """The value at quantile ``u`` in [0, 1) of the factor's range or list."""
        if self.op in (Op.VALUES, Op.REMOVE):
            return self.choices[min(int(u * len(self.choices)), len(self.choices) - 1)]
        if self.op in WHOLE:
            span = int(self.high) - int(self.low) + 1
            return float(int(self.low) + min(int(u * span), span - 1))
        return self.low + u * (self.high - self.low)


@dataclass(frozen=True)
class DonorStudy:
    """Which donor matters most: one variant per donor dropped and one per donor paused."""

    donors: tuple[str, ...]
    """Ids of the donors studied (every donor of the scenario)."""
    drop: bool = True
    pause_days: int = 0
    """Days each donor pauses (0: no pause variants). [days]"""


@dataclass(frozen=True)
class SweepSpec:
    """A sweep file, checked against the base scenario."""

    file: str
    seed: int
    runs: int
    policy: PolicySpec | None
    """Policy simulated on each variant; None: its optimal plan (``plan``)."""
    scope: str
    scope_families: tuple[str, ...]
    """The families ``scope`` names in the base scenario: every variant's risk counts these
    (so that dropping the donor of a family's only guns does not drop it from the risk)."""
    design: Design
    samples: int
    factors: tuple[Factor, ...]
    donors: DonorStudy | None

    def fingerprint(self) -> str:
        """Digest of everything that decides the variants and their results but the scenario
        (a resumed sweep must have the same one). [hex]"""
        data = {"seed": self.seed, "runs": self.runs, "scope": self.scope,
                "scope_families": self.scope_families,
                "policy": None if self.policy is None else str(self.policy),
                "design": str(self.design), "samples": self.samples,
                "factors": [[f.name, f.path, str(f.op), f.choices, f.low, f.high]
                            for f in self.factors],
                "donors": None if self.donors is None else [self.donors.drop,
                                                            self.donors.pause_days]}
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


# --- reading the file ---------------------------------------------------------------------

TOP_KEYS = ("seed", "runs", "policy", "scope", "design", "samples", "factors", "donors")
FACTOR_KEYS = ("path", "name", "levels", *(str(op) for op in Op))


class _Reader:
    """Collects located issues while the sweep file is turned into typed values."""

    def __init__(self, where: Locations) -> None:
        self.where = where
        self.issues: list[Issue] = []

    def fail(self, path: PathKey, message: str, *, key: bool = False) -> None:
        self.issues.append(self.where.issue(path, message, key=key))

    def keys(self, data: dict[str, Any], path: PathKey, valid: Sequence[str]) -> None:
        for name in data:
            if name not in valid:
                self.fail((*path, name), f"unknown field `{name}`; valid fields here: "
                          f"{', '.join(valid)}", key=True)

    def integer(self, data: dict[str, Any], key: str, default: int, low: int,
                path: PathKey = ()) -> int:
        value = data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            self.fail((*path, key), f"must be a whole number >= {low}; got {value!r}")
            return default
        return value

    def text(self, data: dict[str, Any], key: str, default: str, path: PathKey = ()) -> str:
        value = data.get(key, default)
        if not isinstance(value, str) or not value:
            self.fail((*path, key), f"must be a text; got {value!r}")
            return default
        return value


def load_sweep(path: Path, base: Scenario) -> SweepSpec:
    """Read and check a sweep file against ``base``; raise `ScenarioError` listing every
    located issue (nothing has run then)."""
    data, where = read_source(path)
    reader = _Reader(where)
    reader.issues.extend(where.issues)
    spec = _spec(reader, data, base, str(path))
    if reader.issues or spec is None:
        raise ScenarioError(list(dict.fromkeys(reader.issues)) or [
            where.issue((), "a sweep file is a mapping of fields")])
    return spec


def _spec(reader: _Reader, data: Any, base: Scenario, file: str) -> SweepSpec | None:
    if not isinstance(data, dict):
        reader.fail((), f"a sweep file is a mapping of fields ({', '.join(TOP_KEYS)})")
        return None
    reader.keys(data, (), TOP_KEYS)
    design = _design(reader, data)
    samples = reader.integer(data, "samples", 20, 1)
    if "samples" in data and design is Design.GRID:
        reader.fail(("samples",), "samples is for design random or lhs; a grid runs every "
                    "combination of levels")
    factors = _factors(reader, data, base)
    scope = reader.text(data, "scope", "ammunition")
    spec = SweepSpec(file=file, seed=reader.integer(data, "seed", 0, 0),
                     runs=reader.integer(data, "runs", 200, 1), policy=_policy(reader, data),
                     scope=scope, scope_families=_scope(reader, scope, base), design=design,
                     samples=samples, factors=factors, donors=_donors(reader, data, base))
    count = variant_count(spec)
    if count > MAX_VARIANTS:
        reader.fail(("factors",), f"{count:,} variants; at most {MAX_VARIANTS:,}: fewer "
                    "levels, or design lhs with samples")
    if not factors and spec.donors is None and "factors" not in data:
        reader.fail((), "give factors (fields to vary) or donors (which donor matters most)")
    return spec


def _scope(reader: _Reader, text: str, base: Scenario) -> tuple[str, ...]:
    problem = compile_problem(base)
    try:
        keep = risk_scope(problem, text)
    except SimulationError as exc:
        reader.fail(("scope",), str(exc).removeprefix("--scope: "))
        return ()
    return tuple(f for f, k in zip(problem.families, keep, strict=True) if k)


def _design(reader: _Reader, data: dict[str, Any]) -> Design:
    text = data.get("design", "grid")
    try:
        return Design(text)
    except ValueError:
        reader.fail(("design",), f"must be one of {', '.join(d.value for d in Design)}; "
                    f"got {text!r}")
        return Design.GRID


def _policy(reader: _Reader, data: dict[str, Any]) -> PolicySpec | None:
    text = data.get("policy")
    if text is None:
        return None
    try:
        return parse_spec(str(text))
    except Exception as exc:  # the spec parser's own message says what is valid
        reader.fail(("policy",), f"{exc}; policies: {SPECS}")
        return None


def _donors(reader: _Reader, data: dict[str, Any], base: Scenario) -> DonorStudy | None:
    value = data.get("donors")
    if value is None:
        return None
    if not isinstance(value, dict):
        reader.fail(("donors",), "must be a mapping: {drop: true, pause_days: 90}")
        return None
    reader.keys(value, ("donors",), ("drop", "pause_days"))
    drop = value.get("drop", True)
    if not isinstance(drop, bool):
        reader.fail(("donors", "drop"), f"must be true or false; got {drop!r}")
        drop = True
    pause = reader.integer(value, "pause_days", 0, 0, ("donors",))
    if not base.donors:
        reader.fail(("donors",), "the scenario has no donors")
    if not drop and pause == 0:
        reader.fail(("donors",), "asks for nothing: give drop: true or pause_days > 0")
    return DonorStudy(tuple(d.id for d in base.donors), drop=drop, pause_days=pause)


def _factors(reader: _Reader, data: dict[str, Any], base: Scenario) -> tuple[Factor, ...]:
    value = data.get("factors", [])
    if not isinstance(value, list):
        reader.fail(("factors",), "must be a list of factors ({path: ..., scale: [lo, hi]})")
        return ()
    found = [_factor(reader, entry, ("factors", n), base) for n, entry in enumerate(value)]
    factors = tuple(f for f in found if f is not None)
    names = [f.name for f in factors]
    for n, f in enumerate(factors):
        if f.name in names[:n]:
            reader.fail(("factors", n), f"two factors named `{f.name}`; give each a `name`")
    return factors


def _factor(reader: _Reader, entry: Any, at: PathKey, base: Scenario) -> Factor | None:
    if not isinstance(entry, dict):
        reader.fail(at, "a factor is a mapping: {path: ..., scale: [lo, hi]}")
        return None
    reader.keys(entry, at, FACTOR_KEYS)
    ops = [Op(k) for k in entry if k in {str(op) for op in Op}]
    if len(ops) != 1 or not isinstance(entry.get("path"), str):
        reader.fail(at, f"give a `path` and exactly one of {', '.join(op.value for op in Op)}")
        return None
    op, text = ops[0], entry["path"]
    targets = _targets(reader, text, op, base, (*at, "path"))
    rng = _range(reader, entry, op, (*at, str(op)))
    if targets is None or rng is None:
        return None
    name = entry.get("name", f"{text} {op.value}")
    factor = Factor(name=str(name), path=text, op=op, targets=targets, low=min(rng),
                    high=max(rng), choices=_levels(reader, entry, op, rng, at))
    _check_extremes(reader, factor, base, (*at, str(op)))
    return factor


def _range(reader: _Reader, entry: dict[str, Any], op: Op, at: PathKey
           ) -> tuple[float, ...] | None:
    value = entry[str(op)]
    if op is Op.REMOVE:
        if value is not True:
            reader.fail(at, f"remove: true (the donor kept and dropped); got {value!r}")
            return None
        return (0.0, 1.0)
    numbers = value if isinstance(value, list) else None
    if numbers is None or not all(_is_number(v) for v in numbers):
        form = "[a, b, ...]" if op is Op.VALUES else "[low, high]"
        reader.fail(at, f"must be a list of numbers {form}; got {value!r}")
        return None
    if op in WHOLE and not all(isinstance(v, int) for v in numbers):
        reader.fail(at, f"must be whole numbers of days; got {value!r}")
        return None
    if op is Op.VALUES:
        if not numbers:
            reader.fail(at, "the list of values is empty; give at least one")
            return None
        return tuple(float(v) for v in numbers)
    if len(numbers) != 2 or numbers[0] > numbers[1]:
        reader.fail(at, f"must be a range [low, high] with low <= high; got {value!r}")
        return None
    if op is Op.SCALE and numbers[0] < 0:
        reader.fail(at, f"a scale factor is >= 0; got {value!r}")
        return None
    if op is Op.PAUSE and numbers[0] < 0:
        reader.fail(at, f"a pause is >= 0 days; got {value!r}")
        return None
    return (float(numbers[0]), float(numbers[1]))


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _levels(reader: _Reader, entry: dict[str, Any], op: Op, rng: tuple[float, ...],
            at: PathKey) -> tuple[float, ...]:
    if op in (Op.VALUES, Op.REMOVE):
        if "levels" in entry:
            reader.fail((*at, "levels"), f"levels is for a range; {op.value} has its own")
        return rng
    count = reader.integer(entry, "levels", DEFAULT_LEVELS, 1, at)
    low, high = rng
    if count == 1 or low == high:
        return ((low + high) / 2,) if op not in WHOLE else (float(round((low + high) / 2)),)
    points = [low + (high - low) * n / (count - 1) for n in range(count)]
    if op in WHOLE:
        points = [float(round(p)) for p in points]
    return tuple(dict.fromkeys(points))


def _check_extremes(reader: _Reader, factor: Factor, base: Scenario, at: PathKey) -> None:
    """Every grid level and both ends of the range must give a valid scenario."""
    from resupply.domain.load import validate_data

    for value in sorted({factor.low, factor.high, *factor.choices}):
        try:
            validate_data(apply_factor(base, factor, value).model_dump(), Locations("variant"))
        except ScenarioError as exc:
            first = exc.issues[0]
            reader.fail(at, f"at {value:g} the scenario is invalid: {first.path}: "
                        f"{first.message}")
            return


# --- paths --------------------------------------------------------------------------------

def _targets(reader: _Reader, text: str, op: Op, base: Scenario, at: PathKey
             ) -> tuple[PathKey, ...] | None:
    steps = parse_path(text)
    if isinstance(steps, str):
        reader.fail(at, f"{steps} in path `{text}`")
        return None
    found: list[PathKey] = []
    problem = walk(base, steps, (), found)
    if problem is not None:
        reader.fail(at, f"path `{text}`: {problem}")
        return None
    if op in OPS_ON_DONORS:
        if len(found) != 1 or found[0][0] != "donors" or len(found[0]) != 2:
            reader.fail(at, f"{op.value} applies to one donor: donors[ID]; got `{text}`")
            return None
        return tuple(found)
    kind = dt.date if op is Op.SHIFT else float
    whole = op in (Op.SET, Op.VALUES)
    found_leaves = [leaf for target in found for leaf in leaves(base, target, kind, whole)]
    if not found_leaves:
        what = "date" if op is Op.SHIFT else ("real number" if op is Op.SCALE else "number")
        reader.fail(at, f"path `{text}` names no {what}; {op.value} needs {what}s")
        return None
    return tuple(found_leaves)

# --- applying a factor (copy with update, never mutation) ----------------------------------

def apply_factor(scenario: Scenario, factor: Factor, value: float | None) -> Scenario:
    """The scenario with ``factor`` at ``value`` (None: as it is)."""
    if value is None or value == factor.neutral:
        return scenario
    if factor.op is Op.REMOVE:
        return drop_donor(scenario, value_at(scenario, factor.targets[0]).id)
    if factor.op is Op.PAUSE:
        return pause_donor(scenario, value_at(scenario, factor.targets[0]).id, int(value))
    result = scenario
    for target in factor.targets:
        result = replaced(result, target, _change(factor.op, value))
    return result


def _change(op: Op, value: float) -> Callable[[Any], Any]:
    if op is Op.SCALE:
        return lambda old: old * value
    if op is Op.SHIFT:
        return lambda old: old + dt.timedelta(days=int(value))
    return lambda old: round(value) if isinstance(old, int) else float(value)


def variant_count(spec: SweepSpec) -> int:
    """Variants the spec runs: the base, the design's, and the donor study's."""
    design = spec.samples if spec.design is not Design.GRID else _grid_size(spec.factors)
    donors = 0
    if spec.donors is not None:
        per = int(spec.donors.drop) + int(spec.donors.pause_days > 0)
        donors = per * len(spec.donors.donors)
    return 1 + (design if spec.factors else 0) + donors


def _grid_size(factors: Sequence[Factor]) -> int:
    size = 1
    for f in factors:
        size *= len(f.choices)
    return size

