"""Alembic migrations of resupply's database, shipped inside the package (see `store.migrate`)."""
