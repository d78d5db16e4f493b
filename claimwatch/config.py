"""Where claimwatch keeps things, read from the environment (``CLAIMWATCH_*``).

Every setting has a default that works on a fresh clone, so ``make demo`` and ``make test`` need no
configuration; production overrides them by environment, never by editing files.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SQL_DIR = PROJECT_ROOT / "sql"
DAGS_DIR = PROJECT_ROOT / "dags"


def data_dir() -> Path:
    """Folder for local state: the embedded warehouse's data folder, Airflow's home for local runs."""
    return Path(os.environ.get("CLAIMWATCH_DATA_DIR", PROJECT_ROOT / ".claimwatch")).resolve()


def sources_file() -> Path:
    """The source registry the DAG files are generated from."""
    return Path(os.environ.get("CLAIMWATCH_SOURCES", PROJECT_ROOT / "sources.toml")).resolve()


def report_dir() -> Path:
    """Where the marts DAG writes the weekly report (``CLAIMWATCH_REPORT_DIR``): one folder per ISO week and
    ``latest``."""
    return Path(os.environ.get("CLAIMWATCH_REPORT_DIR", data_dir() / "reports")).resolve()


def airflow_home() -> Path:
    """``AIRFLOW_HOME`` for local runs (``claimwatch run``, ``make airflow``): inside the data folder."""
    return Path(os.environ.get("AIRFLOW_HOME", data_dir() / "airflow")).resolve()


def dag_retries() -> int:
    """Task retries of the ingest DAGs (``CLAIMWATCH_DAG_RETRIES``)."""
    return int(os.environ.get("CLAIMWATCH_DAG_RETRIES", "2"))


def dag_retry_delay_seconds() -> float:
    """First retry delay of the ingest DAGs, doubled on each retry (``CLAIMWATCH_DAG_RETRY_DELAY_S``).

    Two minutes in production; ``claimwatch run`` and the tests use a few seconds so a failure shows quickly.
    """
    return float(os.environ.get("CLAIMWATCH_DAG_RETRY_DELAY_S", "120"))


def warehouse_reconnect_seconds() -> float:
    """How long a crawl keeps reconnecting to a warehouse that went away before it fails the run
    (``CLAIMWATCH_WAREHOUSE_RECONNECT_S``).

    Long enough to ride out a restart or a failover (tens of seconds), short enough that Airflow's retry, not a
    hung task, takes over when the warehouse stays down.
    """
    return float(os.environ.get("CLAIMWATCH_WAREHOUSE_RECONNECT_S", "120"))
