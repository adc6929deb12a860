"""Compile layer: a validated scenario -> one immutable `Problem` of indexed NumPy arrays."""

from resupply.compile.build import compile_problem, scenario_hash
from resupply.compile.problem import Problem

__all__ = ["Problem", "compile_problem", "scenario_hash"]
