"""Source health for people and monitors: ``claimwatch status`` and the ``source_health`` DAG.

A source is healthy when it has succeeded at least once, its latest crawl did not fail, and its last success is
fresh against its own schedule: older than two schedule intervals (one missed run is tolerated, a second is not)
is stale. One judgement, used by the command (exit status for cron or any monitor) and by the DAG (which fails,
and so alerts through the notifier, when a source is not healthy).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from claimwatch.registry import Source, load_registry

# Airflow's schedule presets as cron expressions (https://airflow.apache.org/docs: "Cron Presets").
_PRESETS = {
    "@hourly": "0 * * * *",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@weekly": "0 0 * * 0",
    "@monthly": "0 0 1 * *",
    "@quarterly": "0 0 1 */3 *",
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
}
STALE_AFTER_INTERVALS = 2


def schedule_interval(schedule: str, now: datetime) -> timedelta | None:
    """The time between two runs of ``schedule`` around ``now``; None for a schedule that does not repeat."""
    from croniter import croniter

    expression = _PRESETS.get(schedule, schedule)
    if expression.startswith("@"):  # @once, @continuous, ...
        return None
    it = croniter(expression, now)
    first = it.get_next(datetime)
    return it.get_next(datetime) - first


@dataclass(frozen=True)
class SourceStatus:
    """The judgement on one source."""

    source_id: str
    enabled: bool
    state: str  # OK, NEVER, FAILED, STALE, DISABLED
    detail: str

    @property
    def healthy(self) -> bool:
        return self.state in ("OK", "DISABLED")


def _ago(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    if minutes < 120:
        return f"{minutes} min ago"
    if minutes < 72 * 60:
        return f"{minutes // 60} h ago"
    return f"{minutes // 1440} d ago"


def judge(source: Source, row: dict[str, Any] | None, now: datetime) -> SourceStatus:
    """Healthy, never succeeded, failed last or stale: see the module docstring."""
    if not source.enabled:
        return SourceStatus(source.id, False, "DISABLED", "not scheduled")
    if row is None or row["last_success_at"] is None:
        last = f"latest crawl {row['last_status']}" if row and row["last_status"] else "never crawled"
        return SourceStatus(source.id, True, "NEVER", f"never succeeded ({last})")
    success: datetime = row["last_success_at"]
    interval = schedule_interval(source.schedule, now)
    run = f"latest run {row['last_status']}: {row['last_new_rows'] or 0} new rows, {row['last_errors'] or 0} errors"
    fresh = f"last success {success:%Y-%m-%d %H:%M}Z ({_ago(now - success)}; schedule {source.schedule})"
    if row["last_status"] in ("failed", "abandoned", "partial"):
        return SourceStatus(source.id, True, "FAILED", f"{run}; {fresh}")
    if interval is not None and now - success > STALE_AFTER_INTERVALS * interval:
        limit = STALE_AFTER_INTERVALS * interval
        return SourceStatus(source.id, True, "STALE", f"{fresh}, stale after {_ago(limit).removesuffix(' ago')}; {run}")
    return SourceStatus(source.id, True, "OK", f"{fresh}; {run}")


def source_statuses(dsn: str, sources: list[Source]) -> list[SourceStatus]:
    """Judge every source of a registry against the warehouse's ``ops.source_health``."""
    from claimwatch.warehouse import connect, query

    with connect(dsn) as conn, conn.cursor() as cur:
        cur.execute(query("source_status"), {"source_ids": [s.id for s in sources]})
        names = [d.name for d in cur.description]
        rows = {r["source_id"]: r for r in (dict(zip(names, row, strict=True)) for row in cur.fetchall())}
        cur.execute("SELECT now()")
        now = cur.fetchone()[0]
    now = now.astimezone(UTC)
    return [judge(s, rows.get(s.id), now) for s in sources]


def unhealthy_summary(statuses: list[SourceStatus]) -> str | None:
    """One line naming every unhealthy source and why (the alert's text), or None when all are healthy."""
    bad = [s for s in statuses if not s.healthy]
    if not bad:
        return None
    return "; ".join(f"{s.source_id} {s.state}: {s.detail}" for s in bad)


def main(registry: Path) -> int:
    """``claimwatch status``: one line per source; 0 when every enabled source is healthy, else 1."""
    from claimwatch.warehouse import warehouse_dsn

    sources = load_registry(registry)
    statuses = source_statuses(warehouse_dsn(), sources)
    width = max([len(s.source_id) for s in statuses] + [6])
    for status in statuses:
        print(f"{status.source_id:<{width}}  {status.state:<8}  {status.detail}")
    bad = [s for s in statuses if not s.healthy]
    if bad:
        print(f"{len(bad)} of {sum(s.enabled for s in statuses)} enabled sources unhealthy", file=sys.stderr)
        return 1
    return 0
