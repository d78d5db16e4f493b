"""The marts step: incremental maintenance (claimwatch.transform.marts) against the REFRESH it replaced, same data.

Runs on a warehouse that already holds clustered events, e.g. the one ``bench_scale.py --keep`` leaves:

    .venv/bin/python bench/bench_scale.py --posts 100000 --keep      # prints "kept database NAME"
    .venv/bin/python bench/bench_marts.py --dsn postgresql://.../NAME

and measures, in this order, each ``--repeat`` times (the median is printed):

1. old: the four materialized views of migration 006 created beside the tables (schema ``bench_old``, the same
   SQL as 006 defined them) and refreshed as the marts DAG did, ``REFRESH MATERIALIZED VIEW CONCURRENTLY`` each;
2. full: the full rebuild of the tables (``marts.rebuild``, what runs after migration 013 or reprocess);
3. re-run, nothing new: the events step (``cluster_new``), its marts part (``marts_ms``) and the whole step;
4. re-run, one new day: the documents and claims of the latest day copied as a new day (new posts one day
   later), then the events step: placing them, refreshing the touched events, and the marts part.

Finally it checks that the tables equal the old views row for row (the same rows in the same order by key).
The ``bench_old`` schema and the copied day are left in place only with ``--keep-old``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import psycopg2

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from claimwatch.transform import marts  # noqa: E402
from claimwatch.transform.events import cluster_new  # noqa: E402

# The materialized views as migration 006 defined them (what `REFRESH` refreshed before migration 013).
OLD_VIEWS = """
CREATE SCHEMA bench_old;
CREATE MATERIALIZED VIEW bench_old.events AS
SELECT e.event_id, e.event_date, e.actor, e.weapon, e.target_country, e.location_name, e.lat, e.lon, e.status,
       e.intercepted, e.hit, e.claims, e.reports, e.documents, e.sources, m.source_ids, m.claim_ids, m.report_ids,
       m.urls, e.first_seen_at
FROM core.events e
JOIN LATERAL (
    SELECT array_agg(DISTINCT d.source_id ORDER BY d.source_id) AS source_ids,
           array_agg(c.claim_id ORDER BY c.claim_id) FILTER (WHERE c.kind = 'claim') AS claim_ids,
           array_agg(c.claim_id ORDER BY c.claim_id) FILTER (WHERE c.kind = 'report') AS report_ids,
           array_agg(DISTINCT d.url) AS urls
    FROM core.claims c
    JOIN core.documents d ON d.doc_id = c.doc_id
    WHERE c.event_id = e.event_id AND NOT c.retracted
) m ON true
WHERE e.claims + e.reports > 0;
CREATE UNIQUE INDEX ON bench_old.events (event_id);
CREATE MATERIALIZED VIEW bench_old.daily_events AS
SELECT event_date, coalesce(actor, 'unknown') AS actor, coalesce(target_country, 'unknown') AS target_country,
       coalesce(weapon, 'unspecified') AS weapon, count(*) AS events, count(*) FILTER (WHERE claims > 0) AS claimed,
       count(*) FILTER (WHERE reports > 0) AS reported,
       count(*) FILTER (WHERE status = 'claimed and corroborated') AS corroborated,
       count(*) FILTER (WHERE intercepted) AS intercepted, count(*) FILTER (WHERE hit) AS hit
FROM bench_old.events WHERE event_date IS NOT NULL GROUP BY 1, 2, 3, 4;
CREATE UNIQUE INDEX ON bench_old.daily_events (event_date, actor, target_country, weapon);
CREATE MATERIALIZED VIEW bench_old.weekly_events AS
SELECT date_trunc('week', event_date)::date AS week_start, actor, target_country, weapon,
       sum(events)::bigint AS events, sum(claimed)::bigint AS claimed, sum(reported)::bigint AS reported,
       sum(corroborated)::bigint AS corroborated, sum(intercepted)::bigint AS intercepted, sum(hit)::bigint AS hit
FROM bench_old.daily_events GROUP BY 1, 2, 3, 4;
CREATE UNIQUE INDEX ON bench_old.weekly_events (week_start, actor, target_country, weapon);
CREATE MATERIALIZED VIEW bench_old.claim_confirmation AS
SELECT c.claim_id, c.event_id, c.event_date, c.actor, c.weapon, c.target_country, c.location_name,
       d.url AS claimed_in, e.reports AS corroborating_reports, e.sources AS sources,
       e.intercepted AS reported_intercepted, e.status = 'claimed and corroborated' AS confirmed
FROM core.claims c
JOIN core.documents d ON d.doc_id = c.doc_id
JOIN core.events e ON e.event_id = c.event_id
WHERE c.kind = 'claim' AND NOT c.retracted AND d.near_dup_of IS NULL;
CREATE UNIQUE INDEX ON bench_old.claim_confirmation (claim_id);
"""
KEYS = {
    "events": "event_id",
    "daily_events": "event_date, actor, target_country, weapon",
    "weekly_events": "week_start, actor, target_country, weapon",
    "claim_confirmation": "claim_id",
}

# A new day: the latest day's documents and their claims again, one day later, as new posts (unclustered).
NEW_DAY = """
WITH day AS (SELECT max(event_date) AS d FROM core.claims WHERE event_date IS NOT NULL),
docs AS (
    SELECT DISTINCT d.* FROM core.documents d JOIN core.claims c ON c.doc_id = d.doc_id, day
    WHERE c.event_date = day.d AND d.near_dup_of IS NULL
), new_docs AS (
    INSERT INTO core.documents (source_id, external_id, raw_document_id, doc_type, url, published_at, fetched_at,
                                text, text_normalized, exact_fingerprint, normalizer_version, extractor_version)
    SELECT source_id, 'bench-day-' || external_id, raw_document_id, doc_type, url || '?bench-day',
           published_at + interval '1 day', fetched_at, text, text_normalized, exact_fingerprint,
           normalizer_version, extractor_version
    FROM docs
    RETURNING doc_id, external_id
)
INSERT INTO core.claims (doc_id, raw_document_id, operation_index, kind, actor, actor_id, weapon, sub_event_type,
                         target_country, location_name, location_id, lat, lon, geo_precision, event_date,
                         date_precision, intercepted, confidence, evidence, extractor_version)
SELECT n.doc_id, c.raw_document_id, c.operation_index, c.kind, c.actor, c.actor_id, c.weapon, c.sub_event_type,
       c.target_country, c.location_name, c.location_id, c.lat, c.lon, c.geo_precision, c.event_date + 1,
       c.date_precision, c.intercepted, c.confidence, c.evidence, c.extractor_version
FROM new_docs n
JOIN docs o ON 'bench-day-' || o.external_id = n.external_id
JOIN core.claims c ON c.doc_id = o.doc_id
RETURNING claim_id
"""


def _timed(fn: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    out = fn()
    return time.perf_counter() - started, out


def refresh_old(dsn: str) -> float:
    conn = psycopg2.connect(dsn)
    conn.autocommit = True  # CONCURRENTLY cannot run in a transaction block, as in the old marts step
    started = time.perf_counter()
    with conn.cursor() as cur:
        for view in KEYS:
            cur.execute(f"REFRESH MATERIALIZED VIEW CONCURRENTLY bench_old.{view}")
    conn.close()
    return time.perf_counter() - started


def same_rows(dsn: str) -> dict[str, bool]:
    out = {}
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        for view, key in KEYS.items():
            cur.execute(f"SELECT * FROM marts.{view} ORDER BY {key}")
            new = cur.fetchall()
            cur.execute(f"SELECT * FROM bench_old.{view} ORDER BY {key}")
            out[view] = new == cur.fetchall()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dsn", required=True, help="a warehouse with clustered events (bench_scale.py --keep)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep-old", action="store_true", help="leave the bench_old schema and the copied day")
    args = parser.parse_args(argv)
    dsn = args.dsn
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute("DROP SCHEMA IF EXISTS bench_old CASCADE")
        cur.execute(OLD_VIEWS)
        cur.execute(
            "SELECT (SELECT count(*) FROM core.claims), (SELECT count(*) FROM marts.events), "
            "(SELECT count(*) FROM marts.daily_events), (SELECT count(*) FROM marts.claim_confirmation)"
        )
        claims, events, daily, confirmations = cur.fetchone()
    cluster_new(dsn)  # anything pending first, so the re-runs below find nothing
    print(f"warehouse: {claims:,} claim rows, {events:,} events, {daily:,} daily rows, {confirmations:,} claims")

    def median(fn: Any) -> float:
        return statistics.median(fn() for _ in range(args.repeat))

    old_s = median(lambda: refresh_old(dsn))
    full_s = median(lambda: _timed(lambda: marts.rebuild(dsn))[0])
    nothing = [_timed(lambda: cluster_new(dsn)) for _ in range(args.repeat)]
    nothing_step = statistics.median(s for s, _ in nothing)
    nothing_marts = statistics.median(c["marts_ms"] for _, c in nothing) / 1000
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute(NEW_DAY)
        new_rows = cur.rowcount
    day_step, day = _timed(lambda: cluster_new(dsn))
    print(f"old REFRESH MATERIALIZED VIEW CONCURRENTLY x4: {old_s:8.3f} s (median of {args.repeat})")
    print(f"full rebuild of the tables:                  {full_s:8.3f} s (median of {args.repeat})")
    print(f"re-run, nothing new: marts part              {nothing_marts:8.3f} s; events step {nothing_step:.3f} s")
    print(f"re-run, one new day ({new_rows} rows, {day['refreshed']} events touched): marts part "
          f"{day['marts_ms'] / 1000:.3f} s; events step {day_step:.3f} s")  # fmt: skip
    refresh_old(dsn)
    same = same_rows(dsn)
    print(f"tables equal the old views row for row: {same}")
    if not args.keep_old:
        with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
            cur.execute("DROP SCHEMA bench_old CASCADE")
            copied = "SELECT doc_id FROM core.documents WHERE external_id LIKE 'bench-day-%'"
            cur.execute("UPDATE core.events SET needs_refresh = true WHERE event_id IN "
                        f"(SELECT event_id FROM core.claims WHERE doc_id IN ({copied}))")  # fmt: skip
            cur.execute(f"DELETE FROM core.claims WHERE doc_id IN ({copied})")
            cur.execute(f"DELETE FROM core.documents WHERE doc_id IN ({copied})")
        cluster_new(dsn)
    return 0 if all(same.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
