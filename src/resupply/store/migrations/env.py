"""Alembic environment: runs migrations on the connection `store.migrate` hands over.

Online only: resupply builds the Alembic config in code and passes an open connection in
``config.attributes["connection"]``; there is no alembic.ini and no offline SQL mode.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from resupply.store.models import Base

connection = context.config.attributes.get("connection")
if not isinstance(connection, Connection):
    raise RuntimeError("run migrations through resupply.store.migrate, which passes a connection")
context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
