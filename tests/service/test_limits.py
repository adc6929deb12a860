"""Limits answer with a status and a message, never a crash: request size (413), page size
(422), login attempts (429); jobs per user and the wall clock are in test_jobs."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from resupply.service import Limits, create_app

from .conftest import PASSWORD, Env, make_settings


def test_a_body_over_the_limit_is_413(tmp_path: Path,
                                      seeded: tuple[Path, dict[str, str]]) -> None:
    import shutil

    shutil.copyfile(seeded[0], tmp_path / "ws.db")
    settings = make_settings(tmp_path, limits=Limits(max_body_bytes=1000))
    auth = {"Authorization": f"Bearer {seeded[1]['coordinator']}"}
    with TestClient(create_app(settings)) as client:
        big = client.post("/api/v1/scenarios", headers=auth,
                          files={"file": ("big.yaml", b"x" * 5000)})
        small = client.get("/api/v1/me", headers=auth)

        def chunks() -> object:
            yield b"{" + b" " * 3000
            yield b"}"

        chunked = client.post("/api/v1/jobs/plan", headers=auth, content=chunks())
    assert big.status_code == 413 and "limit is 1,000 bytes" in big.json()["detail"]
    assert chunked.status_code == 413
    assert small.status_code == 200


def test_a_page_over_the_page_size_is_422(env: Env) -> None:
    limit = env.settings.limits.max_page_size
    ok = env.client.get(f"/api/v1/ledger/pledges?limit={limit}", headers=env.auth("east"))
    over = env.client.get(f"/api/v1/ledger/pledges?limit={limit + 1}",
                          headers=env.auth("east"))
    assert ok.status_code == 200
    assert over.status_code == 422 and "query.limit" in over.json()["detail"]


def test_failed_logins_are_rate_limited_with_429(env: Env) -> None:
    attempts = env.settings.limits.login_attempts
    codes = [env.client.post("/api/v1/auth/login", json={"username": "east",
                                                         "password": "wrong"}).status_code
             for _ in range(attempts + 1)]
    right_but_blocked = env.client.post("/api/v1/auth/login",
                                        json={"username": "east", "password": PASSWORD})
    assert codes == [401] * attempts + [429]
    assert right_but_blocked.status_code == 429
    assert "too many failed logins" in right_but_blocked.json()["detail"]


def test_a_simulation_over_the_run_limit_is_422(env: Env) -> None:
    runs = env.settings.limits.sim_max_runs + 1
    answer = env.client.post("/api/v1/jobs/simulation", headers=env.auth("coordinator"),
                             json={"scenario": "tiny", "runs": runs})
    assert answer.status_code == 422 and "over the limit" in answer.json()["detail"]
