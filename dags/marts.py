"""
### Refresh the analyst marts

Runs whenever an ingest DAG publishes the `claimwatch_core` Asset (new or changed claims): links
claims to the reports that corroborate them (`core.claim_links`), then refreshes the materialized
views in `marts` concurrently, so analysts are never blocked while it runs.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import Asset, dag, task

from claimwatch import tasks

CORE_ASSET = Asset(name="claimwatch_core", uri=tasks.CORE_ASSET_URI)


@dag(
    dag_id="marts",
    schedule=[CORE_ASSET],
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args={"owner": "data-engineering", "retries": 2, "retry_delay": timedelta(minutes=1)},
    tags=["claimwatch", "marts"],
    doc_md=__doc__,
)
def marts() -> None:
    @task
    def link_claims() -> dict[str, int]:
        """Link claims with corroborating reports and reposts."""
        return tasks.link_claims()

    @task
    def refresh(links: dict[str, int]) -> dict[str, float]:
        """REFRESH MATERIALIZED VIEW CONCURRENTLY for every mart."""
        return tasks.refresh_marts()

    refresh(link_claims())


marts()
