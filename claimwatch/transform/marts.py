"""Refresh the analyst marts (materialized views in ``marts``)."""

from __future__ import annotations

import time

from claimwatch.warehouse import connect, query

MARTS = ("marts.events", "marts.daily_events", "marts.weekly_events", "marts.claim_confirmation")


def refresh(dsn: str) -> dict[str, float]:
    """Refresh every mart in dependency order; return seconds per mart."""
    timings: dict[str, float] = {}
    with connect(dsn) as conn:
        conn.autocommit = True  # CONCURRENTLY cannot run inside a transaction block
        with conn.cursor() as cur:
            for name in MARTS:
                started = time.perf_counter()
                cur.execute(query(f"refresh_{name.split('.')[1]}"))
                timings[name] = round(time.perf_counter() - started, 3)
    return timings
