"""Benchmark at scale: a synthetic channel of N distinct posts through crawl, land, normalize, extract and marts.

The channel is built from the shared posts (../shared/corpus/channel-posts/naya_foriraq.jsonl, 7,369 real posts):
post ``i`` takes the text of shared post ``i mod 7369`` plus a line naming its number, so every post is distinct
(its own content hash) while the text stays real; posts are one minute apart. The channel is served on loopback by
the replay server with politeness off, and each step runs in its own process, exactly as the DAG runs it:

- crawl + land: ``python -m claimwatch.ingest.crawl`` (the DAG's crawl task);
- normalize, extract, events + marts: the DAG's task bodies (``claimwatch.pipeline.tasks``; the events step
  maintains the marts, its ``marts_ms`` is their part).

For each step it prints items, seconds, items/s (for the steps after the crawl also items/s of the task body alone)
and the peak RSS of that process; then a bare ``COPY`` of the same raw rows (the floor no loader can beat) and each
step's ratio to it; then a re-run of every step, which must be O(new): the crawl
asks at most 2 pages and the other steps find nothing to do (``in_step_s``: the task body alone, without the
process start); finally the retention step (every normalized raw body blanked, then VACUUM) with its time and the
table's size before and after.

    .venv/bin/python bench/bench_scale.py --posts 100000     # default
    .venv/bin/python bench/bench_scale.py --posts 1000000    # the 1M run (about an hour on 2 cores)
    make bench BENCH_POSTS=1000000                             # the same, inside `make bench`

Uses CLAIMWATCH_BENCH_ADMIN_DSN (a superuser DSN) when set, else the embedded server.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import psycopg2
from psycopg2 import sql as pgsql

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_landing import _admin_dsn, _database  # noqa: E402
from claimwatch.ingest.crawl import crawl_command, read_summary  # noqa: E402
from claimwatch.pipeline.tasks import prepare_warehouse  # noqa: E402
from claimwatch.tools.replay import ReplayServer  # noqa: E402
from tests.crawl_helpers import telegram_entry, write_registry  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "channel-posts" / "naya_foriraq.jsonl"
CHANNEL = "synthetic"

# Each step as the DAG task runs it, in a fresh process: prints one JSON line with its counts.
# "in_step_s" is the task body alone, without the interpreter start and imports (2-3 s of a re-run's process time).
_STEP = """
import importlib, json, sys, time
from claimwatch.pipeline import tasks
step = sys.argv[1]
modules = {"normalize": ["claimwatch.transform.normalize"], "extract": ["claimwatch.transform.load_claims"]}
for name in modules.get(step, ["claimwatch.transform.events", "claimwatch.transform.marts"]):
    importlib.import_module(name)
started = time.perf_counter()
if step == "normalize":
    out = tasks.normalize_source("synthetic")
elif step == "extract":
    out = tasks.extract_source("synthetic")
else:
    out = {"events": tasks.cluster_events()}  # the events step maintains the marts (its "marts_ms")
out["in_step_s"] = round(time.perf_counter() - started, 3)
print("STEP " + json.dumps(out, default=str))
"""


def build_channel(path: Path, posts: int) -> None:
    """Write ``posts`` distinct posts built from the shared ones (see the module docstring)."""
    shared = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]
    start = time.mktime((2025, 1, 1, 0, 0, 0, 0, 0, 0))
    with path.open("w", encoding="utf-8") as out:
        for i in range(posts):
            base = shared[i % len(shared)]
            post = {
                "channel": CHANNEL,
                "msg_id": i + 1,
                "url": f"https://t.me/{CHANNEL}/{i + 1}",
                "posted_at": time.strftime("%Y-%m-%dT%H:%MZ", time.gmtime(start + 60 * i)),
                "views": base.get("views"),
                "forwarded_from": base.get("forwarded_from"),
                "text": f"{base.get('text') or ''}\n\n#{i + 1}",
            }
            out.write(json.dumps(post, ensure_ascii=False) + "\n")


def _vm_hwm_mib(pid: int) -> float | None:
    """The process's own peak resident set (``VmHWM``), or None once it is gone."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def run_measured(cmd: list[str], env: dict[str, str]) -> tuple[int, str, str, float, float]:
    """Run a process; return exit code, stdout, stderr tail, wall seconds and its own peak RSS in MiB.

    The peak is read from ``/proc/PID/status`` (``VmHWM``) while the process runs: ``getrusage``'s ``ru_maxrss``
    of a child starts from its parent's resident size at fork, and this parent holds the whole replayed channel.
    """
    started = time.perf_counter()
    peak = 0.0
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=err)
        while proc.poll() is None:
            hwm = _vm_hwm_mib(proc.pid)
            if hwm is not None:
                peak = max(peak, hwm)
            time.sleep(0.05)
        wall = time.perf_counter() - started
        out.seek(0)
        stdout = out.read().decode()
        err.seek(max(0, os.fstat(err.fileno()).st_size - 4000))
        stderr = err.read().decode(errors="replace")
    return int(proc.returncode), stdout, stderr, wall, peak


def bare_copy_seconds(dsn: str) -> tuple[int, float]:
    """COPY the landed raw rows (same columns, same bytes) into an unindexed table; return rows and seconds.

    The rows go through a file on disk, not memory: a million posts are 2 GB of text.
    """
    columns = "source_id, external_id, content_sha256, url, fetched_at, http_status, content_type, body, " \
        "published_at, meta"  # fmt: skip
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur, tempfile.TemporaryFile() as spool:
        cur.copy_expert(f"COPY (SELECT {columns} FROM raw.documents) TO STDOUT WITH (FORMAT csv)", spool)
        cur.execute("DROP TABLE IF EXISTS bench_copy")
        cur.execute("CREATE TABLE bench_copy (LIKE raw.documents INCLUDING DEFAULTS)")
        conn.commit()
        spool.seek(0)
        started = time.perf_counter()
        cur.copy_expert(f"COPY bench_copy ({columns}) FROM STDIN WITH (FORMAT csv)", spool)
        conn.commit()
        elapsed = time.perf_counter() - started
        cur.execute("SELECT count(*) FROM bench_copy")
        rows = int(cur.fetchone()[0])
        cur.execute("DROP TABLE bench_copy")
        return rows, elapsed


def sizes(dsn: str) -> dict[str, str]:
    """On-disk size of raw.documents (with indexes and TOAST) and of core.documents."""
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute(
            "SELECT pg_size_pretty(pg_total_relation_size('raw.documents')), "
            "pg_size_pretty(pg_indexes_size('raw.documents')), "
            "pg_size_pretty(pg_total_relation_size('core.documents'))"
        )
        raw_total, raw_indexes, core_total = cur.fetchone()
    return {"raw.documents": raw_total, "raw indexes": raw_indexes, "core.documents": core_total}


def _line(step: str, items: int, seconds: float, rss: float, extra: str = "") -> None:
    rate = items / seconds if seconds > 0 else 0.0
    print(f"{step:<16} {items:>9,} items {seconds:>9.2f} s {rate:>10,.0f}/s   peak RSS {rss:>6.0f} MiB  {extra}")


def run_steps(dsn: str, registry: Path, label: str, steps: list[str]) -> dict[str, Any]:
    """Crawl + land, normalize, extract, events + marts, each in its own process; print and return the figures."""
    env = {**os.environ, "CLAIMWATCH_WAREHOUSE_DSN": dsn, "CLAIMWATCH_CRAWL_LOG_LEVEL": "WARNING"}
    figures: dict[str, Any] = {}
    print(f"-- {label}")
    code, out, err, wall, rss = run_measured(crawl_command(str(registry), CHANNEL), env)
    summary = read_summary(out)
    if code != 0 or summary is None:
        raise SystemExit(f"crawl failed (exit {code}):\n{err}")
    figures["crawl"] = {"rows": summary["new_rows"], "s": wall, "rss": rss, "requests": summary["requests"]}
    _line(
        "crawl + land",
        summary["new_rows"],
        wall,
        rss,
        f"{summary['requests']} requests, status {summary['status']}, spider {summary['duration_s']:.1f} s",
    )
    for step in [s for s in ("normalize", "extract", "events+marts") if s in steps]:
        code, out, err, wall, rss = run_measured([sys.executable, "-c", _STEP, step], env)
        if code != 0:
            raise SystemExit(f"{step} failed (exit {code}):\n{err}")
        counts = json.loads(next(line for line in out.splitlines() if line.startswith("STEP "))[5:])
        items = counts.get("documents", 0) if step != "events+marts" else counts["events"].get("placed", 0)
        figures[step] = {"items": items, "s": wall, "rss": rss, "counts": counts}
        in_step = float(counts.get("in_step_s") or 0)
        rate = f"in step {int(items or 0) / in_step:,.0f}/s  " if in_step > 0 and items else ""
        _line(step, int(items or 0), wall, rss, rate + json.dumps(counts, default=str)[:160])
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=100_000, help="posts in the synthetic channel (default 100000)")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark's database (default: drop it)")
    parser.add_argument(
        "--steps",
        default="crawl,normalize,extract,events+marts",
        help="comma-separated steps to run (default: all); e.g. --steps crawl to measure the crawl alone at 1M",
    )
    args = parser.parse_args(argv)
    if not CORPUS.exists():
        print(f"corpus not found: {CORPUS}", file=sys.stderr)
        return 2
    admin, server = _admin_dsn()
    name = f"cw_bench_scale_{uuid.uuid4().hex[:8]}"
    dsn = _database(admin, name)
    try:
        return _run(args, dsn)
    finally:
        if not args.keep:
            _drop(admin, name)
        else:
            print(f"kept database {name}")
        if server is not None:
            server.cleanup()  # type: ignore[attr-defined]


def _drop(admin: str, name: str) -> None:
    conn = psycopg2.connect(admin)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(pgsql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(pgsql.Identifier(name)))
    conn.close()


def _run(args: argparse.Namespace, dsn: str) -> int:
    prepare_warehouse(dsn)  # migrations and the actor and place dimensions, as the DAG's first task does
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / f"{CHANNEL}.jsonl"
        started = time.perf_counter()
        build_channel(corpus, args.posts)
        print(f"synthetic channel: {args.posts:,} distinct posts from {CORPUS.name} "
              f"({corpus.stat().st_size / 1e6:.0f} MB, built in {time.perf_counter() - started:.1f} s)")  # fmt: skip
        with ReplayServer([corpus]) as replay:
            registry = write_registry(Path(tmp) / "r.toml", telegram_entry(CHANNEL, CHANNEL, replay.url, concurrency=1))
            steps = args.steps.split(",")
            first = run_steps(dsn, registry, "first run", steps)
            copied, copy_s = bare_copy_seconds(dsn)
            crawl_s = first["crawl"]["s"]
            print(f"bare COPY of the same {copied:,} raw rows: {copy_s:.2f} s ({copied / copy_s:,.0f} rows/s); "
                  f"crawl + land / bare COPY: {crawl_s / copy_s:.1f}x")  # fmt: skip
            for step in (s for s in ("normalize", "extract", "events+marts") if s in first):
                print(f"{step} / bare COPY: {first[step]['s'] / copy_s:.1f}x (in step "
                      f"{float(first[step]['counts']['in_step_s']) / copy_s:.1f}x)")  # fmt: skip
            print(f"sizes: {sizes(dsn)}")
            again = run_steps(dsn, registry, "re-run (nothing new)", steps)
            if again["crawl"]["requests"] > 2 or again["crawl"]["rows"] != 0:
                print(f"re-run is not O(new): {again['crawl']}", file=sys.stderr)
                return 1
            if "normalize" in steps:
                retention(dsn)
    return 0


def retention(dsn: str) -> None:
    """Blank every normalized raw body (``raw_retention_days = 0``) and print the time and the space it frees:
    the measurement behind the README's "partition or not" (retention by UPDATE, not by dropping partitions)."""
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute(
            "UPDATE ops.sources SET config = config || '{\"raw_retention_days\": 0}' WHERE source_id = %s", (CHANNEL,)
        )
    from claimwatch.transform.normalize import prune_raw_payloads

    before = sizes(dsn)["raw.documents"]
    started = time.perf_counter()
    pruned = prune_raw_payloads(dsn, CHANNEL)
    prune_s = time.perf_counter() - started
    conn = psycopg2.connect(dsn)
    conn.autocommit = True
    with conn.cursor() as cur:
        started = time.perf_counter()
        cur.execute("VACUUM raw.documents")
        vacuum_s = time.perf_counter() - started
        cur.execute("SELECT pg_size_pretty(pg_total_relation_size('raw.documents')), "
                    "pg_size_pretty(sum(pg_column_size(body))) FROM raw.documents")  # fmt: skip
        total, bodies = cur.fetchone()
    conn.close()
    print(f"retention: blanked {pruned:,} raw bodies in {prune_s:.1f} s, VACUUM {vacuum_s:.1f} s; raw.documents "
          f"{before} -> {total} on disk (space reusable in place), bodies now {bodies}")  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
