"""Plans certified to a risk: the bound, the seeds, a closed form and the CLI end to end."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy.stats import beta, binom, norm

from resupply.compile import Problem, compile_problem
from resupply.domain import Scenario
from resupply.domain.load import load_scenario
from resupply.errors import PlanningError
from resupply.simulation import DemandModel, PlanPolicy, SimOptions, simulate
from resupply.workflow.certify import (
    CertifyOptions,
    calibration_target,
    certify,
    clopper_pearson_upper,
    parse_risk,
)
from resupply.workflow.policies import plan_input, risk_scope

MEAN, CV, LEAD, HORIZON = 100.0, 0.3, 3, 40


@pytest.mark.parametrize(("failures", "runs"), [(0, 100), (3, 100), (41, 2000), (150, 2000)])
def test_clopper_pearson_bound_inverts_the_binomial(failures: int, runs: int) -> None:
    """The one-sided 95 % upper bound u solves P(X <= k | n, u) = 5 %, computed here by the
    binomial CDF (an independent route to the same number)."""
    upper = clopper_pearson_upper(failures, runs, 0.95)
    assert binom.cdf(failures, runs, upper) == pytest.approx(0.05, abs=1e-9)
    assert clopper_pearson_upper(runs, runs) == 1.0


def test_the_calibration_aims_where_the_bound_would_still_pass() -> None:
    """At the calibration target (x 1/0.8) the bound over the certification runs passes, one
    failure more and it does not."""
    runs, risk = 2000, 0.05
    k = round(calibration_target(risk, runs, 0.95) / 0.8 * runs)
    assert clopper_pearson_upper(k, runs) <= risk < clopper_pearson_upper(k + 1, runs)


@pytest.mark.parametrize(("text", "value"), [("5%", 0.05), ("0.05", 0.05), (" 12.5 % ", 0.125)])
def test_a_risk_reads_as_a_percentage_or_a_probability(text: str, value: float) -> None:
    assert parse_risk(text) == pytest.approx(value)


@pytest.mark.parametrize("text", ["5", "0", "100%", "-1%", "nan", "five", "1e400%"])
def test_a_risk_that_is_not_one_is_refused(text: str) -> None:
    with pytest.raises(PlanningError, match="--risk"):
        parse_risk(text)


def base_stock_problem() -> Problem:
    """One family, one depot next to the hub (transit 0), one donor with ample stock shipping
    daily with lead 3, demand 100 a day, no strikes, delays or surges; a holding cost of
    EUR 0.001 a unit and day makes holding exactly the buffer the one optimum (without it any
    stock above the buffer is free, and which of the optima the LP race returns depended on
    the machine's load)."""
    data: dict[str, Any] = {
        "name": "base-stock", "start": "2024-01-01", "horizon_days": HORIZON,
        "standards": [{"id": "std"}],
        "families": [{"id": "fam", "standard": "std", "shortfall_penalty_eur": 1000.0}],
        "items": [{"id": "it", "family": "fam", "mass_kg": 1.0, "value_eur": 10.0}],
        "platforms": [{"id": "gun", "standard": "std", "initial": 1,
                       "uses": [{"family": "fam", "rounds_per_day": MEAN}]}],
        "donors": [{"id": "d", "lead_days": LEAD, "tranche_every_days": 1,
                    "stock": [{"item": "it", "quantity": 1e6}]}],
        "hub": {"throughput_t_per_day": 1e6},
        "depots": [{"id": "dep", "capacity_t": 1e6, "demand_share": 1.0, "transit_days": 0,
                    "initial_stock": [{"item": "it", "quantity": 2000.0}]}],
        "weights": {"smoothness": 0.0, "holding_per_unit_day": 0.001}}
    return compile_problem(Scenario.model_validate(data))


def test_the_calibrated_buffer_is_the_base_stock_safety_stock() -> None:
    """Known answer: base stock with normal demand (mean mu, sd sigma = cv mu), lead L and
    backorders. Following the plan with its execution rule, the day's shortfall happens when
    the demand of the L + 1 days the last order had to cover exceeds their mean plus the
    safety stock B, so P(stockout on a day) = 1 - Phi(B / (sigma sqrt(L + 1))). Only the last
    day is counted (warm-up), so the horizon risk is that day's. The calibrated safety stock
    and the risk it achieves
    on the calibration runs must satisfy the closed form within the binomial interval of that
    risk."""
    p = base_stock_problem()
    template = SimOptions(demand=DemandModel("normal", CV), delays=False, surges=False,
                          strikes=False, backorders=True, warmup_days=HORIZON - 1)
    options = CertifyOptions(risk=0.3, calibration_runs=2000, certification_runs=2000,
                             max_calibrations=5, hub_reserve=False, simulation=template)
    cert = certify(p, options, np.ones(1, dtype=bool))
    assert cert.status == "certified", cert.message
    plan = cert.plan
    assert plan.buffer_level is not None and plan.hub_reserve_level is None
    safety = float(plan.buffer_level[0, 0, -1])
    assert float(plan.buffer_deficit[0, 0, -1]) < 1e-6
    rate, runs = cert.iterations[-1].failure_rate, options.calibration_runs
    k = round(rate * runs)  # two-sided 99 % Clopper-Pearson interval of the achieved risk
    rate_low = beta.ppf(0.005, k, runs - k + 1) if k > 0 else 0.0
    rate_high = beta.ppf(0.995, k + 1, runs - k)
    sigma_l = CV * MEAN * np.sqrt(LEAD + 1)
    low, high = norm.ppf(1 - rate_high) * sigma_l, norm.ppf(1 - rate_low) * sigma_l
    assert low <= safety <= high, (safety, low, high, rate)


def test_the_closed_form_safety_stock_gives_its_risk() -> None:
    """The other way round: the plan holding ``B = z sigma sqrt(L + 1)`` with z = 2 runs out
    on a day with probability ``1 - Phi(2)`` = 2.28 %, within three binomial standard errors
    of 8,000 runs."""
    from resupply.planning import Buffers, plan

    p = base_stock_problem()
    base = plan(p, cost_of_fairness=False, explain=False)
    level = np.zeros_like(p.need)
    level[:, :, LEAD + 1:] = 2.0 * CV * MEAN * np.sqrt(LEAD + 1)
    buffered = plan(p, cost_of_fairness=False, explain=False, warm_start=base,
                    buffers=Buffers(mask=p.need > 0, level=level,
                                    penalty=p.shortfall_penalty / HORIZON,
                                    shortfall_cap=np.array(base.shortfall)))
    options = SimOptions(runs=8000, seed=4, demand=DemandModel("normal", CV), delays=False,
                         surges=False, strikes=False, backorders=True,
                         warmup_days=HORIZON - 1)
    sim = simulate(p, PlanPolicy(plan_input(buffered)), options)
    rate = float(np.mean(sim.totals.short_days.sum(axis=(1, 2)) > 0))
    expected = 1 - norm.cdf(2.0)
    assert abs(rate - expected) <= 3 * np.sqrt(expected * (1 - expected) / options.runs)


def test_the_certificate_comes_from_fresh_runs_of_another_seed(tiny_problem: Problem) -> None:
    """The certified figure is what an independent simulation of the certified plan with the
    certification seed shows, and that seed is not the calibration seed."""
    options = CertifyOptions(risk=0.05, calibration_runs=500, certification_runs=1000, seed=3)
    cert = certify(tiny_problem, options, risk_scope(tiny_problem))
    assert options.fresh_seed != options.seed
    assert cert.counted is not None
    from dataclasses import replace

    from resupply.workflow.policies import reference_plan, risk_reference

    ref = risk_reference(tiny_problem, SimOptions(), risk_scope(tiny_problem),
                         reference_plan(tiny_problem))
    ref = replace(ref, limited=~cert.counted)
    again = simulate(tiny_problem, PlanPolicy(plan_input(cert.plan)),
                     SimOptions(runs=1000, seed=options.fresh_seed), reference=ref)
    assert int(np.sum(again.totals.avoid_scope_days > 0)) == cert.failures
    calibrated = simulate(tiny_problem, PlanPolicy(plan_input(cert.plan)),
                          SimOptions(runs=1000, seed=options.seed), reference=ref)
    assert not np.array_equal(calibrated.totals.demand, again.totals.demand)


def test_plan_risk_certifies_tiny_and_a_replay_with_another_seed_agrees(
        cli: Any, tmp_path: Path) -> None:
    """`resupply plan tiny --risk 5%` prints and writes a certified plan; simulating that
    plan directory with yet another seed gives an avoidable-stockout rate within the
    binomial noise of the certificate's."""
    out = tmp_path / "certified"
    code, stdout, stderr = cli("plan", "tiny", "--risk", "5%", "--out", str(out))
    assert code == 0, stdout + stderr
    assert "certified: upper bound" in stdout and "LP solves" in stdout
    cert = json.loads((out / "certificate.json").read_text())
    assert cert["status"] == "certified" and cert["certification"]["upper_bound"] <= 0.05
    assert cert["certification"]["seed"] != cert["calibration"]["seed"]
    sim_dir = tmp_path / "sim"
    code, stdout, stderr = cli("simulate", "tiny", "--plan", str(out), "--seed", "11",
                               "--runs", "2000", "--json", "--out", str(sim_dir))
    assert code == 0, stderr
    rate = json.loads(stdout)["overall"]["avoidable"]["stockout_prob"]
    estimate = cert["certification"]["estimate"]
    spread = 3 * np.sqrt(estimate * (1 - estimate) * (1 / 2000 + 1 / 2000)) + 1e-3
    assert abs(rate - estimate) <= spread


def test_a_bundled_scenario_keeps_its_meaning_through_certification() -> None:
    """Buffers never take supply from need: the certified plan of tiny is short exactly where
    the deterministic plan is."""
    p = compile_problem(load_scenario("tiny"))
    cert = certify(p, CertifyOptions(risk=0.05, calibration_runs=300,
                                     certification_runs=300), risk_scope(p))
    np.testing.assert_allclose(cert.plan.shortfall, cert.deterministic.shortfall, atol=1e-6,
                               rtol=1e-6)


def test_the_certificate_says_from_when_each_family_counts(tiny_problem: Problem) -> None:
    """The certificate names the day each family in scope starts to count, and it is the
    first day any of its cells with need is counted: no earlier day is, every later one is
    unless it is limited by its own cause. At 1 % the ramp-up runs to a later quantile of
    the first tranche's delay than at 10 %, so the period starts no earlier."""
    options = CertifyOptions(risk=0.05, calibration_runs=200, certification_runs=200)
    cert = certify(tiny_problem, options, risk_scope(tiny_problem))
    assert cert.counted is not None
    start = cert.certified_from()
    assert set(start) == set(cert.scope) == {"art155"}
    f = tiny_problem.families.index("art155")
    counted_days = (cert.counted[f] & (tiny_problem.need[f] > 0)).any(axis=0)
    first = int(np.argmax(counted_days))
    assert start["art155"] == str(tiny_problem.dates[first])
    assert not counted_days[:first].any()
    assert json.loads(json.dumps(cert.to_dict()))["certified_from"] == start
    from resupply.workflow.certify import ramp_reliability

    assert ramp_reliability(0.01) > ramp_reliability(0.1) >= 0.95


def test_the_certificate_keeps_the_figures_of_its_own_certification_runs(
        tiny_problem: Problem) -> None:
    """The frontier shows the certified plan from the certificate's runs without simulating
    them again: they equal a new simulation of the plan with the certification seed, runs
    and reference, figure for figure."""
    from resupply.simulation.frontier import PolicyPoint

    options = CertifyOptions(risk=0.05, calibration_runs=200, certification_runs=300)
    cert = certify(tiny_problem, options, risk_scope(tiny_problem))
    again = simulate(tiny_problem, PlanPolicy(plan_input(cert.plan)),
                     SimOptions(runs=300, seed=options.fresh_seed), reference=cert.reference())
    assert cert.point == PolicyPoint.from_result(again)
    assert cert.failures == round(cert.point.avoidable_prob * 300)


def test_a_certificate_started_from_another_levels_deterministic_plan_is_the_same(
        tiny_problem: Problem) -> None:
    """The frontier certifies each level from the first level's deterministic plan and its
    simulated loss: the certificate is the one certify would give on its own."""
    scope = risk_scope(tiny_problem)
    first = certify(tiny_problem, CertifyOptions(risk=0.2, calibration_runs=100,
                                                 certification_runs=200), scope)
    options = CertifyOptions(risk=0.1, calibration_runs=100, certification_runs=200)
    alone = certify(tiny_problem, options, scope)
    started = certify(tiny_problem, options, scope, first.deterministic_start())
    assert started.to_dict()["strike_loss_eur"] == alone.to_dict()["strike_loss_eur"]
    assert (started.status, started.failures, started.upper_bound) == (
        alone.status, alone.failures, alone.upper_bound)
    assert started.solves == alone.solves - 1
    assert started.simulations == alone.simulations - 1


def test_a_certificate_is_the_same_on_every_run(tiny_problem: Problem) -> None:
    """Certifying the same problem with the same options twice gives the same plan and the
    same figures: its solves use one deterministic LP method (`policies.REPRODUCIBLE`), not
    the race, whose winner (and, where the optimum is not unique, whose plan) depends on the
    machine's load."""
    from resupply.workflow.policies import REPRODUCIBLE

    options = CertifyOptions(risk=0.05, calibration_runs=200, certification_runs=300)
    first = certify(tiny_problem, options, risk_scope(tiny_problem))
    second = certify(tiny_problem, options, risk_scope(tiny_problem))
    assert first.plan.options.method == first.deterministic.options.method == REPRODUCIBLE
    np.testing.assert_array_equal(first.plan.dispatch, second.plan.dispatch)
    assert first.to_dict()["certification"] == second.to_dict()["certification"]
