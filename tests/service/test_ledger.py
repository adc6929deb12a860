"""Ledger routes beyond the matrix: imports (one transaction, located bad rows, idempotent)
and the status figures against the store's own reconciliation."""

from __future__ import annotations

import datetime as dt

import pytest

from resupply.store import ledger as store_ledger

from .conftest import Env, pledge

GOOD = (b"pledge_id,kind,donor,item,quantity,date,due\n"
        b"p1,committed,west,m795,1000,2022-06-01,2022-06-20\n"
        b"p1,delivered,west,m795,400,2022-06-10,\n")
BAD = GOOD + b"p2,delivered,west,m795,zero,2022-06-11,\n"


def _import(env: Env, data: bytes, user: str = "coordinator", **form: str) -> object:
    return env.client.post("/api/v1/ledger/imports", headers=env.auth(user),
                           files={"file": ("tracker.csv", data)},
                           data={"format": "csv", **form})


def test_an_import_writes_once_and_again_writes_nothing(env: Env) -> None:
    first = _import(env, GOOD)
    again = _import(env, GOOD)
    assert first.status_code == 201, first.text  # type: ignore[attr-defined]
    assert first.json()["written"] == 2 and again.json()["written"] == 0  # type: ignore[attr-defined]
    state = env.client.get("/api/v1/ledger/pledges/p1", headers=env.auth("west")).json()
    assert state["pledge"]["outstanding"] == pytest.approx(600.0)


def test_an_import_with_a_bad_row_writes_nothing_and_names_the_line(env: Env) -> None:
    answer = _import(env, BAD)
    assert answer.status_code == 422  # type: ignore[attr-defined]
    (issue,) = answer.json()["issues"]  # type: ignore[attr-defined]
    assert (issue["file"], issue["line"], issue["path"]) == ("tracker.csv", 4, "quantity")
    assert env.ws.store.count() == 0
    partial = _import(env, BAD, partial="true")
    assert partial.json()["written"] == 2 and len(partial.json()["errors"]) == 1  # type: ignore[attr-defined]


def test_only_the_coordinator_imports(env: Env) -> None:
    assert _import(env, GOOD, "west").status_code == 403  # type: ignore[attr-defined]


def test_the_status_is_the_store_s_reconciliation(env: Env) -> None:
    for donor, quantity in (("east", 100.0), ("west", 250.0), ("north", 40.0)):
        pledge(env, donor, donor, "m795", quantity)
    as_of = dt.date(2022, 7, 1)
    answer = env.client.get(f"/api/v1/ledger/status?as_of={as_of}",
                            headers=env.auth("coordinator")).json()
    expected = store_ledger.status(env.ws.store, as_of)
    assert [(r["donor"], r["group"], r["pledged"], r["late"]) for r in answer["own"]] == [
        (r.donor, r.group, r.pledged, r.late) for r in expected]
    (aggregate,) = answer["aggregates"]
    assert aggregate["pledged"] == pytest.approx(390.0)
    assert aggregate["late"] == pytest.approx(390.0)  # due 2022-06-20, nothing delivered


def test_pledges_filter_by_item_and_status(env: Env) -> None:
    first = pledge(env, "east", "east", "m795", 10)
    pledge(env, "east", "east", "of540", 20)
    pid = first["pledge"]["pledge_id"]  # type: ignore[index]
    env.client.post(f"/api/v1/ledger/pledges/{pid}/events", headers=env.auth("east"),
                    json={"kind": "delivered", "quantity": 10, "date": "2022-06-05"})

    def ids(query: str) -> list[str]:
        answer = env.client.get(f"/api/v1/ledger/pledges?{query}", headers=env.auth("east"))
        return [p["item"] for p in answer.json()["pledges"]]

    assert ids("item=of540") == ["of540"]
    assert ids("status=delivered") == ["m795"]
    assert ids("status=late&as_of=2022-07-01") == ["of540"]  # due 2022-06-20, owed
    assert env.client.get("/api/v1/ledger/pledges?status=lost",
                          headers=env.auth("east")).status_code == 422
