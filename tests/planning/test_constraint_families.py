"""Constraint families are values: every family the model builds is declared once, with its
wording, and what explains a plan holds the value, not a copy of its name."""

from __future__ import annotations

from resupply.compile import Problem
from resupply.planning import PlanOptions
from resupply.planning.constraints import CONSTRAINTS, FAIR_SHARE_HIGH, FAIR_SHARE_LOW, PLEDGE
from resupply.planning.model import build_model


def test_every_family_built_is_declared_with_its_words(tiny_problem: Problem) -> None:
    model = build_model(tiny_problem, PlanOptions(integer=True))
    assert {f.kind for f in model.families.values()} <= set(CONSTRAINTS)
    assert len({c.name for c in CONSTRAINTS}) == len(CONSTRAINTS)
    assert all(c.words and c.words.split(":")[0] for c in CONSTRAINTS)
    assert {c for c in CONSTRAINTS if c.soft} >= {FAIR_SHARE_LOW, FAIR_SHARE_HIGH}
    assert not PLEDGE.balance and not PLEDGE.soft


def test_an_infeasible_pledge_is_explained_in_its_familys_words() -> None:
    from resupply.planning import plan

    from .test_api import _over_pledged

    result = plan(_over_pledged())
    assert any(line.startswith(PLEDGE.words) for line in result.explanation), result.explanation
