"""
### Ingest a source: crawl → normalize → extract claims → check → publish

One DAG per enabled entry of the source registry (`sources.toml`, or the file named by
`CLAIMWATCH_SOURCES`), named `ingest__<source id>`.

1. **crawl** runs the source's Scrapy spider in a subprocess. It lands every document version in
   `raw.documents` in batches (COPY + one upsert per batch) and records the run in `ops.crawl_runs`;
   the source cursor (`ops.source_state`) moves only after the rows it covers are committed, so a killed
   crawl loses nothing and a re-run duplicates nothing.
2. **normalize** builds `core.documents` from the latest raw version of each new or changed document:
   clean text, UTC timestamps, language, exact and near-duplicate fingerprints.
3. **extract** turns documents into `core.claims` (one row per operation), idempotently.
4. **check** runs data-quality checks (landed rows match the crawl's statistics, no orphan rows, ...),
   writes `ops.dq_results` and fails loudly when one fails.
5. **publish** emits the `claimwatch_core` Asset; the `marts` DAG clusters the new rows and updates `marts.*` on it.

A task that fails its last retry alerts through the `claimwatch_alerts` webhook (an Airflow connection).

The warehouse is the Airflow connection `claimwatch_warehouse` when defined, else
`CLAIMWATCH_WAREHOUSE_DSN`, else the embedded PostgreSQL. Owner: data engineering.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from airflow.sdk import Asset, dag, get_current_context, task

from claimwatch.config import dag_retries, dag_retry_delay_seconds, sources_file
from claimwatch.pipeline import tasks
from claimwatch.pipeline.alerts import WebhookNotifier
from claimwatch.registry import Source, enabled_sources

CORE_ASSET = Asset(name="claimwatch_core", uri=tasks.CORE_ASSET_URI)

DEFAULT_ARGS: dict[str, Any] = {
    "owner": "data-engineering",
    "retries": dag_retries(),
    "retry_delay": timedelta(seconds=dag_retry_delay_seconds()),
    "retry_exponential_backoff": True,
    "max_retry_delay": timedelta(minutes=30),
    # after the last retry: a webhook alert (Airflow connection claimwatch_alerts; none configured, none sent)
    "on_failure_callback": WebhookNotifier(),
}


def _run_context() -> dict[str, Any]:
    ctx = get_current_context()
    return {"dag_id": ctx["dag"].dag_id, "dag_run_id": ctx["run_id"], "task_try": ctx["ti"].try_number}


def build_ingest_dag(source: Source, registry: str) -> Any:
    """The ingest DAG of one source; the task bodies live in :mod:`claimwatch.pipeline.tasks`."""

    @dag(
        dag_id=f"ingest__{source.id}",
        schedule=source.schedule,
        start_date=datetime(2026, 1, 1),
        catchup=False,
        max_active_runs=1,
        max_consecutive_failed_dag_runs=5,
        default_args=DEFAULT_ARGS,
        tags=["claimwatch", "ingest", source.kind, *source.tags],
        doc_md=__doc__,
        description=f"{source.kind} source {source.id}: {source.url}",
    )
    def ingest() -> None:
        @task(execution_timeout=timedelta(hours=2))
        def crawl() -> dict[str, Any]:
            """Run the spider in a subprocess; returns the ops.crawl_runs row."""
            return tasks.crawl_source(source.id, registry, **_run_context())

        @task
        def normalize(crawl_run: dict[str, Any]) -> dict[str, int]:
            """Build core.documents from new raw versions."""
            return tasks.normalize_source(source.id)

        @task
        def extract(normalized: dict[str, int]) -> dict[str, int]:
            """Extract claims and reports into core.claims."""
            return tasks.extract_source(source.id)

        @task
        def check(crawl_run: dict[str, Any], extracted: dict[str, int]) -> list[dict[str, Any]]:
            """Data-quality checks; raises when one fails."""
            return tasks.check_source(source.id, crawl_run, dag_run_id=_run_context()["dag_run_id"])

        @task(outlets=[CORE_ASSET])
        def publish(results: list[dict[str, Any]]) -> None:
            """Signal the marts DAG that core data changed."""

        crawled = crawl()
        extracted = extract(normalize(crawled))
        publish(check(crawled, extracted))

    return ingest()


_registry = str(sources_file())
for _source in enabled_sources(_registry):
    globals()[f"ingest__{_source.id}"] = build_ingest_dag(_source, _registry)
