"""The run directory: what every command writes and every reader reads.

A run directory holds one run of one kind, described by its ``manifest.json`` (`Manifest`)::

    kind        parts (where each lies in the directory)
    plan        plan: .            plan.json, tranches.csv, flows.csv, routes.parquet,
                                   hubs.parquet, stock.parquet, shortfall.parquet, warm.npz;
                                   a certified plan also certificate.json and buffers.parquet
    simulation  simulation: .      metrics.json, bands.parquet
    compare     compare: .         frontier.json, metrics-POLICY.json
    demo        plan: plan/, simulation: simulate/, compare: compare/, and explain.json,
                findings.txt, report.html, exports/*.csv

Every kind also holds ``scenario.json``, the scenario as run (so a report never depends on a
file that may have changed since). `resupply report DIR` reads any kind; each section of the
report shows when its part is there. A directory without a manifest is read in the layout of
the demo before manifests (schema 0): ``scenario.json`` and the optional ``plan/``,
``simulate/`` and ``compare/``.

Every output goes through `write_run` (a whole directory) or `add_to_run` (files added to a
run directory that exists, such as the report): the only two places that write into a run
directory, and both go through the guarded writer `resupply.files`. ``--out DIR`` is written
when DIR does not exist, is empty, or is a run directory of the same kind (`is_run`: its
manifest's ``kind``, or for a directory written before manifests the file of `LEGACY_MARKERS`);
anything else is refused unless ``force``, and even then only this kind's files are written.
A re-write removes only the stale files of its kind (`owned_files`), never a user's file, and
``manifest.json`` is moved in last, so a directory is recognised only once it is complete.
`check_output` runs the same check before the work starts (a solve can take minutes).

Every file read back is size-checked before it is read and checked against its typed schema
(`resupply.report.run_schema`): a damaged file is a `RunDirError` naming file and field.
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
from resupply.domain.source import read_bounded
from resupply.errors import ResupplyError, ScenarioError
from resupply.files import OutputKind, add_files, check_output_dir, is_run_dir, write_run_dir
from resupply.report.run_data import RunData
from resupply.report.run_schema import json_problem, table_problem
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
FLOWS = "flows.csv"
"""Tons per route of the network and per hub (`planning.flows.flow_table`)."""
ROUTES = "routes.parquet"
"""Units per route, item and day the units leave (`planning.flows.route_table`)."""
HUBS = "hubs.parquet"
"""Units held per hub, item and day (`planning.flows.hub_table`)."""
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

MAX_JSON_BYTES = 200 * 1024 * 1024
"""Largest JSON file of a run directory read [bytes] (checked before reading)."""
MAX_TABLE_BYTES = 500 * 1024 * 1024
"""Largest table (CSV, Parquet) of a run directory read [bytes] (checked before reading)."""


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

LEGACY_MARKERS: dict[RunKind, str] = {
    RunKind.PLAN: PLAN_JSON, RunKind.SIMULATION: METRICS, RunKind.COMPARE: FRONTIER,
    RunKind.DEMO: SCENARIO}
"""The one table of how a run directory of each kind is recognised when it has no manifest
(written before manifests): the file it holds. With a manifest, its ``kind`` decides."""

PART_FILES: dict[Part, tuple[str, ...]] = {
    Part.PLAN: (PLAN_JSON, TRANCHES, FLOWS, ROUTES, HUBS, STOCK, SHORTFALLS, WARM, CERTIFICATE,
                BUFFERS),
    Part.SIMULATION: (METRICS, BANDS),
    Part.COMPARE: (FRONTIER, "metrics-*.json", CERTIFIED_FRONTIER),
}
"""Glob patterns of the files each part writes, relative to the part's sub-directory."""
RUN_FILES = (MANIFEST, SCENARIO, REPORT, f"{EXPORTS}/*.csv", f"{EXPORTS}/report.xlsx")
"""Files every kind writes (the manifest, the scenario as run) or a report adds."""
DEMO_FILES = (EXPLAIN, FINDINGS)
"""Files only the demo writes beside its parts."""


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


def owned_files(kind: RunKind) -> tuple[str, ...]:
    """Glob patterns of every file a run directory of ``kind`` writes (its own files, its
    parts' files in their sub-directories, the report's): the only files a re-write removes
    when it no longer produces them."""
    parts = tuple(f"{sub}/{name}" if sub != "." else name
                  for part, sub in PARTS[kind].items() for name in PART_FILES[part])
    return RUN_FILES + (DEMO_FILES if kind is RunKind.DEMO else ()) + parts


def is_run(path: Path, kind: RunKind) -> bool:
    """True when ``path`` is a run directory of ``kind``: its manifest names the kind, or it
    has no manifest and holds the kind's legacy marker. A damaged manifest is no kind's."""
    try:
        manifest = read_manifest(path)
    except RunDirError:
        return False
    if manifest is not None:
        return manifest.kind is kind
    return (path / LEGACY_MARKERS[kind]).is_file()


def output_kind(kind: RunKind) -> OutputKind:
    """``kind`` as the guarded writer (`resupply.files`) takes it."""
    legacy = LEGACY_MARKERS[kind]
    return OutputKind(
        name=str(kind), marker=MANIFEST, owned=owned_files(kind),
        recognise=lambda path: is_run(path, kind),
        holds=f"it holds no {MANIFEST} of kind {kind}, nor a {legacy} from before manifests")


def check_output(out_dir: Path, kind: RunKind, *, force: bool = False) -> None:
    """Raise `resupply.errors.OutputError` unless ``out_dir`` may be written as a run
    directory of ``kind`` (see the module's rules); called before the work starts."""
    check_output_dir(out_dir, output_kind(kind), force=force)


def write_run(out_dir: Path, manifest: Manifest, files: Files, *, force: bool = False) -> None:
    """Write a whole run directory: ``files`` plus ``manifest.json`` (moved in last) through
    the guarded writer; stale files of the kind are removed, a user's files never are."""
    write_run_dir(out_dir, output_kind(manifest.kind),
                  {**files, MANIFEST: json.dumps(manifest.to_dict(), indent=2) + "\n"},
                  force=force)


def add_to_run(run_dir: Path, files: Files) -> None:
    """Add or replace files in an existing run directory, each written atomically (only a
    regular file of the same name is replaced; `resupply.files.add_files`)."""
    add_files(run_dir, files)


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
    if not is_run_dir(path, _ANY_RUN):
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
        flows=_maybe(read_table, plan, FLOWS), routes=_maybe(read_table, plan, ROUTES),
        hubs=_maybe(read_table, plan, HUBS), stock=stock, shortfalls=_shortfalls(plan, stock),
        metrics=_maybe(lambda f: _typed(f, SimMetrics.from_dict), sim, METRICS),
        bands=_maybe(read_table, sim, BANDS),
        frontier=_maybe(lambda f: _typed(f, Frontier.from_dict), compare, FRONTIER),
        certificate=_maybe(read_json, plan, CERTIFICATE),
        buffers=_maybe(read_table, plan, BUFFERS),
        certified_frontier=_certified_points(compare))


def _certified_points(compare: Path | None) -> tuple[dict[str, Any], ...] | None:
    """The points of certified_frontier.json, or None when the run has none."""
    data = _maybe(read_json, compare, CERTIFIED_FRONTIER)
    return None if data is None else tuple(data["points"])


def _maybe(read: Callable[[Path], T | None], folder: Path | None, name: str) -> T | None:
    return None if folder is None else read(folder / name)


def _typed(path: Path, parse: Callable[[dict[str, Any]], T]) -> T | None:
    """A JSON file read into its record type; `RunDirError` names the file and the field."""
    data = read_json(path)
    if data is None:
        return None
    try:
        return parse(data)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise RunDirError(f"{path}: missing or bad field {exc}") from None


def _shortfalls(plan: Path | None, stock: pd.DataFrame | None) -> pd.DataFrame | None:
    """The plan's family shortfall table; for a plan written before it had one, taken from
    the family shortfall repeated on each item row of its stock table."""
    table = _maybe(read_table, plan, SHORTFALLS)
    if table is not None or stock is None:
        return table
    per_family = stock.drop_duplicates(["family", "depot", "day"])
    return per_family[["family", "depot", "day", "date", "shortfall"]].reset_index(drop=True)


_ANY_RUN = OutputKind(name="run", marker=SCENARIO, owned=(),
                      recognise=lambda path: (path / SCENARIO).is_file())
"""What every run directory holds, of any kind: the scenario as run."""


def read_json(path: Path) -> dict[str, Any] | None:
    """A JSON object file, or None when there is none; size-checked before it is read and
    checked against its schema (`run_schema.json_problem`)."""
    if not path.is_file():
        return None
    try:
        data = json.loads(read_bounded(path, limit=MAX_JSON_BYTES))
    except (OSError, ValueError, RecursionError, ScenarioError) as exc:
        raise RunDirError(f"{path}: unreadable JSON ({exc})") from None
    if not isinstance(data, dict):
        raise RunDirError(f"{path}: expected a JSON object")
    problem = json_problem(path.name, data)
    if problem is not None:
        raise RunDirError(f"{path}: {problem}; write it again with the command that made it")
    return data


def read_table(path: Path) -> pd.DataFrame | None:
    """A CSV (dates parsed) or Parquet table, or None when there is none; size-checked
    before it is read and checked for the columns and number types a reader uses
    (`run_schema.table_problem`)."""
    if not path.is_file():
        return None
    try:
        if path.stat().st_size > MAX_TABLE_BYTES:
            raise RunDirError(f"{path}: larger than {MAX_TABLE_BYTES:,} bytes")
        table = pd.read_parquet(path) if path.suffix == ".parquet" else _read_csv(path)
        problem = table_problem(path.name, table)
        if problem is None and path.suffix != ".parquet" and "date" in table.columns:
            table["date"] = pd.to_datetime(table["date"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise RunDirError(f"{path}: unreadable table ({str(exc)[:200]})") from None
    if problem is not None:
        raise RunDirError(f"{path}: {problem}; write it again with the command that made it")
    return table


def _read_csv(path: Path) -> pd.DataFrame:
    """A CSV table; a file without a single column (flows.csv of a plan without route
    flows) is a table without columns (`run_schema.table_problem` says whether it may be)."""
    try:
        return pd.read_csv(path)
    except pd.errors.EmptyDataError:
        return pd.DataFrame()
