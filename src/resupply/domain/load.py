"""Loading a scenario from a file or a bundled name, with every error located.

`load_scenario` is the one entry point: it reads the file safely (`source`), validates it
against the schema (`schema`) and the cross-references (`references`), and raises one
`ScenarioError` that lists every issue as ``FILE:LINE:COL: field.path: message``.
"""

from __future__ import annotations

import types
import typing
from difflib import get_close_matches
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from resupply.domain.references import check_references
from resupply.domain.schema import Scenario
from resupply.domain.source import Locations, PathKey, parse_bytes, read_source
from resupply.errors import Issue, ScenarioError, UnknownScenarioError

BUNDLED_PACKAGE = "resupply.domain.scenarios"


def bundled_names() -> list[str]:
    """Names of the scenarios shipped with the package, sorted."""
    files = resources.files(BUNDLED_PACKAGE)
    return sorted(f.name.removesuffix(".yaml") for f in files.iterdir()
                  if f.name.endswith(".yaml") and not f.name.startswith("_"))


def bundled_text(name: str) -> str:
    """The YAML text of a bundled scenario (also used as the `init` starter)."""
    return resources.files(BUNDLED_PACKAGE).joinpath(f"{name}.yaml").read_text("utf-8")


def load_scenario(source: str | Path) -> Scenario:
    """Load a scenario from a path, or from a bundled name such as ``tiny``.

    Raises `ScenarioError` (located issues) or `UnknownScenarioError`.
    """
    path = Path(source)
    if path.is_file():
        data, where = read_source(path)
    elif isinstance(source, str) and source in bundled_names():
        raw = resources.files(BUNDLED_PACKAGE).joinpath(f"{source}.yaml").read_bytes()
        data, where = parse_bytes(raw, f"{source} (bundled)")
    else:
        names = ", ".join(bundled_names())
        raise UnknownScenarioError(
            f"{source}: no such file, and not a bundled scenario; bundled scenarios: {names}")
    return validate_data(data, where)


def validate_data(data: Any, where: Locations) -> Scenario:
    """Validate parsed data; raise one `ScenarioError` with every schema and reference issue."""
    issues = list(where.issues)
    unreadable = {issue.path for issue in where.issues}
    scenario: Scenario | None = None
    if not isinstance(data, dict):
        raise ScenarioError([where.issue((), "a scenario is a mapping of fields "
                                             "(name, start, horizon_days, ...)")])
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        schema_issues = (_schema_issue(err, data, where) for err in exc.errors())
        issues.extend(i for i in schema_issues if i.path not in unreadable)
    issues.extend(where.issue(path, message) for path, message in check_references(data))
    if issues or scenario is None:
        raise ScenarioError(_unique(issues))
    return scenario


def _unique(issues: list[Issue]) -> list[Issue]:
    return list(dict.fromkeys(issues))


def _schema_issue(err: ErrorDetails, data: Any, where: Locations) -> Issue:
    path = _data_path(err["loc"], data)
    kind = err["type"]
    if kind == "missing":
        model = _model_at(path[:-1])
        about = _describe(model, str(path[-1]))
        return where.issue(path, f"required field `{path[-1]}` is missing{about}")
    if kind == "extra_forbidden":
        return where.issue(path, _unknown_field(str(path[-1]), _model_at(path[:-1])), key=True)
    message = err["msg"].replace("Input should be", "must be").replace("Value error, ", "")
    if kind not in {"value_error", "model_type", "list_type", "dict_type"}:
        message += f"; got {_show(err.get('input'))}"
    return where.issue(path, message)


def _data_path(loc: tuple[int | str, ...], data: Any) -> PathKey:
    """Pydantic's loc trimmed to the steps that exist in the data (plus a final missing key)."""
    path: list[str | int] = []
    node = data
    for n, step in enumerate(loc):
        inside_dict = isinstance(node, dict) and isinstance(step, str) and step in node
        inside_list = isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node)
        if inside_dict or inside_list:
            node = node[step]
        elif isinstance(node, dict) and isinstance(step, str) and n == len(loc) - 1:
            pass  # a missing field: the key is named but absent
        else:
            continue  # a pydantic tag (union member, validator), not a data step
        path.append(step)
    return tuple(path)


def _model_at(path: PathKey) -> type[BaseModel] | None:
    model: type[BaseModel] | None = Scenario
    for step in path:
        if model is None:
            return None
        if isinstance(step, int):
            continue
        field = model.model_fields.get(step)
        model = _inner_model(field.annotation) if field else None
    return model


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin in (list, typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            found = _inner_model(arg)
            if found is not None:
                return found
    return None


def _describe(model: type[BaseModel] | None, name: str) -> str:
    field = model.model_fields.get(name) if model else None
    return f" ({field.description})" if field and field.description else ""


def _unknown_field(name: str, model: type[BaseModel] | None) -> str:
    if model is None:
        return f"unknown field `{name}`"
    valid = sorted(model.model_fields)
    close = get_close_matches(name, valid, n=1)
    hint = f"did you mean `{close[0]}`? " if close else ""
    return f"unknown field `{name}`; {hint}valid fields here: {', '.join(valid)}"


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
