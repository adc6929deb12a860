"""The scenario commands end to end, in-process through the real Typer app."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from resupply.domain import load_scenario

Cli = Callable[..., tuple[int, str, str]]


def test_validate_valid_prints_one_line(cli: Cli) -> None:
    code, out, err = cli("validate", "tiny")
    assert code == 0 and err == ""
    assert out.count("\n") == 1 and "valid" in out and "2 families" in out


def test_validate_unknown_name(cli: Cli) -> None:
    code, out, err = cli("validate", "nope")
    assert code == 2 and out == "" and "not a bundled scenario" in err and "Traceback" not in err


def test_explain_json(cli: Cli) -> None:
    code, out, _ = cli("explain", "tiny", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["families"][0]["days_of_supply"] == 10.0


def test_explain_table_names_every_family(cli: Cli) -> None:
    code, out, _ = cli("explain", "tiny")
    assert code == 0 and "art152" in out and "art155" in out and "2022-06-11" in out


def test_ukraine_soviet_artillery_runs_dry_before_nato(cli: Cli) -> None:
    code, out, _ = cli("explain", "ukraine-2022", "--json")
    assert code == 0
    families = {f["family"]: f for f in json.loads(out)["families"]}
    soviet = [f for f in families.values() if f["standard"] == "soviet"
              and f["family"].startswith(("art", "rkt"))]
    nato = [f for f in families.values() if f["standard"] == "nato"
            and f["family"].startswith(("art", "rkt"))]
    assert soviet and nato
    latest_soviet = max(f["runs_dry_with_all_supply"] for f in soviet)
    for f in nato:
        dry = f["runs_dry_with_all_supply"]
        assert dry is None or dry > latest_soviet


def test_init_writes_a_valid_commented_starter(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    code, _, _ = cli("init", str(path))
    assert code == 0
    assert load_scenario(path).name == "my-scenario"
    assert path.read_text().count("#") > 10
    code, _, _ = cli("init", str(path))
    assert code == 2  # refuses to overwrite without --force


def test_scenarios_lists_bundled(cli: Cli) -> None:
    code, out, _ = cli("scenarios", "--json")
    assert code == 0
    assert {r["name"] for r in json.loads(out)} >= {"tiny", "ukraine-2022"}


def test_schema_is_json_schema_with_units(cli: Cli) -> None:
    code, out, _ = cli("schema")
    assert code == 0
    schema = json.loads(out)
    assert schema["$schema"].endswith("2020-12/schema")
    assert schema["$defs"]["Depot"]["properties"]["capacity_t"]["unit"] == "t"
