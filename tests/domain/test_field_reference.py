"""The field reference is generated from the schema and current; every field is described."""

from __future__ import annotations

from pathlib import Path

from resupply.domain.jsonschema import field_reference, scenario_json_schema

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_field_reference_is_current() -> None:
    assert (DOCS / "scenario.md").read_text() == field_reference(), (
        "docs/scenario.md is stale: run `make docs`")


def test_every_field_has_a_description() -> None:
    schema = scenario_json_schema()
    models = {"Scenario": schema, **schema["$defs"]}
    missing = [f"{m}.{f}" for m, spec in models.items()
               for f, fs in spec.get("properties", {}).items() if not fs.get("description")]
    assert missing == []
