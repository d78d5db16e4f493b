"""Data-quality checks of an ingest run: recorded in ``ops.dq_results``, and loud when they fail.

Each check is a query in ``sql/queries/dq_*.sql`` returning one row ``(expected, observed)``; it passes
when the two are equal. ``error`` checks fail the DAG task (the run is red in Airflow, the data stays);
``warn`` checks are recorded and logged.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any, Literal

from claimwatch.warehouse import connect, query

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Check:
    """One named check backed by ``sql/queries/<query_name>.sql``."""

    name: str
    query_name: str
    severity: Literal["error", "warn"]
    description: str


CHECKS: tuple[Check, ...] = (
    Check(
        "landed_rows_match_crawl_stats",
        "dq_landed_rows",
        "error",
        "rows in raw.documents tagged with the crawl run = the run's new_rows",
    ),
    Check(
        "quarantine_matches_crawl_stats",
        "dq_quarantined_rows",
        "error",
        "rows in ops.quarantine tagged with the crawl run = the run's quarantined count",
    ),
    Check(
        "core_covers_raw",
        "dq_core_covers_raw",
        "warn",
        "every document the run landed has a core.documents row (an unreadable one is logged by normalize)",
    ),
    Check(
        "posts_have_published_at",
        "dq_missing_published_at",
        "error",
        "every Telegram post the run landed has a publication time",
    ),
    Check(
        "claims_current_extractor",
        "dq_stale_claims",
        "warn",
        "documents were extracted by the current extractor version (else run the reprocess DAG)",
    ),
)


class DataQualityError(RuntimeError):
    """At least one error-severity check failed."""


def run_checks(dsn: str, source_id: str, crawl_run_id: int, dag_run_id: str | None = None) -> list[dict[str, Any]]:
    """Run every check for one ingest run; record results; raise :class:`DataQualityError` on failure."""
    from claimwatch.claims.extract import extractor_version

    params = {"source_id": source_id, "crawl_run_id": crawl_run_id, "extractor_version": extractor_version()}
    results: list[dict[str, Any]] = []
    with connect(dsn) as conn, conn.cursor() as cur:
        for check in CHECKS:
            cur.execute(query(check.query_name), params)
            row = cur.fetchone()
            expected, observed = row if row else (None, None)
            passed = row is not None and expected == observed
            result = {
                "check": check.name,
                "severity": check.severity,
                "passed": passed,
                "expected": expected,
                "observed": observed,
            }
            results.append(result)
            cur.execute(
                query("dq_record"),
                {
                    **params,
                    "dag_run_id": dag_run_id,
                    "check_name": check.name,
                    "severity": check.severity,
                    "passed": passed,
                    "observed": json.dumps(observed),
                    "expected": json.dumps(expected),
                },
            )
            level = logging.INFO if passed else (logging.ERROR if check.severity == "error" else logging.WARNING)
            log.log(level, "check %s (%s): expected %s, observed %s", check.name, check.description, expected, observed)
    failed = [r for r in results if not r["passed"] and r["severity"] == "error"]
    if failed:
        raise DataQualityError(f"{len(failed)} data-quality check(s) failed for {source_id}: {failed}")
    return results
