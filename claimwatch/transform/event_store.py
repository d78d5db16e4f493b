"""The warehouse side of event clustering: read rows to place, place them, write events back.

Incremental by construction: the work list is the rows without an event (new documents, re-extracted ones whose
operation changed, rows an analyst's correction took out of their event). Each batch is compared with the rows
already placed within a day of it (an indexed date range), so a run touches what changed, not the whole history.
Summaries are recomputed only for events whose members changed (``needs_refresh``), and in the same transaction
the marts rows of those events and of their days and weeks (:mod:`claimwatch.transform.marts`). Each event records
the linker version that made it (``linker_version``): after ``claimwatch train`` or a change of the clustering
rules, the next run places the rows of older events again, as the reprocess DAG re-extracts rows of an older
extractor.
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from types import TracebackType
from typing import Any

import psycopg2.extras

from claimwatch.claims.actors import actor_family
from claimwatch.transform import marts
from claimwatch.transform.events import Clusterer, LinkModel, Row, linker_version, renews, states_count, words_of
from claimwatch.warehouse import query
from claimwatch.warehouse.connection import connect

log = logging.getLogger(__name__)

__all__ = ["EventStore", "row_from_db"]


def row_from_db(r: dict[str, Any]) -> Row:
    """A linker row from an ``events_rows.sql`` record."""
    actor = r["actor"]
    return Row(
        key=r["claim_id"],
        kind=r["kind"],
        actor=actor,
        weapon=r["weapon"],
        target_country=r["target_country"],
        location_id=r["location_id"],
        event_date=r["event_date"],
        intercepted=r["intercepted"],
        words=words_of(f"{r['evidence']} {r['head']}"),
        source=r["source_id"],
        published_at=r["published_at"],
        doc=r["doc_id"],
        copy_of=r["near_dup_of"],
        operation_index=r["operation_index"],
        family=actor_family(actor) if actor and actor not in ("unknown", "other") else frozenset(),
        lat=r["lat"],
        lon=r["lon"],
        confidence=r["confidence"],
        states_count=states_count(r["head"]),
        renews=renews(r["head"]),
        geo_precision=r["geo_precision"],
    )


class EventStore:
    """A connection to the warehouse for one clustering run (``with EventStore(dsn) as store: ...``)."""

    def __init__(self, dsn: str) -> None:
        self.dsn = dsn
        self._cm = connect(dsn, application_name="claimwatch-events")
        self.conn: Any = None
        self.marts: dict[str, Any] = {}  # what the last run did to the marts (claimwatch.transform.marts.apply)

    def __enter__(self) -> EventStore:
        self.conn = self._cm.__enter__()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._cm.__exit__(exc_type, exc, tb)

    def _rows(self, which: str, limit: int = 1_000_000, **params: Any) -> list[dict[str, Any]]:
        args = {"which": which, "lo": None, "hi": None, "doc_ids": [], "limit": limit, **params}
        with self.conn.cursor(cursor_factory=psycopg2.extras.RealDictCursor) as cur:
            cur.execute(query("events_rows"), args)
            return [dict(r) for r in cur.fetchall()]

    def cluster(self, model: LinkModel, batch: int = 5000) -> dict[str, int]:
        """Place every unplaced row and bring the marts up to date; returns counts (rows placed, events created,
        events refreshed, whether the marts were rebuilt in full, milliseconds spent on the marts)."""
        started = time.perf_counter()
        counts = {"placed": 0, "new_events": 0, "joined": 0, "refreshed": 0, "released": 0}
        version = linker_version(model)
        with self.conn.cursor() as cur:
            # a new link model or clustering rule: the rows of events another version made are placed again (once;
            # an unchanged linker releases nothing, found through the index on link_version without a scan)
            cur.execute(query("events_outdated"), {"version": version})
            counts["released"] = int(cur.fetchone()[0])
            cur.execute(query("events_constraints"))
            pairs = cur.fetchall()
        must = [(a, b) for a, b, action in pairs if action == "merge"]
        cannot = [(a, b) for a, b, action in pairs if action == "split"]
        while True:
            todo = self._rows("unplaced", limit=batch)
            if not todo:
                break
            rows = [row_from_db(r) for r in todo]
            clusterer = Clusterer(model, must, cannot)
            dates = [r.event_date for r in rows if r.event_date is not None]
            seeds: dict[int, dict[str, Any]] = {}
            if dates:
                lo, hi = min(dates) - timedelta(days=1), max(dates) + timedelta(days=1)
                for r in self._rows("window", lo=lo, hi=hi):
                    seeds[r["claim_id"]] = r
            copies = sorted({r.copy_of for r in rows if r.copy_of is not None})
            must_keys = {k for pair in must for k in pair}
            if copies:
                for r in self._rows("docs", doc_ids=copies):
                    seeds[r["claim_id"]] = r
            for r in seeds.values():
                clusterer.seed(row_from_db(r), r["event_id"])
            if must_keys - set(seeds):
                # a merge partner placed outside the window (an analyst merged operations days apart)
                with self.conn.cursor(cursor_factory=psycopg2.extras.RealDictCursor) as cur:
                    cur.execute(query("events_of_rows"), {"ids": sorted(must_keys - set(seeds))})
                    for rec in cur.fetchall():
                        clusterer.event_of[rec["claim_id"]] = rec["event_id"]
            placed = [(row.key, clusterer.place(row)[0]) for row in rows]
            new_keys = sorted({e for _k, e in placed if isinstance(e, tuple)}, key=lambda e: -e[1])  # creation order
            ids: dict[Any, int] = {}
            with self.conn.cursor() as cur:
                if new_keys:
                    cur.execute(query("events_new"), {"n": len(new_keys), "version": version})
                    ids = dict(zip(new_keys, [r[0] for r in cur.fetchall()], strict=True))
                claim_ids = [k for k, _e in placed]
                event_ids = [ids.get(e, e) for _k, e in placed]
                cur.execute(query("events_assign"), {"claim_ids": claim_ids, "event_ids": event_ids})
            self.conn.commit()
            counts["placed"] += len(placed)
            counts["new_events"] += len(new_keys)
            counts["joined"] += sum(1 for _k, e in placed if not isinstance(e, tuple))
            if len(todo) < batch:
                break
        with self.conn.cursor() as cur:
            # the summaries of the touched events and their marts rows in one transaction: analysts see both
            # or neither, and a failure leaves the events marked for the retry
            rebuild_due = marts.lock(cur)
            cur.execute(query("events_refresh"))
            touched = [int(r[0]) for r in cur.fetchall()]
            counts["refreshed"] = len(touched)
            self.marts = marts.maintain(cur, touched, rebuild_due)
            counts["marts_rebuilt"] = int(rebuild_due)
            counts["marts_ms"] = round(1000 * self.marts["seconds"])
        self.conn.commit()
        log.info("events: %s in %.1f s; marts: %s", counts, time.perf_counter() - started, self.marts)
        return counts
