"""Commands about scenarios: scenarios, schema, init, validate, explain."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from resupply.analysis import Outlook, explain
from resupply.cli.app import ForceOpt, JsonOpt, ScenarioArg, app, out, user_errors
from resupply.compile import compile_problem
from resupply.domain.jsonschema import scenario_json_schema
from resupply.domain.load import bundled_names, bundled_text, load_scenario
from resupply.files import write_output_file


@app.command("scenarios")
@user_errors
def scenarios_cmd(as_json: JsonOpt = False) -> None:
    """List the bundled scenarios, usable by name wherever a FILE is taken.

    Example: resupply scenarios
    """
    rows: list[dict[str, str]] = []
    for name in bundled_names():
        sc = load_scenario(name)
        rows.append({"name": name, "start": sc.start.isoformat(), "days": str(sc.horizon_days),
                     "description": sc.description})
    if as_json:
        out.print_json(json.dumps(rows))
        return
    table = Table("name", "start", "days", "description")
    for row in rows:
        table.add_row(row["name"], row["start"], row["days"], row["description"])
    out.print(table)


@app.command("schema")
@user_errors
def schema_cmd() -> None:
    """Print the scenario JSON Schema (for editor completion and validation).

    Example: resupply schema > scenario.schema.json
    """
    out.print_json(json.dumps(scenario_json_schema()))


@app.command("init")
@user_errors
def init_cmd(
    path: Annotated[Path, typer.Argument(help="Where to write the starter scenario (YAML).")],
    force: ForceOpt = False,
) -> None:
    """Write a commented starter scenario to PATH.

    Example: resupply init my-scenario.yaml && resupply validate my-scenario.yaml
    """
    write_output_file(path, bundled_text("_starter"), force=force)
    out.print(f"wrote {path}; edit it, then run: resupply validate {path}", markup=False)


@app.command("validate")
@user_errors
def validate_cmd(scenario: ScenarioArg) -> None:
    """Check a scenario; print every error as FILE:LINE:COL: field.path: message (exit 2).

    Example: resupply validate ukraine-2022
    """
    sc = load_scenario(scenario)
    out.print(
        f"{scenario}: valid — {sc.name}, {sc.horizon_days} days from {sc.start}, "
        f"{len(sc.standards)} standards, {len(sc.families)} families, {len(sc.items)} items, "
        f"{len(sc.platforms)} platforms, {len(sc.donors)} donors, {len(sc.depots)} depots",
        markup=False, highlight=False)


@app.command("explain")
@user_errors
def explain_cmd(scenario: ScenarioArg, as_json: JsonOpt = False) -> None:
    """Before optimising: stock, need, days of supply and when each family runs dry.

    "Runs dry" is computed on one pool per family (depots pooled, no strikes, no hub limit,
    lead times applied): (a) with no resupply, (b) with all donor supply sent at its earliest
    release.

    Example: resupply explain ukraine-2022 --json
    """
    outlook = explain(compile_problem(load_scenario(scenario)))
    if as_json:
        out.print_json(json.dumps(outlook.to_dict()))
        return
    out.print(outlook_table(outlook))
    for std in outlook.standards:
        out.print(f"{std.standard}: first family dry {std.first_dry_without_resupply or 'never'} "
                  f"without resupply, {std.first_dry_with_all_supply or 'never'} with all donor "
                  "supply", markup=False, highlight=False)


def outlook_table(outlook: Outlook) -> Table:
    """The explain table, one row per family, grouped by standard."""
    table = Table(title=f"{outlook.scenario}: outlook {outlook.start} to {outlook.end}")
    for col in ("standard", "family", "stock", "need/day at start", "days of supply",
                "donors can give", "need over horizon", "dry: no resupply", "dry: all supply"):
        table.add_column(col, justify="left" if col in {"standard", "family"} else "right")
    order = [s.standard for s in outlook.standards]
    for fam in sorted(outlook.families, key=lambda f: order.index(f.standard)):
        table.add_row(
            fam.standard, f"{fam.family} ({fam.unit})", quantity(fam.stock),
            quantity(fam.need_per_day_at_start),
            "—" if fam.days_of_supply is None else f"{fam.days_of_supply:,.1f}",
            quantity(fam.donors_can_give), quantity(fam.need_over_horizon),
            str(fam.runs_dry_without_resupply or "covered"),
            str(fam.runs_dry_with_all_supply or "covered"))
    return table


def quantity(value: float) -> str:
    """A quantity for a table: whole units from 100 on, two decimals below (barrels a day)."""
    return f"{value:,.0f}" if abs(value) >= 100 or value == 0 else f"{value:,.2f}"
