"""
### Source health: alert when a source is stale

Every 30 minutes, judges every source of the registry the way `claimwatch status` does: a source that has never
succeeded, whose latest crawl failed, or whose last success is older than two intervals of its own schedule makes
the **check** task fail, and the failure goes out through the `claimwatch_alerts` webhook (Airflow connection; see
`claimwatch/pipeline/alerts.py`). The alert names every unhealthy source and why.

A failed crawl also alerts from its own ingest DAG; this DAG catches what no task failure shows: a source whose
DAG is paused, stuck or no longer scheduled. Owner: data engineering.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from airflow.sdk import dag, task

from claimwatch.config import sources_file
from claimwatch.pipeline import tasks
from claimwatch.pipeline.alerts import WebhookNotifier


@dag(
    dag_id="source_health",
    schedule="*/30 * * * *",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args={
        "owner": "data-engineering",
        "retries": 0,  # a retry would only delay the alert; the next run checks again
        "on_failure_callback": WebhookNotifier(headline="claimwatch: sources unhealthy"),
    },
    tags=["claimwatch", "ops"],
    doc_md=__doc__,
)
def source_health() -> None:
    @task
    def check() -> list[dict[str, Any]]:
        """Judge every source; fail (and alert) naming the stale, failed and never-succeeded ones."""
        return tasks.check_source_health(str(sources_file()))

    check()


source_health()
