"""Airflow on the CeleryExecutor on this machine: ``claimwatch cluster up | down | drill``.

The same shape as a production deployment, on one host: Airflow's api-server, scheduler, dag-processor and
triggerer, and N Celery workers, each a separate process (group); Redis (``CLAIMWATCH_CELERY_BROKER_URL``,
default ``redis://127.0.0.1:6379/0``) is the broker and a PostgreSQL database (``CLAIMWATCH_AIRFLOW_DB_DSN``,
default ``postgresql://postgres@127.0.0.1:5432/claimwatch_airflow``, created when missing) is Airflow's metadata
database and Celery's result backend. Everything binds 127.0.0.1; secrets (the JWT secret the scheduler and the
api-server share, the Fernet key) are generated once into the cluster's home with mode 0600 and reach the
processes through their environment, never their command lines.

``drill`` is the failure drill of DESIGN.md: a throw-away cluster ingests a replayed corpus through the real
ingest DAG, the Celery worker running the crawl is SIGKILLed (its whole process group, as if its machine died),
Airflow notices the missing heartbeats and retries the task on another worker, and the warehouse is reconciled:
every post landed exactly once.
"""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from claimwatch.config import data_dir

log = logging.getLogger(__name__)

DEFAULT_METADATA_DSN = "postgresql://postgres@127.0.0.1:5432/claimwatch_airflow"
DEFAULT_BROKER_URL = "redis://127.0.0.1:6379/0"
WORKER_NAME_ENV = "CLAIMWATCH_WORKER_NAME"
COMPONENTS = ("api-server", "scheduler", "dag-processor", "triggerer")


class ClusterError(RuntimeError):
    """The cluster could not be started, or a drill step did not happen in time; the message says which."""


@dataclass(frozen=True)
class ClusterConfig:
    """Where a cluster keeps its state and what it talks to."""

    home: Path
    metadata_dsn: str = DEFAULT_METADATA_DSN
    broker_url: str = DEFAULT_BROKER_URL
    workers: int = 2
    port: int = 8080
    queue: str = "default"
    heartbeat_timeout_s: int = 120
    paused_at_creation: bool = False
    extra_env: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls, workers: int, port: int, home: Path | None = None, **kwargs: Any) -> ClusterConfig:
        """The configuration of ``cluster up``: ``CLAIMWATCH_AIRFLOW_DB_DSN`` and ``CLAIMWATCH_CELERY_BROKER_URL``
        override the machine's PostgreSQL and Redis."""
        return cls(
            home=home or data_dir() / "cluster",
            metadata_dsn=os.environ.get("CLAIMWATCH_AIRFLOW_DB_DSN", DEFAULT_METADATA_DSN),
            broker_url=os.environ.get("CLAIMWATCH_CELERY_BROKER_URL", DEFAULT_BROKER_URL),
            workers=workers,
            port=port,
            **kwargs,
        )

    @property
    def url(self) -> str:
        """The api-server (UI and REST API)."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def state_file(self) -> Path:
        """Pids of a running ``cluster up``, for ``cluster down``."""
        return self.home / "cluster.json"


def worker_hostname() -> str:
    """Airflow's ``hostname_callable`` in a cluster: the Celery worker's name at the machine's name.

    All workers share one host, so the plain host name would not tell which worker ran a try; with this the UI,
    the REST API and the drill see ``worker2@host``. Processes that are not workers get the host name.
    """
    host = socket.gethostname()
    name = os.environ.get(WORKER_NAME_ENV)
    return f"{name}@{host}" if name else host


def _secret(home: Path, name: str, make: Callable[[], str]) -> str:
    """A secret kept in ``home/name`` (mode 0600), made on first use: stable across restarts of the cluster."""
    path = home / name
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    home.mkdir(parents=True, exist_ok=True)
    value = make()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(value)
    return value


def _fernet_key() -> str:
    from cryptography.fernet import Fernet

    return Fernet.generate_key().decode()


def worker_concurrency(workers: int) -> int:
    """Task slots per Celery worker: the machine's parallelism shared out, at least one each."""
    from claimwatch.pipeline.airflow_local import machine_parallelism

    return max(1, machine_parallelism() // max(1, workers))


def cluster_env(cfg: ClusterConfig, sources: Path | None = None) -> dict[str, str]:
    """The environment of every process of the cluster (on top of this process's own)."""
    from claimwatch.pipeline.airflow_local import airflow_env

    sqlalchemy = re.sub(r"^postgres(ql)?://", "postgresql+psycopg2://", cfg.metadata_dsn)
    env = {**os.environ, **airflow_env(sources)}
    env.update(
        {
            "AIRFLOW_HOME": str(cfg.home),
            "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": sqlalchemy,
            "AIRFLOW__CELERY__BROKER_URL": cfg.broker_url,
            "AIRFLOW__CELERY__RESULT_BACKEND": f"db+{sqlalchemy}",
            "AIRFLOW__CELERY__WORKER_CONCURRENCY": str(worker_concurrency(cfg.workers)),
            "AIRFLOW__OPERATORS__DEFAULT_QUEUE": cfg.queue,
            "AIRFLOW__CORE__PARALLELISM": str(worker_concurrency(cfg.workers) * cfg.workers),
            "AIRFLOW__CORE__HOSTNAME_CALLABLE": "claimwatch.pipeline.cluster.worker_hostname",
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": str(cfg.paused_at_creation),
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__PORT": str(cfg.port),
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{cfg.url}/execution/",
            "AIRFLOW__API_AUTH__JWT_SECRET": _secret(cfg.home, "jwt_secret", lambda: secrets.token_urlsafe(48)),
            "AIRFLOW__CORE__FERNET_KEY": _secret(cfg.home, "fernet_key", _fernet_key),
            "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT": str(cfg.heartbeat_timeout_s),
            "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT_DETECTION_INTERVAL": "5",
            **cfg.extra_env,
        }
    )
    return env


def prepare_metadata_db(cfg: ClusterConfig, env: dict[str, str]) -> None:
    """Create Airflow's metadata database when missing and migrate it (``airflow db migrate``)."""
    from claimwatch.warehouse.connection import database_dsn, ensure_database

    name = urlsplit(cfg.metadata_dsn).path.lstrip("/")
    ensure_database(database_dsn(cfg.metadata_dsn, "postgres"), name)
    cfg.home.mkdir(parents=True, exist_ok=True)
    (cfg.home / "logs").mkdir(exist_ok=True)
    with (cfg.home / "logs" / "db-migrate.log").open("ab") as out:
        done = subprocess.run(
            [sys.executable, "-m", "airflow", "db", "migrate"], env=env, stdout=out, stderr=subprocess.STDOUT
        )
    if done.returncode != 0:
        raise ClusterError(f"airflow db migrate failed: see {cfg.home / 'logs' / 'db-migrate.log'}")


def start_components(cfg: ClusterConfig, services: Any, env: dict[str, str]) -> list[str]:
    """Start api-server, scheduler, dag-processor, triggerer and the workers; return the workers' names."""
    airflow = [sys.executable, "-m", "airflow"]
    services.start("api-server", [*airflow, "api-server", "--host", "127.0.0.1", "--port", str(cfg.port)], env)
    services.start("scheduler", [*airflow, "scheduler", "--skip-serve-logs"], env)
    services.start("dag-processor", [*airflow, "dag-processor"], env)
    services.start("triggerer", [*airflow, "triggerer", "--skip-serve-logs"], env)
    names = [f"worker{i}" for i in range(1, cfg.workers + 1)]
    for name in names:
        worker = [
            *airflow,
            "celery",
            "worker",
            "--celery-hostname",
            f"{name}@%h",
            "--concurrency",
            str(worker_concurrency(cfg.workers)),
            "--queues",
            cfg.queue,
            "--skip-serve-logs",
            "--without-mingle",
            "--without-gossip",
        ]
        services.start(name, worker, {**env, WORKER_NAME_ENV: name})
    return names


class AirflowApi:
    """The few calls of Airflow's REST API (v2) the drill needs, over loopback, with a token from the simple auth
    manager (every user is an admin on a loopback-only cluster)."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")
        self._token: str | None = None

    def _call(self, method: str, path: str, body: Any = None, accept: str = "application/json") -> Any:
        if self._token is None:
            with urllib.request.urlopen(f"{self.base_url}/auth/token", timeout=10) as response:
                self._token = json.load(response)["access_token"]
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(f"{self.base_url}{path}", data=data, method=method)
        request.add_header("Authorization", f"Bearer {self._token}")
        request.add_header("Accept", accept)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response)

    def get(self, path: str) -> Any:
        """GET ``path`` (under the server's root); JSON."""
        return self._call("GET", path)

    def patch(self, path: str, body: Any) -> Any:
        """PATCH ``path`` with a JSON body."""
        return self._call("PATCH", path, body)

    def healthy(self) -> bool:
        """The api-server answers and reports the metadatabase and scheduler healthy."""
        try:
            with urllib.request.urlopen(f"{self.base_url}/api/v2/monitor/health", timeout=5) as response:
                health = json.load(response)
        except (OSError, ValueError):
            return False
        return all(health.get(part, {}).get("status") == "healthy" for part in ("metadatabase", "scheduler"))


def wait_for(
    what: str, check: Callable[[], Any], timeout: float, poll: float = 1.0, guard: Callable[[], None] | None = None
) -> Any:
    """Call ``check`` until it returns something truthy; ClusterError naming ``what`` after ``timeout`` s.
    ``guard`` runs first on every round and raises to give up early (a component died)."""
    deadline = time.monotonic() + timeout
    while True:
        if guard is not None:
            guard()
        try:
            value = check()
        except (urllib.error.URLError, OSError, ValueError) as exc:
            log.debug("%s: %s", what, exc)
            value = None
        if value:
            return value
        if time.monotonic() > deadline:
            raise ClusterError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(poll)


def components_running(services: Any, logs: Path, expected_dead: set[str]) -> Callable[[], None]:
    """A :func:`wait_for` guard: ClusterError naming the component that exited (and its log), unless expected."""

    def guard() -> None:
        for name, code in services.exited().items():
            if name not in expected_dead:
                raise ClusterError(f"{name} exited with status {code}: see {logs / (name + '.log')}")

    return guard


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# ---- cluster up / down ---------------------------------------------------------------------------------------


def up(cfg: ClusterConfig, sources: Path, console: Callable[[str], None] = print) -> int:
    """``claimwatch cluster up``: run the cluster until Ctrl-C, SIGTERM or ``cluster down``; 0 on a clean stop."""
    from claimwatch.pipeline.services import Services, stop_on_signals

    if (running := running_supervisor(cfg)) is not None:
        raise ClusterError(
            f"a cluster from {cfg.home} already runs (pid {running}): `claimwatch cluster down` stops it"
        )
    with stop_on_signals():
        try:
            env = cluster_env(cfg, sources)
            prepare_metadata_db(cfg, env)
            with Services(log_dir=cfg.home / "logs") as services:
                workers = start_components(cfg, services, env)
                cfg.state_file.write_text(
                    json.dumps({"supervisor": os.getpid(), "groups": services.pids()}), encoding="utf-8"
                )
                api = AirflowApi(cfg.url)
                guard = components_running(services, cfg.home / "logs", set())
                wait_for("the api-server and scheduler", api.healthy, timeout=180, guard=guard)
                console(
                    f"Airflow (CeleryExecutor, {len(workers)} workers x {worker_concurrency(cfg.workers)} slots) "
                    f"on {cfg.url}; logs in {cfg.home / 'logs'}; Ctrl-C or `claimwatch cluster down` stops it"
                )
                ended = services.wait_any()
                console(f"claimwatch cluster: {ended} exited (see {cfg.home / 'logs' / (ended + '.log')}); stopping")
                return 1
        except KeyboardInterrupt:
            console("claimwatch cluster: stopped")
            return 0
        finally:
            cfg.state_file.unlink(missing_ok=True)


def running_supervisor(cfg: ClusterConfig) -> int | None:
    """The pid of the ``cluster up`` process of this home, if one is running."""
    if not cfg.state_file.exists():
        return None
    pid = int(json.loads(cfg.state_file.read_text(encoding="utf-8"))["supervisor"])
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    return pid


def down(cfg: ClusterConfig, timeout: float = 60.0) -> bool:
    """``claimwatch cluster down``: stop the cluster ``up`` started (its supervisor first, so it stops its children
    in order; then any group left); return whether one was running."""
    from claimwatch.pipeline.services import group_alive, stop_groups

    if not cfg.state_file.exists():
        return False
    state = json.loads(cfg.state_file.read_text(encoding="utf-8"))
    supervisor = int(state["supervisor"])
    with contextlib.suppress(ProcessLookupError):
        os.kill(supervisor, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(supervisor, 0)
        except ProcessLookupError:
            break
        time.sleep(0.2)
    left = [int(p) for p in state["groups"].values() if group_alive(int(p))]
    stop_groups(left, timeout=10)
    cfg.state_file.unlink(missing_ok=True)
    return True


# ---- the drill -----------------------------------------------------------------------------------------------


@dataclass
class DrillSource:
    """One corpus channel as a drill source."""

    source_id: str
    channel: str
    posts: int

    @property
    def dag_id(self) -> str:
        return f"ingest__{self.source_id}"


def _drill_registry(path: Path, channels: dict[str, int], base_url: str, stamp: str) -> list[DrillSource]:
    """A registry with one Telegram source per corpus channel, on the replay site, run once (``@once``)."""
    import tomli_w

    sources = []
    entries = []
    for channel in sorted(channels):
        slug = re.sub(r"[^a-z0-9_]", "_", channel.lower())
        source = DrillSource(f"drill{stamp}_{slug}"[:63], channel, channels[channel])
        sources.append(source)
        entries.append(
            {
                "id": source.source_id,
                "kind": "telegram",
                "channel": channel,
                "base_url": base_url,
                "backfill": "all",
                "schedule": "@once",
                "tags": ["drill"],
                # a little delay per page so the crawl is still running when the drill kills its worker
                "politeness": {"download_delay": 0.05, "autothrottle": False, "concurrency": 1},
            }
        )
    path.write_text(tomli_w.dumps({"source": entries}), encoding="utf-8")
    return sources


def _landed(dsn: str, source_id: str) -> dict[str, int]:
    from claimwatch.warehouse import connect, query

    with connect(dsn) as conn, conn.cursor() as cur:
        cur.execute(query("drill_landed"), {"source_id": source_id})
        names = [d.name for d in cur.description]
        return dict(zip(names, cur.fetchone(), strict=True))


def _crawl_runs(dsn: str, source_id: str) -> list[dict[str, Any]]:
    from claimwatch.warehouse import connect, query

    with connect(dsn) as conn, conn.cursor() as cur:
        cur.execute(query("drill_crawl_runs"), {"source_id": source_id})
        names = [d.name for d in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def _task_log_levels(api: AirflowApi, dag_id: str, run_id: str, task_id: str, try_number: int) -> dict[str, int]:
    """Lines of one try's task log by level, as Airflow serves it (structured log)."""
    path = (
        f"/api/v2/dags/{dag_id}/dagRuns/{quote(run_id, safe='')}/taskInstances/{task_id}/logs/{try_number}"
        "?full_content=true"
    )
    content = api.get(path).get("content", [])
    levels: dict[str, int] = {}
    for line in content:
        level = str(line.get("level", "-")).upper() if isinstance(line, dict) else "-"
        levels[level] = levels.get(level, 0) + 1
    return levels


def drill(corpus: Path, workers: int = 2, timeout: float = 1200.0, console: Callable[[str], None] = print) -> int:
    """``claimwatch cluster drill``: see the module docstring; 0 only when every post landed exactly once after
    the crawl's worker was killed and the retry ran on another worker."""
    from claimwatch.pipeline.services import Services, stop_on_signals
    from claimwatch.pipeline.tasks import prepare_warehouse
    from claimwatch.tools.replay import ReplayServer, load_corpus
    from claimwatch.warehouse import warehouse_dsn
    from claimwatch.warehouse.connection import database_dsn, drop_database

    if workers < 2:
        raise ClusterError("the drill needs at least 2 workers: one to kill, one to retry on")
    if not corpus.is_file():
        raise ClusterError(f"{corpus}: no such corpus file")
    posts = load_corpus([corpus])
    if not posts:
        raise ClusterError(f"{corpus}: no posts in the corpus")
    started = time.monotonic()

    def say(message: str) -> None:
        console(f"[{time.monotonic() - started:6.1f} s] {message}")

    warehouse = warehouse_dsn()
    prepare_warehouse(warehouse)
    stamp = time.strftime("%Y%m%d%H%M%S")
    work = Path(tempfile.mkdtemp(prefix="claimwatch-drill-"))
    # A metadata database of its own, dropped at the end: two drills (two checkouts, a CI run) sharing one would
    # each see the other's DAGs vanish from their DAG folder. CLAIMWATCH_DRILL_AIRFLOW_DB_DSN names one to keep.
    own_metadata = "CLAIMWATCH_DRILL_AIRFLOW_DB_DSN" not in os.environ
    metadata_dsn = os.environ.get(
        "CLAIMWATCH_DRILL_AIRFLOW_DB_DSN",
        DEFAULT_METADATA_DSN.replace("claimwatch_airflow", f"claimwatch_drill_{stamp}_{os.getpid()}"),
    )
    cfg = ClusterConfig(
        home=work / "airflow",
        metadata_dsn=metadata_dsn,
        broker_url=os.environ.get("CLAIMWATCH_CELERY_BROKER_URL", DEFAULT_BROKER_URL),
        workers=workers,
        port=free_port(),
        queue=f"claimwatch-drill-{stamp}-{os.getpid()}",  # a queue of its own: no other cluster's worker takes it
        heartbeat_timeout_s=20,  # notice the dead worker in seconds, not the production minutes
        paused_at_creation=True,  # only the drill's DAGs run, and only once
        extra_env={
            "CLAIMWATCH_WAREHOUSE_DSN": warehouse,
            "CLAIMWATCH_DAG_RETRY_DELAY_S": "2",
            "CLAIMWATCH_DAG_RETRIES": "2",
        },
    )
    try:
        with stop_on_signals(), ReplayServer([corpus]) as server:
            registry = work / "drill-sources.toml"
            sources = _drill_registry(registry, {c: len(p) for c, p in posts.items()}, server.url, stamp)
            say(
                f"corpus {corpus.name}: {sum(s.posts for s in sources)} posts in {len(sources)} channel(s), "
                f"replayed on {server.url}"
            )
            env = cluster_env(cfg, registry)
            prepare_metadata_db(cfg, env)
            say(
                f"Airflow metadata database ready ({urlsplit(cfg.metadata_dsn).path.lstrip('/')}); "
                f"broker {cfg.broker_url}, queue {cfg.queue}"
            )
            with Services(log_dir=cfg.home / "logs") as services:
                names = start_components(cfg, services, env)
                say("started " + ", ".join(f"{n} (pid {p})" for n, p in services.pids().items()))
                api = AirflowApi(cfg.url)
                dead: set[str] = set()
                guard = components_running(services, cfg.home / "logs", dead)
                wait_for("the api-server and scheduler", api.healthy, timeout=240, guard=guard)
                for source in sources:
                    wait_for(
                        f"DAG {source.dag_id} to be parsed",
                        functools.partial(api.get, f"/api/v2/dags/{source.dag_id}"),
                        240,
                        guard=guard,
                    )
                    api.patch(f"/api/v2/dags/{source.dag_id}", {"is_paused": False})
                say(f"Airflow UI {cfg.url}; unpaused " + ", ".join(s.dag_id for s in sources))
                target = sources[0]
                run_id = wait_for(
                    f"a run of {target.dag_id}",
                    lambda: next(
                        (r["dag_run_id"] for r in api.get(f"/api/v2/dags/{target.dag_id}/dagRuns")["dag_runs"]), None
                    ),
                    120,
                    guard=guard,
                )
                ti_path = f"/api/v2/dags/{target.dag_id}/dagRuns/{quote(run_id, safe='')}/taskInstances/crawl"

                def crawl_running_with_rows() -> dict[str, Any] | None:
                    ti = api.get(ti_path)
                    if ti["state"] in ("success", "failed", "upstream_failed"):
                        raise ClusterError(f"the crawl ended ({ti['state']}) before the drill could kill its worker")
                    if (
                        ti["state"] == "running"
                        and ti.get("hostname")
                        and _landed(warehouse, target.source_id)["raw_rows"]
                    ):
                        return dict(ti)
                    return None

                ti = wait_for(
                    "the crawl to run and land its first batch", crawl_running_with_rows, 600, poll=0.5, guard=guard
                )
                victim = str(ti["hostname"]).split("@", 1)[0]
                if victim not in names:
                    raise ClusterError(f"the crawl runs on {ti['hostname']!r}, not on one of this drill's workers")
                landed_before = _landed(warehouse, target.source_id)["raw_rows"]
                dead.add(victim)
                tree = services.kill(victim)
                say(
                    f"SIGKILL {victim} (pid {services.pids()[victim]}, its process group and {len(tree)} processes "
                    f"below it) while it ran try {ti['try_number']} of {target.dag_id}.crawl; "
                    f"{landed_before} of {target.posts} posts landed so far"
                )

                def retried() -> dict[str, Any] | None:
                    ti = api.get(ti_path)
                    begun = ti["state"] in ("running", "success") and ti.get("hostname")
                    return dict(ti) if ti["try_number"] > 1 and begun else None

                retry = wait_for("Airflow to retry the crawl", retried, 300, guard=guard)
                say(f"Airflow retried: try {retry['try_number']} of crawl runs on {retry['hostname']}")

                def all_done() -> list[dict[str, Any]] | None:
                    runs = [api.get(f"/api/v2/dags/{s.dag_id}/dagRuns")["dag_runs"] for s in sources]
                    if all(r and r[0]["state"] in ("success", "failed") for r in runs):
                        return [r[0] for r in runs]
                    return None

                finished = wait_for(
                    "the DAG runs to finish",
                    all_done,
                    max(60.0, timeout - (time.monotonic() - started)),
                    2,
                    guard=guard,
                )
                tries = api.get(f"{ti_path}/tries")["task_instances"]
                log_levels = _task_log_levels(api, target.dag_id, run_id, "crawl", int(retry["try_number"]))
                say("stopping the cluster")
            say("cluster stopped (every process group ended)")
    except ClusterError as exc:
        raise ClusterError(f"{exc} (component logs in {cfg.home / 'logs'})") from None
    finally:
        if own_metadata:
            drop_database(database_dsn(metadata_dsn, "postgres"), urlsplit(metadata_dsn).path.lstrip("/"))

    console("")
    console("crawl tries (Airflow):")
    for t in sorted(tries, key=lambda t: t["try_number"]):
        console(f"  try {t['try_number']}: {t['state']:<8} on {t['hostname']}")
    console(f"task log of try {retry['try_number']}: " + ", ".join(f"{k} {v}" for k, v in sorted(log_levels.items())))
    failures = []
    if str(retry["hostname"]).split("@", 1)[0] == victim:
        failures.append("the retry ran on the killed worker")
    if log_levels.get("ERROR", 0):
        failures.append(f"the successful crawl's task log has {log_levels['ERROR']} ERROR line(s)")
    console("reconciliation (warehouse):")
    for source, run in zip(sources, finished, strict=True):
        landed = _landed(warehouse, source.source_id)
        console(
            f"  {source.source_id}: DAG run {run['state']}; corpus {source.posts} posts, "
            f"raw rows {landed['raw_rows']}, distinct posts {landed['posts']}, core documents {landed['documents']}"
        )
        for crawl_run in _crawl_runs(warehouse, source.source_id):
            console(
                f"    crawl run {crawl_run['crawl_run_id']} (task try {crawl_run['task_try']}): {crawl_run['status']}, "
                f"{crawl_run['new_rows']} new rows"
            )
            killed_try = source is target and crawl_run["task_try"] == ti["try_number"]
            if killed_try and crawl_run["status"] != "abandoned":
                failures.append(f"the killed try's crawl run ended {crawl_run['status']}: the kill missed the crawl")
        if run["state"] != "success":
            failures.append(f"{source.dag_id} ended {run['state']}")
        if not landed["raw_rows"] == landed["posts"] == source.posts:
            failures.append(f"{source.source_id}: {landed['raw_rows']} rows for {source.posts} posts")
        if landed["documents"] != source.posts:
            failures.append(f"{source.source_id}: {landed['documents']} core documents for {source.posts} posts")
    if failures:
        console("drill FAILED: " + "; ".join(failures) + f" (component logs in {cfg.home / 'logs'})")
        return 1
    shutil.rmtree(work, ignore_errors=True)  # the logs are kept only when something went wrong
    console(f"drill passed: every post landed exactly once ({time.monotonic() - started:.0f} s)")
    return 0
