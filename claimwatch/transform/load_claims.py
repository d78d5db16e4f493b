"""Turn ``core.documents`` into ``core.claims`` (one row per operation).

Idempotent by construction: a document's claims are replaced as a whole, in the same transaction that
stamps the document with the extractor version that produced them and re-applies the analysts' corrections
(``core.corrections``), so a correction survives every re-extraction. Documents with another (older) stamp are
the reprocess DAG's work list, so a new model (``claimwatch train``) re-extracts history without crawling.
"""

from __future__ import annotations

import logging
from typing import Any

import psycopg2.extras

from claimwatch.claims.extract import Extraction, extract_posts, extractor_version
from claimwatch.warehouse import connect, query
from claimwatch.warehouse.copy import copy_rows

log = logging.getLogger(__name__)

BATCH_SIZE = 2000


def claim_rows(doc_id: int, raw_document_id: int, extraction: Extraction, version: str) -> list[tuple[Any, ...]]:
    """The ``core.claims`` rows of one document's extraction, in ``claims_stage_copy.sql`` column order."""
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
                version,
            )
        )
    return rows


def extract_documents(dsn: str, source_id: str | None = None, reprocess: bool = False) -> dict[str, int]:
    """Extract claims for documents not yet stamped with the current extractor version (one source, or all).

    The version names the rules and the model (``rules-x+model-y``): after ``claimwatch train`` every document
    is a candidate again, which is how ``reprocess`` re-extracts history.
    """
    version = extractor_version()
    counts = {"documents": 0, "claims": 0, "reports": 0, "failed": 0}
    with connect(dsn) as reader, connect(dsn) as writer:
        with writer.cursor() as cur:
            cur.execute(query("claims_stage_create"))
        with reader.cursor(name="extract_candidates", cursor_factory=psycopg2.extras.DictCursor) as docs:
            docs.itersize = BATCH_SIZE
            docs.execute(query("extract_candidates"), {"source_id": source_id, "extractor_version": version})
            while batch := docs.fetchmany(BATCH_SIZE):
                voices = {d["voice"] for d in batch}
                extractions: dict[int, Extraction] = {}
                for voice in voices:  # a batch mixes sources; each outlet's posts are read in its voice
                    docs_v = [d for d in batch if d["voice"] == voice]
                    try:
                        found = extract_posts([(d["text"], d["published_at"]) for d in docs_v], voice)
                    except Exception:  # one bad text must not hold back the batch: retry one by one
                        log.exception("batch extraction failed; extracting %d documents one by one", len(docs_v))
                        found = []
                        for d in docs_v:
                            try:
                                found.extend(extract_posts([(d["text"], d["published_at"])], voice))
                            except Exception:
                                counts["failed"] += 1
                                log.exception("extraction failed for document %s; it gets no claims", d["doc_id"])
                                found.append(Extraction("other", [], ["extraction failed"]))
                    extractions.update((d["doc_id"], ex) for d, ex in zip(docs_v, found, strict=True))
                rows: list[tuple[Any, ...]] = []
                for doc in batch:
                    rows.extend(claim_rows(doc["doc_id"], doc["raw_document_id"], extractions[doc["doc_id"]], version))
                with writer.cursor() as cur:
                    copy_rows(cur, query("claims_stage_copy"), rows)
                    doc_ids = [d["doc_id"] for d in batch]
                    cur.execute(query("claims_replace"), {"doc_ids": doc_ids, "extractor_version": version})
                    cur.execute(query("corrections_apply"), {"doc_ids": doc_ids})
                writer.commit()
                counts["documents"] += len(batch)
                counts["claims"] += sum(1 for r in rows if r[3] == "claim")
                counts["reports"] += sum(1 for r in rows if r[3] == "report")
    log.info("extracted %s%s: %s", source_id or "all sources", " (reprocess)" if reprocess else "", counts)
    return counts
