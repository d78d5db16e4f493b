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
import time
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
    }
    if sources is not None:
        env["CLAIMWATCH_SOURCES"] = str(sources.resolve())
    return env


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
    """Start Airflow's API server (UI), scheduler, DAG processor and triggerer on 127.0.0.1; block until ^C."""
    ensure_metadata_db()
    commands = [
        ["api-server", "--host", "127.0.0.1", "--port", os.environ.get("AIRFLOW__API__PORT", "8080")],
        ["scheduler", "--skip-serve-logs"],
        ["dag-processor"],
        ["triggerer", "--skip-serve-logs"],
    ]
    procs = [subprocess.Popen([sys.executable, "-m", "airflow", *cmd], env=os.environ.copy()) for cmd in commands]
    print(f"Airflow UI: http://127.0.0.1:{os.environ.get('AIRFLOW__API__PORT', '8080')} (Ctrl-C to stop)")
    try:
        while all(p.poll() is None for p in procs):
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(timeout=30)
    return 0
