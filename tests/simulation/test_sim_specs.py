"""Policy specs: parsed once into frozen values that write themselves back exactly."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from resupply.errors import SimulationError
from resupply.simulation.policies import CadencePolicy, OrderUpToPolicy
from resupply.simulation.policy_spec import (
    CadenceSpec,
    LumpSpec,
    MinMaxSpec,
    OrderUpToSpec,
    PlanSpec,
    PolicySpec,
    RollingSpec,
    parse_spec,
    spec_number,
)
from resupply.simulation.specs import parse_policy

positive = st.floats(min_value=1e-9, max_value=1e12, allow_nan=False, allow_infinity=False,
                     exclude_min=False)
days = st.floats(min_value=1e-9, max_value=36_500, allow_nan=False, allow_infinity=False)
"""Buffers and days of cover: positive, at most 100 years (`policy_spec.BUFFER_DAYS`)."""
whole = st.integers(min_value=1, max_value=10_000)
reorder = st.floats(min_value=0, max_value=1e12, allow_nan=False, allow_infinity=False)
reorder_days = st.floats(min_value=0, max_value=36_500, allow_nan=False, allow_infinity=False)


def min_max(low: float, high: float, days: bool) -> MinMaxSpec:
    """An (s,S) spec from two numbers in range: the smaller is S, the other s (just below S
    when they are equal, which happens only above 0)."""
    low, high = sorted((low, high))
    if low == high:
        low = math.nextafter(low, -math.inf)
    return MinMaxSpec(low, high, days)



specs: st.SearchStrategy[PolicySpec] = st.one_of(
    st.just(PlanSpec()), st.just(LumpSpec()),
    st.builds(CadenceSpec, whole, days), st.builds(CadenceSpec, whole),
    st.builds(lambda level: OrderUpToSpec(level=level), positive),
    st.builds(lambda days: OrderUpToSpec(days=days), days),
    st.just(OrderUpToSpec()), st.builds(RollingSpec, whole),
    st.builds(min_max, reorder, positive, st.just(False)),
    st.builds(min_max, reorder_days, days, st.just(True)))


@settings(max_examples=300, deadline=None, derandomize=True)
@given(specs)
def test_a_spec_reads_back_from_its_text(spec: PolicySpec) -> None:
    assert parse_spec(str(spec)) == spec


def test_an_exact_level_is_kept() -> None:
    """The level of a calibrated policy is not rounded on its way to the record."""
    text = "order-up-to:56.60395592743389"
    assert parse_spec(text) == OrderUpToSpec(level=56.60395592743389)
    assert str(parse_spec(text)) == text
    assert OrderUpToPolicy(level=56.60395592743389).name == text
    assert CadencePolicy(7, 2.25).name == "cadence:7:2.25"


@pytest.mark.parametrize(("value", "text"), [(7.0, "7"), (1200, "1200"), (2.5, "2.5"),
                                             (1e-05, "1e-05"), (1e20, "1e+20")])
def test_numbers_are_written_in_their_shortest_exact_form(value: float, text: str) -> None:
    assert spec_number(value) == text
    assert float(text) == value


@pytest.mark.parametrize("text", ["order-up-to:inf", "order-up-to:nand", "cadence:7:0",
                                  "cadence:1.5", "rolling:0"])
def test_non_finite_and_non_positive_numbers_are_refused(text: str) -> None:
    with pytest.raises(SimulationError, match="policy"):
        parse_spec(text)


def test_values_are_checked_where_they_are_made() -> None:
    with pytest.raises(SimulationError, match="LEVEL or Nd days, not both"):
        OrderUpToSpec(level=5.0, days=3.0)
    with pytest.raises(SimulationError, match="whole number"):
        CadenceSpec(True)  # type: ignore[arg-type]


@pytest.mark.parametrize(("text", "says"), [
    ("sS:60:20", "s must be below S"), ("sS:20:20", "s must be below S"),
    ("sS:5:15d", "both in units"), ("sS:5d:15", "both in units"), ("sS:5", "unknown policy"),
    ("sS:-1:3", "reorder point"), ("sS:1:inf", "order-up-to level"),
    ("sS:0d:0d", "days of cover"), ("sS:1:2:3", "unknown policy")])
def test_bad_min_max_specs_say_what_is_valid(text: str, says: str) -> None:
    with pytest.raises(SimulationError, match=says):
        parse_spec(text)


def test_min_max_units_are_written_as_given() -> None:
    assert parse_spec("sS:20:60") == MinMaxSpec(20.0, 60.0)
    assert parse_spec("sS:2.5d:10d") == MinMaxSpec(2.5, 10.0, days=True)
    assert str(MinMaxSpec(0.0, 1e3)) == "sS:0:1000"
    assert parse_policy("sS:2.5d:10d").name == "sS:2.5d:10d"


def test_a_spec_value_builds_the_same_policy_as_its_text() -> None:
    assert parse_policy(CadenceSpec(3, 2.0)).name == parse_policy("cadence:3:2").name == \
        "cadence:3:2"
