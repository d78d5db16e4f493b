"""Load the actor dictionary and the gazetteer (data files, not code) into ``core.actors`` / ``core.locations``."""

from __future__ import annotations

import csv
import io
import logging

from claimwatch.warehouse import connect, query

log = logging.getLogger(__name__)


def _array(values: list[str]) -> str:
    """A PostgreSQL text[] literal for COPY csv."""
    escaped = ('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values)
    return "{" + ",".join(escaped) + "}"


def load_dimensions(dsn: str) -> dict[str, int]:
    """Upsert every actor and place; unchanged rows are not rewritten. Returns the sizes loaded."""
    from claimwatch.actors import actor_records
    from claimwatch.gazetteer import location_records

    actors = actor_records()
    locations = location_records()
    with connect(dsn) as conn, conn.cursor() as cur:
        for actor in actors:
            cur.execute(query("actors_upsert"), {**actor, "aliases": list(actor.get("aliases") or [])})
        cur.execute(query("locations_stage_create"))
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        for loc in locations:
            writer.writerow(
                (
                    loc["location_id"],
                    loc["name_en"],
                    loc.get("name_ar"),
                    _array(list(loc.get("aliases") or [])),
                    loc.get("lat"),
                    loc.get("lon"),
                    loc.get("country"),
                    loc.get("geo_precision"),
                    "t" if loc.get("disputed") else "f",
                    loc.get("feature"),
                )
            )
        buffer.seek(0)
        cur.copy_expert(query("locations_stage_copy"), buffer)
        cur.execute(query("locations_upsert"))
    return {"actors": len(actors), "locations": len(locations)}
