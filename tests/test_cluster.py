"""The CeleryExecutor for real: ``claimwatch cluster drill`` against this machine's Redis and PostgreSQL, and clean
shutdown of ``claimwatch airflow`` and ``claimwatch cluster up`` on Ctrl-C and SIGTERM (no traceback, no process
left behind, the port free again).

Without Redis or PostgreSQL on 127.0.0.1 these tests skip, except in CI (``CI`` set), where they fail."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg2
import pytest

from claimwatch.pipeline.cluster import free_port
from claimwatch.pipeline.services import descendants
from claimwatch.warehouse.connection import database_dsn, drop_database
from tests.crawl_helpers import telegram_entry, write_registry

pytestmark = pytest.mark.slow

MACHINE_PG = "postgresql://postgres@127.0.0.1:5432/postgres"


def _reachable(port: int, probe: bytes | None = None, answer: bytes = b"") -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as sock:
            if probe is None:
                return True
            sock.sendall(probe)
            return sock.recv(64).startswith(answer)
    except OSError:
        return False


@pytest.fixture(scope="module")
def machine_services() -> None:
    """Redis and PostgreSQL on 127.0.0.1, as the cluster uses them; skip without them (fail in CI)."""
    missing = []
    if not _reachable(6379, b"PING\r\n", b"+PONG"):
        missing.append("Redis on 127.0.0.1:6379")
    if not _reachable(5432):
        missing.append("PostgreSQL on 127.0.0.1:5432")
    if missing:
        message = "the Celery cluster needs " + " and ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def _synthetic_corpus(path: Path, posts: int) -> Path:
    """A channel of ``posts`` posts (more than one landing batch, so the kill falls mid-crawl)."""
    start = datetime(2026, 11, 1, tzinfo=UTC)
    with path.open("w", encoding="utf-8") as out:
        for n in range(1, posts + 1):
            post = {
                "channel": "drill_channel",
                "msg_id": n,
                "posted_at": (start + timedelta(minutes=7 * n)).strftime("%Y-%m-%dT%H:%MZ"),
                "text": f"Drill post {n}: the Islamic Resistance in Iraq targeted a base with a drone.",
                "views": n,
                "forwarded_from": None,
            }
            out.write(json.dumps(post) + "\n")
    return path


def test_the_drill_kills_the_crawls_worker_and_every_post_lands_exactly_once(
    machine_services: None, warehouse_dsn: str, tmp_path: Path
) -> None:
    corpus = _synthetic_corpus(tmp_path / "drill.jsonl", 1500)
    result = subprocess.run(
        [sys.executable, "-m", "claimwatch.cli", "cluster", "drill", "--corpus", str(corpus), "--workers", "2"],
        capture_output=True,
        text=True,
        timeout=1500,
        env={**os.environ, "CLAIMWATCH_WAREHOUSE_DSN": warehouse_dsn},
    )
    print(result.stdout)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert "drill passed: every post landed exactly once" in result.stdout
    tries = [line.split() for line in result.stdout.splitlines() if line.strip().startswith("try ")]
    assert [t[2] for t in tries] == ["failed", "success"], tries
    assert tries[0][4] != tries[1][4]  # the retry ran on another worker
    # the warehouse, read independently of the drill's own reconciliation
    with psycopg2.connect(warehouse_dsn) as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*), count(DISTINCT external_id) FROM raw.documents WHERE source_id LIKE 'drill%'")
        assert cur.fetchone() == (1500, 1500)
        cur.execute("SELECT task_try, status FROM ops.crawl_runs WHERE source_id LIKE 'drill%' ORDER BY crawl_run_id")
        assert cur.fetchall() == [(1, "abandoned"), (2, "success")]
    # nothing this drill started is left running (its processes carry its own Celery queue in their environment;
    # another checkout's drill may be running meanwhile)
    queue = re.search(r"queue (claimwatch-drill-\S+)", result.stdout)
    assert queue is not None
    marker = f"AIRFLOW__OPERATORS__DEFAULT_QUEUE={queue[1]}\0"
    assert not [p for p in _airflow_processes() if marker in _environ(p)]


def _airflow_processes() -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes()
                state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
            except OSError:
                continue
            if b"airflow" in cmdline and state != "Z":
                found.append(int(entry.name))
    return found


def _all_pids() -> list[int]:
    return [int(e.name) for e in Path("/proc").iterdir() if e.name.isdigit()]


def _environ(pid: int) -> str:
    try:
        return (Path("/proc") / str(pid) / "environ").read_bytes().decode(errors="replace")
    except OSError:
        return ""


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _start_and_stop(
    argv: list[str], env: dict[str, str], port: int, sig: int, ready: float = 300, stop: list[str] | None = None
) -> None:
    """Start a long-running command in its own session, wait for its api-server, send ``sig`` the way a terminal
    (Ctrl-C: to the whole foreground group) or a service manager (SIGTERM: to the process) would, or run the
    ``stop`` command, and check it stopped cleanly: exit 0, no traceback, no process left, the port free."""
    proc = subprocess.Popen(
        argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True
    )
    try:
        deadline = time.monotonic() + ready
        while not _reachable(port):
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the api-server did not come up"
            time.sleep(1)
        time.sleep(10)  # let every component get going, and the scheduler start a task
        children = descendants(proc.pid)
        assert len(children) >= 4
        if stop is not None:
            stopped = subprocess.run(stop, env=env, capture_output=True, text=True, timeout=120)
            assert stopped.returncode == 0 and stopped.stdout.strip() == "stopped", stopped.stdout + stopped.stderr
        elif sig == signal.SIGINT:
            os.killpg(proc.pid, signal.SIGINT)
        else:
            proc.send_signal(sig)
        out, err = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 0, out + err
    assert "Traceback" not in err, err
    assert "stopped" in err + out
    assert [p for p in children if _alive(p)] == []
    # nor anything started later (a task runs in a process group of its own): every process of this Airflow
    # carries its port in its environment
    time.sleep(2)
    marker = f"AIRFLOW__API__PORT={port}\0"
    assert [p for p in _all_pids() if marker in _environ(p) and _alive(p)] == []
    assert not _reachable(port)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_claimwatch_airflow_stops_cleanly(warehouse_dsn: str, tmp_path: Path, sig: int) -> None:
    port = free_port()
    registry = write_registry(tmp_path / "r.toml", telegram_entry("quiet", "demo_edits", "http://127.0.0.1:1"))
    env = {**os.environ, "CLAIMWATCH_AIRFLOW_PORT": str(port), "CLAIMWATCH_WAREHOUSE_DSN": warehouse_dsn}
    _start_and_stop([sys.executable, "-m", "claimwatch.cli", "airflow", "--sources", str(registry)], env, port, sig)


def test_cluster_down_stops_cluster_up_cleanly(
    machine_services: None, warehouse_dsn: str, pg_admin_dsn: str, tmp_path: Path
) -> None:
    port = free_port()
    registry = write_registry(tmp_path / "r.toml", telegram_entry("quiet", "demo_edits", "http://127.0.0.1:1"))
    admin = pg_admin_dsn if "127.0.0.1" in pg_admin_dsn else MACHINE_PG
    metadata = f"claimwatch_test_cluster_{os.getpid()}"  # its own: another checkout may run this test meanwhile
    env = {
        **os.environ,
        "CLAIMWATCH_DATA_DIR": str(tmp_path / "data"),
        "CLAIMWATCH_AIRFLOW_DB_DSN": database_dsn(admin, metadata),
        "CLAIMWATCH_WAREHOUSE_DSN": warehouse_dsn,
    }
    env.pop("AIRFLOW_HOME", None)
    argv = [sys.executable, "-m", "claimwatch.cli", "cluster", "up", "--workers", "1", "--port", str(port)]
    down = [sys.executable, "-m", "claimwatch.cli", "cluster", "down"]  # SIGTERM to `up`, which stops its children
    try:
        _start_and_stop([*argv, "--sources", str(registry)], env, port, signal.SIGTERM, stop=down)
    finally:
        drop_database(admin, metadata)
    assert not (tmp_path / "data" / "cluster" / "cluster.json").exists()
