"""The run directory: what every command writes and every reader reads.

A run directory holds one run of one kind, described by its ``manifest.json`` (`Manifest`)::

    kind        parts (where each lies in the directory)
    plan        plan: .            plan.json, tranches.csv, stock.parquet, shortfall.parquet,
                                   warm.npz; a certified plan also certificate.json and
                                   buffers.parquet
    simulation  simulation: .      metrics.json, bands.parquet
    compare     compare: .         frontier.json, metrics-POLICY.json
    demo        plan: plan/, simulation: simulate/, compare: compare/, and explain.json,
                findings.txt, report.html, exports/*.csv

Every kind also holds ``scenario.json``, the scenario as run (so a report never depends on a
file that may have changed since). `resupply report DIR` reads any kind; each section of the
report shows when its part is there. A directory without a manifest is read in the layout of
the demo before manifests (schema 0): ``scenario.json`` and the optional ``plan/``,
``simulate/`` and ``compare/``.

Every output goes through `write_run` (a whole directory, swapped in at once) or `add_to_run`
(files added to a run directory that exists, such as the report): the only two places that
write into a run directory, so a check of the output path belongs there.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd

from resupply.analysis.explain import Outlook
from resupply.compile import Problem, compile_problem
from resupply.domain.load import load_scenario
from resupply.errors import ResupplyError
from resupply.files import replace_directory, write_atomically
from resupply.report.run_data import RunData
from resupply.simulation.frontier import Frontier
from resupply.simulation.records import SimMetrics

T = TypeVar("T")

SCHEMA_VERSION = 1
"""Version of the run-directory layout and of `Manifest`; readers refuse newer ones."""

MANIFEST = "manifest.json"
SCENARIO = "scenario.json"
EXPLAIN = "explain.json"
FINDINGS = "findings.txt"
REPORT = "report.html"
EXPORTS = "exports"
PLAN_JSON = "plan.json"
TRANCHES = "tranches.csv"
STOCK = "stock.parquet"
SHORTFALLS = "shortfall.parquet"
"""Family x depot x day need and shortfall of a plan (`PlanResult.shortfalls`)."""
WARM = "warm.npz"
"""Basis and dispatch of a plan, read back by a later `--from-day` re-plan in the same DIR."""
METRICS = "metrics.json"
BANDS = "bands.parquet"
FRONTIER = "frontier.json"
CERTIFICATE = "certificate.json"
"""A certified plan's certificate (`resupply.workflow.certify.Certificate.to_dict`)."""
CERTIFIED_FRONTIER = "certified_frontier.json"
"""Certified plans and tuned simple policies at each risk level (`compare --risk-levels`)."""
BUFFERS = "buffers.parquet"
"""A buffered plan's safety stock: family x depot (or ``hub``) x day level and deficit, and
whether a shortfall there counts as avoidable (``counted``)."""

Files = Mapping[str, str | bytes]
"""Relative file name (may contain ``/``) -> contents."""


class RunDirError(ResupplyError):
    """A run directory is missing, of the wrong kind, or holds an unreadable file."""


class RunKind(StrEnum):
    """What a run directory holds (the command that wrote it)."""

    PLAN = "plan"
    SIMULATION = "simulation"
    COMPARE = "compare"
    DEMO = "demo"


class Part(StrEnum):
    """A result a run directory may hold."""

    PLAN = "plan"
    SIMULATION = "simulation"
    COMPARE = "compare"


PARTS: dict[RunKind, dict[Part, str]] = {
    RunKind.PLAN: {Part.PLAN: "."},
    RunKind.SIMULATION: {Part.SIMULATION: "."},
    RunKind.COMPARE: {Part.COMPARE: "."},
    RunKind.DEMO: {Part.PLAN: "plan", Part.SIMULATION: "simulate", Part.COMPARE: "compare"},
}
"""Kind -> the parts it holds and the sub-directory of each (the one layout table)."""
LEGACY_PARTS = PARTS[RunKind.DEMO]
"""Parts of a directory without a manifest (schema 0)."""


@dataclass(frozen=True)
class Manifest:
    """What a run directory holds and what produced it (``manifest.json``)."""

    kind: RunKind
    scenario: str
    """Scenario name."""
    scenario_hash: str
    """Content hash of the scenario as run (`resupply.compile.scenario_hash`)."""
    options: Mapping[str, Any]
    """The options of each step, JSON values by step (``plan``, ``simulation``, ``compare``)."""
    seeds: tuple[int, ...] = ()
    """Root seeds of the random draws (none for a plan)."""
    version: str = ""
    """resupply version that wrote it."""
    schema: int = SCHEMA_VERSION
    created_at: str = field(default_factory=lambda: dt.datetime.now(dt.UTC).isoformat(
        timespec="seconds"))
    """UTC time of writing, ISO 8601."""

    @property
    def parts(self) -> dict[Part, str]:
        """The parts this kind holds -> their sub-directory."""
        return PARTS[self.kind]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"schema": self.schema, "kind": str(self.kind), "scenario": self.scenario,
                "scenario_hash": self.scenario_hash, "options": dict(self.options),
                "seeds": list(self.seeds), "version": self.version,
                "created_at": self.created_at}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], where: str = MANIFEST) -> Manifest:
        """Read `to_dict`'s form; raises `RunDirError` naming the field that is wrong."""
        schema = data.get("schema")
        if not isinstance(schema, int) or schema > SCHEMA_VERSION:
            raise RunDirError(f"{where}: schema {schema!r} is not one this resupply reads "
                              f"(up to {SCHEMA_VERSION}); use a newer resupply")
        try:
            kind = RunKind(str(data.get("kind")))
        except ValueError:
            raise RunDirError(f"{where}: kind {data.get('kind')!r} is not one of "
                              f"{', '.join(RunKind)}") from None
        try:
            return cls(kind=kind, scenario=str(data["scenario"]),
                       scenario_hash=str(data["scenario_hash"]),
                       options=dict(data.get("options", {})),
                       seeds=tuple(int(s) for s in data.get("seeds", [])),
                       version=str(data.get("version", "")), schema=schema,
                       created_at=str(data.get("created_at", "")))
        except (KeyError, TypeError, ValueError) as exc:
            raise RunDirError(f"{where}: missing or bad field {exc}") from None


def new_manifest(kind: RunKind, problem: Problem, options: Mapping[str, Any],
                 seeds: tuple[int, ...] = ()) -> Manifest:
    """The manifest of a run of ``problem`` written now by this version."""
    from resupply import __version__

    return Manifest(kind=kind, scenario=problem.name, scenario_hash=problem.scenario_hash,
                    options=options, seeds=seeds, version=__version__)


def write_run(out_dir: Path, manifest: Manifest, files: Files) -> None:
    """Write a whole run directory: ``files`` plus ``manifest.json``, swapped in at once
    (readers see the old directory or the new one; a failure leaves the old one)."""
    replace_directory(out_dir, {**files, MANIFEST: json.dumps(manifest.to_dict(), indent=2)
                                + "\n"})


def add_to_run(run_dir: Path, files: Files) -> None:
    """Add or replace files in an existing run directory, each written atomically."""
    for name, data in files.items():
        write_atomically(run_dir / name, data)


def read_manifest(path: Path) -> Manifest | None:
    """The manifest of run directory ``path``; None when it has none (schema 0)."""
    data = read_json(path / MANIFEST)
    return None if data is None else Manifest.from_dict(data, str(path / MANIFEST))


def parts_of(path: Path) -> dict[Part, Path]:
    """The parts run directory ``path`` holds -> where each lies."""
    manifest = read_manifest(path)
    layout = LEGACY_PARTS if manifest is None else manifest.parts
    return {part: path / sub for part, sub in layout.items()}


def load_run(path: Path) -> RunData:
    """Read a run directory of any kind; raises `RunDirError` naming the file that is missing
    or broken."""
    if not (path / SCENARIO).is_file():
        raise RunDirError(f"{path}: not a run directory (no {SCENARIO}); create one with "
                          "`resupply demo --out DIR`, `resupply plan SCENARIO --out DIR`, "
                          "`resupply simulate ... --out DIR` or `resupply compare ... --out "
                          "DIR`")
    parts = parts_of(path)
    scenario = load_scenario(path / SCENARIO)
    plan, sim, compare = (parts.get(p) for p in (Part.PLAN, Part.SIMULATION, Part.COMPARE))
    stock = _maybe(read_table, plan, STOCK)
    return RunData(
        path=path, scenario=scenario, problem=compile_problem(scenario),
        explain=_typed(path / EXPLAIN, Outlook.from_dict),
        plan=_maybe(read_json, plan, PLAN_JSON), tranches=_maybe(read_table, plan, TRANCHES),
        stock=stock, shortfalls=_shortfalls(plan, stock),
        metrics=_maybe(lambda f: _typed(f, SimMetrics.from_dict), sim, METRICS),
        bands=_maybe(read_table, sim, BANDS),
        frontier=_maybe(lambda f: _typed(f, Frontier.from_dict), compare, FRONTIER),
        certificate=_maybe(read_json, plan, CERTIFICATE))


def _maybe(read: Callable[[Path], T | None], folder: Path | None, name: str) -> T | None:
    return None if folder is None else read(folder / name)


def _typed(path: Path, parse: Callable[[dict[str, Any]], T]) -> T | None:
    """A JSON file read into its record type; `RunDirError` names the file and the field."""
    data = read_json(path)
    if data is None:
        return None
    try:
        return parse(data)
    except (KeyError, TypeError, ValueError) as exc:
        raise RunDirError(f"{path}: missing or bad field {exc}") from None


def _shortfalls(plan: Path | None, stock: pd.DataFrame | None) -> pd.DataFrame | None:
    """The plan's family shortfall table; for a plan written before it had one, taken from
    the family shortfall repeated on each item row of its stock table."""
    table = _maybe(read_table, plan, SHORTFALLS)
    if table is not None or stock is None:
        return table
    per_family = stock.drop_duplicates(["family", "depot", "day"])
    return per_family[["family", "depot", "day", "date", "shortfall"]].reset_index(drop=True)


def read_json(path: Path) -> dict[str, Any] | None:
    """A JSON object file, or None when there is none."""
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise RunDirError(f"{path}: unreadable JSON ({exc})") from None
    if not isinstance(data, dict):
        raise RunDirError(f"{path}: expected a JSON object")
    return data


def read_table(path: Path) -> pd.DataFrame | None:
    """A CSV (dates parsed) or Parquet table, or None when there is none."""
    if not path.is_file():
        return None
    try:
        if path.suffix == ".parquet":
            return pd.read_parquet(path)
        return pd.read_csv(path, parse_dates=["date"])
    except (OSError, ValueError, KeyError) as exc:
        raise RunDirError(f"{path}: unreadable table ({exc})") from None
