"""Fuzzing the loader: every mutated scenario ends as a valid load or located issues, never a crash.

Mutations of the bundled `tiny`: wrong types, missing and unknown keys, duplicate ids, negative,
NaN, infinite and huge numbers, truncated files, non-UTF-8 bytes, deep nesting and alias bombs.
A scenario that loads must also compile and explain, so a hole in validation cannot hide.
"""

from __future__ import annotations

import copy
import math
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from resupply.analysis import explain
from resupply.compile import compile_problem
from resupply.domain.load import bundled_text, validate_data
from resupply.domain.source import parse_bytes
from resupply.errors import ScenarioError

BASE: dict[str, Any] = yaml.safe_load(bundled_text("tiny"))

JUNK = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12),
    st.just([]), st.just({}), st.just(float("nan")), st.just(-1), st.just(10**400),
    st.dates().map(str),
)


def _paths(data: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path]
    if isinstance(data, dict):
        for key, value in data.items():
            found += _paths(value, (*path, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            found += _paths(value, (*path, i))
    return found


def _parent(data: Any, path: tuple[Any, ...]) -> Any:
    for step in path[:-1]:
        data = data[step]
    return data


@st.composite
def mutated(draw: st.DrawFn) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    for _ in range(draw(st.integers(1, 4))):
        paths = [p for p in _paths(data) if p]
        path = draw(st.sampled_from(paths))
        parent = _parent(data, path)
        action = draw(st.sampled_from(["replace", "delete", "unknown", "duplicate"]))
        if action == "replace":
            parent[path[-1]] = draw(JUNK)
        elif action == "delete":
            del parent[path[-1]]
        elif action == "unknown" and isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=8))] = draw(JUNK)
        elif action == "duplicate" and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[path[-1]]))
    return data


@st.composite
def damaged_bytes(draw: st.DrawFn) -> bytes:
    text = yaml.safe_dump(draw(mutated()), sort_keys=False, allow_unicode=True).encode()
    damage = draw(st.sampled_from(["none", "truncate", "bad-utf8", "nest", "alias"]))
    if damage == "truncate":
        return text[: draw(st.integers(0, len(text)))]
    if damage == "bad-utf8":
        at = draw(st.integers(0, len(text)))
        return text[:at] + draw(st.sampled_from([b"\xff", b"\xc3\x28", b"\xe9"])) + text[at:]
    if damage == "nest":
        depth = draw(st.integers(1, 3000))
        return text + b"\nweights: " + b"[" * depth + b"]" * depth + b"\n"
    if damage == "alias":
        return text + b"\nx: &a [1, 1, 1, 1, 1, 1, 1, 1]\n" + b"".join(
            b"x%d: &a%d [*a, *a, *a, *a, *a, *a, *a, *a]\n" % (n, n) for n in range(6))
    return text


def check_outcome(raw: bytes, as_json: bool = False) -> None:
    """Either the scenario loads (and compiles and explains) or every issue is located."""
    try:
        data, where = parse_bytes(raw, "fuzz.yaml", as_json=as_json)
        scenario = validate_data(data, where)
    except ScenarioError as exc:
        assert exc.issues
        for issue in exc.issues:
            assert issue.file == "fuzz.yaml"
            assert issue.line >= 1 and issue.col >= 1
            assert issue.message and "Traceback" not in issue.message
        return
    problem = compile_problem(scenario)
    outlook = explain(problem)
    assert all(math.isfinite(f.stock) for f in outlook.families)


@settings(max_examples=2000, deadline=None, suppress_health_check=list(HealthCheck))
@given(damaged_bytes())
def test_fuzzed_scenarios_never_crash(raw: bytes) -> None:
    check_outcome(raw)


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.binary(max_size=400))
def test_random_bytes_never_crash(raw: bytes) -> None:
    check_outcome(raw)
    check_outcome(raw, as_json=True)

