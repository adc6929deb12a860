"""The authorisation matrix, generated from the OpenAPI route list: every API route x every
role x own and other donors' objects, and 401 without credentials. A new route without an
entry in `CALLS` fails `test_every_route_is_in_the_matrix`, so none goes unchecked."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from .conftest import ROLES, Env, pledge

COORDINATOR_ONLY = "coordinator only"
DONOR_OWN = "a donor on its own objects, 404 on another's; viewer 403"
DONOR_READ = "a donor reads its own rows; viewer 403"
EVERYONE = "every role"


@dataclass(frozen=True)
class Call:
    """How to call a route in the matrix: rule, body, and the coordinator's answer."""

    rule: str
    body: dict[str, Any] | None = None
    ok: int = 200
    files: bool = False


PLEDGE = {"item": "m795", "quantity": 5, "date": "2022-06-02"}
CALLS: dict[tuple[str, str], Call] = {
    ("post", "/api/v1/auth/login"): Call(EVERYONE),  # credentials, checked separately
    ("post", "/api/v1/auth/logout"): Call(EVERYONE, ok=204),
    ("get", "/api/v1/me"): Call(EVERYONE),
    ("get", "/api/v1/scenarios"): Call(COORDINATOR_ONLY),
    ("post", "/api/v1/scenarios"): Call(COORDINATOR_ONLY, ok=201, files=True),
    ("get", "/api/v1/scenarios/{name}/versions"): Call(COORDINATOR_ONLY),
    ("get", "/api/v1/ledger/pledges"): Call(DONOR_READ),
    ("post", "/api/v1/ledger/donors/{donor}/pledges"): Call(DONOR_OWN, PLEDGE, ok=201),
    ("get", "/api/v1/ledger/pledges/{pledge_id}"): Call(DONOR_OWN),
    ("post", "/api/v1/ledger/pledges/{pledge_id}/events"): Call(
        DONOR_OWN, {"kind": "delivered", "quantity": 1, "date": "2022-06-05"}, ok=201),
    ("get", "/api/v1/ledger/status"): Call(EVERYONE),
    ("post", "/api/v1/ledger/imports"): Call(COORDINATOR_ONLY, ok=201, files=True),
    ("post", "/api/v1/jobs/plan"): Call(COORDINATOR_ONLY, {"scenario": "tiny"}, ok=202),
    ("post", "/api/v1/jobs/simulation"): Call(COORDINATOR_ONLY, {"scenario": "tiny",
                                                                 "runs": 10}, ok=202),
    ("post", "/api/v1/jobs/compare"): Call(COORDINATOR_ONLY, {"scenario": "tiny",
                                                              "runs": 10}, ok=202),
    ("get", "/api/v1/jobs"): Call(COORDINATOR_ONLY),
    ("get", "/api/v1/jobs/{job_id}"): Call(COORDINATOR_ONLY),
    ("post", "/api/v1/jobs/{job_id}/cancel"): Call(COORDINATOR_ONLY),
    ("get", "/api/v1/jobs/{job_id}/results"): Call(COORDINATOR_ONLY, ok=422),  # still queued
    ("get", "/api/v1/jobs/{job_id}/report"): Call(COORDINATOR_ONLY, ok=422),
    ("post", "/api/v1/plans/published"): Call(COORDINATOR_ONLY, {"job_id": 1}, ok=422),
    ("get", "/api/v1/plans/published"): Call(EVERYONE, ok=404),  # none published yet
    ("get", "/api/v1/audit"): Call(COORDINATOR_ONLY),
    ("post", "/api/v1/shares"): Call(COORDINATOR_ONLY, {"donor": "north",
                                                         "with_donor": "viewerless"}, ok=201),
    ("get", "/api/v1/shares"): Call(COORDINATOR_ONLY),
    ("post", "/api/v1/shares/{share_id}/revoke"): Call(COORDINATOR_ONLY),
}
USERS = list(ROLES)
DONORS = {"east", "west", "north"}


def api_routes(env: Env) -> list[tuple[str, str]]:
    schema = env.client.get("/openapi.json").json()
    return sorted((method, path) for path, ops in schema["paths"].items()
                  for method in ops if path.startswith("/api/v1/"))


def test_every_route_is_in_the_matrix(env: Env) -> None:
    assert set(api_routes(env)) == set(CALLS)


@dataclass
class World:
    """Objects of donor east (own, for the donor asking) and of west (another's)."""

    pledges: dict[str, str]
    job_id: int
    share_id: int


@pytest.fixture
def world(env: Env) -> World:
    pledges = {d: str(pledge(env, d, d)["pledge"]["pledge_id"])  # type: ignore[index]
               for d in ("east", "west")}
    job = env.client.post("/api/v1/jobs/plan", headers=env.auth("coordinator"),
                          json={"scenario": "tiny"}).json()
    share = env.client.post("/api/v1/shares", headers=env.auth("coordinator"),
                            json={"donor": "north", "with_donor": "nobody"}).json()
    return World(pledges, job["id"], share["id"])


def _url(path: str, owner: str, world: World) -> str:
    return (path.replace("{donor}", owner).replace("{pledge_id}", world.pledges[owner])
            .replace("{job_id}", str(world.job_id)).replace("{name}", "tiny")
            .replace("{share_id}", str(world.share_id)))


def _call(env: Env, method: str, url: str, call: Call, headers: dict[str, str]) -> Any:
    from resupply.domain.load import bundled_text

    if call.files and url.endswith("/imports"):
        rows = b"kind,donor,item,quantity,date\ncommitted,west,m795,9,2022-06-01\n"
        return env.client.post(url, headers=headers, files={"file": ("rows.csv", rows)},
                               data={"format": "csv"})
    if call.files:
        return env.client.post(url, headers=headers,
                               files={"file": ("tiny.yaml", bundled_text("tiny").encode())})
    answer = env.client.request(method.upper(), url, headers=headers, json=call.body)
    if answer.status_code == 202:  # a queued job: cancel it, to stay under the jobs limit
        env.client.post(f"/api/v1/jobs/{answer.json()['id']}/cancel", headers=headers)
    return answer


def expected(call: Call, user: str, owner: str) -> int:
    """The status ``user`` must get calling a route on ``owner``'s object."""
    if user == "coordinator" or call.rule == EVERYONE:
        return call.ok
    if call.rule == COORDINATOR_ONLY or user == "viewer":
        return 403
    if call.rule == DONOR_READ:
        return call.ok
    return call.ok if owner == user else 404


@pytest.mark.parametrize("route", sorted(CALLS), ids=lambda r: f"{r[0]} {r[1]}")
def test_matrix(env: Env, world: World, route: tuple[str, str]) -> None:
    method, path = route
    call = CALLS[route]
    if path == "/api/v1/auth/login":
        return  # test_login_is_the_one_route_open_without_credentials
    failures = []
    for user in USERS:
        for owner in ("east", "west"):
            answer = _call(env, method, _url(path, owner, world), call, env.auth(user))
            want = expected(call, user, owner)
            if answer.status_code != want:
                failures.append(f"{user} on {owner}'s: {answer.status_code} (want {want}): "
                                f"{answer.text[:120]}")
        no_auth = _call(env, method, _url(path, "east", world), call, {})
        if no_auth.status_code != 401:
            failures.append(f"no credentials: {no_auth.status_code}")
    assert failures == []


def test_login_is_the_one_route_open_without_credentials(env: Env) -> None:
    from .conftest import PASSWORD

    good = env.client.post("/api/v1/auth/login", json={"username": "east",
                                                       "password": PASSWORD})
    bad = env.client.post("/api/v1/auth/login", json={"username": "east", "password": "x"})
    assert good.status_code == 200 and good.json()["role"] == "donor:east"
    assert bad.status_code == 401


def test_a_donor_lists_only_its_own_pledges_and_rows(env: Env, world: World) -> None:
    """east and west pledged m795: neither sees an aggregate (one other donor); north
    sees the sum of the two (two others)."""
    for donor in ("east", "west", "north"):
        pledges = env.client.get("/api/v1/ledger/pledges", headers=env.auth(donor)).json()
        status = env.client.get("/api/v1/ledger/status", headers=env.auth(donor)).json()
        assert {p["donor"] for p in pledges["pledges"]} <= {donor}
        assert pledges["page"]["total"] == len([d for d in ("east", "west") if d == donor])
        assert {r["donor"] for r in status["own"]} <= {donor}
        assert len(status["aggregates"]) == (donor == "north")
    everyone = env.client.get("/api/v1/ledger/pledges", headers=env.auth("coordinator"))
    assert everyone.json()["page"]["total"] == 2


def test_another_donor_s_pledge_answers_like_one_that_does_not_exist(env: Env,
                                                                    world: World) -> None:
    theirs = env.client.get(f"/api/v1/ledger/pledges/{world.pledges['west']}",
                            headers=env.auth("east"))
    missing = env.client.get("/api/v1/ledger/pledges/no-such", headers=env.auth("east"))
    assert theirs.status_code == missing.status_code == 404
    assert theirs.json()["detail"].replace(world.pledges["west"], "X") == \
        missing.json()["detail"].replace("no-such", "X")


def test_an_aggregate_shows_once_two_other_donors_contribute(env: Env, world: World) -> None:
    pledge(env, "north", "north")  # m795 now has east, west and north
    east = env.client.get("/api/v1/ledger/status", headers=env.auth("east")).json()
    (row,) = east["aggregates"]
    assert row["group"] == "m795" and row["pledged"] == pytest.approx(300.0)
    assert row["pledges"] is None  # no count of the others' pledges


@pytest.mark.parametrize("field", ["donor", "role", "donor_id", "recorded_by"])
def test_write_schemas_reject_extra_fields(env: Env, field: str) -> None:
    answer = env.client.post("/api/v1/ledger/donors/east/pledges", headers=env.auth("east"),
                             json={**PLEDGE, field: "west"})
    assert answer.status_code == 422 and field in answer.json()["detail"]


def test_a_cookie_session_write_needs_the_csrf_token(env: Env) -> None:
    from .conftest import PASSWORD

    me = env.client.post("/api/v1/auth/login", json={"username": "east",
                                                     "password": PASSWORD}).json()
    url = "/api/v1/ledger/donors/east/pledges"
    without = env.client.post(url, json=PLEDGE)
    wrong = env.client.post(url, json=PLEDGE, headers={"X-CSRF-Token": "nope"})
    right = env.client.post(url, json=PLEDGE, headers={"X-CSRF-Token": me["csrf_token"]})
    assert (without.status_code, wrong.status_code, right.status_code) == (403, 403, 201)


def test_a_revoked_token_stops_working(env: Env) -> None:
    from resupply.service import accounts

    token_id, token = accounts.create_token(env.ws, "east", "temp")
    headers = {"Authorization": f"Bearer {token}"}
    assert env.client.get("/api/v1/me", headers=headers).status_code == 200
    accounts.revoke_token(env.ws, token_id)
    assert env.client.get("/api/v1/me", headers=headers).status_code == 401


def test_every_write_is_audited_with_before_and_after(env: Env, world: World) -> None:
    env.client.post(f"/api/v1/ledger/pledges/{world.pledges['east']}/events",
                    headers=env.auth("east"),
                    json={"kind": "delivered", "quantity": 40, "date": "2022-06-09"})
    entries = env.client.get("/api/v1/audit", headers=env.auth("coordinator")).json()["entries"]
    newest = entries[0]
    assert (newest["actor"], newest["action"]) == ("east", "ledger.delivered")
    assert newest["before"]["delivered"] == 0 and newest["after"]["delivered"] == 40
    assert {e["action"] for e in entries} >= {"ledger.pledge", "job.submit.plan",
                                               "scenario.upload"}


def test_a_share_lets_one_donor_read_another_s_figures_until_revoked(env: Env,
                                                                    world: World) -> None:
    west_pledge = world.pledges["west"]
    url = f"/api/v1/ledger/pledges/{west_pledge}"
    assert env.client.get(url, headers=env.auth("east")).status_code == 404
    share = env.client.post("/api/v1/shares", headers=env.auth("coordinator"),
                            json={"donor": "west", "with_donor": "east"}).json()
    listed = env.client.get("/api/v1/ledger/pledges", headers=env.auth("east")).json()
    status = env.client.get("/api/v1/ledger/status", headers=env.auth("east")).json()
    assert env.client.get(url, headers=env.auth("east")).status_code == 200
    assert {p["donor"] for p in listed["pledges"]} == {"east", "west"}
    assert {r["donor"] for r in status["own"]} == {"east", "west"}
    assert env.client.get(url, headers=env.auth("north")).status_code == 404  # not north
    write = env.client.post(f"{url}/events", headers=env.auth("east"),
                            json={"kind": "delivered", "quantity": 1, "date": "2022-06-05"})
    assert write.status_code == 403 and "not to change" in write.json()["detail"]
    env.client.post(f"/api/v1/shares/{share['id']}/revoke", headers=env.auth("coordinator"))
    assert env.client.get(url, headers=env.auth("east")).status_code == 404


def test_an_item_only_one_other_donor_pledged_leaves_no_trace(env: Env) -> None:
    pledge(env, "west", "west", "dm121", 77)  # only west pledged dm121
    for user in ("east", "north", "viewer"):
        status = env.client.get("/api/v1/ledger/status", headers=env.auth(user)).json()
        assert "dm121" not in str(status), user
