"""The audit log: every write through the service, with who, when, what, before and after.

Written in the same transaction as the write it describes where the service owns that
write (accounts, scenarios, jobs, publishing, shares), so that neither lands without the
other; a ledger event is written by the store's own transaction (`Store.append`) and its
entry right after it, under the server's ledger lock. Readable by the coordinator only
(`GET /api/v1/audit`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, insert, select

from resupply.service.workspace import AUDIT, Workspace, as_utc, utcnow


@dataclass(frozen=True)
class AuditEntry:
    """One audited write."""

    id: int
    at: dt.datetime
    actor: str
    action: str
    target: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


def log(conn: Connection, actor: str, action: str, target: str, *,
        before: dict[str, Any] | None = None, after: dict[str, Any] | None = None) -> None:
    """Append one entry inside the caller's write transaction."""
    conn.execute(insert(AUDIT).values(at=utcnow(), actor=actor, action=action, target=target,
                                      before=before, after=after))


def entries(ws: Workspace, offset: int, limit: int) -> tuple[int, list[AuditEntry]]:
    """(total, a page of entries, newest first)."""
    with ws.read() as conn:
        total = int(conn.execute(select(func.count()).select_from(AUDIT)).scalar_one())
        rows = conn.execute(select(AUDIT).order_by(AUDIT.c.id.desc())
                            .offset(offset).limit(limit)).all()
    return total, [AuditEntry(r.id, as_utc(r.at), r.actor, r.action, r.target, r.before,
                              r.after) for r in rows]
