"""Alerts through the webhook notifier, configured by the Airflow connection ``claimwatch_alerts``, received by a
real HTTP server on loopback: a task's final failure alerts, and so does a stale source (``source_health``)."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import psycopg2
import pytest

from claimwatch.config import PROJECT_ROOT
from claimwatch.pipeline import airflow_local
from claimwatch.tools.replay import ReplayServer
from tests.crawl_helpers import run_crawl, telegram_entry, write_registry

DEMO_CHANNEL = PROJECT_ROOT / "demo" / "channels" / "demo_edits.jsonl"


class _Receiver(ThreadingHTTPServer):
    alerts: list[dict[str, Any]]


class _Hook(BaseHTTPRequestHandler):
    server: _Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.alerts.append({"path": self.path, **json.loads(body)})
        self.send_response(200)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def receiver(monkeypatch: pytest.MonkeyPatch) -> Iterator[_Receiver]:
    """A webhook on loopback, named by the Airflow connection claimwatch_alerts (URI form, from the environment)."""
    server = _Receiver(("127.0.0.1", 0), _Hook)
    server.alerts = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setenv("AIRFLOW_CONN_CLAIMWATCH_ALERTS", f"http://127.0.0.1:{server.server_address[1]}/hooks/oncall")
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def airflow_metadata() -> None:
    airflow_local.ensure_metadata_db()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_a_task_that_fails_its_last_try_alerts_the_webhook(
    airflow_metadata: None, warehouse_dsn: str, receiver: _Receiver, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    registry = write_registry(
        tmp_path / "r.toml",
        telegram_entry("gone", "demo_edits", f"http://127.0.0.1:{_closed_port()}", retries=0, obey_robots=False),
    )
    monkeypatch.setenv("CLAIMWATCH_SOURCES", str(registry))
    monkeypatch.setenv("CLAIMWATCH_DAG_RETRIES", "0")
    dags = airflow_local.load_dags()
    assert airflow_local.test_dag(dags["ingest__gone"]) == "failed"
    assert len(receiver.alerts) == 1, receiver.alerts
    alert = receiver.alerts[0]
    assert alert["path"] == "/hooks/oncall"
    assert (alert["dag_id"], alert["task_id"]) == ("ingest__gone", "crawl")
    assert alert["text"].startswith("claimwatch: ingest__gone.crawl failed")
    # the reason is the failed run's: its status and why (the connection the channel refused), never the DSN
    assert "failed" in alert["reason"] and "ConnectionRefused" in alert["reason"], alert["reason"]
    assert warehouse_dsn not in json.dumps(alert)


def test_source_health_alerts_on_a_stale_source_and_not_on_a_fresh_one(
    airflow_metadata: None, warehouse_dsn: str, receiver: _Receiver, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with ReplayServer([DEMO_CHANNEL]) as server:
        registry = write_registry(tmp_path / "r.toml", telegram_entry("edits", "demo_edits", server.url))
        code, summary, _ = run_crawl(registry, "edits", warehouse_dsn)
    assert code == 0 and summary["status"] == "success"
    monkeypatch.setenv("CLAIMWATCH_SOURCES", str(registry))
    dags = airflow_local.load_dags()
    assert dags["source_health"].doc_md
    assert airflow_local.test_dag(dags["source_health"]) == "success"
    assert receiver.alerts == []

    with psycopg2.connect(warehouse_dsn) as conn, conn.cursor() as cur:  # three hours without a success
        cur.execute(
            "UPDATE ops.crawl_runs SET started_at = started_at - interval '3 hours', "
            "finished_at = finished_at - interval '3 hours' WHERE source_id = 'edits'"
        )
    assert airflow_local.test_dag(dags["source_health"]) == "failed"
    assert len(receiver.alerts) == 1, receiver.alerts
    alert = receiver.alerts[0]
    assert alert["dag_id"] == "source_health"
    assert alert["text"].startswith("claimwatch: sources unhealthy: edits STALE: last success")
