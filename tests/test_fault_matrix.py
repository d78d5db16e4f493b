"""The fault matrix: every way a source can go wrong, crawled on loopback into a real PostgreSQL and reconciled
item by item. Each listed article or post ends landed exactly once, quarantined with a reason, or counted as a
reasoned skip in ``ops.crawl_runs``; nothing good is lost. The README's "Fault matrix" table lists the rows.

The hostile news site (``tests/hostile_site.py``) is crawled once per module, through three sources that list the
same articles (RSS, Atom, Google News sitemap), and every bad input is checked as its own test.
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg2
import pytest
from psycopg2.extensions import parse_dsn

from claimwatch.ingest import crawl
from claimwatch.tools.replay import Fault, ReplayServer
from claimwatch.warehouse.connection import database_dsn, drop_database, ensure_database
from tests import crawl_helpers, hostile_site
from tests.hostile_site import BAD_CASES, SPECIAL, BadCase
from tests.pg_proxy import PgProxy

SOURCES = ("hostile_rss", "hostile_atom", "hostile_news")


def rows(dsn: str, sql: str, *params: object) -> list[tuple[Any, ...]]:
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute(sql, params)
        return list(cur.fetchall())


def _entry(source_id: str, kind: str, url: str) -> str:
    return (
        f'[[source]]\nid = "{source_id}"\nkind = "{kind}"\nurl = "{url}"\nbackfill = "all"\n'
        "politeness = { download_delay = 0.0, autothrottle = false, concurrency = 8, retries = 1, "
        f"download_timeout = {hostile_site.TIMEOUT_S}, max_response_bytes = {hostile_site.SIZE_CAP} }}\n"
    )


@pytest.fixture(scope="module")
def module_warehouse(pg_admin_dsn: str) -> Iterator[str]:
    """A migrated warehouse shared by the tests of this module (the hostile crawl runs once)."""
    from claimwatch.warehouse.migrate import migrate

    name = f"cw_test_{uuid.uuid4().hex[:12]}"
    ensure_database(pg_admin_dsn, name)
    dsn = database_dsn(pg_admin_dsn, name)
    try:
        migrate(dsn)
        yield dsn
    finally:
        drop_database(pg_admin_dsn, name)


@pytest.fixture(scope="module")
def hostile(module_warehouse: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Crawl the hostile site through its three listings, then the RSS listing again; return what happened."""
    root = tmp_path_factory.mktemp("hostile")
    (root / "empty").mkdir()
    with ReplayServer(site=root / "empty", faults=hostile_site.faults()) as server:
        server.site = hostile_site.build_site(root, server.url).resolve()
        base = server.url
        registry = crawl_helpers.write_registry(
            root / "sources.toml",
            _entry("hostile_rss", "feed", f"{base}/hostile/rss.xml"),
            _entry("hostile_atom", "feed", f"{base}/hostile/atom.xml"),
            _entry("hostile_news", "sitemap", f"{base}/hostile/news-sitemap.xml"),
        )
        summaries, logs = {}, {}
        for source_id in SOURCES:
            code, summary, log = crawl_helpers.run_crawl(registry, source_id, module_warehouse, timeout=300)
            assert summary, f"{source_id}: no summary (exit {code})\n{log[-4000:]}"
            summaries[source_id], logs[source_id] = summary, log
        first_requests = list(server.request_log)
        code, rerun, log = crawl_helpers.run_crawl(registry, "hostile_rss", module_warehouse, timeout=300)
        yield {
            "base": base,
            "summaries": summaries,
            "logs": logs,
            "requests": first_requests,
            "rerun": rerun,
            "rerun_requests": server.request_log[len(first_requests) :],
        }


def test_every_good_article_lands_exactly_once_across_the_sites_listings(
    hostile: dict[str, Any], module_warehouse: str
) -> None:
    base = hostile["base"]
    landed = rows(module_warehouse, "SELECT external_id, source_id FROM raw.documents")
    keys = [key for key, _source in landed]
    assert len(keys) == len(set(keys)), "an article landed twice"
    expected = {f"{base}/{path}" for path in hostile_site.good_paths()}
    assert set(keys) == expected
    assert {source for _key, source in landed} == {"hostile_rss"}  # the first listing fetched them all
    fetched = [path for _m, path, _s in hostile["requests"]]
    for path in hostile_site.good_paths():
        assert fetched.count(f"/{path}") == 1, f"{path} fetched {fetched.count('/' + path)} times"
    # provenance: every listing that named each article
    listings = rows(module_warehouse, "SELECT url, count(DISTINCT source_id) FROM ops.document_listings GROUP BY url")
    named = dict(listings)
    for url in expected:
        assert named.get(url) == 3, (url, named.get(url))
    for source_id in ("hostile_atom", "hostile_news"):
        summary = hostile["summaries"][source_id]
        assert summary["status"] == "success", hostile["logs"][source_id][-3000:]
        assert summary["new_rows"] == 0
        assert summary["skips"] == {"fetched within the revisit window (24 h) by source hostile_rss": len(expected)}


def test_a_page_declaring_og_type_website_lands_when_a_feed_lists_it(
    hostile: dict[str, Any], module_warehouse: str
) -> None:
    ((meta,),) = rows(
        module_warehouse,
        "SELECT meta FROM raw.documents WHERE external_id = %s",
        f"{hostile['base']}/{SPECIAL['og_website']}",
    )
    assert meta["og_type"] == "website" and meta["title"]


def test_valid_utf8_with_c1_mojibake_lands_repaired_and_keeps_its_bytes(
    hostile: dict[str, Any], module_warehouse: str
) -> None:
    ((body, original, meta),) = rows(
        module_warehouse,
        "SELECT body, original, meta FROM raw.documents WHERE external_id = %s",
        f"{hostile['base']}/{SPECIAL['c1_mojibake']}",
    )
    assert "\u0080" not in body and "\u0099" not in body and "’" in body
    assert bytes(original).count(b"\xc2\x80") >= 1 and "\u0080".encode() in bytes(original)
    assert any("ftfy" in note for note in meta["encoding_notes"])


@pytest.mark.parametrize("name", ["cp1256_wrong_header", "cp1256_no_charset"])
def test_windows_1256_under_a_wrong_or_missing_charset_decodes_to_arabic(
    hostile: dict[str, Any], module_warehouse: str, name: str
) -> None:
    ((body, meta),) = rows(
        module_warehouse,
        "SELECT body, meta FROM raw.documents WHERE external_id = %s",
        f"{hostile['base']}/{SPECIAL[name]}",
    )
    assert meta["encoding"] == "cp1256"
    assert "إيلات" in body and "Ø" not in body


def test_the_sites_text_reaches_core_documents(hostile: dict[str, Any], module_warehouse: str) -> None:
    from claimwatch.transform.normalize import normalize_documents

    normalize_documents(module_warehouse, "hostile_rss")
    texts = dict(rows(module_warehouse, "SELECT external_id, text FROM core.documents"))
    base = hostile["base"]
    assert len(texts) == len(hostile_site.good_paths())
    assert "إيلات" in texts[f"{base}/{SPECIAL['cp1256_no_charset']}"]
    assert "\u0080" not in texts[f"{base}/{SPECIAL['c1_mojibake']}"]


@pytest.mark.parametrize("case", BAD_CASES, ids=[case.name for case in BAD_CASES])
def test_bad_input_is_quarantined_or_skipped_with_its_reason(
    hostile: dict[str, Any], module_warehouse: str, case: BadCase
) -> None:
    summary = hostile["summaries"]["hostile_rss"]
    if case.outcome == "skip":
        assert summary["skips"].get(case.reason, 0) >= 1, summary["skips"]
        return
    reasons = [
        reason
        for (reason,) in rows(
            module_warehouse, "SELECT reason FROM ops.quarantine WHERE url = %s", f"{hostile['base']}{case.path}"
        )
    ]
    assert any(case.reason in reason for reason in reasons), reasons


def test_errors_count_failed_items_once_each_with_reasons(hostile: dict[str, Any], module_warehouse: str) -> None:
    summary = hostile["summaries"]["hostile_rss"]
    assert summary["status"] == "partial"  # the transient failures keep the cursor for the next run
    assert summary["errors"] == sum(summary["error_reasons"].values())
    # one count per failed item: every quarantine row of the run that records a failure (not a page that is
    # simply no article, which is a fact about the page, not a failure of the crawl)
    failures = rows(
        module_warehouse,
        "SELECT count(*) FROM ops.quarantine WHERE crawl_run_id = %s AND reason NOT LIKE 'no article extracted%%' "
        "AND reason NOT LIKE 'undecodable page%%' AND reason <> 'not an HTML page'",
        summary["crawl_run_id"],
    )[0][0]
    assert summary["errors"] == failures
    quarantined = rows(
        module_warehouse, "SELECT count(*) FROM ops.quarantine WHERE crawl_run_id = %s", summary["crawl_run_id"]
    )[0][0]
    assert summary["quarantined"] == quarantined


def test_a_rerun_fetches_no_article_again(hostile: dict[str, Any], module_warehouse: str) -> None:
    rerun = hostile["rerun"]
    assert rerun["new_rows"] == 0
    good = {f"/{path}" for path in hostile_site.good_paths()}
    assert not good & {path for _m, path, _s in hostile["rerun_requests"]}


# --- Telegram: storms, timeouts, the warehouse going away -------------------------------------------------------


def _landed_exactly_once(dsn: str, posts: list[dict[str, Any]]) -> None:
    """Every post of the channel is in raw.documents once, and nothing else is."""
    total, distinct = rows(dsn, "SELECT count(*), count(DISTINCT external_id) FROM raw.documents")[0]
    ids = {int(r[0]) for r in rows(dsn, "SELECT external_id FROM raw.documents")}
    assert total == distinct == len(posts)
    assert ids == {p["msg_id"] for p in posts}


# Consecutive failures of the first page: with Retry-After the server sets the pace, without it the backoff
# (1 s, 2 s, 4 s ...) does, so the storms without one are kept short.
STORMS = {
    "429-retry-after": {"status": 429, "retry_after": 0, "times": 6},
    "503-retry-after": {"status": 503, "retry_after": 0, "times": 6},
    "503-backoff": {"status": 503, "times": 3},
    "502-backoff": {"status": 502, "times": 3},
    "timeouts": {"delay": 3.0, "times": 2},
}


@pytest.mark.parametrize("storm", sorted(STORMS))
def test_telegram_storm_is_ridden_out_and_every_post_lands_once(warehouse_dsn: str, tmp_path: Path, storm: str) -> None:
    posts = crawl_helpers.write_channel(tmp_path / "chan.jsonl", "chan", 120)
    fault = Fault(match="/s/chan*", **STORMS[storm])
    with ReplayServer([tmp_path / "chan.jsonl"], faults=[fault]) as server:
        registry = crawl_helpers.write_registry(
            tmp_path / "r.toml",
            crawl_helpers.telegram_entry("chan", "chan", server.url, retries=8, download_timeout=1.0),
        )
        code, summary, err = crawl_helpers.run_crawl(registry, "chan", warehouse_dsn, timeout=300)
        answered = [status for _m, _p, status in server.request_log]
    assert code == 0, err[-3000:]
    assert summary["status"] == "success" and summary["errors"] == 0, summary
    assert fault.hits >= STORMS[storm]["times"]
    if "status" in STORMS[storm]:
        assert answered.count(STORMS[storm]["status"]) == STORMS[storm]["times"]
    _landed_exactly_once(warehouse_dsn, posts)


def test_telegram_storm_longer_than_the_retries_is_partial_then_the_rerun_completes(
    warehouse_dsn: str, tmp_path: Path
) -> None:
    posts = crawl_helpers.write_channel(tmp_path / "chan.jsonl", "chan", 120)
    storm = Fault(match=f"/s/chan?before={posts[60]['msg_id']}", status=503, times=3)
    with ReplayServer([tmp_path / "chan.jsonl"], faults=[storm]) as server:
        registry = crawl_helpers.write_registry(
            tmp_path / "r.toml", crawl_helpers.telegram_entry("chan", "chan", server.url, retries=1)
        )
        code, first, err = crawl_helpers.run_crawl(registry, "chan", warehouse_dsn)
        assert code == 0 and first["status"] == "partial", err[-3000:]
        assert first["error_reasons"] == {"HTTP 503": 1} and first["errors"] == 1
        assert rows(warehouse_dsn, "SELECT count(*) FROM ops.source_state")[0][0] == 0  # cursor kept
        code, second, err = crawl_helpers.run_crawl(registry, "chan", warehouse_dsn)
    assert code == 0 and second["status"] == "success", err[-3000:]
    _landed_exactly_once(warehouse_dsn, posts)


def _wait_for_rows(dsn: str, at_least: int, proc: subprocess.Popen[bytes], timeout: float = 120) -> int:
    deadline = time.monotonic() + timeout
    landed = 0
    while time.monotonic() < deadline and proc.poll() is None:
        landed = rows(dsn, "SELECT count(*) FROM raw.documents")[0][0]
        if landed >= at_least:
            return int(landed)
        time.sleep(0.1)
    raise AssertionError(f"crawl ended or stalled before {at_least} rows landed ({landed})")


def test_warehouse_sessions_killed_mid_load_the_crawl_reconnects_and_lands_every_post_once(
    warehouse_dsn: str, pg_admin_dsn: str, tmp_path: Path
) -> None:
    posts = crawl_helpers.write_channel(tmp_path / "chan.jsonl", "chan", 3000)
    database = parse_dsn(warehouse_dsn)["dbname"]
    with ReplayServer([tmp_path / "chan.jsonl"], faults=[Fault(match="/s/chan*", delay=0.02)]) as server:
        registry = crawl_helpers.write_registry(
            tmp_path / "r.toml", crawl_helpers.telegram_entry("chan", "chan", server.url)
        )
        env = {**os.environ, "CLAIMWATCH_WAREHOUSE_DSN": warehouse_dsn, "CLAIMWATCH_CRAWL_LOG_LEVEL": "INFO"}
        proc = subprocess.Popen(
            crawl_helpers.crawl_command(registry, "chan"), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        killed = 0
        for threshold in (500, 1500):
            _wait_for_rows(warehouse_dsn, threshold, proc)
            # what a crash looks like to the crawl: its server process is gone mid-session
            killed += rows(
                pg_admin_dsn,
                "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND application_name = 'claimwatch-load') AS t",
                database,
            )[0][0]
        out, err = proc.communicate(timeout=300)
    assert killed >= 2
    assert proc.returncode == 0, err.decode()[-3000:]
    summary = crawl.read_summary(out.decode())
    assert summary is not None and summary["status"] == "success", summary
    assert summary["errors"] == 0 and summary["new_rows"] == len(posts)
    assert "reconnecting" in err.decode()
    _landed_exactly_once(warehouse_dsn, posts)


def test_warehouse_gone_longer_than_the_reconnect_window_fails_the_run_with_the_reason_and_the_retry_completes(
    warehouse_dsn: str, tmp_path: Path
) -> None:
    posts = crawl_helpers.write_channel(tmp_path / "chan.jsonl", "chan", 3000)
    with (
        PgProxy(warehouse_dsn) as proxy,
        ReplayServer([tmp_path / "chan.jsonl"], faults=[Fault(match="/s/chan*", delay=0.02)]) as server,
    ):
        through_proxy = proxy.proxied(warehouse_dsn)
        registry = crawl_helpers.write_registry(
            tmp_path / "r.toml", crawl_helpers.telegram_entry("chan", "chan", server.url)
        )
        env = {
            **os.environ,
            "CLAIMWATCH_WAREHOUSE_DSN": through_proxy,
            "CLAIMWATCH_WAREHOUSE_RECONNECT_S": "1.5",
            "CLAIMWATCH_CRAWL_LOG_LEVEL": "INFO",
        }
        proc = subprocess.Popen(
            crawl_helpers.crawl_command(registry, "chan"), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        _wait_for_rows(warehouse_dsn, 500, proc)
        proxy.cut()
        time.sleep(6)  # the crawl gives up after 1.5 s of reconnecting; the run row waits for the warehouse
        proxy.restore()
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 1, err.decode()[-3000:]  # non-zero: Airflow retries the task
        failed = crawl.read_summary(out.decode())
        assert failed is not None and failed["status"] == "failed", failed
        (reason,) = failed["error_reasons"]
        assert reason.startswith("not landed, warehouse unavailable")
        assert failed["errors"] == failed["error_reasons"][reason] > 0
        assert "stopping the crawl" in err.decode()
        assert rows(warehouse_dsn, "SELECT count(*) FROM ops.source_state")[0][0] == 0  # cursor not moved
        landed_before = rows(warehouse_dsn, "SELECT count(*) FROM raw.documents")[0][0]
        assert 500 <= landed_before < len(posts)

        code, retried, err2 = crawl_helpers.run_crawl(registry, "chan", through_proxy)
    assert code == 0 and retried["status"] == "success", err2[-3000:]
    assert retried["new_rows"] == len(posts) - landed_before
    _landed_exactly_once(warehouse_dsn, posts)


# --- News: the listing itself is broken ---------------------------------------------------------------------------

_GOOD_FEED = (hostile_site.DEMO_SITE / "feed.xml").read_bytes()
LISTING_CASES: dict[str, dict[str, Any]] = {
    # name: the file served as the source's listing, its sidecar, a fault, and the outcome
    "truncated-feed": {
        "kind": "feed", "body": _GOOD_FEED[: len(_GOOD_FEED) // 2], "reason": "malformed or truncated listing",
        "lands": True,
    },
    "empty-feed": {"kind": "feed", "body": b"", "reason": "not a feed"},
    "feed-404": {"kind": "feed", "body": b"gone", "status": 404, "reason": "HTTP 404"},
    "feed-gzip-bomb": {
        "kind": "feed", "body": gzip.compress(b"<rss>" + b" " * 40_000_000, 9),
        "headers": {"Content-Encoding": "gzip"}, "reason": "size cap once decompressed",
    },
    "feed-timeout": {"kind": "feed", "body": _GOOD_FEED, "fault": {"delay": 3.0}, "reason": "TimeoutError"},
    "feed-redirect-loop": {
        "kind": "feed", "body": b"", "status": 302, "headers": {"Location": "/listing.xml"}, "reason": "redirect loop",
    },
    "sitemap-is-html": {"kind": "sitemap", "body": b"<html><body><p>Home</p></body></html>", "reason": "not a sitemap"},
    "sitemap-corrupt-gzip": {
        "kind": "sitemap", "body": b"\x1f\x8b\x08\x00garbage" * 5, "reason": "not a sitemap",
    },
    "feed-disallowed-by-robots": {"kind": "feed", "path": "/private/listing.xml", "body": _GOOD_FEED,
                                  "skip": "disallowed by robots.txt"},
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(LISTING_CASES))
def test_a_broken_listing_is_quarantined_or_skipped_with_its_reason(
    warehouse_dsn: str, tmp_path: Path, name: str
) -> None:
    case = LISTING_CASES[name]
    path = case.get("path", "/listing.xml")
    faults = [Fault(match=path, **case["fault"])] if "fault" in case else []
    (tmp_path / "empty").mkdir()
    with ReplayServer(site=tmp_path / "empty", faults=faults) as server:
        server.site = hostile_site.build_site(tmp_path, server.url).resolve()
        target = server.site / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        body = case["body"].replace(hostile_site.DEMO_HOST, server.url.removeprefix("http://").encode())
        target.write_bytes(body)
        sidecar = {k: v for k, v in (("status", case.get("status")), ("headers", case.get("headers"))) if v}
        if sidecar:
            target.with_name(target.name + ".headers").write_text(json.dumps(sidecar), encoding="utf-8")
        registry = crawl_helpers.write_registry(
            tmp_path / "r.toml", _entry("broken", case["kind"], f"{server.url}{path}")
        )
        code, summary, err = crawl_helpers.run_crawl(registry, "broken", warehouse_dsn, timeout=300)
    assert summary, err[-3000:]
    assert code == (0 if summary["status"] in ("success", "partial") else 1)  # a failed crawl fails its task
    assert summary["errors"] == sum(summary["error_reasons"].values())
    if "skip" in case:
        assert summary["skips"] == {case["skip"]: 1} and summary["status"] == "success", summary
        return
    reasons = [r for (r,) in rows(warehouse_dsn, "SELECT reason FROM ops.quarantine WHERE url LIKE %s", f"%{path}")]
    assert any(case["reason"] in r for r in reasons), (reasons, err[-3000:])
    assert summary["status"] == ("partial" if case.get("lands") else "failed"), summary
    assert rows(warehouse_dsn, "SELECT count(*) FROM ops.source_state")[0][0] == 0  # the next run reads it again
    if case.get("lands"):  # what the damaged listing still named has landed
        assert summary["new_rows"] > 0


def test_through_airflow_a_crawl_failed_by_the_warehouse_is_retried_and_the_dag_lands_every_post_once(
    warehouse_dsn: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The DAG is not green on a failed load: the crawl task fails with the reason, Airflow retries it, and the
    retry lands the rest (the issue's 7,369-post backfill with the warehouse crashing 10 s in, in small)."""
    import threading

    from claimwatch.pipeline import airflow_local

    airflow_local.ensure_metadata_db()
    posts = crawl_helpers.write_channel(tmp_path / "chan.jsonl", "chan", 3000)
    with (
        PgProxy(warehouse_dsn) as proxy,
        ReplayServer([tmp_path / "chan.jsonl"], faults=[Fault(match="/s/chan*", delay=0.02)]) as server,
    ):
        registry = crawl_helpers.write_registry(
            tmp_path / "r.toml", crawl_helpers.telegram_entry("chan", "chan", server.url)
        )
        monkeypatch.setenv("CLAIMWATCH_SOURCES", str(registry))
        monkeypatch.setenv("CLAIMWATCH_WAREHOUSE_DSN", proxy.proxied(warehouse_dsn))
        monkeypatch.setenv("CLAIMWATCH_WAREHOUSE_RECONNECT_S", "1.5")

        def crash_once() -> None:
            deadline = time.monotonic() + 180
            while time.monotonic() < deadline:
                if rows(warehouse_dsn, "SELECT count(*) FROM raw.documents")[0][0] >= 500:
                    proxy.cut()
                    time.sleep(5)
                    proxy.restore()
                    return
                time.sleep(0.1)

        crasher = threading.Thread(target=crash_once, daemon=True)
        crasher.start()
        dags = airflow_local.load_dags()
        state = airflow_local.test_dag(dags["ingest__chan"])
        crasher.join(timeout=30)
    assert state == "success"
    runs = rows(warehouse_dsn, "SELECT status, task_try, errors, error_reasons FROM ops.crawl_runs ORDER BY 1")
    statuses = [status for status, *_ in runs]
    assert statuses == ["failed", "success"], runs
    failed = next(r for r in runs if r[0] == "failed")
    assert failed[2] > 0 and next(iter(failed[3])).startswith("not landed, warehouse unavailable")
    _landed_exactly_once(warehouse_dsn, posts)
