"""Schema migrations, run programmatically: the Alembic config is built here, not read from a file.

The scripts live in the installed package (``resupply.store:migrations``), so an installed
resupply can upgrade any database it is pointed at with ``resupply db upgrade``.
"""

from __future__ import annotations

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

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
