"""The shared workspace of `resupply serve`: users, API tokens, sessions, the audit log,
shares between donors, uploaded scenario versions, background jobs and published plans.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None

KEY = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create the workspace tables."""
    _accounts()
    op.create_table(
        "audit_log",
        sa.Column("id", KEY, primary_key=True, autoincrement=True),
        sa.Column("at", TS, nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("action", sa.String(100), nullable=False),
        sa.Column("target", sa.String(300), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"])
    op.create_table(
        "shares",
        sa.Column("id", KEY, primary_key=True, autoincrement=True),
        sa.Column("donor", sa.String(200), nullable=False),
        sa.Column("viewer_donor", sa.String(200), nullable=False),
        sa.Column("granted_by", sa.String(100), nullable=False),
        sa.Column("granted_at", TS, nullable=False),
        sa.Column("revoked_at", TS, nullable=True),
    )
    op.create_index("ix_shares_viewer", "shares", ["viewer_donor"])
    _work()


def _accounts() -> None:
    op.create_table(
        "users",
        sa.Column("id", KEY, primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(100), nullable=False, unique=True),
        sa.Column("role", sa.String(220), nullable=False),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", KEY, primary_key=True, autoincrement=True),
        sa.Column("user_id", KEY, sa.ForeignKey("users.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("revoked_at", TS, nullable=True),
    )
    op.create_table(
        "sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", KEY, sa.ForeignKey("users.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("csrf", sa.String(64), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
    )


def _work() -> None:
    op.create_table(
        "scenarios",
        sa.Column("id", KEY, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(200), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("scenario_hash", sa.String(64), nullable=False),
        sa.Column("uploaded_by", sa.String(100), nullable=False),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_index("ix_scenarios_name_version", "scenarios", ["name", "version"], unique=True)
    op.create_table(
        "jobs",
        sa.Column("id", KEY, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("owner", sa.String(100), nullable=False),
        sa.Column("scenario_id", KEY, sa.ForeignKey("scenarios.id"), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("progress", sa.Double(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("cancel_requested", sa.Boolean(), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("started_at", TS, nullable=True),
        sa.Column("finished_at", TS, nullable=True),
        sa.Column("heartbeat_at", TS, nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.CheckConstraint("state IN ('queued','running','succeeded','failed','cancelled')",
                           name="ck_jobs_state"),
        sa.CheckConstraint("kind IN ('plan','simulation','compare')", name="ck_jobs_kind"),
    )
    op.create_index("ix_jobs_state", "jobs", ["state"])
    op.create_table(
        "published_plans",
        sa.Column("id", KEY, primary_key=True, autoincrement=True),
        sa.Column("job_id", KEY, sa.ForeignKey("jobs.id"), nullable=False),
        sa.Column("published_by", sa.String(100), nullable=False),
        sa.Column("published_at", TS, nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("tranches", sa.JSON(), nullable=False),
    )


def downgrade() -> None:
    """Drop the workspace tables (dependents first)."""
    for table in ("published_plans", "jobs", "scenarios", "shares", "audit_log", "sessions",
                  "api_tokens", "users"):
        op.drop_table(table)
