"""Event clustering in the warehouse over the whole shared channel: events vs rows, and run times.

    .venv/bin/python bench/bench_extract_throughput.py   # (extraction is timed there)
    .venv/bin/python bench/bench_events.py [--dsn ADMIN_DSN]

A fresh warehouse database (``--dsn``: a superuser DSN to create it in; default the embedded server) gets the
channel's 7,369 posts as documents and their extracted claims and reports as rows. Then, timed:

1. the previous linker's rebuild (the last release's ``claim_links_rebuild.sql``: DELETE and re-INSERT every
   claim-report link, set-based), on the same rows, as the baseline;
2. clustering every row into events from scratch (what a first run or a full reprocess does);
3. an incremental run after one more day of posts arrives (the rows of the channel's last day taken out and
   placed again), which is what the marts DAG does every run;
4. a re-run with nothing new.
"""

from __future__ import annotations

import argparse
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import psycopg2
from psycopg2 import sql as pgsql

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from claimwatch.claims.corpus import load_corpus  # noqa: E402
from claimwatch.claims.extract import extract_posts  # noqa: E402
from claimwatch.claims.train import _posted  # noqa: E402
from claimwatch.transform.event_store import EventStore  # noqa: E402
from claimwatch.transform.events import load_link_model  # noqa: E402
from claimwatch.warehouse.connection import database_dsn  # noqa: E402

# the previous release's linker (sql/queries/claim_links_rebuild.sql before migration 006), verbatim
OLD_REBUILD = """
CREATE TABLE IF NOT EXISTS bench_claim_links (claim_id bigint, report_id bigint, link_type text, score real,
                                              PRIMARY KEY (claim_id, report_id));
DELETE FROM bench_claim_links;
INSERT INTO bench_claim_links (claim_id, report_id, link_type, score)
SELECT c.claim_id, r.claim_id, 'repost', 1.0
FROM core.claims c JOIN core.documents cd ON cd.doc_id = c.doc_id
JOIN core.documents rd ON rd.near_dup_of = cd.doc_id
JOIN core.claims r ON r.doc_id = rd.doc_id AND r.operation_index = c.operation_index
WHERE c.kind = 'claim' ON CONFLICT DO NOTHING;
INSERT INTO bench_claim_links (claim_id, report_id, link_type, score)
SELECT DISTINCT ON (c.claim_id, r.claim_id) c.claim_id, r.claim_id, 'corroborates',
       0.4 * (CASE WHEN r.event_date = c.event_date THEN 1 ELSE 0.5 END)
     + 0.3 * (CASE WHEN r.location_id = c.location_id THEN 1 ELSE 0 END)
     + 0.2 * (CASE WHEN r.weapon = c.weapon THEN 1 ELSE 0 END)
     + 0.1 * (CASE WHEN r.actor = c.actor THEN 1 ELSE 0 END)
FROM core.claims c JOIN core.documents cd ON cd.doc_id = c.doc_id
JOIN core.claims r ON r.kind = 'report' AND r.doc_id <> c.doc_id
JOIN core.documents rd ON rd.doc_id = r.doc_id
WHERE c.kind = 'claim' AND rd.source_id <> cd.source_id AND rd.near_dup_of IS NULL
  AND r.target_country = c.target_country AND abs(r.event_date - c.event_date) <= 1
  AND (r.location_id = c.location_id OR r.weapon = c.weapon)
  AND (r.actor = c.actor OR r.actor = 'unknown' OR r.actor IS NULL)
ON CONFLICT DO NOTHING;
"""


def _load(dsn: str) -> tuple[int, int]:
    posts = load_corpus("naya")
    items = [(p["text"], _posted(p["posted_at"])) for p in posts]
    found = extract_posts(items)
    rows = 0
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute("INSERT INTO ops.sources (source_id, kind, config) VALUES ('naya', 'telegram', '{}')")
        for p, (_t, posted), ex in zip(posts, items, found, strict=True):
            cur.execute(
                "INSERT INTO raw.documents (source_id, external_id, content_sha256, url, fetched_at, http_status, "
                "body, published_at) VALUES ('naya', %s, md5(%s), %s, now(), 200, %s, %s) RETURNING raw_document_id",
                (str(p["msg_id"]), str(p["msg_id"]), p["url"], p["text"], posted),
            )
            raw_id = cur.fetchone()[0]
            cur.execute(
                "INSERT INTO core.documents (source_id, external_id, raw_document_id, doc_type, url, published_at, "
                "fetched_at, text, text_normalized, exact_fingerprint, normalizer_version) VALUES ('naya', %s, %s, "
                "'telegram_post', %s, %s, now(), %s, %s, md5(%s), 'bench') RETURNING doc_id",
                (str(p["msg_id"]), raw_id, p["url"], posted, p["text"], ex.norm, ex.norm),
            )
            doc_id = cur.fetchone()[0]
            for i, op in enumerate(ex.operations):
                cur.execute(
                    "INSERT INTO core.claims (doc_id, raw_document_id, operation_index, kind, actor, weapon, "
                    "target_country, location_name, location_id, lat, lon, event_date, intercepted, confidence, "
                    "evidence, extractor_version) SELECT %s, %s, %s, %s, %s, %s, %s, %s, "
                    "(SELECT location_id FROM core.locations WHERE location_id = %s), %s, %s, %s, %s, %s, %s, 'bench'",
                    (
                        doc_id,
                        raw_id,
                        i,
                        op.kind,
                        op.actor,
                        op.weapon,
                        op.target_country,
                        op.location,
                        op.location_id,
                        op.lat,
                        op.lon,
                        op.event_date,
                        op.intercepted,
                        op.confidence,
                        op.evidence,
                    ),
                )
                rows += 1
    return len(posts), rows


def main(argv: list[str] | None = None) -> int:
    """Create, load, time, drop."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dsn", help="superuser DSN of a PostgreSQL server (default: the embedded one)")
    args = ap.parse_args(argv)
    admin = args.dsn
    if admin is None:
        from claimwatch.warehouse.connection import warehouse_dsn

        admin = warehouse_dsn()
    name = f"cw_bench_{uuid.uuid4().hex[:8]}"
    conn = psycopg2.connect(admin)
    conn.autocommit = True
    conn.cursor().execute(pgsql.SQL("CREATE DATABASE {}").format(pgsql.Identifier(name)))
    dsn = database_dsn(admin, name)
    try:
        from claimwatch.pipeline.tasks import prepare_warehouse

        prepare_warehouse(dsn)
        t0 = time.perf_counter()
        n_posts, n_rows = _load(dsn)
        print(f"loaded {n_posts} posts, {n_rows} claim/report rows in {time.perf_counter() - t0:.1f} s")
        model = load_link_model()
        with psycopg2.connect(dsn) as c, c.cursor() as cur:
            t0 = time.perf_counter()
            cur.execute(OLD_REBUILD)
            old = time.perf_counter() - t0
        with EventStore(dsn) as store:
            t0 = time.perf_counter()
            full = store.cluster(model)
            scratch = time.perf_counter() - t0
        with psycopg2.connect(dsn) as c, c.cursor() as cur:
            cur.execute("SELECT max(event_date) FROM core.claims")
            last = cur.fetchone()[0]
            cur.execute(
                "UPDATE core.events SET needs_refresh = true WHERE event_id IN "
                "(SELECT event_id FROM core.claims WHERE event_date >= %s)",
                (last,),
            )
            cur.execute("UPDATE core.claims SET event_id = NULL WHERE event_date >= %s", (last,))
            day_rows = cur.rowcount
        with EventStore(dsn) as store:
            t0 = time.perf_counter()
            inc = store.cluster(model)
            incremental = time.perf_counter() - t0
            t0 = time.perf_counter()
            again = store.cluster(model)
            rerun = time.perf_counter() - t0
        with psycopg2.connect(dsn) as c, c.cursor() as cur:
            cur.execute("SELECT count(*), count(*) FILTER (WHERE status = 'claimed and corroborated') FROM core.events")
            events, corroborated = cur.fetchone()
            cur.execute("SELECT kind, count(*) FROM core.claims GROUP BY 1 ORDER BY 1")
            kinds = dict(cur.fetchall())
        print(f"rows: {kinds} -> {events} events ({corroborated} claimed and corroborated)")
        print(f"previous linker, full rebuild of links:      {old * 1000:8.0f} ms")
        print(f"events from scratch ({full['placed']} rows):        {scratch * 1000:8.0f} ms")
        print(
            f"incremental, one new day ({day_rows} rows, {last - timedelta(days=0)}): {incremental * 1000:8.0f} ms "
            f"({inc['placed']} placed, {inc['refreshed']} events refreshed)"
        )
        print(f"re-run with nothing new:                     {rerun * 1000:8.0f} ms ({again['placed']} placed)")
    finally:
        conn.cursor().execute(pgsql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(pgsql.Identifier(name)))
        conn.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
