"""Airflow on this machine: the environment for the project's DAGs, ``dag.test()`` runs, and a local UI.

``claimwatch run`` and ``make airflow`` use a project-local ``AIRFLOW_HOME`` (under the data folder)
with an SQLite metadata database, which is fine for Airflow's own bookkeeping; the warehouse stays in
PostgreSQL. Every component binds 127.0.0.1 and log serving is off.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from claimwatch.config import DAGS_DIR, airflow_home

log = logging.getLogger(__name__)


def airflow_env(sources: Path | None = None) -> dict[str, str]:
    """Environment variables that point Airflow at the project's DAGs and a local metadata database."""
    home = airflow_home()
    port = os.environ.get("CLAIMWATCH_AIRFLOW_PORT", "8080")
    env = {
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS_DIR),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
        "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
        "AIRFLOW__API__HOST": "127.0.0.1",
        "AIRFLOW__API__PORT": port,
        # task processes report to the API server: it must be the one started here, on its port
        "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
        "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": "8793",
        "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
        "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "False",
        # Airflow's default of 32 task processes is for a big scheduler host, not a 2-core laptop or VM.
        "AIRFLOW__CORE__PARALLELISM": str(machine_parallelism()),
    }
    if sources is not None:
        env["CLAIMWATCH_SOURCES"] = str(sources.resolve())
    return env


def machine_parallelism() -> int:
    """How many tasks this machine runs at once (``CLAIMWATCH_PARALLELISM``, default: the CPUs this process may
    use). A task is a crawl plus CPU-bound extraction; more processes than cores only makes each one slower."""
    if value := os.environ.get("CLAIMWATCH_PARALLELISM"):
        return max(1, int(value))
    return max(1, len(os.sched_getaffinity(0)))


def apply_env(env: Mapping[str, str]) -> None:
    """Export ``env`` into this process (before Airflow is imported)."""
    if "airflow" in sys.modules:
        log.debug("airflow already imported; settings may not apply")
    os.environ.update(env)


def ensure_metadata_db() -> None:
    """Create or upgrade Airflow's metadata database (``airflow db migrate``); skipped when current."""
    home = airflow_home()
    home.mkdir(parents=True, exist_ok=True)
    marker = home / ".migrated"
    import airflow

    if marker.exists() and marker.read_text() == airflow.__version__ and (home / "airflow.db").exists():
        return
    subprocess.run(
        [sys.executable, "-m", "airflow", "db", "migrate"], check=True, stdout=subprocess.DEVNULL, env=os.environ.copy()
    )
    marker.write_text(airflow.__version__)


def load_dags() -> dict[str, Any]:
    """Parse the project's DAG folder the way the scheduler does; fail on import errors."""
    from airflow.dag_processing.dagbag import DagBag

    bag = DagBag(dag_folder=str(DAGS_DIR), safe_mode=False)
    if bag.import_errors:
        raise RuntimeError(f"DAG import errors: {bag.import_errors}")
    return dict(bag.dags)


def test_dag(dag: Any) -> str:
    """Run one DAG once with ``dag.test()``; return the run's final state."""
    run = dag.test()
    return str(getattr(run, "state", "unknown"))


def serve(port: int | None = None) -> int:
    """Start Airflow's API server (UI), scheduler, DAG processor and triggerer on 127.0.0.1; block until Ctrl-C
    or SIGTERM, then stop them all (each in its own process group: nothing is left holding the port)."""
    from claimwatch.pipeline.services import Services, stop_on_signals

    port = port or int(os.environ.get("AIRFLOW__API__PORT", "8080"))
    commands = {
        "api-server": ["api-server", "--host", "127.0.0.1", "--port", str(port)],
        "scheduler": ["scheduler", "--skip-serve-logs"],
        "dag-processor": ["dag-processor"],
        "triggerer": ["triggerer", "--skip-serve-logs"],
    }
    # Each component logs to a file: four processes on one console are unreadable, and a task cut short by the
    # stop writes its last words there, not over the console.
    logs = airflow_home() / "logs"
    with stop_on_signals():
        try:
            ensure_metadata_db()
            with Services(log_dir=logs) as services:
                for name, cmd in commands.items():
                    services.start(name, [sys.executable, "-m", "airflow", *cmd], os.environ)
                print(f"Airflow UI: http://127.0.0.1:{port} (Ctrl-C to stop); logs in {logs}", flush=True)
                ended = services.wait_any()
                print(
                    f"claimwatch airflow: {ended} exited (see {logs / (ended + '.log')}); stopping the others",
                    file=sys.stderr,
                    flush=True,
                )
                return 1
        except KeyboardInterrupt:
            print("claimwatch airflow: stopped", file=sys.stderr, flush=True)
            return 0
