"""Pages: log in with the form, each page renders for its roles from the same models as its
JSON twin, forms need the session's CSRF token, and no page fetches from elsewhere."""

from __future__ import annotations

import re

import pytest

from .conftest import PASSWORD, Env, pledge


def login(env: Env, user: str) -> str:
    answer = env.client.post("/login", data={"username": user, "password": PASSWORD},
                             follow_redirects=False)
    assert answer.status_code == 303, answer.text
    me = env.client.get("/api/v1/me").json()
    return str(me["csrf_token"])


def test_a_page_without_a_session_goes_to_login(env: Env) -> None:
    answer = env.client.get("/ledger", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/login"


def test_a_wrong_password_shows_the_form_again(env: Env) -> None:
    answer = env.client.post("/login", data={"username": "east", "password": "nope"})
    assert answer.status_code == 401 and "wrong username or password" in answer.text


@pytest.mark.parametrize(("user", "pages"), [
    ("coordinator", ["/", "/plan", "/ledger", "/scenarios", "/jobs"]),
    ("east", ["/", "/plan", "/ledger"]),
    ("viewer", ["/", "/plan"]),
])
def test_every_page_renders_for_its_roles_without_outside_assets(env: Env, user: str,
                                                                 pages: list[str]) -> None:
    login(env, user)
    for path in pages:
        answer = env.client.get(path)
        assert answer.status_code == 200, (path, answer.text[:300])
        assert not re.search(r"""(src|href)=["']https?://""", answer.text), path
        assert "JSON twin" in answer.text or path == "/", path


def test_coordinator_pages_are_refused_to_a_donor(env: Env) -> None:
    login(env, "east")
    assert env.client.get("/scenarios").status_code == 403
    assert env.client.get("/jobs").status_code == 403


def test_the_ledger_page_shows_what_its_json_twin_returns(env: Env) -> None:
    pledge(env, "east", "east", "m795", 123)
    pledge(env, "west", "west", "m795", 456)
    login(env, "east")
    page = env.client.get("/ledger").text
    twin = env.client.get("/api/v1/ledger/pledges").json()
    assert page.count('<tr class="pledge">') == len(twin["pledges"]) == 1
    assert twin["pledges"][0]["pledge_id"] in page and "west" not in page


def test_a_form_needs_the_csrf_token(env: Env) -> None:
    csrf = login(env, "east")
    form = {"item": "m795", "quantity": "5", "date": "2022-06-01", "kind": "announced"}
    refused = env.client.post("/ledger/pledge", data={**form, "csrf_token": "forged"})
    accepted = env.client.post("/ledger/pledge", data={**form, "csrf_token": csrf},
                               follow_redirects=False)
    assert refused.status_code == 403 and "CSRF" in refused.text
    assert accepted.status_code == 303
    assert env.client.get("/api/v1/ledger/pledges").json()["page"]["total"] == 1


def test_plotly_is_served_from_the_installed_package(env: Env) -> None:
    from plotly.offline import get_plotlyjs

    answer = env.client.get("/static/plotly.min.js")
    assert answer.status_code == 200 and answer.text == get_plotlyjs()
