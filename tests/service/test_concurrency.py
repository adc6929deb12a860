"""20 clients writing ledger events at once through the service on PostgreSQL: none lost,
none doubled."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from fastapi.testclient import TestClient

from resupply.service import create_app
from store.conftest import pg_url  # noqa: F401  (the fixture: a fresh PostgreSQL schema)

from .conftest import make_settings, seed

WRITERS = 20
EVENTS_EACH = 5


def test_twenty_concurrent_writers_lose_and_double_nothing(tmp_path: Path,
                                                         pg_url: str) -> None:  # noqa: F811
    settings = make_settings(tmp_path, db=pg_url)
    with TestClient(create_app(settings)) as client:
        tokens = seed(client.app.state.workspace)  # type: ignore[attr-defined]
        auth = {"Authorization": f"Bearer {tokens['east']}"}
        first = client.post("/api/v1/ledger/donors/east/pledges", headers=auth, json={
            "item": "of540", "quantity": 10_000, "date": "2022-06-01"}).json()
        pledge_id = first["pledge"]["pledge_id"]

        def writer(n: int) -> list[int]:
            return [_check(client.post(f"/api/v1/ledger/pledges/{pledge_id}/events", headers=auth,
                                json={"kind": "delivered", "quantity": 1 + n,
                                      "date": "2022-06-03", "note": f"w{n}e{k}"}))
                    for k in range(EVENTS_EACH)]

        with ThreadPoolExecutor(WRITERS) as pool:
            codes = [c for batch in pool.map(writer, range(WRITERS)) for c in batch]
        detail = client.get(f"/api/v1/ledger/pledges/{pledge_id}", headers=auth).json()
    assert codes == [201] * WRITERS * EVENTS_EACH
    notes = [e["note"] for e in detail["events"][1:]]
    assert sorted(notes) == sorted(f"w{n}e{k}" for n in range(WRITERS)
                                   for k in range(EVENTS_EACH))
    assert detail["pledge"]["delivered"] == sum(
        (1 + n) * EVENTS_EACH for n in range(WRITERS))


def _check(answer: object) -> int:
    code: int = answer.status_code  # type: ignore[attr-defined]
    if code != 201:
        print(answer.text)  # type: ignore[attr-defined]
    return code
