"""
### Reprocess: re-extract claims when the rules change

Re-runs claim extraction over every document in `core.documents` whose claims were produced by an
older `extractor_version` (or never extracted), straight from the warehouse: nothing is crawled again.
Trigger it by hand after deploying new rules (it also runs weekly as a safety net); when it is done it
publishes the `claimwatch_core` Asset so the marts DAG places the rows again; when documents were re-extracted,
its events step rebuilds the marts in full (`ops.marts_state`).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import Asset, dag, task

from claimwatch.pipeline import tasks

CORE_ASSET = Asset(name="claimwatch_core", uri=tasks.CORE_ASSET_URI)


@dag(
    dag_id="reprocess",
    schedule="@weekly",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args={"owner": "data-engineering", "retries": 1, "retry_delay": timedelta(minutes=5)},
    tags=["claimwatch", "reprocess"],
    doc_md=__doc__,
)
def reprocess() -> None:
    @task
    def prepare() -> list[str]:
        """Apply migrations and reload the actor and place dictionaries (they may have changed with the rules)."""
        return tasks.prepare_warehouse()

    @task(outlets=[CORE_ASSET])
    def re_extract(applied: list[str]) -> dict[str, int]:
        """Re-extract documents stamped with another extractor version."""
        return tasks.reprocess()

    re_extract(prepare())


reprocess()
