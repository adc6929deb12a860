"""Ledger events (append-only, enforced by triggers), stored runs and their files.

Revision ID: 0001
Revises: (none)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None

KEY = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
APPEND_ONLY = "ledger events are append-only: record a correction as a new event"

SQLITE_TRIGGERS = [
    f"CREATE TRIGGER ledger_events_no_{verb.lower()} BEFORE {verb} ON ledger_events "
    f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END"
    for verb in ("UPDATE", "DELETE")
]
POSTGRES_TRIGGERS = [
    "CREATE FUNCTION ledger_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
    f"BEGIN RAISE EXCEPTION '{APPEND_ONLY}'; END $$",
    "CREATE TRIGGER ledger_events_no_change BEFORE UPDATE OR DELETE ON ledger_events "
    "FOR EACH ROW EXECUTE FUNCTION ledger_events_append_only()",
    "CREATE TRIGGER ledger_events_no_truncate BEFORE TRUNCATE ON ledger_events "
    "FOR EACH STATEMENT EXECUTE FUNCTION ledger_events_append_only()",
]


def upgrade() -> None:
    """Create the three tables and the append-only triggers."""
    op.create_table(
        "ledger_events",
        sa.Column("seq", KEY, primary_key=True, autoincrement=True),
        sa.Column("pledge_id", sa.String(128), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("donor", sa.String(200), nullable=False),
        sa.Column("item", sa.String(200), nullable=False),
        sa.Column("quantity", sa.Double(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("due", sa.Date(), nullable=True),
        sa.Column("source", sa.String(1000), nullable=False),
        sa.Column("source_key", sa.String(200), nullable=True, unique=True),
        sa.Column("recorded_by", sa.String(100), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('announced','committed','amended','dispatched','delivered','cancelled')",
            name="ck_ledger_events_kind"),
    )
    op.create_index("ix_ledger_events_pledge", "ledger_events", ["pledge_id", "seq"])
    op.create_index("ix_ledger_events_donor", "ledger_events", ["donor"])
    _create_runs()
    statements = SQLITE_TRIGGERS if op.get_bind().dialect.name == "sqlite" else POSTGRES_TRIGGERS
    for statement in statements:
        op.execute(statement)


def _create_runs() -> None:
    op.create_table(
        "runs",
        sa.Column("id", KEY, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("scenario_name", sa.String(200), nullable=False),
        sa.Column("scenario_hash", sa.String(64), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=True),
        sa.Column("version", sa.String(40), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.CheckConstraint("kind IN ('plan','simulation')", name="ck_runs_kind"),
    )
    op.create_index("ix_runs_scenario_hash", "runs", ["scenario_hash"])
    op.create_table(
        "run_files",
        sa.Column("id", KEY, primary_key=True, autoincrement=True),
        sa.Column("run_id", KEY, sa.ForeignKey("runs.id", ondelete="CASCADE"), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
    )
    op.create_index("ix_run_files_run", "run_files", ["run_id", "name"], unique=True)


def downgrade() -> None:
    """Drop everything `upgrade` created (tables first; the PostgreSQL function last)."""
    op.drop_table("run_files")
    op.drop_table("runs")
    op.drop_table("ledger_events")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS ledger_events_append_only()")
