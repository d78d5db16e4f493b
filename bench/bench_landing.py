"""Benchmark: landing the shared channel corpus through the real crawl, against a bare COPY of the same rows.

Serves ../shared/corpus/channel-posts/naya_foriraq.jsonl on loopback, runs the Telegram spider in its own
process (exactly what the DAG's crawl task does) into a fresh warehouse database, and prints:

- posts/s landed by the crawl (wall clock of the whole crawl process, start-up included, and of the spider);
- posts/s of a bare ``COPY`` of the very same rows into an unindexed table, in the same run: the floor no
  loader can beat; the ratio says what fetching, parsing, the pipeline and the upsert cost on top;
- peak resident memory of the crawl process;
- the re-run: requests and new rows;
- the normalize and extract steps of the DAG over the landed corpus, inside the warehouse.

Uses CLAIMWATCH_BENCH_ADMIN_DSN (a superuser DSN) when set, else the embedded server.
"""

from __future__ import annotations

import io
import os
import resource
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psycopg2

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from claimwatch.tools.replay import ReplayServer  # noqa: E402
from claimwatch.warehouse.connection import database_dsn, ensure_database  # noqa: E402
from claimwatch.warehouse.migrate import migrate  # noqa: E402
from tests.crawl_helpers import run_crawl, telegram_entry, write_registry  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "channel-posts" / "naya_foriraq.jsonl"


def _admin_dsn() -> tuple[str, object | None]:
    if dsn := os.environ.get("CLAIMWATCH_BENCH_ADMIN_DSN"):
        return dsn, None
    import pgserver

    server = pgserver.get_server(Path(tempfile.mkdtemp(prefix="claimwatch-bench-pg-")), cleanup_mode="delete")
    return server.get_uri("postgres"), server


def _database(admin: str, name: str) -> str:
    ensure_database(admin, name)
    return database_dsn(admin, name)


def bare_copy_seconds(dsn: str) -> tuple[int, float]:
    """COPY the landed rows (same columns, same bytes) into an unindexed table; return rows and seconds."""
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        buffer = io.StringIO()
        cur.copy_expert(
            "COPY (SELECT source_id, external_id, content_sha256, url, fetched_at, http_status, content_type, body, "
            "published_at, meta FROM raw.documents) TO STDOUT WITH (FORMAT csv)",
            buffer,
        )
        cur.execute("CREATE TABLE bench_copy (LIKE raw.documents INCLUDING DEFAULTS)")
        conn.commit()
        buffer.seek(0)
        started = time.perf_counter()
        cur.copy_expert(
            "COPY bench_copy (source_id, external_id, content_sha256, url, fetched_at, http_status, content_type, "
            "body, published_at, meta) FROM STDIN WITH (FORMAT csv)",
            buffer,
        )
        conn.commit()
        elapsed = time.perf_counter() - started
        cur.execute("SELECT count(*) FROM bench_copy")
        return int(cur.fetchone()[0]), elapsed


def main() -> int:
    if not CORPUS.exists():
        print(f"corpus not found: {CORPUS}", file=sys.stderr)
        return 2
    admin, server = _admin_dsn()
    dsn = _database(admin, f"cw_bench_{uuid.uuid4().hex[:8]}")
    migrate(dsn)
    with tempfile.TemporaryDirectory() as tmp, ReplayServer([CORPUS]) as replay:
        registry = write_registry(Path(tmp) / "r.toml", telegram_entry("naya", "naya_foriraq", replay.url))
        started = time.perf_counter()
        code, summary, err = run_crawl(registry, "naya", dsn)
        wall = time.perf_counter() - started
        if code != 0:
            print(err[-3000:], file=sys.stderr)
            return 1
        peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        rows = summary["new_rows"]
        rerun_started = time.perf_counter()
        _, again, _ = run_crawl(registry, "naya", dsn)
        rerun_wall = time.perf_counter() - rerun_started
    from claimwatch.pipeline.tasks import prepare_warehouse
    from claimwatch.transform.load_claims import extract_documents
    from claimwatch.transform.normalize import normalize_documents

    prepare_warehouse(dsn)
    started = time.perf_counter()
    normalized = normalize_documents(dsn, "naya")
    normalize_s = time.perf_counter() - started
    started = time.perf_counter()
    extracted = extract_documents(dsn, "naya")
    extract_s = time.perf_counter() - started
    copied, copy_s = bare_copy_seconds(dsn)
    print(
        f"crawl landed {rows} posts in {wall:.2f} s wall ({rows / wall:,.0f} posts/s incl. process start-up); "
        f"spider {summary['duration_s']:.2f} s ({rows / summary['duration_s']:,.0f} posts/s); "
        f"{summary['requests']} requests, {summary['bytes'] / 1e6:.1f} MB"
    )
    print(f"bare COPY of the same {copied} rows: {copy_s:.3f} s ({copied / copy_s:,.0f} rows/s)")
    print(
        f"ratio crawl-and-land / bare COPY time: {wall / copy_s:.1f}x "
        f"(spider only: {summary['duration_s'] / copy_s:.1f}x)"
    )
    print(f"peak RSS of the crawl process: {peak_kib / 1024:.0f} MiB")
    print(f"re-run: {again['requests']} requests, {again['new_rows']} new rows, {rerun_wall:.2f} s wall")
    print(
        f"normalize in the warehouse (raw -> core.documents, duplicates): {normalized['documents']} documents in "
        f"{normalize_s:.2f} s ({normalized['documents'] / normalize_s:,.0f}/s); {normalized}"
    )
    print(
        f"extract in the warehouse (core.documents -> core.claims): {extracted['documents']} documents in "
        f"{extract_s:.2f} s ({extracted['documents'] / extract_s:,.0f}/s); {extracted}"
    )
    if server is not None:
        server.cleanup()  # type: ignore[attr-defined]
    return 0


if __name__ == "__main__":
    sys.exit(main())
