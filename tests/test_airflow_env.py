"""Airflow sized to the machine: task parallelism from the CPUs this process may use, not Airflow's 32."""

from __future__ import annotations

import os

import pytest

from claimwatch.pipeline.airflow_local import airflow_env, machine_parallelism
from claimwatch.pipeline.cluster import worker_concurrency


def test_parallelism_follows_the_cpus_unless_overridden(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CLAIMWATCH_PARALLELISM", raising=False)
    cpus = len(os.sched_getaffinity(0))
    assert airflow_env()["AIRFLOW__CORE__PARALLELISM"] == str(cpus)
    # the Celery workers share the same slots out
    assert worker_concurrency(2) * 2 <= max(2, cpus)
    assert worker_concurrency(64) == 1
    monkeypatch.setenv("CLAIMWATCH_PARALLELISM", "5")
    assert machine_parallelism() == 5
    assert airflow_env()["AIRFLOW__CORE__PARALLELISM"] == "5"
