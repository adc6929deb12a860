"""Shares: the coordinator lets one donor read another donor's own figures (pledges,
deliveries, tranches), as the issue's "unless the coordinator shares them". Read only; a
share ends when revoked. Every grant and revocation is audited."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Row, insert, select

from resupply.service import audit
from resupply.service.access import require_coordinator
from resupply.service.roles import DONOR_ID, Principal
from resupply.service.scenarios import NotFoundError
from resupply.service.schemas import ShareIn, ShareOut
from resupply.service.workspace import SHARES, Workspace, as_utc, utcnow


def _out(row: Row[Any]) -> ShareOut:
    revoked = row.revoked_at
    return ShareOut(id=row.id, donor=row.donor, with_donor=row.viewer_donor,
                    granted_by=row.granted_by, granted_at=as_utc(row.granted_at),
                    revoked_at=None if revoked is None else as_utc(revoked))


def grant(ws: Workspace, who: Principal, body: ShareIn) -> ShareOut:
    """Let ``body.with_donor`` read ``body.donor``'s own figures (coordinator only)."""
    require_coordinator(who)
    for donor in (body.donor, body.with_donor):
        if not DONOR_ID.match(donor):
            raise NotFoundError(f"no donor {donor!r}")

    def work(conn: Connection) -> int:
        result = conn.execute(insert(SHARES).values(
            donor=body.donor, viewer_donor=body.with_donor, granted_by=who.username,
            granted_at=utcnow()))
        share_id = int(result.inserted_primary_key[0])  # type: ignore[index]
        audit.log(conn, who.username, "share.grant", f"share {share_id}",
                  after={"donor": body.donor, "with_donor": body.with_donor})
        return share_id

    return get(ws, who, ws.write(work))


def get(ws: Workspace, who: Principal, share_id: int) -> ShareOut:
    """One share (coordinator only)."""
    require_coordinator(who)
    with ws.read() as conn:
        row = conn.execute(select(SHARES).where(SHARES.c.id == share_id)).first()
    if row is None:
        raise NotFoundError(f"no share {share_id}")
    return _out(row)


def listing(ws: Workspace, who: Principal) -> list[ShareOut]:
    """Every share, newest first (coordinator only)."""
    require_coordinator(who)
    with ws.read() as conn:
        return [_out(r) for r in conn.execute(select(SHARES).order_by(SHARES.c.id.desc()))]


def revoke(ws: Workspace, who: Principal, share_id: int) -> ShareOut:
    """End a share (coordinator only); revoking twice is harmless."""
    before = get(ws, who, share_id)

    def work(conn: Connection) -> None:
        conn.execute(SHARES.update().where(SHARES.c.id == share_id,
                                           SHARES.c.revoked_at.is_(None))
                     .values(revoked_at=utcnow()))
        audit.log(conn, who.username, "share.revoke", f"share {share_id}",
                  before=before.model_dump(mode="json"))

    ws.write(work)
    return get(ws, who, share_id)


def shared_with(ws: Workspace, donor: str) -> frozenset[str]:
    """The donors whose figures are shared with ``donor`` now."""
    with ws.read() as conn:
        rows = conn.execute(select(SHARES.c.donor).where(
            SHARES.c.viewer_donor == donor, SHARES.c.revoked_at.is_(None))).scalars().all()
    return frozenset(rows) - {donor}
