"""Reconciliation inside the database: the pledge fold and the sums per donor and item in SQL.

Reading 100,000+ events into Python costs more than the whole status (about 5 us an event
just to build the row objects), so `SqlStore.status_rows` asks the database for the
figures per (donor, item) — a few thousand rows — and `ledger.status` groups those by
family. The SQL restates `events.derive` (same symbols as `table`): for each pledge, r is its
last announced/committed event, c its last cancelled event, d its last promise with a due
date; pledged = q[r] + amendments after r (looked up only for pledges that have any);
cancelled = c after r. Tests check it against
`reconcile(derive(...))` on SQLite and PostgreSQL. It relies on the store's rule that every
event of a pledge names the same donor and item, and reads the quantity at r, the due
date at d and the amendments after r only for pledges that need them (restated or
re-dated more than once, or amended), so the common pledge costs one pass of GROUP BY.
Portable SQL only (no GREATEST/LEAST);
``MATERIALIZED`` (SQLite >= 3.35, PostgreSQL >= 12) keeps `pledges` from being inlined into
every expression that uses it.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, Date, String, bindparam, text

from resupply.store.reconcile import StatusRow

_MARKS = """
WITH marks AS (
  SELECT pledge_id,
         MIN(donor) AS donor,
         MIN(item) AS item,
         MAX(CASE WHEN kind IN ('announced', 'committed') THEN seq END) AS r,
         COUNT(CASE WHEN kind IN ('announced', 'committed') THEN 1 END) AS restated,
         SUM(CASE WHEN kind IN ('announced', 'committed') THEN quantity END) AS restated_q,
         MAX(CASE WHEN kind = 'cancelled' THEN seq END) AS c,
         MAX(CASE WHEN kind IN ('announced', 'committed', 'amended') AND due IS NOT NULL
                  THEN seq END) AS d,
         COUNT(CASE WHEN kind IN ('announced', 'committed', 'amended') AND due IS NOT NULL
                    THEN 1 END) AS dated,
         MAX(CASE WHEN kind IN ('announced', 'committed', 'amended') THEN due END) AS due_max,
         SUM(CASE WHEN kind = 'delivered' THEN quantity ELSE 0 END) AS delivered,
         MAX(CASE WHEN kind = 'amended' THEN 1 ELSE 0 END) AS amended
  FROM ledger_events {where}
  GROUP BY pledge_id
),
pledges AS MATERIALIZED (
  SELECT donor, item,
         CASE WHEN restated <= 1 THEN COALESCE(restated_q, 0)
              ELSE (SELECT q.quantity FROM ledger_events q WHERE q.seq = m.r) END
         + CASE WHEN amended = 1 THEN COALESCE(
             (SELECT SUM(a.quantity) FROM ledger_events a WHERE a.pledge_id = m.pledge_id
                AND a.kind = 'amended' AND a.seq > COALESCE(m.r, 0)), 0)
           ELSE 0 END AS pledged,
         delivered,
         CASE WHEN c IS NOT NULL AND c > COALESCE(r, 0) THEN 1 ELSE 0 END AS cancelled,
         CASE WHEN dated <= 1 THEN due_max
              ELSE (SELECT x.due FROM ledger_events x WHERE x.seq = m.d) END AS due
  FROM marks m
),
figures AS (
  SELECT donor, item, pledged, delivered, due, cancelled,
         CASE WHEN cancelled = 1 THEN 0
              WHEN pledged - delivered >= (CASE WHEN pledged < 0 THEN pledged ELSE 0 END)
                   THEN pledged - delivered
              ELSE (CASE WHEN pledged < 0 THEN pledged ELSE 0 END) END AS outstanding,
         CASE WHEN cancelled = 1 AND pledged > delivered THEN pledged - delivered
              ELSE 0 END AS cancelled_units
  FROM pledges
)
SELECT donor, item, COUNT(*), SUM(pledged - cancelled_units), SUM(delivered),
       SUM(outstanding),
       SUM(CASE WHEN due IS NOT NULL AND due < :as_of AND outstanding > 0 THEN outstanding
                ELSE 0 END),
       SUM(cancelled_units)
FROM figures
GROUP BY donor, item
"""


def status_by_item(conn: Connection, as_of: dt.date, donor: str | None) -> list[StatusRow]:
    """`StatusRow` per (donor, item), sorted; `as_of` judges lateness (due before it)."""
    where = "WHERE donor = :donor" if donor is not None else ""
    query = text(_MARKS.format(where=where)).bindparams(bindparam("as_of", type_=Date()))
    params: dict[str, object] = {"as_of": as_of}
    if donor is not None:
        query = query.bindparams(bindparam("donor", type_=String()))
        params["donor"] = donor
    rows = [StatusRow(d, i, int(n), float(p), float(dl), float(o), float(late), float(c))
            for d, i, n, p, dl, o, late, c in conn.execute(query, params)]
    return sorted(rows, key=lambda r: (r.donor, r.group))
