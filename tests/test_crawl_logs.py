"""The crawl task's log: Scrapy's lines at their own level, so a successful crawl shows no ERROR and a failed one
shows its error at ERROR (Airflow writes a task's raw stderr at ERROR, which is what the relay avoids)."""

from __future__ import annotations

import logging
import socket
import subprocess
from pathlib import Path

import pytest

from claimwatch.config import PROJECT_ROOT
from claimwatch.ingest import crawl
from claimwatch.registry import find_source
from claimwatch.tools.replay import ReplayServer
from tests.crawl_helpers import telegram_entry, write_registry

DEMO_CHANNEL = PROJECT_ROOT / "demo" / "channels" / "demo_edits.jsonl"


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _relayed(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name.startswith("claimwatch.ingest.crawl")]


def test_a_successful_crawl_logs_scrapy_lines_at_their_level_and_no_error(
    warehouse_dsn: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with ReplayServer([DEMO_CHANNEL]) as server:
        registry = write_registry(tmp_path / "r.toml", telegram_entry("edits", "demo_edits", server.url))
        summary = crawl.run_subprocess(find_source(registry, "edits"), str(registry), warehouse_dsn, crawl.RunContext())
    assert summary["status"] == "success"
    records = _relayed(caplog)
    assert any(r.levelno == logging.INFO and "[scrapy.core.engine] Spider opened" in r.getMessage() for r in records)
    assert [r.getMessage() for r in records if r.levelno >= logging.ERROR] == []


def test_a_failed_crawl_shows_its_error_at_error(
    warehouse_dsn: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    base_url = f"http://127.0.0.1:{_closed_port()}"
    registry = write_registry(
        tmp_path / "r.toml", telegram_entry("gone", "demo_edits", base_url, retries=0, obey_robots=False)
    )
    with pytest.raises(subprocess.CalledProcessError):
        crawl.run_subprocess(find_source(registry, "gone"), str(registry), warehouse_dsn, crawl.RunContext())
    errors = [r.getMessage() for r in _relayed(caplog) if r.levelno >= logging.ERROR]
    assert any("Connection refused" in m or "ConnectionRefused" in m for m in errors), errors
    assert any(m.startswith("crawl of gone failed (exit 1)") for m in errors), errors
    # what was not an error stays below ERROR
    assert any(r.levelno == logging.INFO for r in _relayed(caplog))


def test_relay_keeps_a_traceback_at_the_level_of_its_line() -> None:
    import io

    lines = (
        "2026-11-30 09:00:00 [scrapy.core.engine] INFO: Spider opened\n"
        "2026-11-30 09:00:01 [scrapy.core.scraper] ERROR: Spider error processing <GET http://x>\n"
        "Traceback (most recent call last):\n"
        "ValueError: bad page\n"
        "2026-11-30 09:00:02 [scrapy.core.engine] INFO: Closing spider (finished)\n"
    )
    logger = logging.getLogger("test.relay")
    records: list[logging.LogRecord] = []

    class _Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = _Keep()
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        last = crawl.relay_log(io.StringIO(lines), logger)
    finally:
        logger.removeHandler(handler)
    assert [logging.getLevelName(r.levelno) for r in records] == ["INFO", "ERROR", "ERROR", "ERROR", "INFO"]
    assert last == "ValueError: bad page"
