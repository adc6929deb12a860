"""Typed records shared by writer and reader: what is written reads back as the same value,
and every figure the metrics define has a field."""

from __future__ import annotations

import json

import numpy as np

from resupply.analysis import explain
from resupply.analysis.explain import Outlook
from resupply.compile import Problem
from resupply.simulation import CadencePolicy, LumpPolicy, SimOptions, simulate, summarize
from resupply.simulation.frontier import Frontier, PolicyPoint, frontier
from resupply.simulation.records import SimMetrics


def test_metrics_read_back_from_their_json(tiny: Problem) -> None:
    result = simulate(tiny, CadencePolicy(7), SimOptions(runs=30, seed=2))
    written = summarize(result)
    metrics = SimMetrics.from_dict(json.loads(json.dumps(written)))
    assert metrics.to_dict() == written  # every key of summarize has a field, none is invented
    assert json.dumps(metrics.to_dict()) == json.dumps(written)  # same order: same file
    assert SimMetrics.from_result(result) == metrics


def test_record_fields_are_the_figures_computed(tiny: Problem) -> None:
    """Independent: the totals themselves, summed by hand."""
    result = simulate(tiny, LumpPolicy(), SimOptions(runs=25, seed=5))
    m = SimMetrics.from_result(result)
    tot = result.totals
    assert m.runs == 25 and m.policy == "lump"
    np.testing.assert_allclose(m.overall.lost_value.mean, tot.lost_value.sum(axis=(1, 2)).mean())
    art155 = tiny.families.index("art155")
    np.testing.assert_allclose(m.families["art155"].stockout_prob,
                               np.mean(tot.family_short_days[:, art155] > 0))
    np.testing.assert_allclose(m.depots["near"].lost_tons.mean,
                               tot.lost_tons[:, tiny.depots.index("near")].sum(axis=1)
                               .mean())


def test_a_frontier_and_an_outlook_read_back(tiny: Problem) -> None:
    points = [PolicyPoint("a", 0.1, 2.0, 0.2, 3.0, 0.9, 100.0, 1.0, 5.0),
              PolicyPoint("b", 0.0, 0.0, 0.1, 1.0, 1.0, 300.0, 3.0, 9.0)]
    chosen = frontier(points, 0.05, ("art152",))
    assert Frontier.from_dict(json.loads(json.dumps(chosen.to_dict()))) == chosen
    assert chosen.best_point.policy == "b" and chosen.point("z") is None
    outlook = explain(tiny)
    assert Outlook.from_dict(json.loads(json.dumps(outlook.to_dict()))) == outlook
