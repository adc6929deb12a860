"""Stored runs: a plan or a simulation, with what it was run on, so it can be found and compared.

`record_run` is the one call the plan and simulate commands make after a run. A run keeps
the scenario's name and content hash (`resupply.compile.scenario_hash`), the options and
seed (enough to reproduce it with the same version), a JSON summary, and result files as
blobs. `diff_runs` compares two runs key by key.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from resupply.compile import scenario_hash
from resupply.domain.schema import Scenario

if TYPE_CHECKING:
    from resupply.store.base import Store

RunKind = Literal["plan", "simulation"]
RUN_KINDS: tuple[RunKind, ...] = ("plan", "simulation")


@dataclass(frozen=True, slots=True)
class RunRecord:
    """A run as stored. `id` is 0 until the store assigns one; `files` maps name -> bytes."""

    kind: RunKind
    scenario_name: str
    scenario_hash: str
    options: dict[str, Any]
    seed: int | None
    version: str
    summary: dict[str, Any]
    created_at: dt.datetime
    files: dict[str, bytes] = field(default_factory=dict)
    id: int = 0


MAX_RUN_ID = 2**63 - 1
"""Largest run id a database key holds (64-bit signed)."""


def record_run(
    store: Store,
    kind: RunKind,
    scenario: Scenario,
    *,
    options: Mapping[str, Any],
    seed: int | None,
    summary: Mapping[str, Any],
    files: Mapping[str, bytes | Path] | None = None,
) -> int:
    """Store one run and return its id.

    `options` and `summary` must be JSON-serialisable (checked here, so a bad value fails
    before anything is written); `files` values are bytes or paths read now.
    """
    from resupply import __version__

    if kind not in RUN_KINDS:
        raise ValueError(f"kind must be one of {RUN_KINDS}, not {kind!r}")
    record = RunRecord(
        kind=kind, scenario_name=scenario.name, scenario_hash=scenario_hash(scenario),
        options=_json_dict(options, "options"), seed=seed, version=__version__,
        summary=_json_dict(summary, "summary"), created_at=dt.datetime.now(dt.UTC),
        files={name: _read(content) for name, content in (files or {}).items()})
    return store.add_run(record)


def _json_dict(value: Mapping[str, Any], what: str) -> dict[str, Any]:
    try:
        result: dict[str, Any] = json.loads(json.dumps(dict(value), allow_nan=False))
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{what} must be JSON-serialisable: {exc}") from exc
    return result


def _read(content: bytes | Path) -> bytes:
    return content.read_bytes() if isinstance(content, Path) else bytes(content)


@dataclass(frozen=True, slots=True)
class DiffLine:
    """One key that differs between two runs; `delta` is b - a when both are numbers."""

    key: str
    a: Any
    b: Any
    delta: float | None


def diff_runs(a: RunRecord, b: RunRecord) -> list[DiffLine]:
    """Every field, option and summary value that differs between runs `a` and `b`, by key.

    Nested mappings are flattened to dotted keys (``summary.shortfall.art155``); a key
    absent on one side shows as None there.
    """
    left = _flatten(_comparable(a))
    right = _flatten(_comparable(b))
    lines = []
    for key in sorted(left.keys() | right.keys()):
        va, vb = left.get(key), right.get(key)
        if va != vb:
            lines.append(DiffLine(key, va, vb, _delta(va, vb)))
    return lines


def _comparable(run: RunRecord) -> dict[str, Any]:
    return {"kind": run.kind, "scenario": run.scenario_name, "scenario_hash": run.scenario_hash,
            "seed": run.seed, "version": run.version, "options": run.options,
            "summary": run.summary, "files": {n: len(c) for n, c in run.files.items()}}


def _flatten(value: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, item in value.items():
        name = f"{prefix}{key}"
        if isinstance(item, Mapping):  # an empty mapping holds no values: nothing to compare
            flat.update(_flatten(item, f"{name}."))
        else:
            flat[name] = item
    return flat


def _delta(a: Any, b: Any) -> float | None:
    numbers = (int, float)
    if isinstance(a, numbers) and isinstance(b, numbers) and not isinstance(a, bool) \
            and not isinstance(b, bool) and math.isfinite(a) and math.isfinite(b):
        return float(b) - float(a)
    return None
