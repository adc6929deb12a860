"""Back ends for the store tests: a SQLite file per test, a fresh PostgreSQL schema per test.

PostgreSQL: ``$RESUPPLY_TEST_POSTGRES_URL`` or ``postgresql+psycopg://postgres@127.0.0.1:5432/
test`` (user ``root`` is tried too). Tests that need it skip, saying how to get one, when no
server answers. Every SQLAlchemy statement issued during a test is watched: an UPDATE or
DELETE of ``ledger_events`` fails the test (the ledger is append-only).
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event

from resupply.store import MemoryStore, Store, open_store

PG_DEFAULTS = ("postgresql+psycopg://postgres@127.0.0.1:5432/test",
               "postgresql+psycopg://root@127.0.0.1:5432/test")

FORBIDDEN = re.compile(r"^\s*(UPDATE|DELETE\s+FROM|TRUNCATE)\s+(TABLE\s+)?\"?ledger_events",
                       re.IGNORECASE)


@cache
def postgres_base_url() -> str | None:
    """The first PostgreSQL URL that accepts a connection, or None."""
    import psycopg

    candidates = [os.environ["RESUPPLY_TEST_POSTGRES_URL"]] \
        if os.environ.get("RESUPPLY_TEST_POSTGRES_URL") else list(PG_DEFAULTS)
    for url in candidates:
        try:
            psycopg.connect(url.replace("+psycopg", ""), connect_timeout=3).close()
        except psycopg.Error:
            continue
        return url
    return None


def need_postgres() -> str:
    """The base URL, or skip the test with what to install or start."""
    url = postgres_base_url()
    if url is None:
        pytest.skip("PostgreSQL not reachable at 127.0.0.1:5432 (database `test`, trust auth): "
                    "install and start it (apt-get install postgresql; service postgresql "
                    "start) or set RESUPPLY_TEST_POSTGRES_URL")
    return url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'ledger.db'}"


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A URL whose search_path is a fresh schema, dropped (with everything in it) afterwards."""
    import psycopg

    base = need_postgres()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base.replace("+psycopg", ""), autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield f"{base}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(base.replace("+psycopg", ""), autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest) -> str:
    """Each database back end in turn."""
    name = "sqlite_url" if request.param == "sqlite" else "pg_url"
    url: str = request.getfixturevalue(name)
    return url


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
def store(request: pytest.FixtureRequest) -> Iterator[Store]:
    """Each `Store` back end in turn, empty."""
    if request.param == "memory":
        yield MemoryStore()
        return
    url = request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url")
    sql = open_store(url)
    yield sql
    sql.engine.dispose()


@pytest.fixture(autouse=True)
def no_ledger_rewrites() -> Iterator[None]:
    """Fail the test if any SQLAlchemy engine issues UPDATE/DELETE on ledger_events."""
    seen: list[str] = []

    def watch(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if FORBIDDEN.search(statement):
            seen.append(statement)

    event.listen(Engine, "before_cursor_execute", watch)
    try:
        yield
    finally:
        event.remove(Engine, "before_cursor_execute", watch)
    assert seen == [], f"ledger events were rewritten: {seen}"

