"""Normalize, this checkout against another commit: same landed rows, alternating runs, identical output.

The machine is shared, so absolute docs/s move with everyone else's load; what holds is the ratio of two codes run
in turn on the same data. This lands a channel once (the crawl of this checkout) into a template database, then,
``--rounds`` times, normalizes a fresh copy of it with the base commit's code (``git archive`` of ``--base`` into a
temporary directory) and with this checkout's, in alternating order, each in its own process. For each run it
prints the documents, the task body's wall seconds and the process's CPU seconds (every thread), docs/s of both,
and a digest of ``core.documents``: every column but ``normalized_at`` (the clock), ``near_dup_of`` included,
ordered by ``doc_id``. Every digest must be the same, else it exits 1 and names the first differing row.

    .venv/bin/python bench/bench_normalize.py                    # the 7,369-post shared channel, base HEAD
    .venv/bin/python bench/bench_normalize.py --posts 20000      # bench_scale's synthetic channel of 20,000 posts
    .venv/bin/python bench/bench_normalize.py --html             # body_text blanked: every post read from its HTML
    .venv/bin/python bench/bench_normalize.py --base main --rounds 3

Uses CLAIMWATCH_BENCH_ADMIN_DSN (a superuser DSN) when set, else the embedded server.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import uuid
from pathlib import Path
from typing import Any

import psycopg2
from psycopg2 import sql as pgsql

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.bench_landing import _admin_dsn, _database  # noqa: E402
from bench.bench_scale import CORPUS, _drop, build_channel  # noqa: E402
from claimwatch.ingest.crawl import crawl_command, read_summary  # noqa: E402
from claimwatch.pipeline.tasks import prepare_warehouse  # noqa: E402
from claimwatch.tools.replay import ReplayServer  # noqa: E402
from claimwatch.warehouse.connection import database_dsn  # noqa: E402
from tests.crawl_helpers import telegram_entry, write_registry  # noqa: E402

# The task body in a fresh process of the code under test (its directory first on sys.path): wall and CPU seconds
# of ``normalize_documents`` alone, every thread of the process counted in the CPU time.
_STEP = """
import json, sys, time
from claimwatch.transform.normalize import normalize_documents
wall, cpu = time.perf_counter(), time.process_time()
counts = normalize_documents(sys.argv[1], sys.argv[2])
counts["wall_s"], counts["cpu_s"] = time.perf_counter() - wall, time.process_time() - cpu
print("STEP " + json.dumps(counts))
"""
_PROFILE = _STEP.replace(
    "counts = normalize_documents(sys.argv[1], sys.argv[2])",
    "import cProfile\n"
    "counts = cProfile.runctx('normalize_documents(sys.argv[1], sys.argv[2])', globals(), locals(), sys.argv[3])\n"
    "counts = {}",
)
# Every column but normalized_at (the time of the run), in doc_id order.
_DUMP = (
    "SELECT doc_id, source_id, external_id, raw_document_id, doc_type, url, canonical_url, published_at, fetched_at, "
    "title, author, text, text_normalized, language, views, forwarded_from, edited, versions, exact_fingerprint, "
    "near_dup_of, normalizer_version, extractor_version FROM core.documents ORDER BY doc_id"
)


def export_commit(ref: str, into: Path) -> str:
    """The tree of ``ref`` written into ``into`` (``git archive``); return the commit's short id."""
    commit = subprocess.run(
        ["git", "rev-parse", "--short", ref], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout.strip()
    archive = subprocess.run(["git", "archive", commit], cwd=ROOT, check=True, capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return commit


def land(dsn: str, corpus: Path, source: str, html: bool) -> int:
    """Crawl ``corpus`` from a replay server into ``dsn``; with ``html``, forget the landed texts."""
    with tempfile.TemporaryDirectory() as tmp, ReplayServer([corpus]) as replay:
        registry = write_registry(Path(tmp) / "r.toml", telegram_entry(source, corpus.stem, replay.url))
        env = {**os.environ, "CLAIMWATCH_WAREHOUSE_DSN": dsn, "CLAIMWATCH_CRAWL_LOG_LEVEL": "WARNING"}
        done = subprocess.run(crawl_command(str(registry), source), env=env, capture_output=True, text=True)
        summary = read_summary(done.stdout)
        if done.returncode != 0 or summary is None:
            raise SystemExit(f"crawl failed (exit {done.returncode}):\n{done.stderr[-3000:]}")
    if html:
        with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
            cur.execute("UPDATE raw.documents SET body_text = NULL, body_text_version = NULL")
        conn.close()
    return int(summary["new_rows"])


def _copy_database(admin: str, template: str, name: str) -> None:
    conn = psycopg2.connect(admin)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(
            pgsql.SQL("CREATE DATABASE {} TEMPLATE {}").format(pgsql.Identifier(name), pgsql.Identifier(template))
        )
    conn.close()


def digest(dsn: str) -> tuple[str, list[tuple[Any, ...]]]:
    """SHA-256 of ``core.documents`` (see :data:`_DUMP`, each row's ``repr``) and its rows."""
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute(_DUMP)
        rows = cur.fetchall()
    conn.close()
    found = hashlib.sha256()
    for row in rows:
        found.update(repr(row).encode())
    return found.hexdigest()[:16], rows


def run(code: Path, dsn: str, source: str, profile: Path | None = None) -> dict[str, Any]:
    """Normalize ``source`` with the code in ``code``; return its counts and times."""
    env = {**os.environ, "PYTHONPATH": str(code)}
    args = [sys.executable, "-c", _PROFILE if profile else _STEP, dsn, source, *([str(profile)] if profile else [])]
    done = subprocess.run(args, cwd=code, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"normalize failed (exit {done.returncode}):\n{done.stderr[-3000:]}")
    return dict(json.loads(next(line for line in done.stdout.splitlines() if line.startswith("STEP "))[5:]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="HEAD", help="the commit to compare with (default HEAD)")
    parser.add_argument("--posts", type=int, help="bench_scale's synthetic channel of this many posts, not the replay")
    parser.add_argument("--html", action="store_true", help="blank the landed texts: normalize parses every body")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each code, alternating (default 3)")
    parser.add_argument("--profile", type=Path, help="only profile this checkout's run once into this pstats file")
    args = parser.parse_args(argv)
    if not CORPUS.exists():
        print(f"corpus not found: {CORPUS}", file=sys.stderr)
        return 2
    admin, server = _admin_dsn()
    template = f"cw_bench_norm_{uuid.uuid4().hex[:8]}"
    made = [template]
    try:
        dsn = _database(admin, template)
        prepare_warehouse(dsn)
        with tempfile.TemporaryDirectory() as tmp:
            corpus, source = CORPUS, "naya"
            if args.posts:
                corpus, source = Path(tmp) / "synthetic.jsonl", "synthetic"
                build_channel(corpus, args.posts)
            landed = land(dsn, corpus, source, args.html)
            print(f"landed {landed:,} posts of {corpus.name}{' (texts blanked)' if args.html else ''}")
            codes = {"this": ROOT}
            if not args.profile:
                base = Path(tmp) / "base"
                base.mkdir()
                codes = {f"base {export_commit(args.base, base)}": base, "this": ROOT}
            digests: list[tuple[str, str, list[tuple[Any, ...]]]] = []
            rates: dict[str, list[float]] = {label: [] for label in codes}
            for round_ in range(1 if args.profile else args.rounds):
                order = list(codes.items()) if round_ % 2 == 0 else list(reversed(codes.items()))
                for label, code in order:
                    name = f"{template}_{len(made)}"
                    _copy_database(admin, template, name)
                    made.append(name)
                    target = database_dsn(admin, name)
                    out = run(code, target, source, args.profile)
                    if args.profile:
                        print(f"profile written to {args.profile}")
                        return 0
                    found = digest(target)
                    digests.append((label, *found))
                    _drop(admin, name)
                    made.remove(name)
                    docs = out["documents"]
                    rates[label].append(docs / out["cpu_s"])
                    print(f"round {round_ + 1} {label:<14} {docs:>7,} docs  {out['wall_s']:6.2f} s wall "
                          f"{docs / out['wall_s']:8,.0f}/s  {out['cpu_s']:6.2f} s CPU {docs / out['cpu_s']:8,.0f}"
                          f"/CPU-s  exact {out['exact_duplicates']}, near {out['near_duplicates']}, "
                          f"failed {out['failed']}  core.documents {found[0]}")  # fmt: skip
            labels = list(codes)
            if len(labels) == 2:
                old, new = (sorted(rates[label]) for label in labels)
                print(f"median per CPU-second: {labels[0]} {old[len(old) // 2]:,.0f}, this {new[len(new) // 2]:,.0f}"
                      f" ({new[len(new) // 2] / old[len(old) // 2]:.2f}x)")  # fmt: skip
            (first_label, first, first_rows), *others = digests
            for label, other, rows in others:
                if other != first:
                    at = next((a, b) for a, b in zip([*first_rows, None], [*rows, None], strict=False) if a != b)
                    print(f"core.documents of {label} differ from {first_label}'s, first:\n  {at[0]}\n  {at[1]}")
                    return 1
            print(f"core.documents identical in all {len(digests)} runs: {first}")
        return 0
    finally:
        for name in made:
            _drop(admin, name)
        if server is not None:
            server.cleanup()  # type: ignore[attr-defined]


if __name__ == "__main__":
    sys.exit(main())
