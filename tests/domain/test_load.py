"""Loading: bundled names, JSON twin, and the safety limits (size, aliases, nesting, tags)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from resupply.domain import Scenario, bundled_names, load_scenario
from resupply.domain.source import MAX_BYTES, MAX_DEPTH, parse_bytes
from resupply.errors import ScenarioError, UnknownScenarioError


def messages(exc: pytest.ExceptionInfo[ScenarioError]) -> list[str]:
    return [i.message for i in exc.value.issues]


def test_bundled_scenarios_load() -> None:
    assert {"tiny", "ukraine-2022"} <= set(bundled_names())
    for name in bundled_names():
        assert load_scenario(name).name == name


def test_unknown_name_lists_the_bundled_ones() -> None:
    with pytest.raises(UnknownScenarioError, match=r"bundled scenarios: .*tiny"):
        load_scenario("no-such-scenario")


def test_json_twin_loads_to_the_same_scenario(tiny: Scenario, tmp_path: Path) -> None:
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(tiny.model_dump(mode="json"), indent=2))
    assert load_scenario(path) == tiny


def test_json_duplicate_keys_and_nan_are_rejected(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"name": "a", "horizon_days": NaN}')
    with pytest.raises(ScenarioError) as exc:
        load_scenario(path)
    assert "NaN is not a number" in messages(exc)[0]


def test_file_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    path.write_bytes(b"# " + b"x" * MAX_BYTES + b"\n")
    with pytest.raises(ScenarioError) as exc:
        load_scenario(path)
    assert exc.value.issues[0].line == 1
    assert f"the limit is {MAX_BYTES:,} bytes" in messages(exc)[0]


def test_alias_bomb_is_stopped() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{n}: &a{n} [*a{n-1}, *a{n-1}, *a{n-1}, *a{n-1}, *a{n-1}, *a{n-1}, *a{n-1}, "
              f"*a{n-1}, *a{n-1}, *a{n-1}]" for n in range(1, 9)]
    with pytest.raises(ScenarioError) as exc:
        parse_bytes("\n".join(lines).encode(), "bomb.yaml")
    assert "expands to more than" in messages(exc)[0]


@pytest.mark.parametrize("depth", [MAX_DEPTH + 5, 5000])
def test_deep_nesting_is_refused(depth: int) -> None:
    text = "[" * depth + "]" * depth
    with pytest.raises(ScenarioError) as exc:
        parse_bytes(text.encode(), "deep.yaml")
    assert "nesting is too deep" in messages(exc)[0]


def test_no_tag_is_ever_constructed(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    text = f"name: !!python/object/apply:os.system ['touch {marker}']\n"
    data, where = parse_bytes(text.encode(), "t.yaml")
    assert not marker.exists()
    assert data == {"name": None}
    assert "!!python/object/apply:os.system is not allowed" in where.issues[0].message


def test_issue_locations_point_at_the_value() -> None:
    text = "name: x\nhorizon_days: 3\nhub:\n  throughput_t_per_day: -1\n"
    data, where = parse_bytes(text.encode(), "s.yaml")
    assert where.find(("hub", "throughput_t_per_day")) == (4, 25)
    assert where.find(("hub", "missing")) == (4, 3)
    assert yaml.safe_load(text) == data
