"""Sweeps: many variants of one scenario, each the same plan + simulate call as
``resupply simulate --policy plan``, a pure function of (scenario, sweep, variant).

`variants` lists what a sweep file asks for (variant 0 is the scenario as it is, then the
design, then the donor study); `run_variant` is the task an executor runs, anywhere; `run_sweep`
feeds an executor (`Executor`: in this process, a local Dask cluster, a remote one) and keeps
``results.parquet`` up to date as rows come back, so an interrupted sweep keeps what finished
and ``--resume`` runs only the rest.

Reproducibility: every variant simulates with the sweep's seed (common random numbers: the
same draws for every variant, so differences between variants are the inputs', not the
dice's), and the design is drawn from its own stream of the same seed. A row depends on the
scenario, the sweep file and the variant only, never on the executor, the workers or the order
tasks finish in.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, fields
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd

from resupply.compile import compile_problem
from resupply.domain.load import validate_data
from resupply.domain.schema import Scenario
from resupply.domain.source import Locations
from resupply.errors import ResupplyError, ScenarioError
from resupply.files import OutputKind, check_output_dir, write_atomically
from resupply.simulation import SimOptions
from resupply.workflow.plans import failed
from resupply.workflow.policies import plan_input, policy_for, reference_for
from resupply.workflow.scenario_paths import drop_donor, pause_donor
from resupply.workflow.simulations import run_simulation
from resupply.workflow.sweepfile import Design, SweepSpec, apply_factor

RESULTS = "results.parquet"
SWEEP_JSON = "sweep.json"
SWEEP_OUTPUT = OutputKind(
    name="sweep", marker=SWEEP_JSON,
    owned=(SWEEP_JSON, RESULTS, "tornado.json", "donors.json", "sweep.html"),
    recognise=lambda path: (path / SWEEP_JSON).is_file(), holds=f"it holds no {SWEEP_JSON}")
"""A sweep directory for the guarded writer (`resupply.files`): recognised by its sweep.json;
a sweep only adds its own files, never removes anything."""


def check_sweep_output(out_dir: Path, *, force: bool = False) -> None:
    """Raise `resupply.errors.OutputError` unless ``out_dir`` may take a sweep: absent, empty,
    a sweep directory already, or ``force``; before any cluster is started."""
    check_output_dir(out_dir, SWEEP_OUTPUT, force=force)
SAMPLING_STREAM = 1
"""Child of the seed the design is drawn from (the simulation uses the seed itself)."""


class Group(StrEnum):
    """Why a variant is in the sweep."""

    BASE = "base"
    DESIGN = "design"
    DONOR = "donor"


@dataclass(frozen=True)
class Variant:
    """One variant: the factors' values (None: as in the scenario) or a donor change."""

    index: int
    group: Group
    values: tuple[float | None, ...]
    """Aligned with `SweepSpec.factors`."""
    donor: str | None = None
    change: str | None = None
    """``drop`` or ``pause`` for the donor study."""

    @property
    def key(self) -> str:
        """Stable digest of what the variant changes (resume matches rows by it). [hex]"""
        text = json.dumps([self.index, str(self.group), self.values, self.donor, self.change])
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def variants(spec: SweepSpec) -> tuple[Variant, ...]:
    """The base scenario, the design (grid, random or Latin hypercube), the donor study."""
    design = _design_values(spec) if spec.factors else []
    out = [Variant(0, Group.BASE, tuple(None for _ in spec.factors))]
    out += [Variant(len(out) + n, Group.DESIGN, v) for n, v in enumerate(design)]
    if spec.donors is not None:
        blank = tuple(None for _ in spec.factors)
        changes = (["drop"] if spec.donors.drop else []) + (
            ["pause"] if spec.donors.pause_days > 0 else [])
        for donor, change in itertools.product(spec.donors.donors, changes):
            out.append(Variant(len(out), Group.DONOR, blank, donor, change))
    return tuple(out)


def _design_values(spec: SweepSpec) -> list[tuple[float | None, ...]]:
    if spec.design is Design.GRID:
        return list(itertools.product(*(f.choices for f in spec.factors)))
    rng = np.random.default_rng(np.random.SeedSequence([spec.seed, SAMPLING_STREAM]))
    n, d = spec.samples, len(spec.factors)
    if spec.design is Design.RANDOM:
        u = rng.random((n, d))
    else:  # Latin hypercube: stratum j of each factor once, in a random order per factor
        strata = np.stack([rng.permutation(n) for _ in range(d)], axis=1)
        u = (strata + rng.random((n, d))) / n
    return [tuple(f.value_at(float(u[i, j])) for j, f in enumerate(spec.factors))
            for i in range(n)]


def variant_scenario(base: Scenario, spec: SweepSpec, variant: Variant) -> Scenario:
    """The scenario of a variant, by copy with update of ``base`` (left as it is)."""
    scenario = base
    for factor, value in zip(spec.factors, variant.values, strict=True):
        scenario = apply_factor(scenario, factor, value)
    if variant.donor is not None and variant.change == "drop":
        scenario = drop_donor(scenario, variant.donor)
    elif variant.donor is not None and spec.donors is not None:
        scenario = pause_donor(scenario, variant.donor, spec.donors.pause_days)
    return scenario


# --- the task ------------------------------------------------------------------------------

@dataclass(frozen=True)
class VariantRow:
    """What a variant gives: its inputs and key figures (a row of results.parquet)."""

    variant: int
    key: str
    group: str
    donor: str
    change: str
    factors: tuple[float, ...]
    """The factors' values, NaN where the variant keeps the scenario's."""
    status: str
    """The plan's status; ``invalid: ...`` when the variant's scenario is not valid,
    ``failed: ...`` when it cannot be planned or simulated."""
    plan_objective: float
    """[EUR]"""
    plan_shortfall: float
    """Need the optimal plan leaves unmet, all families. [units]"""
    avoidable_stockout_prob: float
    """P(avoidable stockout) of the families in scope in the base scenario
    (metrics.overall.avoidable). [1]"""
    stockout_prob: float
    """P(stockout) of the families in scope, avoidable or not. [1]"""
    fill_rate: float
    """Mean fill rate, all families. [1]"""
    short: float
    """Mean units short, all families. [units]"""
    avoidable_short: float
    """Mean units short that supply could have prevented, families in scope. [units]"""
    strike_loss_eur: float
    """Mean value lost to strikes. [EUR]"""


METRICS = ("plan_objective", "plan_shortfall", "avoidable_stockout_prob", "stockout_prob",
           "fill_rate", "short", "avoidable_short", "strike_loss_eur")
"""The figures of a row, in column order after its inputs."""


def run_variant(base: Scenario, spec: SweepSpec, variant: Variant) -> VariantRow:
    """Plan the variant (the deterministic optimum) and simulate ``spec.policy`` (default:
    that plan) with ``spec.runs`` runs and ``spec.seed``; pure, so a task lost with a worker
    reruns to the same row."""
    scenario = variant_scenario(base, spec, variant)
    try:
        validate_data(scenario.model_dump(), Locations(f"variant {variant.index}"))
    except ScenarioError as exc:
        return _row(spec, variant, f"invalid: {exc.issues[0].path}: {exc.issues[0].message}")
    try:
        return _plan_and_simulate(scenario, spec, variant)
    except ResupplyError as exc:  # this variant cannot be planned or simulated: say why
        return _row(spec, variant, f"failed: {exc}")


def _plan_and_simulate(scenario: Scenario, spec: SweepSpec, variant: Variant) -> VariantRow:
    problem = compile_problem(scenario)
    options = SimOptions(runs=spec.runs, seed=spec.seed)
    scope = ",".join(spec.scope_families) or spec.scope  # the base's families in scope
    optimum, reference = reference_for(problem, options, scope)
    policy = policy_for(problem, spec.policy, None, plan_input(optimum))
    o = run_simulation(problem, policy, options, reference=reference).metrics.overall
    return _row(spec, variant, str(optimum.status), {
        "plan_objective": optimum.objective if not failed(optimum) else math.nan,
        "plan_shortfall": float(np.sum(optimum.shortfall)),
        "avoidable_stockout_prob": o.avoidable.stockout_prob,
        "stockout_prob": o.scope.stockout_prob, "fill_rate": o.fill_rate.mean,
        "short": o.short.mean, "avoidable_short": o.avoidable.short.mean,
        "strike_loss_eur": o.lost_value.mean})


def _row(spec: SweepSpec, variant: Variant, status: str,
         figures: dict[str, float] | None = None) -> VariantRow:
    values = tuple(math.nan if v is None else float(v) for v in variant.values)
    return VariantRow(variant=variant.index, key=variant.key, group=str(variant.group),
                      donor=variant.donor or "", change=variant.change or "",
                      factors=values, status=status,
                      **{m: float((figures or {}).get(m, math.nan)) for m in METRICS})


# --- executors ------------------------------------------------------------------------------

class Executor(Protocol):
    """Runs variants somewhere and yields each row as it finishes (in any order)."""

    def __call__(self, base: Scenario, spec: SweepSpec,
                 todo: Sequence[Variant]) -> Iterator[VariantRow]: ...


def serial(base: Scenario, spec: SweepSpec, todo: Sequence[Variant]) -> Iterator[VariantRow]:
    """The in-process executor: one variant after the other (the reference of every other)."""
    for variant in todo:
        yield run_variant(base, spec, variant)


# --- the result table -----------------------------------------------------------------------

def rows_table(spec: SweepSpec, rows: Iterable[VariantRow]) -> pd.DataFrame:
    """The result table: one row per variant, in variant order; a column per factor."""
    records = []
    for row in sorted(rows, key=lambda r: r.variant):
        data = {f.name: getattr(row, f.name) for f in fields(row) if f.name != "factors"}
        data.update({f.name: v for f, v in zip(spec.factors, row.factors, strict=True)})
        records.append(data)
    columns = ["variant", "key", "group", "donor", "change",
               *(f.name for f in spec.factors), "status", *METRICS]
    table = pd.DataFrame.from_records(records, columns=columns)
    return table.astype({"variant": "int64", **{c: "float64" for c in columns[5:]
                                                 if c != "status"}})


def table_rows(spec: SweepSpec, table: pd.DataFrame) -> list[VariantRow]:
    """`rows_table` read back."""
    names = [f.name for f in spec.factors]
    return [VariantRow(variant=int(r["variant"]), key=str(r["key"]), group=str(r["group"]),
                       donor=str(r["donor"]), change=str(r["change"]),
                       factors=tuple(float(r[n]) for n in names), status=str(r["status"]),
                       **{m: float(r[m]) for m in METRICS})
            for r in table.to_dict("records")]


def write_table(path: Path, spec: SweepSpec, rows: Iterable[VariantRow]) -> None:
    """Write results.parquet beside, then rename over it (a reader never sees half)."""
    write_atomically(path, rows_table(spec, rows).to_parquet(index=False))


@dataclass(frozen=True)
class SweepRun:
    """A finished (or interrupted) sweep: its table, and what this call ran."""

    table: pd.DataFrame
    ran: tuple[int, ...]
    """Variants run by this call (in the order they finished)."""
    skipped: int
    """Variants already in the table (``resume``)."""
    total: int
    complete: bool


Progress = Callable[[int, int], None]
"""(done, total) after each row, counting rows kept from before."""


def run_sweep(base: Scenario, spec: SweepSpec, out_dir: Path, executor: Executor, *,
              resume: bool = False, progress: Progress | None = None,
              flush_seconds: float = 2.0) -> SweepRun:
    """Run the variants not yet in ``out_dir``'s table on ``executor``, writing the table at
    least every ``flush_seconds`` and whatever happens (Ctrl-C included) before returning."""
    every = variants(spec)
    done = _start(base, spec, out_dir, resume)
    keys = {v.key for v in every}
    rows = {r.key: r for r in done if r.key in keys}
    todo = [v for v in every if v.key not in rows]
    ran: list[int] = []
    last = time.monotonic()
    path = out_dir / RESULTS
    try:
        for row in executor(base, spec, todo):
            rows[row.key] = row
            ran.append(row.variant)
            if progress is not None:
                progress(len(rows), len(every))
            if time.monotonic() - last >= flush_seconds:
                write_table(path, spec, rows.values())
                last = time.monotonic()
    finally:
        write_table(path, spec, rows.values())
    table = rows_table(spec, rows.values())
    return SweepRun(table, tuple(ran), len(every) - len(todo), len(every),
                    len(rows) == len(every))


def _start(base: Scenario, spec: SweepSpec, out_dir: Path, resume: bool) -> list[VariantRow]:
    """The rows kept from before (``resume``); writes sweep.json, which a resume must match."""
    identity = sweep_identity(base, spec)
    path, table = out_dir / SWEEP_JSON, out_dir / RESULTS
    if not resume:
        if table.exists():
            raise ResupplyError(f"{table} exists; give --resume to go on with it, or another "
                                "--out")
        write_atomically(path, json.dumps(identity, indent=2) + "\n")
        return []
    before = json.loads(path.read_text()) if path.is_file() else None
    if before is not None and before != identity:
        raise ResupplyError(f"{out_dir} holds a sweep of another scenario or sweep file "
                            f"({before.get('scenario_hash')}, {before.get('sweep')}); resume "
                            "needs the same ones, or give another --out")
    write_atomically(path, json.dumps(identity, indent=2) + "\n")
    return table_rows(spec, pd.read_parquet(table)) if table.is_file() else []


def sweep_identity(base: Scenario, spec: SweepSpec) -> dict[str, Any]:
    """What sweep.json holds: the scenario and sweep fingerprints and the factors."""
    scenario_hash = hashlib.sha256(base.model_dump_json().encode()).hexdigest()[:16]
    identity = {"scenario": base.name, "scenario_hash": scenario_hash,
            "sweep": spec.fingerprint(), "seed": spec.seed,
            "runs": spec.runs, "design": str(spec.design), "variants": len(variants(spec)),
            "factors": [{**{k: v for k, v in asdict(f).items() if k != "targets"},
                         "op": str(f.op), "targets": len(f.targets)} for f in spec.factors]}
    result: dict[str, Any] = json.loads(json.dumps(identity))  # as sweep.json reads back
    return result
