"""``claimwatch status``: one line per source, exit 0 only when every enabled source is healthy (DESIGN.md).

The warehouse states are made by real crawls of the loopback replay site; only "stale" is made by moving the
last success back in time, which is what the passing of hours would do."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg2

from claimwatch.config import PROJECT_ROOT
from claimwatch.pipeline.status import judge, schedule_interval
from claimwatch.registry import find_source
from claimwatch.tools.replay import ReplayServer
from tests.crawl_helpers import run_crawl, telegram_entry, write_registry

DEMO_CHANNEL = PROJECT_ROOT / "demo" / "channels" / "demo_edits.jsonl"


def _status(registry: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "claimwatch.cli", "status", "--sources", str(registry)],
        capture_output=True,
        text=True,
        timeout=120,
        env=os.environ.copy(),
    )


def _line(result: subprocess.CompletedProcess[str], source_id: str) -> list[str]:
    return next(line.split() for line in result.stdout.splitlines() if line.split()[0] == source_id)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_status_exit_codes_follow_the_sources_health(warehouse_dsn: str, tmp_path: Path) -> None:
    with ReplayServer([DEMO_CHANNEL]) as server:
        entry = telegram_entry("edits", "demo_edits", server.url)
        registry = write_registry(tmp_path / "r.toml", entry)
        code, summary, _ = run_crawl(registry, "edits", warehouse_dsn)
    assert code == 0 and summary["status"] == "success"

    healthy = _status(registry)
    assert healthy.returncode == 0, healthy.stdout + healthy.stderr
    assert _line(healthy, "edits")[1] == "OK"
    assert "schedule @hourly" in healthy.stdout and "0 errors" in healthy.stdout

    # a second source that never ran: never succeeded
    never = write_registry(tmp_path / "never.toml", entry, telegram_entry("quiet", "demo_edits", server.url))
    result = _status(never)
    assert result.returncode == 1
    assert _line(result, "edits")[1] == "OK" and _line(result, "quiet")[1] == "NEVER"
    assert "1 of 2 enabled sources unhealthy" in result.stderr

    # the hours pass with no successful crawl: stale after two hourly intervals
    with psycopg2.connect(warehouse_dsn) as conn, conn.cursor() as cur:
        cur.execute(
            "UPDATE ops.crawl_runs SET started_at = started_at - interval '3 hours', "
            "finished_at = finished_at - interval '3 hours' WHERE source_id = 'edits'"
        )
    stale = _status(registry)
    assert stale.returncode == 1 and _line(stale, "edits")[1] == "STALE", stale.stdout

    # the next crawl fails (the site is gone): failed last
    gone = write_registry(
        tmp_path / "gone.toml",
        telegram_entry("edits", "demo_edits", f"http://127.0.0.1:{_closed_port()}", retries=0, obey_robots=False),
    )
    code, summary, _ = run_crawl(gone, "edits", warehouse_dsn)
    assert code != 0 and summary["status"] == "failed"
    failed = _status(registry)
    assert failed.returncode == 1 and _line(failed, "edits")[1] == "FAILED", failed.stdout
    assert "latest run failed" in failed.stdout


def test_status_of_a_disabled_source_does_not_count(warehouse_dsn: str, tmp_path: Path) -> None:
    registry = write_registry(
        tmp_path / "r.toml", telegram_entry("off", "demo_edits", "http://127.0.0.1:1") + "enabled = false\n"
    )
    result = _status(registry)
    assert result.returncode == 0, result.stdout + result.stderr
    assert _line(result, "off")[1] == "DISABLED"


def test_freshness_is_measured_against_each_sources_schedule(tmp_path: Path) -> None:
    now = datetime(2026, 11, 30, 9, 7, tzinfo=UTC)
    assert schedule_interval("@hourly", now) == timedelta(hours=1)
    assert schedule_interval("*/20 * * * *", now) == timedelta(minutes=20)
    assert schedule_interval("@once", now) is None
    registry = write_registry(
        tmp_path / "r.toml",
        telegram_entry("fast", "demo_edits", "http://127.0.0.1:1") + 'schedule = "*/20 * * * *"\n',
        telegram_entry("slow", "demo_edits", "http://127.0.0.1:1") + 'schedule = "@daily"\n',
    )
    row = {
        "last_status": "success",
        "last_success_at": now - timedelta(minutes=50),
        "last_new_rows": 3,
        "last_errors": 0,
    }
    assert judge(find_source(registry, "fast"), row, now).state == "STALE"  # 50 min > 2 x 20 min
    assert judge(find_source(registry, "slow"), row, now).state == "OK"
