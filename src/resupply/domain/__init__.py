"""Core layer: the scenario schema, safe located loading and cross-reference validation."""

from resupply.domain.load import bundled_names, load_scenario
from resupply.domain.schema import Scenario

__all__ = ["Scenario", "bundled_names", "load_scenario"]
