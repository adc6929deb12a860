"""The scenario JSON Schema and the Markdown field reference, both generated from `schema`."""

from __future__ import annotations

from typing import Any

from resupply.domain.schema import Scenario

SCHEMA_ID = "https://resupply.invalid/schema/scenario-v1.json"


def scenario_json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of a scenario file, with units and descriptions."""
    schema = Scenario.model_json_schema(mode="validation")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID,
            **schema}


def field_reference() -> str:
    """docs/scenario.md: one table per model, generated from the schema (checked by a test)."""
    schema = scenario_json_schema()
    defs: dict[str, Any] = schema.get("$defs", {})
    lines = [
        "# Scenario field reference",
        "",
        "Generated from the schema by `make docs` (`python -m resupply.domain.jsonschema`);",
        "a test fails when this file is stale. Units are in brackets; `required` fields have",
        "no default. Get the JSON Schema for your editor with `resupply schema`.",
        "",
    ]
    lines += _model_section("Scenario", schema)
    for name in sorted(defs):
        lines += _model_section(name, defs[name])
    return "\n".join(lines).rstrip() + "\n"


def _model_section(name: str, model: dict[str, Any]) -> list[str]:
    lines = [f"## {name}", "", model.get("description", "").strip(), "",
             "| field | type | unit | default | description |", "|---|---|---|---|---|"]
    required = set(model.get("required", []))
    for field, spec in model.get("properties", {}).items():
        default = "required" if field in required else _default(spec)
        description = spec.get("description", "").replace("|", "\\|").replace("\n", " ")
        lines.append(f"| `{field}` | {_type(spec)} | {spec.get('unit', '')} | {default} | "
                     f"{description} |")
    return [*lines, ""]


def _default(spec: dict[str, Any]) -> str:
    if "default" in spec:
        return f"`{spec['default']!r}`"
    return "`[]`" if spec.get("type") == "array" else "all defaults"


def _type(spec: dict[str, Any]) -> str:
    if "$ref" in spec:
        return f"[{spec['$ref'].rsplit('/', 1)[-1]}](#{spec['$ref'].rsplit('/', 1)[-1].lower()})"
    if "anyOf" in spec:
        return " or ".join(_type(s) for s in spec["anyOf"])
    if spec.get("type") == "array":
        return f"list of {_type(spec.get('items', {}))}"
    if "enum" in spec:
        return " \\| ".join(f"`{v}`" for v in spec["enum"])
    if "const" in spec:
        return f"`{spec['const']}`"
    fmt = spec.get("format")
    return str(fmt or spec.get("type", "any"))


if __name__ == "__main__":  # pragma: no cover
    print(field_reference(), end="")
