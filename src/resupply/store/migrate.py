"""Schema migrations, run programmatically: the Alembic config is built here, not read from a file.

The scripts live in the installed package (``resupply.store:migrations``), so an installed
resupply can upgrade any database it is pointed at with ``resupply db upgrade``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, inspect
from sqlalchemy.exc import SQLAlchemyError

from resupply.errors import StoreError

SCRIPT_LOCATION = "resupply.store:migrations"
"""Where Alembic finds env.py and versions/: a package resource, so it works when installed."""


def _config(conn: Connection) -> Config:
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    config.attributes["connection"] = conn
    return config


def head_revision() -> str:
    """The newest revision the installed package knows."""
    script = ScriptDirectory.from_config(_config_without_connection())
    head = script.get_current_head()
    if head is None:  # pragma: no cover  (the package always ships a revision)
        raise RuntimeError("no migrations found in resupply.store.migrations")
    return head


def _config_without_connection() -> Config:
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    return config


def known_revisions() -> frozenset[str]:
    """Every revision the installed package can read or upgrade from."""
    script = ScriptDirectory.from_config(_config_without_connection())
    return frozenset(rev.revision for rev in script.walk_revisions())


def expected_schema(revision: str) -> dict[str, frozenset[str]]:
    """Table -> column names of a database at `revision`: built by running the migrations
    into a scratch in-memory SQLite database, so the check can never drift from them."""
    engine = create_engine("sqlite://")
    try:
        upgrade(engine, revision)
        found = inspect(engine)
        return {t: frozenset(c["name"] for c in found.get_columns(t))
                for t in found.get_table_names()}
    finally:
        engine.dispose()


def newer_schema_error(where: str, revision: str, recorded_versions: Iterable[str]) -> StoreError:
    """The error for a database whose revision this resupply does not know (a newer release
    made it): says which resupply it needs, from the newest version that recorded a run."""
    from resupply import __version__

    newer = [v for v in recorded_versions if _version_key(v) > _version_key(__version__)]
    needs = f">= {max(newer, key=_version_key)}" if newer else f"newer than {__version__}"
    return StoreError(f"{where} is at schema revision {revision!r}, which this resupply "
                      f"{__version__} does not know (its newest is {head_revision()}): this "
                      f"database needs resupply {needs}; upgrade resupply, not the database")


def check_known(engine: Engine, where: str) -> str | None:
    """The database's revision (None when empty); `newer_schema_error` when this resupply
    does not know it, so nothing tries to upgrade or read a schema from a newer release."""
    revision = current_revision(engine)
    if revision is None or revision in known_revisions():
        return revision
    try:
        with engine.connect() as conn:
            versions = [str(v) for v in conn.exec_driver_sql(
                "SELECT DISTINCT version FROM runs").scalars()]
    except SQLAlchemyError:  # no readable runs table: no version hint
        versions = []
    raise newer_schema_error(where, revision, versions)


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\d+", version)[:3])


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or None for an empty database."""
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Upgrade the database to `revision` (default: the newest), in one transaction."""
    with engine.begin() as conn:
        command.upgrade(_config(conn), revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    """Downgrade the database to `revision` (default: empty), in one transaction."""
    with engine.begin() as conn:
        command.downgrade(_config(conn), revision)
