"""The bodies of the DAG tasks. DAG files only wire these together; everything here is plain Python
that can be called (and tested) without Airflow.

Each task resolves the warehouse itself (:func:`dsn`): the Airflow connection ``claimwatch_warehouse``
when Airflow knows one, else ``CLAIMWATCH_WAREHOUSE_DSN``, else the embedded server.
"""

from __future__ import annotations

import logging
import sys
import time
from typing import Any

from claimwatch.warehouse import warehouse_dsn

# Each task imports what it needs when it runs: every step runs in its own process, and a normalize or extract
# process has no use for the crawler and the registry's models (pydantic), ~0.3 s of its start. A test checks that
# importing this module and normalize pulls in neither them nor datasketch/scipy/Airflow.

log = logging.getLogger(__name__)

CORE_ASSET_URI = "claimwatch://warehouse/core"
AIRFLOW_CONN_ID = "claimwatch_warehouse"


def dsn() -> str:
    """Warehouse DSN for a task: Airflow connection first (secrets backends included), then the defaults.

    Airflow is consulted only when this code already runs inside it (a task imported it): called from the
    CLI or a test, importing Airflow would only cost start-up time and create an AIRFLOW_HOME.
    """
    if "airflow.sdk" not in sys.modules:
        return warehouse_dsn()
    try:
        from airflow.sdk import Connection

        conn = Connection.get(AIRFLOW_CONN_ID)
        uri = str(conn.get_uri())
        return uri.replace("postgres://", "postgresql://", 1)
    except Exception:  # no Airflow, not in a task, or no such connection: fall back
        return warehouse_dsn()


def prepare_warehouse(target: str | None = None) -> list[str]:
    """Apply pending migrations and (re)load the actor and place dimensions; cheap when up to date."""
    from claimwatch.transform.dimensions import load_dimensions
    from claimwatch.warehouse.migrate import migrate

    target = target or dsn()
    applied = migrate(target)
    load_dimensions(target)
    return applied


def crawl_source(
    source_id: str,
    registry: str,
    dag_id: str | None = None,
    dag_run_id: str | None = None,
    task_try: int | None = None,
) -> dict[str, Any]:
    """Crawl one source in a subprocess; return its ``ops.crawl_runs`` row. Raises when the crawl failed."""
    from claimwatch.ingest.crawl import RunContext, run_subprocess
    from claimwatch.registry import find_source

    target = dsn()
    prepare_warehouse(target)
    source = find_source(registry, source_id)
    summary = run_subprocess(source, registry, target, RunContext(dag_id, dag_run_id, task_try))
    log.info("crawl of %s: %s", source_id, summary)
    return summary


def normalize_source(source_id: str) -> dict[str, int]:
    """Build ``core.documents`` rows for the source's new or changed raw versions, then apply the source's raw
    retention (``raw_retention_days``), which only touches versions normalized long ago."""
    from claimwatch.transform.normalize import normalize_documents, prune_raw_payloads

    counts = normalize_documents(dsn(), source_id)
    counts["raw_pruned"] = prune_raw_payloads(dsn(), source_id)
    return counts


def extract_source(source_id: str) -> dict[str, int]:
    """(Re-)extract ``core.claims`` for the source's documents that need it."""
    from claimwatch.transform.load_claims import extract_documents

    return extract_documents(dsn(), source_id=source_id)


def check_source(source_id: str, crawl_run: dict[str, Any], dag_run_id: str | None = None) -> list[dict[str, Any]]:
    """Run the data-quality checks of one ingest run; raise :class:`checks.DataQualityError` on failure."""
    from claimwatch.transform.checks import run_checks

    return run_checks(dsn(), source_id, int(crawl_run["crawl_run_id"]), dag_run_id)


def reprocess() -> dict[str, int]:
    """Re-extract every document whose claims came from another extractor version (no crawling). When it
    re-extracted any, the next events step rebuilds the marts in full rather than event by event (a new extractor
    touches events across the whole history)."""
    from claimwatch.transform.load_claims import extract_documents
    from claimwatch.transform.marts import request_rebuild

    counts = extract_documents(dsn(), source_id=None, reprocess=True)
    if counts.get("documents"):
        request_rebuild(dsn())
    return counts


def cluster_events() -> dict[str, int]:
    """Place new or changed claim rows into events (``core.events``), refresh the touched events and their rows of
    the marts (``marts.events``, ``daily_events``, ``weekly_events``, ``claim_confirmation``)."""
    from claimwatch.transform.events import cluster_new

    return cluster_new(dsn())


def report_due(run_type: str | None, max_age_days: float = 7.0) -> bool:
    """The weekly report is due on the marts DAG's weekly (time-scheduled) run, or when the last one is older
    than a week (or missing: the first run of a new installation writes one)."""
    from claimwatch.config import report_dir

    latest = report_dir() / "latest" / "index.html"
    if run_type == "scheduled" or not latest.exists():
        return True
    return (time.time() - latest.stat().st_mtime) > max_age_days * 86400


def weekly_report() -> str:
    """Write the report for the current ISO week under the report folder, and copy it to ``latest``."""
    import shutil
    from datetime import date

    from claimwatch.config import report_dir
    from claimwatch.report import write_report

    year, week, _ = date.today().isocalendar()
    out = write_report(dsn(), report_dir() / f"{year}-W{week:02d}")
    latest = report_dir() / "latest"
    latest.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(out, latest / "index.html")
    log.info("weekly report: %s (also %s)", out, latest / "index.html")
    return str(out)


def rebuild_marts() -> dict[str, Any]:
    """Rebuild the analyst marts over events in full (the events step keeps them up to date otherwise)."""
    from claimwatch.transform.marts import rebuild

    return rebuild(dsn())


class SourcesUnhealthy(RuntimeError):
    """A source is stale, has never succeeded or failed last; the message names each one (it is the alert)."""


def check_source_health(registry: str) -> list[dict[str, Any]]:
    """Judge every source of the registry (:mod:`claimwatch.pipeline.status`); raise :class:`SourcesUnhealthy`
    naming the ones that are not healthy, so the task fails and its notifier alerts."""
    from dataclasses import asdict

    from claimwatch.pipeline.status import source_statuses, unhealthy_summary
    from claimwatch.registry import load_registry

    statuses = source_statuses(dsn(), load_registry(registry))
    for status in statuses:
        log.info("%s %s: %s", status.source_id, status.state, status.detail)
    if summary := unhealthy_summary(statuses):
        raise SourcesUnhealthy(summary)
    return [asdict(s) for s in statuses]
