"""Opening the store: URL -> engine -> schema check -> `SqlStore`."""

from __future__ import annotations

import os

from sqlalchemy.exc import DBAPIError

from resupply.errors import StoreError
from resupply.store.engine import URL_ENV, database_url, describe_failure, make_engine
from resupply.store.migrate import check_known, head_revision, upgrade
from resupply.store.sql import SqlStore


def open_store(url: str | None = None, *, create: bool = True) -> SqlStore:
    """Open the database at `url` (default: see `engine.database_url`).

    An empty database is brought to the current schema when `create` is true. A database at
    an older revision given by URL is refused with a message that says to run ``resupply db
    upgrade`` (upgrading a shared database is a decision, not a side effect); the default
    embedded file (no URL: this user's own SQLite file, as `make demo` uses it) is upgraded in
    place, since nobody else shares it.
    """
    resolved = database_url(url)
    engine = make_engine(resolved)
    try:
        revision = check_known(engine, _shown(resolved))
        head = head_revision()
        if revision is None and create:
            upgrade(engine)
        elif revision is None:
            raise StoreError(f"{_shown(resolved)} has no resupply tables; run `resupply db "
                             "upgrade`")
        elif revision != head and create and _own_default(url):
            upgrade(engine)
        elif revision != head:
            raise StoreError(f"{_shown(resolved)} is at schema revision {revision}, this "
                             f"resupply needs {head}; run `resupply db upgrade`")
    except DBAPIError as exc:
        engine.dispose()
        raise describe_failure(exc, resolved) from exc
    except StoreError:
        engine.dispose()
        raise
    return SqlStore(engine)


def _own_default(url: str | None) -> bool:
    """True when the database is the default embedded file (no URL given, none in
    ``$RESUPPLY_DATABASE_URL``)."""
    return url is None and not os.environ.get(URL_ENV)


def _shown(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
