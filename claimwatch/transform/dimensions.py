"""Load the actor dictionary and the gazetteer (data files, not code) into ``core.actors`` / ``core.locations``."""

from __future__ import annotations

import logging

from claimwatch.warehouse import connect, query
from claimwatch.warehouse.copy import copy_rows

log = logging.getLogger(__name__)


def load_dimensions(dsn: str) -> dict[str, int]:
    """Upsert every actor and place; unchanged rows are not rewritten. Returns the sizes loaded."""
    from claimwatch.claims.actors import actor_records
    from claimwatch.claims.gazetteer import location_records

    actors = actor_records()
    locations = location_records()
    with connect(dsn) as conn, conn.cursor() as cur:
        for actor in actors:
            cur.execute(query("actors_upsert"), {**actor, "aliases": list(actor.get("aliases") or [])})
        cur.execute(query("locations_stage_create"))
        copy_rows(
            cur,
            query("locations_stage_copy"),
            (
                (
                    loc["location_id"],
                    loc["name_en"],
                    loc.get("name_ar"),
                    list(loc.get("aliases") or []),
                    loc.get("lat"),
                    loc.get("lon"),
                    loc.get("country"),
                    loc.get("geo_precision"),
                    bool(loc.get("disputed")),
                    loc.get("feature"),
                )
                for loc in locations
            ),
        )
        cur.execute(query("locations_upsert"))
    return {"actors": len(actors), "locations": len(locations)}
