"""Crawling Telegram previews served on loopback into a real PostgreSQL: exactly once, incremental, robust."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path

import psycopg2
import pytest

from claimwatch.parse.telegram_preview import TEXT_VERSION, parse_message_html
from claimwatch.tools.replay import Fault, ReplayServer
from tests.crawl_helpers import crawl_command, run_crawl, telegram_entry, write_channel, write_registry


def _rows(dsn: str, sql: str, *params: object) -> list[tuple]:
    with psycopg2.connect(dsn) as conn, conn.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


@pytest.mark.slow
def test_whole_corpus_lands_exactly_once_and_rerun_is_cheap(corpus: Path, warehouse_dsn: str, tmp_path: Path) -> None:
    corpus_file = corpus / "channel-posts" / "naya_foriraq.jsonl"
    expected = {}
    for line in corpus_file.read_text(encoding="utf-8").splitlines():
        post = json.loads(line)
        expected[str(post["msg_id"])] = post
    with ReplayServer([corpus_file]) as server:
        registry = write_registry(tmp_path / "r.toml", telegram_entry("naya", "naya_foriraq", server.url))
        code, summary, err = run_crawl(registry, "naya", warehouse_dsn)
        assert code == 0, err[-3000:]
        assert summary["status"] == "success"
        assert summary["new_rows"] == len(expected) == 7369

        rows = _rows(
            warehouse_dsn,
            "SELECT external_id, published_at, body, body_text, body_text_version, meta FROM raw.documents "
            "WHERE source_id = 'naya'",
        )
        assert len(rows) == 7369
        assert {r[0] for r in rows} == set(expected)
        for external_id, published_at, body, body_text, body_text_version, meta in rows:
            want = expected[external_id]
            assert published_at == datetime.fromisoformat(want["posted_at"].replace("Z", "+00:00")).astimezone(UTC)
            post = parse_message_html(body)
            assert post is not None and post.text == want["text"], external_id
            # what normalize takes instead of parsing body again is what parsing body again gives
            assert (body_text, body_text_version) == (post.text, TEXT_VERSION), external_id
            assert (meta["forwarded_from"], meta["edited"], meta["views"], published_at) == (
                post.forwarded_from,
                post.edited,
                post.views,
                post.posted_at,
            ), external_id

        seen_before = len(server.request_log)
        code, summary, err = run_crawl(registry, "naya", warehouse_dsn)
        assert code == 0, err[-3000:]
        assert summary["new_rows"] == 0
        assert summary["requests"] <= 2
        second_run = server.request_log[seen_before:]
        assert len([r for r in second_run if "/s/naya_foriraq" in r[1]]) == 1
    assert _rows(warehouse_dsn, "SELECT count(*) FROM raw.documents")[0][0] == 7369


@pytest.mark.slow
def test_killed_crawl_then_rerun_lands_every_post_once(corpus: Path, warehouse_dsn: str, tmp_path: Path) -> None:
    corpus_file = corpus / "channel-posts" / "naya_foriraq.jsonl"
    slow = Fault(match="/s/naya_foriraq*", delay=0.03)
    with ReplayServer([corpus_file], faults=[slow]) as server:
        registry = write_registry(tmp_path / "r.toml", telegram_entry("naya", "naya_foriraq", server.url))
        env = {**os.environ, "CLAIMWATCH_WAREHOUSE_DSN": warehouse_dsn}
        proc = subprocess.Popen(
            crawl_command(registry, "naya"), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 120
        landed = 0
        while time.monotonic() < deadline and proc.poll() is None:
            landed = _rows(warehouse_dsn, "SELECT count(*) FROM raw.documents")[0][0]
            if landed >= 2000:
                break
            time.sleep(0.2)
        assert proc.poll() is None, "crawl finished before it could be killed; slow the replay down"
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert 0 < landed < 7369
        assert _rows(warehouse_dsn, "SELECT cursor FROM ops.source_state WHERE source_id = 'naya'") == []

        code, summary, err = run_crawl(registry, "naya", warehouse_dsn)
        assert code == 0, err[-3000:]
        assert summary["status"] == "success"
    total, distinct = _rows(warehouse_dsn, "SELECT count(*), count(DISTINCT external_id) FROM raw.documents")[0]
    assert total == distinct == 7369
    statuses = [r[0] for r in _rows(warehouse_dsn, "SELECT status FROM ops.crawl_runs ORDER BY crawl_run_id")]
    assert statuses == ["abandoned", "success"]


def test_backfill_bounds_first_run_and_cursor_bounds_the_next(warehouse_dsn: str, tmp_path: Path) -> None:
    corpus_file = tmp_path / "chan.jsonl"
    posts = write_channel(corpus_file, "chan", 95)
    with ReplayServer([corpus_file]) as server:
        registry = write_registry(tmp_path / "r.toml", telegram_entry("chan", "chan", server.url, backfill=30))
        code, summary, err = run_crawl(registry, "chan", warehouse_dsn)
        assert code == 0, err[-2000:]
        assert summary["new_rows"] == 30
        assert summary["cursor_after"] == {"last_msg_id": posts[-1]["msg_id"]}
        ids = sorted(int(r[0]) for r in _rows(warehouse_dsn, "SELECT external_id FROM raw.documents"))
        assert ids == [p["msg_id"] for p in posts[-30:]]

    # Five new posts and an edit of the newest old one appear; the next run lands exactly those.
    more = write_channel(tmp_path / "more.jsonl", "chan", 100)
    edited = dict(more[94], text="تصحيح: " + more[94]["text"], edited=True)
    lines = [json.dumps(p, ensure_ascii=False) for p in more] + [json.dumps(edited, ensure_ascii=False)]
    corpus_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with ReplayServer([corpus_file]) as server:
        registry = write_registry(tmp_path / "r.toml", telegram_entry("chan", "chan", server.url, backfill=30))
        code, summary, err = run_crawl(registry, "chan", warehouse_dsn)
        assert code == 0, err[-2000:]
        assert summary["new_rows"] == 6
        assert summary["requests"] <= 2
    versions = _rows(
        warehouse_dsn, "SELECT count(*) FROM raw.documents WHERE external_id = %s", str(more[94]["msg_id"])
    )
    assert versions[0][0] == 2


def test_bad_pages_are_quarantined_and_good_posts_land(warehouse_dsn: str, tmp_path: Path) -> None:
    corpus_file = tmp_path / "chan.jsonl"
    posts = write_channel(corpus_file, "chan", 60)
    faults = [
        # a post's text carries invalid UTF-8 and a NUL byte on the newest page
        Fault(match="/s/chan", replace=("بيان رقم 59".encode(), "بيان رقم 59".encode() + b"\xff\x00")),
        # the middle page is cut short (no closing </html>)
        Fault(match=f"/s/chan?before={posts[40]['msg_id']}", truncate=9000),
        # the server is busy once, then answers
        Fault(match=f"/s/chan?before={posts[20]['msg_id']}", status=503, times=1, retry_after=0),
    ]
    with ReplayServer([corpus_file], faults=faults) as server:
        registry = write_registry(tmp_path / "r.toml", telegram_entry("chan", "chan", server.url))
        code, summary, err = run_crawl(registry, "chan", warehouse_dsn)
        statuses = [status for _, _, status in server.request_log]
    assert code == 0, err[-2000:]
    assert summary["status"] == "partial"  # rows landed, cursor kept because a page was damaged
    assert 503 in statuses
    reasons = [r[0] for r in _rows(warehouse_dsn, "SELECT reason FROM ops.quarantine ORDER BY quarantine_id")]
    assert any(r.startswith("invalid UTF-8") for r in reasons), reasons
    assert any("NUL" in r for r in reasons), reasons
    assert any(r.startswith("truncated page") for r in reasons), reasons
    landed = {int(r[0]) for r in _rows(warehouse_dsn, "SELECT external_id FROM raw.documents")}
    # everything but what the truncation cut off has landed, the repaired post included; the walk went on past
    # the damaged page to the oldest one
    assert {p["msg_id"] for p in posts[40:]} <= landed
    assert {p["msg_id"] for p in posts[:20]} <= landed
    assert 0 < len(landed & {p["msg_id"] for p in posts[20:40]}) < 20
    assert _rows(warehouse_dsn, "SELECT count(*) FROM ops.source_state")[0][0] == 0
    assert summary["quarantined"] == len(reasons)


def test_missing_channel_fails_with_a_clear_reason(warehouse_dsn: str, tmp_path: Path) -> None:
    corpus_file = tmp_path / "chan.jsonl"
    write_channel(corpus_file, "chan", 5)
    with ReplayServer([corpus_file]) as server:
        registry = write_registry(tmp_path / "r.toml", telegram_entry("gone", "no_such_channel", server.url))
        code, summary, err = run_crawl(registry, "gone", warehouse_dsn)
    assert code == 1
    assert summary["status"] == "failed"
    reasons = _rows(warehouse_dsn, "SELECT error_reasons FROM ops.crawl_runs")[0][0]
    assert any("404" in r or "not a channel" in r for r in reasons), reasons
    assert "not found" in err or "not a channel preview" in err


def test_page_over_the_size_cap_is_quarantined(warehouse_dsn: str, tmp_path: Path) -> None:
    corpus_file = tmp_path / "chan.jsonl"
    posts = write_channel(corpus_file, "chan", 45)
    faults = [Fault(match=f"/s/chan?before={posts[25]['msg_id']}", pad_to=400_000)]
    with ReplayServer([corpus_file], faults=faults) as server:
        registry = write_registry(
            tmp_path / "r.toml", telegram_entry("chan", "chan", server.url, max_response_bytes=200_000)
        )
        code, summary, err = run_crawl(registry, "chan", warehouse_dsn)
    assert code == 0, err[-2000:]
    assert summary["status"] == "partial"
    reasons = [r[0] for r in _rows(warehouse_dsn, "SELECT reason FROM ops.quarantine")]
    assert any("size cap" in r for r in reasons), reasons
    assert _rows(warehouse_dsn, "SELECT count(*) FROM raw.documents")[0][0] == 20
