"""Where did a source stop? The one place that reads and moves incremental cursors.

A cursor is a small JSON object per source (``{"last_msg_id": 75103}`` for a Telegram channel). It is
moved only in the transaction that commits the last rows it covers (see ``load_raw.RawLoader.finish``),
never before: a crawl killed half-way leaves the old cursor, and the next run walks the same range
again, landing only what is missing.
"""

from __future__ import annotations

import json
from typing import Any

import psycopg2.extensions

from claimwatch.warehouse import query


def get_cursor(conn: psycopg2.extensions.connection, source_id: str) -> dict[str, Any]:
    """The source's cursor, or ``{}`` for a source never crawled to completion."""
    with conn.cursor() as cur:
        cur.execute(query("source_state_get"), {"source_id": source_id})
        row = cur.fetchone()
    return dict(row[0]) if row else {}


def advance_cursor(
    cur: psycopg2.extensions.cursor, source_id: str, cursor: dict[str, Any], crawl_run_id: int | None
) -> None:
    """Merge ``cursor`` into the stored one, inside the caller's transaction."""
    cur.execute(
        query("source_state_advance"),
        {"source_id": source_id, "cursor": json.dumps(cursor), "crawl_run_id": crawl_run_id},
    )
