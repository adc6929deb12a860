"""YAML 1.2 numbers: every form the core schema allows reads as a number (PyYAML resolves YAML
1.1, which reads ``1e12`` as a string); quoted numbers, YAML 1.1 booleans and words keep the
strictness they had, and errors stay located."""

from __future__ import annotations

from pathlib import Path

import pytest

from resupply.domain import load_scenario
from resupply.domain.load import bundled_text
from resupply.domain.source import parse_bytes
from resupply.errors import ScenarioError


@pytest.mark.parametrize(("text", "expected"), [
    ("1e12", 1e12), ("1.0e12", 1e12), ("-2.5E-3", -2.5e-3), ("1.0e+12", 1e12),
    ("+1e3", 1000.0), (".5", 0.5), ("5.", 5.0), ("1E-0", 1.0), ("0o17", 15), ("42", 42),
    ("-7", -7)])
def test_yaml_12_numbers_read_as_numbers(text: str, expected: float) -> None:
    data, _ = parse_bytes(f"a: {text}\n".encode(), "n.yaml")
    assert data["a"] == pytest.approx(expected, rel=1e-15)
    assert not isinstance(data["a"], str)


@pytest.mark.parametrize("text", ['"1e12"', "'1.0e12'", "1e", "e3", "1.5e3.2", "1e12x",
                                  "0o18", "1 e3", "abc"])
def test_quoted_and_malformed_stay_strings(text: str) -> None:
    data, _ = parse_bytes(f"a: {text}\n".encode(), "n.yaml")
    assert isinstance(data["a"], str)


def test_yaml_11_booleans_unchanged() -> None:
    data, _ = parse_bytes(b"a: yes\nb: true\nc: off\n", "n.yaml")
    assert data == {"a": True, "b": True, "c": False}


def _tiny_with(tmp_path: Path, old: str, new: str) -> Path:
    text = bundled_text("tiny")
    assert old in text
    path = tmp_path / "s.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_exponent_without_dot_loads_in_a_scenario(tmp_path: Path) -> None:
    tiny = load_scenario("tiny")
    capacity = tiny.depots[0].capacity_t
    path = _tiny_with(tmp_path, f"capacity_t: {capacity:g}", "capacity_t: 1e5")
    assert load_scenario(path).depots[0].capacity_t == 1e5


@pytest.mark.parametrize(("value", "words"), [
    ('"1e5"', "must be a valid number"), ("yes", "must be a valid number"),
    ("1e99999", "finite number")])
def test_strictness_and_location_kept(tmp_path: Path, value: str, words: str) -> None:
    tiny = load_scenario("tiny")
    capacity = tiny.depots[0].capacity_t
    path = _tiny_with(tmp_path, f"capacity_t: {capacity:g}", f"capacity_t: {value}")
    line = next(n for n, row in enumerate(path.read_text().splitlines(), 1)
                if f"capacity_t: {value}" in row)
    with pytest.raises(ScenarioError) as exc:
        load_scenario(path)
    issue = exc.value.issues[0]
    assert issue.line == line
    assert issue.path.endswith("capacity_t")
    assert words in issue.message
