"""Jobs: a plan runs in a worker process through the workflow, is published, and each donor
sees only its own tranches; cancel, the wall clock, dead workers and restarts."""

from __future__ import annotations

import csv
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from resupply.service import create_app, jobs
from resupply.service.jobs import JobKind, JobState
from resupply.service.runner import Scheduler

from .conftest import Env, make_settings, pledge


def run_until_done(env: Env, job_id: int, rounds: int = 600) -> dict[str, object]:
    """Tick a scheduler (real worker processes) until the job ends; its JSON."""
    scheduler = Scheduler(env.ws, env.settings)
    for _ in range(rounds):
        scheduler.tick()
        job = env.client.get(f"/api/v1/jobs/{job_id}", headers=env.auth("coordinator")).json()
        if job["state"] not in {"queued", "running"}:
            while scheduler.running:  # let the worker exit and be reaped
                scheduler.tick()
                time.sleep(0.05)
            return dict(job)
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not end: {job}")


def test_a_plan_job_is_published_and_each_role_sees_its_part(env: Env, tmp_path: Path) -> None:
    """One plan (with a ledger pledge of west) through a real worker, published; then the
    coordinator sees the workflow's tranches, each donor its own only, a viewer none, and
    neither sees an aggregate behind fewer than two other donors (tiny has two donors)."""
    pledge(env, "west", "west", "m795", 500)
    answer = env.client.post("/api/v1/jobs/plan", headers=env.auth("coordinator"),
                             json={"scenario": "tiny", "use_ledger": True})
    assert answer.status_code == 202, answer.text
    job = run_until_done(env, answer.json()["id"])
    assert job["state"] == "succeeded", job
    assert any("1 open pledges used" in n for n in job["result"]["notes"])  # type: ignore[index]
    publish = env.client.post("/api/v1/plans/published", headers=env.auth("coordinator"),
                              json={"job_id": job["id"], "note": "week 1"})
    assert publish.status_code == 201, publish.text
    seen = {user: env.client.get("/api/v1/plans/published?limit=500",
                                 headers=env.auth(user)).json()
            for user in ("coordinator", "east", "west", "north", "viewer")}
    everyone = seen["coordinator"]
    with (tmp_path / "work" / "jobs" / str(job["id"]) / "run" / "tranches.csv").open() as f:
        written = list(csv.DictReader(f))
    assert everyone["tranches_total"] == len(written) > 0
    assert sum(t["quantity"] for t in everyone["tranches"]) == pytest.approx(
        sum(float(r["quantity"]) for r in written), rel=1e-9)
    families = {f["family"] for f in everyone["families"]}
    for donor in ("east", "west", "north"):
        mine = seen[donor]
        expected = [t for t in everyone["tranches"] if t["donor"] == donor]
        assert mine["tranches"] == expected and mine["tranches_total"] == len(expected)
        assert set(mine["withheld"]) == families
        assert [(f["need"], f["days_of_supply"]) for f in mine["families"]] == [
            (f["need"], f["days_of_supply"]) for f in everyone["families"]]
        assert all(f["delivered"] is f["shortfall"] is f["stockout_prob"] is None
                   for f in mine["families"])
    assert seen["viewer"]["tranches"] == [] and set(seen["viewer"]["withheld"]) == families
    from resupply.analysis import explain
    from resupply.compile import compile_problem
    from resupply.domain.load import load_scenario

    outlook = {f.family: f.days_of_supply
               for f in explain(compile_problem(load_scenario("tiny"))).families}
    assert {f["family"]: f["days_of_supply"] for f in everyone["families"]} == outlook
    report = env.client.get(f"/api/v1/jobs/{job['id']}/report", headers=env.auth("coordinator"))
    assert report.status_code == 200 and "figure-stock" in report.text
    assert env.client.get(f"/api/v1/jobs/{job['id']}/report",
                          headers=env.auth("east")).status_code == 403
    audit = env.client.get("/api/v1/audit", headers=env.auth("coordinator")).json()
    assert [e["action"] for e in audit["entries"]][:2] == ["plan.publish", "job.submit.plan"]


def test_cancelling_a_queued_job_ends_it(env: Env) -> None:
    job = env.client.post("/api/v1/jobs/plan", headers=env.auth("coordinator"),
                          json={"scenario": "tiny"}).json()
    done = env.client.post(f"/api/v1/jobs/{job['id']}/cancel",
                           headers=env.auth("coordinator")).json()
    assert done["state"] == "cancelled"
    assert jobs.claim_next(env.ws) is None


def test_cancelling_a_running_job_stops_its_worker(env: Env) -> None:
    job = env.client.post("/api/v1/jobs/simulation", headers=env.auth("coordinator"),
                          json={"scenario": "tiny", "runs": 20000}).json()
    scheduler = Scheduler(env.ws, env.settings)
    scheduler.tick()
    (running,) = scheduler.running.values()
    env.client.post(f"/api/v1/jobs/{job['id']}/cancel", headers=env.auth("coordinator"))
    scheduler.tick()
    assert running.process.poll() is not None
    assert jobs.get(env.ws, job["id"]).state is JobState.CANCELLED


def test_a_job_over_the_wall_clock_is_stopped_and_failed(tmp_path: Path) -> None:
    from resupply.service.settings import Limits

    from .conftest import seed

    settings = make_settings(tmp_path, limits=Limits(job_wall_clock_s=0.0))
    with TestClient(create_app(settings)) as client:
        ws = client.app.state.workspace  # type: ignore[attr-defined]
        seed(ws)
        job = jobs.submit(ws, JobKind.PLAN, "coordinator", 1,
                          {"use_ledger": False, "time_limit_s": 60, "filename": "tiny.yaml"},
                          max_live=5)
        scheduler = Scheduler(ws, settings)
        scheduler.tick()
        scheduler.tick()
        ended = jobs.get(ws, job.id)
    assert ended.state is JobState.FAILED
    assert "wall-clock limit of 0 s" in ended.message


def test_a_dead_worker_s_job_is_failed_with_its_message(env: Env) -> None:
    job = jobs.submit(env.ws, JobKind.PLAN, "coordinator", 1,
                      {"use_ledger": False, "time_limit_s": 60, "filename": "tiny.yaml"},
                      max_live=5)
    assert jobs.claim_next(env.ws) is not None  # claimed by a server that then died
    assert jobs.sweep_dead(env.ws, stale_after_s=-1.0) == 1
    ended = jobs.get(env.ws, job.id)
    assert ended.state is JobState.FAILED and "stopped without finishing" in ended.message


def test_a_worker_that_fails_marks_its_job_failed_with_the_reason(env: Env) -> None:
    job = jobs.submit(env.ws, JobKind.SIMULATION, "coordinator", 1,
                      {"policy": "no-such-policy", "runs": 10, "seed": 0,
                       "filename": "tiny.yaml"}, max_live=5)
    ended = run_until_done(env, job.id)
    assert ended["state"] == "failed" and "no-such-policy" in str(ended["message"])


def test_jobs_survive_a_restart(tmp_path: Path) -> None:
    from .conftest import seed

    settings = make_settings(tmp_path)
    with TestClient(create_app(settings)) as client:
        tokens = seed(client.app.state.workspace)  # type: ignore[attr-defined]
        auth = {"Authorization": f"Bearer {tokens['coordinator']}"}
        job_id = client.post("/api/v1/jobs/plan", headers=auth,
                             json={"scenario": "tiny"}).json()["id"]
    with TestClient(create_app(settings)) as client:
        again = client.get(f"/api/v1/jobs/{job_id}", headers=auth).json()
    assert again["state"] == "queued" and again["params"]["scenario"] == "tiny"


def test_jobs_per_user_are_limited_with_429(env: Env) -> None:
    answers = [env.client.post("/api/v1/jobs/plan", headers=env.auth("coordinator"),
                               json={"scenario": "tiny"}) for _ in range(3)]
    assert [a.status_code for a in answers] == [202, 202, 429]
    assert "limit is 2" in answers[2].json()["detail"]


def test_a_simulation_job_is_the_workflow_s_simulation(env: Env) -> None:
    """The job's risk figures equal `resupply.simulate` with the same policy, runs, seed."""
    import resupply

    answer = env.client.post("/api/v1/jobs/simulation", headers=env.auth("coordinator"),
                             json={"scenario": "tiny", "policy": "cadence:7", "runs": 60,
                                   "seed": 3})
    job = run_until_done(env, answer.json()["id"])
    assert job["state"] == "succeeded", job
    direct = resupply.simulate("tiny", policy="cadence:7", runs=60, seed=3)
    families = job["result"]["families"]  # type: ignore[index]
    assert set(families) == set(direct.metrics.families)
    for name, f in direct.metrics.families.items():
        assert families[name]["stockout_prob"] == pytest.approx(f.stockout_prob, rel=1e-12)
        assert families[name]["fill_rate"] == pytest.approx(f.fill_rate.mean, rel=1e-12)


def test_a_compare_job_is_the_workflow_s_comparison(env: Env) -> None:
    """The job's frontier equals `resupply.compare` with the same policies, runs and seed,
    and its report draws the frontier."""
    import resupply

    policies = ["lump", "cadence:7"]
    answer = env.client.post("/api/v1/jobs/compare", headers=env.auth("coordinator"),
                             json={"scenario": "tiny", "policies": policies, "runs": 40,
                                   "seed": 2})
    job = run_until_done(env, answer.json()["id"])
    assert job["state"] == "succeeded", job
    direct = resupply.compare("tiny", policies, runs=40, seed=2).frontier
    result = job["result"]
    assert result["best"] == direct.best  # type: ignore[index]
    got = {p["policy"]: p for p in result["policies"]}  # type: ignore[index]
    for point in direct.points:
        assert got[point.policy]["stockout_prob"] == pytest.approx(point.stockout_prob)
        assert got[point.policy]["lost_value"] == pytest.approx(point.lost_value)
    report = env.client.get(f"/api/v1/jobs/{job['id']}/report",
                            headers=env.auth("coordinator"))
    assert "figure-frontier" in report.text


def test_an_unknown_policy_is_refused_at_submission(env: Env) -> None:
    answer = env.client.post("/api/v1/jobs/compare", headers=env.auth("coordinator"),
                             json={"scenario": "tiny", "policies": ["sometimes"]})
    assert answer.status_code == 422 and "unknown policy 'sometimes'" in answer.json()["detail"]


def test_a_worker_that_cannot_start_fails_its_job(env: Env,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    import subprocess

    def refuse(*_a: object, **_k: object) -> None:
        raise OSError("no processes left")

    job = jobs.submit(env.ws, JobKind.PLAN, "coordinator", 1,
                      {"use_ledger": False, "time_limit_s": 60, "filename": "tiny.yaml"},
                      max_live=5)
    monkeypatch.setattr(subprocess, "Popen", refuse)
    Scheduler(env.ws, env.settings).tick()
    ended = jobs.get(env.ws, job.id)
    assert ended.state is JobState.FAILED and "no processes left" in ended.message
