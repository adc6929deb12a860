"""A workspace per test: SQLite in tmp_path, the ``tiny`` scenario uploaded, one account per
role (a coordinator, donors ``east`` and ``west`` of tiny and a third donor ``north``, a
viewer) with an API token each. Jobs are driven by hand (a `Scheduler`'s ticks) unless a
test starts the scheduler. Every test also fails if any statement rewrites ``ledger_events``
(the store tests' watcher)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from resupply.domain.load import bundled_text
from resupply.service import ServiceSettings, accounts, create_app
from resupply.service import scenarios as stored
from resupply.service.roles import Role
from resupply.service.workspace import Workspace
from store.conftest import no_ledger_rewrites  # noqa: F401  (autouse: ledger stays append-only)

ROLES = {"coordinator": "coordinator", "east": "donor:east", "west": "donor:west",
         "north": "donor:north", "viewer": "viewer"}
"""username -> role of the seeded accounts."""
PASSWORD = "correct horse battery"


@dataclass
class Env:
    """A running test app: its client, workspace, settings and a token per user."""

    client: TestClient
    ws: Workspace
    settings: ServiceSettings
    tokens: dict[str, str]

    def auth(self, user: str) -> dict[str, str]:
        """Headers of ``user``'s API token."""
        return {"Authorization": f"Bearer {self.tokens[user]}"}


def seed(ws: Workspace) -> dict[str, str]:
    """Upload tiny, create the accounts; their tokens."""
    stored.upload(ws, bundled_text("tiny").encode(), "tiny.yaml", "test")
    tokens = {}
    for user, role in ROLES.items():
        accounts.add_user(ws, user, Role.parse(role), PASSWORD)
        tokens[user] = accounts.create_token(ws, user, "test")[1]
    return tokens


def make_settings(tmp_path: Path, db: str | None = None, **kw: object) -> ServiceSettings:
    return ServiceSettings(db=db or f"sqlite:///{tmp_path / 'ws.db'}",
                           workdir=tmp_path / "work", run_jobs=False, **kw)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """A seeded workspace file, made once (argon2 and migrations are slow on purpose) and
    copied for each test."""
    folder = tmp_path_factory.mktemp("seeded")
    ws = Workspace.open(f"sqlite:///{folder / 'ws.db'}")
    try:
        tokens = seed(ws)
    finally:
        ws.close()
    return folder / "ws.db", tokens


@pytest.fixture
def env(tmp_path: Path, seeded: tuple[Path, dict[str, str]]) -> Iterator[Env]:
    """A fresh copy of the seeded workspace, served by a test client."""
    source, tokens = seeded
    shutil.copyfile(source, tmp_path / "ws.db")
    settings = make_settings(tmp_path)
    with TestClient(create_app(settings)) as client:
        yield Env(client, client.app.state.workspace, settings,  # type: ignore[attr-defined]
                  tokens)


def pledge(env: Env, user: str, donor: str, item: str = "m795", quantity: float = 100.0,
           ) -> dict[str, object]:
    """Record a pledge through the API; its detail (fails the test on an error)."""
    answer = env.client.post(f"/api/v1/ledger/donors/{donor}/pledges", headers=env.auth(user),
                             json={"item": item, "quantity": quantity, "date": "2022-06-01",
                                   "due": "2022-06-20"})
    assert answer.status_code == 201, answer.text
    body: dict[str, object] = answer.json()
    return body
