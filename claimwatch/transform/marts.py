"""The analyst marts over events: ``marts.events``, ``daily_events``, ``weekly_events`` and ``claim_confirmation``.

They are tables the events step maintains (migration 013), not materialized views refreshed in full. The events
step's summary refresh returns the ids of the events it touched (their members changed: new rows, re-extraction,
an analyst's correction, merge or split, a new linker); :func:`apply`, in the same transaction, then

1. upserts the ``marts.events`` rows of those events and deletes the rows of those left without members
   (``marts_events.sql``), which yields the days whose counts may have changed: the old ``event_date`` of every
   row written or deleted (read from the mart row) and the new one;
2. aggregates ``marts.daily_events`` again for those days only (``marts_daily_events.sql``);
3. sums ``marts.weekly_events`` again for the weeks of those days, from their seven days of daily counts
   (``marts_weekly_events.sql``);
4. upserts or deletes the ``marts.claim_confirmation`` rows of the claims of those events
   (``marts_claim_confirmation.sql``).

The same four statements rebuild everything when run unrestricted (``full``): one SQL text per mart, the
incremental run being the rebuild restricted to the touched keys. A full rebuild runs when ``ops.marts_state``
asks for one (after migration 013, after reprocess) or through :func:`rebuild`. Writes skip rows that come out
identical, and analysts are never blocked (no REFRESH, no TRUNCATE: plain MVCC rows).
"""

from __future__ import annotations

import time
from datetime import date, timedelta
from typing import Any

from claimwatch.warehouse import connect, query

MARTS = ("marts.events", "marts.daily_events", "marts.weekly_events", "marts.claim_confirmation")

__all__ = ["MARTS", "apply", "maintain", "rebuild", "request_rebuild", "week_days"]


def week_days(days: list[date]) -> tuple[list[date], list[date]]:
    """The Mondays of the weeks holding ``days``, and every day of those weeks."""
    weeks = sorted({d - timedelta(days=d.weekday()) for d in days})
    return weeks, [w + timedelta(days=i) for w in weeks for i in range(7)]


def apply(cur: Any, event_ids: list[int] | None) -> dict[str, Any]:
    """Bring the marts up to date for ``event_ids`` (None: every event, a full rebuild), inside the caller's
    transaction; returns rows written and deleted per mart, the days and weeks re-aggregated and the seconds."""
    full = event_ids is None
    ids = [] if event_ids is None else list(event_ids)
    out: dict[str, Any] = {"full": full, "events_touched": len(ids)}
    started = time.perf_counter()
    cur.execute(query("marts_events"), {"full": full, "event_ids": ids})
    days, written, dropped = cur.fetchone()
    out["marts.events"] = {"written": int(written), "dropped": int(dropped)}
    weeks, days_of_weeks = week_days(list(days))
    out["days"], out["weeks"] = len(days), len(weeks)
    cur.execute(query("marts_daily_events"), {"full": full, "days": list(days)})
    out["marts.daily_events"] = dict(zip(("written", "dropped"), map(int, cur.fetchone()), strict=True))
    cur.execute(query("marts_weekly_events"), {"full": full, "weeks": weeks, "week_days": days_of_weeks})
    out["marts.weekly_events"] = dict(zip(("written", "dropped"), map(int, cur.fetchone()), strict=True))
    cur.execute(query("marts_claim_confirmation"), {"full": full, "event_ids": ids})
    out["marts.claim_confirmation"] = dict(zip(("written", "dropped"), map(int, cur.fetchone()), strict=True))
    out["seconds"] = round(time.perf_counter() - started, 3)
    return out


def lock(cur: Any) -> bool:
    """Take the marts for the caller's transaction (``ops.marts_state`` FOR UPDATE: one writer at a time); return
    whether a full rebuild is due."""
    cur.execute(query("marts_state_lock"))
    row = cur.fetchone()
    return bool(row[0]) if row is not None else True


def maintain(cur: Any, touched: list[int], rebuild_due: bool) -> dict[str, Any]:
    """What the events step runs after its summary refresh, in its transaction (after :func:`lock`): the marts
    for the touched events, or all of them when a rebuild is due (and then the rebuild is recorded)."""
    out = apply(cur, None if rebuild_due else touched)
    if rebuild_due:
        cur.execute(query("marts_state_rebuilt"))
    return out


def rebuild(dsn: str) -> dict[str, Any]:
    """Rebuild every mart from ``core`` in one transaction (what the first events step after migration 013 or after
    reprocess does by itself)."""
    with connect(dsn) as conn, conn.cursor() as cur:
        lock(cur)
        return maintain(cur, [], rebuild_due=True)


def request_rebuild(dsn: str) -> None:
    """Ask the next events step for a full rebuild (reprocess touched events across the whole history)."""
    with connect(dsn) as conn, conn.cursor() as cur:
        cur.execute(query("marts_state_request_rebuild"))
