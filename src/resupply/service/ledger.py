"""The ledger through the service: the store's operations (`resupply.store.ledger`) with the
confidentiality rules of `access` applied, and every write audited."""

from __future__ import annotations

import dataclasses
import datetime as dt
import tempfile
from collections import defaultdict
from pathlib import Path

from resupply.errors import ImportRowsError
from resupply.service import audit
from resupply.service.access import (
    aggregate_visible,
    check_reader,
    check_writer,
    donor_scope,
    require_coordinator,
)
from resupply.service.roles import Principal
from resupply.service.scenarios import NotFoundError, safe_filename
from resupply.service.schemas import (
    EventIn,
    EventOut,
    ImportOut,
    PageMeta,
    PledgeDetailOut,
    PledgeIn,
    PledgeListOut,
    PledgeOut,
    StatusOut,
    StatusRowOut,
)
from resupply.service.workspace import Workspace
from resupply.store import ledger as store_ledger
from resupply.store.events import Event, EventKind, PledgeState
from resupply.store.imports import ImportFormat
from resupply.store.reconcile import StatusRow


def pledge_out(state: PledgeState, as_of: dt.date) -> PledgeOut:
    """The response shape of a pledge state."""
    return PledgeOut(pledge_id=state.pledge_id, donor=state.donor, item=state.item,
                     status=state.status, pledged=state.pledged, dispatched=state.dispatched,
                     delivered=state.delivered, outstanding=state.outstanding, due=state.due,
                     late=state.late(as_of), events=state.events)


def event_out(event: Event) -> EventOut:
    """The response shape of a ledger event."""
    return EventOut(seq=event.seq, pledge_id=event.pledge_id, kind=str(event.kind),
                    donor=event.donor, item=event.item, quantity=event.quantity,
                    date=event.date, due=event.due, recorded_by=event.recorded_by,
                    note=event.note)


def list_pledges(ws: Workspace, who: Principal, donor: str | None, *, offset: int, limit: int,
                 as_of: dt.date, item: str | None = None,
                 status: str | None = None) -> PledgeListOut:
    """A page of the pledges ``who`` may see, optionally of one donor, item or status
    (``late`` selects the pledges late on ``as_of``)."""
    scope = donor_scope(who, donor)
    every = store_ledger.pledge_states(ws.store) if scope is None else [
        s for d in scope for s in store_ledger.pledge_states(ws.store, donor=d)]
    states = [s for s in every
              if (item is None or s.item == item) and _has_status(s, status, as_of)]
    shown = states[offset:offset + limit]
    return PledgeListOut(page=PageMeta(offset=offset, limit=limit, total=len(states)),
                         pledges=[pledge_out(s, as_of) for s in shown])


def _has_status(state: PledgeState, status: str | None, as_of: dt.date) -> bool:
    if status is None:
        return True
    return state.late(as_of) if status == "late" else state.status == status


def _visible(ws: Workspace, who: Principal, pledge_id: str) -> tuple[PledgeState, list[Event]]:
    events = ws.store.events(pledge_id=pledge_id)
    if not events:
        raise NotFoundError(f"no pledge {pledge_id!r}")
    check_reader(who, events[0].donor, f"pledge {pledge_id!r}")
    state, _ = store_ledger.pledge(ws.store, pledge_id)
    return state, events


def pledge_detail(ws: Workspace, who: Principal, pledge_id: str,
                  as_of: dt.date) -> PledgeDetailOut:
    """A pledge and its events, if ``who`` may see it (`NotFoundError` otherwise)."""
    state, events = _visible(ws, who, pledge_id)
    return PledgeDetailOut(pledge=pledge_out(state, as_of),
                           events=[event_out(e) for e in events])


def _state_dict(state: PledgeState | None) -> dict[str, object] | None:
    return None if state is None else {k: (v.isoformat() if isinstance(v, dt.date) else v)
                                       for k, v in dataclasses.asdict(state).items()}


def new_pledge(ws: Workspace, who: Principal, donor: str, body: PledgeIn,
               as_of: dt.date) -> PledgeDetailOut:
    """Start a pledge of ``donor`` (a donor only its own; the coordinator any); audited."""
    check_writer(who, donor, f"donor {donor!r}")
    with ws.ledger_lock:
        return _new_pledge(ws, who, donor, body, as_of)


def _new_pledge(ws: Workspace, who: Principal, donor: str, body: PledgeIn,
                as_of: dt.date) -> PledgeDetailOut:
    event = store_ledger.record(ws.store, EventKind(body.kind), date=body.date, donor=donor,
                                item=body.item, quantity=body.quantity, due=body.due,
                                note=body.note, recorded_by=who.username, source="service")
    state, events = _visible(ws, who, event.pledge_id)
    ws.write(lambda conn: audit.log(conn, who.username, "ledger.pledge",
                                    f"pledge {event.pledge_id}", after=_state_dict(state)))
    return PledgeDetailOut(pledge=pledge_out(state, as_of),
                           events=[event_out(e) for e in events])


def add_event(ws: Workspace, who: Principal, pledge_id: str, body: EventIn,
              as_of: dt.date) -> PledgeDetailOut:
    """Record one more event on a pledge ``who`` may see; audited with before and after."""
    with ws.ledger_lock:
        return _add_event(ws, who, pledge_id, body, as_of)


def _add_event(ws: Workspace, who: Principal, pledge_id: str, body: EventIn,
               as_of: dt.date) -> PledgeDetailOut:
    before, _ = _visible(ws, who, pledge_id)
    check_writer(who, before.donor, f"pledge {pledge_id!r}")
    store_ledger.record(ws.store, EventKind(body.kind), date=body.date, pledge_id=pledge_id,
                        quantity=body.quantity, due=body.due, note=body.note,
                        recorded_by=who.username, source="service")
    after, events = _visible(ws, who, pledge_id)
    ws.write(lambda conn: audit.log(conn, who.username, f"ledger.{body.kind}",
                                    f"pledge {pledge_id}", before=_state_dict(before),
                                    after=_state_dict(after)))
    return PledgeDetailOut(pledge=pledge_out(after, as_of),
                           events=[event_out(e) for e in events])


def _row_out(row: StatusRow, pledges: bool = True) -> StatusRowOut:
    return StatusRowOut(donor=row.donor, group=row.group,
                        pledges=row.pledges if pledges else None, pledged=row.pledged,
                        delivered=row.delivered, outstanding=row.outstanding, late=row.late,
                        cancelled=row.cancelled)


def status(ws: Workspace, who: Principal, as_of: dt.date) -> StatusOut:
    """The ledger status ``who`` may see (`access`): own rows and permitted aggregates."""
    rows = store_ledger.status(ws.store, as_of)
    by_group: dict[str, list[StatusRow]] = defaultdict(list)
    for row in rows:
        by_group[row.group].append(row)
    own = [r for r in rows if who.is_coordinator or r.donor in who.sees]
    aggregates, withheld = [], []
    for group, members in sorted(by_group.items()):
        if aggregate_visible(who, {m.donor for m in members}):
            total = _sum(members, group)
            aggregates.append(_row_out(total, pledges=who.is_coordinator))
        elif any(m.donor in who.sees for m in members):
            withheld.append(group)  # an item with no own rows stays unnamed: naming it
            # would say that one other donor pledged it
    return StatusOut(as_of=as_of, own=[_row_out(r) for r in own], aggregates=aggregates,
                     withheld=withheld)


def _sum(rows: list[StatusRow], group: str) -> StatusRow:
    from resupply.store.reconcile import total

    summed = total(rows, "all donors")
    return dataclasses.replace(summed, group=group)


def import_events(ws: Workspace, who: Principal, raw: bytes, filename: str, *,
                  fmt: ImportFormat, partial: bool) -> ImportOut:
    """Import a ledger file (`resupply.store.imports.import_file`: one transaction; with
    bad rows nothing is written unless ``partial``), coordinator only; audited."""
    from resupply.store.imports import import_file

    require_coordinator(who)
    name = safe_filename(filename or "import.csv")
    with tempfile.TemporaryDirectory(prefix="resupply-import-") as folder, ws.ledger_lock:
        path = Path(folder) / name
        path.write_bytes(raw)
        try:
            report = import_file(ws.store, path, fmt, recorded_by=who.username,
                                 partial=partial)
        except ImportRowsError as exc:  # name the uploaded file, not the temporary copy
            raise ImportRowsError([dataclasses.replace(i, file=name) for i in exc.issues],
                                  exc.summary.replace("--partial", "partial=true")) from None
    out = ImportOut(file=name, format=fmt, rows=report.rows, written=report.written,
                    skipped=report.skipped, ignored=report.ignored,
                    warnings=[str(w).replace(str(path), name) for w in report.warnings],
                    errors=[str(e).replace(str(path), name) for e in report.errors])
    ws.write(lambda conn: audit.log(conn, who.username, "ledger.import", f"file {name}",
                                    after=out.model_dump()))
    return out
