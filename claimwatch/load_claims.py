"""Turn ``core.documents`` into ``core.claims`` (one row per operation) and link claims to their reports.

Idempotent by construction: a document's claims are replaced as a whole, in the same transaction that
stamps the document with the extractor version that produced them. Documents with another (older)
stamp are the reprocess DAG's work list, so improving the rules re-extracts history without crawling.
"""

from __future__ import annotations

import logging
from typing import Any

import psycopg2.extras

from claimwatch.claims.rules import EXTRACTOR_VERSION, extract_claims
from claimwatch.warehouse import connect, query
from claimwatch.warehouse.copy import copy_rows

log = logging.getLogger(__name__)

BATCH_SIZE = 2000


def claim_rows(doc_id: int, raw_document_id: int, text: str, published_at: Any) -> list[tuple[Any, ...]]:
    """The ``core.claims`` rows of one document, in ``claims_stage_copy.sql`` column order."""
    extraction = extract_claims(text, published_at)
    rows = []
    for index, op in enumerate(extraction.operations):
        rows.append(
            (
                doc_id,
                raw_document_id,
                index,
                op.kind,
                op.actor,
                op.actor_id,
                op.weapon,
                op.sub_event_type,
                op.target_country,
                op.location,
                op.location_id,
                op.lat,
                op.lon,
                op.geo_precision,
                op.event_date,
                op.date_precision,
                op.intercepted,
                round(float(op.confidence), 3),
                op.evidence,
                EXTRACTOR_VERSION,
            )
        )
    return rows


def extract_documents(dsn: str, source_id: str | None = None, reprocess: bool = False) -> dict[str, int]:
    """Extract claims for documents not yet stamped with :data:`EXTRACTOR_VERSION` (one source, or all)."""
    counts = {"documents": 0, "claims": 0, "reports": 0, "failed": 0}
    with connect(dsn) as reader, connect(dsn) as writer:
        with writer.cursor() as cur:
            cur.execute(query("claims_stage_create"))
        with reader.cursor(name="extract_candidates", cursor_factory=psycopg2.extras.DictCursor) as docs:
            docs.itersize = BATCH_SIZE
            docs.execute(query("extract_candidates"), {"source_id": source_id, "extractor_version": EXTRACTOR_VERSION})
            while batch := docs.fetchmany(BATCH_SIZE):
                rows: list[tuple[Any, ...]] = []
                for doc in batch:
                    try:
                        rows.extend(claim_rows(doc["doc_id"], doc["raw_document_id"], doc["text"], doc["published_at"]))
                    except Exception:  # a rule bug on one text must not hold back every other document
                        counts["failed"] += 1
                        log.exception("extraction failed for document %s; it gets no claims", doc["doc_id"])
                with writer.cursor() as cur:
                    copy_rows(cur, query("claims_stage_copy"), rows)
                    cur.execute(
                        query("claims_replace"),
                        {"doc_ids": [d["doc_id"] for d in batch], "extractor_version": EXTRACTOR_VERSION},
                    )
                writer.commit()
                counts["documents"] += len(batch)
                counts["claims"] += sum(1 for r in rows if r[3] == "claim")
                counts["reports"] += sum(1 for r in rows if r[3] == "report")
    log.info("extracted %s%s: %s", source_id or "all sources", " (reprocess)" if reprocess else "", counts)
    return counts


def link_claims(dsn: str) -> dict[str, int]:
    """Rebuild ``core.claim_links``; return the number of links by type."""
    with connect(dsn) as conn, conn.cursor() as cur:
        cur.execute(query("claim_links_rebuild"))
        cur.execute(query("claim_links_count"))
        return {k: int(v) for k, v in cur.fetchall()}
