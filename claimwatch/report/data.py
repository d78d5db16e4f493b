"""What the report shows, read from the warehouse in one transaction.

Every figure comes from ``sql/queries/report_*.sql`` (the marts and ``ops.source_health``), so the report says
exactly what an analyst querying the marts would find; this module only turns rows into plain dataclasses that
the renderers can use without a database (and tests can build by hand).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import psycopg2.extensions
import psycopg2.extras

from claimwatch.warehouse import query

TOP_TARGETS = 15


@dataclass(frozen=True, slots=True)
class Summary:
    """Headline figures over every event in the warehouse."""

    events: int = 0
    first_date: date | None = None
    last_date: date | None = None
    claimed: int = 0
    reported: int = 0
    corroborated: int = 0
    intercepted: int = 0
    hit: int = 0
    unmapped: int = 0
    undated: int = 0
    documents: int = 0
    sources: int = 0


@dataclass(frozen=True, slots=True)
class WeekActor:
    """Events of one attacking actor in one ISO week (Monday start)."""

    week_start: date
    actor: str
    actor_name: str
    events: int
    claimed: int
    reported: int
    intercepted: int
    hit: int


@dataclass(frozen=True, slots=True)
class ActorTotal:
    """Events of one attacking actor over the whole period."""

    actor: str
    actor_name: str
    events: int
    claimed: int
    reported: int
    corroborated: int
    intercepted: int
    hit: int


@dataclass(frozen=True, slots=True)
class Place:
    """One point of the map: the events at one targeted place."""

    location_name: str
    target_country: str | None
    lat: float
    lon: float
    events: int
    intercepted: int
    hit: int
    last_date: date | None


@dataclass(frozen=True, slots=True)
class Target:
    """One row of the top-targets table."""

    location_name: str
    target_country: str | None
    events: int
    claimed: int
    reported: int
    intercepted: int
    hit: int
    first_date: date | None
    last_date: date | None


@dataclass(frozen=True, slots=True)
class SourceRow:
    """Volume and freshness of one source."""

    source_id: str
    kind: str
    enabled: bool
    last_status: str | None
    last_started_at: datetime | None
    last_success_at: datetime | None
    failures_24h: int
    rows_24h: int
    documents: int
    last_published_at: datetime | None
    raw_rows: int
    events: int


@dataclass(slots=True)
class ReportData:
    """Everything one report shows, plus when it was read."""

    generated_at: datetime
    summary: Summary = field(default_factory=Summary)
    weekly: list[WeekActor] = field(default_factory=list)
    actors: list[ActorTotal] = field(default_factory=list)
    places: list[Place] = field(default_factory=list)
    countries: dict[str, int] = field(default_factory=dict)
    targets: list[Target] = field(default_factory=list)
    sources: list[SourceRow] = field(default_factory=list)


def _rows(cur: Any, name: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    cur.execute(query(name), params or {})
    return [dict(r) for r in cur.fetchall()]


def _ints(row: dict[str, Any], *names: str) -> dict[str, Any]:
    """bigint counts come back as int already; sums of bigint as Decimal: make them all int."""
    return {k: (int(v) if k in names and v is not None else v) for k, v in row.items()}


def load(conn: psycopg2.extensions.connection, generated_at: datetime) -> ReportData:
    """Read the report's data over ``conn`` in one repeatable-read snapshot, so sections agree with each other."""
    conn.set_session(isolation_level=psycopg2.extensions.ISOLATION_LEVEL_REPEATABLE_READ, readonly=True)
    counts = ("events", "claimed", "reported", "corroborated", "intercepted", "hit", "unmapped", "undated")
    with conn.cursor(cursor_factory=psycopg2.extras.RealDictCursor) as cur:
        summary = Summary(**_ints(_rows(cur, "report_summary")[0], *counts, "documents", "sources"))
        weekly = [WeekActor(**_ints(r, *counts)) for r in _rows(cur, "report_weekly_actor")]
        actors = [ActorTotal(**_ints(r, *counts)) for r in _rows(cur, "report_actors")]
        places = [
            Place(**{**_ints(r, *counts), "lat": float(r["lat"]), "lon": float(r["lon"])})
            for r in _rows(cur, "report_places")
        ]
        countries = {r["target_country"]: int(r["events"]) for r in _rows(cur, "report_countries")}
        targets = [Target(**_ints(r, *counts)) for r in _rows(cur, "report_top_targets", {"limit": TOP_TARGETS})]
        sources = [
            SourceRow(**_ints(r, "failures_24h", "rows_24h", "documents", "raw_rows", "events"))
            for r in _rows(cur, "report_sources")
        ]
    return ReportData(
        generated_at=generated_at,
        summary=summary,
        weekly=weekly,
        actors=actors,
        places=places,
        countries=countries,
        targets=targets,
        sources=sources,
    )
