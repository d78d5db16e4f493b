"""
### Events and marts: one operation one row

Runs whenever an ingest DAG publishes the `claimwatch_core` Asset (new or changed claims), and every Monday at
06:00 UTC:

1. **cluster_events**: places the claim and report rows that have no event yet into `core.events` (the same
   operation told by several posts, channels, languages and news sites is one event; reposts add none),
   refreshes the summaries of the events whose members changed and, in the same transaction, their rows of the
   marts (`marts.events`, `claim_confirmation`) and the daily and weekly counts of their days
   (`daily_events`, `weekly_events`). Incremental: only unplaced rows are read, only touched events, days and
   weeks are written (a full rebuild after a migration or reprocess asks for one).
2. **weekly_report**: on the Monday run (or when the last report is older than a week) writes the self-contained
   HTML report (`claimwatch report`) under `CLAIMWATCH_REPORT_DIR` (default `.claimwatch/reports/`).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import Asset, dag, get_current_context, task
from airflow.timetables.assets import AssetOrTimeSchedule
from airflow.timetables.trigger import CronTriggerTimetable

from claimwatch.pipeline import tasks

CORE_ASSET = Asset(name="claimwatch_core", uri=tasks.CORE_ASSET_URI)


@dag(
    dag_id="marts",
    schedule=AssetOrTimeSchedule(timetable=CronTriggerTimetable("0 6 * * 1", timezone="UTC"), assets=[CORE_ASSET]),
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args={"owner": "data-engineering", "retries": 2, "retry_delay": timedelta(minutes=1)},
    tags=["claimwatch", "marts"],
    doc_md=__doc__,
)
def marts() -> None:
    @task
    def cluster_events() -> dict[str, int]:
        """Place new claim and report rows into events; refresh the touched events and their marts rows."""
        return tasks.cluster_events()

    @task.short_circuit
    def report_due(events: dict[str, int]) -> bool:
        """True on the weekly run, or when no report was written in the last seven days."""
        return tasks.report_due(str(get_current_context()["dag_run"].run_type))

    @task
    def weekly_report() -> str:
        """Write the weekly HTML report (charts, map of targets, sources)."""
        return tasks.weekly_report()

    report_due(cluster_events()) >> weekly_report()


marts()
